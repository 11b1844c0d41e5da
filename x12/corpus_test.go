package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12/x12test"
)

// corpusDirs are the corpus folders of files that should read cleanly.
var corpusDirs = []string{"835", "837p", "837i", "837d", "999", "277ca", "ta1", "other"}

// corpusExceptions lists the files outside malformed/ that do not read
// cleanly, with every error they really contain (CollectAll mode) and
// why. Each was checked by hand against the file.
var corpusExceptions = map[string]struct {
	errs []string
	why  string
}{
	"837p/imsweb-x12-parser__x12_many_claims.txt": {[]string{
		"segment 11488 (SE) element 1, byte 329602: SE01 is 25 but the envelope holds 11486 segments",
	}, "imsweb's test files keep SE*25 from a template whatever the set holds"},
	"837p/imsweb-x12-parser__x12_multiple_gs.txt": {[]string{
		"segment 36 (SE) element 1, byte 1179: SE01 is 25 but the envelope holds 34 segments",
		"segment 72 (SE) element 1, byte 2273: SE01 is 25 but the envelope holds 34 segments",
		"segment 108 (SE) element 1, byte 3375: SE01 is 25 but the envelope holds 34 segments",
		"segment 110 (IEA) element 1, byte 3398: IEA01 is 1 but the envelope holds 3 functional groups",
	}, "SE*25 template; three groups copied in without updating IEA01"},
	"837p/imsweb-x12-parser__x12_multiple_st.txt": {[]string{
		"segment 36 (SE) element 1, byte 1179: SE01 is 25 but the envelope holds 34 segments",
		"segment 70 (SE) element 1, byte 2190: SE01 is 25 but the envelope holds 34 segments",
		"segment 71 (GE) element 1, byte 2204: GE01 is 1 but the envelope holds 2 transaction sets",
	}, "SE*25 template; two sets copied in without updating GE01"},
	"837p/imsweb-x12-parser__x12_no_errors.txt": {[]string{
		"segment 43 (SE) element 1, byte 1362: SE01 is 25 but the envelope holds 41 segments",
	}, "SE*25 template (the file name refers to imsweb's loop validation, not the envelope)"},
	"837p/imsweb-x12-parser__x12_valid.txt": {[]string{
		"segment 36 (SE) element 1, byte 1175: SE01 is 25 but the envelope holds 34 segments",
	}, "SE*25 template"},
	"837p/imsweb-x12-parser__x12_writer_test.txt": {[]string{
		"segment 33 (SE) element 1, byte 1012: SE01 is 25 but the envelope holds 31 segments",
	}, "SE*25 template"},
	"999/imsweb-x12-parser__x12_999_accepted.txt": {[]string{
		`segment 10 (IEA) element 2, byte 288: IEA02 "000000001" does not match ISA13 "000000286"`,
	}, "IEA02 was not updated when ISA13 was"},
	"other/imsweb-x12-parser__x270.txt": {[]string{
		"segment 16 (SE) element 1, byte 484: SE01 is 15 but the envelope holds 14 segments",
		`segment 18 (IEA) element 2, byte 514: IEA02 "000014420" does not match ISA13 "000003438"`,
	}, "SE01 off by one; IEA02 from another interchange"},
	"ta1/xlate-staedi__x12_interchange_ack.txt": {[]string{
		"segment 3 (IEA) element 1, byte 144: IEA01 is 1 but the envelope holds 0 functional groups",
	}, "a TA1-only interchange must have IEA01 = 0 (IEA01 counts functional groups, and a TA1 is not one)"},
}

