package x835

import (
	"fmt"
	"io"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Write writes r as one 835 transaction set (ST through SE) inside the
// functional group open on w; the caller writes ISA/GS and GE/IEA (or uses
// WriteInterchange). ST02 is r.SetControl. Claims go in LX loops by their
// HeaderNumber (a claim with none goes in LX 1); CAS triples of the same
// group are packed six to a segment and PLB pairs of the same provider
// and date six to a segment. Envelope fields, Warnings and segment
// positions of r are not written. It returns the writer's first error,
// such as a delimiter character in a value.
func Write(w *x12.Writer, r *Remittance) error {
	sw, err := NewSetWriter(w, r)
	if err != nil {
		return err
	}
	for _, c := range r.Claims {
		if err := sw.Claim(c); err != nil {
			return err
		}
	}
	return sw.End()
}

// SetWriter writes one 835 transaction set claim by claim, the way Parser
// reads one, so that a set of any size is written holding one claim at
// a time: NewSetWriter writes the header (ST, BPR, TRN, ..., the payer
// and payee loops), Claim writes each claim payment, and End writes the
// PLB adjustments and SE. The output is Write's for the same remittance
// with those claims.
type SetWriter struct {
	w  *x12.Writer
	r  *Remittance
	lx int // the open LX loop's number; -1 before the first
}

// NewSetWriter starts the transaction set of r on w, inside the open
// functional group, and writes its header. r.Claims is not written: pass
// the claims to Claim. BPR02 is written as r.Payment.Amount, so it must
// be known before the claims are.
func NewSetWriter(w *x12.Writer, r *Remittance) (*SetWriter, error) {
	if err := w.BeginSet(x12.SetHeader{ID: "835", ControlNumber: r.SetControl}); err != nil {
		return nil, err
	}
	pay := r.Payment
	bpr := []string{pay.Handling, pay.Amount.X12(), pay.CreditDebit, pay.Method, pay.Format}
	if b := pay.Bank; b != nil {
		bpr = append(bpr, b.SenderDFIQualifier, b.SenderDFI, b.SenderAccountQualifier, b.SenderAccount, b.PayerID,
			b.PayerSupplemental, b.ReceiverDFIQualifier, b.ReceiverDFI, b.ReceiverAccountQualifier, b.ReceiverAccount)
	} else {
		bpr = append(bpr, make([]string, 10)...)
	}
	bpr = append(bpr, pay.Date.X12())
	w.Segment("BPR", bpr...)
	w.Segment("TRN", pay.TraceType, pay.Trace, pay.OriginatorID, pay.OriginatorSupplemental)
	if r.Currency != "" {
		w.Segment("CUR", "PR", r.Currency)
	}
	for _, ref := range r.Refs {
		w.Segment("REF", ref.Qualifier, ref.Value)
	}
	if !r.ProductionDate.IsZero() {
		w.Segment("DTM", "405", r.ProductionDate.X12())
	}
	writeParty(w, "PR", &r.Payer)
	writeParty(w, "PE", &r.Payee)
	return &SetWriter{w: w, r: r, lx: -1}, w.Error()
}

// Claim writes one claim payment, opening its LX loop (with the TS3
// summary r.Summaries has for it) when its HeaderNumber differs from the
// claim before's.
func (s *SetWriter) Claim(c *Claim) error {
	w := s.w
	n := c.HeaderNumber
	if n == 0 {
		n = 1
	}
	if n != s.lx {
		s.lx = n
		w.Segment("LX", strconv.Itoa(n))
		for _, ts := range s.r.Summaries {
			if ts.HeaderNumber == n {
				w.Segment("TS3", ts.ProviderID, ts.FacilityType, ts.FiscalDate.X12(), ts.ClaimCount, ts.TotalCharge.X12())
			}
		}
	}
	writeClaim(w, c)
	return w.Error()
}

// End writes the remittance's PLB adjustments and closes the set.
func (s *SetWriter) End() error {
	writePLB(s.w, s.r.ProviderAdjustments)
	return s.w.EndSet()
}

// WriteInterchange writes a whole 835 file: ISA, GS, one set per
// remittance, GE and IEA, then flushes. GS01 defaults to "HP" and GS08 to
// Guide.
func WriteInterchange(out io.Writer, isa x12.InterchangeHeader, gs x12.GroupHeader, rems ...*Remittance) error {
	if gs.FunctionalID == "" {
		gs.FunctionalID = "HP"
	}
	if gs.Version == "" {
		gs.Version = Guide
	}
	return x12.WriteFile(out, isa, gs, func(w *x12.Writer) error {
		for _, r := range rems {
			if err := Write(w, r); err != nil {
				return fmt.Errorf("x835: write set %s: %w", r.SetControl, err)
			}
		}
		return nil
	})
}

func writeParty(w *x12.Writer, entity string, p *Party) {
	w.Segment("N1", entity, p.Name, p.IDQualifier, p.ID)
	if a := p.Address; a != nil {
		if a.Line1 != "" || a.Line2 != "" {
			w.Segment("N3", a.Line1, a.Line2)
		}
		if a.City != "" || a.State != "" || a.ZIP != "" {
			w.Segment("N4", a.City, a.State, a.ZIP)
		}
	}
	for _, ref := range p.Refs {
		w.Segment("REF", ref.Qualifier, ref.Value)
	}
	for _, c := range p.Contacts {
		writeContact(w, c)
	}
}

func writeContact(w *x12.Writer, c Contact) {
	els := []string{c.Function, c.Name}
	for _, n := range c.Numbers {
		els = append(els, n.Qualifier, n.Value)
	}
	w.Segment("PER", els...)
}

func writeClaim(w *x12.Writer, c *Claim) {
	var resp string
	if c.PatientResponsibility != 0 {
		resp = c.PatientResponsibility.X12()
	}
	w.Segment("CLP", c.PatientControlNumber, c.Status, c.Charge.X12(), c.Paid.X12(), resp, c.FilingIndicator,
		c.PayerClaimNumber, c.FacilityType, c.Frequency, "", c.DRG, c.DRGWeight, c.DischargeFraction)
	writeCAS(w, c.Adjustments)
	for _, n := range c.Names {
		w.Segment("NM1", n.Entity, n.EntityType, n.LastName, n.FirstName, n.MiddleName, "", n.Suffix, n.IDQualifier, n.ID)
	}
	if in := c.Inpatient; in != nil || len(c.InpatientRemarks) > 0 {
		if in == nil {
			in = &Inpatient{CoveredDays: "0"}
		}
		els := make([]string, 24)
		els[0], els[2], els[14] = in.CoveredDays, in.LifetimePsychiatricDays, in.CostReportDays
		placeAmounts(els, "MIA", in.Amounts)
		placeRemarks(els, c.InpatientRemarks, 5, 20, 21, 22, 23)
		w.Segment("MIA", els...)
	}
	if out := c.Outpatient; out != nil || len(c.OutpatientRemarks) > 0 {
		if out == nil {
			out = &Outpatient{}
		}
		els := make([]string, 9)
		els[0] = out.ReimbursementRate
		placeAmounts(els, "MOA", out.Amounts)
		placeRemarks(els, c.OutpatientRemarks, 3, 4, 5, 6, 7)
		w.Segment("MOA", els...)
	}
	for _, ref := range c.Refs {
		w.Segment("REF", ref.Qualifier, ref.Value)
	}
	writeDate(w, "232", c.StatementFrom)
	writeDate(w, "233", c.StatementTo)
	writeDate(w, "036", c.CoverageExpiration)
	writeDate(w, "050", c.ReceivedDate)
	for _, p := range c.Contacts {
		writeContact(w, p)
	}
	for _, a := range c.Amounts {
		w.Segment("AMT", a.Qualifier, a.Amount.X12())
	}
	for _, q := range c.Quantities {
		w.Segment("QTY", q.Qualifier, q.Quantity)
	}
	for _, l := range c.Lines {
		writeLine(w, l)
	}
}

// placeAmounts puts amounts qualified by element name ("MIA04") at their
// positions in els (els[0] is element 1).
func placeAmounts(els []string, seg string, as []Amount) {
	for _, a := range as {
		if len(a.Qualifier) != len(seg)+2 || a.Qualifier[:len(seg)] != seg {
			continue
		}
		i, err := strconv.Atoi(a.Qualifier[len(seg):])
		if err == nil && i >= 1 && i <= len(els) && els[i-1] == "" {
			els[i-1] = a.Amount.X12()
		}
	}
}

func placeRemarks(els, remarks []string, positions ...int) {
	for k, r := range remarks {
		if k < len(positions) {
			els[positions[k]-1] = r
		}
	}
}

func writeDate(w *x12.Writer, qual string, d x12.Date) {
	if !d.IsZero() {
		w.Segment("DTM", qual, d.X12())
	}
}

func writeLine(w *x12.Writer, l *Line) {
	w.Begin("SVC")
	writeProcedure(w, l.Procedure)
	w.Element(l.Charge.X12())
	w.Element(l.Paid.X12())
	w.Element(l.RevenueCode)
	w.Element(l.Units)
	if l.Original != nil {
		writeProcedure(w, *l.Original)
	} else {
		w.Element("")
	}
	w.Element(l.OriginalUnits)
	w.End()
	if !l.ServiceDateEnd.IsZero() {
		writeDate(w, "150", l.ServiceDate)
		writeDate(w, "151", l.ServiceDateEnd)
	} else {
		writeDate(w, "472", l.ServiceDate)
	}
	writeCAS(w, l.Adjustments)
	for _, ref := range l.Refs {
		w.Segment("REF", ref.Qualifier, ref.Value)
	}
	if l.ControlNumber != "" {
		w.Segment("REF", "6R", l.ControlNumber)
	}
	if l.Allowed != nil {
		w.Segment("AMT", "B6", l.Allowed.X12())
	}
	for _, a := range l.Amounts {
		w.Segment("AMT", a.Qualifier, a.Amount.X12())
	}
	for _, q := range l.Quantities {
		w.Segment("QTY", q.Qualifier, q.Quantity)
	}
	for _, r := range l.Remarks {
		w.Segment("LQ", "HE", r)
	}
	for _, r := range l.RxRemarks {
		w.Segment("LQ", "RX", r)
	}
}

func writeProcedure(w *x12.Writer, p Procedure) {
	parts := []string{p.Qualifier, p.Code}
	parts = append(parts, p.Modifiers...)
	if p.Description != "" {
		for len(parts) < 6 {
			parts = append(parts, "")
		}
		parts = append(parts, p.Description)
	}
	w.Composite(parts...)
}

// writeCAS packs consecutive adjustments of the same group, up to six
// per CAS segment.
func writeCAS(w *x12.Writer, as []Adjustment) {
	for i := 0; i < len(as); {
		g := as[i].Group
		els := []string{g}
		n := 0
		for i < len(as) && as[i].Group == g && n < 6 {
			els = append(els, as[i].Reason, as[i].Amount.X12(), as[i].Quantity)
			i++
			n++
		}
		w.Segment("CAS", els...)
	}
}

// writePLB packs consecutive adjustments of the same provider and date,
// up to six per PLB segment.
func writePLB(w *x12.Writer, as []ProviderAdjustment) {
	for i := 0; i < len(as); {
		id, date := as[i].ProviderID, as[i].FiscalDate
		w.Begin("PLB")
		w.Element(id)
		w.Element(date.X12())
		n := 0
		for i < len(as) && as[i].ProviderID == id && as[i].FiscalDate == date && n < 6 {
			w.Composite(as[i].Reason, as[i].Reference)
			w.Element(as[i].Amount.X12())
			i++
			n++
		}
		w.End()
	}
}
