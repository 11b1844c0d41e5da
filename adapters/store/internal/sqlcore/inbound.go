package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/x12claims/claims/pipeline"
)

const inboundCols = `id, clearinghouse, name, sha256, size, local_path, kind, state, error, received_at, processed_at, attempts`

// CreateInbound implements pipeline.InboundTx. On insert it sets f.ID and
// fills a zero ReceivedAt from the clock; when a file with the same
// SHA256 exists it returns false and leaves f unchanged.
func (t *Tx) CreateInbound(ctx context.Context, f *pipeline.InboundFile) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	received := t.stamp(f.ReceivedAt)
	processed := NormTime(f.ProcessedAt)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO inbound_files (clearinghouse, name, sha256, size, local_path, kind,
state, error, received_at, processed_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (sha256) DO NOTHING RETURNING id`,
		[]any{f.Clearinghouse, f.Name, f.SHA256, f.Size, f.LocalPath, f.Kind, string(f.State), f.Error,
			t.c.Time(received), t.c.Time(processed), int64(f.Attempts)}, &id)
	switch {
	case errors.Is(err, errNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("create inbound file: %w", err)
	}
	f.ID, f.ReceivedAt, f.ProcessedAt = id, received, processed
	return true, nil
}

func (t *Tx) inbound(ctx context.Context, q string, args ...any) ([]*pipeline.InboundFile, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.InboundFile
	for rows.Next() {
		var f pipeline.InboundFile
		var state string
		var attempts int64
		if err := rows.Scan(&f.ID, &f.Clearinghouse, &f.Name, &f.SHA256, &f.Size, &f.LocalPath, &f.Kind, &state,
			&f.Error, timeDest{&f.ReceivedAt}, timeDest{&f.ProcessedAt}, &attempts); err != nil {
			return nil, err
		}
		f.State, f.Attempts = pipeline.InboundState(state), int(attempts)
		out = append(out, &f)
	}
	return out, rows.Err()
}

// InboundBySHA implements pipeline.InboundTx.
func (t *Tx) InboundBySHA(ctx context.Context, sha256 string) (*pipeline.InboundFile, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	fs, err := t.inbound(ctx, "SELECT "+inboundCols+" FROM inbound_files WHERE sha256 = $1", sha256)
	if err != nil {
		return nil, fmt.Errorf("inbound file by hash: %w", err)
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("inbound file by hash %s: %w", sha256, pipeline.ErrNotFound)
	}
	return fs[0], nil
}

// UpdateInbound implements pipeline.InboundTx. It returns
// pipeline.ErrNotFound when there is no such file.
func (t *Tx) UpdateInbound(ctx context.Context, f *pipeline.InboundFile) error {
	if err := t.check(); err != nil {
		return err
	}
	f.ProcessedAt = NormTime(f.ProcessedAt)
	n, err := t.c.Exec(ctx, "UPDATE inbound_files SET kind = $2, state = $3, error = $4, processed_at = $5, attempts = $6 WHERE id = $1",
		f.ID, f.Kind, string(f.State), f.Error, t.c.Time(f.ProcessedAt), int64(f.Attempts))
	if err != nil {
		return fmt.Errorf("update inbound file %d: %w", f.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("update inbound file %d: %w", f.ID, pipeline.ErrNotFound)
	}
	return nil
}

// InboundInState implements pipeline.InboundTx.
func (t *Tx) InboundInState(ctx context.Context, s pipeline.InboundState) ([]*pipeline.InboundFile, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	fs, err := t.inbound(ctx, "SELECT "+inboundCols+" FROM inbound_files WHERE state = $1 ORDER BY id", string(s))
	if err != nil {
		return nil, fmt.Errorf("inbound files in state %s: %w", s, err)
	}
	return fs, nil
}

// GetInbound implements pipeline.InboundTx.
func (t *Tx) GetInbound(ctx context.Context, id int64) (*pipeline.InboundFile, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	fs, err := t.inbound(ctx, "SELECT "+inboundCols+" FROM inbound_files WHERE id = $1", id)
	if err != nil {
		return nil, fmt.Errorf("get inbound file %d: %w", id, err)
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("get inbound file %d: %w", id, pipeline.ErrNotFound)
	}
	return fs[0], nil
}

// MarkSetApplied implements pipeline.InboundTx.
func (t *Tx) MarkSetApplied(ctx context.Context, fileID int64, kind string, ordinal int) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	n, err := t.c.Exec(ctx, `INSERT INTO applied_sets (inbound_file_id, kind, ordinal, applied_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (inbound_file_id, kind, ordinal) DO NOTHING`, fileID, kind, int64(ordinal), t.c.Time(t.stamp(time.Time{})))
	if err != nil {
		return false, fmt.Errorf("mark %s %d of file %d applied: %w", kind, ordinal, fileID, err)
	}
	return n == 1, nil
}

// RecentInbound implements pipeline.InboundTx.
func (t *Tx) RecentInbound(ctx context.Context, limit int) ([]*pipeline.InboundFile, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + inboundCols + " FROM inbound_files ORDER BY id DESC"
	var args []any
	if limit > 0 {
		q += " LIMIT $1"
		args = append(args, int64(limit))
	}
	fs, err := t.inbound(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("recent inbound files: %w", err)
	}
	return fs, nil
}
