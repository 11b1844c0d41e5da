package ta1

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
)

func TestRoundTrip(t *testing.T) {
	want := []*Ack{
		{ControlNumber: "000000101", Date: "251003", Time: "1200", Code: "A", Note: "000"},
		{ControlNumber: "000000102", Date: "251003", Time: "1201", Code: "R", Note: "008"},
	}
	var buf bytes.Buffer
	isa := x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "CLEARINGHOUSE", ReceiverQualifier: "ZZ", ReceiverID: "ACMEBILL",
		Date: "251003", Time: "1205", ControlNumber: "000000401", Usage: "T"}
	if err := WriteInterchange(&buf, isa, want...); err != nil {
		t.Fatal(err)
	}
	const wantText = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*ACMEBILL       *251003*1205*^*00501*000000401*0*T*:~" +
		"TA1*000000101*251003*1200*A*000~TA1*000000102*251003*1201*R*008~IEA*0*000000401~"
	if buf.String() != wantText {
		t.Errorf("wrote\n%s\nwant\n%s", buf.String(), wantText)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range got {
		if a.ISA13 != "000000401" || a.SenderID != "CLEARINGHOUSE" || a.Segment != i+2 {
			t.Errorf("ack %d envelope %+v", i, a)
		}
		a.ISA13, a.SenderID, a.ReceiverID, a.Segment = "", "", "", 0
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if !got[0].Accepted() || got[1].Accepted() || !got[1].Rejected() {
		t.Errorf("verdicts wrong")
	}
}

func TestCorpus(t *testing.T) {
	want := map[string][]Ack{
		// Two TA1s with short TA101 values and 8-digit dates, BOM, CRLF.
		"Inteligenz-X12Parser__TechnicalAcknowledgment_Sample1.txt": {
			{ControlNumber: "0659", Date: "20110922", Time: "0512", Code: "A"},
			{ControlNumber: "0660", Date: "20110922", Time: "0512", Code: "A"},
		},
		// TA1*000000050*200229*1200*A*000; IEA01=1 with no group is an
		// envelope count warning, not an error.
		"xlate-staedi__x12_interchange_ack.txt": {{ControlNumber: "000000050", Date: "200229", Time: "1200", Code: "A", Note: "000"}},
	}
	for _, f := range x12test.CorpusFiles(t, "ta1") {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		acks, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got []Ack
		for _, a := range acks {
			c := *a
			c.ISA13, c.SenderID, c.ReceiverID, c.Segment = "", "", "", 0
			got = append(got, c)
		}
		if !reflect.DeepEqual(got, want[name]) {
			t.Errorf("%s: got %+v, want %+v", name, got, want[name])
		}
	}
}

func TestProblems(t *testing.T) {
	const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~"
	tests := []struct {
		name, input, wantErr string
		sentinel             error
	}{
		{"no TA104", isa + "TA1*000000009*251003*1200~IEA*0*000000001~", "TA104", x12.ErrBadValue},
		{"none", isa + "IEA*0*000000001~", "no TA1", ErrNoTransaction},
		{"not X12", "TA1*1*2*3*A*000~", "ISA", x12.ErrNoISA},
		{"truncated", isa + "TA1*000000009*251003*1200*A*000~", "no IEA", x12.ErrMissingTrailer},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(tt.input))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: error %v, want %v containing %q", tt.name, err, tt.sentinel, tt.wantErr)
		}
	}
}
