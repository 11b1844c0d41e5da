package sqlcore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// The batch forms below are what applying a 277CA, a 999 or a TA1 needs
// on a database server: one statement per chunk of claims, where the
// one-by-one forms (SubmissionByPCN, ClaimHead, SetPayerClaimNumber)
// cost a round trip per claim.

// SubmissionsByPCN implements pipeline.ClaimTx: one query per chunk of
// distinct PCNs.
func (t *Tx) SubmissionsByPCN(ctx context.Context, pcns []string) (map[string]*pipeline.Submission, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	distinct := make([]any, 0, len(pcns))
	seen := make(map[string]bool, len(pcns))
	for _, pcn := range pcns {
		if !seen[pcn] {
			seen[pcn] = true
			distinct = append(distinct, pcn)
		}
	}
	out := make(map[string]*pipeline.Submission, len(distinct))
	chunk := t.c.Chunk()
	for start := 0; start < len(distinct); start += chunk {
		in, args := t.c.In("pcn", 1, distinct[start:min(start+chunk, len(distinct))])
		ss, err := t.submissions(ctx, "SELECT "+submissionCols+" FROM submissions WHERE "+in, args...)
		if err != nil {
			return nil, fmt.Errorf("submissions by PCN: %w", err)
		}
		for _, s := range ss {
			out[s.PCN] = s
		}
	}
	return out, nil
}

// ClaimHeads implements pipeline.ClaimTx: one query per chunk of IDs.
func (t *Tx) ClaimHeads(ctx context.Context, ids []int64) (map[int64]pipeline.ClaimHead, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flushVersions(ctx); err != nil {
		return nil, fmt.Errorf("claim heads: %w", err)
	}
	out, err := t.claimHeads(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("claim heads: %w", err)
	}
	return out, nil
}

// claimHeads reads the heads of the claims of ids (without repeats, in
// ascending order, so that two transactions read shared claims in the
// same order), by ID; IDs that match none are left out.
func (t *Tx) claimHeads(ctx context.Context, ids []int64) (map[int64]pipeline.ClaimHead, error) {
	out := make(map[int64]pipeline.ClaimHead, len(ids))
	all := slices.Compact(slices.Sorted(slices.Values(ids)))
	err := t.eachChunk(ctx, all, "SELECT id, version, state, total_charge, submissions, first_submitted_at FROM claims WHERE ", "id", "",
		func(rows Rows) error {
			var h pipeline.ClaimHead
			var version, charge, subs int64
			var state string
			if err := rows.Scan(&h.ID, &version, &state, &charge, &subs, timeDest{&h.FirstSubmittedAt}); err != nil {
				return err
			}
			h.Version, h.State, h.TotalCharge, h.Submissions = int(version), pipeline.ClaimState(state), x12.Amount(charge), int(subs)
			out[h.ID] = h
			t.know(&t.knownClaims, h.ID)
			return nil
		})
	return out, err
}

// SetPayerClaimNumbersFrom implements pipeline.ClaimTx: it first makes
// sure every claim exists (a query only for claims this transaction has
// not read), then updates one chunk of claims per statement, each with
// the conditions of SetPayerClaimNumber.
func (t *Tx) SetPayerClaimNumbersFrom(ctx context.Context, refs map[int64]string, source string) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	cond := ""
	switch source {
	case "835":
	case "277ca":
		// A 277CA's number never replaces an 835's.
		cond = " AND claims.payer_claim_source <> '835'"
	default:
		return 0, fmt.Errorf("set payer claim numbers: unknown source %q", source)
	}
	ids := make([]int64, 0, len(refs))
	for id, number := range refs {
		if number != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if err := t.claimsExist(ctx, ids); err != nil {
		return 0, fmt.Errorf("set payer claim numbers: %w", err)
	}
	now := t.c.Time(t.stamp(time.Time{}))
	changed := 0
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		numbers := make([]string, len(part))
		for i, id := range part {
			numbers[i] = refs[id]
		}
		from, args := t.c.Values(3, []string{"id", "ref"}, []any{part, numbers})
		n, err := t.c.Exec(ctx, "UPDATE claims SET payer_claim_number = v.ref, payer_claim_source = $1, updated_at = $2 FROM "+from+
			" WHERE claims.id = v.id AND (claims.payer_claim_number <> v.ref OR claims.payer_claim_source <> $1)"+cond,
			append([]any{source, now}, args...)...)
		if err != nil {
			return changed, t.fail(fmt.Errorf("set payer claim numbers: %w", err))
		}
		changed += int(n)
	}
	return changed, nil
}

// claimsExist returns an error wrapping pipeline.ErrNotFound, naming the
// first missing claim, unless every claim of ids exists. It reads only
// the claims this transaction does not know of yet. On PostgreSQL it
// stands for the foreign key that claim lines no longer have (see its
// migration 0016).
func (t *Tx) claimsExist(ctx context.Context, ids []int64) error {
	var unknown []int64
	for _, id := range ids {
		if !t.knownClaims[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	found, err := t.claimHeads(ctx, unknown)
	if err != nil {
		return err
	}
	for _, id := range unknown {
		if _, ok := found[id]; !ok {
			return fmt.Errorf("claim %d: %w", id, pipeline.ErrNotFound)
		}
	}
	return nil
}
