package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// professionalForEncounter is a professional encounter with a patient
// who is not the subscriber, a rendering and a referring provider, and
// two lines.
func professionalEncounter() *pipeline.Encounter {
	e := pipelinetest.Encounter("P1", "100.00", "20.50")
	e.PriorAuthorization = "PA-1"
	e.Subscriber.GroupNumber = "GRP1"
	e.Patient = &x837.Patient{Person: x837.Person{LastName: "DOE", FirstName: "KIM", BirthDate: date(2015, 6, 2), Gender: "F",
		Address: &x837.Address{Line1: "2 Elm St", City: "Testville", State: "TX", ZIP: "75001"}}, Relationship: "19"}
	e.RenderingProvider = &x837.Provider{NPI: "1045678905", LastName: "OKAFOR", FirstName: "DANIEL"}
	e.ReferringProvider = &x837.Provider{NPI: "1122334455", LastName: "LINDQVIST", FirstName: "MARTA"}
	e.Lines[0].Modifiers = []string{"25", "59"}
	e.Lines[0].DiagnosisPointers = []int{1, 2}
	return e
}

// institutionalEncounter is the first claim of the 837I fixture, as the
// practice sends it (without the numbers the pipeline assigns).
func institutionalEncounter(t *testing.T) *pipeline.Encounter {
	t.Helper()
	data, err := os.ReadFile("../x12/x837/testdata/institutional.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []x837.Claim
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	c.PatientControlNumber, c.Frequency = "", ""
	for i := range c.Lines {
		c.Lines[i].ControlNumber = ""
	}
	return &pipeline.Encounter{ID: "H1", Claim: c}
}

type field struct{ group, path, value string }

func formOf(t *testing.T, h *pipelinetest.Harness, encounterID string) *pipeline.CorrectionForm {
	t.Helper()
	c := h.ClaimOf(encounterID)
	f, err := h.P.CorrectionForm(context.Background(), c.ID)
	if err != nil {
		t.Fatalf("CorrectionForm: %v", err)
	}
	if f.ClaimID != c.ID || f.Version != c.Version || f.State != c.State {
		t.Errorf("form of claim %d version %d (%s), want %d version %d (%s)", f.ClaimID, f.Version, f.State, c.ID, c.Version, c.State)
	}
	return f
}

func fieldsOf(f *pipeline.CorrectionForm) []field {
	var out []field
	for _, fl := range f.Fields {
		out = append(out, field{fl.Group, fl.Path, fl.Value})
	}
	return out
}

func TestCorrectionFormFields(t *testing.T) {
	h := newHarness(t, nil)
	intake(t, h, professionalEncounter(), institutionalEncounter(t))
	tests := []struct {
		name, encounter string
		want            []field
	}{
		{"professional", "P1", []field{
			{"Subscriber", "subscriber.member_id", "MP1"},
			{"Subscriber", "subscriber.last_name", "DOE"},
			{"Subscriber", "subscriber.first_name", "PAT"},
			{"Subscriber", "subscriber.birth_date", "1980-01-31"},
			{"Subscriber", "subscriber.group_number", "GRP1"},
			{"Patient", "patient.last_name", "DOE"},
			{"Patient", "patient.first_name", "KIM"},
			{"Patient", "patient.birth_date", "2015-06-02"},
			{"Payer", "payer.id", "PAYER01"},
			{"Payer", "payer.name", "Test Payer"},
			{"Providers", "billing_provider.npi", "1234567893"},
			{"Providers", "rendering_provider.npi", "1045678905"},
			{"Providers", "referring_provider.npi", "1122334455"},
			{"Claim", "diagnoses", "E11.9, I10"},
			{"Claim", "prior_authorization", "PA-1"},
			{"Claim", "total_charge", "120.50"},
			{"Line 1", "lines[0].procedure", "99213"},
			{"Line 1", "lines[0].modifiers", "25, 59"},
			{"Line 1", "lines[0].units", "1"},
			{"Line 1", "lines[0].charge", "100.00"},
			{"Line 1", "lines[0].service_date", "2026-11-02"},
			{"Line 1", "lines[0].diagnosis_pointers", "1, 2"},
			{"Line 2", "lines[1].procedure", "36415"},
			{"Line 2", "lines[1].modifiers", ""},
			{"Line 2", "lines[1].units", "1"},
			{"Line 2", "lines[1].charge", "20.50"},
			{"Line 2", "lines[1].service_date", "2026-11-02"},
			{"Line 2", "lines[1].diagnosis_pointers", "1"},
		}},
		{"institutional", "H1", []field{
			{"Subscriber", "subscriber.member_id", "1EG4TE5MK72"},
			{"Subscriber", "subscriber.last_name", "PELLETIER"},
			{"Subscriber", "subscriber.first_name", "GRACE"},
			{"Subscriber", "subscriber.birth_date", "1957-03-21"},
			{"Subscriber", "subscriber.group_number", ""},
			{"Payer", "payer.id", "MCRA1"},
			{"Payer", "payer.name", "MEDICARE PART A"},
			{"Providers", "billing_provider.npi", "1765432103"},
			{"Providers", "institutional.attending_provider.npi", "1333444556"},
			{"Claim", "institutional.statement_from", "2026-02-03"},
			{"Claim", "institutional.statement_to", "2026-02-03"},
			{"Claim", "diagnoses", "R07.9, I10, E78.5"},
			{"Claim", "prior_authorization", ""},
			{"Claim", "total_charge", "1483.25"},
			{"Line 1", "lines[0].revenue_code", "0450"},
			{"Line 1", "lines[0].procedure", "99284"},
			{"Line 1", "lines[0].modifiers", "25"},
			{"Line 1", "lines[0].units", "1"},
			{"Line 1", "lines[0].charge", "980.00"},
			{"Line 1", "lines[0].service_date", "2026-02-03"},
			{"Line 1", "lines[0].diagnosis_pointers", ""},
			{"Line 2", "lines[1].revenue_code", "0730"},
			{"Line 2", "lines[1].procedure", "93005"},
			{"Line 2", "lines[1].modifiers", ""},
			{"Line 2", "lines[1].units", "1"},
			{"Line 2", "lines[1].charge", "215.75"},
			{"Line 2", "lines[1].service_date", "2026-02-03"},
			{"Line 2", "lines[1].diagnosis_pointers", ""},
			{"Line 3", "lines[2].revenue_code", "0301"},
			{"Line 3", "lines[2].procedure", "80053"},
			{"Line 3", "lines[2].modifiers", ""},
			{"Line 3", "lines[2].units", "1"},
			{"Line 3", "lines[2].charge", "187.50"},
			{"Line 3", "lines[2].service_date", "2026-02-03"},
			{"Line 3", "lines[2].diagnosis_pointers", ""},
			{"Line 4", "lines[3].revenue_code", "0250"},
			{"Line 4", "lines[3].procedure", ""},
			{"Line 4", "lines[3].modifiers", ""},
			{"Line 4", "lines[3].units", "4"},
			{"Line 4", "lines[3].charge", "100.00"},
			{"Line 4", "lines[3].service_date", "2026-02-03"},
			{"Line 4", "lines[3].diagnosis_pointers", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := formOf(t, h, tt.encounter)
			if got := fieldsOf(f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields:\n%v\nwant\n%v", got, tt.want)
			}
			// Every path is one a correction can set, and its value sets it
			// to what it is.
			enc := &pipeline.Encounter{Claim: h.ClaimOf(tt.encounter).Data}
			before, _ := json.Marshal(enc)
			for _, fl := range f.Fields {
				if fl.Label == "" {
					t.Errorf("%s has no label", fl.Path)
				}
				if err := pipeline.SetField(enc, fl.Path, fl.Value); err != nil {
					t.Errorf("SetField(%s, %q): %v", fl.Path, fl.Value, err)
				}
			}
			if after, _ := json.Marshal(enc); string(after) != string(before) {
				t.Errorf("setting every field to its form value changed the claim:\n%s\n%s", before, after)
			}
		})
	}
	if f := formOf(t, h, "P1"); f.Fields[3].Hint != "YYYY-MM-DD" || f.Fields[0].Hint != "" {
		t.Errorf("hints %q, %q", f.Fields[3].Hint, f.Fields[0].Hint)
	}
	if _, err := h.P.CorrectionForm(context.Background(), 999); !errors.Is(err, pipeline.ErrNotFound) {
		t.Errorf("CorrectionForm of no claim = %v, want ErrNotFound", err)
	}
}

func TestCorrectionFormChanges(t *testing.T) {
	h := newHarness(t, nil)
	intake(t, h, professionalEncounter())
	form := formOf(t, h, "P1")
	unchanged := map[string]string{}
	for _, f := range form.Fields {
		unchanged[f.Path] = f.Value
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range unchanged {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		values  map[string]string
		want    []pipeline.FieldSet
		errPath string // a *FieldError on this path
	}{
		{"nothing submitted", nil, nil, ""},
		{"the form as it was", unchanged, nil, ""},
		{"spaces around a value are no change", with("subscriber.member_id", "  MP1\t"), nil, ""},
		{"one field, trimmed", with("subscriber.member_id", " NEW1 "), []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEW1"}}, ""},
		{"only the field given", map[string]string{"payer.id": "PAYER02"}, []pipeline.FieldSet{{Path: "payer.id", Value: "PAYER02"}}, ""},
		{"a field cleared", with("prior_authorization", ""), []pipeline.FieldSet{{Path: "prior_authorization", Value: ""}}, ""},
		{"unknown paths are ignored", with("subscriber.ssn", "123", "lines[5].charge", "9.00", "id", "X", "frequency", "8"), nil, ""},
		{"changes in form order", with("lines[1].procedure", "85025", "subscriber.first_name", "Pam"),
			[]pipeline.FieldSet{{Path: "subscriber.first_name", Value: "Pam"}, {Path: "lines[1].procedure", Value: "85025"}}, ""},
		{"a line charge: the total follows", with("lines[0].charge", "150.00"),
			[]pipeline.FieldSet{{Path: "lines[0].charge", Value: "150.00"}, {Path: "total_charge", Value: "170.50"}}, ""},
		{"a line charge without the total submitted: the total follows", map[string]string{"lines[1].charge": " 0.5 "},
			[]pipeline.FieldSet{{Path: "lines[1].charge", Value: "0.5"}, {Path: "total_charge", Value: "100.50"}}, ""},
		{"two line charges", with("lines[0].charge", "10", "lines[1].charge", "5.25"),
			[]pipeline.FieldSet{{Path: "lines[0].charge", Value: "10"}, {Path: "lines[1].charge", Value: "5.25"}, {Path: "total_charge", Value: "15.25"}}, ""},
		{"a line charge and a total given: the total as given", with("lines[0].charge", "150.00", "total_charge", "999.00"),
			[]pipeline.FieldSet{{Path: "total_charge", Value: "999.00"}, {Path: "lines[0].charge", Value: "150.00"}}, ""},
		{"a total alone", with("total_charge", "1.00"), []pipeline.FieldSet{{Path: "total_charge", Value: "1.00"}}, ""},
		{"a bad line charge", with("lines[0].charge", "12,00"), nil, "lines[0].charge"},
		{"an empty line charge", with("lines[1].charge", " "), nil, "lines[1].charge"},
		{"a bad line charge with a total given is left to the correction", with("lines[0].charge", "abc", "total_charge", "5.00"),
			[]pipeline.FieldSet{{Path: "total_charge", Value: "5.00"}, {Path: "lines[0].charge", Value: "abc"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := form.Changes(tt.values)
			if tt.errPath != "" {
				var fe *pipeline.FieldError
				if !errors.As(err, &fe) || fe.Path != tt.errPath || !errors.Is(err, x12.ErrBadAmount) {
					t.Errorf("Changes = %v, %v; want a *FieldError on %s wrapping x12.ErrBadAmount", got, err, tt.errPath)
				}
				return
			}
			if err != nil {
				t.Fatalf("Changes: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Changes = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestCorrectionFormRoundTrip: the changes of a submitted form make a
// correction of what changed, with the total following the lines.
func TestCorrectionFormRoundTrip(t *testing.T) {
	h := newHarness(t, nil)
	intake(t, h, professionalEncounter())
	form := formOf(t, h, "P1")
	sets, err := form.Changes(map[string]string{"lines[1].charge": "30.00", "subscriber.member_id": "NEW1"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: form.ClaimID, Base: form.Version, Sets: sets, Actor: "ana"})
	if err != nil {
		t.Fatalf("Correct: %v", err)
	}
	want := []string{"lines[1].charge", "subscriber.member_id", "total_charge"}
	if !reflect.DeepEqual(rev.Changed, want) {
		t.Errorf("changed %v, want %v", rev.Changed, want)
	}
	c := h.Claim(form.ClaimID)
	if c.TotalCharge != x12.MustAmount("130.00") || c.Data.Subscriber.MemberID != "NEW1" {
		t.Errorf("claim total %s, member %q", c.TotalCharge, c.Data.Subscriber.MemberID)
	}
	// The old form is now stale.
	if _, err := h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: form.ClaimID, Base: form.Version,
		Sets: []pipeline.FieldSet{{Path: "payer.name", Value: "X"}}, Actor: "ana"}); !errors.Is(err, pipeline.ErrConflict) {
		t.Errorf("a correction from the old form = %v, want ErrConflict", err)
	}
}
