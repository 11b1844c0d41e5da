package x12

import (
	"bytes"
	"strings"
)

// Segment is one X12 segment. Elements are numbered as in the
// implementation guides: Element(1) of a CLM segment is CLM01, and
// Component(5, 3) is CLM05-3.
//
// The byte slices returned by Element, Component and Repetition point into
// the Reader's buffer and are valid only until the next call to
// Reader.Next. The String methods and Clone return copies.
type Segment struct {
	id    string
	elems [][]byte // elems[0] is the segment ID
	delim Delimiters
}

// NewSegment builds a segment from an ID and element values. Composite
// values use the component separator of d. It is meant for tests and small
// tools; the Writer has a faster, checked API.
func NewSegment(d Delimiters, id string, elements ...string) *Segment {
	s := &Segment{id: id, delim: d, elems: make([][]byte, 0, len(elements)+1)}
	s.elems = append(s.elems, []byte(id))
	for _, e := range elements {
		s.elems = append(s.elems, []byte(e))
	}
	return s
}

// ID returns the segment identifier, e.g. "CLM".
func (s *Segment) ID() string { return s.id }

// Len returns the number of elements after the ID, counting empty ones up
// to the last element present.
func (s *Segment) Len() int { return len(s.elems) - 1 }

// Delimiters returns the delimiters of the interchange the segment was
// read from.
func (s *Segment) Delimiters() Delimiters { return s.delim }

// Element returns element i (1-based) with its components and repetitions
// unsplit, or nil when the segment has no such element.
func (s *Segment) Element(i int) []byte {
	if i <= 0 || i >= len(s.elems) {
		return nil
	}
	return s.elems[i]
}

// Has reports whether element i is present and not empty.
func (s *Segment) Has(i int) bool { return len(s.Element(i)) > 0 }

// Repetitions returns how many repetitions element i has (0 if absent).
func (s *Segment) Repetitions(i int) int {
	e := s.Element(i)
	if e == nil {
		return 0
	}
	if s.delim.Repetition == 0 {
		return 1
	}
	return bytes.Count(e, []byte{s.delim.Repetition}) + 1
}

// Repetition returns repetition r (1-based) of element i, or nil.
func (s *Segment) Repetition(i, r int) []byte {
	e := s.Element(i)
	if e == nil || r <= 0 {
		return nil
	}
	if s.delim.Repetition == 0 {
		if r == 1 {
			return e
		}
		return nil
	}
	return nth(e, s.delim.Repetition, r)
}

// Components returns how many components the first repetition of element
// i has (0 if absent).
func (s *Segment) Components(i int) int {
	e := s.Repetition(i, 1)
	if e == nil {
		return 0
	}
	return bytes.Count(e, []byte{s.delim.Component}) + 1
}

// Component returns component j (1-based) of the first repetition of
// element i, or nil.
func (s *Segment) Component(i, j int) []byte {
	return s.RepComponent(i, 1, j)
}

// RepComponent returns component j of repetition r of element i, or nil.
func (s *Segment) RepComponent(i, r, j int) []byte {
	e := s.Repetition(i, r)
	if e == nil || j <= 0 {
		return nil
	}
	return nth(e, s.delim.Component, j)
}

// String returns a copy of element i as a string ("" if absent).
func (s *Segment) String(i int) string { return string(s.Element(i)) }

// ComponentString returns a copy of component j of element i.
func (s *Segment) ComponentString(i, j int) string { return string(s.Component(i, j)) }

// Clone returns a deep copy that stays valid after the Reader moves on.
func (s *Segment) Clone() *Segment {
	n := 0
	for _, e := range s.elems {
		n += len(e)
	}
	buf := make([]byte, 0, n)
	c := &Segment{id: s.id, delim: s.delim, elems: make([][]byte, len(s.elems))}
	for i, e := range s.elems {
		start := len(buf)
		buf = append(buf, e...)
		c.elems[i] = buf[start:len(buf):len(buf)]
	}
	return c
}

// Text renders the segment with its own delimiters, without the
// terminator. It allocates; use it for messages and tests.
func (s *Segment) Text() string {
	var b strings.Builder
	for i, e := range s.elems {
		if i > 0 {
			b.WriteByte(s.delim.Element)
		}
		b.Write(e)
	}
	return b.String()
}

// nth returns the n-th (1-based) sep-separated part of b, or nil.
func nth(b []byte, sep byte, n int) []byte {
	for k := 1; ; k++ {
		i := bytes.IndexByte(b, sep)
		if k == n {
			if i < 0 {
				return b
			}
			return b[:i]
		}
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
}

// ElementOffset returns the byte offset of element i from the start of
// the segment (0 for the segment itself), so that an element's position
// in the input is the segment's offset plus this.
func (s *Segment) ElementOffset(i int) int { return segOffset(s, i) }
