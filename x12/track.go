package x12

import (
	"bytes"
	"strconv"
)

// track updates the envelope state with the segment just split into r.seg,
// which starts at input offset off, and records envelope errors.
func (r *Reader) track(off int64) {
	r.segments++
	id := r.seg.id
	// Field by field: cheaper than assigning a composite literal.
	p := &r.pos
	p.Interchange, p.Segment, p.SetSegment = r.interchanges, r.segments, 0
	p.SegmentID, p.Element, p.Component, p.Offset = id, 0, 0, off
	switch id {
	case "ISA":
		r.interchanges++
		r.pos.Interchange = r.interchanges
		r.inISA, r.inGS, r.inST = true, false, false
		r.groups = 0
		return // lexISA makes the Strict checks of the ISA
	case "IEA":
		r.closeGroup("IEA")
		r.check(1, "IEA01", "functional groups", r.groups)
		r.checkControl(2, "ISA13", "IEA02", r.isa.ControlNumber)
		r.inISA = false
	case "GS":
		if r.inGS {
			r.closeGroup("the next GS")
		} else {
			r.closeSet("GS")
		}
		s := &r.seg
		r.gs = GroupHeader{
			FunctionalID: s.String(1), SenderCode: s.String(2), ReceiverCode: s.String(3),
			Date: s.String(4), Time: s.String(5), ControlNumber: s.String(6),
			Agency: s.String(7), Version: s.String(8),
		}
		r.inGS = true
		r.groups++
		r.sets = 0
	case "GE":
		if !r.inGS {
			r.closeSet("GE")
			r.fail(0, withDetail(ErrUnexpectedSegment, "GE without an open functional group"))
			break
		}
		r.closeSet("GE")
		r.check(1, "GE01", "transaction sets", r.sets)
		r.checkControl(2, "GS06", "GE02", r.gs.ControlNumber)
		r.inGS = false
	case "ST":
		if r.inST {
			r.closeSet("the next ST")
		}
		if !r.inGS {
			r.fail(0, withDetail(ErrUnexpectedSegment, "ST outside a functional group"))
		}
		s := &r.seg
		r.st = SetHeader{ID: s.String(1), ControlNumber: s.String(2), Convention: s.String(3)}
		r.inST = true
		r.sets++
		r.setSegs = 1
		r.pos.SetSegment = 1
	case "SE":
		if !r.inST {
			r.fail(0, withDetail(ErrUnexpectedSegment, "SE without an open transaction set"))
			break
		}
		r.setSegs++
		r.pos.SetSegment = r.setSegs
		r.check(1, "SE01", "segments", r.setSegs)
		r.checkControl(2, "ST02", "SE02", r.st.ControlNumber)
		r.inST = false
	case "TA1":
		if r.inGS {
			r.fail(0, withDetail(ErrUnexpectedSegment, "TA1 inside a functional group (it belongs between the ISA and the first GS)"))
		}
	default:
		if r.inST {
			r.setSegs++
			r.pos.SetSegment = r.setSegs
		}
		if !ValidSegmentID(id) {
			r.pos.SegmentID = "" // never echo what may be data
			r.fail(0, withDetail(ErrBadSegmentID, "%s is not 2 or 3 upper-case letters or digits", describeID(id)))
		}
		if !r.inST {
			r.fail(0, withDetail(ErrUnexpectedSegment, "a segment outside a transaction set"))
		}
	}
	if r.Strict {
		r.checkTrailing()
	}
}

// describeID shows a bad segment identifier when it is short enough to be
// harmless, and only its length otherwise.
func describeID(id string) string {
	switch {
	case id == "":
		return "an empty identifier"
	case len(id) <= 3:
		return strconv.Quote(id)
	}
	return "an identifier of " + strconv.Itoa(len(id)) + " bytes"
}

// checkTrailing reports trailing separators (Strict only): X12 requires
// trailing empty elements, components and repetitions to be omitted.
func (r *Reader) checkTrailing() {
	s := &r.seg
	d := s.delim
	n := len(s.elems) - 1
	if n >= 1 && len(s.elems[n]) == 0 {
		r.fail(n, withDetail(ErrTrailingSeparator, "%s%02d is empty: the segment ends with an element separator", s.id, n))
		return
	}
	for i := 1; i <= n; i++ {
		e := s.elems[i]
		if len(e) == 0 {
			continue
		}
		last := e[len(e)-1]
		if last == d.Component || (d.Repetition != 0 && last == d.Repetition) {
			what := "component"
			if last != d.Component {
				what = "repetition"
			}
			r.fail(i, withDetail(ErrTrailingSeparator, "%s%02d ends with a %s separator", s.id, i, what))
			return
		}
	}
}

