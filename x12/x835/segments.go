package x835

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// header applies a segment of the header, payer or payee loop.
func (p *Parser) header(s *x12.Segment) {
	r := p.rem
	switch s.ID() {
	case "BPR":
		if p.hasBPR || p.st != stHeader {
			p.misplaced(s)
			return
		}
		p.hasBPR = true
		pay := &r.Payment
		pay.Handling = p.code1(s, 1)
		pay.Amount = p.amount(s, 2)
		p.totals.PaymentAmount = pay.Amount
		pay.CreditDebit = p.code1(s, 3)
		pay.Method = p.code1(s, 4)
		pay.Format = p.code1(s, 5)
		if s.Len() >= 6 {
			b := BankAccounts{
				SenderDFIQualifier: p.el(s, 6), SenderDFI: p.el(s, 7), SenderAccountQualifier: p.el(s, 8),
				SenderAccount: p.el(s, 9), PayerID: p.el(s, 10), PayerSupplemental: p.el(s, 11),
				ReceiverDFIQualifier: p.el(s, 12), ReceiverDFI: p.el(s, 13), ReceiverAccountQualifier: p.el(s, 14),
				ReceiverAccount: p.el(s, 15),
			}
			if b != (BankAccounts{}) {
				pay.Bank = &b
			}
		}
		pay.Date = p.date(s, 16)
		if !s.Has(16) {
			p.warn("BPR16 payment date is missing")
		}
	case "TRN":
		if p.hasTRN || p.st != stHeader {
			p.misplaced(s)
			return
		}
		p.hasTRN = true
		pay := &r.Payment
		pay.TraceType, pay.Trace, pay.OriginatorID, pay.OriginatorSupplemental = p.el(s, 1), p.el(s, 2), p.el(s, 3), p.el(s, 4)
	case "CUR":
		if p.st != stHeader {
			p.misplaced(s)
			return
		}
		r.Currency = p.el(s, 2)
	case "DTM":
		if p.st != stHeader {
			p.misplaced(s)
			return
		}
		if string(s.Element(1)) == "405" {
			r.ProductionDate = p.date(s, 2)
		} else {
			p.warn(fmt.Sprintf("DTM qualifier %q is not used in the 835 header; skipped", s.Element(1)))
		}
	case "N1":
		switch string(s.Element(1)) {
		case "PR":
			if p.hasPR || p.st != stHeader {
				p.misplaced(s)
				return
			}
			p.hasPR = true
			p.st = stPayer
			r.Payer = Party{Name: p.el(s, 2), IDQualifier: p.el(s, 3), ID: p.el(s, 4)}
		case "PE":
			if p.hasPE || p.st == stHeader {
				p.misplaced(s)
				return
			}
			p.hasPE = true
			p.st = stPayee
			r.Payee = Party{Name: p.el(s, 2), IDQualifier: p.el(s, 3), ID: p.el(s, 4)}
		default:
			p.fail(s, 1, fmt.Errorf("N1 entity %q is not PR or PE: %w", s.Element(1), ErrStructure))
		}
	case "N3", "N4", "PER", "RDM":
		party := p.party()
		if party == nil {
			p.misplaced(s)
			return
		}
		switch s.ID() {
		case "N3":
			if party.Address == nil {
				party.Address = &Address{}
			}
			party.Address.Line1, party.Address.Line2 = p.el(s, 1), p.el(s, 2)
		case "N4":
			if party.Address == nil {
				party.Address = &Address{}
			}
			party.Address.City, party.Address.State, party.Address.ZIP = p.el(s, 1), p.el(s, 2), p.el(s, 3)
		case "PER":
			party.Contacts = append(party.Contacts, p.contact(s))
		case "RDM":
			// Remittance delivery method: not kept.
		}
	case "REF":
		if party := p.party(); party != nil {
			party.Refs = append(party.Refs, Ref{Qualifier: p.code1(s, 1), Value: p.el(s, 2)})
			return
		}
		r.Refs = append(r.Refs, Ref{Qualifier: p.code1(s, 1), Value: p.el(s, 2)})
	default:
		p.other(s)
	}
}

func (p *Parser) party() *Party {
	switch p.st {
	case stPayer:
		return &p.rem.Payer
	case stPayee:
		return &p.rem.Payee
	}
	return nil
}

