// Package schedule runs the daemon's jobs on cron schedules: one job at a
// time, each a synchronous call that a panic cannot take the scheduler
// down with. Schedules are parsed by robfig/cron/v3 (five fields or a
// descriptor such as "@hourly", with an optional "CRON_TZ=Zone " prefix);
// the clock is injected, so that tests advance time instead of sleeping.
//
// robfig/cron's own runner is not used: it takes the wall clock, and its
// SkipIfStillRunning wrapper never releases its lock after a panic. Here
// jobs run in turn on one goroutine, a run that overlaps the next firing
// time skips the missed firings, and a panic is recovered into an error.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/robfig/cron/v3"
)

// Clock tells the time and waits. The real one is System.
type Clock interface {
	Now() time.Time
	// After delivers once d has passed.
	After(d time.Duration) <-chan time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now.
func (System) Now() time.Time { return time.Now() }

// After is time.After.
func (System) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Job is one scheduled job.
type Job struct {
	// Name identifies the job in results ("submit", "collect").
	Name string
	// Spec is its cron specification.
	Spec string
	// Run does the work. It should return soon after ctx is canceled,
	// leaving what it did resumable.
	Run func(ctx context.Context) error
}

// Result is what one run of a job did.
type Result struct {
	Job      string
	Start    time.Time
	Duration time.Duration
	// Err is the job's error, or a *PanicError.
	Err error
}

// PanicError is a job's panic, recovered.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Parse checks a cron specification (with an optional CRON_TZ= prefix).
func Parse(spec string) (cron.Schedule, error) {
	return parser().Parse(spec)
}

func parser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// Scheduler runs jobs on their schedules.
type Scheduler struct {
	clock Clock
	jobs  []scheduled
	// done is called after each run (to log it, count it).
	done func(Result)
}

type scheduled struct {
	Job
	sched cron.Schedule
	next  time.Time
}

// New parses the jobs' schedules; it reports every bad one.
func New(clock Clock, done func(Result), jobs ...Job) (*Scheduler, error) {
	if clock == nil {
		clock = System{}
	}
	if done == nil {
		done = func(Result) {}
	}
	s := &Scheduler{clock: clock, done: done}
	var errs []error
	for _, j := range jobs {
		if j.Run == nil {
			errs = append(errs, fmt.Errorf("job %s: nothing to run", j.Name))
			continue
		}
		sc, err := Parse(j.Spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("job %s: schedule %q: %w", j.Name, j.Spec, err))
			continue
		}
		// cron's Next is the zero time for an expression no date
		// matches (February 30), which would be "due" forever.
		if sc.Next(clock.Now()).IsZero() {
			errs = append(errs, fmt.Errorf("job %s: schedule %q never fires: no date matches it", j.Name, j.Spec))
			continue
		}
		s.jobs = append(s.jobs, scheduled{Job: j, sched: sc})
	}
	if len(s.jobs) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no job to schedule"))
	}
	return s, errors.Join(errs...)
}

// Next returns each job's next firing time after now, by name.
func (s *Scheduler) Next(now time.Time) map[string]time.Time {
	out := make(map[string]time.Time, len(s.jobs))
	for _, j := range s.jobs {
		out[j.Name] = j.sched.Next(now)
	}
	return out
}

// Run fires the jobs until ctx is canceled, then returns nil. Jobs due at
// the same time run in the order given. A job that runs past its next
// firing times skips them: it runs again at the first firing time after
// it ended.
func (s *Scheduler) Run(ctx context.Context) error {
	now := s.clock.Now()
	for i := range s.jobs {
		s.jobs[i].next = s.jobs[i].sched.Next(now)
	}
	for {
		due := s.soonest()
		wait := due.Sub(s.clock.Now())
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-s.clock.After(wait):
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		for i := range s.jobs {
			j := &s.jobs[i]
			if j.next.After(s.clock.Now()) {
				continue
			}
			s.done(s.runOne(ctx, j.Job))
			j.next = j.sched.Next(s.clock.Now())
			if ctx.Err() != nil {
				return nil
			}
		}
	}
}

func (s *Scheduler) soonest() time.Time {
	t := s.jobs[0].next
	for _, j := range s.jobs[1:] {
		if j.next.Before(t) {
			t = j.next
		}
	}
	return t
}

// runOne runs a job, turning a panic into an error.
func (s *Scheduler) runOne(ctx context.Context, j Job) (res Result) {
	res = Result{Job: j.Name, Start: s.clock.Now()}
	defer func() {
		if v := recover(); v != nil {
			res.Err = &PanicError{Value: v, Stack: debug.Stack()}
		}
		res.Duration = s.clock.Now().Sub(res.Start)
	}()
	res.Err = j.Run(ctx)
	return res
}
