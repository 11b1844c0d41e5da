package x12

import (
	"bufio"
	"io"
	"strconv"
)

// A Writer writes X12 segments and builds their envelopes.
//
// Segments are written element by element (Begin, Element, Composite,
// Repeated, End) or in one call (Segment). The writer refuses data that
// contains a delimiter, naming the element, instead of writing a corrupt
// file; it drops trailing empty elements and components.
//
// BeginInterchange, BeginGroup and BeginSet write ISA, GS and ST with the
// caller's control numbers; EndSet, EndGroup and EndInterchange write SE,
// GE and IEA with the counts computed. The ISA is padded to its fixed
// widths.
//
// Output is buffered. Errors stick: after the first error every call
// returns it. Call Flush at the end and check its error.
type Writer struct {
	// Delimiters are the separators to write with. BeginInterchange
	// replaces them with the header's delimiters when those are set.
	Delimiters Delimiters
	// Newline adds a line feed after each segment terminator, for people
	// reading the file.
	Newline bool

	w   *bufio.Writer
	err error

	line    []byte
	id      string
	inSeg   bool
	nElem   int // elements in the current segment
	written int // segments written in total

	inISA, inGS, inST bool
	isaCtl, gsCtl     string
	stCtl             string
	groups, sets      int
	setSegs           int
}

// NewWriter returns a Writer that writes to w with DefaultDelimiters.
func NewWriter(w io.Writer) *Writer {
	return &Writer{Delimiters: DefaultDelimiters, w: bufio.NewWriterSize(w, 64<<10), line: make([]byte, 0, 256)}
}

// Error returns the first error the writer met, if any.
func (w *Writer) Error() error { return w.err }

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

// Begin starts a segment with the given identifier.
func (w *Writer) Begin(id string) {
	if w.err != nil {
		return
	}
	if w.inSeg {
		w.fail(0, 0, withDetail(ErrEnvelope, "Begin(%s) before End of %s", id, w.id))
		return
	}
	if !validID(id) {
		w.id = id
		w.fail(0, 0, withDetail(ErrBadSegmentID, "%q", id))
		return
	}
	w.id = id
	w.inSeg = true
	w.nElem = 0
	w.line = append(w.line[:0], id...)
}

// Element appends a simple element.
func (w *Writer) Element(v string) {
	if !w.startElement() {
		return
	}
	w.appendValue(v, 0)
}

// Composite appends an element made of components. Trailing empty
// components are dropped.
func (w *Writer) Composite(parts ...string) {
	if !w.startElement() {
		return
	}
	for j, p := range parts {
		if j > 0 {
			w.line = append(w.line, w.Delimiters.Component)
		}
		w.appendValue(p, j+1)
	}
	w.trim(w.Delimiters.Component)
}

// Repeated appends an element with repetitions. It fails when the
// delimiters have no repetition separator.
func (w *Writer) Repeated(values ...string) {
	if !w.startElement() {
		return
	}
	if w.Delimiters.Repetition == 0 && len(values) > 1 {
		w.fail(w.nElem, 0, withDetail(ErrBadValue, "repetitions need a repetition separator"))
		return
	}
	for j, v := range values {
		if j > 0 {
			w.line = append(w.line, w.Delimiters.Repetition)
		}
		w.appendValue(v, 0)
	}
	w.trim(w.Delimiters.Repetition)
}

// End finishes the segment, dropping trailing empty elements.
func (w *Writer) End() error {
	if w.err != nil {
		return w.err
	}
	if !w.inSeg {
		return w.fail(0, 0, withDetail(ErrEnvelope, "End without Begin"))
	}
	w.trim(w.Delimiters.Element)
	w.line = append(w.line, w.Delimiters.Segment)
	if w.Newline {
		w.line = append(w.line, '\n')
	}
	w.inSeg = false
	w.written++
	if w.inST {
		w.setSegs++
	}
	_, err := w.w.Write(w.line)
	if err != nil {
		w.err = err
	}
	return w.err
}

// Segment writes a whole segment of simple elements.
func (w *Writer) Segment(id string, elements ...string) error {
	w.Begin(id)
	for _, e := range elements {
		w.Element(e)
	}
	return w.End()
}

