package clearinghousesim

import (
	"io"
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x999"
)

// Version997 is GS08 of the 997s the simulator writes for a trading
// partner configured for them (Config.AckFormat "997"): the 4010 997
// that partners still on 4010 acknowledgment software send, in a 4010
// interchange (ISA12 00401, ISA11 U), whatever the 837's version.
const Version997 = "004010"

// write997 writes the 999 acknowledgments acks as a 4010 997 interchange:
// AK1, AK2 (without the 5010-only AK103 and AK203), AK3/AK4 (the 999's
// IK3/IK4 without their CTX), AK5 and AK9. Codes that only the 999 knows
// (I4, I5, I6, I10, I12 ...) become the nearest 997 code.
func write997(out io.Writer, isa x12.InterchangeHeader, gs x12.GroupHeader, acks []*x999.Ack) error {
	gs.FunctionalID, gs.Version = "FA", Version997
	isa.Version, isa.Delimiters.Repetition = "00401", 0
	return x12.WriteFile(out, isa, gs, func(w *x12.Writer) error {
		for _, a := range acks {
			if err := w.BeginSet(x12.SetHeader{ID: "997", ControlNumber: a.SetControl}); err != nil {
				return err
			}
			w.Segment("AK1", a.FunctionalID, a.GroupControl)
			for _, s := range a.Sets {
				w.Segment("AK2", s.SetID, s.Control)
				for _, se := range s.Segments {
					w.Segment("AK3", se.SegmentID, strconv.Itoa(se.Position), se.Loop, code997(se.Code, segCodes997))
					for _, e := range se.Elements {
						w.Begin("AK4")
						w.Composite(strconv.Itoa(e.Position), itoa0(e.Component), itoa0(e.Repetition))
						w.Element(e.Reference)
						w.Element(code997(e.Code, elemCodes997))
						w.Element(e.BadData)
						w.End()
					}
				}
				w.Segment("AK5", append([]string{s.Status}, codes997(s.Errors, setCodes997)...)...)
			}
			els := []string{a.Status, strconv.Itoa(a.SetsIncluded), strconv.Itoa(a.SetsReceived), strconv.Itoa(a.SetsAccepted)}
			w.Segment("AK9", append(els, codes997(a.GroupErrors, nil)...)...)
			if err := w.EndSet(); err != nil {
				return err
			}
		}
		return nil
	})
}

// The 999-only codes and their nearest 997 code, per element.
var (
	segCodes997  = map[string]string{"I4": "2", "I6": "2", "I7": "2", "I8": "2", "I9": "2"}
	elemCodes997 = map[string]string{"I6": "7", "I9": "1", "I10": "10", "I11": "12", "I12": "6", "I13": "10"}
	setCodes997  = map[string]string{"I5": "5", "I6": "5"}
)

func code997(c string, m map[string]string) string {
	if strings.HasPrefix(c, "I") {
		if v, ok := m[c]; ok {
			return v
		}
		return "8" // the generic "data element errors" / "segment has errors"
	}
	return c
}

func codes997(cs []string, m map[string]string) []string {
	var out []string
	for _, c := range cs {
		c = code997(c, m)
		if !strings.Contains(strings.Join(out, ","), c) {
			out = append(out, c)
		}
	}
	return out
}

func itoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
