// Package scheduletest has a clock for tests of scheduled jobs: it moves
// only when the test advances it, and tells when the scheduler waits on
// it, so that tests neither sleep nor race.
package scheduletest

import (
	"sync"
	"time"
)

// Clock is a schedule.Clock that the test moves.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	waiting chan struct{} // a send (or a drop, when full) each time someone starts waiting
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// New returns a clock at t.
func New(t time.Time) *Clock {
	return &Clock{now: t, waiting: make(chan struct{}, 1)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After delivers when the clock has been advanced past d from now.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	select {
	case c.waiting <- struct{}{}:
	default:
	}
	return ch
}

// Advance moves the clock by d and wakes the waiters whose time came.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		kept = append(kept, w)
	}
	c.waiters = kept
}

// Set moves the clock to t without waking anyone, as time spent inside
// a job.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// WaitIdle waits until someone waits on the clock (the scheduler is
// between jobs), or timeout passes; it reports which.
func (c *Clock) WaitIdle(timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		n := len(c.waiters)
		c.mu.Unlock()
		if n > 0 {
			return true
		}
		select {
		case <-c.waiting:
		case <-deadline:
			return false
		}
	}
}
