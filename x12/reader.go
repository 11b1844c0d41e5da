package x12

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
)

// DefaultMaxSegmentSize is the default limit on the length of one segment,
// in bytes, terminator excluded. Real segments are far shorter; the limit
// only bounds memory.
const DefaultMaxSegmentSize = 1 << 20

// DefaultMaxErrors is the default number of errors a Reader collects in
// CollectAll mode before it gives up with ErrTooManyErrors.
const DefaultMaxErrors = 1000

const (
	readChunk   = 64 << 10 // bytes asked of the source per read, and the minimum buffer
	isaWindow   = 512      // how far to look for the 16 ISA element separators
	maxInterned = 4096     // distinct segment IDs kept by the interning map
	idTableBits = 8        // the ID table in front of the interning map has 1<<idTableBits slots
)

// ErrorMode selects how the Reader treats errors it can recover from
// (envelope count and control-number mismatches, misplaced segments, bad
// or empty segments).
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
// memory, however large the input. The package documentation lists
// exactly what it accepts.
//
// Options are the exported fields; set them before the first call to Next.
type Reader struct {
	// MaxSegmentSize is the longest segment, in bytes without its
	// terminator, that the reader accepts. A longer segment is a fatal
	// error (ErrSegmentTooLong), never a silent truncation. Zero means
	// DefaultMaxSegmentSize. The ISA is always read whole (it is at most
	// a few hundred bytes), whatever the limit.
	MaxSegmentSize int
	// Mode selects the error mode. The zero value is StopAtFirst.
	Mode ErrorMode
	// MaxErrors bounds the errors kept in CollectAll mode, and so the
	// memory they use. When it is reached, Next returns a fatal error
	// wrapping ErrTooManyErrors. Zero means DefaultMaxErrors.
	MaxErrors int
	// Strict adds checks that many real senders fail without harming the
	// data: ISA elements at their fixed widths, no trailing element,
	// component or repetition separators, and control numbers that match
	// character for character (otherwise "0001" matches "1").
	Strict bool

	src   io.Reader
	buf   []byte
	start int   // first unread byte in buf
	end   int   // end of valid data in buf
	base  int64 // input offset of buf[0]
	eof   bool

	begun  bool // the BOM check is done
	bom    bool
	sticky error
	errs   []error

	interned map[string]string
	idTable  [1 << idTableBits]idEntry
	idCount  int

	seg      Segment
	pos      Position
	segments int // segments read so far (empty segments excluded)

	inISA, inGS, inST bool
	isa               InterchangeHeader
	gs                GroupHeader
	st                SetHeader
	groups, sets      int
	setSegs           int // segments of the open transaction set so far
	interchanges      int
}

// NewReader returns a Reader that reads from r, in StopAtFirst mode with
// the default limits.
func NewReader(r io.Reader) *Reader {
	return &Reader{src: r, interned: make(map[string]string)}
}

// BOM reports whether the input began with a UTF-8 byte order mark, which
// the reader skipped. Offsets still count its three bytes.
func (r *Reader) BOM() bool { return r.bom }

// Position returns the position of the segment last returned by Next.
func (r *Reader) Position() Position { return r.pos }

// Interchange returns the header of the current (or last) interchange.
func (r *Reader) Interchange() InterchangeHeader { return r.isa }

// Group returns the header of the current (or last) functional group.
func (r *Reader) Group() GroupHeader { return r.gs }

// Set returns the header of the current (or last) transaction set.
func (r *Reader) Set() SetHeader { return r.st }

// Errors returns every error found so far, recoverable or fatal, in the
// order found. Each is an *Error. The slice is the reader's own; do not
// modify it.
func (r *Reader) Errors() []error { return r.errs }

// Next returns the next segment, or io.EOF after the last one. The segment
// and the slices it returns are valid until the next call; use
// Segment.Clone or the String methods to keep data.
//
// In StopAtFirst mode every error is returned, and then returned again by
// each later call. In CollectAll mode only fatal errors (unreadable input,
// text where an ISA must be, a bad ISA, a segment over the size limit, too
// many errors) are returned; recoverable ones are kept in Errors and the
// segment is returned as read. Envelopes left open at the end of the input
// are reported (ErrMissingTrailer) before io.EOF. An empty segment is
// reported (ErrEmptySegment) and skipped.
func (r *Reader) Next() (*Segment, error) {
	for {
		if r.sticky != nil {
			return nil, r.sticky
		}
		before := len(r.errs)
		ok, err := r.next()
		if err == io.EOF {
			err = r.finish()
		}
		if err != nil && err != io.EOF {
			r.addErr(err)
		}
		if r.Mode == StopAtFirst && len(r.errs) > before {
			r.sticky = r.errs[before]
			return nil, r.sticky
		}
		if err != nil && r.sticky == nil {
			r.sticky = err
		}
		if r.sticky != nil { // err, or too many errors
			return nil, r.sticky
		}
		if ok {
			return &r.seg, nil
		}
	}
}

