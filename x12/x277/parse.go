package x277

import (
	"errors"
	"fmt"
	"io"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/internal/setread"
)

// ErrNoTransaction is returned by Read when the input holds no 277
// transaction set at all.
var ErrNoTransaction = x12.NoTransaction("277 transaction set")

// ErrStructure is x12.ErrStructure, the cause of every error about the
// order of the set.
var ErrStructure = x12.ErrStructure

// Read reads every 277 transaction set of r as a 277CA. Sets of other
// types are skipped; ErrNoTransaction is returned when there is none.
// A 277 of another guide (e.g. the 005010X212 claim status response) is
// read with a warning. Segments the guide does not know are skipped with a
// warning. Structural problems and a broken envelope are returned joined,
// each an *x12.Error with its position, together with what could be read;
// such acknowledgments must not be applied automatically. A fatal error
// (not X12, broken ISA) stops reading.
func Read(r io.Reader) ([]*Acknowledgment, error) {
	p := &parser{rd: x12.NewReader(r)}
	p.rd.Mode = x12.CollectAll
	loop := setread.Loop{Reader: p.rd, Segment: p.segment, End: p.end, Warn: p.envelopeWarning, More: errMore}
	err := loop.Read(&p.errs, func() bool { return len(p.out) > 0 }, ErrNoTransaction)
	return p.out, err
}

// ReadEach reads r as Read does, but hands each 277 set to fn as soon as
// its SE is read instead of keeping them all, so that memory holds one
// set however large the file. It returns the first error fn returns
// (the sets after it are read, not handed over), else what Read would:
// ErrNoTransaction, or the structural problems joined. fn sees a set
// before the problems of the sets after it are known, and without the
// envelope warnings of the GE and IEA after it: a caller that must not
// apply a file with problems reads it twice, first with an fn that keeps
// nothing.
func ReadEach(r io.Reader, fn func(*Acknowledgment) error) error {
	p := &parser{rd: x12.NewReader(r), each: fn}
	p.rd.Mode = x12.CollectAll
	loop := setread.Loop{Reader: p.rd, Segment: p.segment, End: p.end, Warn: p.envelopeWarning, More: errMore}
	err := loop.Run(&p.errs)
	switch {
	case p.eachErr != nil:
		return p.eachErr
	case err != nil:
		return errors.Join(append(p.errs, err)...)
	case p.sets == 0 && len(p.errs) == 0:
		return ErrNoTransaction
	}
	return errors.Join(p.errs...)
}

type parser struct {
	rd   *x12.Reader
	out  []*Acknowledgment
	errs []error
	// each, when set, takes each set in place of out (ReadEach); eachErr
	// is the first error it returned; sets counts the sets read.
	each    func(*Acknowledgment) error
	eachErr error
	sets    int

	ack  *Acknowledgment
	last *Acknowledgment
	hls  map[string]string // HL01 -> HL03 of the HLs seen in the set
	lvl  string            // HL03 of the current HL
	src  *Source
	rcv  *Receiver
	prov *Provider
	pat  *Patient
	clm  *Claim
	line *Line
}

