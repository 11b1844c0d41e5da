package pipeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestSubmitBusy: while a Submit runs (here, in the middle of its
// upload), another Submit in the same Pipeline is refused with ErrBusy,
// and a Collect, another kind of job, is not; once the first ends, by
// success or error, Submit runs again.
func TestSubmitBusy(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	intake(t, h, pipelinetest.Encounter("E1", "100.00"))
	type result struct {
		rep      pipeline.SubmitReport
		err      error
		collectE error
	}
	inner := make(chan result, 1)
	calls := 0
	h.Remote.BeforePut(func(string) {
		calls++
		if calls > 1 {
			return
		}
		done := make(chan result)
		go func() {
			var r result
			r.rep, r.err = h.P.Submit(ctx)
			_, r.collectE = h.P.Collect(ctx)
			done <- r
		}()
		inner <- <-done
	})
	rep, err := h.P.Submit(ctx)
	if err != nil || rep.Upload.ClaimsSent != 1 {
		t.Fatalf("the first Submit: %+v, %v", rep.Upload, err)
	}
	var r result
	select {
	case r = <-inner:
	default:
		t.Fatal("the upload never ran the hook")
	}
	if !errors.Is(r.err, pipeline.ErrBusy) {
		t.Errorf("a Submit during a Submit = %v, want ErrBusy", r.err)
	}
	if r.rep.Upload.ClaimsSent != 0 || r.rep.Build.Claims != 0 {
		t.Errorf("the refused Submit did work: %+v", r.rep)
	}
	if errors.Is(r.collectE, pipeline.ErrBusy) {
		t.Errorf("a Collect during a Submit = %v; only a job of the same kind is busy", r.collectE)
	}
	h.Remote.BeforePut(nil)

	// Released after success.
	intake(t, h, pipelinetest.Encounter("E2", "50.00"))
	if rep, err := h.P.Submit(ctx); err != nil || rep.Upload.ClaimsSent != 1 {
		t.Fatalf("Submit after a Submit: %+v, %v", rep.Upload, err)
	}

	// Released after an error.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	intake(t, h, pipelinetest.Encounter("E3", "30.00"))
	if _, err := h.P.Submit(cancelled); err == nil || errors.Is(err, pipeline.ErrBusy) {
		t.Fatalf("Submit with a cancelled context = %v, want its error", err)
	}
	if rep, err := h.P.Submit(ctx); err != nil || rep.Upload.ClaimsSent != 1 {
		t.Errorf("Submit after a failed Submit: %+v, %v", rep.Upload, err)
	}
}

// doneHook is a clearinghouse that calls fn when a response file is
// let go of (Done), in the middle of a Collect.
type doneHook struct {
	*pipelinetest.MemTransport
	fn func()
}

func (d *doneHook) Done(ctx context.Context, name string) error {
	d.fn()
	return d.MemTransport.Done(ctx, name)
}

// TestCollectBusy: a Collect during a Collect is refused with ErrBusy,
// a Submit during it is not, and the lock is released after.
func TestCollectBusy(t *testing.T) {
	ctx := context.Background()
	var h *pipelinetest.Harness
	var collectErr, submitErr error
	calls := 0
	h = newHarness(t, func(o *pipeline.Options) {
		o.Partners[0].Transport = &doneHook{MemTransport: o.Partners[0].Transport.(*pipelinetest.MemTransport), fn: func() {
			if calls++; calls == 1 {
				_, collectErr = h.P.Collect(ctx)
				_, submitErr = h.P.Submit(ctx)
			}
		}}
	})
	c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
	rep := h.Deliver("ack.999", h.File999(c, "A"))
	if rep.Collected != 1 || calls != 1 {
		t.Fatalf("collected %d, Done called %d times; want 1 and 1", rep.Collected, calls)
	}
	if !errors.Is(collectErr, pipeline.ErrBusy) {
		t.Errorf("a Collect during a Collect = %v, want ErrBusy", collectErr)
	}
	if submitErr != nil {
		t.Errorf("a Submit during a Collect = %v, want it to run", submitErr)
	}
	if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
		t.Errorf("claim %s after the 999, want ack_accepted", got)
	}
	rep = h.Deliver("ack2.999", h.File999(c, "A"))
	if rep.Collected != 1 {
		t.Errorf("a Collect after a Collect: %+v", rep)
	}
}
