package encounters

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// TestSampleBillingFields reads samples/encounters-billing-fields.jsonl,
// the encounters that use the 837P billing fields: each scrubs without a
// problem, and the 837P and 837I built from them pass the file validator
// with every field present.
func TestSampleBillingFields(t *testing.T) {
	encs := readSample(t, "encounters-billing-fields.jsonl")
	if len(encs) != 6 {
		t.Fatalf("%d encounters, want 6", len(encs))
	}
	today := x12.Date{Year: 2026, Month: time.December, Day: 1}
	byKind := map[x837.Kind][]*x837.Claim{}
	for i, e := range encs {
		c := e.Claim
		if ps := c.Validate(x837.ValidateOptions{Today: today, PCNAssignedLater: true}); len(ps) > 0 {
			for _, p := range ps {
				t.Errorf("%s: %s", e.ID, p.Error())
			}
		}
		c.PatientControlNumber = fmt.Sprintf("S%d", i+1)
		kind := c.Kind
		if kind == "" {
			kind = x837.Professional
		}
		byKind[kind] = append(byKind[kind], &c)
	}
	for kind, claims := range byKind {
		env := x837.Envelope{Kind: kind, SenderQualifier: "ZZ", SenderID: "CEDARVALLEYMG", ReceiverQualifier: "ZZ", ReceiverID: "CLAIMSIM",
			ISA13: "1", GS06: "1", BatchID: "B1", Created: time.Date(2026, time.December, 1, 9, 0, 0, 0, time.UTC),
			Submitter: x837.Submitter{Name: "Cedar Valley Medical Group", ETIN: "CEDARVALLEYMG", ContactName: "Billing Office", Phone: "3035550100"},
			Receiver:  x837.Receiver{Name: "X12 Claims Simulator Clearinghouse", ID: "CLAIMSIM"}}
		var buf bytes.Buffer
		if _, err := x837.WriteFile(&buf, env, slices.Values(claims)); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		ps, err := x837.ValidateFile(bytes.NewReader(buf.Bytes()), x837.FileOptions{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("%s file: %s", kind, p.Error())
		}
		segs := string(buf.Bytes())
		want := []string{"LIN**N4*", "CTP****", "PWK*", "NTE*", "REF*9F*"}
		if kind == x837.Professional {
			want = append(want, "REF*X4*", "AMT*F5*", "CRC*ZZ*", "CRC*07*", "CR1*", "NM1*PW*", "NM1*45*", "NM1*DQ*", "NM1*DK*",
				"DTP*439*", "DTP*454*", "DTP*304*", "DTP*314*", "REF*XZ*", "**AA:::CO", "~NM1*82*", "NM1*P3*", "QTY*PT*2", "REF*G1*")
		}
		for _, w := range want {
			if !bytes.Contains(buf.Bytes(), []byte(w)) {
				t.Errorf("%s file has no %s:\n%s", kind, w, segs)
			}
		}
	}
}
