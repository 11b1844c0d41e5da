package x12

import (
	"errors"
	"fmt"
	"io"
)

// ErrBadTime is the cause of a time that is not valid (HHMM with hours
// 00-23 and minutes 00-59).
var ErrBadTime = errors.New("invalid time")

// EnvelopeSet describes one transaction set (or TA1 segment) found by
// CheckEnvelopes.
type EnvelopeSet struct {
	ID            string // ST01, or "TA1" for a TA1 segment
	ControlNumber string // ST02, or TA101
	Guide         string // ST03, or GS08 when ST03 is absent
	Segment       int    // file position of the ST (or TA1)
	Offset        int64  // byte offset of the ST (or TA1)
}

// EnvelopeCheck is what CheckEnvelopes found.
type EnvelopeCheck struct {
	// Sets are the transaction sets and TA1 segments, in file order.
	Sets []EnvelopeSet
	// Offsets holds the byte offset of every segment by its file
	// position (Offsets[0] is unused), so that positions given relative
	// to a transaction set can be turned into file positions.
	Offsets []int64
	// IDs holds the segment identifier of every segment by its file
	// position (IDs[0] is unused).
	IDs []string
	// Errors are the Reader's errors (recoverable and fatal) followed,
	// in file order, by the header checks: ISA widths, ISA09 and GS04
	// dates, ISA10 and GS05 times. Each is an *Error.
	Errors []error
	// HeaderErrors are the header checks alone (also in Errors).
	HeaderErrors []error
}

// CheckEnvelopes reads the whole of r and checks its envelopes: what the
// Reader checks in CollectAll mode (structure, counts, control numbers),
// and the ISA and GS headers: every ISA element at its fixed width, ISA09
// a real date (YYMMDD), ISA10 a real time (HHMM), GS04 a real date
// (CCYYMMDD) and GS05 a real time (HHMM, HHMMSS or longer). It lists the
// transaction sets found. The returned error is non-nil only when reading
// r fails.
func CheckEnvelopes(r io.Reader) (*EnvelopeCheck, error) {
	rd := NewReader(r)
	rd.Mode = CollectAll
	c := &EnvelopeCheck{Offsets: []int64{0}, IDs: []string{""}}
	for {
		seg, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, ErrRead) {
				return c, err
			}
			break
		}
		pos := rd.Position()
		for len(c.Offsets) <= pos.Segment {
			c.Offsets = append(c.Offsets, pos.Offset)
			c.IDs = append(c.IDs, "")
		}
		c.Offsets[pos.Segment], c.IDs[pos.Segment] = pos.Offset, seg.ID()
		switch seg.ID() {
		case "ISA":
			c.checkISA(seg, pos)
		case "GS":
			c.checkGS(seg, pos)
		case "ST":
			c.Sets = append(c.Sets, EnvelopeSet{ID: seg.String(1), ControlNumber: seg.String(2),
				Guide: Guide(rd.Group(), rd.Set()), Segment: pos.Segment, Offset: pos.Offset})
		case "TA1":
			c.Sets = append(c.Sets, EnvelopeSet{ID: "TA1", ControlNumber: seg.String(1), Segment: pos.Segment, Offset: pos.Offset})
		}
	}
	c.Errors = append(append([]error{}, rd.Errors()...), c.HeaderErrors...)
	return c, nil
}

// FileSegment returns the file position of the segment at position
// setSegment (ST = 1) of the set, and its byte offset (0 when unknown).
func (c *EnvelopeCheck) FileSegment(set EnvelopeSet, setSegment int) (int, int64) {
	if setSegment <= 0 {
		return set.Segment, set.Offset
	}
	n := set.Segment + setSegment - 1
	if n < len(c.Offsets) {
		return n, c.Offsets[n]
	}
	return n, 0
}

// Find returns the file position of the first segment with identifier
// id in the set, or 0.
func (c *EnvelopeCheck) Find(set EnvelopeSet, id string) int {
	for n := set.Segment; n < len(c.IDs); n++ {
		if c.IDs[n] == id {
			return n
		}
		if n > set.Segment && (c.IDs[n] == "SE" || c.IDs[n] == "ST") {
			break
		}
	}
	return 0
}

func (c *EnvelopeCheck) fail(seg *Segment, pos Position, el int, err error) {
	pos.Element = el
	pos.Offset += int64(segOffset(seg, el))
	c.HeaderErrors = append(c.HeaderErrors, &Error{Pos: pos, Err: err})
}

func (c *EnvelopeCheck) checkISA(seg *Segment, pos Position) {
	for i := 1; i <= 16 && i < len(isaWidths); i++ {
		if n := len(seg.Element(i)); n != isaWidths[i] {
			c.fail(seg, pos, i, withDetail(ErrBadISA, "ISA%02d is %d characters; its fixed width is %d", i, n, isaWidths[i]))
		}
	}
	if d := seg.Element(9); len(d) == 6 {
		if _, err := ParseDate(d); err != nil {
			c.fail(seg, pos, 9, withDetail(ErrBadDate, "ISA09 %s is not a real date (YYMMDD)", quoteCtl(string(d))))
		}
	} else if len(d) > 0 {
		c.fail(seg, pos, 9, withDetail(ErrBadDate, "ISA09 %s is not a date in the form YYMMDD", quoteCtl(string(d))))
	}
	if t := seg.Element(10); !ValidTime(t) || len(t) != 4 {
		c.fail(seg, pos, 10, withDetail(ErrBadTime, "ISA10 %s is not a real time (HHMM, hours 00-23, minutes 00-59)", quoteCtl(string(t))))
	}
}

func (c *EnvelopeCheck) checkGS(seg *Segment, pos Position) {
	if d := seg.Element(4); len(d) != 8 {
		c.fail(seg, pos, 4, withDetail(ErrBadDate, "GS04 %s is not a date in the form CCYYMMDD", quoteCtl(string(d))))
	} else if _, err := ParseDate(d); err != nil {
		c.fail(seg, pos, 4, withDetail(ErrBadDate, "GS04 %s is not a real date (CCYYMMDD)", quoteCtl(string(d))))
	}
	if t := seg.Element(5); !ValidTime(t) {
		c.fail(seg, pos, 5, withDetail(ErrBadTime, "GS05 %s is not a real time (HHMM, HHMMSS or HHMMSSD..., hours 00-23)", quoteCtl(string(t))))
	}
}

// ValidTime reports whether b is an X12 time: HHMM, HHMMSS, or HHMMSS
// followed by one or two digits of decimal seconds, with hours 00-23,
// minutes 00-59 and seconds 00-59.
func ValidTime(b []byte) bool {
	switch len(b) {
	case 4, 6, 7, 8:
	default:
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	if digits(b[0:2]) > 23 || digits(b[2:4]) > 59 {
		return false
	}
	return len(b) == 4 || digits(b[4:6]) <= 59
}

// segOffset returns the byte offset of element el within the segment
// (0 for the segment itself; the segment's end for an element it does not
// have).
func segOffset(s *Segment, el int) int {
	if el <= 0 {
		return 0
	}
	off := len(s.ID())
	for k := 1; k < el && k < len(s.elems); k++ {
		off += 1 + len(s.elems[k])
	}
	if el >= len(s.elems) {
		return off // an element the segment does not have: its end
	}
	return off + 1
}

// String describes the set for messages: "835 0001" or "TA1 000000001".
func (s EnvelopeSet) String() string {
	return fmt.Sprintf("%s %s", s.ID, s.ControlNumber)
}