// envelopeWarning files an envelope warning of the reader on the
// acknowledgment being read (or the last one).
func (p *parser) envelopeWarning(e error) bool {
	a := p.ack
	if a == nil {
		a = p.last
	}
	if a == nil {
		return false
	}
	a.Warnings = x12.AppendWarning(a.Warnings, x12.WarningOf(e))
	return true
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

func (p *parser) misplaced(s *x12.Segment) {
	where := "before the first HL"
	switch p.lvl {
	case "20":
		where = "in the information source level (2000A)"
	case "21":
		where = "in the information receiver level (2000B)"
	case "19":
		where = "in the billing provider level (2000C)"
	case "PT":
		where = "in the patient level (2000D)"
	}
	p.fail(0, fmt.Errorf("%s is not allowed %s: %w", s.ID(), where, ErrStructure))
}

func (p *parser) begin() {
	isa, gs, st := p.rd.Interchange(), p.rd.Group(), p.rd.Set()
	p.ack = &Acknowledgment{ISA13: isa.ControlNumber, GS06: gs.ControlNumber, SetControl: st.ControlNumber,
		SenderID: isa.SenderID, ReceiverID: isa.ReceiverID, Version: x12.Guide(gs, st)}
	p.last = p.ack
	p.hls = make(map[string]string)
	p.lvl = ""
	p.src, p.rcv, p.prov, p.pat, p.clm, p.line = nil, nil, nil, nil, nil, nil
	if v := p.ack.Version; v != Guide {
		p.warn(fmt.Sprintf("implementation guide %q is not %s; read as a 277CA", v, Guide))
	}
}

func (p *parser) end() {
	if p.ack == nil {
		return
	}
	if len(p.ack.Sources) == 0 {
		p.fail(0, fmt.Errorf("277 set %s has no information source (HL level 20): %w", p.ack.SetControl, ErrStructure))
	}
	p.sets++
	switch {
	case p.each == nil:
		p.out = append(p.out, p.ack)
	case p.eachErr == nil:
		p.eachErr = p.each(p.ack)
	}
	p.ack = nil
}

func (p *parser) date(s *x12.Segment, el int) x12.Date {
	b := s.Element(el)
	if len(b) == 0 {
		return x12.Date{}
	}
	d, err := x12.ParseDate(b)
	if err != nil {
		p.warn(fmt.Sprintf("%s%02d %q is not a valid date", s.ID(), el, b))
	}
	return d
}

// period parses a DTP with D8 or RD8.
func (p *parser) period(s *x12.Segment) (from, to x12.Date) {
	v := s.Element(3)
	var err error
	switch string(s.Element(2)) {
	case "RD8":
		from, to, err = x12.ParseDateRange(v)
	default:
		from, err = x12.ParseDate(v)
	}
	if err != nil {
		p.warn(fmt.Sprintf("DTP03 %q is not a valid %s date", v, s.Element(2)))
	}
	return from, to
}

func (p *parser) amount(s *x12.Segment, el int) *x12.Amount {
	b := s.Element(el)
	if len(b) == 0 {
		return nil
	}
	a, err := x12.ParseAmount(b)
	if err != nil {
		p.fail(el, fmt.Errorf("%s%02d %q: %w", s.ID(), el, b, x12.ErrBadAmount))
		return nil
	}
	return &a
}

func party(s *x12.Segment) Party {
	return Party{Entity: s.String(1), EntityType: s.String(2), LastName: s.String(3), FirstName: s.String(4),
		MiddleName: s.String(5), Suffix: s.String(7), IDQualifier: s.String(8), ID: s.String(9)}
}

func (p *parser) status(s *x12.Segment) Status {
	st := Status{Segment: p.rd.Position().SetSegment, Date: p.date(s, 2), Action: s.String(3),
		Charge: p.amount(s, 4), Message: s.String(12)}
	for _, el := range []int{1, 10, 11} {
		if !s.Has(el) {
			continue
		}
		st.Codes = append(st.Codes, StatusCode{Category: s.ComponentString(el, 1), Status: s.ComponentString(el, 2),
			Entity: s.ComponentString(el, 3)})
	}
	if len(st.Codes) == 0 {
		p.fail(1, fmt.Errorf("STC01 claim status is missing: %w", ErrStructure))
	}
	return st
}

func (p *parser) segment(s *x12.Segment) {
	id := s.ID()
	switch id {
	case "ST":
		p.end()
		if s.String(1) == "277" {
			p.begin()
		}
		return
	case "SE", "GE", "IEA", "ISA", "GS":
		p.end()
		return
	}
	a := p.ack
	if a == nil {
		return
	}
	switch id {
	case "BHT":
		if p.lvl != "" || a.Reference != "" {
			p.misplaced(s)
			return
		}
		a.Reference, a.Date, a.Time = s.String(3), p.date(s, 4), s.String(5)
		return
	case "HL":
		p.hl(s)
		return
	}
	switch p.lvl {
	case "20":
		p.sourceSegment(s)
	case "21":
		p.receiverSegment(s)
	case "19":
		p.providerSegment(s)
	case "PT":
		p.patientSegment(s)
	default:
		p.other(s)
	}
}

func known(id string) bool {
	switch id {
	case "BHT", "HL", "NM1", "TRN", "DTP", "STC", "QTY", "AMT", "REF", "SVC":
		return true
	}
	return false
}

func (p *parser) other(s *x12.Segment) {
	if known(s.ID()) {
		p.misplaced(s)
		return
	}
	p.warn(fmt.Sprintf("segment %s is not part of the 277CA guide; skipped", s.ID()))
}

// hl opens a level of the hierarchy.
func (p *parser) hl(s *x12.Segment) {
	id, parent, level := s.String(1), s.String(2), s.String(3)
	if _, dup := p.hls[id]; dup || id == "" {
		p.fail(1, fmt.Errorf("HL01 %q is missing or repeated: %w", id, ErrStructure))
	}
	want := map[string]string{"20": "", "21": "20", "19": "21", "PT": "19"}
	wantParent, ok := want[level]
	if !ok {
		p.fail(3, fmt.Errorf("HL03 level %q is not 20, 21, 19 or PT: %w", level, ErrStructure))
		p.lvl = "?"
		return
	}
	if got := p.hls[parent]; got != wantParent || (wantParent == "" && parent != "") {
		p.fail(2, fmt.Errorf("HL02 parent %q of a level %s HL is not a level %q HL: %w", parent, level, wantParent, ErrStructure))
	}
	p.hls[id] = level
	p.lvl = level
	p.clm, p.line = nil, nil
	switch level {
	case "20":
		p.src = &Source{}
		p.ack.Sources = append(p.ack.Sources, p.src)
		p.rcv, p.prov, p.pat = nil, nil, nil
	case "21":
		if p.src == nil {
			p.lvl = "?"
			return
		}
		p.rcv = &Receiver{}
		p.src.Receivers = append(p.src.Receivers, p.rcv)
		p.prov, p.pat = nil, nil
	case "19":
		if p.rcv == nil {
			p.lvl = "?"
			return
		}
		p.prov = &Provider{}
		p.rcv.Providers = append(p.rcv.Providers, p.prov)
		p.pat = nil
	case "PT":
		if p.prov == nil {
			p.lvl = "?"
			return
		}
		p.pat = &Patient{}
		p.prov.Patients = append(p.prov.Patients, p.pat)
	}
}

func (p *parser) sourceSegment(s *x12.Segment) {
	src := p.src
	switch s.ID() {
	case "NM1":
		src.Party = party(s)
	case "TRN":
		src.Trace = s.String(2)
	case "DTP":
		d, _ := p.period(s)
		switch s.String(1) {
		case "050":
			src.ReceiptDate = d
		case "009":
			src.ProcessDate = d
		default:
			p.warn(fmt.Sprintf("DTP qualifier %q is not used in loop 2200A; skipped", s.Element(1)))
		}
	default:
		p.other(s)
	}
}

func (p *parser) summary(sum *Summary, s *x12.Segment) bool {
	switch s.ID() {
	case "QTY":
		switch s.String(1) {
		case "90", "QA":
			sum.AcceptedCount = s.String(2)
		case "AA", "QC":
			sum.RejectedCount = s.String(2)
		default:
			p.warn(fmt.Sprintf("QTY qualifier %q is not used here; skipped", s.Element(1)))
		}
		return true
	case "AMT":
		switch s.String(1) {
		case "YU":
			sum.AcceptedAmount = p.amount(s, 2)
		case "YY":
			sum.RejectedAmount = p.amount(s, 2)
		default:
			p.warn(fmt.Sprintf("AMT qualifier %q is not used here; skipped", s.Element(1)))
		}
		return true
	}
	return false
}

func (p *parser) receiverSegment(s *x12.Segment) {
	r := p.rcv
	switch s.ID() {
	case "NM1":
		r.Party = party(s)
	case "TRN":
		r.Trace = s.String(2)
	case "STC":
		r.Statuses = append(r.Statuses, p.status(s))
	default:
		if !p.summary(&r.Summary, s) {
			p.other(s)
		}
	}
}

func (p *parser) providerSegment(s *x12.Segment) {
	pr := p.prov
	switch s.ID() {
	case "NM1":
		pr.Party = party(s)
	case "TRN":
		pr.Trace = s.String(2)
	case "STC":
		pr.Statuses = append(pr.Statuses, p.status(s))
	case "REF":
		pr.SecondaryID = &Ref{Qualifier: s.String(1), Value: s.String(2)}
	default:
		if !p.summary(&pr.Summary, s) {
			p.other(s)
		}
	}
}

func (p *parser) patientSegment(s *x12.Segment) {
	switch s.ID() {
	case "NM1":
		if p.clm != nil {
			p.misplaced(s)
			return
		}
		p.pat.Party = party(s)
	case "TRN":
		p.clm = &Claim{Segment: p.rd.Position().SetSegment, PatientControlNumber: s.String(2)}
		p.line = nil
		p.pat.Claims = append(p.pat.Claims, p.clm)
		if p.clm.PatientControlNumber == "" {
			p.fail(2, fmt.Errorf("TRN02 patient control number is missing: %w", ErrStructure))
		}
	case "SVC":
		if p.clm == nil {
			p.misplaced(s)
			return
		}
		pr := Procedure{Qualifier: s.ComponentString(1, 1), Code: s.ComponentString(1, 2)}
		for j := 3; j <= 6; j++ {
			if m := s.ComponentString(1, j); m != "" {
				pr.Modifiers = append(pr.Modifiers, m)
			}
		}
		l := &Line{Segment: p.rd.Position().SetSegment, Procedure: pr, RevenueCode: s.String(4), Units: s.String(7)}
		if a := p.amount(s, 2); a != nil {
			l.Charge = *a
		} else {
			p.fail(2, fmt.Errorf("SVC02 line charge is missing: %w", x12.ErrBadAmount))
		}
		p.clm.Lines = append(p.clm.Lines, l)
		p.line = l
	case "STC", "REF", "DTP":
		if p.clm == nil {
			p.misplaced(s)
			return
		}
		if p.line != nil {
			p.lineSegment(s)
			return
		}
		p.claimSegment(s)
	default:
		p.other(s)
	}
}

func (p *parser) claimSegment(s *x12.Segment) {
	c := p.clm
	switch s.ID() {
	case "STC":
		c.Statuses = append(c.Statuses, p.status(s))
	case "REF":
		switch s.String(1) {
		case "1K":
			c.PayerClaimNumber = s.String(2)
		case "D9":
			c.ClearinghouseTrace = s.String(2)
		case "BLT":
			c.BillType = s.String(2)
		default:
			p.warn(fmt.Sprintf("REF qualifier %q is not used in loop 2200D; skipped", s.Element(1)))
		}
	case "DTP":
		c.ServiceFrom, c.ServiceTo = p.period(s)
	}
}

func (p *parser) lineSegment(s *x12.Segment) {
	l := p.line
	switch s.ID() {
	case "STC":
		l.Statuses = append(l.Statuses, p.status(s))
	case "REF":
		switch s.String(1) {
		case "FJ":
			l.ControlNumber = s.String(2)
		case "XZ":
			l.Prescription = s.String(2)
		default:
			p.warn(fmt.Sprintf("REF qualifier %q is not used in loop 2220D; skipped", s.Element(1)))
		}
	case "DTP":
		l.ServiceFrom, l.ServiceTo = p.period(s)
	}
}

// errMore replaces the errors past x12.MaxProblems.
var errMore = errors.New("x277: more problems follow; not listed")
