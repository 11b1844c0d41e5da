package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// checkError fails unless err is an *Error with a known cause and an
// offset inside the input.
func checkError(t *testing.T, err error, size int) {
	t.Helper()
	var xe *Error
	if !errors.As(err, &xe) {
		t.Fatalf("error %v is a %T, want *Error", err, err)
	}
	if xe.Pos.Offset < 0 || xe.Pos.Offset > int64(size) {
		t.Fatalf("error %v: offset %d outside the input of %d bytes", err, xe.Pos.Offset, size)
	}
	for _, s := range sentinelErrors() {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v has no sentinel cause", err)
}

// FuzzReader reads arbitrary input in every mode: it must never panic,
// never loop, and every error must be a positioned *Error with a sentinel
// cause. Seeds are in testdata/fuzz/FuzzReader.
func FuzzReader(f *testing.F) {
	f.Add([]byte(interchange(std, "000000001")))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The word-at-a-time split agrees with bytes.Split.
		if len(data) > 0 {
			sp := NewReader(nil)
			sp.seg.delim.Element = data[0]
			sp.split(data)
			want := bytes.Split(data, data[:1])
			if len(sp.seg.elems) != len(want) {
				t.Fatalf("split gives %d elements, bytes.Split %d", len(sp.seg.elems), len(want))
			}
			for i := range want {
				if !bytes.Equal(sp.seg.elems[i], want[i]) {
					t.Fatalf("element %d: split %q, bytes.Split %q", i, sp.seg.elems[i], want[i])
				}
			}
		}
		for _, mode := range []ErrorMode{StopAtFirst, CollectAll} {
			for _, strict := range []bool{false, true} {
				rd := NewReader(bytes.NewReader(data))
				rd.Mode = mode
				rd.Strict = strict
				rd.MaxSegmentSize = 512
				rd.MaxErrors = 20
				segs := 0
				for {
					s, err := rd.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						checkError(t, err, len(data))
						if _, again := rd.Next(); again != err {
							t.Fatalf("Next after %v returned %v, want the same error", err, again)
						}
						break
					}
					segs++
					if segs > len(data)+1 {
						t.Fatalf("%d segments from %d bytes", segs, len(data))
					}
					touch(s)
				}
				for _, e := range rd.Errors() {
					checkError(t, e, len(data))
				}
				if len(rd.Errors()) > rd.MaxErrors+1 {
					t.Fatalf("%d errors kept, limit %d", len(rd.Errors()), rd.MaxErrors)
				}
			}
		}
	})
}

// touch reads every part of a segment, so that out-of-range accesses
// would panic.
func touch(s *Segment) {
	_ = s.ID()
	_ = s.Text()
	for i := -1; i <= s.Len()+1; i++ {
		_ = s.Element(i)
		_ = s.Has(i)
		_ = s.String(i)
		for r := 0; r <= s.Repetitions(i)+1; r++ {
			_ = s.Repetition(i, r)
			for j := 0; j <= s.Components(i)+1; j++ {
				_ = s.RepComponent(i, r, j)
				_ = s.Component(i, j)
			}
		}
	}
}

// canonLoose is canon for the fuzzer: ISA elements are compared without
// the padding the writer adds, and ISA13 as a number.
func canonLoose(s *Segment) string {
	if s.ID() != "ISA" {
		return canon(s)
	}
	var b strings.Builder
	b.WriteString("ISA")
	for i := 1; i <= s.Len(); i++ {
		if i == 11 || i == 16 {
			continue
		}
		v := strings.TrimRight(s.String(i), " ")
		if i == 13 {
			if n, ok := atoi([]byte(v)); ok {
				v = fmt.Sprint(n)
			}
		}
		fmt.Fprintf(&b, " |%q", v)
	}
	return b.String()
}

// FuzzRoundTrip reads arbitrary input and, when it reads, writes it back
// with its own delimiters and with other ones: the segments read back
// must be the same. The writer may refuse data that does not fit (a
// delimiter or line break in the data, a bad segment ID, an ISA element
// too wide), but only with those errors. Seeds are in
// testdata/fuzz/FuzzRoundTrip.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(interchange(std, "000000001")))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data))
		rd.Mode = CollectAll
		rd.MaxSegmentSize = 4096
		var segs []*Segment
		for {
			s, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // not readable: FuzzReader covers it
			}
			segs = append(segs, s.Clone())
		}
		for _, rt := range roundTripDelims {
			out, err := writeAll(segs, rt.d, len(data)%2 == 0)
			if err != nil {
				if errors.Is(err, ErrDelimiterInData) || errors.Is(err, ErrBadSegmentID) || errors.Is(err, ErrBadValue) {
					continue
				}
				t.Fatalf("%s: write: %v", rt.name, err)
			}
			back := NewReader(bytes.NewReader(out))
			back.Mode = CollectAll
			back.MaxSegmentSize = 4096
			for i := 0; ; i++ {
				s, err := back.Next()
				if err == io.EOF {
					if i != len(segs) {
						t.Fatalf("%s: %d segments read back, want %d\noutput %q", rt.name, i, len(segs), out)
					}
					break
				}
				if err != nil {
					t.Fatalf("%s: reading back: %v\noutput %q", rt.name, err, out)
				}
				if i >= len(segs) {
					t.Fatalf("%s: more segments read back than written\noutput %q", rt.name, out)
				}
				if g, w := canonLoose(s), canonLoose(segs[i]); g != w {
					t.Fatalf("%s: segment %d\n got %s\nwant %s\noutput %q", rt.name, i+1, g, w, out)
				}
			}
		}
	})
}
