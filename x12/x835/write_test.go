package x835

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/x12claims/claims/x12/x12test"
	"os"
)

// clearPositions zeroes what the parser adds and the writer does not
// write: envelope fields, segment positions and warnings.
func clearPositions(r *Remittance) *Remittance {
	c := *r
	c.ISA13, c.GS06, c.SenderID, c.ReceiverID, c.Version, c.Warnings = "", "", "", "", "", nil
	claims := make([]*Claim, len(r.Claims))
	for i, cl := range r.Claims {
		cc := *cl
		cc.Segment = 0
		lines := make([]*Line, len(cl.Lines))
		for j, l := range cl.Lines {
			ll := *l
			ll.Segment = 0
			lines[j] = &ll
		}
		if len(lines) == 0 {
			lines = nil
		}
		cc.Lines = lines
		claims[i] = &cc
	}
	c.Claims = claims
	return &c
}

func TestWriteGolden(t *testing.T) {
	golden(t, "sample.835", sampleFile(t))
}

func TestRoundTrip(t *testing.T) {
	want := sampleRemittance()
	got, err := Read(bytes.NewReader(sampleFile(t)))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d remittances, want 1", len(got))
	}
	if len(got[0].Warnings) != 0 {
		t.Errorf("warnings: %v", got[0].Warnings)
	}
	if g := clearPositions(got[0]); !reflect.DeepEqual(g, want) {
		t.Errorf("round trip differs\ngot:  %s\nwant: %s", dump(g), dump(want))
	}
	if errs := got[0].Balance(); len(errs) != 0 {
		t.Errorf("sample does not balance: %v", errs)
	}
}

// TestRoundTripCorpus reads each real 835, writes it and reads it back:
// the two models must be equal.
func TestRoundTripCorpus(t *testing.T) {
	for _, f := range x12test.CorpusFiles(t, "835") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var buf bytes.Buffer
		isa, gs := sampleEnvelope()
		if err := WriteInterchange(&buf, isa, gs, first...); err != nil {
			t.Errorf("%s: write: %v", f, err)
			continue
		}
		second, err := Read(&buf)
		if err != nil {
			t.Errorf("%s: read back: %v", f, err)
			continue
		}
		for i := range first {
			a, b := clearPositions(first[i]), clearPositions(second[i])
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s set %d: round trip differs\nfirst:  %s\nsecond: %s", f, i, dump(a), dump(b))
			}
		}
	}
}
