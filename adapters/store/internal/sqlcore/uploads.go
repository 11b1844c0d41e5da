package sqlcore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// The batch forms of SetClaimRefs and ClaimLines (its active
// lines, which a first submission bills): recording
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

// SetClaimsRefs implements pipeline.ClaimTx: SetClaimRefs of each claim,
// one UPDATE per chunk and first submission time (an upload has one, or
// none for claims submitted before), claims in ID order so that two
// transactions lock shared claims in the same order. A claim that does
// not exist returns an error wrapping pipeline.ErrNotFound, and the
// transaction must end. A claim may appear once.
func (t *Tx) SetClaimsRefs(ctx context.Context, refs []pipeline.ClaimRefs) error {
	if err := t.check(); err != nil {
		return err
	}
	groups := make(map[time.Time][]pipeline.ClaimRefs)
	var order []time.Time
	seen := make(map[int64]bool, len(refs))
	for _, r := range refs {
		if seen[r.ClaimID] {
			return fmt.Errorf("set refs of claims: claim %d appears twice", r.ClaimID)
		}
		seen[r.ClaimID] = true
		first := NormTime(r.FirstSubmitted)
		if _, ok := groups[first]; !ok {
			order = append(order, first)
		}
		groups[first] = append(groups[first], r)
	}
	now := t.c.Time(t.stamp(time.Time{}))
	chunk := t.c.Chunk()
	for _, first := range order {
		part := groups[first]
		slices.SortFunc(part, func(a, b pipeline.ClaimRefs) int { return cmpInt64(a.ClaimID, b.ClaimID) })
		for start := 0; start < len(part); start += chunk {
			run := part[start:min(start+chunk, len(part))]
			ids, pcns, subs := make([]int64, len(run)), make([]string, len(run)), make([]int64, len(run))
			for i, r := range run {
				ids[i], pcns[i], subs[i] = r.ClaimID, r.PCN, int64(r.Submissions)
			}
			from, args := t.c.Values(3, []string{"id", "pcn", "submissions"}, []any{ids, pcns, subs})
			n, err := t.c.Exec(ctx, "UPDATE claims SET pcn = v.pcn, submissions = v.submissions, "+
				"first_submitted_at = COALESCE(claims.first_submitted_at, $1), updated_at = $2 FROM "+from+
				" WHERE claims.id = v.id", append([]any{t.c.Time(first), now}, args...)...)
			if err != nil {
				return t.fail(fmt.Errorf("set refs of claims: %w", err))
			}
			if int(n) != len(run) {
				return t.fail(fmt.Errorf("set refs of claims: %d of %d claims: %w", n, len(run), pipeline.ErrNotFound))
			}
		}
	}
	return nil
}
