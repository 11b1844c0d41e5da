package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x837"
)

const batchCols = `id, clearinghouse, kind, payer_id, sender_id, receiver_id, isa13, gs06,
file_name, local_path, sha256, size, state, attempts, last_error, created_at, uploaded_at, resume_from`

var tableSets = &Table{Name: "batch_sets", Cols: []string{"batch_id", "ord", "st02", "claims"}}

type setRows struct {
	batchID int64
	sets    []pipeline.BatchSet
}

func (r setRows) Len() int { return len(r.sets) }

func (r setRows) WriteRow(i int, w RowWriter) {
	w.Int(r.batchID)
	w.Int(int64(i + 1))
	w.Text(r.sets[i].ST02)
	w.Int(int64(r.sets[i].Claims))
}

// idKey is an ISA sender or receiver ID as compared: without padding.
func idKey(s string) string { return strings.TrimSpace(s) }

// controlKey is an ISA13 or GS06 as compared: without padding or
// leading zeros ("000000042" and "42" are the same control number).
func controlKey(s string) string {
	s = strings.TrimSpace(s)
	if t := strings.TrimLeft(s, "0"); t != "" || s == "" {
		return t
	}
	return "0"
}

// CreateBatch implements pipeline.BatchTx. A zero CreatedAt is the
// clock's time.
func (t *Tx) CreateBatch(ctx context.Context, b *pipeline.Batch) error {
	if err := t.check(); err != nil {
		return err
	}
	b.CreatedAt = t.stamp(b.CreatedAt)
	b.UploadedAt = NormTime(b.UploadedAt)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO batches (clearinghouse, kind, payer_id, sender_id, receiver_id,
sender_key, receiver_key, isa13, gs06, isa13_key, gs06_key, file_name, local_path, sha256, size, state,
attempts, last_error, created_at, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
		[]any{b.Clearinghouse, string(b.Kind), b.PayerID, b.SenderID, b.ReceiverID,
			idKey(b.SenderID), idKey(b.ReceiverID), b.ISA13, b.GS06, controlKey(b.ISA13), controlKey(b.GS06),
			b.FileName, b.LocalPath, b.SHA256, b.Size, string(b.State), int64(b.Attempts), b.LastError,
			t.c.Time(b.CreatedAt), t.c.Time(b.UploadedAt)}, &id)
	if err != nil {
		return fmt.Errorf("create batch: %w", err)
	}
	b.ID = id
	if len(b.Sets) > 0 {
		if err := t.c.Insert(ctx, tableSets, setRows{id, b.Sets}); err != nil {
			return t.fail(fmt.Errorf("create batch %d: insert sets: %w", id, err))
		}
	}
	return nil
}

// UpdateBatch implements pipeline.BatchTx: it saves the file name, local
// path, hash, size, state, attempts, last error, upload time and resume
// state. It
// returns pipeline.ErrNotFound when there is no such batch, and an error
// wrapping pipeline.ErrConflict (naming the state) when it is not in
// state from.
func (t *Tx) UpdateBatch(ctx context.Context, b *pipeline.Batch, from pipeline.BatchState) error {
	if err := t.check(); err != nil {
		return err
	}
	b.UploadedAt = NormTime(b.UploadedAt)
	n, err := t.c.Exec(ctx, `UPDATE batches SET file_name = $2, local_path = $3, sha256 = $4, size = $5,
state = $6, attempts = $7, last_error = $8, uploaded_at = $9, resume_from = $11 WHERE id = $1 AND ($10 = '' OR state = $10)`,
		b.ID, b.FileName, b.LocalPath, b.SHA256, b.Size, string(b.State), int64(b.Attempts), b.LastError,
		t.c.Time(b.UploadedAt), string(from), string(b.ResumeFrom))
	if err != nil {
		return fmt.Errorf("update batch %d: %w", b.ID, err)
	}
	if n > 0 {
		return nil
	}
	var state string
	err = t.queryRow(ctx, "SELECT state FROM batches WHERE id = $1", []any{b.ID}, &state)
	switch {
	case errors.Is(err, errNoRows):
		return fmt.Errorf("update batch %d: %w", b.ID, pipeline.ErrNotFound)
	case err != nil:
		return fmt.Errorf("update batch %d: %w", b.ID, err)
	}
	return fmt.Errorf("update batch %d: it is %s, not %s: %w", b.ID, state, from, pipeline.ErrConflict)
}

// GetBatch implements pipeline.BatchTx.
func (t *Tx) GetBatch(ctx context.Context, id int64) (*pipeline.Batch, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	bs, err := t.batches(ctx, "SELECT "+batchCols+" FROM batches WHERE id = $1", id)
	if err != nil {
		return nil, fmt.Errorf("get batch %d: %w", id, err)
	}
	if len(bs) == 0 {
		return nil, fmt.Errorf("get batch %d: %w", id, pipeline.ErrNotFound)
	}
	return bs[0], nil
}

// BatchesInState implements pipeline.BatchTx. With no states it returns
// nothing.
func (t *Tx) BatchesInState(ctx context.Context, states ...pipeline.BatchState) ([]*pipeline.Batch, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if len(states) == 0 {
		return nil, nil
	}
	args := make([]any, len(states))
	for i, s := range states {
		args[i] = string(s)
	}
	bs, err := t.batches(ctx, "SELECT "+batchCols+" FROM batches WHERE state IN ("+placeholders(1, len(args))+") ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("batches in states %v: %w", states, err)
	}
	return bs, nil
}

