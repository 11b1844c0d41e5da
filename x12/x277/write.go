package x277

import (
	"fmt"
	"io"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Write writes a as one 277CA transaction set (ST through SE) inside the
// functional group open on w; the caller writes ISA/GS and GE/IEA (or uses
// WriteInterchange). ST02 is a.SetControl and ST03 Guide. HL numbers are
// assigned in order. It returns the writer's first error.
func Write(w *x12.Writer, a *Acknowledgment) error {
	if err := w.BeginSet(x12.SetHeader{ID: "277", ControlNumber: a.SetControl, Convention: Guide}); err != nil {
		return err
	}
	w.Segment("BHT", "0085", "08", a.Reference, a.Date.X12(), a.Time, "TH")
	hl := 0
	next := func() string { hl++; return strconv.Itoa(hl) }
	for _, src := range a.Sources {
		srcHL := next()
		w.Segment("HL", srcHL, "", "20", "1")
		writeParty(w, src.Party)
		if src.Trace != "" {
			w.Segment("TRN", "1", src.Trace)
		}
		writeDate(w, "050", src.ReceiptDate, x12.Date{})
		writeDate(w, "009", src.ProcessDate, x12.Date{})
		for _, r := range src.Receivers {
			rHL := next()
			w.Segment("HL", rHL, srcHL, "21", child(len(r.Providers)))
			writeParty(w, r.Party)
			if r.Trace != "" {
				w.Segment("TRN", "2", r.Trace)
			}
			writeStatuses(w, r.Statuses)
			writeSummary(w, r.Summary, "90", "AA")
			for _, pr := range r.Providers {
				pHL := next()
				w.Segment("HL", pHL, rHL, "19", child(len(pr.Patients)))
				writeParty(w, pr.Party)
				if pr.Trace != "" {
					w.Segment("TRN", "1", pr.Trace)
				}
				writeStatuses(w, pr.Statuses)
				if pr.SecondaryID != nil {
					w.Segment("REF", pr.SecondaryID.Qualifier, pr.SecondaryID.Value)
				}
				writeSummary(w, pr.Summary, "QA", "QC")
				for _, pt := range pr.Patients {
					w.Segment("HL", next(), pHL, "PT")
					writeParty(w, pt.Party)
					for _, c := range pt.Claims {
						writeClaim(w, c)
					}
				}
			}
		}
	}
	return w.EndSet()
}

func child(n int) string {
	if n > 0 {
		return "1"
	}
	return "0"
}

func writeParty(w *x12.Writer, p Party) {
	w.Segment("NM1", p.Entity, p.EntityType, p.LastName, p.FirstName, p.MiddleName, "", p.Suffix, p.IDQualifier, p.ID)
}

func writeDate(w *x12.Writer, qual string, from, to x12.Date) {
	switch {
	case from.IsZero():
	case to.IsZero():
		w.Segment("DTP", qual, "D8", from.X12())
	default:
		w.Segment("DTP", qual, "RD8", from.X12()+"-"+to.X12())
	}
}

func writeStatuses(w *x12.Writer, sts []Status) {
	for _, s := range sts {
		w.Begin("STC")
		code := func(k int) {
			if k < len(s.Codes) {
				c := s.Codes[k]
				w.Composite(c.Category, c.Status, c.Entity)
			} else {
				w.Element("")
			}
		}
		code(0)
		w.Element(s.Date.X12())
		w.Element(s.Action)
		if s.Charge != nil {
			w.Element(s.Charge.X12())
		} else {
			w.Element("")
		}
		for i := 5; i <= 9; i++ {
			w.Element("")
		}
		code(1)
		code(2)
		w.Element(s.Message)
		w.End()
	}
}

func writeSummary(w *x12.Writer, s Summary, accQ, rejQ string) {
	if s.AcceptedCount != "" {
		w.Segment("QTY", accQ, s.AcceptedCount)
	}
	if s.RejectedCount != "" {
		w.Segment("QTY", rejQ, s.RejectedCount)
	}
	if s.AcceptedAmount != nil {
		w.Segment("AMT", "YU", s.AcceptedAmount.X12())
	}
	if s.RejectedAmount != nil {
		w.Segment("AMT", "YY", s.RejectedAmount.X12())
	}
}

func writeClaim(w *x12.Writer, c *Claim) {
	w.Segment("TRN", "2", c.PatientControlNumber)
	writeStatuses(w, c.Statuses)
	if c.PayerClaimNumber != "" {
		w.Segment("REF", "1K", c.PayerClaimNumber)
	}
	if c.ClearinghouseTrace != "" {
		w.Segment("REF", "D9", c.ClearinghouseTrace)
	}
	if c.BillType != "" {
		w.Segment("REF", "BLT", c.BillType)
	}
	writeDate(w, "472", c.ServiceFrom, c.ServiceTo)
	for _, l := range c.Lines {
		w.Begin("SVC")
		w.Composite(append([]string{l.Procedure.Qualifier, l.Procedure.Code}, l.Procedure.Modifiers...)...)
		w.Element(l.Charge.X12())
		w.Element("")
		w.Element(l.RevenueCode)
		w.Element("")
		w.Element("")
		w.Element(l.Units)
		w.End()
		writeStatuses(w, l.Statuses)
		if l.ControlNumber != "" {
			w.Segment("REF", "FJ", l.ControlNumber)
		}
		if l.Prescription != "" {
			w.Segment("REF", "XZ", l.Prescription)
		}
		writeDate(w, "472", l.ServiceFrom, l.ServiceTo)
	}
}

// WriteInterchange writes a whole 277CA file: ISA, GS, one set per
// acknowledgment, GE and IEA, then flushes. GS01 defaults to "HN" and GS08
// to Guide.
func WriteInterchange(out io.Writer, isa x12.InterchangeHeader, gs x12.GroupHeader, acks ...*Acknowledgment) error {
	if gs.FunctionalID == "" {
		gs.FunctionalID = "HN"
	}
	if gs.Version == "" {
		gs.Version = Guide
	}
	return x12.WriteFile(out, isa, gs, func(w *x12.Writer) error {
		for _, a := range acks {
			if err := Write(w, a); err != nil {
				return fmt.Errorf("x277: write set %s: %w", a.SetControl, err)
			}
		}
		return nil
	})
}