// malformedFiles says, for every file in malformed/, what the reader
// reports (CollectAll mode), or why the file passes at the envelope level:
// those are envelope-valid files whose faults are in the transaction
// (loops, codes, element content), which is for the transaction-set
// packages to find.
var malformedFiles = map[string]struct {
	errs  []string
	fatal bool
	why   string
}{
	"azoner-pyx12__bad_2010AA_bug.txt":     {why: "passes: a missing 2010AA loop is a transaction-level fault"},
	"azoner-pyx12__bad_header_looping.txt": {errs: []string{"segment 74 (SE) element 1, byte 1487: SE01 is 39 but the envelope holds 72 segments"}, why: "SE01 is wrong (besides the bad DTM date and misplaced loops, which are transaction-level)"},
	"azoner-pyx12__blank1.txt":             {why: "passes: space-filled composites are element content"},
	"azoner-pyx12__explicit_missing.txt": {errs: []string{
		`byte 175: missing trailer: transaction set "11280001" has no SE before the end of the input`,
		`byte 175: missing trailer: functional group "17" has no GE before the end of the input`,
		`byte 175: missing trailer: interchange "000010121" has no IEA before the end of the input`,
	}, why: "ISA, GS and ST with no trailers"},
	"azoner-pyx12__loop_counting.txt": {why: "passes: loop 2400 repeated 54 times (max 50) is a transaction-level fault"},
	"azoner-pyx12__mult_trn.txt":      {why: "passes: several groups and sets, all envelopes correct; TRN repeats are transaction-level"},
	"azoner-pyx12__per_repeat.txt":    {why: "passes: PER repeated 3 times (max 2) is transaction-level"},
	"azoner-pyx12__simple1.txt":       {why: "passes: a correct envelope around an (invalid) empty 837"},
	"azoner-pyx12__trailing_terms.txt": {why: "passes: trailing element separators are tolerated by default; " +
		"Reader.Strict reports them (TestCorpusStrict)"},
	"imsweb-x12-parser__x12_bad_segment_identifier.txt": {errs: []string{
		"segment 6, byte 280: invalid segment identifier: an empty identifier is not 2 or 3 upper-case letters or digits",
		`segment 11, byte 444: invalid segment identifier: "Nd4" is not 2 or 3 upper-case letters or digits`,
		"segment 20, byte 659: invalid segment identifier: an identifier of 4 bytes is not 2 or 3 upper-case letters or digits",
		"segment 36 (SE) element 1, byte 1178: SE01 is 25 but the envelope holds 34 segments",
	}, why: "PER without its ID, Nd4, NM31; and the imsweb SE*25 template"},
	"imsweb-x12-parser__x12_bad_valid_code.txt": {errs: []string{
		"segment 36 (SE) element 1, byte 1180: SE01 is 25 but the envelope holds 34 segments",
	}, why: "the bad codes are transaction-level; the SE*25 template is an envelope error"},
	"imsweb-x12-parser__x12_loop_errors1_exceeds_max_1_parent.txt": {errs: []string{
		"segment 33 (SE) element 1, byte 1074: SE01 is 25 but the envelope holds 31 segments",
	}, why: "loop errors are transaction-level; SE*25 template"},
	"imsweb-x12-parser__x12_loop_errors3_missing_loops.txt": {errs: []string{
		"segment 21 (SE) element 1, byte 714: SE01 is 25 but the envelope holds 19 segments",
	}, why: "missing loops are transaction-level; SE*25 template"},
	"imsweb-x12-parser__x12_missing_elements.txt": {errs: []string{
		"segment 36 (SE) element 1, byte 1172: SE01 is 25 but the envelope holds 34 segments",
	}, why: "missing elements are transaction-level; SE*25 template"},
	"imsweb-x12-parser__x12_missing_required_loops_mult_repeats.txt": {errs: []string{
		"segment 61 (SE) element 1, byte 1995: SE01 is 25 but the envelope holds 59 segments",
	}, why: "missing loops are transaction-level; SE*25 template"},
	"imsweb-x12-parser__x12_segment_errors.txt": {errs: []string{
		"segment 25 (SE) element 1, byte 819: SE01 is 25 but the envelope holds 23 segments",
	}, why: "segment errors are transaction-level; SE*25 template"},
	"imsweb-x12-parser__x12_segments_out_of_order.txt": {errs: []string{
		"segment 36 (SE) element 1, byte 1175: SE01 is 25 but the envelope holds 34 segments",
	}, why: "segment order is transaction-level; SE*25 template"},
	"kputnam-stupidedi__X221-case-2.edi": {errs: []string{
		`byte 0: ISA segment expected: text before the ISA (it starts with "Bus"...)`,
	}, fatal: true, why: "a prose header before the ISA"},
	"kputnam-stupidedi__X222-case-1.edi": {errs: []string{
		`byte 0: ISA segment expected: text before the ISA (it starts with "Exa"...)`,
	}, fatal: true, why: "a prose header before the ISA"},
	"olmelabs-EdiEngine__940_Failed_SE01.edi": {errs: []string{
		"segment 11 (SE) element 1, byte 310: SE01 is 12 but the envelope holds 9 segments",
	}, why: "SE01 is wrong"},
	"olmelabs-EdiEngine__ControlNumbersMismatch.edi": {errs: []string{
		`segment 7 (SE) element 2, byte 270: SE02 "0002" does not match ST02 "0001"`,
		`segment 8 (GE) element 2, byte 280: GE02 "3315" does not match GS06 "3314"`,
		`segment 9 (IEA) element 2, byte 291: IEA02 "000003439" does not match ISA13 "000003438"`,
	}, why: "every trailer control number differs from its header's"},
	"olmelabs-EdiEngine__NonEdi.edi": {errs: []string{
		`byte 0: ISA segment expected: text before the ISA (it starts with "Tk9"...)`,
	}, fatal: true, why: "not X12"},
	"tastypackets-x12-parser__errorISA.edi": {errs: []string{
		`segment 35 (IEA) element 2, byte 1092: IEA02 "006000600" does not match ISA13 "106000600"`,
	}, why: "IEA02 differs from ISA13"},
	"xlate-staedi__invalid997.edi": {why: "passes: bad code values (AK101, AK402) are transaction-level"},
	"xlate-staedi__invalid999.edi": {errs: []string{
		"segment 20 (SE) element 1, byte 489: SE01 is 16 but the envelope holds 18 segments",
	}, why: "SE01 is wrong (the misplaced IK5 and bad codes are transaction-level)"},
	"xlate-staedi__ts210_80char.edi": {errs: []string{
		"segment 1 (ISA) element 10, byte 77: malformed ISA segment: a line break inside ISA10 (the ISA must be one unbroken segment)",
	}, fatal: true, why: "hard-wrapped at 80 columns: the line break falls inside the ISA"},
}

