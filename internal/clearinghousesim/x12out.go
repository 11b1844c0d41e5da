package clearinghousesim

// This file turns a decision into X12, the thin last step: it maps the
// decision onto the models of x12/ta1, x12/x999, x12/x277 and x12/x835
// and lets their writers write them.

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x999"
)

// rendered is one response file's content and the kind that names it.
type rendered struct {
	kind  string // "TA1", "999", "277CA" or "835"
	payer string // payer ID, for an 835
	isa13 string // the response's own ISA13, nine digits
	data  []byte
}

// render writes the decision's acknowledgments, in the order they are to
// be written: TA1, 999 (or 997), 277CA. The 835s come later (see
// Responder.issuePayments). It fails only when
// a value cannot be written (which the simulator's cleaning of echoed
// values prevents) or a writer fails.
func render(cfg *Config, d *decision, at func(kind string) time.Time) ([]rendered, error) {
	var out []rendered
	if d.ta1 != nil {
		now := at("TA1")
		var buf bytes.Buffer
		if err := ta1.WriteInterchange(&buf, interchangeHeader(cfg, d.ta1.env, now), ta1Acks(d.ta1)...); err != nil {
			return nil, fmt.Errorf("write TA1: %w", err)
		}
		out = append(out, rendered{kind: "TA1", isa13: ctl9(d.ta1.env.control), data: buf.Bytes()})
	}
	if d.ack != nil {
		kind := "999"
		if cfg.AckFormat == "997" {
			kind = "997"
		}
		now := at(kind)
		var buf bytes.Buffer
		isa, gs := interchangeHeader(cfg, d.ack.env, now), groupHeader(cfg, d.ack.env, now, "FA", x999.Guide)
		var err error
		if kind == "997" {
			err = write997(&buf, isa, gs, acks999(d.ack))
		} else {
			err = x999.WriteInterchange(&buf, isa, gs, acks999(d.ack)...)
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", kind, err)
		}
		out = append(out, rendered{kind: kind, isa13: ctl9(d.ack.env.control), data: buf.Bytes()})
	}
	if d.claimAcks != nil {
		now := at("277CA")
		var buf bytes.Buffer
		isa, gs := interchangeHeader(cfg, d.claimAcks.env, now), groupHeader(cfg, d.claimAcks.env, now, "HN", x277.Guide)
		if err := x277.WriteInterchange(&buf, isa, gs, acks277(cfg, d.claimAcks, now)...); err != nil {
			return nil, fmt.Errorf("write 277CA: %w", err)
		}
		out = append(out, rendered{kind: "277CA", isa13: ctl9(d.claimAcks.env.control), data: buf.Bytes()})
	}
	return out, nil
}

// render835 writes one payer's 835 interchange: a transaction set per
// payment.
func render835(cfg *Config, pf *payerFile, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	isa := interchangeHeader(cfg, pf.env, now)
	gs := groupHeader(cfg, pf.env, now, "HP", x835.Guide)
	gs.SenderCode = pf.payer.ID
	if err := x835.WriteInterchange(&buf, isa, gs, pf.rems...); err != nil {
		return nil, fmt.Errorf("write 835 for payer %s: %w", pf.payer.ID, err)
	}
	return buf.Bytes(), nil
}

func ctl9(n int) string { return fmt.Sprintf("%09d", n) }

// interchangeHeader addresses a response from the simulator (ZZ + ID) to
// the sender of the 837 interchange it answers, in the same usage (P/T).
func interchangeHeader(cfg *Config, e envelope, now time.Time) x12.InterchangeHeader {
	h := x12.InterchangeHeader{
		SenderQualifier: "ZZ", SenderID: cfg.ID,
		ReceiverQualifier: e.to.SenderQualifier, ReceiverID: idValue(e.to.SenderID),
		Date: now.Format("060102"), Time: now.Format("1504"), Version: "00501",
		ControlNumber: ctl9(e.control), AckRequested: "0", Usage: e.to.Usage,
		Delimiters: x12.Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'},
	}
	if len(h.ReceiverQualifier) != 2 || !plainText(h.ReceiverQualifier) {
		h.ReceiverQualifier = "ZZ"
	}
	if h.Usage != "T" {
		h.Usage = "P"
	}
	return h
}

func groupHeader(cfg *Config, e envelope, now time.Time, fid, version string) x12.GroupHeader {
	return x12.GroupHeader{
		FunctionalID: fid, SenderCode: cfg.ID, ReceiverCode: idValue(e.toApp),
		Date: now.Format("20060102"), Time: now.Format("1504"), ControlNumber: strconv.Itoa(e.control),
		Agency: "X", Version: version,
	}
}

