package encounters

import (
	"bytes"
	"errors"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// checkSource reads a whole source and checks the invariants every input
// must keep: no panic, exactly one of encounter or error per item,
// positioned record errors, valid unique IDs, and at most one fatal error,
// at the end.
func checkSource(t *testing.T, src pipeline.EncounterSource) {
	t.Helper()
	seen := map[string]bool{}
	fatal := false
	for enc, err := range src.Encounters(t.Context()) {
		if fatal {
			t.Fatal("an item after a fatal error")
		}
		if (enc == nil) == (err == nil) {
			t.Fatalf("item with encounter %v and error %v", enc != nil, err)
		}
		if err != nil {
			var re *pipeline.RecordError
			if !errors.As(err, &re) {
				fatal = true
				continue
			}
			if re.Line < 1 || re.Err == nil {
				t.Fatalf("record error without a line or cause: %#v", re)
			}
			continue
		}
		if !validID(enc.ID) || seen[enc.ID] {
			t.Fatalf("encounter with a bad or repeated id %q", enc.ID)
		}
		seen[enc.ID] = true
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(encLine + "\n"))
	f.Add([]byte("# c\n\n" + encLine + "\n" + encLine + "\n{\"id\":\"x\",\"lines\":[{\"charge\":\"1.005\"}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, NewJSONL("fuzz.jsonl", bytes.NewReader(data)))
	})
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("encounter_id,total_charge,dx1,patient_last_name,member_id,payer_name,payer_id,billing_npi,line_charge,line_units,line_service_date\n" +
		"A,1.00,I10,Doe,M,P,1,1234567893,1.00,1,2026-09-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, NewCSV("fuzz.csv", bytes.NewReader(data)))
	})
}
