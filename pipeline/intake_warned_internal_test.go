package pipeline

import "testing"

// TestIntakeReportWarnedBounded: merging file reports keeps the count of
// warned claims but lists at most MaxWarnedListed of them.
func TestIntakeReportWarnedBounded(t *testing.T) {
	file := func(n int) IntakeReport {
		r := IntakeReport{WarnedClaims: n}
		for range min(n, MaxWarnedListed) {
			r.Warned = append(r.Warned, HeldEncounter{EncounterID: "E"})
		}
		return r
	}
	var total IntakeReport
	for _, n := range []int{600, 700, 3} {
		total.add(file(n))
	}
	if total.WarnedClaims != 1303 || len(total.Warned) != MaxWarnedListed {
		t.Errorf("got %d warned claims with %d listed, want 1303 with %d", total.WarnedClaims, len(total.Warned), MaxWarnedListed)
	}
}
