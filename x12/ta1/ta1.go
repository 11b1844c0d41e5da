// Package ta1 reads and writes TA1 interchange acknowledgments: the
// receiver's verdict on the envelope (ISA/IEA) of an interchange it got,
// with a note code saying what was wrong. A TA1 says nothing about the
// claims inside; R means nothing in the interchange was processed.
package ta1

import (
	"errors"
	"fmt"
	"io"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/internal/setread"
)

// ErrNoTransaction is returned by Read when the input holds no TA1
// segment.
var ErrNoTransaction = x12.NoTransaction("TA1 segment")

// Ack is one TA1 segment.
type Ack struct {
	// Envelope of the interchange that carries the TA1.
	ISA13      string `json:"isa13,omitempty"`
	SenderID   string `json:"sender_id,omitempty"`
	ReceiverID string `json:"receiver_id,omitempty"`
	Segment    int    `json:"segment,omitempty"` // position of the TA1 in the file

	// ControlNumber is TA101, the ISA13 of the acknowledged interchange.
	ControlNumber string `json:"control_number"`
	Date          string `json:"date"` // TA102, its ISA09 (YYMMDD) as sent
	Time          string `json:"time"` // TA103, its ISA10 (HHMM)
	Code          string `json:"code"` // TA104: A accepted, E accepted with errors, R rejected
	Note          string `json:"note"` // TA105 interchange note code, e.g. "000", "008"
}

// Accepted reports whether the interchange was accepted (TA104 A, or E:
// accepted with errors). Any other code is not acceptance.
func (a *Ack) Accepted() bool { return a.Code == "A" || a.Code == "E" }

// Rejected reports whether the interchange was rejected (TA104 R).
func (a *Ack) Rejected() bool { return a.Code == "R" }

// Read returns every TA1 segment of r, wherever it stands in the
// interchange (outside functional groups). It returns ErrNoTransaction when there
// is none. A TA1 without its required TA101 or TA104, and envelope
// problems other than count and control-number mismatches, are returned
// joined, each an *x12.Error with its position, with the acks that could
// be read. A fatal error (not X12, broken ISA) stops reading.
func Read(r io.Reader) ([]*Ack, error) {
	rd := x12.NewReader(r)
	rd.Mode = x12.CollectAll
	var out []*Ack
	var errs []error
	loop := setread.Loop{
		Reader: rd,
		Segment: func(seg *x12.Segment) {
			if seg.ID() != "TA1" {
				return
			}
			isa := rd.Interchange()
			out = append(out, &Ack{ISA13: isa.ControlNumber, SenderID: isa.SenderID, ReceiverID: isa.ReceiverID,
				Segment: rd.Position().Segment, ControlNumber: seg.String(1), Date: seg.String(2), Time: seg.String(3),
				Code: seg.String(4), Note: seg.String(5)})
			for _, req := range []struct {
				el   int
				name string
			}{{1, "TA101 interchange control number"}, {4, "TA104 acknowledgment code"}} {
				if !seg.Has(req.el) {
					pos := rd.Position()
					pos.Element = req.el
					errs = x12.AppendCapped(errs, error(&x12.Error{Pos: pos, Err: fmt.Errorf("%s is missing: %w", req.name, x12.ErrBadValue)}), errMore)
				}
			}
		},
		End:  func() {},
		Warn: func(error) bool { return true }, // a count or control-number mismatch leaves the TA1 intact
		More: errMore,
	}
	err := loop.Read(&errs, func() bool { return len(out) > 0 }, ErrNoTransaction)
	return out, err
}

var errMore = errors.New("ta1: more problems follow; not listed")

// Write writes a as a TA1 segment. Call it on w after BeginInterchange
// and before any BeginGroup (or use WriteInterchange).
func Write(w *x12.Writer, a *Ack) error {
	return w.Segment("TA1", a.ControlNumber, a.Date, a.Time, a.Code, a.Note)
}

// WriteInterchange writes a whole TA1 file: ISA, the TA1 segments and an
// IEA with no functional groups, then flushes.
func WriteInterchange(out io.Writer, isa x12.InterchangeHeader, acks ...*Ack) error {
	w := x12.NewWriter(out)
	w.BeginInterchange(isa)
	for _, a := range acks {
		if err := Write(w, a); err != nil {
			return fmt.Errorf("ta1: write: %w", err)
		}
	}
	w.EndInterchange()
	return w.Flush()
}
