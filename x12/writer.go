package x12

import (
	"bufio"
	"io"
	"strconv"
)

// A Writer writes X12 segments and builds their envelopes.
//
// Segments are written element by element (Begin, Element, Composite,
// Repeated, End) or in one call (Segment, WriteSegment). The writer
// refuses data that contains a delimiter of the interchange, or a line
// break, with an *Error naming the segment, element and component (never
// the value, which may be PHI), instead of writing a corrupt file. Begin
// .. End drops trailing empty elements, components and repetitions.
//
// BeginInterchange, BeginGroup and BeginSet write ISA, GS and ST with the
// caller's control numbers; EndSet, EndGroup and EndInterchange write SE,
// GE and IEA with the counts computed. The ISA is padded to its fixed
// widths.
//
// Output is buffered. Errors stick: after the first error every call
// returns it and nothing more is accepted. Call Flush at the end and check
// its error; it writes out the segments accepted before any error, so a
// caller that gets an error must discard the output.
type Writer struct {
	// Delimiters are the separators to write with. BeginInterchange
	// replaces them with the header's delimiters when those are set.
	// Within an interchange whose version has no repetition separator
	// (ISA12 before 00402) none is used. Set it before the first segment
	// of an interchange.
	Delimiters Delimiters
	// Newline adds a line feed after each segment terminator, for people
	// reading the file (not when the terminator is itself a line feed).
	Newline bool

	w   *bufio.Writer
	err error

	d        Delimiters // delimiters of the segment being written
	cur      Delimiters // delimiters of the open interchange
	tableFor Delimiters // the delimiters bad was built for
	bad      [256]bool  // bytes that may not appear in data
	srcFor   Delimiters // the source delimiters special was built for
	srcSet   bool
	special  [256]bool // bytes WriteSegment must look at: bad plus srcFor's separators

	line    []byte
	id      string
	inSeg   bool
	nElem   int   // elements in the current segment
	written int   // segments written in total
	offset  int64 // bytes written in total

	inISA, inGS, inST bool
	isaCtl, gsCtl     string
	stCtl             string
	interchanges      int
	groups, sets      int
	setSegs           int
}

// NewWriter returns a Writer that writes to w with DefaultDelimiters.
func NewWriter(w io.Writer) *Writer {
	return &Writer{Delimiters: DefaultDelimiters, w: bufio.NewWriterSize(w, 64<<10), line: make([]byte, 0, 512)}
}

// Error returns the first error the writer met, if any.
func (w *Writer) Error() error { return w.err }

// Flush writes buffered data to the underlying writer: every segment
// accepted so far, and so, after an error, exactly the segments before
// it. It returns the writer's first error, if any.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil && w.err == nil {
		w.err = &Error{Pos: Position{Offset: w.offset}, Err: &wrapped{ErrWrite, err}}
	}
	return w.err
}

// delims sets w.d to the delimiters for the next segment and makes sure
// the table of forbidden bytes matches them. It reports false (with the
// error recorded) when the delimiters are not usable.
func (w *Writer) delims() bool {
	d := w.Delimiters
	if w.inISA {
		d = w.cur
	}
	w.d = d
	if d == w.tableFor && d != (Delimiters{}) {
		return true
	}
	if err := d.Validate(); err != nil {
		w.fail(0, 0, err)
		return false
	}
	w.setTable(d)
	return true
}

func (w *Writer) setTable(d Delimiters) {
	w.bad = [256]bool{}
	w.bad[d.Element], w.bad[d.Component], w.bad[d.Segment] = true, true, true
	if d.Repetition != 0 {
		w.bad[d.Repetition] = true
	}
	w.bad['\n'], w.bad['\r'] = true, true
	w.tableFor = d
	w.srcSet = false // special derives from bad
}

// Begin starts a segment with the given identifier, which must be 2 or 3
// upper-case letters or digits.
func (w *Writer) Begin(id string) {
	if w.err != nil {
		return
	}
	if w.inSeg {
		w.fail(0, 0, withDetail(ErrEnvelope, "Begin before End of %s", w.id))
		return
	}
	if !ValidSegmentID(id) {
		w.id = ""
		w.fail(0, 0, withDetail(ErrBadSegmentID, "%s is not 2 or 3 upper-case letters or digits", describeID(id)))
		return
	}
	w.id = id
	if !w.delims() {
		return
	}
	w.inSeg = true
	w.nElem = 0
	w.line = append(w.line[:0], id...)
}

// Element appends a simple element. A value containing a delimiter or a
// line break is refused with ErrDelimiterInData.
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
			w.line = append(w.line, w.d.Component)
		}
		w.appendValue(p, j+1)
	}
	w.trim(w.d.Component)
}

