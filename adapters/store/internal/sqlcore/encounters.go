package sqlcore

import (
	"context"
	"fmt"

	"github.com/x12claims/claims/pipeline"
)

// GetEncounter implements pipeline.EncounterTx.
func (t *Tx) GetEncounter(ctx context.Context, id string) (*pipeline.EncounterRecord, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var r pipeline.EncounterRecord
	var line int64
	err := t.queryRow(ctx, `SELECT id, source, line, sha256, raw, claim_id, problems, received_at
FROM encounters WHERE id = $1`, []any{id},
		&r.ID, &r.Source, &line, &r.SHA256, &r.Raw, &r.ClaimID, jsonDest{&r.Problems}, timeDest{&r.ReceivedAt})
	if err != nil {
		return nil, notFound(err, "get encounter %q", id)
	}
	r.Line = int(line)
	return &r, nil
}

// PutEncounter implements pipeline.EncounterTx. A zero ReceivedAt is the
// clock's time.
func (t *Tx) PutEncounter(ctx context.Context, r *pipeline.EncounterRecord) error {
	if err := t.check(); err != nil {
		return err
	}
	problems, err := jsonArg(r.Problems)
	if err != nil {
		return fmt.Errorf("put encounter %q: %w", r.ID, err)
	}
	r.ReceivedAt = t.stamp(r.ReceivedAt)
	_, err = t.c.Exec(ctx, `INSERT INTO encounters (id, source, line, sha256, raw, claim_id, problems, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET source = excluded.source, line = excluded.line, sha256 = excluded.sha256,
raw = excluded.raw, claim_id = excluded.claim_id, problems = excluded.problems, received_at = excluded.received_at`,
		r.ID, r.Source, int64(r.Line), r.SHA256, r.Raw, r.ClaimID, problems, t.c.Time(r.ReceivedAt))
	if err != nil {
		return fmt.Errorf("put encounter %q: %w", r.ID, err)
	}
	return nil
}

// KnownEncounters implements pipeline.EncounterTx: one query per
// Conn.Chunk IDs.
func (t *Tx) KnownEncounters(ctx context.Context, ids []string) (map[string]bool, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	known := make(map[string]bool)
	for start := 0; start < len(ids); start += t.c.Chunk() {
		part := ids[start:min(start+t.c.Chunk(), len(ids))]
		vals := make([]any, len(part))
		for i, id := range part {
			vals[i] = id
		}
		cond, args := t.c.In("id", 1, vals)
		rows, err := t.c.Query(ctx, "SELECT id FROM encounters WHERE "+cond, args...)
		if err != nil {
			return nil, fmt.Errorf("known encounters: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("known encounters: %w", err)
			}
			known[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("known encounters: %w", err)
		}
	}
	return known, nil
}

// tableEncounters is the encounters table, for inserting records in bulk.
var tableEncounters = &Table{Name: "encounters", Cols: []string{
	"id", "source", "line", "sha256", "raw", "claim_id", "problems", "received_at"}}

// encounterRows adapts encounter records to RowSource; problems holds
// their JSON.
type encounterRows struct {
	recs     []*pipeline.EncounterRecord
	problems []string
}

func (r encounterRows) Len() int { return len(r.recs) }

func (r encounterRows) WriteRow(i int, w RowWriter) {
	e := r.recs[i]
	w.Text(e.ID)
	w.Text(e.Source)
	w.Int(int64(e.Line))
	w.Text(e.SHA256)
	w.Bytes(e.Raw)
	w.Int(e.ClaimID)
	w.JSON(r.problems[i])
	w.Time(e.ReceivedAt)
}

// AddEncounters implements pipeline.EncounterTx, in bulk (COPY on
// PostgreSQL). A zero ReceivedAt is the clock's time.
func (t *Tx) AddEncounters(ctx context.Context, rs []*pipeline.EncounterRecord) error {
	if err := t.check(); err != nil {
		return err
	}
	problems := make([]string, len(rs))
	for i, r := range rs {
		var err error
		if problems[i], err = jsonArg(r.Problems); err != nil {
			return fmt.Errorf("add encounter %q: %w", r.ID, err)
		}
		r.ReceivedAt = t.stamp(r.ReceivedAt)
	}
	if err := t.c.Insert(ctx, tableEncounters, encounterRows{rs, problems}); err != nil {
		if t.c.IsUniqueViolation(err) {
			return t.fail(fmt.Errorf("add encounters: an encounter ID is already recorded: %w: %w", pipeline.ErrConflict, err))
		}
		return t.fail(fmt.Errorf("add encounters: %w", err))
	}
	return nil
}