// WriteSegment writes a segment read by a Reader, re-encoding its
// components and repetitions with the writer's delimiters. It writes the
// segment as it is: envelope segments are not recomputed, so a read →
// write round trip keeps the input's control numbers and counts. An ISA is
// written with the writer's repetition and component separators.
func (w *Writer) WriteSegment(s *Segment) error {
	if s.id == "ISA" {
		return w.writeISA(s)
	}
	w.Begin(s.id)
	for i := 1; i <= s.Len(); i++ {
		if !w.startElement() {
			break
		}
		reps := s.Repetitions(i)
		for r := 1; r <= reps; r++ {
			if r > 1 {
				if w.Delimiters.Repetition == 0 {
					return w.fail(i, 0, withDetail(ErrBadValue, "repetitions need a repetition separator"))
				}
				w.line = append(w.line, w.Delimiters.Repetition)
			}
			rep := s.Repetition(i, r)
			for j := 1; ; j++ {
				c := nth(rep, s.delim.Component, j)
				if c == nil {
					break
				}
				if j > 1 {
					w.line = append(w.line, w.Delimiters.Component)
				}
				w.appendBytes(c, j)
			}
		}
	}
	// Keep empty trailing elements exactly as read.
	w.inSeg = false
	w.line = append(w.line, w.Delimiters.Segment)
	if w.Newline {
		w.line = append(w.line, '\n')
	}
	if w.err != nil {
		return w.err
	}
	w.written++
	if _, err := w.w.Write(w.line); err != nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) writeISA(s *Segment) error {
	h := InterchangeHeader{
		AuthQualifier: s.String(1), AuthInfo: s.String(2), SecurityQualifier: s.String(3), SecurityInfo: s.String(4),
		SenderQualifier: s.String(5), SenderID: s.String(6), ReceiverQualifier: s.String(7), ReceiverID: s.String(8),
		Date: s.String(9), Time: s.String(10), Version: s.String(12), ControlNumber: s.String(13),
		AckRequested: s.String(14), Usage: s.String(15),
	}
	if s.delim.Repetition == 0 {
		// Keep ISA11 as read (e.g. "U"): the interchange has no
		// repetition separator.
		d := w.Delimiters
		d.Repetition = 0
		return w.isa(h, d, s.String(11))
	}
	return w.isa(h, w.Delimiters, "")
}

func (w *Writer) startElement() bool {
	if w.err != nil {
		return false
	}
	if !w.inSeg {
		w.fail(0, 0, withDetail(ErrEnvelope, "element outside a segment"))
		return false
	}
	w.nElem++
	w.line = append(w.line, w.Delimiters.Element)
	return true
}

func (w *Writer) appendValue(v string, comp int) {
	for i := 0; i < len(v); i++ {
		if w.Delimiters.isDelimiter(v[i]) {
			w.fail(w.nElem, comp, withDetail(ErrDelimiterInData, "character %d is the delimiter %q", i+1, v[i]))
			return
		}
	}
	w.line = append(w.line, v...)
}

func (w *Writer) appendBytes(v []byte, comp int) {
	for i, c := range v {
		if w.Delimiters.isDelimiter(c) {
			w.fail(w.nElem, comp, withDetail(ErrDelimiterInData, "character %d is the delimiter %q", i+1, c))
			return
		}
	}
	w.line = append(w.line, v...)
}

func (w *Writer) trim(sep byte) {
	for len(w.line) > len(w.id) && w.line[len(w.line)-1] == sep {
		w.line = w.line[:len(w.line)-1]
	}
}

func (w *Writer) fail(el, comp int, err error) error {
	if w.err == nil {
		w.err = &Error{Pos: Position{Segment: w.written + 1, SegmentID: w.id, Element: el, Component: comp,
			SetSegment: w.setSegIndex()}, Err: err}
	}
	w.inSeg = false
	return w.err
}

func (w *Writer) setSegIndex() int {
	if w.inST {
		return w.setSegs + 1
	}
	return 0
}

// BeginInterchange writes an ISA. The header's Delimiters, when set,
// become the writer's; ISA11 is the repetition separator (or "U" when
// there is none) and ISA16 the component separator. Fields are padded to
// their fixed widths; ISA13 is zero-padded to nine digits.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if w.err != nil {
		return w.err
	}
	if w.inISA {
		return w.fail(0, 0, withDetail(ErrEnvelope, "ISA inside an interchange"))
	}
	d := w.Delimiters
	if h.Delimiters != (Delimiters{}) {
		d = h.Delimiters
	}
	return w.isa(h, d, "")
}

