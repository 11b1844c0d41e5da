package x12

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

var testISA = InterchangeHeader{
	SenderQualifier: "ZZ", SenderID: "SENDER", ReceiverQualifier: "ZZ", ReceiverID: "RECEIVER",
	Date: "240101", Time: "1200", ControlNumber: "1", Usage: "T",
}

func TestWriterEnvelope(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.Newline = true
	steps := []func() error{
		func() error { return w.BeginInterchange(testISA) },
		func() error {
			return w.BeginGroup(GroupHeader{FunctionalID: "HC", SenderCode: "S", ReceiverCode: "R", Date: "20240101", Time: "1200", ControlNumber: "7", Version: "005010X222A1"})
		},
		func() error {
			return w.BeginSet(SetHeader{ID: "837", ControlNumber: "0001", Convention: "005010X222A1"})
		},
		func() error { return w.Segment("BHT", "0019", "00", "1", "20240101", "1200", "CH") },
		func() error {
			w.Begin("NM1")
			w.Element("41")
			w.Element("2")
			w.Element("EXAMPLE CLINIC")
			w.Element("")
			w.Element("")
			return w.End() // trailing empty elements dropped
		},
		func() error {
			w.Begin("SV1")
			w.Composite("HC", "99213", "", "")
			w.Element("120")
			w.Element("UN")
			w.Element("1")
			w.Element("")
			w.Element("")
			w.Composite("1", "2")
			return w.End()
		},
		func() error {
			w.Begin("HI")
			w.RepeatedComposite([]string{"ABK", "J449"}, []string{"ABF", "E119", ""}, nil)
			w.Repeated("A", "B", "")
			return w.End()
		},
		w.EndSet,
		func() error {
			return w.BeginSet(SetHeader{ID: "837", ControlNumber: "0002", Convention: "005010X222A1"})
		},
		w.EndSet,
		w.EndGroup,
		w.EndInterchange,
		w.Flush,
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~\n" +
		"GS*HC*S*R*20240101*1200*7*X*005010X222A1~\n" +
		"ST*837*0001*005010X222A1~\n" +
		"BHT*0019*00*1*20240101*1200*CH~\n" +
		"NM1*41*2*EXAMPLE CLINIC~\n" +
		"SV1*HC:99213*120*UN*1***1:2~\n" +
		"HI*ABK:J449^ABF:E119*A^B~\n" +
		"SE*6*0001~\n" +
		"ST*837*0002*005010X222A1~\n" +
		"SE*2*0002~\n" +
		"GE*2*7~\n" +
		"IEA*1*000000001~\n"
	if got := out.String(); got != want {
		t.Errorf("output\n%s\nwant\n%s", got, want)
	}
	if len(strings.SplitN(out.String(), "\n", 2)[0]) != 106 {
		t.Errorf("ISA is not 106 bytes")
	}
	// What the writer builds, the reader accepts without a single error.
	rd := NewReader(&out)
	rd.Strict = true
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
	}
}

