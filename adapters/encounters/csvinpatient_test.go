package encounters

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// inpatientHeader and inpatientRow are a one-line inpatient encounter
// with every inpatient column.
const inpatientHeader = "encounter_id,kind,total_charge,dx1,dx2,patient_last_name,member_id,payer_name,payer_id,billing_npi," +
	"facility_type,admission_date,admission_hour,discharge_hour,present_on_admission,drg,principal_procedure,principal_procedure_date," +
	"other_procedures,occurrences,occurrence_spans,value_codes,operating_npi,operating_last_name,operating_first_name," +
	"other_operating_npi,other_operating_last_name,line_revenue_code,line_charge,line_units,line_service_date\n"

func inpatientRow(edit map[string]string) string {
	vals := map[string]string{"encounter_id": "IP1", "kind": "institutional", "total_charge": "900.00", "dx1": "S72.001A", "dx2": "W01.XXXA",
		"patient_last_name": "Doe", "member_id": "M1", "payer_name": "Payer", "payer_id": "P1", "billing_npi": "1234567893",
		"facility_type": "11", "admission_date": "2026-01-12", "admission_hour": "1930", "discharge_hour": "1115",
		"present_on_admission": "Y:1", "drg": "481", "principal_procedure": "0QS704Z", "principal_procedure_date": "2026-01-13",
		"other_procedures": "0QB70ZZ=2026-01-13:3E0336Z=2026-01-12", "occurrences": "01=2026-01-12",
		"occurrence_spans": "74=2026-01-14/2026-01-15", "value_codes": "80=4:A1=1676.00",
		"operating_npi": "1444555662", "operating_last_name": "Brandvold", "operating_first_name": "Astrid",
		"other_operating_npi": "1555666779", "other_operating_last_name": "Kowalczyk",
		"line_revenue_code": "0120", "line_charge": "900.00", "line_units": "4", "line_service_date": "2026-01-12"}
	for k, v := range edit {
		vals[k] = v
	}
	cols := strings.Split(strings.TrimSpace(inpatientHeader), ",")
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = vals[c]
	}
	return strings.Join(out, ",") + "\n"
}

func TestCSVInpatientColumns(t *testing.T) {
	got := readCSV(t, inpatientHeader+inpatientRow(nil))
	if len(got) != 1 || got[0].enc == nil {
		t.Fatalf("got %q", summaries(got))
	}
	in := got[0].enc.Institutional
	b, _ := json.Marshal(in)
	want := `"admission_hour":"1930","discharge_hour":"1115","present_on_admission":["Y","1"],"drg":"481",` +
		`"other_procedures":[{"code":"0QB70ZZ","date":"2026-01-13"},{"code":"3E0336Z","date":"2026-01-12"}],` +
		`"occurrence_spans":[{"code":"74","from":"2026-01-14","to":"2026-01-15"}],"occurrences":[{"code":"01","date":"2026-01-12"}],` +
		`"value_codes":[{"code":"80","amount":"4.00"},{"code":"A1","amount":"1676.00"}],` +
		`"operating_physician":{"npi":"1444555662","last_name":"Brandvold","first_name":"Astrid"},` +
		`"other_operating_physician":{"npi":"1555666779","last_name":"Kowalczyk"}`
	if !strings.Contains(string(b), want) {
		t.Errorf("institutional =\n%s\nwant it to contain\n%s", b, want)
	}
}

func TestCSVInpatientBadValues(t *testing.T) {
	for _, tc := range []struct {
		column, value string
		cause         error
	}{
		{"other_procedures", "0QB70ZZ", ErrBadValue},
		{"other_procedures", "0QB70ZZ=13/01/2026", x12.ErrBadDate},
		{"occurrences", "=2026-01-12", ErrBadValue},
		{"occurrence_spans", "74=2026-01-14", ErrBadValue},
		{"occurrence_spans", "74=2026-01-14/2026-02-30", x12.ErrBadDate},
		{"value_codes", "80=four", x12.ErrBadAmount},
		{"present_on_admission", "Y::N", ErrBadValue},
	} {
		t.Run(tc.column+" "+tc.value, func(t *testing.T) {
			got := readCSV(t, inpatientHeader+inpatientRow(map[string]string{tc.column: tc.value}))
			var re *pipeline.RecordError
			if len(got) != 1 || !errors.As(got[0].err, &re) {
				t.Fatalf("got %q, want one record error", summaries(got))
			}
			if re.Line != 2 || re.Field != tc.column || !errors.Is(re, tc.cause) {
				t.Errorf("got line %d column %q error %v, want line 2 column %q wrapping %v", re.Line, re.Field, re, tc.column, tc.cause)
			}
		})
	}
}
