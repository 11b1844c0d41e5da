package x999

import (
	"fmt"
	"io"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Write writes a as one 999 transaction set (ST through SE) inside the
// functional group open on w; the caller writes ISA/GS and GE/IEA (or uses
// WriteInterchange). ST02 is a.SetControl and ST03 Guide. The AK9 counts
// are written as they are in a (see Tally). It returns the writer's first
// error.
func Write(w *x12.Writer, a *Ack) error {
	if err := w.BeginSet(x12.SetHeader{ID: "999", ControlNumber: a.SetControl, Convention: Guide}); err != nil {
		return err
	}
	w.Segment("AK1", a.FunctionalID, a.GroupControl, a.GroupVersion)
	for _, s := range a.Sets {
		w.Segment("AK2", s.SetID, s.Control, s.Convention)
		for _, se := range s.Segments {
			w.Segment("IK3", se.SegmentID, strconv.Itoa(se.Position), se.Loop, se.Code)
			for _, c := range se.Contexts {
				writeContext(w, c)
			}
			if bu := se.BusinessUnit; bu != nil {
				w.Begin("CTX")
				w.Composite(bu.Name, bu.Reference)
				w.End()
			}
			for _, e := range se.Elements {
				w.Begin("IK4")
				w.Composite(strconv.Itoa(e.Position), itoa0(e.Component), itoa0(e.Repetition))
				w.Element(e.Reference)
				w.Element(e.Code)
				w.Element(e.BadData)
				w.End()
				for _, c := range e.Contexts {
					writeContext(w, c)
				}
			}
		}
		els := append([]string{s.Status}, s.Errors...)
		w.Segment("IK5", els...)
	}
	els := []string{a.Status, strconv.Itoa(a.SetsIncluded), strconv.Itoa(a.SetsReceived), strconv.Itoa(a.SetsAccepted)}
	w.Segment("AK9", append(els, a.GroupErrors...)...)
	return w.EndSet()
}

func writeContext(w *x12.Writer, c Context) {
	w.Begin("CTX")
	w.Element(c.Name)
	w.Element(c.SegmentID)
	w.Element(itoa0(c.Position))
	w.Element(c.Loop)
	w.Composite(itoa0(c.Element), itoa0(c.Component), itoa0(c.Repetition))
	w.Element(c.Reference)
	w.End()
}

func itoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// WriteInterchange writes a whole 999 file: ISA, GS, one set per ack, GE
// and IEA, then flushes. GS01 defaults to "FA" and GS08 to Guide.
func WriteInterchange(out io.Writer, isa x12.InterchangeHeader, gs x12.GroupHeader, acks ...*Ack) error {
	if gs.FunctionalID == "" {
		gs.FunctionalID = "FA"
	}
	if gs.Version == "" {
		gs.Version = Guide
	}
	return x12.WriteFile(out, isa, gs, func(w *x12.Writer) error {
		for _, a := range acks {
			if err := Write(w, a); err != nil {
				return fmt.Errorf("x999: write set %s: %w", a.SetControl, err)
			}
		}
		return nil
	})
}
