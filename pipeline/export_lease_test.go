package pipeline

import (
	"context"
	"errors"
	"time"
)

// SetLeaseClock replaces the clock the pipeline times its leases by, so
// that tests let a lease expire without waiting.
func SetLeaseClock(p *Pipeline, now func() time.Time) { p.leases.clock = now }

// WithLease runs work under the lease of a unit (see withLease), and
// reports whether another holder had it and whether it was lost.
func WithLease(p *Pipeline, ctx context.Context, kind string, id int64, work func(ctx context.Context) error) (leased, lost bool, err error) {
	err = p.withLease(ctx, kind, id, work)
	return errors.Is(err, errLeased), errors.Is(err, errLeaseLost), err
}