// idValue makes an ID read from an 837 envelope writable in ours: at most
// 15 characters, no delimiters, "UNKNOWN" when nothing is left.
func idValue(s string) string {
	s = clean([]byte(s))
	if len(s) > 15 {
		s = s[:15]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	if s == "" {
		return "UNKNOWN"
	}
	return s
}

// ta1Acks is the TA1 model of the decision.
func ta1Acks(f *ta1File) []*ta1.Ack {
	var out []*ta1.Ack
	for _, a := range f.acks {
		out = append(out, &ta1.Ack{ControlNumber: a.isa13, Date: a.date, Time: a.time, Code: a.code, Note: a.note})
	}
	return out
}

// acks999 is the 999 model of the decision: one transaction set per
// functional group acknowledged.
func acks999(f *ackFile) []*x999.Ack {
	var out []*x999.Ack
	for i, g := range f.groups {
		a := &x999.Ack{
			SetControl:   fmt.Sprintf("%04d", i+1),
			FunctionalID: clean([]byte(g.gs.FunctionalID)), GroupControl: clean([]byte(g.gs.ControlNumber)),
			GroupVersion: clean([]byte(g.gs.Version)),
			Status:       g.code, SetsIncluded: g.declared, SetsReceived: g.received, SetsAccepted: g.accepted,
			GroupErrors: g.codes,
		}
		for _, s := range g.sets {
			sr := &x999.SetResponse{SetID: clean([]byte(s.st.ID)), Control: clean([]byte(s.st.ControlNumber)),
				Convention: clean([]byte(s.st.Convention)), Status: s.code, Errors: s.codes}
			for _, e := range s.errs {
				se := x999.SegmentError{SegmentID: e.id, Position: e.pos, Loop: e.loop, Code: e.code}
				if e.pcn != "" {
					se.BusinessUnit = &x999.BusinessUnit{Name: "CLM01", Reference: e.pcn}
				}
				for _, el := range e.elems {
					se.Elements = append(se.Elements, x999.ElementError{Position: el.pos, Component: el.comp,
						Reference: el.ref, Code: el.code, BadData: truncate(el.data, 99)})
				}
				sr.Segments = append(sr.Segments, se)
			}
			a.Sets = append(a.Sets, sr)
		}
		out = append(out, a)
	}
	return out
}

// acks277 is the 277CA model of the decision: one transaction set per
// accepted 837 set, with the simulator as information source (NM1*AY),
// the submitter as receiver, a provider loop per billing provider and a
// patient loop per claim.
func acks277(cfg *Config, f *claimFile, now time.Time) []*x277.Acknowledgment {
	today := x12.DateOf(now)
	var out []*x277.Acknowledgment
	for i, s := range f.sets {
		ctl := fmt.Sprintf("%04d", i+1)
		var all counts
		for _, p := range s.providers {
			all.add(p.claims)
		}
		rcv := s.receiver
		r := &x277.Receiver{
			Party: x277.Party{Entity: "41", EntityType: entityType(rcv), LastName: rcv.LastName, FirstName: personFirst(rcv),
				IDQualifier: "46", ID: nonEmpty(rcv.ID, "UNKNOWN")},
			Trace:    nonEmpty(s.batch, "0"),
			Statuses: []x277.Status{stc(statusBatchReceived, today, "WQ", all.total())},
			Summary:  all.summary(),
		}
		for _, p := range s.providers {
			var pc counts
			pc.add(p.claims)
			b := p.billing
			pr := &x277.Provider{
				Party: x277.Party{Entity: "85", EntityType: entityType(b), LastName: b.LastName, FirstName: personFirst(b),
					IDQualifier: "XX", ID: nonEmpty(b.ID, "UNKNOWN")},
				Trace: nonEmpty(b.ID, "0"),
				// STC02 is not used at the provider level (2200C).
				Statuses: []x277.Status{stc(status{category: "A1", code: "19", entity: "85"}, x12.Date{}, "WQ", pc.total())},
				Summary:  pc.summary(),
			}
			for _, ca := range p.claims {
				pr.Patients = append(pr.Patients, patientAck(ca, today))
			}
			r.Providers = append(r.Providers, pr)
		}
		out = append(out, &x277.Acknowledgment{
			SetControl: ctl, Reference: ctl9(f.env.control) + ctl, Date: today, Time: now.Format("1504"),
			Sources: []*x277.Source{{
				Party:       x277.Party{Entity: "AY", EntityType: "2", LastName: cfg.Name, IDQualifier: "46", ID: cfg.ID},
				Trace:       ctl9(f.env.control) + ctl,
				ReceiptDate: today, ProcessDate: today,
				Receivers: []*x277.Receiver{r},
			}},
		})
	}
	return out
}

// patientAck is the 2000D loop of one claim: the patient (NM1*QC with the
// member ID) and the claim's status, with its rejected lines.
func patientAck(ca claimAck, today x12.Date) *x277.Patient {
	c := ca.claim
	pt := c.Subscriber
	if c.Patient != nil {
		pt = *c.Patient
	}
	qual := c.subscriberQual
	if qual != "II" {
		qual = "MI"
	}
	action := "U"
	if ca.status.accepted() {
		action = "WQ"
	}
	cl := &x277.Claim{
		PatientControlNumber: nonEmpty(c.PCN, "0"),
		Statuses:             []x277.Status{stc(ca.status, today, action, c.Charge)},
		PayerClaimNumber:     ca.icn,
		ClearinghouseTrace:   c.CHTrace,
	}
	if c.Institutional && c.FacilityCode != "" && c.Frequency != "" {
		cl.BillType = c.FacilityCode + c.Frequency
	}
	cl.ServiceFrom, cl.ServiceTo = c.serviceDates()
	if cl.ServiceTo == cl.ServiceFrom {
		cl.ServiceTo = x12.Date{}
	}
	for _, la := range ca.rejected {
		l := la.line
		p := svcProcedure(l)
		ln := &x277.Line{
			Procedure: x277.Procedure{Qualifier: p.Qualifier, Code: p.Code, Modifiers: p.Modifiers},
			Charge:    l.Charge, Units: l.Units.String(),
			Statuses:      []x277.Status{stc(la.status, today, "U", -1)},
			ControlNumber: l.ControlNumber, ServiceFrom: l.From, ServiceTo: l.To,
		}
		if l.Qualifier != "" {
			ln.RevenueCode = l.RevenueCode
		}
		cl.Lines = append(cl.Lines, ln)
	}
	return &x277.Patient{
		Party: x277.Party{Entity: "QC", EntityType: "1", LastName: nonEmpty(pt.LastName, "UNKNOWN"), FirstName: pt.FirstName,
			IDQualifier: qual, ID: nonEmpty(c.Subscriber.ID, "UNKNOWN")},
		Claims: []*x277.Claim{cl},
	}
}

// stc is one STC with a single status composite. A negative charge means
// none (STC04 is not used at line level).
func stc(st status, date x12.Date, action string, charge x12.Amount) x277.Status {
	s := x277.Status{Codes: []x277.StatusCode{{Category: st.category, Status: st.code, Entity: st.entity}}, Date: date, Action: action}
	if d := st.detail; d != nil {
		s.Codes = append(s.Codes, x277.StatusCode{Category: d.category, Status: d.code, Entity: d.entity})
	}
	if charge >= 0 {
		s.Charge = &charge
	}
	return s
}

// counts are the 277CA accepted/rejected quantities and amounts.
type counts struct {
	accepted, rejected int
	acceptedAmt        x12.Amount
	rejectedAmt        x12.Amount
}

func (c *counts) add(cs []claimAck) {
	for _, ca := range cs {
		if ca.status.accepted() {
			c.accepted++
			c.acceptedAmt += ca.claim.Charge
		} else {
			c.rejected++
			c.rejectedAmt += ca.claim.Charge
		}
	}
}

func (c *counts) total() x12.Amount { return c.acceptedAmt + c.rejectedAmt }

// summary returns the QTY/AMT figures, leaving out the zero ones.
func (c *counts) summary() x277.Summary {
	var s x277.Summary
	if c.accepted > 0 {
		a := c.acceptedAmt
		s.AcceptedCount, s.AcceptedAmount = strconv.Itoa(c.accepted), &a
	}
	if c.rejected > 0 {
		r := c.rejectedAmt
		s.RejectedCount, s.RejectedAmount = strconv.Itoa(c.rejected), &r
	}
	return s
}

func entityType(p Party) string {
	if p.Person {
		return "1"
	}
	return "2"
}

func personFirst(p Party) string {
	if p.Person {
		return p.FirstName
	}
	return ""
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
