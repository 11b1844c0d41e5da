package pipeline

import (
	"context"
	"time"
)

// Attention returns what a run that started at since left for a person,
// as its report has it (attention).
func Attention(p *Pipeline, ctx context.Context, since time.Time) ([]*WorkItem, int, error) {
	return p.attention(ctx, since)
}
