package pipeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// TestStoppedRunDoesNotCountAnAttempt: a collect told to stop (a
// shutdown) while it applies a file takes its attempt back, so that
// however often the daemon is stopped, the file is never set aside for
// it; the next run resumes the file and posts it once.
func TestStoppedRunDoesNotCountAnAttempt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h := newHarness(t, func(o *pipeline.Options) {
		o.Failpoint = func(name string) {
			if name == "collect:file-attempt" {
				cancel()
			}
		}
	})
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "100.00"))
	h.Remote.Respond("r.835", h.File835(pipelinetest.Remit("T1", x12.Date{Year: 2026, Month: 11, Day: 20}, []*x835.Claim{
		pipelinetest.CLP(cs["E1"], "1", pipelinetest.Line{Paid: "100.00"}), pipelinetest.CLP(cs["E2"], "1", pipelinetest.Line{Paid: "100.00"})})))
	for stop := range pipeline.MaxApplyAttempts + 1 {
		if _, err := h.P.Collect(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("stop %d: Collect = %v, want context.Canceled", stop+1, err)
		}
		files, err := h.P.InboundFiles(context.Background(), pipeline.InboundReceived)
		if err != nil || len(files) != 1 || files[0].Attempts != 0 {
			t.Fatalf("stop %d: received files %+v (%v); want r.835 with no attempt counted", stop+1, files, err)
		}
		ctx, cancel = context.WithCancel(context.Background())
	}
	cancel()
	rep, err := h.P.Collect(context.Background())
	if err != nil || rep.Processed != 1 {
		t.Fatalf("Collect: %d files applied, %v", rep.Processed, err)
	}
	for _, c := range cs {
		if got := h.Claim(c.ID).State; got != pipeline.StatePaid {
			t.Errorf("claim %d: %s, want paid", c.ID, got)
		}
	}
	h.CheckNoDuplicates([]*pipeline.Claim{cs["E1"], cs["E2"]})
}
