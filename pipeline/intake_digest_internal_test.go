package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// TestIntakeDigestPinned pins the JSON an encounter is recorded and
// hashed as. The digest tells a re-read encounter from a changed one:
// should this JSON change (another encoder, one that ignores omitzero or
// escapes differently, or a new field that is not omitted when empty),
// every encounter taken before would look changed when its file is read
// again. Hence encoding/json: segmentio/encoding/json, faster, writes
// "onset_date":"" and "non_covered_charge":"0.00" where encoding/json
// leaves them out.
func TestIntakeDigestPinned(t *testing.T) {
	enc := &Encounter{ID: "E<1>&\u2028", Claim: x837.Claim{
		TotalCharge: x12.Amount(12550),
		Diagnoses:   []string{"I10"},
		Payer:       x837.Payer{Name: "A&B <Health>\u2029 \xff caf\u00e9 \"q\" \\ /\x01", ID: "P1"},
		Subscriber:  x837.Subscriber{Person: x837.Person{LastName: "Doe", BirthDate: x12.Date{Year: 1970, Month: 1, Day: 31}}, MemberID: "M1"},
		Lines: []x837.Line{{Procedure: "99213", Charge: x12.Amount(12550), Units: "1",
			ServiceDate: x12.Date{Year: 2026, Month: 9, Day: 2}, DiagnosisPointers: []int{1}}},
	}}
	p := &Pipeline{now: time.Now}
	it, err := p.newIntakeItem(enc)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":"E\u003c1\u003e\u0026\u2028","kind":"professional","total_charge":"125.50","diagnoses":["I10"],` +
		`"billing_provider":{"npi":""},` +
		`"subscriber":{"last_name":"Doe","birth_date":"1970-01-31","member_id":"M1"},` +
		`"payer":{"name":"A\u0026B \u003cHealth\u003e\u2029 \ufffd café \"q\" \\ /\u0001","id":"P1"},` +
		`"lines":[{"procedure":"99213","charge":"125.50","units":"1","service_date":"2026-09-02","diagnosis_pointers":[1]}]}`
	if string(it.raw) != want {
		t.Errorf("recorded as\n%s\nwant\n%s", it.raw, want)
	}
	sum := sha256.Sum256([]byte(want))
	if it.digest != hex.EncodeToString(sum[:]) || it.digest != "5f0e72d6357a2f7d83c6c8ffaa9fe8fb5ab817532f6bf6fb9eb03f763f6bf182" {
		t.Errorf("digest %s, want the SHA-256 of the JSON", it.digest)
	}
}
