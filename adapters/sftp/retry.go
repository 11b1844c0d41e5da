package sftp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// backoff is a bounded exponential retry policy with jitter.
type backoff struct {
	attempts int           // total attempts, at least 1
	base     time.Duration // delay after the first failure
	max      time.Duration // cap on any delay
	// jitter returns a random number in [0, n). nil means math/rand/v2.
	jitter func(n int64) int64
}

// delay returns the wait after the given number of failed attempts (>= 1):
// base doubled per earlier failure and capped at max, then jittered into
// [d/2, d] so that clients that failed together do not retry together.
func (b backoff) delay(failures int) time.Duration {
	d := b.max
	if shift := failures - 1; shift < 62 {
		if v := b.base << shift; v > 0 && v < b.max {
			d = v
		}
	}
	if d <= 0 {
		return 0
	}
	jitter := b.jitter
	if jitter == nil {
		jitter = rand.Int64N
	}
	half := d / 2
	return half + time.Duration(jitter(int64(d-half)+1))
}

// retry calls op until it succeeds, fails permanently, or the attempts are
// used up, sleeping between attempts. It returns nil only when op returned
// nil; otherwise it returns the last error op returned (or, if ctx ends while
// waiting, an error wrapping ctx.Err() and that last error). Only errors that
// op marked transient (see classify) are retried. onRetry, if not nil, is
// told about each retry before the wait.
func retry(ctx context.Context, b backoff, op func(ctx context.Context, attempt int) error,
	onRetry func(attempt int, wait time.Duration, err error)) (attempts int, err error) {
	for attempt := 1; ; attempt++ {
		err := op(ctx, attempt)
		if err == nil {
			return attempt, nil
		}
		if !isTransient(err) || attempt >= b.attempts {
			return attempt, err
		}
		wait := b.delay(attempt)
		if onRetry != nil {
			onRetry(attempt, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, permanent(nil, fmt.Errorf("gave up retrying: %w: last error: %w", ctx.Err(), err))
		case <-t.C:
		}
	}
}
