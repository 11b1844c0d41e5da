package x997

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
	"github.com/x12claims/claims/x12/x999"
)

func dump(v any) string { b, _ := json.Marshal(v); return string(b) }

const env = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*ACMEBILL       *251003*1200*U*00401*000000301*0*T*:~" +
	"GS*FA*CLEARINGHOUSE*ACMEBILL*20251003*1200*301*X*004010~"

// file wraps the 997 set bodies (ST through the segment before SE) in an
// interchange, counting segments for SE01.
func file(bodies ...string) string {
	var b strings.Builder
	b.WriteString(env)
	for i, body := range bodies {
		ctl := "000" + strconv.Itoa(i+1)
		b.WriteString(body)
		b.WriteString("SE*" + strconv.Itoa(strings.Count(body, "~")+1) + "*" + ctl + "~")
	}
	b.WriteString("GE*" + strconv.Itoa(len(bodies)) + "*301~IEA*1*000000301~")
	return b.String()
}

func TestRead(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  *Ack
	}{
		{"accepted", file("ST*997*0001~AK1*HC*1001~AK2*837*0001~AK5*A~AK9*A*1*1*1~"), &Ack{
			SetControl: "0001", FunctionalID: "HC", GroupControl: "1001", Status: "A", SetsIncluded: 1, SetsReceived: 1, SetsAccepted: 1,
			Sets: []*SetResponse{{Segment: 3, SetID: "837", Control: "0001", Status: "A"}}}},
		{"rejected with AK3 and AK4", file("ST*997*0001~AK1*HC*1001~AK2*837*0001~AK3*CLM*22*2300*8~AK4*2*782*6*1O0~AK4*5:3*1331*7*Q~AK3*NM1*8**3~AK5*R*5~AK9*R*1*1*0~"), &Ack{
			SetControl: "0001", FunctionalID: "HC", GroupControl: "1001", Status: "R", SetsIncluded: 1, SetsReceived: 1,
			Sets: []*SetResponse{{Segment: 3, SetID: "837", Control: "0001", Status: "R", Errors: []string{"5"}, Segments: []SegmentError{
				{SegmentID: "CLM", Position: 22, Loop: "2300", Code: "8", Elements: []ElementError{
					{Position: 2, Reference: "782", Code: "6", BadData: "1O0"},
					{Position: 5, Component: 3, Reference: "1331", Code: "7", BadData: "Q"}}},
				{SegmentID: "NM1", Position: 8, Code: "3"}}}}}},
		{"partially accepted", file("ST*997*0001~AK1*HC*1001~AK2*837*0001~AK5*A~AK2*837*0002~AK3*REF*57**3~AK5*R*5~AK2*837*0003~AK5*E~AK9*P*3*3*2~"), &Ack{
			SetControl: "0001", FunctionalID: "HC", GroupControl: "1001", Status: "P", SetsIncluded: 3, SetsReceived: 3, SetsAccepted: 2,
			Sets: []*SetResponse{{Segment: 3, SetID: "837", Control: "0001", Status: "A"},
				{Segment: 5, SetID: "837", Control: "0002", Status: "R", Errors: []string{"5"}, Segments: []SegmentError{{SegmentID: "REF", Position: 57, Code: "3"}}},
				{Segment: 8, SetID: "837", Control: "0003", Status: "E"}}}},
		{"group rejected, no AK2", file("ST*997*0001~AK1*HC*1001~AK9*R*2*0*0*2~"), &Ack{
			SetControl: "0001", FunctionalID: "HC", GroupControl: "1001", Status: "R", SetsIncluded: 2, GroupErrors: []string{"2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acks, err := Read(strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if len(acks) != 1 {
				t.Fatalf("%d acks", len(acks))
			}
			got := acks[0]
			if got.ISA13 != "000000301" || got.GS06 != "301" || got.Version != Version || got.SenderID != "CLEARINGHOUSE" || got.ReceiverID != "ACMEBILL" || len(got.Warnings) != 0 {
				t.Errorf("envelope %q %q %q %q %q, warnings %v", got.ISA13, got.GS06, got.Version, got.SenderID, got.ReceiverID, got.Warnings)
			}
			got.ISA13, got.GS06, got.SenderID, got.ReceiverID, got.Version = "", "", "", "", ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

// TestAs999 checks that the 999 form carries every field, and that its
// set verdicts are the 997's.
func TestAs999(t *testing.T) {
	acks, err := Read(strings.NewReader(file("ST*997*0001~AK1*HC*1001~AK2*837*0001~AK5*A~AK2*837*0002~AK3*CLM*22*2300*8~AK4*5:3*1331*7*Q~AK5*R*5*4~AK9*P*2*2*1*5~")))
	if err != nil {
		t.Fatal(err)
	}
	a := acks[0]
	got := a.As999()
	want := &x999.Ack{ISA13: "000000301", GS06: "301", SetControl: "0001", SenderID: "CLEARINGHOUSE", ReceiverID: "ACMEBILL", Version: "004010",
		FunctionalID: "HC", GroupControl: "1001", Status: "P", SetsIncluded: 2, SetsReceived: 2, SetsAccepted: 1, GroupErrors: []string{"5"},
		Sets: []*x999.SetResponse{{Segment: 3, SetID: "837", Control: "0001", Status: "A"},
			{Segment: 5, SetID: "837", Control: "0002", Status: "R", Errors: []string{"5", "4"}, Segments: []x999.SegmentError{
				{SegmentID: "CLM", Position: 22, Loop: "2300", Code: "8", Elements: []x999.ElementError{{Position: 5, Component: 3, Reference: "1331", Code: "7", BadData: "Q"}}}}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("As999\ngot  %s\nwant %s", dump(got), dump(want))
	}
	for i, s := range a.Sets {
		if s.Accepted() != got.Sets[i].Accepted() || s.Rejected() != got.Sets[i].Rejected() {
			t.Errorf("set %s: verdicts differ", s.Control)
		}
	}
	ga, gr := got.Counts()
	if aa, ar := a.Counts(); aa != ga || ar != gr || aa != 1 || ar != 1 {
		t.Errorf("counts %d/%d, 999 %d/%d", aa, ar, ga, gr)
	}
	// Nothing is shared.
	got.Sets[1].Errors[0], got.Sets[1].Segments[0].Elements[0].Code, got.GroupErrors[0] = "x", "x", "x"
	if a.Sets[1].Errors[0] != "5" || a.Sets[1].Segments[0].Elements[0].Code != "7" || a.GroupErrors[0] != "5" {
		t.Error("As999 shares slices with the 997")
	}
}

func TestWarnings(t *testing.T) {
	acks, err := Read(strings.NewReader(file("ST*997*0001~AK1*HC*1001~AK2*837*0001~AK3*CLM*22**Z9~AK4*2*78X*99~CTX*CLM01:1~AK5*Q*ZZ~AK9*R*1*1*0~")))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range acks[0].Warnings {
		msgs = append(msgs, w.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{`AK304 "Z9"`, `AK402 "78X"`, `AK403 "99"`, "segment CTX is not part of the 997", `AK501 "Q"`, `AK502 "ZZ"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning with %q in\n%s", want, all)
		}
	}
	if len(msgs) != 6 {
		t.Errorf("%d warnings, want 6:\n%s", len(msgs), all)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name, input, wantErr string
		sentinel             error
	}{
		{"AK5 before AK2", file("ST*997*0001~AK1*HC*1~AK5*A~AK9*A*1*1*1~"), "segment 5 (AK5), byte", ErrStructure},
		{"no AK9", file("ST*997*0001~AK1*HC*1~AK2*837*0001~AK5*A~"), "has no AK9", ErrStructure},
		{"no AK5", file("ST*997*0001~AK1*HC*1~AK2*837*0001~AK9*A*1*1*1~"), "has no AK5", ErrStructure},
		{"AK302 not a number", file("ST*997*0001~AK1*HC*1~AK2*837*0001~AK3*CLM*X2~AK5*R*5~AK9*R*1*1*0~"), `AK302 "X2" is not a number`, ErrStructure},
		{"AK4 outside AK3", file("ST*997*0001~AK1*HC*1~AK2*837*0001~AK4*2*782*6~AK5*R*5~AK9*R*1*1*0~"), "outside an AK3 loop", ErrStructure},
		{"truncated", env + "ST*997*0001~AK1*HC*1~AK2*837*0001~AK5*A", "no SE", x12.ErrMissingTrailer},
		{"no 997", file("ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK9*A*0*0*0~"), "no 997", ErrNoTransaction},
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

// TestCorpus checks the 997s of the shared corpus against what the files
// say, read by hand.
func TestCorpus(t *testing.T) {
	type setWant struct{ control, status string }
	type want struct {
		group              string
		sets               []setWant
		status             string
		accepted, rejected int
		segErrors          []SegmentError
		warnings           int
	}
	wants := map[string]want{
		// 4010: AK1*HC*1167; AK2*837*1179 AK5*A; AK9*A*1*1*1; a TA1 after GE.
		"other/azoner-pyx12__simple_837p.997.base": {"HC/1167", []setWant{{"1179", "A"}}, "A", 1, 0, nil, 0},
		// 005010X230: AK3*CLM*22**8, AK4*1*1028*1; AK9*P*2*2*1.
		"other/kputnam-stupidedi__X230-pass-response-to-functional-group-containing-837s.edi": {"HC/17456",
			[]setWant{{"0001", "A"}, {"0002", "R"}}, "P", 1, 1,
			[]SegmentError{{SegmentID: "CLM", Position: 22, Code: "8", Elements: []ElementError{{Position: 1, Reference: "1028", Code: "1"}}}}, 0},
		// 005010X230: AK3*NM1*8**8, AK4*8*66*7*MI; AK9*R*1*1*0.
		"other/xlate-staedi__simple997.edi": {"HC/000001", []setWant{{"0021", "R"}}, "R", 0, 1,
			[]SegmentError{{SegmentID: "NM1", Position: 8, Code: "8", Elements: []ElementError{{Position: 8, Reference: "66", Code: "7", BadData: "MI"}}}}, 0},
		// Deliberately invalid: AK402 "66 NON NUMERIC" (AK101 is kept as sent).
		"malformed/xlate-staedi__invalid997.edi": {"HC NOT IN CODESET/000001", []setWant{{"0021", "R"}}, "R", 0, 1,
			[]SegmentError{{SegmentID: "NM1", Position: 8, Code: "8", Elements: []ElementError{{Position: 8, Reference: "66 NON NUMERIC", Code: "7", BadData: "MI"}}}}, 1},
	}
	root := filepath.Dir(x12test.CorpusDir(t, "other"))
	for name, w := range wants {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Logf("%s: %v; skipped", name, err)
			continue
		}
		acks, err := Read(strings.NewReader(string(data)))
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
		var segErrors []SegmentError
		for _, s := range a.Sets {
			sets = append(sets, setWant{s.Control, s.Status})
			segErrors = append(segErrors, s.Segments...)
		}
		acc, rej := a.Counts()
		got := want{a.FunctionalID + "/" + a.GroupControl, sets, a.Status, acc, rej, segErrors, len(a.Warnings)}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\ngot  %+v\nwant %+v (warnings %v)", name, got, w, a.Warnings)
		}
	}
}
