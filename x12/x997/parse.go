package x997

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/internal/setread"
)

// ErrNoTransaction is returned by Read when the input holds no 997
// transaction set at all.
var ErrNoTransaction = x12.NoTransaction("997 transaction set")

// ErrStructure is x12.ErrStructure, the cause of every error about the
// order of the set.
var ErrStructure = x12.ErrStructure

// Read reads every 997 transaction set of r. Sets of other types are
// skipped; ErrNoTransaction is returned when there is none. Segments the 997 does
// not have, and codes that are not on their list, are kept or skipped
// with a warning. Structural problems (an AK5 before any AK2, a missing
// AK1 or AK9, a position that is not a number) and a broken envelope are
// returned joined, each an *x12.Error with its position, together with the
// acks that could be read; such acks must not be applied automatically. A
// fatal error (not X12, broken ISA) stops reading.
func Read(r io.Reader) ([]*Ack, error) {
	p := &parser{rd: x12.NewReader(r)}
	p.rd.Mode = x12.CollectAll
	loop := setread.Loop{Reader: p.rd, Segment: p.segment, End: p.end, Warn: p.envelopeWarning, More: errMore}
	err := loop.Read(&p.errs, func() bool { return len(p.out) > 0 }, ErrNoTransaction)
	return p.out, err
}

type parser struct {
	rd   *x12.Reader
	out  []*Ack
	errs []error

	ack   *Ack // current 997, nil outside one
	last  *Ack
	set   *SetResponse
	seg   *SegmentError
	ak1   bool
	ak9   bool
	after bool // AK9 read: only SE may follow
}

// envelopeWarning files an envelope warning of the reader on the ack
// being read (or the last one).
func (p *parser) envelopeWarning(e error) bool {
	a := p.current()
	if a == nil {
		return false
	}
	a.Warnings = x12.AppendWarning(a.Warnings, x12.WarningOf(e))
	return true
}

func (p *parser) current() *Ack {
	if p.ack != nil {
		return p.ack
	}
	return p.last
}

func (p *parser) fail(el int, err error) {
	pos := p.rd.Position()
	pos.Element = el
	p.errs = x12.AppendCapped[error](p.errs, &x12.Error{Pos: pos, Err: err}, errMore)
}

func (p *parser) warn(msg string) {
	pos := p.rd.Position()
	p.ack.Warnings = x12.AppendWarning(p.ack.Warnings, Warning{Segment: pos.SetSegment, SegmentID: pos.SegmentID, Message: msg})
}

// code warns when a code sent in element name is not on list l.
func (p *parser) code(l codes.List, name, code string) {
	if code == "" {
		return
	}
	if _, ok := codes.Lookup(l, code); !ok {
		p.warn(fmt.Sprintf("%s %q is not a %s code; kept as sent", name, code, l))
	}
}

func (p *parser) misplaced(s *x12.Segment, where string) {
	p.fail(0, fmt.Errorf("%s is not allowed %s: %w", s.ID(), where, ErrStructure))
}