// ReadAll reads every segment of r and returns copies of them. It stops at
// the first error and returns it with the segments read before it.
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

func (r *Reader) maxErrs() int {
	if r.MaxErrors > 0 {
		return r.MaxErrors
	}
	return DefaultMaxErrors
}

// addErr records an error. Past the limit it records one last error and
// makes the reader stop.
func (r *Reader) addErr(err error) {
	if r.sticky != nil {
		return
	}
	if len(r.errs) >= r.maxErrs() {
		pos := r.pos
		var last *Error
		if errors.As(err, &last) {
			pos = last.Pos
		}
		e := &Error{Pos: pos, Err: withDetail(ErrTooManyErrors, "stopped after %d errors", len(r.errs))}
		r.errs = append(r.errs, e)
		r.sticky = e
		return
	}
	r.errs = append(r.errs, err)
}

func (r *Reader) offset() int64 { return r.base + int64(r.start) }

// fill reads more input, compacting the buffer first and growing it up to
// the segment limit. It returns io.EOF when the input is exhausted and
// nothing new was read, and nil without reading when the buffer is full at
// its limit (the caller then reports the over-long segment).
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
		limit := r.maxSeg() + readChunk
		if len(r.buf) >= limit {
			return nil
		}
		size := 2 * len(r.buf)
		if size < readChunk {
			size = readChunk
		}
		if size > limit {
			size = limit
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.src.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			n = 0
			err = io.ErrShortBuffer
		}
		r.end += n
		if err == io.EOF {
			r.eof = true
			if n == 0 {
				return io.EOF
			}
			return nil
		}
		if err != nil {
			return &Error{Pos: Position{Interchange: r.interchanges, Segment: r.segments + 1, Offset: r.base + int64(r.end)},
				Err: &wrapped{ErrRead, err}}
		}
		if n > 0 {
			return nil
		}
	}
	return &Error{Pos: Position{Interchange: r.interchanges, Segment: r.segments + 1, Offset: r.base + int64(r.end)},
		Err: &wrapped{ErrRead, io.ErrNoProgress}}
}