// RecentBatches implements pipeline.BatchTx. A limit of zero or less
// means no limit.
func (t *Tx) RecentBatches(ctx context.Context, limit int) ([]*pipeline.Batch, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + batchCols + " FROM batches ORDER BY id DESC"
	var args []any
	if limit > 0 {
		q += " LIMIT $1"
		args = append(args, int64(limit))
	}
	bs, err := t.batches(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("recent batches: %w", err)
	}
	return bs, nil
}

// BatchesByName implements pipeline.BatchTx.
func (t *Tx) BatchesByName(ctx context.Context, names []string) (map[string]int64, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make(map[string]int64)
	chunk := t.c.Chunk()
	for start := 0; start < len(names); start += chunk {
		in, args := t.c.In("file_name", 1, anys(names[start:min(start+chunk, len(names))]))
		rows, err := t.c.Query(ctx, "SELECT file_name, id FROM batches WHERE "+in+" ORDER BY id", args...)
		if err != nil {
			return nil, fmt.Errorf("batches by name: %w", err)
		}
		for rows.Next() {
			var p string
			var id int64
			if err := rows.Scan(&p, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("batches by name: %w", err)
			}
			out[p] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("batches by name: %w", err)
		}
	}
	return out, nil
}

// BatchByControl implements pipeline.BatchTx. Sender and receiver IDs are
// compared without padding, control numbers without padding or leading
// zeros. When several batches match (a control number reused), the
// newest is returned.
func (t *Tx) BatchByControl(ctx context.Context, senderID, receiverID, isa13, gs06 string) (*pipeline.Batch, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	col, val := "isa13_key", controlKey(isa13)
	if gs06 != "" {
		col, val = "gs06_key", controlKey(gs06)
	}
	bs, err := t.batches(ctx, "SELECT "+batchCols+" FROM batches WHERE sender_key = $1 AND receiver_key = $2 AND "+
		col+" = $3 ORDER BY id DESC LIMIT 1", idKey(senderID), idKey(receiverID), val)
	if err != nil {
		return nil, fmt.Errorf("batch by control number: %w", err)
	}
	if len(bs) == 0 {
		return nil, fmt.Errorf("batch by control number (ISA13 %q, GS06 %q): %w", isa13, gs06, pipeline.ErrNotFound)
	}
	return bs[0], nil
}

// batches runs a batch query and loads the sets of the batches it
// returns in one more query.
func (t *Tx) batches(ctx context.Context, q string, args ...any) ([]*pipeline.Batch, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.Batch
	byID := make(map[int64]*pipeline.Batch)
	for rows.Next() {
		var b pipeline.Batch
		var kind, state, resume string
		var attempts int64
		if err := rows.Scan(&b.ID, &b.Clearinghouse, &kind, &b.PayerID, &b.SenderID, &b.ReceiverID, &b.ISA13, &b.GS06,
			&b.FileName, &b.LocalPath, &b.SHA256, &b.Size, &state, &attempts, &b.LastError,
			timeDest{&b.CreatedAt}, timeDest{&b.UploadedAt}, &resume); err != nil {
			return nil, err
		}
		b.Kind, b.State, b.Attempts = x837.Kind(kind), pipeline.BatchState(state), int(attempts)
		b.ResumeFrom = pipeline.BatchState(resume)
		out = append(out, &b)
		byID[b.ID] = &b
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// Sets, for up to 500 batches at a time.
	for start := 0; start < len(out); start += 500 {
		end := min(start+500, len(out))
		ids := make([]any, 0, end-start)
		for _, b := range out[start:end] {
			ids = append(ids, b.ID)
		}
		srows, err := t.c.Query(ctx, "SELECT batch_id, st02, claims FROM batch_sets WHERE batch_id IN ("+
			placeholders(1, len(ids))+") ORDER BY batch_id, ord", ids...)
		if err != nil {
			return nil, fmt.Errorf("load sets: %w", err)
		}
		for srows.Next() {
			var id, claims int64
			var st02 string
			if err := srows.Scan(&id, &st02, &claims); err != nil {
				srows.Close()
				return nil, fmt.Errorf("load sets: %w", err)
			}
			if b := byID[id]; b != nil {
				b.Sets = append(b.Sets, pipeline.BatchSet{ST02: st02, Claims: int(claims)})
			}
		}
		srows.Close()
		if err := srows.Err(); err != nil {
			return nil, fmt.Errorf("load sets: %w", err)
		}
	}
	return out, nil
}

// BatchClaimStates implements pipeline.BatchTx.
func (t *Tx) BatchClaimStates(ctx context.Context, batchIDs []int64) (map[int64]map[pipeline.ClaimState]int, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make(map[int64]map[pipeline.ClaimState]int)
	chunk := t.c.Chunk()
	for start := 0; start < len(batchIDs); start += chunk {
		in, args := t.c.In("s.batch_id", 1, anys(batchIDs[start:min(start+chunk, len(batchIDs))]))
		rows, err := t.c.Query(ctx, `SELECT s.batch_id, CASE WHEN c.version = s.version THEN c.state ELSE 'superseded' END AS st, COUNT(*)
FROM submissions s JOIN claims c ON c.id = s.claim_id
WHERE `+in+` GROUP BY s.batch_id, st`, args...)
		if err != nil {
			return nil, fmt.Errorf("batch claim states: %w", err)
		}
		for rows.Next() {
			var id, n int64
			var st string
			if err := rows.Scan(&id, &st, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("batch claim states: %w", err)
			}
			if out[id] == nil {
				out[id] = make(map[pipeline.ClaimState]int)
			}
			out[id][pipeline.ClaimState(st)] += int(n)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("batch claim states: %w", err)
		}
	}
	return out, nil
}
