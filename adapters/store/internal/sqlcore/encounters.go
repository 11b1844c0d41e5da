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