type corpusResult struct {
	segs  []*Segment
	errs  []string
	fatal error
}

func readCorpusFile(t *testing.T, data []byte, strict bool) corpusResult {
	t.Helper()
	rd := NewReader(bytes.NewReader(data))
	rd.Mode = CollectAll
	rd.Strict = strict
	var res corpusResult
	for {
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			res.fatal = err
			break
		}
		res.segs = append(res.segs, s.Clone())
	}
	for _, e := range rd.Errors() {
		var xe *Error
		if !errors.As(e, &xe) {
			t.Errorf("error %v is a %T, want *Error", e, e)
		}
		res.errs = append(res.errs, e.Error())
	}
	return res
}

func TestCorpus(t *testing.T) {
	for _, dir := range corpusDirs {
		for _, path := range x12test.CorpusFiles(t, dir) {
			key := dir + "/" + filepath.Base(path)
			t.Run(key, func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got := readCorpusFile(t, data, false)
				if got.fatal != nil {
					t.Fatalf("fatal error: %v", got.fatal)
				}
				want := corpusExceptions[key].errs
				if !equalStrings(got.errs, want) {
					t.Errorf("errors\n got %q\nwant %q", got.errs, want)
				}
				if len(got.segs) == 0 {
					t.Error("no segments")
				}
				// StopAtFirst stops at the first of those errors.
				_, err = ReadAll(bytes.NewReader(data))
				switch {
				case len(want) == 0 && err != nil:
					t.Errorf("ReadAll: %v", err)
				case len(want) > 0 && (err == nil || err.Error() != want[0]):
					t.Errorf("ReadAll error %v, want %s", err, want[0])
				}
			})
		}
	}
}

func TestCorpusExceptionsExist(t *testing.T) {
	root := x12test.CorpusDir(t, ".")
	for key := range corpusExceptions {
		if _, err := os.Stat(filepath.Join(root, key)); err != nil {
			t.Errorf("exception for %s, which is not in the corpus", key)
		}
	}
}

func TestCorpusMalformed(t *testing.T) {
	files := x12test.CorpusFiles(t, "malformed")
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := malformedFiles[name]
			if !ok {
				t.Fatalf("malformed/%s is not in the malformedFiles table", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := readCorpusFile(t, data, false)
			if !equalStrings(got.errs, want.errs) {
				t.Errorf("errors\n got %q\nwant %q", got.errs, want.errs)
			}
			if (got.fatal != nil) != want.fatal {
				t.Errorf("fatal error %v, want fatal %v", got.fatal, want.fatal)
			}
		})
	}
	for name := range malformedFiles {
		if !seen[name] {
			t.Errorf("table entry for malformed/%s, which is not in the corpus", name)
		}
	}
}

// TestCorpusStrict runs every corpus file in Strict mode: it must not
// panic, and the errors it adds must be the Strict ones.
func TestCorpusStrict(t *testing.T) {
	for _, dir := range append(corpusDirs, "malformed") {
		for _, path := range x12test.CorpusFiles(t, dir) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := readCorpusFile(t, data, true)
			if filepath.Base(path) == "azoner-pyx12__trailing_terms.txt" {
				want := "segment 24 (CLM) element 17, byte 709: trailing separator: CLM17 is empty: the segment ends with an element separator"
				if !equalStrings(got.errs, []string{want}) {
					t.Errorf("%s: strict errors %q, want [%q]", path, got.errs, want)
				}
			}
		}
	}
}

