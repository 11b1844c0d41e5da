package sqlcore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// The batch operations below read or change many claims in a few
// statements. They are not (yet) part of pipeline.Tx; they are what 835
// posting needs on a database server, where every statement costs a
// round trip.

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
	chunk := t.c.Chunk()
	for start := 0; start < len(sorted); start += chunk {
		in, args := t.c.In("id", 1, sorted[start:min(start+chunk, len(sorted))])
		rows, err := t.c.Query(ctx, "SELECT id, state FROM claims WHERE "+in+" ORDER BY id"+t.c.ForUpdate(), args...)
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
		for start := 0; start < len(ids); start += chunk {
			part := ids[start:min(start+chunk, len(ids))]
			// The payer's claim numbers ride along in the same UPDATE
			// ('' keeps the one the claim has).
			rows := make([][]any, len(part))
			for i, id := range part {
				rows[i] = []any{id, payerClaimNumbers[id.(int64)]}
			}
			from, args := t.c.Values(3, []string{"id", "ref"}, rows)
			n, err := t.c.Exec(ctx, "UPDATE claims SET state = $1, updated_at = $2, "+
				"payer_claim_number = CASE WHEN v.ref = '' THEN claims.payer_claim_number ELSE v.ref END "+
				"FROM "+from+" WHERE claims.id = v.id", append([]any{string(g.to), t.c.Time(g.at)}, args...)...)
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

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		rows := make([][]any, len(part))
		for i, id := range part {
			rows[i] = []any{id, refs[id]}
		}
		from, args := t.c.Values(2, []string{"id", "ref"}, rows)
		n, err := t.c.Exec(ctx, "UPDATE claims SET payer_claim_number = v.ref, updated_at = $1 FROM "+from+
			" WHERE claims.id = v.id", append([]any{now}, args...)...)
		if err != nil {
			return t.fail(fmt.Errorf("set payer claim numbers: %w", err))
		}
		if int(n) != len(part) {
			return t.fail(fmt.Errorf("set payer claim numbers: %d of %d claims: %w", n, len(part), pipeline.ErrNotFound))
		}
	}
	return nil
}

// anys returns vs as a []any, for query arguments.
func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// PostingTargets implements pipeline.ClaimTx in three queries per chunk
// of PCNs: the submissions with their claims, the claims' lines and their
// balances, each reading only the columns posting uses.
func (t *Tx) PostingTargets(ctx context.Context, pcns []string) ([]pipeline.PostingTarget, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("posting targets: %w", err)
	}
	var out []pipeline.PostingTarget
	chunk := t.c.Chunk()
	for start := 0; start < len(pcns); start += chunk {
		part, err := t.postingTargets(ctx, pcns[start:min(start+chunk, len(pcns))])
		if err != nil {
			return nil, fmt.Errorf("posting targets: %w", err)
		}
		out = append(out, part...)
	}
	slices.SortFunc(out, func(a, b pipeline.PostingTarget) int { return cmpInt64(a.SubmissionID, b.SubmissionID) })
	return out, nil
}

func (t *Tx) postingTargets(ctx context.Context, pcns []string) ([]pipeline.PostingTarget, error) {
	in, args := t.c.In("s.pcn", 1, anys(pcns))
	rows, err := t.c.Query(ctx, `SELECT s.id, s.pcn, s.claim_id, c.encounter_id, c.state, c.payer_claim_number
FROM submissions s JOIN claims c ON c.id = s.claim_id WHERE `+in, args...)
	if err != nil {
		return nil, err
	}
	var out []pipeline.PostingTarget
	var ids []any
	seen := make(map[int64]bool, len(pcns))
	for rows.Next() {
		var tg pipeline.PostingTarget
		var state string
		if err := rows.Scan(&tg.SubmissionID, &tg.PCN, &tg.ClaimID, &tg.EncounterID, &state, &tg.PayerClaimNumber); err != nil {
			rows.Close()
			return nil, err
		}
		tg.State = pipeline.ClaimState(state)
		out = append(out, tg)
		if !seen[tg.ClaimID] {
			seen[tg.ClaimID] = true
			ids = append(ids, tg.ClaimID)
			t.know(&t.knownClaims, tg.ClaimID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	lines := make(map[int64][]pipeline.ClaimLine, len(ids))
	in, args = t.c.In("claim_id", 1, ids)
	rows, err = t.c.Query(ctx, `SELECT id, claim_id, line_no, control_number, proc_code, revenue_code, charge, service_date
FROM claim_lines WHERE `+in+" ORDER BY claim_id, line_no", args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var l pipeline.ClaimLine
		var lineNo, charge int64
		if err := rows.Scan(&l.ID, &l.ClaimID, &lineNo, &l.ControlNumber, &l.Procedure, &l.RevenueCode, &charge,
			dateDest{&l.ServiceDate}); err != nil {
			rows.Close()
			return nil, err
		}
		l.LineNo, l.Charge = int(lineNo), x12.Amount(charge)
		lines[l.ClaimID] = append(lines[l.ClaimID], l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	balances := make(map[int64]pipeline.Balance, len(ids))
	rows, err = t.c.Query(ctx, "SELECT claim_id, "+balanceCols+" FROM ledger_entries WHERE "+in+" GROUP BY claim_id", args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var v [6]int64
		if err := rows.Scan(append([]any{&id}, balanceDest(&v)...)...); err != nil {
			rows.Close()
			return nil, err
		}
		balances[id] = balanceOf(v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Lines, out[i].Balance = lines[out[i].ClaimID], balances[out[i].ClaimID]
	}
	return out, nil
}
