package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestIntakePathsAgree takes the same encounters once by the bulk path
// (new encounters of a batch) and once one by one (the bulk insert
// refused): clean, warned, held, with other coverage and with incomplete
// other coverage. Both record the same claims, encounter records, events
// and work items, and report the same counts.
func TestIntakePathsAgree(t *testing.T) {
	encs := func() encounters {
		warned := pipelinetest.Encounter("W1", "100.00")
		warned.PayerClaimNumber = "ICN-1"
		held := pipelinetest.Encounter("H1", "100.00")
		held.Subscriber.MemberID = ""
		badCOB := pipelinetest.COBEncounter("C2", "100.00")
		badCOB.OtherCoverage[0].FilingIndicator = ""
		return encounters{pipelinetest.Encounter("A1", "10.00", "20.00"), warned, held,
			pipelinetest.COBEncounter("C1", "100.00", "50.00"), badCOB}
	}
	run := func(bulk bool) (pipeline.IntakeReport, []string) {
		fs := pipelinetest.NewFaultStore(openStore(t))
		h := newHarnessOver(t, fs, func(o *pipeline.Options) { o.BatchSize = 100 })
		if !bulk {
			fs.Fail("CreateClaims", errors.New("bulk insert refused"))
		}
		rep, err := h.P.Intake(context.Background(), encs())
		if err != nil {
			t.Fatalf("Intake (bulk %v): %v", bulk, err)
		}
		var out []string
		for _, e := range encs() {
			c := h.ClaimOf(e.ID)
			out = append(out, fmt.Sprintf("%s: claim %s v%d payer %s, %d lines, %d other coverage", e.ID, c.State, c.Version, c.PayerID,
				len(c.Lines), len(c.Data.OtherCoverage)))
			for _, ev := range h.Events(c.ID) {
				out = append(out, fmt.Sprintf("%s: event %s to %s v%d: %s", e.ID, ev.Kind, ev.To, ev.Version, ev.Detail))
			}
			if err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
				rec, err := tx.GetEncounter(context.Background(), e.ID)
				if err != nil {
					return err
				}
				for _, p := range rec.Problems {
					out = append(out, fmt.Sprintf("%s: problem %s %s %s", e.ID, p.Severity, p.Code, p.Field))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		for _, src := range []pipeline.WorkSource{pipeline.SourceScrubber, pipeline.SourceIntake, pipeline.SourceCOB} {
			for _, w := range h.Work(src) {
				out = append(out, fmt.Sprintf("item %s %s encounter %s: %s", w.Source, w.Code, w.EncounterID, w.Summary))
			}
		}
		slices.Sort(out)
		return rep, out
	}
	bulkRep, bulk := run(true)
	oneRep, one := run(false)
	count := func(r pipeline.IntakeReport) string {
		return fmt.Sprintf("read %d accepted %d held %d warned %d (%d listed) held back %d",
			r.Read, r.Accepted, r.Held, r.WarnedClaims, len(r.Warned), len(r.HeldBack))
	}
	if got, want := count(bulkRep), count(oneRep); got != want {
		t.Errorf("bulk path report %s; one by one %s", got, want)
	}
	if bulkRep.Accepted != 3 || bulkRep.Held != 2 || bulkRep.WarnedClaims != 1 {
		t.Errorf("bulk path report %s; want 3 accepted (1 warned), 2 held", count(bulkRep))
	}
	if !slices.Equal(bulk, one) {
		for _, l := range bulk {
			if !slices.Contains(one, l) {
				t.Errorf("bulk path only: %s", l)
			}
		}
		for _, l := range one {
			if !slices.Contains(bulk, l) {
				t.Errorf("one by one only: %s", l)
			}
		}
	}
}
