package x999

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func dump(v any) string { b, _ := json.Marshal(v); return string(b) }

// sampleAck acknowledges a group of three 837s: one accepted, one
// rejected for a CLM02 error (with the claim named), one rejected for a
// missing REF triggered by CLM05-3.
func sampleAck() *Ack {
	a := &Ack{
		SetControl: "0001", FunctionalID: "HC", GroupControl: "1001", GroupVersion: "005010X222A1",
		Sets: []*SetResponse{
			{SetID: "837", Control: "0001", Convention: "005010X222A1", Status: "A"},
			{SetID: "837", Control: "0002", Convention: "005010X222A1", Status: "R", Errors: []string{"5", "I5"},
				Segments: []SegmentError{{SegmentID: "CLM", Position: 22, Loop: "2300", Code: "8",
					BusinessUnit: &BusinessUnit{Name: "CLM01", Reference: "C1002-1"},
					Elements: []ElementError{{Position: 2, Reference: "782", Code: "6", BadData: "1O0"},
						{Position: 5, Component: 3, Reference: "1325", Code: "7", BadData: "Q",
							Contexts: []Context{{Name: "SITUATIONAL TRIGGER", SegmentID: "CLM", Position: 22, Loop: "2300", Element: 5, Component: 3, Reference: "1325"}}}}}}},
			{SetID: "837", Control: "0003", Convention: "005010X222A1", Status: "R", Errors: []string{"5"},
				Segments: []SegmentError{{SegmentID: "REF", Position: 57, Loop: "2300", Code: "3",
					Contexts:     []Context{{Name: "SITUATIONAL TRIGGER", SegmentID: "CLM", Position: 43, Element: 5, Component: 3}},
					BusinessUnit: &BusinessUnit{Name: "CLM01", Reference: "C1003-1"}}}},
		},
	}
	a.Tally(3)
	return a
}

func sampleFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	isa := x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "CLEARINGHOUSE", ReceiverQualifier: "ZZ", ReceiverID: "ACMEBILL",
		Date: "251003", Time: "1200", ControlNumber: "000000201", Usage: "T"}
	gs := x12.GroupHeader{SenderCode: "CLEARINGHOUSE", ReceiverCode: "ACMEBILL", Date: "20251003", Time: "1200", ControlNumber: "201"}
	if err := WriteInterchange(&buf, isa, gs, sampleAck()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTally(t *testing.T) {
	a := sampleAck()
	if a.Status != "P" || a.SetsIncluded != 3 || a.SetsReceived != 3 || a.SetsAccepted != 1 {
		t.Errorf("AK9 %s %d %d %d, want P 3 3 1", a.Status, a.SetsIncluded, a.SetsReceived, a.SetsAccepted)
	}
	tests := []struct {
		statuses []string
		want     string
	}{{[]string{"A", "A"}, "A"}, {[]string{"A", "E"}, "E"}, {[]string{"R", "R"}, "R"}, {[]string{"A", "R"}, "P"}, {nil, "A"}}
	for _, tt := range tests {
		var b Ack
		for _, s := range tt.statuses {
			b.Sets = append(b.Sets, &SetResponse{Status: s})
		}
		b.Tally(len(tt.statuses))
		if b.Status != tt.want {
			t.Errorf("Tally(%v) = %s, want %s", tt.statuses, b.Status, tt.want)
		}
	}
}

func TestWriteGolden(t *testing.T) {
	got := sampleFile(t)
	path := "testdata/sample.999"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n%s", path, got)
	}
}

