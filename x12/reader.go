package x12

import (
	"bytes"
	"io"
	"strings"
)

// DefaultMaxSegmentSize is the default limit on the length of one segment.
// Real segments are far shorter; the limit only bounds memory.
const DefaultMaxSegmentSize = 1 << 20

const (
	readChunk   = 64 << 10
	isaSearch   = 512 // how far to look for the 16 ISA element separators
	maxInterned = 4096
)

// ErrorMode selects how the Reader treats errors it can recover from
// (envelope count and control-number mismatches, misplaced segments, bad
// segment identifiers).
type ErrorMode int

const (
	// StopAtFirst returns the first error of any kind from Next, and
	// returns it again from every later call.
	StopAtFirst ErrorMode = iota
	// CollectAll records recoverable errors (see Reader.Errors) and keeps
	// reading; Next returns only fatal errors and io.EOF.
	CollectAll
)

// A Reader reads segments from an X12 stream. It takes the delimiters of
// each interchange from its ISA, checks the envelopes (control numbers and
// counts) as it goes, and holds at most one segment plus one read chunk in
// memory, however large the input.
//
// Accepted input: one or more interchanges, each with its own delimiters;
// optional CR, LF or CRLF (and indentation) between segments; a newline as
// the segment terminator; a leading UTF-8 byte order mark, which is skipped
// and reported by BOM; a last segment without a terminator. Anything other
// than white space before an ISA is an error.
type Reader struct {
	// MaxSegmentSize is the longest segment, in bytes, the reader accepts.
	// A longer segment is an error (ErrSegmentTooLong), never a silent
	// truncation. Zero means DefaultMaxSegmentSize. Set it before the
	// first call to Next.
	MaxSegmentSize int
	// Mode selects the error mode. Set it before the first call to Next.
	Mode ErrorMode

	src      io.Reader
	buf      []byte
	start    int   // first unread byte in buf
	end      int   // end of valid data in buf
	base     int64 // input offset of buf[0]
	eof      bool
	begun    bool
	bom      bool
	sticky   error
	errs     []error
	interned map[string]string

	seg    Segment
	pos    Position
	segOff int64

	inISA, inGS, inST bool
	isa               InterchangeHeader
	gs                GroupHeader
	st                SetHeader
	groups, sets      int
	interchanges      int
	lastSetSeg        int
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{src: r, interned: make(map[string]string)}
}

// BOM reports whether the input began with a UTF-8 byte order mark, which
// the reader skipped.
func (r *Reader) BOM() bool { return r.bom }

// Position returns the position of the segment last returned by Next.
func (r *Reader) Position() Position { return r.pos }

// Interchange returns the header of the current (or last) interchange.
func (r *Reader) Interchange() InterchangeHeader { return r.isa }

// Group returns the header of the current (or last) functional group.
func (r *Reader) Group() GroupHeader { return r.gs }

// Set returns the header of the current (or last) transaction set.
func (r *Reader) Set() SetHeader { return r.st }

// Errors returns every error found so far, recoverable or fatal.
func (r *Reader) Errors() []error { return r.errs }

// Next returns the next segment, or io.EOF after the last one. The segment
// and the slices it returns are valid until the next call.
//
// In StopAtFirst mode every error is returned and then returned again by
// each later call. In CollectAll mode only fatal errors (unreadable input,
// bad ISA, a segment over the size limit) are returned; recoverable ones are
// kept in Errors.
func (r *Reader) Next() (*Segment, error) {
	if r.sticky != nil {
		return nil, r.sticky
	}
	before := len(r.errs)
	err := r.lex()
	switch {
	case err == io.EOF:
		r.closeOpen("the input ends")
	case err != nil:
		r.errs = append(r.errs, err)
	default:
		r.track()
	}
	if r.Mode == StopAtFirst && len(r.errs) > before {
		r.sticky = r.errs[before]
		return nil, r.sticky
	}
	if err != nil {
		r.sticky = err
		return nil, err
	}
	return &r.seg, nil
}

// ReadAll reads every segment of r and returns copies of them. It stops at
// the first error.
func ReadAll(r io.Reader) ([]*Segment, error) {
	rd := NewReader(r)
	var out []*Segment
	for {
		s, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, s.Clone())
	}
}

func (r *Reader) maxSeg() int {
	if r.MaxSegmentSize > 0 {
		return r.MaxSegmentSize
	}
	return DefaultMaxSegmentSize
}