// Repeated appends an element with repetitions. Trailing empty
// repetitions are dropped. It fails with ErrBadValue when there are
// several values and the interchange has no repetition separator.
func (w *Writer) Repeated(values ...string) {
	if !w.startElement() {
		return
	}
	if w.d.Repetition == 0 && len(values) > 1 {
		w.fail(w.nElem, 0, withDetail(ErrBadValue, "repetitions need a repetition separator, and this interchange has none"))
		return
	}
	for j, v := range values {
		if j > 0 {
			w.line = append(w.line, w.d.Repetition)
		}
		w.appendValue(v, 0)
	}
	if w.d.Repetition != 0 {
		w.trim(w.d.Repetition)
	}
}

// RepeatedComposite appends an element whose repetitions are composites,
// each given as its components. Trailing empty components and
// repetitions are dropped. It fails with ErrBadValue when there are
// several repetitions and the interchange has no repetition separator.
func (w *Writer) RepeatedComposite(reps ...[]string) {
	if !w.startElement() {
		return
	}
	if w.d.Repetition == 0 && len(reps) > 1 {
		w.fail(w.nElem, 0, withDetail(ErrBadValue, "repetitions need a repetition separator, and this interchange has none"))
		return
	}
	for r, parts := range reps {
		if r > 0 {
			w.line = append(w.line, w.d.Repetition)
		}
		for j, p := range parts {
			if j > 0 {
				w.line = append(w.line, w.d.Component)
			}
			w.appendValue(p, j+1)
		}
		w.trim(w.d.Component)
	}
	if w.d.Repetition != 0 {
		w.trim(w.d.Repetition)
	}
}

// End finishes the segment, dropping trailing empty elements, and writes
// it.
func (w *Writer) End() error {
	if w.err != nil {
		return w.err
	}
	if !w.inSeg {
		return w.fail(0, 0, withDetail(ErrEnvelope, "End without Begin"))
	}
	w.trim(w.d.Element)
	if w.inST {
		w.setSegs++
	}
	return w.emit()
}

// emit terminates and writes w.line.
func (w *Writer) emit() error {
	w.line = append(w.line, w.d.Segment)
	if w.Newline && w.d.Segment != '\n' {
		w.line = append(w.line, '\n')
	}
	w.inSeg = false
	w.written++
	w.offset += int64(len(w.line))
	if _, err := w.w.Write(w.line); err != nil {
		w.err = &Error{Pos: Position{Interchange: w.interchanges, Segment: w.written, SegmentID: w.id, Offset: w.offset},
			Err: &wrapped{ErrWrite, err}}
	}
	return w.err
}

// Segment writes a whole segment of simple elements, dropping trailing
// empty ones.
func (w *Writer) Segment(id string, elements ...string) error {
	w.Begin(id)
	for _, e := range elements {
		w.Element(e)
	}
	return w.End()
}

// WriteSegment writes a segment read by a Reader (or built by NewSegment),
// re-encoding its components and repetitions with the writer's
// delimiters. It writes the segment as it is: empty trailing elements are
// kept, and envelope segments are not recomputed, so a read → write round
// trip keeps the input's control numbers and counts (and the writer's
// envelope methods do not see these segments).
//
// An ISA is written padded to the fixed widths with the writer's
// Delimiters, except that an interchange read without a repetition
// separator keeps its ISA11 (e.g. "U") and gets none. An ISA element
// longer than its width fails with ErrBadValue.
//
// Data that contains one of the writer's delimiters or a line break fails
// with ErrDelimiterInData; repetitions when the writer has no repetition
// separator fail with ErrBadValue.
func (w *Writer) WriteSegment(s *Segment) error {
	if w.err != nil {
		return w.err
	}
	if s == nil || len(s.elems) == 0 {
		return w.fail(0, 0, withDetail(ErrBadSegmentID, "no segment"))
	}
	if s.id == "ISA" {
		return w.writeISA(s)
	}
	w.Begin(s.id)
	if w.err != nil {
		return w.err
	}
	src, dst := s.delim, w.d
	if src != w.srcFor || !w.srcSet {
		// special marks the bytes that need more than a copy: the source's
		// component and repetition separators, and what the output forbids.
		w.special = w.bad
		w.special[src.Component] = true
		if src.Repetition != 0 {
			w.special[src.Repetition] = true
		}
		w.srcFor, w.srcSet = src, true
	}
	for i := 1; i < len(s.elems); i++ {
		w.nElem = i
		w.line = append(w.line, dst.Element)
		e := s.elems[i]
		comp, from := 1, 0
		for k, c := range e {
			if !w.special[c] {
				continue
			}
			w.line = append(w.line, e[from:k]...)
			from = k + 1
			switch {
			case c == src.Component:
				w.line = append(w.line, dst.Component)
				comp++
			case src.Repetition != 0 && c == src.Repetition:
				if dst.Repetition == 0 {
					return w.fail(i, 0, withDetail(ErrBadValue, "repetitions need a repetition separator, and this interchange has none"))
				}
				w.line = append(w.line, dst.Repetition)
				comp = 1
			default:
				return w.fail(i, comp, withDetail(ErrDelimiterInData, "the value contains %s", w.describe(c)))
			}
		}
		w.line = append(w.line, e[from:]...)
	}
	if w.inST {
		w.setSegs++
	}
	return w.emit()
}

