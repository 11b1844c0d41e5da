package x12

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// std is the common delimiter set * : ^ ~.
var std = DefaultDelimiters

// isaFor returns a standard 106-byte ISA with delimiters d, version and
// control number. ISA11 is d's repetition separator, or "U".
func isaFor(d Delimiters, version, ctl string) string {
	e := string(d.Element)
	rep := "U"
	if d.Repetition != 0 {
		rep = string(d.Repetition)
	}
	return "ISA" + e + "00" + e + "          " + e + "00" + e + "          " + e + "ZZ" + e + "SENDER         " +
		e + "ZZ" + e + "RECEIVER       " + e + "240101" + e + "1200" + e + rep + e + version + e + ctl + e + "0" + e + "P" +
		e + string(d.Component) + string(d.Segment)
}

// conv rewrites text written with * : ^ ~ into delimiters d.
func conv(d Delimiters, s string) string {
	return strings.Map(func(c rune) rune {
		switch c {
		case '*':
			return rune(d.Element)
		case ':':
			return rune(d.Component)
		case '^':
			return rune(d.Repetition)
		case '~':
			return rune(d.Segment)
		}
		return c
	}, s)
}

// body is a valid group with one set of three segments, written with * : ^ ~.
const body = "GS*HC*S*R*20240101*1200*7*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~SE*3*0001~GE*1*7~"

// interchange returns a whole valid interchange in delimiters d.
func interchange(d Delimiters, ctl string) string {
	return isaFor(d, "00501", ctl) + conv(d, body+"IEA*1*"+ctl+"~")
}

type readResult struct {
	segs  []string // Segment.Text of each segment
	errs  []string // every error, in order
	fatal error    // the error that ended reading, nil at io.EOF
	bom   bool
}

func readCase(t *testing.T, in string, mode ErrorMode, configure func(*Reader)) readResult {
	t.Helper()
	rd := NewReader(strings.NewReader(in))
	rd.Mode = mode
	if configure != nil {
		configure(rd)
	}
	var res readResult
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("reader does not stop")
		}
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			res.fatal = err
			// Every later call returns the same error.
			if _, again := rd.Next(); again != err {
				t.Errorf("second Next after error = %v, want the same error", again)
			}
			break
		}
		res.segs = append(res.segs, s.Text())
	}
	for _, e := range rd.Errors() {
		res.errs = append(res.errs, e.Error())
	}
	res.bom = rd.BOM()
	return res
}

func segTexts(d Delimiters, ctl string) []string {
	return []string{
		isaFor(d, "00501", ctl)[:105],
		conv(d, "GS*HC*S*R*20240101*1200*7*X*005010X222A1"),
		conv(d, "ST*837*0001*005010X222A1"),
		conv(d, "BHT*0019*00*1*20240101*1200*CH"),
		conv(d, "SE*3*0001"),
		conv(d, "GE*1*7"),
		conv(d, "IEA*1*"+ctl),
	}
}

