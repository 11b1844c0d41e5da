package encounters

import (
	"strings"
	"testing"
)

// TestJSONLExtraFieldErrors checks that a bad value or an unknown field
// inside the nested billing objects (drug, ambulance, attachments, epsdt)
// is a record error naming its full JSON path.
func TestJSONLExtraFieldErrors(t *testing.T) {
	for _, tc := range []struct{ name, old, new, field string }{
		{"drug quantity number", `"diagnosis_pointers":[1,2]}`, `"diagnosis_pointers":[1,2],"drug":{"ndc":"00409379501","quantity":2,"unit":"ML"}}`, "lines[0].drug.quantity"},
		{"drug unknown field", `"diagnosis_pointers":[1,2]}`, `"diagnosis_pointers":[1,2],"drug":{"ndc":"00409379501","qty":"2"}}`, "lines[0].drug.qty"},
		{"epsdt flag string", `"diagnosis_pointers":[1]}`, `"diagnosis_pointers":[1],"epsdt":"Y"}`, "lines[1].epsdt"},
		{"ambulance distance number", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"ambulance":{"transport_reason":"A","distance_miles":12},`, "ambulance.distance_miles"},
		{"ambulance pick-up unknown", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"ambulance":{"pick_up":{"address":{"line1":"1 A St"},"phone":"1"}},`, "ambulance.pick_up.phone"},
		{"certification conditions", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"ambulance":{"certifications":[{"applies":true,"conditions":"01"}]},`, "ambulance.certifications[0].conditions"},
		{"attachment unknown", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"attachments":[{"report_type":"OZ","transmission":"AA","ctl":"1"}],`, "attachments[0].ctl"},
		{"patient paid number", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"patient_paid":20,`, "patient_paid"},
		{"accident date format", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"accident_date":"09/01/2026",`, "accident_date"},
		{"epsdt referral string", `"payer":{"name":"Payer","id":"P1"},`, `"payer":{"name":"Payer","id":"P1"},"epsdt":{"referral_given":"Y","conditions":["ST"]},`, "epsdt.referral_given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := replace(t, tc.old, tc.new)
			got := summaries(collect(t, NewJSONL("t.jsonl", strings.NewReader(line+"\n"))))
			if want := "err line 1 ENC-1 " + tc.field; len(got) != 1 || got[0] != want {
				t.Errorf("got %v, want %q", got, want)
			}
		})
	}
}
