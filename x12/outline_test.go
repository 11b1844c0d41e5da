package x12

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12/x12test"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/outline")

// golden compares got with testdata/outline/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "outline", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking)\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestOutlineGolden(t *testing.T) {
	for _, name := range []string{"sample835.edi", "multi.edi"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s, oerr := Outline(f, name)
			var text bytes.Buffer
			if err := s.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if oerr != nil {
				text.WriteString("stderr:\n" + FormatError(name, oerr) + "\n")
			}
			golden(t, strings.TrimSuffix(name, ".edi")+".txt", text.Bytes())
			js, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(name, ".edi")+".json", append(js, '\n'))
		})
	}
}

func TestOutlineErrors(t *testing.T) {
	f, err := os.Open("testdata/multi.edi")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, oerr := Outline(f, "multi.edi")
	if oerr == nil {
		t.Fatal("no error for multi.edi")
	}
	if !errors.Is(oerr, ErrCount) || !errors.Is(oerr, ErrMissingTrailer) {
		t.Errorf("errors.Is does not see through the joined error: %v", oerr)
	}
	var xe *Error
	if !errors.As(oerr, &xe) || xe.Pos.SegmentID != "SE" {
		t.Errorf("errors.As finds %+v, want the SE count error first", xe)
	}
	if got, want := len(s.Errors), 4; got != want {
		t.Errorf("%d issues, want %d", got, want)
	}
	if !s.Complete {
		t.Error("Complete = false for a file that reads to the end")
	}
	// Text before the ISA: nothing read, one fatal error.
	s, oerr = Outline(strings.NewReader("hello"), "x")
	if s.Complete || len(s.Interchanges) != 0 || len(s.Errors) != 1 || !errors.Is(oerr, ErrNoISA) {
		t.Errorf("outline of non-X12: %+v, %v", s, oerr)
	}
}

func TestFormatError(t *testing.T) {
	posErr := &Error{Pos: Position{Segment: 5, SegmentID: "SE", Element: 1, Offset: 206}, Err: &CountError{Element: "SE01", Declared: 4, Counted: 3, What: "segments"}}
	other := &Error{Pos: Position{Offset: 0}, Err: withDetail(ErrNoISA, "the input is empty")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"positioned", posErr, "in.edi: segment 5 (SE) element 1, byte 206: SE01 is 4 but the envelope holds 3 segments"},
		{"no segment", other, "in.edi: byte 0: ISA segment expected: the input is empty"},
		{"joined", errors.Join(posErr, other), "in.edi: segment 5 (SE) element 1, byte 206: SE01 is 4 but the envelope holds 3 segments\nin.edi: byte 0: ISA segment expected: the input is empty"},
		{"plain", io.ErrUnexpectedEOF, "in.edi: unexpected EOF"},
		{"component", &Error{Pos: Position{Segment: 2, SegmentID: "SV1", Element: 1, Component: 2, Offset: 9}, Err: ErrDelimiterInData},
			"in.edi: segment 2 (SV1) element 1-2, byte 9: delimiter character in data"},
	}
	for _, tc := range tests {
		if got := FormatError("in.edi", tc.err); got != tc.want {
			t.Errorf("%s: FormatError\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestOutlineCorpus outlines every corpus file: the counts must add up,
// and the error must be nil exactly for the files that read cleanly.
func TestOutlineCorpus(t *testing.T) {
	for _, dir := range append(corpusDirs, "malformed") {
		for _, path := range x12test.CorpusFiles(t, dir) {
			key := dir + "/" + filepath.Base(path)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, oerr := Outline(bytes.NewReader(data), key)
			clean := len(corpusExceptions[key].errs) == 0
			if dir == "malformed" {
				clean = len(malformedFiles[filepath.Base(path)].errs) == 0
			}
			if (oerr == nil) != clean {
				t.Errorf("%s: Outline error %v, want error: %v", key, oerr, !clean)
			}
			total := 0
			for _, ic := range s.Interchanges {
				n := 0
				for _, g := range ic.Groups {
					n += g.Segments
				}
				for _, o := range ic.Other {
					n += o.Count
				}
				// ISA and IEA (when present) are the rest; a group
				// counts GS and GE.
				n++
				if ic.Closed {
					n++
				}
				if n != ic.Segments {
					t.Errorf("%s: interchange %d holds %d segments, its parts %d", key, ic.Index, ic.Segments, n)
				}
				total += ic.Segments
			}
			if total != s.Segments {
				t.Errorf("%s: interchanges hold %d segments, the file %d", key, total, s.Segments)
			}
			var text bytes.Buffer
			if err := s.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(s); err != nil {
				t.Fatal(err)
			}
		}
	}
}
