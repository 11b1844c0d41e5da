package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// RowLocker is a Conn whose database locks the rows a query selects
// (PostgreSQL): RowLockSkip is the clause that locks them and passes
// over the rows another transaction holds, " FOR UPDATE SKIP LOCKED". A
// Conn that is not one runs its transactions one at a time (SQLite,
// under its write lock), and needs no clause.
type RowLocker interface {
	RowLockSkip() string
}

func rowLockSkip(c Conn) string {
	if l, ok := c.(RowLocker); ok {
		return l.RowLockSkip()
	}
	return ""
}

// micros is t as microseconds since 1970 UTC, the leases' time.
func micros(t time.Time) int64 { return t.UnixMicro() }

// TakeLease implements pipeline.LeaseTx. The unit's row is selected and
// locked, passing it over when another transaction holds it, and taken
// when no lease is in force; a unit without a row gets one. Nothing here
// waits for another transaction's row: not the locking read, which skips
// it, nor the insert, which is not tried when a row is there (an insert
// that meets a row another transaction changes waits for its end).
func (t *Tx) TakeLease(ctx context.Context, kind string, id int64, owner string, now time.Time, ttl time.Duration) (bool, string, error) {
	if err := t.check(); err != nil {
		return false, "", err
	}
	if owner == "" || ttl <= 0 {
		return false, "", fmt.Errorf("take lease %s %d: an owner and a positive duration are required", kind, id)
	}
	fail := func(err error) (bool, string, error) {
		return false, "", fmt.Errorf("take lease %s %d: %w", kind, id, err)
	}
	var held string
	var expires int64
	err := t.queryRow(ctx, "SELECT owner, expires_us FROM leases WHERE kind = $1 AND unit_id = $2"+rowLockSkip(t.c),
		[]any{kind, id}, &held, &expires)
	switch {
	case errors.Is(err, errNoRows):
		// No row, or one another transaction holds.
		var one int
		err := t.queryRow(ctx, "SELECT 1 FROM leases WHERE kind = $1 AND unit_id = $2", []any{kind, id}, &one)
		if err == nil {
			return false, "", nil
		}
		if !errors.Is(err, errNoRows) {
			return fail(err)
		}
		n, err := t.c.Exec(ctx, "INSERT INTO leases (kind, unit_id, owner, expires_us) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
			kind, id, owner, micros(now.Add(ttl)))
		if err != nil {
			return fail(err)
		}
		return n == 1, "", nil
	case err != nil:
		return fail(err)
	case held != "" && expires > micros(now):
		return false, held, nil
	}
	if _, err := t.c.Exec(ctx, "UPDATE leases SET owner = $3, expires_us = $4 WHERE kind = $1 AND unit_id = $2",
		kind, id, owner, micros(now.Add(ttl))); err != nil {
		return fail(err)
	}
	return true, held, nil
}

// RenewLease implements pipeline.LeaseTx.
func (t *Tx) RenewLease(ctx context.Context, kind string, id int64, owner string, now time.Time, ttl time.Duration) error {
	if err := t.check(); err != nil {
		return err
	}
	n, err := t.c.Exec(ctx, "UPDATE leases SET expires_us = $4 WHERE kind = $1 AND unit_id = $2 AND owner = $3",
		kind, id, owner, micros(now.Add(ttl)))
	if err != nil {
		return fmt.Errorf("renew lease %s %d: %w", kind, id, err)
	}
	if n == 0 {
		return fmt.Errorf("renew lease %s %d: %s holds it no more: %w", kind, id, owner, pipeline.ErrConflict)
	}
	return nil
}

// ReleaseLease implements pipeline.LeaseTx: the row goes, so that the
// table holds only the leases in force (and those of instances that
// died, until taken over).
func (t *Tx) ReleaseLease(ctx context.Context, kind string, id int64, owner string) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, err := t.c.Exec(ctx, "DELETE FROM leases WHERE kind = $1 AND unit_id = $2 AND owner = $3", kind, id, owner); err != nil {
		return fmt.Errorf("release lease %s %d: %w", kind, id, err)
	}
	return nil
}
