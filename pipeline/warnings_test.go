package pipeline_test

import (
	"context"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// institutional turns a harness encounter into a clean outpatient 837I.
func institutional(e *pipeline.Encounter) {
	e.Kind, e.PlaceOfService = x837.Institutional, ""
	d := x12.Date{Year: 2026, Month: 11, Day: 2}
	e.Institutional = &x837.InstitutionalInfo{FacilityType: "13", StatementFrom: d, StatementTo: d, PatientStatus: "01",
		AttendingProvider: &x837.Provider{NPI: "1444555662", LastName: "BRANDVOLD", FirstName: "ASTRID"}}
	for i := range e.Lines {
		e.Lines[i].RevenueCode, e.Lines[i].DiagnosisPointers = "0510", nil
	}
}

// TestWarningsDoNotHold takes, for each warning the scrubber gives, an
// encounter whose only finding is that warning: the claim is not held,
// it is sent, and the warning is recorded with its severity (in the
// intake report, the encounter record and the claim's detail).
func TestWarningsDoNotHold(t *testing.T) {
	for _, tc := range []struct {
		code, field string
		edit        func(e *pipeline.Encounter)
	}{
		{x837.RulePayerClaimNumber, "payer_claim_number", func(e *pipeline.Encounter) { e.PayerClaimNumber = "ICN-1" }},
		{x837.RuleTaxonomy, "referring_provider.taxonomy", func(e *pipeline.Encounter) {
			e.ReferringProvider = &x837.Provider{NPI: "1555666779", LastName: "KOWALCZYK", FirstName: "TOMASZ", Taxonomy: "207Q00000X"}
		}},
		{x837.RuleTaxonomy, "rendering_provider.taxonomy", func(e *pipeline.Encounter) {
			institutional(e)
			e.RenderingProvider = &x837.Provider{NPI: "1555666779", LastName: "KOWALCZYK", FirstName: "TOMASZ", Taxonomy: "207Q00000X"}
		}},
		{x837.RuleFormat, "onset_date", func(e *pipeline.Encounter) {
			institutional(e)
			e.OnsetDate = x12.Date{Year: 2026, Month: 10, Day: 30}
		}},
		{x837.RuleDiagnosisPointer, "lines[0].diagnosis_pointers", func(e *pipeline.Encounter) {
			institutional(e)
			e.Lines[0].DiagnosisPointers = []int{1}
		}},
		{x837.RuleCOB, "subscriber.responsibility", func(e *pipeline.Encounter) { e.Subscriber.Responsibility = "S" }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			h := newHarness(t, nil)
			e := pipelinetest.Encounter("W-"+tc.code, "100.00")
			tc.edit(e)
			rep, err := h.P.Intake(context.Background(), encounters{e})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Held != 0 || rep.Accepted != 1 {
				t.Fatalf("intake: held %d, accepted %d (%+v); want the claim accepted", rep.Held, rep.Accepted, rep.HeldBack)
			}
			if rep.WarnedClaims != 1 || len(rep.Warned) != 1 || len(rep.Warned[0].Reasons) != 1 {
				t.Fatalf("intake report warned %+v, want one encounter with one warning", rep.Warned)
			}
			want := pipeline.Reason{Code: tc.code, Field: tc.field, Severity: "warning"}
			if r := rep.Warned[0].Reasons[0]; r.Code != want.Code || r.Field != want.Field || r.Severity != want.Severity || r.Text == "" {
				t.Errorf("warning %+v, want %+v with a text", r, want)
			}
			var rec *pipeline.EncounterRecord
			if err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
				var err error
				rec, err = tx.GetEncounter(context.Background(), e.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(rec.Problems) != 1 || rec.Problems[0].Severity != "warning" {
				t.Errorf("encounter record problems %+v, want the warning with its severity", rec.Problems)
			}
			c := h.ClaimOf(e.ID)
			if c.State != pipeline.StateReady {
				t.Fatalf("claim is %s, want ready", c.State)
			}
			if items := h.Work(pipeline.SourceScrubber); len(items) != 0 {
				t.Errorf("a warning opened work item(s): %+v", items[0])
			}
			sub := h.SubmitQueued()
			if sub.Upload.ClaimsSent != 1 {
				t.Fatalf("sent %d claims, want 1", sub.Upload.ClaimsSent)
			}
			d, err := h.P.ShowClaim(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.State != pipeline.StateSubmitted || len(d.Warnings) != 1 || d.Warnings[0].Code != tc.code {
				t.Errorf("claim %s with warnings %+v, want submitted with the %s warning", d.State, d.Warnings, tc.code)
			}
		})
	}
}

// TestInpatientHeldThenCorrected: an inpatient claim without its
// admission hour is held with the field named; the correction form
// offers the inpatient fields, and setting the hour queues the claim.
func TestInpatientHeldThenCorrected(t *testing.T) {
	h := newHarness(t, nil)
	e := pipelinetest.Encounter("IP-1", "900.00")
	institutional(e)
	in := e.Institutional
	in.FacilityType = "11"
	in.AdmissionDate, in.AdmissionType, in.AdmissionSource, in.AdmittingDiagnosis, in.DischargeHour =
		in.StatementFrom, "1", "7", "E11.9", "1100"
	rep, err := h.P.Intake(context.Background(), encounters{e})
	if err != nil || rep.Held != 1 {
		t.Fatalf("intake: %+v, %v; want the claim held", rep, err)
	}
	r := rep.HeldBack[0].Reasons
	if len(r) != 1 || r[0].Code != x837.RuleInpatient || r[0].Field != "institutional.admission_hour" || r[0].Location != "2300 DTP02" || r[0].Severity != "error" {
		t.Fatalf("held for %+v, want the missing admission hour", r)
	}
	c := h.ClaimOf(e.ID)
	form, err := h.P.CorrectionForm(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range form.Fields {
		found = found || f.Path == "institutional.admission_hour"
	}
	if !found {
		t.Fatal("the correction form has no admission hour field")
	}
	rev, err := h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: c.ID,
		Sets: []pipeline.FieldSet{{Path: "institutional.admission_hour", Value: "0730"}}, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if rev.State != pipeline.StateReady {
		t.Errorf("corrected claim is %s, want ready", rev.State)
	}
}