func TestReaderLayouts(t *testing.T) {
	valid := segTexts(std, "000000001")
	pipes := Delimiters{Element: '|', Component: '>', Repetition: '!', Segment: '\n'}
	ctrl := Delimiters{Element: 0x1D, Component: 0x1F, Repetition: 0x1E, Segment: 0x1C}
	withNL := func(s string, nl string) string { return strings.ReplaceAll(s, "~", "~"+nl) }
	tests := []struct {
		name string
		in   string
		want []string
		bom  bool
	}{
		{"one line", interchange(std, "000000001"), valid, false},
		{"LF after terminators", withNL(interchange(std, "000000001"), "\n"), valid, false},
		{"CRLF after terminators", withNL(interchange(std, "000000001"), "\r\n"), valid, false},
		{"CR after terminators", withNL(interchange(std, "000000001"), "\r"), valid, false},
		{"indentation", withNL(interchange(std, "000000001"), "\r\n    "), valid, false},
		{"blank lines", withNL(interchange(std, "000000001"), "\n\n"), valid, false},
		{"leading white space", " \r\n\t" + interchange(std, "000000001"), valid, false},
		{"BOM", "\xEF\xBB\xBF" + interchange(std, "000000001"), valid, true},
		{"BOM and CRLF", "\xEF\xBB\xBF" + withNL(interchange(std, "000000001"), "\r\n"), valid, true},
		{"newline terminator", interchange(pipes, "000000001"), segTexts(pipes, "000000001"), false},
		{"newline terminator with CRLF", strings.ReplaceAll(interchange(pipes, "000000001"), "\n", "\r\n"), segTexts(pipes, "000000001"), false},
		{"newline terminator with blank lines", strings.ReplaceAll(interchange(pipes, "000000001"), "\n", "\n\n"), segTexts(pipes, "000000001"), false},
		{"CR terminator with CRLF", strings.ReplaceAll(interchange(Delimiters{'*', ':', '^', '\r'}, "000000001"), "\r", "\r\n"),
			segTexts(Delimiters{'*', ':', '^', '\r'}, "000000001"), false},
		{"control-character delimiters", interchange(ctrl, "000000001"), segTexts(ctrl, "000000001"), false},
		{"last segment without terminator", strings.TrimSuffix(interchange(std, "000000001"), "~"), valid, false},
		{"last segment without terminator, then a newline", strings.TrimSuffix(interchange(std, "000000001"), "~") + "\r\n", valid, false},
		{"trailing white space", interchange(std, "000000001") + "\r\n \n", valid, false},
		{"two interchanges with different delimiters",
			interchange(std, "000000001") + "\n" + interchange(pipes, "000000002"),
			append(append([]string{}, valid...), segTexts(pipes, "000000002")...), false},
		{"three interchanges back to back",
			interchange(std, "000000001") + interchange(ctrl, "000000002") + interchange(std, "000000003"),
			append(append(append([]string{}, valid...), segTexts(ctrl, "000000002")...), segTexts(std, "000000003")...), false},
		{"TA1-only interchange",
			isaFor(std, "00501", "000000005") + "TA1*000000001*240101*1200*A*000~IEA*0*000000005~",
			[]string{isaFor(std, "00501", "000000005")[:105], "TA1*000000001*240101*1200*A*000", "IEA*0*000000005"}, false},
		{"two TA1s, 4010, indented",
			isaFor(Delimiters{'*', ':', 0, '~'}, "00401", "000000006") + "\r\n  TA1*1*240101*1200*A*000~\r\n  TA1*2*240101*1200*R*022~\r\nIEA*0*000000006~\r\n",
			[]string{isaFor(Delimiters{'*', ':', 0, '~'}, "00401", "000000006")[:105], "TA1*1*240101*1200*A*000", "TA1*2*240101*1200*R*022", "IEA*0*000000006"}, false},
		{"control numbers compare as numbers", strings.Replace(interchange(std, "000000001"), "IEA*1*000000001", "IEA*1*1", 1),
			append(valid[:6:6], "IEA*1*1"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []ErrorMode{StopAtFirst, CollectAll} {
				got := readCase(t, tc.in, mode, nil)
				if got.fatal != nil || len(got.errs) > 0 {
					t.Fatalf("mode %d: errors %q (fatal %v), want none", mode, got.errs, got.fatal)
				}
				if !equalStrings(got.segs, tc.want) {
					t.Errorf("mode %d: segments\n got %q\nwant %q", mode, got.segs, tc.want)
				}
				if got.bom != tc.bom {
					t.Errorf("BOM() = %v, want %v", got.bom, tc.bom)
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReaderRepetitionSeparator(t *testing.T) {
	tests := []struct {
		name    string
		version string
		isa11   byte
		want    byte // the Repetition the reader takes
	}{
		{"00501 caret", "00501", '^', '^'},
		{"00501 backquote", "00501", '`', '`'},
		{"00501 U means none", "00501", 'U', 0},
		{"00501 space means none", "00501", ' ', 0},
		{"00402 caret", "00402", '^', '^'},
		{"00401 caret is not a separator", "00401", '^', 0},
		{"00401 U", "00401", 'U', 0},
		{"00200 bang", "00200", '!', 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isa := []byte(isaFor(std, tc.version, "000000001"))
			isa[82] = tc.isa11
			in := string(isa) + "TA1*000000001*240101*1200*A*000~IEA*0*000000001~"
			rd := NewReader(strings.NewReader(in))
			s, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Delimiters().Repetition; got != tc.want {
				t.Errorf("Repetition = %q, want %q", got, tc.want)
			}
			if got := rd.Interchange().Delimiters.Repetition; got != tc.want {
				t.Errorf("Interchange().Delimiters.Repetition = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReaderElementAccess(t *testing.T) {
	in := isaFor(std, "00501", "000000001") + "GS*HC*S*R*20240101*1200*7*X*005010X222A1~ST*837*0001~" +
		"HI*ABK:J449*ABF:E119:::X^ABF:I10~SV1*HC:99213:25:59*120*UN*1***1:2~SE*4*0001~GE*1*7~IEA*1*000000001~"
	rd := NewReader(strings.NewReader(in))
	var hi, sv1 *Segment
	for {
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch s.ID() {
		case "HI":
			hi = s.Clone()
		case "SV1":
			sv1 = s.Clone()
		}
	}
	checks := []struct {
		name string
		got  string
		want string
	}{
		{"HI01", string(hi.Element(1)), "ABK:J449"},
		{"HI01-2", string(hi.Component(1, 2)), "J449"},
		{"HI02 whole", string(hi.Element(2)), "ABF:E119:::X^ABF:I10"},
		{"HI02 rep 1", string(hi.Repetition(2, 1)), "ABF:E119:::X"},
		{"HI02 rep 2", string(hi.Repetition(2, 2)), "ABF:I10"},
		{"HI02 rep 2 comp 2", string(hi.RepComponent(2, 2, 2)), "I10"},
		{"HI02-5", string(hi.Component(2, 5)), "X"},
		{"HI02-4 empty", string(hi.Component(2, 4)), ""},
		{"HI02 rep 3 absent", string(hi.Repetition(2, 3)), ""},
		{"HI03 absent", string(hi.Element(3)), ""},
		{"SV101-3", sv1.ComponentString(1, 3), "25"},
		{"SV105 empty", sv1.String(5), ""},
		{"SV102", sv1.String(2), "120"},
		{"SV107-2", string(sv1.Component(7, 2)), "2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if hi.Element(3) != nil || hi.Repetition(2, 3) != nil || hi.Component(1, 3) != nil || hi.Element(0) != nil || hi.Element(-1) != nil {
		t.Error("absent parts must be nil")
	}
	if sv1.Element(5) == nil {
		t.Error("SV105 is present but empty: want a non-nil empty slice")
	}
	if got, want := sv1.Len(), 7; got != want {
		t.Errorf("SV1 Len = %d, want %d", got, want)
	}
	if got, want := hi.Repetitions(2), 2; got != want {
		t.Errorf("HI02 Repetitions = %d, want %d", got, want)
	}
	if got, want := hi.Components(2), 5; got != want {
		t.Errorf("HI02 Components = %d, want %d", got, want)
	}
	if !sv1.Has(2) || sv1.Has(5) || sv1.Has(9) {
		t.Error("Has: want SV102 present, SV105 empty, SV109 absent")
	}
}

// TestReaderSlicesAreBorrowed documents that element slices are only
// valid until the next call, and that Clone and String copy.
func TestReaderSlicesAreBorrowed(t *testing.T) {
	in := interchange(std, "000000001")
	rd := NewReader(iotest.OneByteReader(strings.NewReader(in)))
	rd.MaxSegmentSize = 64
	var clones []*Segment
	var strs []string
	for {
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		clones = append(clones, s.Clone())
		strs = append(strs, s.String(1))
	}
	want := segTexts(std, "000000001")
	for i, c := range clones {
		if c.Text() != want[i] {
			t.Errorf("clone %d = %q, want %q", i, c.Text(), want[i])
		}
		if want1 := strings.SplitN(want[i], "*", 3)[1]; strs[i] != want1 {
			t.Errorf("String(1) of segment %d = %q, want %q", i, strs[i], want1)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	valid := interchange(std, "000000001")
	isa := isaFor(std, "00501", "000000001")
	type tc struct {
		name     string
		in       string
		mode     ErrorMode
		conf     func(*Reader)
		want     []string // every error, in order
		sentinel error    // cause of the first error
		fatal    bool     // reading stops with an error
		segs     int      // segments returned
	}
	tests := []tc{
		{name: "empty input", in: "", want: []string{"byte 0: ISA segment expected: the input is empty"},
			sentinel: ErrNoISA, fatal: true},
		{name: "only white space", in: " \r\n", want: []string{"byte 3: ISA segment expected: the input holds only white space"},
			sentinel: ErrNoISA, fatal: true},
		{name: "only a BOM", in: "\xEF\xBB\xBF", want: []string{"byte 3: ISA segment expected: the input holds only a byte order mark"},
			sentinel: ErrNoISA, fatal: true},
		{name: "text before the ISA", in: "Example claim\n" + valid,
			want:     []string{`byte 0: ISA segment expected: text before the ISA (it starts with "Exa"...)`},
			sentinel: ErrNoISA, fatal: true},
		{name: "text before the ISA after a BOM", in: "\xEF\xBB\xBFx" + valid,
			want:     []string{`byte 3: ISA segment expected: text before the ISA (it starts with "xIS"...)`},
			sentinel: ErrNoISA, fatal: true},
		{name: "BOM after white space is text", in: " \xEF\xBB\xBF" + valid,
			want:     []string{`byte 1: ISA segment expected: text before the ISA (it starts with "\ufeff"...)`},
			sentinel: ErrNoISA, fatal: true},
		{name: "text after the IEA", in: valid + "\nthe end\n", mode: CollectAll,
			want:     []string{`segment 8, byte 237: ISA segment expected: text after the IEA of interchange 1, where only another ISA or the end of the input may follow (it starts with "the"...)`},
			sentinel: ErrNoISA, fatal: true, segs: 7},
		{name: "segments after the IEA", in: valid + "GS*HC*S*R*20240101*1200*8*X*005010X222A1~",
			want:     []string{`segment 8, byte 236: ISA segment expected: text after the IEA of interchange 1, where only another ISA or the end of the input may follow (it starts with "GS*"...)`},
			sentinel: ErrNoISA, fatal: true, segs: 7},
		{name: "truncated ISA", in: isa[:50], want: []string{"segment 1 (ISA) element 6, byte 35: malformed ISA segment: the input ends inside ISA06"},
			sentinel: ErrBadISA, fatal: true},
		{name: "truncated ISA: only IS", in: "IS", want: []string{"segment 1 (ISA), byte 0: malformed ISA segment: the input ends inside the ISA"},
			sentinel: ErrBadISA, fatal: true},
		{name: "truncated ISA: only ISA", in: "ISA", want: []string{"segment 1 (ISA), byte 0: malformed ISA segment: the input ends inside the ISA"},
			sentinel: ErrBadISA, fatal: true},
		{name: "ISA without terminator", in: isa[:105], want: []string{"segment 1 (ISA) element 16, byte 104: malformed ISA segment: the input ends after ISA16, before the segment terminator"},
			sentinel: ErrBadISA, fatal: true},
		{name: "ISA wrapped by a line break", in: isa[:60] + "\n" + isa[60:] + body + "IEA*1*000000001~",
			want:     []string{"segment 1 (ISA) element 8, byte 54: malformed ISA segment: a line break inside ISA08 (the ISA must be one unbroken segment)"},
			sentinel: ErrBadISA, fatal: true},
		{name: "ISA16 missing", in: isa[:104] + "\nGS*HC~",
			want:     []string{"segment 1 (ISA) element 16, byte 104: malformed ISA segment: ISA16, the component separator, is missing: a line break follows the 16th element separator"},
			sentinel: ErrBadISA, fatal: true},
		{name: "letter after ISA", in: "ISAX00" + isa[6:], want: []string{"segment 1 (ISA), byte 3: malformed ISA segment: byte 3, the element separator, is 'X', which cannot be a separator"},
			sentinel: ErrBadISA, fatal: true},
		{name: "component separator equals element separator", in: isa[:104] + "*~" + body + "IEA*1*000000001~",
			want:     []string{"segment 1 (ISA) element 16, byte 104: invalid delimiters: element and component separators are both '*'"},
			sentinel: ErrBadDelimiters, fatal: true},
		{name: "terminator is a letter", in: isa[:105] + "G" + body,
			want:     []string{"segment 1 (ISA) element 16, byte 104: invalid delimiters: segment separator 'G' is not allowed"},
			sentinel: ErrBadDelimiters, fatal: true},
		{name: "repetition separator equals component separator", in: isa[:82] + ":" + isa[83:] + body + "IEA*1*000000001~",
			want:     []string{"segment 1 (ISA) element 11, byte 82: invalid delimiters: component and repetition separators are both ':'"},
			sentinel: ErrBadDelimiters, fatal: true},
		{name: "segment over the size limit", conf: func(r *Reader) { r.MaxSegmentSize = 40 },
			in:       isa + "GS*HC*S*R*20240101*1200*7*X*005010X222A1*EXTRA~" + body,
			want:     []string{"segment 2, byte 106: segment too long: no segment terminator '~' within 40 bytes (Reader.MaxSegmentSize)"},
			sentinel: ErrSegmentTooLong, fatal: true, segs: 1},
		{name: "segment over the size limit without a terminator", conf: func(r *Reader) { r.MaxSegmentSize = 40 },
			in:       isa + strings.Repeat("X", 200),
			want:     []string{"segment 2, byte 106: segment too long: no segment terminator '~' within 40 bytes (Reader.MaxSegmentSize)"},
			sentinel: ErrSegmentTooLong, fatal: true, segs: 1},
		{name: "segment at the size limit", conf: func(r *Reader) { r.MaxSegmentSize = 41 },
			in: isa + "GS*HC*S*R*20240101*1200*7*X*005010X222A1~" + body[41:] + "IEA*1*000000001~", segs: 7},
		{name: "empty segment", in: strings.Replace(valid, "BHT", "~BHT", 1),
			want:     []string{"segment 4, byte 172: empty segment: a segment terminator '~' follows the previous one with nothing between (not counted)"},
			sentinel: ErrEmptySegment, segs: 3},
		{name: "empty segment, collected and skipped", in: strings.Replace(valid, "BHT", "~BHT", 1), mode: CollectAll,
			want:     []string{"segment 4, byte 172: empty segment: a segment terminator '~' follows the previous one with nothing between (not counted)"},
			sentinel: ErrEmptySegment, segs: 7},
		{name: "SE01 wrong", in: strings.Replace(valid, "SE*3", "SE*4", 1), mode: CollectAll,
			want:     []string{"segment 5 (SE) element 1, byte 206: SE01 is 4 but the envelope holds 3 segments"},
			sentinel: ErrCount, segs: 7},
		{name: "SE01 wrong stops in StopAtFirst", in: strings.Replace(valid, "SE*3", "SE*4", 1),
			want:     []string{"segment 5 (SE) element 1, byte 206: SE01 is 4 but the envelope holds 3 segments"},
			sentinel: ErrCount, segs: 4},
		{name: "SE01 not a number", in: strings.Replace(valid, "SE*3", "SE*3X", 1), mode: CollectAll,
			want:     []string{"segment 5 (SE) element 1, byte 206: invalid number: SE01, the number of segments, is not a number (counted 3)"},
			sentinel: ErrBadNumber, segs: 7},
		{name: "SE02 wrong", in: strings.Replace(valid, "SE*3*0001", "SE*3*0002", 1), mode: CollectAll,
			want:     []string{`segment 5 (SE) element 2, byte 208: SE02 "0002" does not match ST02 "0001"`},
			sentinel: ErrControlNumber, segs: 7},
		{name: "GE01 and GE02 wrong", in: strings.Replace(valid, "GE*1*7", "GE*2*8", 1), mode: CollectAll,
			want: []string{"segment 6 (GE) element 1, byte 216: GE01 is 2 but the envelope holds 1 transaction sets",
				`segment 6 (GE) element 2, byte 218: GE02 "8" does not match GS06 "7"`},
			sentinel: ErrCount, segs: 7},
		{name: "IEA01 and IEA02 wrong", in: strings.Replace(valid, "IEA*1*000000001", "IEA*0*000000002", 1), mode: CollectAll,
			want: []string{"segment 7 (IEA) element 1, byte 224: IEA01 is 0 but the envelope holds 1 functional groups",
				`segment 7 (IEA) element 2, byte 226: IEA02 "000000002" does not match ISA13 "000000001"`},
			sentinel: ErrCount, segs: 7},
		{name: "missing trailers at the end", in: isa + "GS*HC*S*R*20240101*1200*7*X*005010X222A1~ST*837*0001~BHT*0019~",
			mode: CollectAll,
			want: []string{`byte 168: missing trailer: transaction set "0001" has no SE before the end of the input`,
				`byte 168: missing trailer: functional group "7" has no GE before the end of the input`,
				`byte 168: missing trailer: interchange "000000001" has no IEA before the end of the input`},
			sentinel: ErrMissingTrailer, segs: 4},
		{name: "missing IEA before the next ISA", in: strings.TrimSuffix(valid, "IEA*1*000000001~") + interchange(std, "000000002"),
			mode:     CollectAll,
			want:     []string{`segment 7 (ISA), byte 220: missing trailer: interchange "000000001" has no IEA before the next ISA`},
			sentinel: ErrMissingTrailer, segs: 13},
		{name: "missing SE and GE before the next ISA", in: isa + "GS*HC*S*R*20240101*1200*7*X*005010X222A1~ST*837*0001~" + interchange(std, "000000002"),
			want: []string{`segment 4 (ISA), byte 159: missing trailer: transaction set "0001" has no SE before the next ISA`,
				`segment 4 (ISA), byte 159: missing trailer: functional group "7" has no GE before the next ISA`,
				`segment 4 (ISA), byte 159: missing trailer: interchange "000000001" has no IEA before the next ISA`},
			sentinel: ErrMissingTrailer, segs: 3},
		{name: "missing SE before GE", in: strings.Replace(valid, "SE*3*0001~", "", 1), mode: CollectAll,
			want:     []string{`segment 5 (GE), byte 203: missing trailer: transaction set "0001" has no SE before GE`},
			sentinel: ErrMissingTrailer, segs: 6},
		{name: "segment outside a set", in: strings.Replace(valid, "GE*1*7~", "REF*EI*1~GE*1*7~", 1), mode: CollectAll,
			want:     []string{"segment 6 (REF), byte 213: unexpected segment: a segment outside a transaction set"},
			sentinel: ErrUnexpectedSegment, segs: 8},
		{name: "ST outside a group", in: isa + "ST*837*0001~SE*2*0001~IEA*0*000000001~", mode: CollectAll,
			want:     []string{"segment 2 (ST), byte 106: unexpected segment: ST outside a functional group"},
			sentinel: ErrUnexpectedSegment, segs: 4},
		{name: "TA1 inside a group", in: strings.Replace(valid, "GE*1*7~", "TA1*1*240101*1200*A*000~GE*1*7~", 1), mode: CollectAll,
			want:     []string{"segment 6 (TA1), byte 213: unexpected segment: TA1 inside a functional group (it belongs between the ISA and the first GS)"},
			sentinel: ErrUnexpectedSegment, segs: 8},
		{name: "bad segment identifiers", in: strings.Replace(valid, "BHT*", "Bht*", 1), mode: CollectAll,
			want:     []string{`segment 4, byte 172: invalid segment identifier: "Bht" is not 2 or 3 upper-case letters or digits`},
			sentinel: ErrBadSegmentID, segs: 7},
		{name: "long segment identifier is not echoed", in: strings.Replace(valid, "BHT*", "JOHN SMITH*", 1), mode: CollectAll,
			want:     []string{`segment 4, byte 172: invalid segment identifier: an identifier of 10 bytes is not 2 or 3 upper-case letters or digits`},
			sentinel: ErrBadSegmentID, segs: 7},
		{name: "strict: control numbers compare as text", conf: func(r *Reader) { r.Strict = true }, mode: CollectAll,
			in:       strings.Replace(valid, "SE*3*0001", "SE*3*1", 1),
			want:     []string{`segment 5 (SE) element 2, byte 208: SE02 "1" does not match ST02 "0001"`},
			sentinel: ErrControlNumber, segs: 7},
		{name: "lenient: control numbers compare as numbers", mode: CollectAll,
			in: strings.Replace(valid, "SE*3*0001", "SE*3*1", 1), segs: 7},
		{name: "too many errors", conf: func(r *Reader) { r.MaxErrors = 2 }, mode: CollectAll,
			in: isa + "GS*HC*S*R*20240101*1200*7*X*005010X222A1~ST*837*0001~" + strings.Repeat("~", 5) + "SE*2*0001~GE*1*7~IEA*1*000000001~",
			want: []string{
				"segment 4, byte 159: empty segment: a segment terminator '~' follows the previous one with nothing between (not counted)",
				"segment 4, byte 160: empty segment: a segment terminator '~' follows the previous one with nothing between (not counted)",
				"segment 4, byte 161: too many errors: stopped after 2 errors"},
			sentinel: ErrEmptySegment, fatal: true, segs: 3},
		{name: "strict: trailing separators and ISA widths", conf: func(r *Reader) { r.Strict = true }, mode: CollectAll,
			in: strings.Replace(strings.Replace(strings.Replace(valid, "BHT*0019*00*1*20240101*1200*CH", "BHT*0019*00*1*20240101*1200*CH*", 1),
				"005010X222A1~ST*837*0001*005010X222A1", "005010X222A1:~ST*837*0001*005010X222A1", 1), "SENDER         ", "SENDER", 1),
			want: []string{"segment 1 (ISA) element 6, byte 35: malformed ISA segment: ISA06 is 6 characters; its fixed width is 15",
				"segment 2 (GS) element 8, byte 125: trailing separator: GS08 ends with a component separator",
				"segment 4 (BHT) element 7, byte 195: trailing separator: BHT07 is empty: the segment ends with an element separator"},
			sentinel: ErrBadISA, segs: 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readCase(t, tc.in, tc.mode, tc.conf)
			if !equalStrings(got.errs, tc.want) {
				t.Errorf("errors\n got %q\nwant %q", got.errs, tc.want)
			}
			if (got.fatal != nil) != tc.fatal && tc.mode == CollectAll {
				t.Errorf("fatal error = %v, want fatal %v", got.fatal, tc.fatal)
			}
			if tc.mode == StopAtFirst && len(tc.want) > 0 && got.fatal == nil {
				t.Errorf("StopAtFirst: reading ended without an error, want %q", tc.want[0])
			}
			if len(got.segs) != tc.segs {
				t.Errorf("read %d segments, want %d", len(got.segs), tc.segs)
			}
			// The first error is positioned and has the sentinel cause.
			rd := NewReader(strings.NewReader(tc.in))
			rd.Mode = tc.mode
			if tc.conf != nil {
				tc.conf(rd)
			}
			for {
				if _, err := rd.Next(); err != nil {
					break
				}
			}
			if tc.sentinel == nil {
				return
			}
			if len(rd.Errors()) == 0 {
				t.Fatal("no errors recorded")
			}
			first := rd.Errors()[0]
			var xe *Error
			if !errors.As(first, &xe) {
				t.Fatalf("first error %T is not an *Error", first)
			}
			if !errors.Is(first, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", first, tc.sentinel)
			}
			if xe.Pos.Offset < 0 || xe.Pos.Offset > int64(len(tc.in)) {
				t.Errorf("offset %d outside the input of %d bytes", xe.Pos.Offset, len(tc.in))
			}
		})
	}
}

func TestReaderCountAndControlErrorsCarryBothNumbers(t *testing.T) {
	in := strings.Replace(strings.Replace(interchange(std, "000000001"), "SE*3*0001", "SE*9*0002", 1), "IEA*1", "IEA*5", 1)
	rd := NewReader(strings.NewReader(in))
	rd.Mode = CollectAll
	for {
		if _, err := rd.Next(); err != nil {
			break
		}
	}
	var counts []*CountError
	var controls []*ControlError
	for _, e := range rd.Errors() {
		var ce *CountError
		var ctl *ControlError
		if errors.As(e, &ce) {
			counts = append(counts, ce)
		}
		if errors.As(e, &ctl) {
			controls = append(controls, ctl)
		}
	}
	wantCounts := []CountError{{"SE01", 9, 3, "segments"}, {"IEA01", 5, 1, "functional groups"}}
	if len(counts) != len(wantCounts) {
		t.Fatalf("count errors %v, want %v", counts, wantCounts)
	}
	for i, w := range wantCounts {
		if *counts[i] != w {
			t.Errorf("count error %d = %+v, want %+v", i, *counts[i], w)
		}
	}
	wantCtl := ControlError{Header: "ST02", Trailer: "SE02", HeaderValue: "0001", TrailerValue: "0002"}
	if len(controls) != 1 || *controls[0] != wantCtl {
		t.Errorf("control errors %v, want [%+v]", controls, wantCtl)
	}
}

func TestReaderPositionAndHeaders(t *testing.T) {
	in := strings.ReplaceAll(interchange(std, "000000001"), "~", "~\r\n")
	rd := NewReader(strings.NewReader(in))
	type pos struct {
		seg, setSeg int
		id          string
		off         int64
	}
	var got []pos
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := rd.Position()
		got = append(got, pos{p.Segment, p.SetSegment, p.SegmentID, p.Offset})
	}
	want := []pos{{1, 0, "ISA", 0}, {2, 0, "GS", 108}, {3, 1, "ST", 151}, {4, 2, "BHT", 178}, {5, 3, "SE", 211}, {6, 0, "GE", 223}, {7, 0, "IEA", 232}}
	if len(got) != len(want) {
		t.Fatalf("positions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d position %+v, want %+v", i+1, got[i], want[i])
		}
	}
	if got, want := in[232:235], "IEA"; got != want {
		t.Errorf("offset 232 holds %q, want %q", got, want)
	}
	isa := rd.Interchange()
	if isa.ControlNumber != "000000001" || isa.SenderID != "SENDER" || isa.Version != "00501" || isa.Delimiters != std {
		t.Errorf("Interchange() = %+v", isa)
	}
	if g := rd.Group(); g.FunctionalID != "HC" || g.ControlNumber != "7" || g.Version != "005010X222A1" {
		t.Errorf("Group() = %+v", g)
	}
	if s := rd.Set(); s.ID != "837" || s.ControlNumber != "0001" || Guide(rd.Group(), s) != "005010X222A1" {
		t.Errorf("Set() = %+v", s)
	}
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	rd := NewReader(&errReader{data: []byte(interchange(std, "000000001")[:150]), err: boom})
	rd.Mode = CollectAll
	var err error
	for err == nil {
		_, err = rd.Next()
	}
	if !errors.Is(err, boom) || !errors.Is(err, ErrRead) {
		t.Errorf("error %v: want it to wrap both the read error and ErrRead", err)
	}
	var xe *Error
	if !errors.As(err, &xe) || xe.Pos.Offset != 150 {
		t.Errorf("error %v: want an *Error at byte 150", err)
	}
}

// TestReaderBigSegmentStreams reads a segment far larger than the read
// chunk, with data fed a few bytes at a time.
func TestReaderBigSegmentStreams(t *testing.T) {
	big := strings.Repeat("A", 300<<10)
	in := isaFor(std, "00501", "000000001") + conv(std, "GS*HC*S*R*20240101*1200*7*X*005010X222A1~ST*837*0001~NTE*ADD*"+big+"~SE*3*0001~GE*1*7~IEA*1*000000001~")
	rd := NewReader(iotest.HalfReader(strings.NewReader(in)))
	var n int
	for {
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.ID() == "NTE" && len(s.Element(2)) != len(big) {
			t.Errorf("NTE02 has %d bytes, want %d", len(s.Element(2)), len(big))
		}
		n++
	}
	if n != 7 {
		t.Errorf("read %d segments, want 7", n)
	}
	rd = NewReader(strings.NewReader(in))
	rd.MaxSegmentSize = 100 << 10
	_, err := ReadAll(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = rd.Next()
	}
	if !errors.Is(err, ErrSegmentTooLong) {
		t.Errorf("with a 100 KiB limit: error %v, want ErrSegmentTooLong", err)
	}
}

// stream835 returns a reader that generates an 835 of about size bytes
// on the fly, by repeating the claims of testdata/sample835.edi, with its
// number of segments. Nothing of that size is ever held in memory.
func stream835(tb testing.TB, size int64) (io.Reader, int) {
	tb.Helper()
	sample, err := os.ReadFile("testdata/sample835.edi")
	if err != nil {
		tb.Fatal(err)
	}
	text := string(sample)
	clp, plb, se := strings.Index(text, "CLP*"), strings.Index(text, "PLB*"), strings.Index(text, "SE*")
	head, block, plbSeg := text[:clp], text[clp:plb], text[plb:se]
	n := int((size - int64(len(text))) / int64(len(block)))
	if n < 1 {
		n = 1
	}
	inSet := strings.Count(head[strings.Index(head, "ST*"):], "~") + n*strings.Count(block, "~") + 2
	tail := plbSeg + "SE*" + strconv.Itoa(inSet) + "*0001~\nGE*1*101~\nIEA*1*000000101~\n"
	readers := []io.Reader{strings.NewReader(head), &repeatReader{block: block, n: n}, strings.NewReader(tail)}
	total := strings.Count(head, "~") + n*strings.Count(block, "~") + strings.Count(tail, "~")
	return io.MultiReader(readers...), total
}

// repeatReader yields block n times.
type repeatReader struct {
	block string
	n     int
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	done := 0
	for done < len(p) && r.n > 0 {
		c := copy(p[done:], r.block[r.off:])
		done += c
		r.off += c
		if r.off == len(r.block) {
			r.off = 0
			r.n--
		}
	}
	if done == 0 {
		return 0, io.EOF
	}
	return done, nil
}

// TestReaderConstantMemory streams a generated 64 MB 835 (1 GB with
// X12_STREAM_1GB=1) through a Reader: the buffer stays at one read chunk
// and the whole read allocates less than a megabyte.
func TestReaderConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MB")
	}
	size := int64(64 << 20)
	if os.Getenv("X12_STREAM_1GB") != "" {
		size = 1 << 30
	}
	src, n := stream835(t, size)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rd := NewReader(src)
	got := 0
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	runtime.ReadMemStats(&after)
	if got != n {
		t.Errorf("read %d segments, want %d", got, n)
	}
	if len(rd.buf) > readChunk {
		t.Errorf("buffer grew to %d bytes for short segments, want %d", len(rd.buf), readChunk)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("reading %d segments allocated %d bytes, want under 1 MiB", got, alloc)
	}
}