func (w *Writer) writeISA(s *Segment) error {
	h := InterchangeHeader{
		AuthQualifier: s.String(1), AuthInfo: s.String(2), SecurityQualifier: s.String(3), SecurityInfo: s.String(4),
		SenderQualifier: s.String(5), SenderID: s.String(6), ReceiverQualifier: s.String(7), ReceiverID: s.String(8),
		Date: s.String(9), Time: s.String(10), Version: s.String(12), ControlNumber: s.String(13),
		AckRequested: s.String(14), Usage: s.String(15),
	}
	d := w.Delimiters
	isa11 := ""
	if s.delim.Repetition == 0 {
		// The interchange has no repetition separator: keep ISA11 as read
		// (e.g. "U") and use none.
		d.Repetition = 0
		isa11 = s.String(11)
		if isa11 == "" {
			isa11 = " "
		}
	}
	return w.isa(h, d, isa11, true)
}

func (w *Writer) startElement() bool {
	if w.err != nil {
		return false
	}
	if !w.inSeg {
		w.fail(0, 0, withDetail(ErrEnvelope, "element outside a segment (call Begin first)"))
		return false
	}
	w.nElem++
	w.line = append(w.line, w.d.Element)
	return true
}

func (w *Writer) appendValue(v string, comp int) {
	for i := 0; i < len(v); i++ {
		if w.bad[v[i]] {
			w.fail(w.nElem, comp, withDetail(ErrDelimiterInData, "character %d of the value is %s", i+1, w.describe(v[i])))
			return
		}
	}
	w.line = append(w.line, v...)
}

// describe names a forbidden byte without showing any of the data around
// it.
func (w *Writer) describe(c byte) string {
	d := w.d
	switch c {
	case d.Element:
		return "the element separator " + quoteByte(c)
	case d.Component:
		return "the component separator " + quoteByte(c)
	case d.Segment:
		return "the segment terminator " + quoteByte(c)
	case '\n', '\r':
		return "a line break"
	}
	if d.Repetition != 0 && c == d.Repetition {
		return "the repetition separator " + quoteByte(c)
	}
	return "a forbidden character"
}

// trim drops trailing sep bytes, never reaching into the segment ID.
func (w *Writer) trim(sep byte) {
	for len(w.line) > len(w.id) && w.line[len(w.line)-1] == sep {
		w.line = w.line[:len(w.line)-1]
	}
}

// fail records the writer's first error, positioned at element el and
// component comp of the segment being written.
func (w *Writer) fail(el, comp int, err error) error {
	if w.err == nil {
		p := Position{Interchange: w.interchanges, Segment: w.written + 1, SegmentID: w.id, Element: el, Component: comp, Offset: w.offset}
		if w.inST {
			p.SetSegment = w.setSegs + 1
		}
		w.err = &Error{Pos: p, Err: err}
	}
	w.inSeg = false
	return w.err
}

// BeginInterchange writes an ISA. The header's Delimiters, when set,
// become the writer's; ISA11 is the repetition separator (or "U" when
// there is none, or when ISA12 is before 00402) and ISA16 the component
// separator. Version defaults to 00501, the qualifiers ISA01 and ISA03 to
// "00", ISA14 to "0" and ISA15 to "P". Fields are padded with spaces to
// their fixed widths; ISA13 must be 1 to 9 digits and is zero-padded. A
// field longer than its width fails with ErrBadValue.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if w.err != nil {
		return w.err
	}
	if w.inISA {
		w.id = "ISA"
		return w.fail(0, 0, withDetail(ErrEnvelope, "ISA inside an open interchange"))
	}
	if h.Delimiters != (Delimiters{}) {
		w.Delimiters = h.Delimiters
	}
	return w.isa(h, w.Delimiters, "", false)
}