// fill reads more input, compacting the buffer first. It returns io.EOF
// when the input is exhausted and nothing new was read.
func (r *Reader) fill() error {
	if r.eof {
		return io.EOF
	}
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:r.end])
		r.base += int64(r.start)
		r.end = n
		r.start = 0
	}
	if r.end == len(r.buf) {
		size := 2 * len(r.buf)
		if size < readChunk {
			size = readChunk
		}
		if limit := r.maxSeg() + readChunk; size > limit && len(r.buf) >= limit {
			return nil // caller reports the over-long segment
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err == io.EOF {
			r.eof = true
			if n == 0 {
				return io.EOF
			}
			return nil
		}
		if err != nil {
			return &Error{Pos: Position{Interchange: r.interchanges, Segment: r.pos.Segment, Offset: r.base + int64(r.end)}, Err: err}
		}
		if n > 0 {
			return nil
		}
	}
	return &Error{Pos: Position{Offset: r.base + int64(r.end)}, Err: io.ErrNoProgress}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// lex reads the next segment into r.seg.
func (r *Reader) lex() error {
	// Skip white space between segments.
	for {
		for r.start < r.end && isSpace(r.buf[r.start]) {
			r.start++
		}
		if r.start < r.end {
			break
		}
		if err := r.fill(); err != nil {
			if err == io.EOF && !r.begun {
				return &Error{Pos: Position{Offset: 0}, Err: withDetail(ErrNoISA, "empty input")}
			}
			return err
		}
	}
	if !r.begun {
		r.begun = true
		if err := r.need(3); err != nil {
			return err
		}
		if bytes.HasPrefix(r.buf[r.start:r.end], []byte("\xef\xbb\xbf")) {
			r.bom = true
			r.start += 3
			return r.lex()
		}
	}
	if r.inISA && r.atISA() {
		// A new interchange starts before the IEA of the last one.
		r.closeOpen("a new ISA starts")
	}
	if !r.inISA {
		return r.lexISA()
	}
	term := r.isa.Delimiters.Segment
	limit := r.maxSeg()
	for {
		i := bytes.IndexByte(r.buf[r.start:r.end], term)
		if i > limit || (i < 0 && r.end-r.start > limit) {
			return &Error{Pos: Position{Interchange: r.interchanges, Segment: r.pos.Segment + 1, Offset: r.base + int64(r.start)},
				Err: withDetail(ErrSegmentTooLong, "segment exceeds %d bytes", limit)}
		}
		if i >= 0 {
			r.split(r.start, r.start+i)
			r.start += i + 1
			return nil
		}
		if err := r.fill(); err == io.EOF {
			// The last segment has no terminator: take what is left.
			endPos := r.end
			for endPos > r.start && isSpace(r.buf[endPos-1]) {
				endPos--
			}
			r.split(r.start, endPos)
			r.start = r.end
			return nil
		} else if err != nil {
			return err
		}
	}
}

// atISA reports whether the unread input starts with an ISA header.
func (r *Reader) atISA() bool {
	if err := r.need(4); err != nil {
		return false
	}
	d := r.buf[r.start:r.end]
	return len(d) >= 4 && d[0] == 'I' && d[1] == 'S' && d[2] == 'A' && !isAlnum(d[3])
}

// need makes at least n bytes available at r.start, unless the input ends.
func (r *Reader) need(n int) error {
	for r.end-r.start < n {
		if err := r.fill(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
	return nil
}

// lexISA reads an ISA segment and takes the interchange's delimiters from it.
func (r *Reader) lexISA() error {
	off := r.base + int64(r.start)
	pos := Position{Interchange: r.interchanges + 1, Segment: r.pos.Segment + 1, SegmentID: "ISA", Offset: off}
	if err := r.need(isaSearch); err != nil {
		return err
	}
	data := r.buf[r.start:r.end]
	if !bytes.HasPrefix(data, []byte("ISA")) {
		pos.SegmentID = ""
		what := "text before the ISA"
		if r.interchanges > 0 {
			what = "text after IEA where an ISA was expected"
		}
		return &Error{Pos: pos, Err: withDetail(ErrNoISA, "%s: %q", what, preview(data))}
	}
	if len(data) < 4 {
		return &Error{Pos: pos, Err: withDetail(ErrBadISA, "input ends inside the ISA")}
	}
	sep := data[3]
	window := data
	if len(window) > isaSearch {
		window = window[:isaSearch]
	}
	// ISA16 follows the 16th element separator; the terminator follows ISA16.
	idx, found := 0, 0
	for k := 3; k < len(window); k++ {
		if window[k] == sep {
			found++
			if found == 16 {
				idx = k
				break
			}
		}
	}
	if found < 16 || idx+2 >= len(data) {
		return &Error{Pos: pos, Err: withDetail(ErrBadISA, "found %d of 16 element separators %q", found, sep)}
	}
	if idx != 103 {
		// Not the standard fixed width. Accept it: the separators are
		// unambiguous, and real files get the padding wrong.
		_ = idx
	}
	d := Delimiters{Element: sep, Component: data[idx+1], Segment: data[idx+2]}
	raw := data[:idx+2]
	r.seg.delim = d
	r.splitRaw(raw, r.start)
	r.start += idx + 3
	h := InterchangeHeader{
		AuthQualifier:     r.seg.String(1),
		AuthInfo:          r.seg.String(2),
		SecurityQualifier: r.seg.String(3),
		SecurityInfo:      r.seg.String(4),
		SenderQualifier:   strings.TrimSpace(r.seg.String(5)),
		SenderID:          strings.TrimSpace(r.seg.String(6)),
		ReceiverQualifier: strings.TrimSpace(r.seg.String(7)),
		ReceiverID:        strings.TrimSpace(r.seg.String(8)),
		Date:              r.seg.String(9),
		Time:              r.seg.String(10),
		Version:           r.seg.String(12),
		ControlNumber:     r.seg.String(13),
		AckRequested:      r.seg.String(14),
		Usage:             r.seg.String(15),
	}
	if rep := r.seg.Element(11); len(rep) == 1 && h.Version >= "00402" && !isAlnum(rep[0]) && rep[0] != ' ' {
		d.Repetition = rep[0]
	}
	if err := d.Validate(); err != nil {
		return &Error{Pos: pos, Err: err}
	}
	h.Delimiters = d
	r.seg.delim = d
	r.isa = h
	r.inISA = true
	return nil
}

func preview(b []byte) []byte {
	if len(b) > 24 {
		b = b[:24]
	}
	return b
}

// split makes r.seg the segment in r.buf[from:to].
func (r *Reader) split(from, to int) {
	raw := r.buf[from:to]
	if r.isa.Delimiters.Segment == '\n' && len(raw) > 0 && raw[len(raw)-1] == '\r' {
		raw = raw[:len(raw)-1]
	}
	r.splitRaw(raw, from)
}

func (r *Reader) splitRaw(raw []byte, from int) {
	sep := r.seg.delim.Element
	elems := r.seg.elems[:0]
	for {
		i := bytes.IndexByte(raw, sep)
		if i < 0 {
			elems = append(elems, raw)
			break
		}
		elems = append(elems, raw[:i])
		raw = raw[i+1:]
	}
	r.seg.elems = elems
	r.seg.id = r.intern(elems[0])
	r.segOff = r.base + int64(from)
}

func (r *Reader) intern(b []byte) string {
	if s, ok := r.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.interned) < maxInterned {
		r.interned[s] = s
	}
	return s
}

func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// track updates the envelope state with r.seg and records envelope errors.
func (r *Reader) track() {
	id := r.seg.id
	r.pos = Position{Interchange: r.interchanges, Segment: r.pos.Segment + 1, SegmentID: id, Offset: r.segOff}
	switch id {
	case "ISA":
		r.interchanges++
		r.pos.Interchange = r.interchanges
		r.groups = 0
		r.inGS, r.inST = false, false
	case "IEA":
		r.closeGroup("IEA")
		r.check(1, "IEA01", "functional groups", r.groups)
		r.checkControl(2, "ISA13", "IEA02", r.isa.ControlNumber)
		r.inISA = false
	case "GS":
		if r.inGS {
			r.closeGroup("GS")
		}
		r.gs = GroupHeader{
			FunctionalID: r.seg.String(1), SenderCode: r.seg.String(2), ReceiverCode: r.seg.String(3),
			Date: r.seg.String(4), Time: r.seg.String(5), ControlNumber: r.seg.String(6),
			Agency: r.seg.String(7), Version: r.seg.String(8),
		}
		r.inGS = true
		r.groups++
		r.sets = 0
	case "GE":
		if !r.inGS {
			r.fail(0, withDetail(ErrUnexpectedSegment, "GE without GS"))
			return
		}
		r.closeSet("GE")
		r.check(1, "GE01", "transaction sets", r.sets)
		r.checkControl(2, "GS06", "GE02", r.gs.ControlNumber)
		r.inGS = false
	case "ST":
		if r.inST {
			r.closeSet("ST")
		}
		if !r.inGS {
			r.fail(0, withDetail(ErrUnexpectedSegment, "ST outside a functional group"))
		}
		r.st = SetHeader{ID: r.seg.String(1), ControlNumber: r.seg.String(2), Convention: r.seg.String(3)}
		r.inST = true
		r.sets++
		r.pos.SetSegment = 1
	case "SE":
		if !r.inST {
			r.fail(0, withDetail(ErrUnexpectedSegment, "SE without ST"))
			return
		}
		r.pos.SetSegment = r.setSegs() + 1
		r.check(1, "SE01", "segments", r.pos.SetSegment)
		r.checkControl(2, "ST02", "SE02", r.st.ControlNumber)
		r.inST = false
	case "TA1":
		if r.inGS {
			r.fail(0, withDetail(ErrUnexpectedSegment, "TA1 inside a functional group"))
		}
	default:
		if !validID(id) {
			r.fail(0, withDetail(ErrBadSegmentID, "%q", preview([]byte(id))))
		}
		if r.inST {
			r.pos.SetSegment = r.setSegs() + 1
		} else {
			r.fail(0, withDetail(ErrUnexpectedSegment, "%s outside a transaction set", id))
		}
	}
	r.lastSetSeg = r.pos.SetSegment
}

func (r *Reader) setSegs() int { return r.lastSetSeg }

// closeSet reports a transaction set left open when trailer arrives.
func (r *Reader) closeSet(by string) {
	if r.inST {
		r.fail(0, withDetail(ErrMissingTrailer, "transaction set %s has no SE before %s", r.st.ControlNumber, by))
		r.inST = false
	}
}

func (r *Reader) closeGroup(by string) {
	if !r.inISA {
		return
	}
	r.closeSet(by)
	if r.inGS {
		r.fail(0, withDetail(ErrMissingTrailer, "functional group %s has no GE before %s", r.gs.ControlNumber, by))
		r.inGS = false
	}
}

// closeOpen records errors for envelopes left open when the input ends or a
// new interchange begins.
func (r *Reader) closeOpen(why string) {
	pos := Position{Interchange: r.interchanges, Segment: r.pos.Segment, Offset: r.base + int64(r.start)}
	if r.inST {
		r.errs = append(r.errs, &Error{Pos: pos, Err: withDetail(ErrMissingTrailer, "%s inside transaction set %s (no SE)", why, r.st.ControlNumber)})
	}
	if r.inGS {
		r.errs = append(r.errs, &Error{Pos: pos, Err: withDetail(ErrMissingTrailer, "%s inside functional group %s (no GE)", why, r.gs.ControlNumber)})
	}
	if r.inISA {
		r.errs = append(r.errs, &Error{Pos: pos, Err: withDetail(ErrMissingTrailer, "%s inside interchange %s (no IEA)", why, r.isa.ControlNumber)})
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
	r.errs = append(r.errs, &Error{Pos: p, Err: err})
}

func (r *Reader) elementOffset(el int) int64 {
	off := r.segOff
	for k := 0; k < el && k < len(r.seg.elems); k++ {
		off += int64(len(r.seg.elems[k]) + 1)
	}
	return off
}

// check compares a trailer count with what was counted.
func (r *Reader) check(el int, name, what string, counted int) {
	v := r.seg.Element(el)
	n, ok := atoi(v)
	if !ok {
		r.fail(el, withDetail(ErrBadNumber, "%s %q is not a number", name, v))
		return
	}
	if n != counted {
		r.fail(el, &CountError{Element: name, Declared: n, Counted: counted, What: what})
	}
}

// checkControl compares a trailer control number with its header's.
func (r *Reader) checkControl(el int, header, trailer, want string) {
	got := r.seg.Element(el)
	if sameControl(got, want) {
		return
	}
	r.fail(el, &ControlError{Header: header, Trailer: trailer, HeaderValue: want, TrailerValue: string(got)})
}

// sameControl compares control numbers numerically when both are numbers
// ("000000011" equals "11"), and as text otherwise.
func sameControl(a []byte, b string) bool {
	x, ok1 := atoi(a)
	y, ok2 := atoi([]byte(strings.TrimSpace(b)))
	if ok1 && ok2 {
		return x == y
	}
	return strings.TrimSpace(string(a)) == strings.TrimSpace(b)
}

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
