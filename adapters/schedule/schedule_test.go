package schedule_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/schedule"
	"github.com/x12claims/claims/adapters/schedule/scheduletest"
)

// runner runs a scheduler and reports each run.
type runner struct {
	t       *testing.T
	clock   *scheduletest.Clock
	results chan schedule.Result
	cancel  context.CancelFunc
	done    chan error
}

func start(t *testing.T, clock *scheduletest.Clock, jobs ...schedule.Job) *runner {
	t.Helper()
	r := &runner{t: t, clock: clock, results: make(chan schedule.Result, 100), done: make(chan error, 1)}
	s, err := schedule.New(clock, func(res schedule.Result) { r.results <- res }, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

// idle waits until the scheduler waits on the clock.
func (r *runner) idle() {
	r.t.Helper()
	if !r.clock.WaitIdle(10 * time.Second) {
		r.t.Fatal("the scheduler never waited on the clock")
	}
}

// expect advances the clock by d and wants exactly these runs, in order.
func (r *runner) expect(d time.Duration, jobs ...string) []schedule.Result {
	r.t.Helper()
	r.idle()
	r.clock.Advance(d)
	var got []schedule.Result
	for range jobs {
		select {
		case res := <-r.results:
			got = append(got, res)
		case <-time.After(10 * time.Second):
			r.t.Fatalf("after %s: got %d runs, want %v", d, len(got), jobs)
		}
	}
	for i, res := range got {
		if res.Job != jobs[i] {
			r.t.Fatalf("after %s: run %d is %s, want %v", d, i, res.Job, jobs)
		}
	}
	select {
	case res := <-r.results:
		r.t.Fatalf("after %s: unexpected run of %s", d, res.Job)
	default:
	}
	return got
}

func ok(context.Context) error { return nil }

// Monday, Dec 7, 2026, 21:50 UTC.
var monday = time.Date(2026, 12, 7, 21, 50, 0, 0, time.UTC)

func TestNightlySubmitAndCollectEvery15Minutes(t *testing.T) {
	clock := scheduletest.New(monday)
	r := start(t, clock,
		schedule.Job{Name: "submit", Spec: "0 22 * * 1-5", Run: ok},
		schedule.Job{Name: "collect", Spec: "*/15 * * * *", Run: ok})
	r.expect(5 * time.Minute)                        // 21:55: nothing
	r.expect(5*time.Minute, "submit", "collect")     // 22:00: both, in the order given
	r.expect(15*time.Minute, "collect")              // 22:15
	res := r.expect(14*time.Minute + 59*time.Second) // 22:29:59: nothing
	if len(res) != 0 {
		t.Fatal(res)
	}
	r.expect(time.Second, "collect") // 22:30
}

func TestWeekendSkipsSubmit(t *testing.T) {
	friday := time.Date(2026, 12, 11, 22, 30, 0, 0, time.UTC)
	clock := scheduletest.New(friday)
	s, err := schedule.New(clock, nil, schedule.Job{Name: "submit", Spec: "0 22 * * 1-5", Run: ok})
	if err != nil {
		t.Fatal(err)
	}
	if next := s.Next(friday)["submit"]; !next.Equal(time.Date(2026, 12, 14, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("next submit after Friday night = %s, want Monday 22:00", next)
	}
}

func TestCronTimeZone(t *testing.T) {
	s, err := schedule.New(scheduletest.New(monday), nil,
		schedule.Job{Name: "submit", Spec: "CRON_TZ=America/Denver 0 22 * * *", Run: ok})
	if err != nil {
		t.Fatal(err)
	}
	// 22:00 in Denver in December (MST, UTC-7) is 05:00 UTC.
	want := time.Date(2026, 12, 8, 5, 0, 0, 0, time.UTC)
	if next := s.Next(monday)["submit"]; !next.Equal(want) {
		t.Errorf("next = %s, want %s", next.UTC(), want)
	}
}

func TestPanicIsRecoveredAndTheJobRunsAgain(t *testing.T) {
	clock := scheduletest.New(monday)
	calls := 0
	r := start(t, clock, schedule.Job{Name: "collect", Spec: "*/15 * * * *", Run: func(context.Context) error {
		calls++
		if calls == 1 {
			var m map[string]int
			m["boom"]++ // a nil map write: a runtime panic
		}
		return nil
	}})
	res := r.expect(10*time.Minute, "collect") // 22:00
	var pe *schedule.PanicError
	if !errors.As(res[0].Err, &pe) || !strings.Contains(pe.Error(), "nil map") || len(pe.Stack) == 0 {
		t.Fatalf("first run: %v, want a recovered panic with its stack", res[0].Err)
	}
	res = r.expect(15*time.Minute, "collect") // 22:15: the lock was not left held
	if res[0].Err != nil {
		t.Fatalf("second run: %v", res[0].Err)
	}
}

func TestLongRunSkipsMissedFirings(t *testing.T) {
	clock := scheduletest.New(monday)
	runs := 0
	r := start(t, clock, schedule.Job{Name: "collect", Spec: "*/15 * * * *", Run: func(context.Context) error {
		runs++
		if runs == 1 {
			clock.Set(clock.Now().Add(40 * time.Minute)) // 22:00 → 22:40
		}
		return nil
	}})
	res := r.expect(10*time.Minute, "collect")
	if res[0].Duration != 40*time.Minute {
		t.Errorf("duration %s, want 40m", res[0].Duration)
	}
	// 22:15 and 22:30 were missed while it ran: the next run is 22:45.
	r.expect(4*time.Minute + 59*time.Second)
	r.expect(time.Second, "collect")
}

func TestErrorsAreReported(t *testing.T) {
	clock := scheduletest.New(monday)
	boom := errors.New("clearinghouse unreachable")
	r := start(t, clock, schedule.Job{Name: "collect", Spec: "@every 5m", Run: func(context.Context) error { return boom }})
	res := r.expect(5*time.Minute, "collect")
	if !errors.Is(res[0].Err, boom) || !res[0].Start.Equal(monday.Add(5*time.Minute)) {
		t.Errorf("result %+v", res[0])
	}
}

func TestCancelStopsRun(t *testing.T) {
	clock := scheduletest.New(monday)
	r := start(t, clock, schedule.Job{Name: "collect", Spec: "@hourly", Run: ok})
	r.idle()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatal(err)
		}
		r.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestCancelDuringAJobLetsItFinish(t *testing.T) {
	clock := scheduletest.New(monday)
	var r *runner
	r = start(t, clock, schedule.Job{Name: "submit", Spec: "@hourly", Run: func(ctx context.Context) error {
		r.cancel() // a signal arrives while the job runs
		return ctx.Err()
	}})
	res := r.expect(10*time.Minute, "submit")
	if !errors.Is(res[0].Err, context.Canceled) {
		t.Errorf("the job saw %v, want its context canceled", res[0].Err)
	}
}

func TestBadSchedules(t *testing.T) {
	_, err := schedule.New(nil, nil,
		schedule.Job{Name: "submit", Spec: "0 25 * * *", Run: ok},
		schedule.Job{Name: "collect", Spec: "CRON_TZ=Mars/Olympus */15 * * * *", Run: ok},
		schedule.Job{Name: "overdue", Spec: "@hourly"},
		schedule.Job{Name: "leap", Spec: "0 0 30 2 *", Run: ok}) // February 30: valid, but never
	for _, want := range []string{"job submit", "0 25 * * *", "job collect", "Mars/Olympus", "job overdue: nothing to run",
		`job leap: schedule "0 0 30 2 *" never fires`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
	if _, err := schedule.New(nil, nil); err == nil {
		t.Error("no jobs: no error")
	}
}