// isa writes an ISA with delimiters d. isa11, when set, is written as
// ISA11 (an interchange without a repetition separator); otherwise ISA11
// is d's repetition separator or "U". Unless raw (an ISA as read), empty
// fields get their defaults, and ISA13 must be 1 to 9 digits; a raw ISA13
// that is not a number is kept as read.
func (w *Writer) isa(h InterchangeHeader, d Delimiters, isa11 string, raw bool) error {
	w.id = "ISA"
	if w.inSeg {
		return w.fail(0, 0, withDetail(ErrEnvelope, "ISA before End of the open segment"))
	}
	if !raw {
		h.Version = orDefault(h.Version, "00501")
		h.AuthQualifier = orDefault(h.AuthQualifier, "00")
		h.SecurityQualifier = orDefault(h.SecurityQualifier, "00")
		h.AckRequested = orDefault(h.AckRequested, "0")
		h.Usage = orDefault(h.Usage, "P")
	}
	if !hasRepetition([]byte(h.Version)) {
		d.Repetition = 0
	}
	if err := d.Validate(); err != nil {
		return w.fail(0, 0, err)
	}
	w.d = d
	w.setTable(d)
	if isa11 == "" {
		isa11 = "U"
		if d.Repetition != 0 {
			isa11 = string(d.Repetition)
		}
	} else if len(isa11) == 1 && w.bad[isa11[0]] {
		return w.fail(11, 0, withDetail(ErrDelimiterInData, "ISA11 is %s", w.describe(isa11[0])))
	}
	ctl := h.ControlNumber
	if n, ok := atoi([]byte(ctl)); ok && len(ctl) <= 9 {
		ctl = pad0(strconv.Itoa(n), 9)
	} else if !raw {
		return w.fail(13, 0, withDetail(ErrBadValue, "ISA13 must be 1 to 9 digits"))
	}
	fields := [15]struct {
		v     string
		width int
	}{
		{h.AuthQualifier, 2}, {h.AuthInfo, 10}, {h.SecurityQualifier, 2}, {h.SecurityInfo, 10},
		{h.SenderQualifier, 2}, {h.SenderID, 15}, {h.ReceiverQualifier, 2}, {h.ReceiverID, 15},
		{h.Date, 6}, {h.Time, 4}, {isa11, 1}, {h.Version, 5}, {ctl, 9},
		{h.AckRequested, 1}, {h.Usage, 1},
	}
	w.inSeg = true
	w.line = append(w.line[:0], "ISA"...)
	for i, f := range fields {
		w.nElem = i + 1
		if len(f.v) > f.width {
			return w.fail(i+1, 0, withDetail(ErrBadValue, "ISA%02d is %d characters; its width is %d", i+1, len(f.v), f.width))
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
	w.line = append(w.line, d.Element, d.Component)
	w.interchanges++
	if err := w.emit(); err != nil {
		return err
	}
	w.cur = d
	w.inISA, w.inGS, w.inST = true, false, false
	w.isaCtl = ctl
	w.groups = 0
	return nil
}

// EndInterchange writes the IEA with the number of groups and ISA13. It
// fails with ErrEnvelope when no interchange is open or a group is still
// open.
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if !w.inISA || w.inGS {
		w.id = "IEA"
		return w.fail(0, 0, withDetail(ErrEnvelope, "IEA without an open interchange, or with a group still open"))
	}
	err := w.Segment("IEA", strconv.Itoa(w.groups), w.isaCtl)
	w.inISA = false
	return err
}

// BeginGroup writes a GS. GS07 defaults to "X". It fails with ErrEnvelope
// outside an interchange or inside a group.
func (w *Writer) BeginGroup(h GroupHeader) error {
	if w.err != nil {
		return w.err
	}
	if !w.inISA || w.inGS {
		w.id = "GS"
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

// EndGroup writes the GE with the number of transaction sets and GS06. It
// fails with ErrEnvelope when no group is open or a set is still open.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if !w.inGS || w.inST {
		w.id = "GE"
		return w.fail(0, 0, withDetail(ErrEnvelope, "GE without an open group, or with a set still open"))
	}
	err := w.Segment("GE", strconv.Itoa(w.sets), w.gsCtl)
	w.inGS = false
	return err
}

// BeginSet writes an ST. It fails with ErrEnvelope outside a group or
// inside a set.
func (w *Writer) BeginSet(h SetHeader) error {
	if w.err != nil {
		return w.err
	}
	if !w.inGS || w.inST {
		w.id = "ST"
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

// EndSet writes the SE with the segment count (ST and SE included) and
// ST02. It fails with ErrEnvelope when no set is open.
func (w *Writer) EndSet() error {
	if w.err != nil {
		return w.err
	}
	if !w.inST {
		w.id = "SE"
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

// WriteFile writes one whole interchange with one functional group to
// out: ISA and GS from the headers, the transaction sets written by sets,
// then GE and IEA with their counts, and flushes. It returns the first
// error of sets or of the writer.
func WriteFile(out io.Writer, isa InterchangeHeader, gs GroupHeader, sets func(w *Writer) error) error {
	w := NewWriter(out)
	w.BeginInterchange(isa)
	w.BeginGroup(gs)
	if err := sets(w); err != nil {
		return err
	}
	w.EndGroup()
	w.EndInterchange()
	return w.Flush()
}