// num parses a required or optional number element.
func (p *parser) num(s *x12.Segment, el int, b []byte, required bool) int {
	if len(b) == 0 {
		if required {
			p.fail(el, fmt.Errorf("%s%02d is missing: %w", s.ID(), el, ErrStructure))
		}
		return 0
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > 1e8 {
			p.fail(el, fmt.Errorf("%s%02d %q is not a number: %w", s.ID(), el, b, ErrStructure))
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func (p *parser) begin() {
	isa, gs, st := p.rd.Interchange(), p.rd.Group(), p.rd.Set()
	p.ack = &Ack{ISA13: isa.ControlNumber, GS06: gs.ControlNumber, SetControl: st.ControlNumber,
		SenderID: isa.SenderID, ReceiverID: isa.ReceiverID, Version: x12.Guide(gs, st)}
	p.last = p.ack
	p.set, p.seg = nil, nil
	p.ak1, p.ak9, p.after = false, false, false
	if v := p.ack.Version; !strings.HasPrefix(v, Version) && !strings.HasPrefix(v, "005010") {
		p.warn(fmt.Sprintf("version %q is not %s; read as %s", v, Version, Version))
	}
}

// end closes the current 997, at its SE or wherever it stops.
func (p *parser) end() {
	a := p.ack
	if a == nil {
		return
	}
	p.closeSet()
	if !p.ak1 {
		p.fail(0, fmt.Errorf("997 set %s has no AK1: %w", a.SetControl, ErrStructure))
	}
	if !p.ak9 {
		p.fail(0, fmt.Errorf("997 set %s has no AK9: %w", a.SetControl, ErrStructure))
	}
	p.out = append(p.out, a)
	p.ack = nil
}

// closeSet checks that the open AK2 loop got its AK5.
func (p *parser) closeSet() {
	if p.set != nil && p.set.Status == "" {
		p.fail(0, fmt.Errorf("AK2 loop for set %s has no AK5: %w", p.set.Control, ErrStructure))
	}
	p.set, p.seg = nil, nil
}

func (p *parser) segment(s *x12.Segment) {
	id := s.ID()
	switch id {
	case "ST":
		p.end()
		if s.String(1) == "997" {
			p.begin()
		}
		return
	case "SE", "GE", "IEA", "ISA", "GS":
		p.end()
		return
	}
	a := p.ack
	if a == nil {
		return // a segment of another set type, or a TA1
	}
	if p.after {
		p.misplaced(s, "after AK9")
		return
	}
	switch id {
	case "AK1":
		if p.ak1 {
			p.misplaced(s, "twice")
			return
		}
		p.ak1 = true
		a.FunctionalID, a.GroupControl, a.GroupVersion = s.String(1), s.String(2), s.String(3)
		if a.GroupControl == "" {
			p.fail(2, fmt.Errorf("AK102 is missing: %w", ErrStructure))
		}
	case "AK2":
		if !p.ak1 {
			p.misplaced(s, "before AK1")
		}
		p.closeSet()
		p.set = &SetResponse{Segment: p.rd.Position().SetSegment, SetID: s.String(1), Control: s.String(2), Convention: s.String(3)}
		a.Sets = append(a.Sets, p.set)
	case "AK3":
		if p.set == nil || p.set.Status != "" {
			p.misplaced(s, "outside an AK2 loop")
			return
		}
		p.set.Segments = append(p.set.Segments, SegmentError{SegmentID: s.String(1),
			Position: p.num(s, 2, s.Element(2), true), Loop: s.String(3), Code: s.String(4)})
		p.seg = &p.set.Segments[len(p.set.Segments)-1]
		p.code(codes.SegmentSyntaxError, "AK304", p.seg.Code)
	case "AK4":
		if p.seg == nil {
			p.misplaced(s, "outside an AK3 loop")
			return
		}
		e := ElementError{
			Position:   p.num(s, 1, s.Component(1, 1), true),
			Component:  p.num(s, 1, s.Component(1, 2), false),
			Repetition: p.num(s, 1, s.Component(1, 3), false),
			Reference:  s.String(2), Code: s.String(3), BadData: s.String(4),
		}
		if strings.Trim(e.Reference, "0123456789") != "" {
			p.warn(fmt.Sprintf("AK402 %q is not a data element reference number; kept as sent", e.Reference))
		}
		p.seg.Elements = append(p.seg.Elements, e)
		p.code(codes.ElementSyntaxError, "AK403", e.Code)
	case "AK5":
		if p.set == nil || p.set.Status != "" {
			p.misplaced(s, "outside an AK2 loop")
			return
		}
		p.set.Status = s.String(1)
		if p.set.Status == "" {
			p.fail(1, fmt.Errorf("AK501 is missing: %w", ErrStructure))
		}
		p.code(codes.AckCode, "AK501", p.set.Status)
		for i := 2; i <= 6; i++ {
			if s.Has(i) {
				c := s.String(i)
				p.set.Errors = append(p.set.Errors, c)
				p.code(codes.TransactionSetError, fmt.Sprintf("AK5%02d", i), c)
			}
		}
		p.seg = nil
	case "AK9":
		if !p.ak1 {
			p.misplaced(s, "before AK1")
		}
		p.closeSet()
		p.ak9, p.after = true, true
		a.Status = s.String(1)
		p.code(codes.AckCode, "AK901", a.Status)
		a.SetsIncluded = p.num(s, 2, s.Element(2), true)
		a.SetsReceived = p.num(s, 3, s.Element(3), true)
		a.SetsAccepted = p.num(s, 4, s.Element(4), true)
		for i := 5; i <= 9; i++ {
			if s.Has(i) {
				c := s.String(i)
				a.GroupErrors = append(a.GroupErrors, c)
				p.code(codes.GroupError, fmt.Sprintf("AK9%02d", i), c)
			}
		}
	default:
		p.warn(fmt.Sprintf("segment %s is not part of the 997; skipped", id))
	}
}

// errMore replaces the errors past x12.MaxProblems.
var errMore = errors.New("x997: more problems follow; not listed")