// closeSet reports a transaction set left open when by arrives.
func (r *Reader) closeSet(by string) {
	if r.inST {
		r.fail(0, withDetail(ErrMissingTrailer, "transaction set %s has no SE before %s", quoteCtl(r.st.ControlNumber), by))
		r.inST = false
	}
}

// closeGroup reports a transaction set and group left open when by
// arrives.
func (r *Reader) closeGroup(by string) {
	r.closeSet(by)
	if r.inGS {
		r.fail(0, withDetail(ErrMissingTrailer, "functional group %s has no GE before %s", quoteCtl(r.gs.ControlNumber), by))
		r.inGS = false
	}
}

// closeOpen reports the envelopes left open at the end of the input
// (atEOF) or when a new ISA starts before the IEA.
func (r *Reader) closeOpen(atEOF bool) {
	pos := Position{Interchange: r.interchanges, Offset: r.offset()}
	by := "the end of the input"
	if !atEOF {
		pos.Segment, pos.SegmentID = r.segments+1, "ISA"
		by = "the next ISA"
	}
	if r.inST {
		r.addErr(&Error{Pos: pos, Err: withDetail(ErrMissingTrailer, "transaction set %s has no SE before %s", quoteCtl(r.st.ControlNumber), by)})
	}
	if r.inGS {
		r.addErr(&Error{Pos: pos, Err: withDetail(ErrMissingTrailer, "functional group %s has no GE before %s", quoteCtl(r.gs.ControlNumber), by)})
	}
	if r.inISA {
		r.addErr(&Error{Pos: pos, Err: withDetail(ErrMissingTrailer, "interchange %s has no IEA before %s", quoteCtl(r.isa.ControlNumber), by)})
	}
	r.inST, r.inGS, r.inISA = false, false, false
}

// fail records an error at element el (0 for the whole segment) of the
// current segment.
func (r *Reader) fail(el int, err error) {
	p := r.pos
	if el > 0 {
		p.Element = el
		p.Offset = r.elementOffset(el)
	}
	r.addErr(&Error{Pos: p, Err: err})
}

// elementOffset returns the input offset of element el of the current
// segment, or of the end of the segment when the element is absent.
func (r *Reader) elementOffset(el int) int64 {
	off := r.pos.Offset
	n := len(r.seg.elems)
	for k := 0; k < el && k < n; k++ {
		off += int64(len(r.seg.elems[k]) + 1)
	}
	if el >= n {
		off--
	}
	return off
}

// check compares a trailer count with what was counted.
func (r *Reader) check(el int, name, what string, counted int) {
	v := r.seg.Element(el)
	if len(v) == 0 {
		r.fail(el, withDetail(ErrBadNumber, "%s, the number of %s, is missing (counted %d)", name, what, counted))
		return
	}
	n, ok := atoi(v)
	if !ok {
		r.fail(el, withDetail(ErrBadNumber, "%s, the number of %s, is not a number (counted %d)", name, what, counted))
		return
	}
	if n != counted {
		r.fail(el, &CountError{Element: name, Declared: n, Counted: counted, What: what})
	}
}

// checkControl compares a trailer control number with its header's.
func (r *Reader) checkControl(el int, header, trailer, want string) {
	got := r.seg.Element(el)
	if r.Strict {
		if string(got) == want {
			return
		}
	} else if sameControl(got, want) {
		return
	}
	r.fail(el, &ControlError{Header: header, Trailer: trailer, HeaderValue: want, TrailerValue: string(got)})
}

// SameControl reports whether two control numbers match the way the
// Reader matches a trailer's with its header's outside Strict mode:
// numerically when both are numbers ("000000011" equals " 11"), and as
// text without surrounding spaces otherwise.
func SameControl(a, b string) bool { return sameControl([]byte(a), b) }

// ParseNumber parses a count or control number the way the Reader does: a
// non-negative decimal of at most 18 digits, allowing surrounding spaces.
func ParseNumber(s string) (int, bool) { return atoi([]byte(s)) }

// sameControl compares control numbers numerically when both are numbers
// ("000000011" equals "11"), and as text without surrounding spaces
// otherwise.
func sameControl(a []byte, b string) bool {
	x, ok1 := atoi(a)
	y, ok2 := atoi([]byte(b))
	if ok1 && ok2 {
		return x == y
	}
	return string(bytes.TrimSpace(a)) == string(bytes.TrimSpace([]byte(b)))
}

// atoi parses a non-negative decimal of at most 18 digits, allowing
// surrounding spaces.
func atoi(b []byte) (int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// quoteCtl quotes a control number for a message, cut short when it is
// implausibly long (then it is not a control number but misplaced data).
func quoteCtl(s string) string {
	if len(s) > 12 {
		return strconv.Quote(s[:9]) + "..."
	}
	return strconv.Quote(s)
}
