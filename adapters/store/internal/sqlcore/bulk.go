package sqlcore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// The batch operations below read or change many claims in a few
// statements. They are not (yet) part of pipeline.Tx; they are what 835
// posting needs on a database server, where every statement costs a
// round trip.

// bulkChunk is the most IDs or PCNs put in one statement.
const bulkChunk = 500

// MoveClaims moves, for each event, claim ev.ClaimID from ev.From to
// ev.To and appends ev to its history, as MoveClaim does, in a few
// statements; it also records the payer claim numbers given for moved
// claims. It checks every move before it changes anything: an
// illegal move returns a *pipeline.TransitionError, a claim that does not
// exist an error wrapping pipeline.ErrNotFound, and claims not in their
// From state an error wrapping pipeline.ErrConflict that names them; then
// nothing is moved and the transaction may go on. A claim may appear only
// once. A zero ev.At is the clock's time.
func (t *Tx) MoveClaims(ctx context.Context, evs []pipeline.Event, payerClaimNumbers map[int64]string) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	ids := make([]any, len(evs))
	seen := make(map[int64]bool, len(evs))
	for i := range evs {
		ev := &evs[i]
		if !pipeline.CanMove(ev.From, ev.To) {
			return &pipeline.TransitionError{ClaimID: ev.ClaimID, From: ev.From, To: ev.To}
		}
		if seen[ev.ClaimID] {
			return fmt.Errorf("move claims: claim %d appears twice", ev.ClaimID)
		}
		seen[ev.ClaimID] = true
		ids[i] = ev.ClaimID
	}
	// Lock the claims (in ID order, so that two transactions do not
	// deadlock) and check their states.
	states := make(map[int64]string, len(evs))
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, func(a, b any) int { return cmpInt64(a.(int64), b.(int64)) })
	for start := 0; start < len(sorted); start += bulkChunk {
		part := sorted[start:min(start+bulkChunk, len(sorted))]
		rows, err := t.c.Query(ctx, "SELECT id, state FROM claims WHERE id IN ("+placeholders(1, len(part))+") ORDER BY id"+t.c.ForUpdate(), part...)
		if err != nil {
			return fmt.Errorf("move claims: %w", err)
		}
		for rows.Next() {
			var id int64
			var st string
			if err := rows.Scan(&id, &st); err != nil {
				rows.Close()
				return fmt.Errorf("move claims: %w", err)
			}
			states[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("move claims: %w", err)
		}
	}
	var conflicts []string
	for _, ev := range evs {
		st, ok := states[ev.ClaimID]
		if !ok {
			return fmt.Errorf("move claims: claim %d: %w", ev.ClaimID, pipeline.ErrNotFound)
		}
		if st != string(ev.From) {
			conflicts = append(conflicts, fmt.Sprintf("claim %d is %s, not %s", ev.ClaimID, st, ev.From))
		}
	}
	for id := range states {
		t.know(&t.knownClaims, id)
	}
	if len(conflicts) > 0 {
		more := ""
		if len(conflicts) > 5 {
			more = fmt.Sprintf(" and %d more", len(conflicts)-5)
			conflicts = conflicts[:5]
		}
		return fmt.Errorf("move claims: %s%s: %w", strings.Join(conflicts, ", "), more, pipeline.ErrConflict)
	}
	// One UPDATE per target state and time (posting has a handful).
	type group struct {
		to pipeline.ClaimState
		at time.Time
	}
	groups := make(map[group][]any)
	var order []group
	now := t.stamp(time.Time{})
	for i := range evs {
		if evs[i].At.IsZero() {
			evs[i].At = now
		}
		evs[i].At = NormTime(evs[i].At)
		g := group{evs[i].To, evs[i].At}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], evs[i].ClaimID)
	}
	for _, g := range order {
		ids := groups[g]
		for start := 0; start < len(ids); start += bulkChunk {
			part := ids[start:min(start+bulkChunk, len(ids))]
			// Placeholders are numbered in the order they appear, so
			// that SQLite can bind them positionally. The payer's claim
			// numbers ride along in the same UPDATE.
			args := []any{string(g.to), t.c.Time(g.at)}
			set := "state = $1, updated_at = $2"
			var refs strings.Builder
			for _, id := range part {
				if ref, ok := payerClaimNumbers[id.(int64)]; ok {
					args = append(args, id, ref)
					fmt.Fprintf(&refs, " WHEN $%d THEN CAST($%d AS TEXT)", len(args)-1, len(args))
				}
			}
			if refs.Len() > 0 {
				set += ", payer_claim_number = CASE id" + refs.String() + " ELSE payer_claim_number END"
			}
			in := placeholders(len(args)+1, len(part))
			args = append(args, part...)
			n, err := t.c.Exec(ctx, "UPDATE claims SET "+set+" WHERE id IN ("+in+")", args...)
			if err == nil && n != int64(len(part)) {
				err = fmt.Errorf("updated %d claims, want %d", n, len(part))
			}
			if err != nil {
				return t.fail(fmt.Errorf("move claims: %w", err))
			}
		}
	}
	evIDs, err := t.reserve(ctx, "claim_events", len(evs))
	if err != nil {
		return t.fail(fmt.Errorf("move claims: %w", err))
	}
	for i := range evs {
		ev := evs[i]
		ev.ID = evIDs[i]
		t.events = append(t.events, ev)
	}
	return nil
}