// canon renders a segment independently of its delimiters: elements,
// their repetitions and components, each quoted. For the ISA, ISA11 and
// ISA16 are delimiters and are left out, except an ISA11 that is not one.
func canon(s *Segment) string {
	var b strings.Builder
	b.WriteString(s.ID())
	for i := 1; i <= s.Len(); i++ {
		b.WriteString(" |")
		if s.ID() == "ISA" {
			if i == 16 || (i == 11 && s.Delimiters().Repetition != 0) {
				continue
			}
			fmt.Fprintf(&b, "%q", s.Element(i))
			continue
		}
		for r := 1; r <= s.Repetitions(i); r++ {
			if r > 1 {
				b.WriteString(" ^")
			}
			rep := s.Repetition(i, r)
			for j := 1; ; j++ {
				c := nth(rep, s.Delimiters().Component, j)
				if c == nil {
					break
				}
				fmt.Fprintf(&b, " %q", c)
			}
		}
	}
	return b.String()
}

// errorCauses gives each error's segment, element and cause, without the
// byte offset, which changes when the layout does.
func errorCauses(data []byte) []string {
	rd := NewReader(bytes.NewReader(data))
	rd.Mode = CollectAll
	for {
		if _, err := rd.Next(); err != nil {
			break
		}
	}
	var out []string
	for _, e := range rd.Errors() {
		var xe *Error
		if errors.As(e, &xe) {
			if errors.Is(e, ErrMissingTrailer) && xe.Pos.Segment == 0 {
				out = append(out, "end: "+xe.Err.Error())
				continue
			}
			out = append(out, fmt.Sprintf("%d %s %d: %v", xe.Pos.Segment, xe.Pos.SegmentID, xe.Pos.Element, xe.Err))
		}
	}
	return out
}

// alternative output delimiters for the round trip.
var roundTripDelims = []struct {
	name string
	d    Delimiters
}{
	{"same", Delimiters{}}, // each interchange's own delimiters
	{"pipes and newline", Delimiters{Element: '|', Component: '>', Repetition: '!', Segment: '\n'}},
	{"control characters", Delimiters{Element: 0x1D, Component: 0x1F, Repetition: 0x1E, Segment: 0x1C}},
}

// writeAll writes segs with WriteSegment. With zero delimiters each
// interchange is written with its own.
func writeAll(segs []*Segment, d Delimiters, newline bool) ([]byte, error) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.Newline = newline
	for _, s := range segs {
		if s.ID() == "ISA" {
			w.Delimiters = d
			if d == (Delimiters{}) {
				w.Delimiters = s.Delimiters()
			}
		}
		if err := w.WriteSegment(s); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, dir := range append(corpusDirs, "malformed") {
		for _, path := range x12test.CorpusFiles(t, dir) {
			t.Run(dir+"/"+filepath.Base(path), func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				orig := readCorpusFile(t, data, false)
				if orig.fatal != nil {
					t.Skipf("does not read: %v", orig.fatal)
				}
				wantCauses := errorCauses(data)
				for _, rt := range roundTripDelims {
					for _, newline := range []bool{false, true} {
						out, err := writeAll(orig.segs, rt.d, newline)
						if err != nil {
							if errors.Is(err, ErrDelimiterInData) || errors.Is(err, ErrBadSegmentID) || errors.Is(err, ErrBadValue) {
								t.Logf("%s: the data does not allow it: %v", rt.name, err)
								break
							}
							t.Fatalf("%s: write: %v", rt.name, err)
						}
						again := readCorpusFile(t, out, false)
						if again.fatal != nil {
							t.Fatalf("%s: reading back: %v", rt.name, again.fatal)
						}
						if len(again.segs) != len(orig.segs) {
							t.Fatalf("%s: %d segments after the round trip, want %d", rt.name, len(again.segs), len(orig.segs))
						}
						for i := range orig.segs {
							if g, w := canon(again.segs[i]), canon(orig.segs[i]); g != w {
								t.Fatalf("%s: segment %d\n got %s\nwant %s", rt.name, i+1, g, w)
							}
							if rt.d == (Delimiters{}) && again.segs[i].Text() != orig.segs[i].Text() {
								t.Fatalf("%s: segment %d text\n got %q\nwant %q", rt.name, i+1, again.segs[i].Text(), orig.segs[i].Text())
							}
						}
						if got := errorCauses(out); !equalStrings(got, wantCauses) {
							t.Errorf("%s: errors after the round trip\n got %q\nwant %q", rt.name, got, wantCauses)
						}
					}
				}
			})
		}
	}
}
