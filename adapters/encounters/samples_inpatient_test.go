package encounters

import (
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// TestSampleInpatient reads samples/inpatient.jsonl: a final inpatient
// stay that uses every 837I coding field and passes the scrubber.
func TestSampleInpatient(t *testing.T) {
	encs := readSample(t, "inpatient.jsonl")
	if len(encs) != 1 {
		t.Fatalf("%d encounters, want 1", len(encs))
	}
	e := encs[0]
	in := e.Institutional
	if in == nil || !x837.IsInpatient(in.FacilityType) || in.DischargeHour == "" || in.AdmissionHour == "" || in.DRG == "" ||
		len(in.PresentOnAdmission) != len(e.Diagnoses) || len(in.OtherProcedures) == 0 || len(in.Occurrences) == 0 ||
		len(in.OccurrenceSpans) == 0 || len(in.ValueCodes) == 0 || in.OperatingPhysician == nil || in.OtherOperatingPhysician == nil {
		t.Fatalf("the sample does not use every inpatient field: %+v", in)
	}
	external := 0
	for _, d := range e.Diagnoses {
		if x837.IsExternalCause(d) {
			external++
		}
	}
	if external == 0 {
		t.Error("the sample has no external-cause code")
	}
	if ps := e.Claim.Validate(x837.ValidateOptions{Today: x12.Date{Year: 2026, Month: 12, Day: 1}, PCNAssignedLater: true}); len(ps) > 0 {
		t.Errorf("the sample has problems: %v", ps)
	}
}
