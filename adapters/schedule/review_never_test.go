package schedule_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/schedule"
	"github.com/x12claims/claims/adapters/schedule/scheduletest"
	"github.com/x12claims/claims/configs"
)

// TestReviewNeverFiringSpecDoesNotSpin: "0 0 30 2 *" (February 30th)
// parses, is accepted by the configuration, but never fires; cron's Next
// returns the zero time. The scheduler must not treat the zero time as
// "due now" and run the job over and over without the clock moving.
func TestReviewNeverFiringSpecDoesNotSpin(t *testing.T) {
	const spec = "0 0 30 2 *"
	if _, err := configs.ParseSchedule(spec); err != nil {
		t.Logf("config rejects it: %v", err)
	} else {
		t.Logf("configs.ParseSchedule accepts %q", spec)
	}
	clock := scheduletest.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	var runs atomic.Int64
	s, err := schedule.New(clock, nil, schedule.Job{Name: "submit", Spec: spec, Run: func(context.Context) error {
		runs.Add(1)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	<-done
	if n := runs.Load(); n > 0 {
		t.Fatalf("a schedule that never fires ran the job %d times in 200ms without the clock moving (Next returned the zero time, treated as due)", n)
	}
}
