package x12

import (
	"strconv"
	"strings"
)

// isaWidths are the fixed widths of ISA01..ISA16 (index 0 unused).
var isaWidths = [17]int{0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

// lexISA reads an ISA segment at r.start and takes the interchange's
// delimiters from it: the element separator is the byte after "ISA", the
// component separator is ISA16 (the byte after the 16th element
// separator) and the segment terminator is the byte after ISA16. ISA11 is
// the repetition separator when ISA12 is 00402 or later and ISA11 is not
// a letter, digit or space.
//
// The element separators are counted rather than taken at fixed offsets,
// so an ISA whose elements are padded wrongly still reads (Strict reports
// it). A line break inside the ISA is an error: it means the file was
// wrapped or the ISA is broken.
func (r *Reader) lexISA() (bool, error) {
	off := r.offset()
	pos := Position{Interchange: r.interchanges + 1, Segment: r.segments + 1, SegmentID: "ISA", Offset: off}
	if err := r.need(isaWindow); err != nil {
		return false, err
	}
	data := r.buf[r.start:r.end]
	if len(data) < 3 || data[0] != 'I' || data[1] != 'S' || data[2] != 'A' {
		if len(data) < 3 && strings.HasPrefix("ISA", string(data)) {
			return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "the input ends inside the ISA")}
		}
		pos.SegmentID = ""
		pos.Interchange = r.interchanges
		if r.interchanges == 0 {
			pos.Segment = 0
			return false, &Error{Pos: pos, Err: withDetail(ErrNoISA, "text before the ISA (it starts with %s)", quoteShort(data))}
		}
		return false, &Error{Pos: pos, Err: withDetail(ErrNoISA,
			"text after the IEA of interchange %d, where only another ISA or the end of the input may follow (it starts with %s)",
			r.interchanges, quoteShort(data))}
	}
	if len(data) == 3 {
		return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "the input ends inside the ISA")}
	}
	sep := data[3]
	if isAlnum(sep) || isSpace(sep) || sep == 0 {
		pos.Offset = off + 3
		return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "byte 3, the element separator, is %s, which cannot be a separator", quoteByte(sep))}
	}
	window := data
	if len(window) > isaWindow {
		window = window[:isaWindow]
	}
	found, idx, elemStart := 1, -1, 4 // byte 3 is the first separator; ISA<found> is being read
	for k := 4; k < len(window); k++ {
		c := window[k]
		if c == sep {
			found++
			if found == 16 {
				idx = k
				break
			}
			elemStart = k + 1
			continue
		}
		if c == '\n' || c == '\r' {
			pos.Element, pos.Offset = found, off+int64(elemStart)
			return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "a line break inside ISA%02d (the ISA must be one unbroken segment)", found)}
		}
	}
	if idx < 0 {
		if len(data) < isaWindow { // need read all there was
			pos.Element, pos.Offset = found, off+int64(elemStart)
			return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "the input ends inside ISA%02d", found)}
		}
		return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "found %d of the 16 element separators %s in the first %d bytes", found, quoteByte(sep), isaWindow)}
	}
	if idx+2 >= len(data) {
		pos.Element, pos.Offset = 16, off+int64(idx+1)
		return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "the input ends after ISA16, before the segment terminator")}
	}
	d := Delimiters{Element: sep, Component: data[idx+1], Segment: data[idx+2]}
	if d.Component == '\n' || d.Component == '\r' {
		pos.Element, pos.Offset = 16, off+int64(idx+1)
		return false, &Error{Pos: pos, Err: withDetail(ErrBadISA, "ISA16, the component separator, is missing: a line break follows the 16th element separator")}
	}

	from := r.start
	r.seg.delim = d
	r.split(data[:idx+2])
	r.start += idx + 3
	e := r.seg.elems
	h := InterchangeHeader{
		AuthQualifier:     string(e[1]),
		AuthInfo:          string(e[2]),
		SecurityQualifier: string(e[3]),
		SecurityInfo:      string(e[4]),
		SenderQualifier:   strings.TrimSpace(string(e[5])),
		SenderID:          strings.TrimSpace(string(e[6])),
		ReceiverQualifier: strings.TrimSpace(string(e[7])),
		ReceiverID:        strings.TrimSpace(string(e[8])),
		Date:              string(e[9]),
		Time:              string(e[10]),
		Version:           string(e[12]),
		ControlNumber:     string(e[13]),
		AckRequested:      string(e[14]),
		Usage:             string(e[15]),
	}
	if rep := e[11]; len(rep) == 1 && hasRepetition(e[12]) && !isAlnum(rep[0]) && !isSpace(rep[0]) {
		d.Repetition = rep[0]
	}
	if err := d.Validate(); err != nil {
		el, at := 16, idx+1
		if d.Repetition != 0 && (Delimiters{Element: d.Element, Component: d.Component, Segment: d.Segment}).Validate() == nil {
			el, at = 11, isaOffset(e, 11) // only ISA11 clashes
		}
		pos.Element, pos.Offset = el, off+int64(at)
		return false, &Error{Pos: pos, Err: err}
	}
	h.Delimiters = d
	r.seg.delim = d
	r.isa = h
	r.track(r.base + int64(from))
	if r.Strict {
		for i := 1; i <= 16; i++ {
			if len(e[i]) != isaWidths[i] {
				r.fail(i, withDetail(ErrBadISA, "ISA%02d is %d characters; its fixed width is %d", i, len(e[i]), isaWidths[i]))
			}
		}
	}
	return true, nil
}

// hasRepetition reports whether an ISA12 version has a repetition
// separator in ISA11 (00402 and later).
func hasRepetition(version []byte) bool {
	if len(version) != 5 {
		return false
	}
	n := 0
	for _, c := range version {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n >= 402
}

// isaOffset returns the offset of element i within the ISA.
func isaOffset(e [][]byte, i int) int {
	off := 0
	for k := 0; k < i && k < len(e); k++ {
		off += len(e[k]) + 1
	}
	return off
}

// quoteShort quotes at most the first three bytes of b, so that an error
// about unexpected text never carries more than a hint of its content.
func quoteShort(b []byte) string {
	if len(b) > 3 {
		return strconv.Quote(string(b[:3])) + "..."
	}
	return strconv.Quote(string(b))
}
