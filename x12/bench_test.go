package x12

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"testing"
)

// benchSize is the least size of the generated benchmark input.
const benchSize = 10 << 20

// big835 builds an 835 of at least size bytes from testdata/sample835.edi
// (our own text, shaped like a real remittance): its claim loops are
// repeated, with fresh claim numbers, inside one transaction set whose
// SE01 is computed, so the result is envelope-valid. newline puts a line
// feed after every terminator; without it the whole file is one line. It
// returns the file and its number of segments.
func big835(tb testing.TB, size int, newline bool) ([]byte, int) {
	tb.Helper()
	sample, err := os.ReadFile("testdata/sample835.edi")
	if err != nil {
		tb.Fatal(err)
	}
	segs, err := ReadAll(bytes.NewReader(sample))
	if err != nil {
		tb.Fatalf("sample835.edi: %v", err)
	}
	firstCLP, plb := -1, -1
	for i, s := range segs {
		switch s.ID() {
		case "CLP":
			if firstCLP < 0 {
				firstCLP = i
			}
		case "PLB":
			plb = i
		}
	}
	if firstCLP < 0 || plb < 0 {
		tb.Fatal("sample835.edi needs CLP and PLB segments")
	}
	var out bytes.Buffer
	out.Grow(size + size/8)
	w := NewWriter(&out)
	w.Newline = newline
	n := 0
	put := func(s *Segment) {
		if err := w.WriteSegment(s); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	for _, s := range segs[:firstCLP] {
		put(s)
	}
	inSet := firstCLP - 2 // ST is segs[2]
	for k := 0; out.Len() < size; k++ {
		for _, s := range segs[firstCLP:plb] {
			if s.ID() == "CLP" {
				c := s.Clone()
				c.elems[1] = strconv.AppendInt(append([]byte("CLM"), c.elems[1]...), int64(k), 10)
				s = c
			}
			put(s)
			inSet++
		}
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	put(segs[plb])
	inSet += 2 // PLB and SE
	put(NewSegment(segs[0].Delimiters(), "SE", strconv.Itoa(inSet), "0001"))
	for _, s := range segs[len(segs)-2:] {
		put(s)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes(), n
}

// reportCPU reports throughput per second of CPU time used since start
// ("cpu-MB/s"), which stays meaningful when other processes load the
// machine and stretch the wall-clock MB/s.
func reportCPU(b *testing.B, start float64, size int) {
	if start == 0 {
		return
	}
	if used := cpuSeconds() - start; used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/used, "cpu-MB/s")
	}
}

func readAllSegments(tb testing.TB, data []byte) int {
	rd := NewReader(bytes.NewReader(data))
	n := 0
	for {
		_, err := rd.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
}

// BenchmarkReader reads a 10 MB 835 with one segment per line (the common
// layout) and all on one line.
func BenchmarkReader(b *testing.B) {
	for _, bc := range []struct {
		name    string
		newline bool
	}{{"lines", true}, {"oneline", false}} {
		b.Run(bc.name, func(b *testing.B) {
			data, n := big835(b, benchSize, bc.newline)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu := cpuSeconds()
			for b.Loop() {
				if got := readAllSegments(b, data); got != n {
					b.Fatalf("read %d segments, want %d", got, n)
				}
			}
			reportCPU(b, cpu, len(data))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/segment")
		})
	}
}

// BenchmarkWriter writes the same 835: "segments" re-encodes the read
// segments with WriteSegment (a round trip), "elements" builds every
// segment with Begin, Element and Composite from prepared strings, as a
// transaction-set builder does (the sample's claims, repeated as often as
// in the 10 MB file).
func BenchmarkWriter(b *testing.B) {
	data, _ := big835(b, benchSize, true)
	segs, err := ReadAll(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("segments", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		cpu := cpuSeconds()
		defer reportCPU(b, cpu, len(data))
		for b.Loop() {
			w := NewWriter(io.Discard)
			w.Newline = true
			for _, s := range segs {
				if err := w.WriteSegment(s); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	})

	// The element-wise form of the sample's segments.
	type elem struct {
		parts []string
		comp  bool
	}
	type seg struct {
		id    string
		elems []elem
	}
	sample, err := os.ReadFile("testdata/sample835.edi")
	if err != nil {
		b.Fatal(err)
	}
	ss, err := ReadAll(bytes.NewReader(sample))
	if err != nil {
		b.Fatal(err)
	}
	var head, claims, tail []seg
	part := &head
	for _, s := range ss[1:] { // the ISA goes through WriteSegment
		switch s.ID() {
		case "CLP":
			if part == &head {
				part = &claims
			}
		case "PLB":
			part = &tail
		}
		p := seg{id: s.ID()}
		for i := 1; i <= s.Len(); i++ {
			e := elem{comp: s.Components(i) > 1}
			if e.comp {
				for j := 1; j <= s.Components(i); j++ {
					e.parts = append(e.parts, string(s.Component(i, j)))
				}
			} else {
				e.parts = []string{s.String(i)}
			}
			p.elems = append(p.elems, e)
		}
		*part = append(*part, p)
	}
	reps := 0
	for _, s := range segs {
		if s.ID() == "CLP" {
			reps++
		}
	}
	reps /= 2 // the sample has two claims
	write := func(w *Writer, list []seg) {
		for _, s := range list {
			w.Begin(s.id)
			for _, e := range s.elems {
				if e.comp {
					w.Composite(e.parts...)
				} else {
					w.Element(e.parts[0])
				}
			}
			if err := w.End(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("elements", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		cpu := cpuSeconds()
		defer reportCPU(b, cpu, len(data))
		for b.Loop() {
			w := NewWriter(io.Discard)
			w.Newline = true
			if err := w.WriteSegment(ss[0]); err != nil {
				b.Fatal(err)
			}
			write(w, head)
			for range reps {
				write(w, claims)
			}
			write(w, tail)
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestReaderSteadyStateAllocs checks that reading a segment allocates
// nothing once the reader has warmed up.
func TestReaderSteadyStateAllocs(t *testing.T) {
	data, _ := big835(t, 1<<20, true)
	rd := NewReader(bytes.NewReader(data))
	for i := 0; i < 1000; i++ {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(10000, func() {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Next allocates %.2f times per segment in steady state, want 0", allocs)
	}
}
