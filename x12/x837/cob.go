package x837

import (
	"slices"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Coordination of benefits: the other payers of a claim (loop 2320 with
// its 2330A other subscriber and 2330B other payer) and, on a claim to a
// secondary or tertiary payer, what each earlier payer decided (2320 CAS
// and AMT*D, 2330B DTP*573 and REF*F8, and 2430 per service line).

// OtherCoverage is another payer that covers the claim's patient. On a
// claim to the primary payer it names the secondary (and tertiary)
// coverage, without adjudication; on a claim to a later payer it carries
// the earlier payer's adjudication, which must balance against the claim
// (see Adjudication).
type OtherCoverage struct {
	// Responsibility is that payer's place in the order of payment
	// (2320 SBR01): P primary, S secondary, T tertiary, A-H the fourth to
	// eleventh, U unknown. It differs from the claim's own
	// (subscriber.responsibility).
	Responsibility string `json:"responsibility"`
	// Relationship is the patient's relationship to the other
	// subscriber (2320 SBR02): 18 self, 01 spouse, 19 child, 20
	// employee, 21 unknown, 39 organ donor, 40 cadaver donor, 53 life
	// partner, G8 other.
	Relationship string `json:"relationship"`
	// GroupNumber is SBR03; GroupName SBR04 (sent only without a number).
	GroupNumber string `json:"group_number,omitempty"`
	GroupName   string `json:"group_name,omitempty"`
	// InsuranceType is SBR05 (837P only): required when that payer is
	// Medicare and Medicare is not the primary payer (12, 13, 14, 15, 16,
	// 41, 42, 43, 47).
	InsuranceType string `json:"insurance_type,omitempty"`
	// FilingIndicator is SBR09, that payer's claim filing indicator (CI,
	// MB, MC, BL, HM, ...).
	FilingIndicator string `json:"filing_indicator"`
	// Subscriber is the other insured (2330A).
	Subscriber OtherSubscriber `json:"subscriber"`
	// Payer is the other payer (2330B).
	Payer OtherPayer `json:"payer"`
	// Adjudication is what that payer decided, when it has adjudicated
	// the claim; nil on a claim to an earlier payer.
	Adjudication *Adjudication `json:"adjudication,omitempty"`
}

// OtherSubscriber is the insured person of another coverage (2330A NM1,
// N3, N4). The birth date and gender are not sent in 2330A; they are kept
// for the claim to that payer, where this person is the subscriber
// (2010BA DMG), and are needed when the subscriber is not the patient.
type OtherSubscriber struct {
	Person
	// MemberID is that payer's member identifier (NM109, qualifier MI).
	MemberID string `json:"member_id"`
}

// OtherPayer is the payer of another coverage (2330B).
type OtherPayer struct {
	Name    string   `json:"name"`
	ID      string   `json:"id"` // NM109, qualifier PI; SVD01 of its 2430 loops
	Address *Address `json:"address,omitempty"`
}

// Adjudication is an earlier payer's decision on the claim, as its 835
// said. It balances, as the TR3 and clearinghouses require:
//
//	for each line:  line charge − Σ line adjustments = line paid (SVD02)
//	for the claim:  CLM02 − Σ claim adjustments − Σ line adjustments = Paid (AMT*D)
//
// Lines may be empty when the payer gave no line detail: the claim then
// balances as CLM02 − Σ claim adjustments = Paid.
type Adjudication struct {
	// Paid is what the payer paid on the claim (2320 AMT*D).
	Paid x12.Amount `json:"paid"`
	// Adjustments are the claim-level adjustments (2320 CAS).
	Adjustments []CAS `json:"adjustments,omitempty"`
	// PayerClaimNumber is the payer's claim control number (2330B
	// REF*F8, from its 835's CLP07).
	PayerClaimNumber string `json:"payer_claim_number,omitempty"`
	// Date is the adjudication or payment date: 2330B DTP*573 when there
	// are no lines, and the default of each line's DTP*573.
	Date x12.Date `json:"date"`
	// Lines are the line adjudications (2430).
	Lines []LineAdjudication `json:"lines,omitempty"`
}

// LineAdjudication is an earlier payer's decision on one service line
// (2430 SVD, CAS, DTP*573).
type LineAdjudication struct {
	// Line is the 1-based service line (LX01) adjudicated.
	Line int `json:"line"`
	// Paid is SVD02, what the payer paid on the line.
	Paid x12.Amount `json:"paid"`
	// Procedure and Modifiers are SVD03 when the payer adjudicated
	// another code than billed; empty means the line's own.
	Procedure string   `json:"procedure,omitempty"`
	Modifiers []string `json:"modifiers,omitempty"`
	// Units is SVD05, the paid units; empty means the line's units.
	Units string `json:"units,omitempty"`
	// Adjustments are the line's adjustments (2430 CAS).
	Adjustments []CAS `json:"adjustments,omitempty"`
	// Date is DTP*573; zero means the adjudication's Date.
	Date x12.Date `json:"date,omitzero"`
}

// CAS is one claim adjustment: group code (CO, CR, OA, PI, PR), reason
// code (CARC) and amount, with an optional quantity.
type CAS struct {
	Group    string     `json:"group"`
	Reason   string     `json:"reason"`
	Amount   x12.Amount `json:"amount"`
	Quantity string     `json:"quantity,omitempty"`
}

// casGroups are the adjustment group codes an 837 accepts (CAS01).
var casGroups = []string{"CO", "CR", "OA", "PI", "PR"}

// SumCAS returns the sum of the adjustments' amounts.
func SumCAS(as []CAS) x12.Amount {
	var s x12.Amount
	for _, a := range as {
		s += a.Amount
	}
	return s
}

// Adjudicated reports whether any other coverage of the claim carries an
// earlier payer's adjudication: the claim goes to a later payer.
func (c *Claim) Adjudicated() bool {
	for i := range c.OtherCoverage {
		if c.OtherCoverage[i].Adjudication != nil {
			return true
		}
	}
	return false
}

// otherSubscribers writes the 2320 loops, each with its 2330A and 2330B.
func (b *Builder) otherSubscribers(c *Claim) {
	w := b.w
	for i := range c.OtherCoverage {
		o := &c.OtherCoverage[i]
		groupName := o.GroupName
		if o.GroupNumber != "" {
			groupName = ""
		}
		insType := ""
		if b.env.Kind == Professional {
			insType = o.InsuranceType
		}
		w.Segment("SBR", o.Responsibility, o.Relationship, o.GroupNumber, groupName, insType, "", "", "", o.FilingIndicator)
		a := o.Adjudication
		if a != nil {
			b.cas(a.Adjustments)
			w.Segment("AMT", "D", b.amount(a.Paid))
		}
		// OI04 (P: signed by the provider, the patient absent) is not
		// known here and left out.
		w.Segment("OI", "", "", orDefault(c.BenefitsAssigned, "Y"), "", "", orDefault(c.ReleaseOfInformation, "Y"))
		s := &o.Subscriber
		nm102 := "1"
		if s.FirstName == "" && s.MiddleName == "" {
			nm102 = "2" // a non-person subscriber (an employer plan, say)
		}
		w.Segment("NM1", "IL", nm102, s.LastName, s.FirstName, s.MiddleName, "", s.Suffix, "MI", s.MemberID)
		b.addr(s.Address)
		w.Segment("NM1", "PR", "2", o.Payer.Name, "", "", "", "", "PI", o.Payer.ID)
		b.addr(o.Payer.Address)
		if a != nil {
			if len(a.Lines) == 0 && !a.Date.IsZero() {
				w.Segment("DTP", "573", "D8", b.dates(a.Date, x12.Date{}))
			}
			if a.PayerClaimNumber != "" {
				w.Segment("REF", "F8", a.PayerClaimNumber)
			}
		}
	}
}

// lineAdjudications writes the 2430 loops of service line n (1-based):
// one per other payer that adjudicated it, in the order of the coverages.
func (b *Builder) lineAdjudications(c *Claim, n int) {
	w := b.w
	l := &c.Lines[n-1]
	for i := range c.OtherCoverage {
		o := &c.OtherCoverage[i]
		if o.Adjudication == nil {
			continue
		}
		for k := range o.Adjudication.Lines {
			la := &o.Adjudication.Lines[k]
			if la.Line != n {
				continue
			}
			w.Begin("SVD")
			w.Element(o.Payer.ID)
			w.Element(b.amount(la.Paid))
			proc, mods := la.Procedure, la.Modifiers
			if proc == "" {
				proc, mods = l.Procedure, l.Modifiers
			}
			if proc != "" {
				var parts [6]string
				parts[0], parts[1] = "HC", proc
				for m := 0; m < len(mods) && m < 4; m++ {
					parts[2+m] = mods[m]
				}
				k := 2 + min(len(mods), 4)
				w.Composite(parts[:k]...)
			} else {
				w.Element("")
			}
			if b.env.Kind == Institutional {
				w.Element(l.RevenueCode)
			} else {
				w.Element("")
			}
			w.Element(orDefault(la.Units, l.Units))
			w.End()
			b.cas(la.Adjustments)
			d := la.Date
			if d.IsZero() {
				d = o.Adjudication.Date
			}
			w.Segment("DTP", "573", "D8", b.dates(d, x12.Date{}))
		}
	}
}

// cas writes adjustments as CAS segments: one group code per segment, in
// the order the groups first appear, at most six reason/amount/quantity
// trios per segment (a group with more continues in another CAS).
// Adjustments of zero are left out.
func (b *Builder) cas(as []CAS) {
	var groups []string
	for _, a := range as {
		if a.Amount != 0 && !slices.Contains(groups, a.Group) {
			groups = append(groups, a.Group)
		}
	}
	for _, g := range groups {
		n := 0
		for _, a := range as {
			if a.Group != g || a.Amount == 0 {
				continue
			}
			if n == 6 {
				b.w.End()
				n = 0
			}
			if n == 0 {
				b.w.Begin("CAS")
				b.w.Element(g)
			}
			b.w.Element(a.Reason)
			b.w.Element(b.amount(a.Amount))
			b.w.Element(a.Quantity)
			n++
		}
		if n > 0 {
			b.w.End()
		}
	}
}

// otherCoverageStrings visits the string fields of the other coverages
// (see eachString).
func (w *fieldWalk) otherCoverage(c *Claim) {
	if !w.inst { // SBR05 is 837P only (2000B and 2320)
		w.v(fp("subscriber", "insurance_type"), 0, "2000B", "SBR05", c.Subscriber.InsuranceType)
	}
	for i := range c.OtherCoverage {
		o := &c.OtherCoverage[i]
		pre := "other_coverage[" + strconv.Itoa(i) + "]"
		w.v(fp(pre, "responsibility"), 0, "2320", "SBR01", o.Responsibility)
		w.v(fp(pre, "relationship"), 0, "2320", "SBR02", o.Relationship)
		w.v(fp(pre, "group_number"), 0, "2320", "SBR03", o.GroupNumber)
		w.v(fp(pre, "group_name"), 0, "2320", "SBR04", o.GroupName)
		if !w.inst {
			w.v(fp(pre, "insurance_type"), 0, "2320", "SBR05", o.InsuranceType)
		}
		w.v(fp(pre, "filing_indicator"), 0, "2320", "SBR09", o.FilingIndicator)
		w.person(pre+".subscriber", "2330A", &o.Subscriber.Person)
		w.v(fp(pre+".subscriber", "member_id"), 0, "2330A", "NM109", o.Subscriber.MemberID)
		w.v(fp(pre+".payer", "name"), 0, "2330B", "NM103", o.Payer.Name)
		w.v(fp(pre+".payer", "id"), 0, "2330B", "NM109", o.Payer.ID)
		w.address(fp(pre+".payer", "address"), "2330B", o.Payer.Address)
		a := o.Adjudication
		if a == nil {
			continue
		}
		w.v(fp(pre+".adjudication", "payer_claim_number"), 0, "2330B", "REF02", a.PayerClaimNumber)
		w.casStrings(pre+".adjudication.adjustments", 0, "2320", a.Adjustments)
		for k := range a.Lines {
			la := &a.Lines[k]
			lp := pre + ".adjudication.lines[" + strconv.Itoa(k) + "]"
			w.v(fp(lp, "procedure"), la.Line, "2430", "SVD03-2", la.Procedure)
			for m, mod := range la.Modifiers {
				w.v(fp(lp, "modifiers["+strconv.Itoa(m)+"]"), la.Line, "2430", "SVD03-"+strconv.Itoa(min(m, 3)+3), mod)
			}
			w.v(fp(lp, "units"), la.Line, "2430", "SVD05", la.Units)
			w.casStrings(lp+".adjustments", la.Line, "2430", la.Adjustments)
		}
	}
}

func (w *fieldWalk) casStrings(pre string, line int, loop string, as []CAS) {
	for j := range as {
		p := pre + "[" + strconv.Itoa(j) + "]"
		w.v(fp(p, "group"), line, loop, "CAS01", as[j].Group)
		w.v(fp(p, "reason"), line, loop, "CAS02", as[j].Reason)
		w.v(fp(p, "quantity"), line, loop, "CAS04", as[j].Quantity)
	}
}
