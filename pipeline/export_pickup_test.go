package pipeline

import (
	"context"
	"time"
)

// SetSleep replaces the wait between the two listings of a settle check
// (see Partner.Settle), so that tests act between them without sleeping.
func SetSleep(p *Pipeline, sleep func(ctx context.Context, d time.Duration) error) { p.sleep = sleep }
