package pipeline

import (
	"context"
	"fmt"
)

// Stats are the store-wide figures a monitor watches.
type Stats struct {
	Counts
	// OpenBySource counts the open work items by source.
	OpenBySource map[WorkSource]int
}

// Stats returns the store-wide totals and the open work items by
// source.
func (p *Pipeline) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if st.Counts, err = tx.Counts(ctx); err != nil {
			return err
		}
		rows, err := tx.WorkRows(ctx, WorkFilter{Status: WorkOpen})
		if err != nil {
			return err
		}
		st.OpenBySource = make(map[WorkSource]int)
		for _, r := range rows {
			st.OpenBySource[r.Item.Source]++
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// Ping checks that the store answers.
func (p *Pipeline) Ping(ctx context.Context) error {
	return p.store.InTx(ctx, func(Tx) error { return nil })
}
