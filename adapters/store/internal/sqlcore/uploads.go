package sqlcore

import (
	"context"
	"fmt"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// The batch form of ClaimLines (its active lines, which a first
// submission bills; the batch form of SetClaimRefs is
// MoveClaimVersionsWithRefs): recording
// an uploaded file of 10,000 claims reads and changes them all, and on a
// database server every statement costs a round trip. Each takes its
// claims in chunks of Conn.Chunk.

// ActiveLines implements pipeline.ClaimTx: one query per chunk, reading
// only the columns billing a line needs, along the index of the active
// lines' numbers.
func (t *Tx) ActiveLines(ctx context.Context, ids []int64) (map[int64][]pipeline.ClaimLine, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make(map[int64][]pipeline.ClaimLine, len(ids))
	err := t.eachChunk(ctx, ids, "SELECT id, claim_id, line_no, charge FROM claim_lines WHERE active AND ", "claim_id",
		" ORDER BY claim_id, line_no", func(rows Rows) error {
			l := pipeline.ClaimLine{Active: true}
			var lineNo, charge int64
			if err := rows.Scan(&l.ID, &l.ClaimID, &lineNo, &charge); err != nil {
				return err
			}
			l.LineNo, l.Charge = int(lineNo), x12.Amount(charge)
			out[l.ClaimID] = append(out[l.ClaimID], l)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("active lines of claims: %w", err)
	}
	return out, nil
}

// eachChunk runs query+"col IN (...)"+order over ids, a chunk at a time,
// and passes each row to scan.
func (t *Tx) eachChunk(ctx context.Context, ids []int64, query, col, order string, scan func(Rows) error) error {
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		in, args := t.c.In(col, 1, anys(ids[start:min(start+chunk, len(ids))]))
		rows, err := t.c.Query(ctx, query+in+order, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