func (w *Writer) isa(h InterchangeHeader, d Delimiters, isa11 string) error {
	if err := d.Validate(); err != nil {
		return w.fail(0, 0, err)
	}
	w.Delimiters = d
	if isa11 == "" {
		isa11 = "U"
		if d.Repetition != 0 {
			isa11 = string(d.Repetition)
		}
	}
	ctl := h.ControlNumber
	if n, ok := atoi([]byte(ctl)); ok && len(ctl) <= 9 {
		ctl = pad0(strconv.Itoa(n), 9)
	}
	fields := []struct {
		v     string
		width int
	}{
		{orDefault(h.AuthQualifier, "00"), 2}, {h.AuthInfo, 10}, {orDefault(h.SecurityQualifier, "00"), 2}, {h.SecurityInfo, 10},
		{h.SenderQualifier, 2}, {h.SenderID, 15}, {h.ReceiverQualifier, 2}, {h.ReceiverID, 15},
		{h.Date, 6}, {h.Time, 4}, {isa11, 1}, {orDefault(h.Version, "00501"), 5}, {ctl, 9},
		{orDefault(h.AckRequested, "0"), 1}, {orDefault(h.Usage, "P"), 1},
	}
	w.id = "ISA"
	w.inSeg = true
	w.nElem = 0
	w.line = append(w.line[:0], "ISA"...)
	for i, f := range fields {
		w.nElem = i + 1
		if len(f.v) > f.width {
			return w.fail(i+1, 0, withDetail(ErrBadValue, "ISA%02d is %d characters; the width is %d", i+1, len(f.v), f.width))
		}
		w.line = append(w.line, d.Element)
		if i == 10 {
			w.line = append(w.line, f.v...) // ISA11 is itself a delimiter
			continue
		}
		w.appendValue(f.v, 0)
		if w.err != nil {
			return w.err
		}
		for k := len(f.v); k < f.width; k++ {
			w.line = append(w.line, ' ')
		}
	}
	w.line = append(w.line, d.Element, d.Component, d.Segment)
	if w.Newline {
		w.line = append(w.line, '\n')
	}
	w.inSeg = false
	w.written++
	if _, err := w.w.Write(w.line); err != nil {
		w.err = err
		return err
	}
	w.inISA = true
	w.isaCtl = ctl
	w.groups = 0
	return nil
}

// EndInterchange writes the IEA with the number of groups and ISA13.
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if !w.inISA || w.inGS {
		return w.fail(0, 0, withDetail(ErrEnvelope, "IEA without an open interchange, or with a group still open"))
	}
	w.inISA = false
	return w.Segment("IEA", strconv.Itoa(w.groups), w.isaCtl)
}

// BeginGroup writes a GS. GS07 defaults to "X".
func (w *Writer) BeginGroup(h GroupHeader) error {
	if w.err != nil {
		return w.err
	}
	if !w.inISA || w.inGS {
		return w.fail(0, 0, withDetail(ErrEnvelope, "GS outside an interchange or inside a group"))
	}
	if err := w.Segment("GS", h.FunctionalID, h.SenderCode, h.ReceiverCode, h.Date, h.Time, h.ControlNumber,
		orDefault(h.Agency, "X"), h.Version); err != nil {
		return err
	}
	w.inGS = true
	w.gsCtl = h.ControlNumber
	w.groups++
	w.sets = 0
	return nil
}

// EndGroup writes the GE with the number of transaction sets and GS06.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if !w.inGS || w.inST {
		return w.fail(0, 0, withDetail(ErrEnvelope, "GE without an open group, or with a set still open"))
	}
	w.inGS = false
	return w.Segment("GE", strconv.Itoa(w.sets), w.gsCtl)
}

// BeginSet writes an ST.
func (w *Writer) BeginSet(h SetHeader) error {
	if w.err != nil {
		return w.err
	}
	if !w.inGS || w.inST {
		return w.fail(0, 0, withDetail(ErrEnvelope, "ST outside a group or inside a set"))
	}
	w.inST = true
	w.setSegs = 0
	w.stCtl = h.ControlNumber
	w.sets++
	return w.Segment("ST", h.ID, h.ControlNumber, h.Convention)
}

// SetSegments returns the number of segments written in the open
// transaction set so far, ST included. The next segment's position in the
// set (as a 999 IK302 counts it) is SetSegments()+1.
func (w *Writer) SetSegments() int { return w.setSegs }

// EndSet writes the SE with the segment count and ST02.
func (w *Writer) EndSet() error {
	if w.err != nil {
		return w.err
	}
	if !w.inST {
		return w.fail(0, 0, withDetail(ErrEnvelope, "SE without an open set"))
	}
	err := w.Segment("SE", strconv.Itoa(w.setSegs+1), w.stCtl)
	w.inST = false
	return err
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func pad0(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}