// GetClaims returns the claims with those IDs, with their lines (and
// their Data when withData), in ID order. IDs of claims that do not exist
// are left out.
func (t *Tx) GetClaims(ctx context.Context, ids []int64, withData bool) ([]*pipeline.Claim, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flushClaimData(ctx); err != nil {
		return nil, fmt.Errorf("get claims: %w", err)
	}
	var out []*pipeline.Claim
	for start := 0; start < len(ids); start += bulkChunk {
		part := ids[start:min(start+bulkChunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := "SELECT " + claimCols + " FROM " + claimFrom
		if !withData {
			q = "SELECT " + claimColsBrief + " FROM claims c"
		}
		cs, err := t.claims(ctx, q+" WHERE c.id IN ("+placeholders(1, len(args))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("get claims: %w", err)
		}
		out = append(out, cs...)
	}
	slices.SortFunc(out, func(a, b *pipeline.Claim) int { return cmpInt64(a.ID, b.ID) })
	return out, nil
}

// SubmissionsByPCN returns the submissions with those PCNs, in ID order.
// PCNs that match no submission are left out.
func (t *Tx) SubmissionsByPCN(ctx context.Context, pcns []string) ([]*pipeline.Submission, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var out []*pipeline.Submission
	for start := 0; start < len(pcns); start += bulkChunk {
		part := pcns[start:min(start+bulkChunk, len(pcns))]
		args := make([]any, len(part))
		for i, p := range part {
			args[i] = p
		}
		ss, err := t.submissions(ctx, "SELECT "+submissionCols+" FROM submissions WHERE pcn IN ("+placeholders(1, len(args))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("submissions by PCN: %w", err)
		}
		out = append(out, ss...)
	}
	slices.SortFunc(out, func(a, b *pipeline.Submission) int { return cmpInt64(a.ID, b.ID) })
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ClaimBalances returns the derived balance of each claim with those
// IDs (all lines and the claim level together). Claims without entries
// are left out.
func (t *Tx) ClaimBalances(ctx context.Context, ids []int64) (map[int64]pipeline.Balance, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("claim balances: %w", err)
	}
	out := make(map[int64]pipeline.Balance, len(ids))
	for start := 0; start < len(ids); start += bulkChunk {
		part := ids[start:min(start+bulkChunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := t.c.Query(ctx, "SELECT claim_id, "+balanceCols+" FROM ledger_entries WHERE claim_id IN ("+
			placeholders(1, len(args))+") GROUP BY claim_id", args...)
		if err != nil {
			return nil, fmt.Errorf("claim balances: %w", err)
		}
		for rows.Next() {
			var id int64
			var v [6]int64
			if err := rows.Scan(append([]any{&id}, balanceDest(&v)...)...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("claim balances: %w", err)
			}
			out[id] = balanceOf(v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("claim balances: %w", err)
		}
	}
	return out, nil
}

// SetPayerClaimNumbers records the payer's claim number (277CA REF*1K,
// 835 CLP07) of each claim in refs, in a few statements. An ID that
// matches no claim returns an error wrapping pipeline.ErrNotFound.
func (t *Tx) SetPayerClaimNumbers(ctx context.Context, refs map[int64]string) error {
	if err := t.check(); err != nil {
		return err
	}
	ids := make([]int64, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	now := t.c.Time(t.stamp(time.Time{}))
	for start := 0; start < len(ids); start += bulkChunk {
		part := ids[start:min(start+bulkChunk, len(ids))]
		var cases strings.Builder
		var args []any
		for _, id := range part {
			args = append(args, id, refs[id])
			fmt.Fprintf(&cases, " WHEN $%d THEN CAST($%d AS TEXT)", len(args)-1, len(args))
		}
		args = append(args, now)
		at := len(args)
		in := placeholders(at+1, len(part))
		for _, id := range part {
			args = append(args, id)
		}
		n, err := t.c.Exec(ctx, "UPDATE claims SET payer_claim_number = CASE id"+cases.String()+
			fmt.Sprintf(" END, updated_at = $%d WHERE id IN (", at)+in+")", args...)
		if err != nil {
			return t.fail(fmt.Errorf("set payer claim numbers: %w", err))
		}
		if int(n) != len(part) {
			return t.fail(fmt.Errorf("set payer claim numbers: %d of %d claims: %w", n, len(part), pipeline.ErrNotFound))
		}
	}
	return nil
}