// contact decodes a PER segment. PER*BL (the payer's technical contact,
// required by the guide) is accepted like any other function code.
func (p *Parser) contact(s *x12.Segment) Contact {
	c := Contact{Function: p.code1(s, 1), Name: p.el(s, 2)}
	for i := 3; i <= s.Len(); i += 2 {
		if s.Has(i) || s.Has(i+1) {
			c.Numbers = append(c.Numbers, Ref{Qualifier: p.code1(s, i), Value: p.el(s, i+1)})
		}
	}
	return c
}

func (p *Parser) ts3(s *x12.Segment) {
	p.rem.Summaries = append(p.rem.Summaries, ProviderSummary{
		HeaderNumber: p.lx, ProviderID: p.el(s, 1), FacilityType: p.el(s, 2),
		FiscalDate: p.date(s, 3), ClaimCount: p.el(s, 4), TotalCharge: p.amount(s, 5),
	})
}

// startClaim finishes the current claim and starts one at a CLP.
func (p *Parser) startClaim(s *x12.Segment) {
	p.finishClaim()
	if p.st < stPayee || p.st == stFooter {
		p.misplaced(s)
	}
	p.st = stClaim
	p.ordinal++
	p.hasQC = false
	blk := p.newClaimBlock()
	p.cblk = blk
	c := &blk.c
	*c = Claim{
		Ordinal:               p.ordinal,
		Segment:               p.rd.Position().SetSegment,
		PatientControlNumber:  p.el(s, 1),
		Status:                p.code1(s, 2),
		Charge:                p.amount(s, 3),
		Paid:                  p.amount(s, 4),
		FilingIndicator:       p.code1(s, 6),
		PayerClaimNumber:      p.el(s, 7),
		FacilityType:          p.code1(s, 8),
		Frequency:             p.code1(s, 9),
		DRG:                   p.el(s, 11),
		DRGWeight:             p.el(s, 12),
		DischargeFraction:     p.el(s, 13),
		HeaderNumber:          p.lx,
		PatientResponsibility: 0,
	}
	if a, ok := p.optAmount(s, 5); ok {
		c.PatientResponsibility = a
	}
	if c.PatientControlNumber == "" {
		p.fail(s, 1, fmt.Errorf("CLP01 patient control number is missing: %w", ErrStructure))
	}
	p.claim = c
}

// claimSegment applies a segment of the 2100 loop.
func (p *Parser) claimSegment(s *x12.Segment) {
	c := p.claim
	switch s.ID() {
	case "NM1":
		n := Name{
			Entity: p.code1(s, 1), EntityType: p.code1(s, 2), LastName: p.el(s, 3), FirstName: p.el(s, 4),
			MiddleName: p.el(s, 5), Suffix: p.el(s, 7), IDQualifier: p.code1(s, 8), ID: p.el(s, 9),
		}
		if n.Entity == "QC" {
			p.hasQC = true
		}
		c.Names = grow(c.Names, p.cblk.names[:])
		c.Names = append(c.Names, n)
	case "MIA":
		in := &Inpatient{CoveredDays: p.el(s, 1), LifetimePsychiatricDays: p.el(s, 3), CostReportDays: p.el(s, 15)}
		for i := 2; i <= 24 && i <= s.Len(); i++ {
			switch i {
			case 3, 15:
				continue
			case 5, 20, 21, 22, 23:
				if s.Has(i) {
					c.InpatientRemarks = append(c.InpatientRemarks, p.el(s, i))
				}
				continue
			}
			if a, ok := p.optAmount(s, i); ok {
				in.Amounts = append(in.Amounts, Amount{Qualifier: elementName("MIA", i), Amount: a})
			}
		}
		c.Inpatient = in
	case "MOA":
		out := &Outpatient{ReimbursementRate: p.el(s, 1)}
		for i := 2; i <= 9 && i <= s.Len(); i++ {
			if i >= 3 && i <= 7 {
				if s.Has(i) {
					c.OutpatientRemarks = append(c.OutpatientRemarks, p.el(s, i))
				}
				continue
			}
			if a, ok := p.optAmount(s, i); ok {
				out.Amounts = append(out.Amounts, Amount{Qualifier: elementName("MOA", i), Amount: a})
			}
		}
		c.Outpatient = out
	case "REF":
		c.Refs = grow(c.Refs, p.cblk.refs[:])
		c.Refs = append(c.Refs, Ref{Qualifier: p.code1(s, 1), Value: p.el(s, 2)})
	case "DTM":
		switch string(s.Element(1)) {
		case "232":
			c.StatementFrom = p.date(s, 2)
		case "233":
			c.StatementTo = p.date(s, 2)
		case "036":
			c.CoverageExpiration = p.date(s, 2)
		case "050":
			c.ReceivedDate = p.date(s, 2)
		default:
			p.warn(fmt.Sprintf("DTM qualifier %q is not used in the claim loop; skipped", s.Element(1)))
		}
	case "PER":
		c.Contacts = append(c.Contacts, p.contact(s))
	case "AMT":
		c.Amounts = grow(c.Amounts, p.cblk.amts[:])
		c.Amounts = append(c.Amounts, Amount{Qualifier: p.code1(s, 1), Amount: p.amount(s, 2)})
	case "QTY":
		c.Quantities = append(c.Quantities, Quantity{Qualifier: p.code1(s, 1), Quantity: p.el(s, 2)})
	default:
		p.other(s)
	}
}

