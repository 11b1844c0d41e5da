package sqlcore

import (
	"context"
	"fmt"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// The overdue queries start from the claims in one state. claims_state
// indexes only the held and ready claims (every other state change would
// rewrite an index entry), so they scan the claims table, whose rows are
// small (the content is in claim_versions): tens of milliseconds for
// 100,000 claims. Each claim found then probes submissions_claim (its
// latest submission) and the batch by key.

// OverdueClaims implements pipeline.ClaimTx.
func (t *Tx) OverdueClaims(ctx context.Context, clearinghouse string, s pipeline.ClaimState, before time.Time) ([]pipeline.OverdueClaim, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rows, err := t.c.Query(ctx, `SELECT c.id, c.version, c.payer_id, s.id, s.pcn, b.id, b.file_name, b.uploaded_at
FROM claims c
JOIN submissions s ON s.id = (SELECT MAX(l.id) FROM submissions l WHERE l.claim_id = c.id)
JOIN batches b ON b.id = s.batch_id
WHERE c.state = $1 AND b.clearinghouse = $2 AND b.uploaded_at < $3
ORDER BY b.uploaded_at, c.id`, string(s), clearinghouse, t.c.Time(before))
	if err != nil {
		return nil, fmt.Errorf("overdue claims in state %s: %w", s, err)
	}
	defer rows.Close()
	var out []pipeline.OverdueClaim
	for rows.Next() {
		var o pipeline.OverdueClaim
		var version int64
		if err := rows.Scan(&o.ClaimID, &version, &o.PayerID, &o.SubmissionID, &o.PCN, &o.BatchID, &o.FileName,
			timeDest{&o.UploadedAt}); err != nil {
			return nil, fmt.Errorf("overdue claims in state %s: %w", s, err)
		}
		o.Version = int(version)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("overdue claims in state %s: %w", s, err)
	}
	return out, nil
}

// OverdueBatches implements pipeline.BatchTx. The batches considered are
// those of the submitted claims (a few: the claims of the files sent
// since the last 999), not every batch ever uploaded.
func (t *Tx) OverdueBatches(ctx context.Context, clearinghouse string, before time.Time) ([]*pipeline.Batch, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	bs, err := t.batches(ctx, "SELECT "+batchCols+` FROM batches
WHERE state = $1 AND clearinghouse = $2 AND uploaded_at < $3
AND id IN (SELECT s.batch_id FROM claims c JOIN submissions s ON s.claim_id = c.id AND s.version = c.version
    WHERE c.state = $4)
AND NOT EXISTS (SELECT 1 FROM submissions s JOIN claims c ON c.id = s.claim_id
    WHERE s.batch_id = batches.id AND s.version = c.version AND c.state <> $4)
ORDER BY uploaded_at, id`, string(pipeline.BatchUploaded), clearinghouse, t.c.Time(before), string(pipeline.StateSubmitted))
	if err != nil {
		return nil, fmt.Errorf("overdue batches: %w", err)
	}
	return bs, nil
}