// need makes at least n bytes available at r.start, unless the input ends
// first.
func (r *Reader) need(n int) error {
	for r.end-r.start < n {
		have := r.end - r.start
		if err := r.fill(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if r.end-r.start == have {
			return nil // buffer full at its limit
		}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// next reads the next segment into r.seg and tracks the envelopes. It
// reports false with a nil error when it skipped an empty segment, and
// returns io.EOF at the end of the input.
func (r *Reader) next() (bool, error) {
	if !r.begun {
		r.begun = true
		if err := r.need(3); err != nil {
			return false, err
		}
		if r.end-r.start >= 3 && r.buf[r.start] == 0xEF && r.buf[r.start+1] == 0xBB && r.buf[r.start+2] == 0xBF {
			r.bom = true
			r.start += 3
		}
	}
	// Skip the line breaks and indentation between segments.
	for {
		for r.start < r.end && isSpace(r.buf[r.start]) {
			r.start++
		}
		if r.start < r.end {
			break
		}
		if err := r.fill(); err != nil {
			return false, err
		}
	}
	if !r.inISA {
		return r.lexISA()
	}
	if r.buf[r.start] == 'I' && r.atISA() {
		// A new interchange starts before the IEA of the open one.
		r.closeOpen(false)
		return r.lexISA()
	}
	return r.lexSegment()
}

// finish runs at the end of the input. It reports envelopes left open, and
// returns a fatal error when the input held no interchange at all.
func (r *Reader) finish() error {
	if r.interchanges == 0 {
		what := "the input is empty"
		if r.offset() > 0 {
			what = "the input holds only white space"
			if r.bom && r.offset() == 3 {
				what = "the input holds only a byte order mark"
			}
		}
		return &Error{Pos: Position{Offset: r.offset()}, Err: withDetail(ErrNoISA, "%s", what)}
	}
	r.closeOpen(true)
	return io.EOF
}

// atISA reports whether the unread input starts with an ISA header: "ISA"
// and then a byte that is not a letter or digit, or the end of the input.
func (r *Reader) atISA() bool {
	if err := r.need(4); err != nil {
		return false
	}
	d := r.buf[r.start:r.end]
	return len(d) >= 3 && d[0] == 'I' && d[1] == 'S' && d[2] == 'A' && (len(d) == 3 || !isAlnum(d[3]))
}

// lexSegment reads one segment of the open interchange.
func (r *Reader) lexSegment() (bool, error) {
	term := r.isa.Delimiters.Segment
	limit := r.maxSeg()
	scanned := 0 // bytes after r.start known to hold no terminator
	for {
		i := bytes.IndexByte(r.buf[r.start+scanned:r.end], term)
		if i >= 0 {
			n := scanned + i
			if n > limit {
				return false, r.tooLong(limit)
			}
			from := r.start
			r.start += n + 1
			return r.take(from, from+n), nil
		}
		scanned = r.end - r.start
		if scanned > limit {
			return false, r.tooLong(limit)
		}
		if err := r.fill(); err == io.EOF {
			// The last segment has no terminator: take what is left.
			to := r.end
			for to > r.start && isSpace(r.buf[to-1]) {
				to--
			}
			from := r.start
			r.start = r.end
			return r.take(from, to), nil
		} else if err != nil {
			return false, err
		}
	}
}

func (r *Reader) tooLong(limit int) error {
	return &Error{Pos: Position{Interchange: r.interchanges, Segment: r.segments + 1, Offset: r.offset()},
		Err: withDetail(ErrSegmentTooLong, "no segment terminator %s within %d bytes (Reader.MaxSegmentSize)", quoteByte(r.isa.Delimiters.Segment), limit)}
}

// take makes r.buf[from:to] the current segment and tracks it. It reports
// false for an empty segment, which it records as an error and skips.
func (r *Reader) take(from, to int) bool {
	raw := r.buf[from:to]
	if r.isa.Delimiters.Segment == '\n' && len(raw) > 0 && raw[len(raw)-1] == '\r' {
		raw = raw[:len(raw)-1]
	}
	off := r.base + int64(from)
	if len(raw) == 0 {
		r.addErr(&Error{Pos: Position{Interchange: r.interchanges, Segment: r.segments + 1, SetSegment: r.setSegIndex(), Offset: off},
			Err: withDetail(ErrEmptySegment, "a segment terminator %s follows the previous one with nothing between (not counted)", quoteByte(r.isa.Delimiters.Segment))})
		return false
	}
	r.split(raw)
	r.track(off)
	return true
}

func (r *Reader) setSegIndex() int {
	if r.inST {
		return r.setSegs + 1
	}
	return 0
}

// split cuts raw into elements. Only the element separator is looked at
// here; components and repetitions are split on access. Elements are
// short (a separator every few bytes), so instead of a call to
// bytes.IndexByte per element it tests eight bytes at a time for the
// separator (SWAR) and walks the matches.
func (r *Reader) split(raw []byte) {
	sep := r.seg.delim.Element
	elems := r.seg.elems[:0]
	last := 0
	i := 0
	pattern := uint64(sep) * lsb
	for ; i+8 <= len(raw); i += 8 {
		x := binary.LittleEndian.Uint64(raw[i:]) ^ pattern
		// Exact zero-byte test: the high bit of each byte of m is set
		// where x has a zero byte, that is where raw has sep.
		m := ^(((x & low7) + low7) | x | low7)
		for m != 0 {
			k := i + bits.TrailingZeros64(m)>>3
			elems = append(elems, raw[last:k:k])
			last = k + 1
			m &= m - 1
		}
	}
	for ; i < len(raw); i++ {
		if raw[i] == sep {
			elems = append(elems, raw[last:i:i])
			last = i + 1
		}
	}
	elems = append(elems, raw[last:len(raw):len(raw)])
	r.seg.elems = elems
	r.seg.id = r.intern(elems[0])
}

const (
	lsb  = 0x0101010101010101
	low7 = 0x7f7f7f7f7f7f7f7f
)

// idEntry is one slot of the segment ID table.
type idEntry struct {
	key uint32 // length<<24 | bytes, for IDs of 1 to 3 bytes
	id  string
}

// intern returns the segment ID as a string without allocating for IDs
// seen before. IDs of up to three bytes are kept in a small open-addressing
// table keyed by their bytes (no string hashing or comparing); longer IDs,
// and short ones once the table is half full, go to the interning map.
func (r *Reader) intern(b []byte) string {
	if len(b) == 0 || len(b) > 3 {
		return r.internMap(b)
	}
	key := uint32(len(b))<<24 | uint32(b[0])
	if len(b) > 1 {
		key |= uint32(b[1]) << 8
		if len(b) > 2 {
			key |= uint32(b[2]) << 16
		}
	}
	const mask = 1<<idTableBits - 1
	for i := (key * 0x9E3779B1) >> (32 - idTableBits); ; i = (i + 1) & mask {
		e := &r.idTable[i]
		if e.key == key {
			return e.id
		}
		if e.key == 0 {
			s := r.internMap(b)
			if r.idCount < 1<<(idTableBits-1) {
				e.key, e.id = key, s
				r.idCount++
			}
			return s
		}
	}
}

func (r *Reader) internMap(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := r.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.interned) < maxInterned {
		r.interned[s] = s
	}
	return s
}

// ValidSegmentID reports whether id has the shape of a segment identifier:
// two or three upper-case letters and digits.
func ValidSegmentID(id string) bool {
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