func elementName(seg string, i int) string {
	if i < 10 {
		return seg + "0" + strconv.Itoa(i)
	}
	return seg + strconv.Itoa(i)
}

// startLine starts a service line at an SVC.
func (p *Parser) startLine(s *x12.Segment) {
	if p.claim == nil {
		p.misplaced(s)
		return
	}
	p.st = stLine
	blk := p.newLineBlock()
	p.lblk = blk
	l := &blk.l
	*l = Line{
		Segment:       p.rd.Position().SetSegment,
		Procedure:     p.procedure(s, 1, blk.mods[:]),
		Charge:        p.amount(s, 2),
		Paid:          p.amount(s, 3),
		RevenueCode:   p.code1(s, 4),
		Units:         p.code1(s, 5),
		OriginalUnits: p.code1(s, 7),
	}
	if s.Has(6) {
		o := p.procedure(s, 6, nil)
		l.Original = &o
	}
	p.claim.Lines = grow(p.claim.Lines, p.cblk.lines[:])
	p.claim.Lines = append(p.claim.Lines, l)
	p.line = l
}

// procedure decodes a composite procedure identifier (SVC01 or SVC06) in
// one pass over its components; codes come from the code cache.
func (p *Parser) procedure(s *x12.Segment, el int, mods []string) Procedure {
	v := s.Element(el)
	sep := s.Delimiters().Component
	var pr Procedure
	for j := 1; len(v) > 0 || j <= 2; j++ {
		part := v
		if i := bytes.IndexByte(v, sep); i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		switch {
		case j == 1:
			pr.Qualifier = p.code(part)
		case j == 2:
			pr.Code = p.code(part)
		case j <= 6:
			if len(part) > 0 {
				pr.Modifiers = grow(pr.Modifiers, mods)
				pr.Modifiers = append(pr.Modifiers, p.code(part))
			}
		case j == 7 && el == 6:
			pr.Description = string(part)
		}
		if j >= 7 {
			break
		}
	}
	return pr
}

// lineSegment applies a segment of the 2110 loop.
func (p *Parser) lineSegment(s *x12.Segment) {
	l := p.line
	switch s.ID() {
	case "DTM":
		switch string(s.Element(1)) {
		case "472", "150":
			l.ServiceDate = p.date(s, 2)
		case "151":
			l.ServiceDateEnd = p.date(s, 2)
		default:
			p.warn(fmt.Sprintf("DTM qualifier %q is not used in the service line loop; skipped", s.Element(1)))
		}
	case "REF":
		if string(s.Element(1)) == "6R" {
			l.ControlNumber = string(s.Element(2))
			return
		}
		l.Refs = grow(l.Refs, p.lblk.refs[:])
		l.Refs = append(l.Refs, Ref{Qualifier: p.code1(s, 1), Value: p.el(s, 2)})
	case "AMT":
		a := p.amount(s, 2)
		if string(s.Element(1)) == "B6" {
			p.lblk.allowed = a
			l.Allowed = &p.lblk.allowed
			return
		}
		l.Amounts = append(l.Amounts, Amount{Qualifier: p.code1(s, 1), Amount: a})
	case "QTY":
		l.Quantities = append(l.Quantities, Quantity{Qualifier: p.code1(s, 1), Quantity: p.el(s, 2)})
	case "LQ":
		switch string(s.Element(1)) {
		case "RX":
			l.RxRemarks = append(l.RxRemarks, p.el(s, 2))
		default:
			l.Remarks = grow(l.Remarks, p.lblk.remarks[:])
			l.Remarks = append(l.Remarks, p.code1(s, 2))
		}
	default:
		p.other(s)
	}
}