func TestWriterDelimitersAndVersions(t *testing.T) {
	tests := []struct {
		name string
		h    InterchangeHeader
		d    Delimiters
		want string // the ISA and the first segment
	}{
		{"header delimiters", withDelims(testISA, Delimiters{'|', '>', '!', '\n'}), DefaultDelimiters,
			"ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240101|1200|!|00501|000000001|0|T|>\nHI|A>B!C>D\n"},
		{"writer delimiters", testISA, Delimiters{'*', '<', '`', '~'},
			"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*`*00501*000000001*0*T*<~HI*A<B`C<D~"},
		{"no repetition separator", testISA, Delimiters{'*', ':', 0, '~'},
			"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00501*000000001*0*T*:~HI*A:B~"},
		{"4010 has none", withVersion(testISA, "00401"), DefaultDelimiters,
			"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*000000001*0*T*:~HI*A:B~"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.Delimiters = tc.d
			if err := w.BeginInterchange(tc.h); err != nil {
				t.Fatal(err)
			}
			w.Begin("HI")
			if tc.d.Repetition != 0 && tc.h.Version != "00401" {
				w.RepeatedComposite([]string{"A", "B"}, []string{"C", "D"})
			} else {
				w.Composite("A", "B")
			}
			if err := w.End(); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func withDelims(h InterchangeHeader, d Delimiters) InterchangeHeader { h.Delimiters = d; return h }
func withVersion(h InterchangeHeader, v string) InterchangeHeader    { h.Version = v; return h }

func TestWriterErrors(t *testing.T) {
	const phi = "SMITH*JOHN" // must never appear in an error
	tests := []struct {
		name     string
		write    func(w *Writer) error
		want     string
		sentinel error
	}{
		{"delimiter in an element", func(w *Writer) error {
			w.BeginInterchange(testISA)
			w.Begin("NM1")
			w.Element("IL")
			w.Element("1")
			w.Element(phi)
			return w.End()
		}, "segment 2 (NM1) element 3, byte 106: delimiter character in data: character 6 of the value is the element separator '*'", ErrDelimiterInData},
		{"delimiter in a component", func(w *Writer) error {
			w.BeginInterchange(testISA)
			w.Begin("SV1")
			w.Composite("HC", "99~213")
			return w.End()
		}, "segment 2 (SV1) element 1-2, byte 106: delimiter character in data: character 3 of the value is the segment terminator '~'", ErrDelimiterInData},
		{"repetition separator in data", func(w *Writer) error {
			w.BeginInterchange(testISA)
			return w.Segment("N3", "1 MAIN ST", "APT ^4")
		}, "segment 2 (N3) element 2, byte 106: delimiter character in data: character 5 of the value is the repetition separator '^'", ErrDelimiterInData},
		{"line break in data", func(w *Writer) error {
			w.BeginInterchange(testISA)
			return w.Segment("NTE", "ADD", "LINE ONE\nLINE TWO")
		}, "segment 2 (NTE) element 2, byte 106: delimiter character in data: character 9 of the value is a line break", ErrDelimiterInData},
		{"delimiter in a set counts set segments", func(w *Writer) error {
			w.BeginInterchange(testISA)
			w.BeginGroup(GroupHeader{FunctionalID: "HC", ControlNumber: "1"})
			w.BeginSet(SetHeader{ID: "837", ControlNumber: "0001"})
			w.Segment("BHT", "0019")
			return w.Segment("REF", "EI", "12:3")
		}, "segment 5 (REF) element 2, byte 141: delimiter character in data: character 3 of the value is the component separator ':'", ErrDelimiterInData},
		{"repetitions without a separator", func(w *Writer) error {
			w.BeginInterchange(withVersion(testISA, "00401"))
			w.Begin("HI")
			w.Repeated("A", "B")
			return w.End()
		}, "segment 2 (HI) element 1, byte 106: invalid value: repetitions need a repetition separator, and this interchange has none", ErrBadValue},
		{"bad segment ID is not echoed", func(w *Writer) error {
			return w.Segment("SMITH", "X")
		}, "segment 1, byte 0: invalid segment identifier: an identifier of 5 bytes is not 2 or 3 upper-case letters or digits", ErrBadSegmentID},
		{"ISA element too long", func(w *Writer) error {
			h := testISA
			h.SenderID = "A SENDER ID THAT IS TOO LONG"
			return w.BeginInterchange(h)
		}, "segment 1 (ISA) element 6, byte 0: invalid value: ISA06 is 28 characters; its width is 15", ErrBadValue},
		{"ISA13 not a number", func(w *Writer) error {
			h := testISA
			h.ControlNumber = "A1"
			return w.BeginInterchange(h)
		}, "segment 1 (ISA) element 13, byte 0: invalid value: ISA13 must be 1 to 9 digits", ErrBadValue},
		{"ISA13 too long", func(w *Writer) error {
			h := testISA
			h.ControlNumber = "1234567890"
			return w.BeginInterchange(h)
		}, "segment 1 (ISA) element 13, byte 0: invalid value: ISA13 must be 1 to 9 digits", ErrBadValue},
		{"bad delimiters", func(w *Writer) error {
			w.Delimiters = Delimiters{'*', '*', '^', '~'}
			return w.BeginInterchange(testISA)
		}, "segment 1 (ISA), byte 0: invalid delimiters: element and component separators are both '*'", ErrBadDelimiters},
		{"GS outside an interchange", func(w *Writer) error {
			return w.BeginGroup(GroupHeader{FunctionalID: "HC", ControlNumber: "1"})
		}, "segment 1 (GS), byte 0: envelope out of order: GS outside an interchange or inside a group", ErrEnvelope},
		{"IEA with a group open", func(w *Writer) error {
			w.BeginInterchange(testISA)
			w.BeginGroup(GroupHeader{FunctionalID: "HC", ControlNumber: "1"})
			return w.EndInterchange()
		}, "segment 3 (IEA), byte 120: envelope out of order: IEA without an open interchange, or with a group still open", ErrEnvelope},
		{"element outside a segment", func(w *Writer) error {
			w.Element("X")
			return w.Error()
		}, "segment 1, byte 0: envelope out of order: element outside a segment (call Begin first)", ErrEnvelope},
		{"Begin twice", func(w *Writer) error {
			w.Begin("NM1")
			w.Begin("N3")
			return w.Error()
		}, "segment 1 (NM1), byte 0: envelope out of order: Begin before End of NM1", ErrEnvelope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(&out)
			err := tc.write(w)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(err, %v) = false", tc.sentinel)
			}
			var xe *Error
			if !errors.As(err, &xe) {
				t.Errorf("%T is not an *Error", err)
			}
			if strings.Contains(err.Error(), "SMITH") || strings.Contains(err.Error(), "LINE") || strings.Contains(err.Error(), "MAIN") {
				t.Errorf("error %q echoes data", err)
			}
			// Errors stick, and nothing more is written.
			if again := w.Segment("REF", "EI", "1"); again != err {
				t.Errorf("next call returned %v, want the same error", again)
			}
			if f := w.Flush(); f != err {
				t.Errorf("Flush returned %v, want the same error", f)
			}
			if strings.Contains(out.String(), "REF*EI") {
				t.Error("writer kept writing after an error")
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterWriteError(t *testing.T) {
	w := NewWriter(failingWriter{})
	if err := w.BeginInterchange(testISA); err != nil {
		t.Fatal(err) // buffered: no error yet
	}
	err := w.Flush()
	if !errors.Is(err, ErrWrite) || err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Flush error %v, want ErrWrite wrapping the io error", err)
	}
}

// TestWriterWriteSegmentKeepsRepetitionAcrossInterchanges reads a 4010
// interchange (no repetition separator) followed by a 5010 one and writes
// both: the second must keep its repetition separator.
func TestWriterWriteSegmentKeepsRepetitionAcrossInterchanges(t *testing.T) {
	d4010 := Delimiters{'*', ':', 0, '~'}
	in := isaFor(d4010, "00401", "000000001") + "GS*HC*S*R*20240101*1200*7*X*004010X098A1~ST*837*0001~NTE*ADD*A^B~SE*3*0001~GE*1*7~IEA*1*000000001~" +
		interchange(std, "000000002")
	in = strings.Replace(in, "BHT*0019*00*1*20240101*1200*CH", "HI*ABK:J449^ABF:E119", 1)
	segs, err := ReadAll(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, s := range segs {
		if err := w.WriteSegment(s); err != nil {
			t.Fatalf("%s: %v", s.ID(), err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != in {
		t.Errorf("round trip changed the file\n got %q\nwant %q", out.String(), in)
	}
}

func TestDelimitersValidate(t *testing.T) {
	tests := []struct {
		d    Delimiters
		want string // "" for valid
	}{
		{DefaultDelimiters, ""},
		{Delimiters{'*', ':', 0, '~'}, ""},
		{Delimiters{'|', '>', '!', '\n'}, ""},
		{Delimiters{0x1D, 0x1F, 0x1E, 0x1C}, ""},
		{Delimiters{'*', ':', '^', '*'}, `invalid delimiters: element and segment separators are both '*'`},
		{Delimiters{'A', ':', '^', '~'}, `invalid delimiters: element separator 'A' is not allowed`},
		{Delimiters{'*', ' ', '^', '~'}, `invalid delimiters: component separator ' ' is not allowed`},
		{Delimiters{'*', ':', '\n', '~'}, `invalid delimiters: repetition separator '\n' is not allowed (only the segment terminator may be a line break)`},
		{Delimiters{0xEF, ':', '^', 0xEF}, `invalid delimiters: element and segment separators are both '\xef'`},
		{Delimiters{}, `invalid delimiters: element separator '\x00' is not allowed`},
	}
	for _, tc := range tests {
		err := tc.d.Validate()
		got := ""
		if err != nil {
			got = err.Error()
			if !errors.Is(err, ErrBadDelimiters) {
				t.Errorf("%v: not ErrBadDelimiters", tc.d)
			}
		}
		if got != tc.want {
			t.Errorf("Validate(%v)\n got %q\nwant %q", tc.d, got, tc.want)
		}
	}
	if got, want := (Delimiters{'|', '>', 0, '\n'}).String(), `element '|' component '>' repetition none segment '\n'`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