func TestRoundTrip(t *testing.T) {
	acks, err := Read(bytes.NewReader(sampleFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 {
		t.Fatalf("%d acks", len(acks))
	}
	got := acks[0]
	if got.ISA13 != "000000201" || got.GS06 != "201" || got.Version != Guide || len(got.Warnings) != 0 {
		t.Errorf("envelope %q %q %q, warnings %v", got.ISA13, got.GS06, got.Version, got.Warnings)
	}
	got.ISA13, got.GS06, got.SenderID, got.ReceiverID, got.Version = "", "", "", "", ""
	for _, s := range got.Sets {
		s.Segment = 0
	}
	if want := sampleAck(); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip differs\ngot:  %s\nwant: %s", dump(got), dump(want))
	}
}

// TestCorpus checks every 999 of the shared corpus against what the file
// says, read by hand.
func TestCorpus(t *testing.T) {
	type setWant struct{ control, status string }
	type want struct {
		group              string
		sets               []setWant
		status             string
		accepted, rejected int
		segErrors          int
		warnings           int
	}
	wants := map[string]want{
		// AK1*BE*146; AK2*834*146001 IK5*A; AK9*A*1*1*1.
		"azoner-pyx12__834_ls_le_ls_5010.999.txt": {"BE/146", []setWant{{"146001", "A"}}, "A", 1, 0, 0, 0},
		// IK5*A; AK9*A*1*1*1. IEA02 000000001 differs from ISA13 000000286:
		// one envelope warning.
		"imsweb-x12-parser__x12_999_accepted.txt": {"HC/17456", []setWant{{"0001", "A"}}, "A", 1, 0, 0, 1},
		// AK9*P*3*3*1: accepted 1, rejected 3 - 1 = 2; IK3 CLM and IK3 REF.
		"kputnam-stupidedi__X231A1-pass-response-to-functional-group-containing-3-837s.edi": {"HC/17456",
			[]setWant{{"0001", "A"}, {"0002", "R"}, {"0003", "R"}}, "P", 1, 2, 2, 0},
		"xlate-staedi__simple999.edi": {"HC/17456", []setWant{{"0001", "A"}, {"0002", "R"}, {"0003", "R"}}, "P", 1, 2, 2, 0},
	}
	for _, f := range x12test.CorpusFiles(t, "999") {
		name := filepath.Base(f)
		w, ok := wants[name]
		if !ok {
			t.Errorf("no expectation for %s", name)
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		acks, err := Read(fh)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(acks) != 1 {
			t.Errorf("%s: %d acks", name, len(acks))
			continue
		}
		a := acks[0]
		var sets []setWant
		segErrors := 0
		for _, s := range a.Sets {
			sets = append(sets, setWant{s.Control, s.Status})
			segErrors += len(s.Segments)
		}
		acc, rej := a.Counts()
		got := want{a.FunctionalID + "/" + a.GroupControl, sets, a.Status, acc, rej, segErrors, len(a.Warnings)}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", name, got, w)
		}
	}
}

// TestCorpusDetail checks the IK3/IK4/CTX content of the TR3 example.
func TestCorpusDetail(t *testing.T) {
	dir := x12test.CorpusDir(t, "999")
	data, err := os.ReadFile(filepath.Join(dir, "kputnam-stupidedi__X231A1-pass-response-to-functional-group-containing-3-837s.edi"))
	if err != nil {
		t.Skip(err)
	}
	acks, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	s2, s3 := acks[0].Sets[1], acks[0].Sets[2]
	want2 := SegmentError{SegmentID: "CLM", Position: 22, Code: "8", BusinessUnit: &BusinessUnit{Name: "CLM01", Reference: "123456789"},
		Elements: []ElementError{{Position: 2, Reference: "782", Code: "1"}}}
	if !reflect.DeepEqual(s2.Segments, []SegmentError{want2}) || !reflect.DeepEqual(s2.Errors, []string{"5"}) {
		t.Errorf("set 0002: %s", dump(s2))
	}
	want3 := SegmentError{SegmentID: "REF", Position: 57, Code: "3",
		Contexts:     []Context{{Name: "SITUATIONAL TRIGGER", SegmentID: "CLM", Position: 43, Element: 5, Component: 3}},
		BusinessUnit: &BusinessUnit{Name: "CLM01", Reference: "987654321"}}
	if !reflect.DeepEqual(s3.Segments, []SegmentError{want3}) {
		t.Errorf("set 0003: %s", dump(s3))
	}
}

func TestProblems(t *testing.T) {
	const env = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~GS*FA*A*B*20251003*1200*1*X*005010X231A1~"
	wrap := func(body string) string {
		return env + body + "SE*" + strings.Repeat("", 0) + itoa(strings.Count(body, "~")+1) + "*0001~GE*1*1~IEA*1*000000001~"
	}
	tests := []struct {
		name, input, wantErr string
		sentinel             error
	}{
		{"IK5 before AK2", wrap("ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~IK5*A~AK9*A*1*1*1~"), "segment 5 (IK5), byte", ErrStructure},
		{"no AK9", wrap("ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001~IK5*A~"), "has no AK9", ErrStructure},
		{"IK3 position not a number", wrap("ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001~IK3*CLM*X2~IK5*R*5~AK9*R*1*1*0~"), "IK302 \"X2\" is not a number", ErrStructure},
		{"truncated", env + "ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001~IK5*A", "no SE", x12.ErrMissingTrailer},
		{"not X12", "hello", "ISA", x12.ErrNoISA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v, want %v containing %q", err, tt.sentinel, tt.wantErr)
			}
		})
	}
}

func itoa(n int) string { return x12.Amount(n * 100).X12() }

var (
	isaForFuzz = x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "A", ReceiverQualifier: "ZZ", ReceiverID: "B", Date: "251003", Time: "1200", ControlNumber: "1"}
	gsForFuzz  = x12.GroupHeader{SenderCode: "A", ReceiverCode: "B", Date: "20251003", Time: "1200", ControlNumber: "1"}
)

func TestNewAck(t *testing.T) {
	g := x12.GroupHeader{FunctionalID: "HC", ControlNumber: "77", Version: "005010X222A1"}
	sets := []x12.SetHeader{{ID: "837", ControlNumber: "0001", Convention: "005010X222A1"}, {ID: "837", ControlNumber: "0002", Convention: "005010X222A1"}}
	a := NewAck("0009", g, sets)
	if a.Status != "A" || a.SetsIncluded != 2 || a.SetsAccepted != 2 || a.GroupControl != "77" || a.Sets[1].Control != "0002" {
		t.Errorf("NewAck: %s", dump(a))
	}
	a.Sets[1].Status, a.Sets[1].Errors = "R", []string{"5"}
	a.Tally(2)
	if a.Status != "P" || a.SetsAccepted != 1 {
		t.Errorf("after rejecting one: %s %d", a.Status, a.SetsAccepted)
	}
}
