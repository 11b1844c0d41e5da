package pipeline

import "time"

// SetLeaseClock replaces the clock the pipeline times its leases by, so
// that tests let a lease expire without waiting.
func SetLeaseClock(p *Pipeline, now func() time.Time) { p.leases.clock = now }
