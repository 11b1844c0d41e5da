package postgres

import (
	"context"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
	"github.com/x12claims/claims/pipeline"
)

// ReserveIDs reserves n IDs of table in a transaction of s that then
// commits, for tests.
func ReserveIDs(ctx context.Context, s *Store, table string, n int) ([]int64, error) {
	var ids []int64
	err := s.inTx(ctx, func(pipeline.Tx) error { return nil }, func(ctx context.Context, c *conn) error {
		var err error
		ids, err = c.ReserveIDs(ctx, table, n)
		return err
	})
	return ids, err
}

// Insert writes src into table in a transaction of s that then commits,
// for tests.
func Insert(ctx context.Context, s *Store, table *sqlcore.Table, src sqlcore.RowSource) error {
	return s.inTx(ctx, func(pipeline.Tx) error { return nil }, func(ctx context.Context, c *conn) error {
		return c.Insert(ctx, table, src)
	})
}

// CopyThreshold is the number of rows from which Insert uses COPY.
const CopyThreshold = copyThreshold