// cas decodes the up to six group/reason/amount/quantity triples of a CAS
// into the claim or the line.
func (p *Parser) cas(s *x12.Segment) {
	var dst *[]Adjustment
	switch p.st {
	case stClaim:
		dst = &p.claim.Adjustments
		*dst = grow(*dst, p.cblk.adj[:])
	case stLine:
		dst = &p.line.Adjustments
		*dst = grow(*dst, p.lblk.adj[:])
	default:
		p.misplaced(s)
		return
	}
	group := p.code1(s, 1)
	if group == "" {
		p.fail(s, 1, fmt.Errorf("CAS01 group code is missing: %w", ErrStructure))
	}
	if !s.Has(2) && !s.Has(3) {
		p.fail(s, 2, fmt.Errorf("CAS02 reason code is missing: %w", ErrStructure))
	}
	for i := 2; i <= 17 && i <= s.Len(); i += 3 {
		if !s.Has(i) && !s.Has(i+1) {
			continue
		}
		*dst = append(*dst, Adjustment{Group: group, Reason: p.code1(s, i), Amount: p.amount(s, i+1), Quantity: p.el(s, i+2)})
	}
}

// plb decodes the up to six reason/amount pairs of a PLB.
func (p *Parser) plb(s *x12.Segment) {
	id, date := p.el(s, 1), p.date(s, 2)
	for i := 3; i <= 13; i += 2 {
		if !s.Has(i) && !s.Has(i+1) {
			if i == 3 {
				p.fail(s, 3, fmt.Errorf("PLB03 adjustment identifier is missing: %w", ErrStructure))
			}
			continue
		}
		v, sep := p.el(s, i), s.Delimiters().Component
		a := ProviderAdjustment{
			ProviderID: id, FiscalDate: date, Reason: component(v, sep, 1),
			Reference: component(v, sep, 2), Amount: p.amount(s, i+1),
		}
		p.totals.PLBTotal += a.Amount
		p.rem.ProviderAdjustments = append(p.rem.ProviderAdjustments, a)
	}
}

// claimBlock and lineBlock allocate a claim or line together with room
// for its usual number of names, adjustments and references, so that a
// typical claim costs a few allocations instead of dozens.
type claimBlock struct {
	c     Claim
	names [2]Name
	adj   [1]Adjustment
	refs  [1]Ref
	amts  [1]Amount
	lines [4]*Line
	// lineBlks are the blocks of the claim's lines, for reuse.
	lineBlks []*lineBlock
}

// newClaimBlock returns a zeroed claim block, reusing the spare one when
// ReuseClaims is set.
func (p *Parser) newClaimBlock() *claimBlock {
	blk := p.spare
	if blk == nil {
		return &claimBlock{}
	}
	p.spare = nil
	p.lines = append(p.lines, blk.lineBlks...)
	lb := blk.lineBlks[:0]
	clear(blk.lineBlks)
	*blk = claimBlock{lineBlks: lb}
	return blk
}

// newLineBlock returns a zeroed line block, reusing a free one when there
// is one, and records it in the current claim's block.
func (p *Parser) newLineBlock() *lineBlock {
	var lb *lineBlock
	if n := len(p.lines); n > 0 {
		lb = p.lines[n-1]
		p.lines = p.lines[:n-1]
		*lb = lineBlock{}
	} else {
		lb = &lineBlock{}
	}
	if p.ReuseClaims {
		p.cblk.lineBlks = append(p.cblk.lineBlks, lb)
	}
	return lb
}

type lineBlock struct {
	l       Line
	adj     [2]Adjustment
	refs    [1]Ref
	remarks [1]string
	mods    [2]string
	allowed x12.Amount
}

// grow returns s, or an empty slice over backing when s is still nil.
func grow[T any](s, backing []T) []T {
	if s == nil {
		return backing[:0:len(backing)]
	}
	return s
}
