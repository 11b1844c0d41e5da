package sqlcore

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"maps"
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
// claims. An illegal move returns a *pipeline.TransitionError before
// anything is read. Each UPDATE moves a claim only if it is in its From
// state, inside a savepoint: when any claim did not move, the savepoint
// is rolled back and MoveClaims returns an error wrapping
// pipeline.ErrNotFound for a claim that does not exist, or
// pipeline.ErrConflict naming the claims not in their From state; then
// nothing is moved and the transaction may go on. A claim may appear
// only once. A zero ev.At is the clock's time.
func (t *Tx) MoveClaims(ctx context.Context, evs []pipeline.Event, payerClaimNumbers map[int64]string) error {
	return t.moveClaims(ctx, evs, payerNumbers{numbers: payerClaimNumbers, source: "835"}, nil)
}

// MoveClaimVersions implements pipeline.ClaimTx: MoveClaims, where a
// claim also moves only while it is at version ev.Version.
func (t *Tx) MoveClaimVersions(ctx context.Context, evs []pipeline.Event) error {
	return t.moveClaimVersions(ctx, evs, nil)
}

// MoveClaimVersionsWithNumbers implements pipeline.ClaimTx:
// MoveClaimVersions, recording in the same statement the payer claim
// number numbers gives each moved claim as SetPayerClaimNumbersFrom
// (source) would have before the move. A number for a claim that evs
// does not move returns an error before anything is written.
func (t *Tx) MoveClaimVersionsWithNumbers(ctx context.Context, evs []pipeline.Event, numbers map[int64]string, source string) error {
	switch source {
	case "835", "277ca":
	default:
		return fmt.Errorf("move claims: unknown payer claim number source %q", source)
	}
	if err := onlyMoved(evs, len(numbers), maps.Keys(numbers)); err != nil {
		return err
	}
	return t.moveClaimVersions(ctx, evs, payerNumbers{numbers: numbers, source: source})
}

// MoveClaimVersionsWithRefs implements pipeline.ClaimTx:
// MoveClaimVersions and then SetClaimsRefs(refs), in one statement per
// chunk of claims (and first submission time), every claim's row written
// once. A ref for a claim that evs does not move, or a claim twice among
// refs, returns an error before anything is written.
func (t *Tx) MoveClaimVersionsWithRefs(ctx context.Context, evs []pipeline.Event, refs []pipeline.ClaimRefs) error {
	byClaim := make(map[int64]*pipeline.ClaimRefs, len(refs))
	for i := range refs {
		r := &refs[i]
		if byClaim[r.ClaimID] != nil {
			return fmt.Errorf("set refs of claims: claim %d appears twice", r.ClaimID)
		}
		byClaim[r.ClaimID] = r
	}
	if err := onlyMoved(evs, len(refs), func(yield func(int64) bool) {
		for i := range refs {
			if !yield(refs[i].ClaimID) {
				return
			}
		}
	}); err != nil {
		return err
	}
	return t.moveClaimVersions(ctx, evs, claimRefs(byClaim))
}

// moveClaimVersions is MoveClaimVersions, writing what set gives the
// claims that carry values of their own.
func (t *Tx) moveClaimVersions(ctx context.Context, evs []pipeline.Event, set moveSet) error {
	versions := make([]int, len(evs))
	for i := range evs {
		versions[i] = evs[i].Version
	}
	return t.moveClaims(ctx, evs, set, versions)
}

// onlyMoved returns an error unless each of the n claims ids yields is
// moved by an event of evs.
func onlyMoved(evs []pipeline.Event, n int, ids iter.Seq[int64]) error {
	if n == 0 {
		return nil
	}
	moved := make(map[int64]bool, len(evs))
	for i := range evs {
		moved[evs[i].ClaimID] = true
	}
	for id := range ids {
		if !moved[id] {
			return fmt.Errorf("move claims: claim %d has values but no move", id)
		}
	}
	return nil
}

// moveSet is what moving a claim writes besides its state, for the
// claims that carry values of their own (joined from a VALUES list in
// the UPDATE that moves them). A nil moveSet gives none.
type moveSet interface {
	// group reports whether claim id carries values, and the key of
	// the statements that move it (comparable): claims with one key
	// share the scalar arguments of set.
	group(id int64) (bool, any)
	// set returns, for the claims of run, all sharing key and moved at
	// time at, the VALUES columns besides id, from_state and version,
	// their values (one []int64 or []string per column), and the SET
	// clauses after "state = $1", which write updated_at and read v.col,
	// claims.col and args as $2, $3, ...
	set(t *Tx, run []*pipeline.Event, key any, at time.Time) (cols []string, vals []any, set string, args []any)
}

// payerNumbers records payer claim numbers (from source, "835" or
// "277ca") with the move, as SetPayerClaimNumbersFrom does: an empty
// number keeps the claim's, and a 277CA's never replaces an 835's.
type payerNumbers struct {
	numbers map[int64]string
	source  string
}

func (p payerNumbers) group(id int64) (bool, any) { return p.numbers[id] != "", nil }

func (p payerNumbers) set(t *Tx, run []*pipeline.Event, _ any, at time.Time) ([]string, []any, string, []any) {
	rs := make([]string, len(run))
	for i, ev := range run {
		rs[i] = p.numbers[ev.ClaimID]
	}
	keep := "v.ref = ''"
	if p.source == "277ca" {
		keep += " OR claims.payer_claim_source = '835'"
	}
	return []string{"ref"}, []any{rs}, "updated_at = $2, " +
		"payer_claim_number = CASE WHEN " + keep + " THEN claims.payer_claim_number ELSE v.ref END, " +
		"payer_claim_source = CASE WHEN " + keep + " THEN claims.payer_claim_source ELSE $3 END", []any{t.c.Time(at), p.source}
}

// claimRefs records with the move what SetClaimsRefs records of each
// claim: its PCN and count of submissions, and its first submission time
// when it has none. Claims with refs are updated at the transaction's
// time, as SetClaimsRefs (after the move) leaves them; they go in
// statements by first submission time.
type claimRefs map[int64]*pipeline.ClaimRefs

func (c claimRefs) group(id int64) (bool, any) {
	r := c[id]
	if r == nil {
		return false, nil
	}
	return true, NormTime(r.FirstSubmitted)
}

func (c claimRefs) set(t *Tx, run []*pipeline.Event, key any, _ time.Time) ([]string, []any, string, []any) {
	pcns, subs := make([]string, len(run)), make([]int64, len(run))
	for i, ev := range run {
		r := c[ev.ClaimID]
		pcns[i], subs[i] = r.PCN, int64(r.Submissions)
	}
	return []string{"pcn", "submissions"}, []any{pcns, subs},
		"updated_at = $2, pcn = v.pcn, submissions = v.submissions, first_submitted_at = COALESCE(claims.first_submitted_at, $3)",
		[]any{t.c.Time(t.stamp(time.Time{})), t.c.Time(key.(time.Time))}
}

// MoveClaimsAt implements pipeline.ClaimTx: MoveClaims (without payer
// claim numbers), where claim evs[i].ClaimID also moves only while it is
// at version versions[i], as MoveClaim checks it.
func (t *Tx) MoveClaimsAt(ctx context.Context, evs []pipeline.Event, versions []int) error {
	if len(versions) != len(evs) {
		return fmt.Errorf("move claims: %d versions for %d claims", len(versions), len(evs))
	}
	for i, v := range versions {
		if v < 1 {
			return fmt.Errorf("move claims: claim %d at version %d", evs[i].ClaimID, v)
		}
	}
	return t.moveClaims(ctx, evs, nil, versions)
}

// moveClaims moves the claims of evs, writing what set gives those that
// carry values; when versions is not nil, claim evs[i].ClaimID only
// while at version versions[i].
func (t *Tx) moveClaims(ctx context.Context, evs []pipeline.Event, set moveSet, versions []int) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	versionOf := make(map[int64]int64, len(versions)) // by claim, which appears once
	for i := range versions {
		versionOf[evs[i].ClaimID] = int64(versions[i])
	}
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
	}
	// One UPDATE per target state and time (posting has a handful), and
	// per from state and version, its claims in ID order, so that two
	// transactions lock shared claims in the same order. Claims without a
	// payer claim number go by "id IN (...)": SQLite runs that form about
	// twice as fast as a join with a VALUES list (which the values of
	// set need).
	type group struct {
		to      pipeline.ClaimState
		at      time.Time
		from    pipeline.ClaimState
		version int64 // 0 when the move checks none
		ref     bool  // the claims carry values of set
		key     any   // and share set's key
	}
	groups := make(map[group][]*pipeline.Event)
	var order []group
	now := t.stamp(time.Time{})
	for i := range evs {
		ev := &evs[i]
		if ev.At.IsZero() {
			ev.At = now
		}
		ev.At = NormTime(ev.At)
		g := group{to: ev.To, at: ev.At}
		if set != nil {
			g.ref, g.key = set.group(ev.ClaimID)
		}
		if !g.ref {
			g.from, g.version = ev.From, versionOf[ev.ClaimID]
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], ev)
	}
	if _, err := t.c.Exec(ctx, "SAVEPOINT move_claims"); err != nil {
		return t.fail(fmt.Errorf("move claims: %w", err))
	}
	moved := 0
	chunk := t.c.Chunk()
	for _, g := range order {
		part := groups[g]
		slices.SortFunc(part, func(a, b *pipeline.Event) int { return cmp.Compare(a.ClaimID, b.ClaimID) })
		for start := 0; start < len(part); start += chunk {
			run := part[start:min(start+chunk, len(part))]
			var n int64
			var err error
			if g.ref {
				n, err = t.moveWithValues(ctx, g.to, g.at, run, set, g.key, versionOf, versions != nil)
			} else {
				n, err = t.movePlain(ctx, g.to, g.at, g.from, g.version, run, versions != nil)
			}
			if err != nil {
				return t.fail(fmt.Errorf("move claims: %w", err))
			}
			moved += int(n)
		}
	}
	if moved != len(evs) {
		if _, err := t.c.Exec(ctx, "ROLLBACK TO SAVEPOINT move_claims"); err != nil {
			return t.fail(fmt.Errorf("move claims: %w", err))
		}
		if _, err := t.c.Exec(ctx, "RELEASE SAVEPOINT move_claims"); err != nil {
			return t.fail(fmt.Errorf("move claims: %w", err))
		}
		if versions == nil {
			versionOf = nil
		}
		return t.unmoved(ctx, evs, versionOf)
	}
	if _, err := t.c.Exec(ctx, "RELEASE SAVEPOINT move_claims"); err != nil {
		return t.fail(fmt.Errorf("move claims: %w", err))
	}
	evIDs, err := t.reserve(ctx, "claim_events", len(evs))
	if err != nil {
		return t.fail(fmt.Errorf("move claims: %w", err))
	}
	for i := range evs {
		ev := evs[i]
		ev.ID = evIDs[i]
		t.events = append(t.events, ev)
		t.know(&t.knownClaims, ev.ClaimID)
	}
	return nil
}

// movePlain moves the claims of run, all from state from (and, when
// versioned, at version), to state to, in one statement; it returns how
// many moved.
func (t *Tx) movePlain(ctx context.Context, to pipeline.ClaimState, at time.Time, from pipeline.ClaimState, version int64, run []*pipeline.Event, versioned bool) (int64, error) {
	ids := make([]any, len(run))
	for i, ev := range run {
		ids[i] = ev.ClaimID
	}
	args := []any{string(to), t.c.Time(at), string(from)}
	where := "state = $3"
	if versioned {
		args, where = append(args, version), where+" AND version = $4"
	}
	in, inArgs := t.c.In("id", len(args)+1, ids)
	return t.c.Exec(ctx, "UPDATE claims SET state = $1, updated_at = $2 WHERE "+where+" AND "+in, append(args, inArgs...)...)
}

// moveWithValues moves the claims of run, sharing key of set, to state
// to, each from its own state (and, when versioned, at its version in
// versionOf), writing what set gives them, in one statement; it returns
// how many moved.
func (t *Tx) moveWithValues(ctx context.Context, to pipeline.ClaimState, at time.Time, run []*pipeline.Event, set moveSet, key any,
	versionOf map[int64]int64, versioned bool) (int64, error) {
	ids, froms, vers := make([]int64, len(run)), make([]string, len(run)), make([]int64, len(run))
	for i, ev := range run {
		ids[i], froms[i], vers[i] = ev.ClaimID, string(ev.From), versionOf[ev.ClaimID]
	}
	setCols, setVals, sets, setArgs := set.set(t, run, key, at)
	cols, vals, where := append([]string{"id", "from_state"}, setCols...), append([]any{ids, froms}, setVals...), ""
	if versioned {
		cols, vals, where = append(cols, "version"), append(vals, vers), " AND claims.version = v.version"
	}
	args := append([]any{string(to)}, setArgs...)
	from, vargs := t.c.Values(len(args)+1, cols, vals)
	return t.c.Exec(ctx, "UPDATE claims SET state = $1, "+sets+" FROM "+from+
		" WHERE claims.id = v.id AND claims.state = v.from_state"+where, append(args, vargs...)...)
}

// unmoved says why MoveClaims did not move every claim: the claims that
// do not exist, or are not in their From state (or, when versionOf is
// not nil, not at their version in it).
func (t *Tx) unmoved(ctx context.Context, evs []pipeline.Event, versionOf map[int64]int64) error {
	ids := make([]any, len(evs))
	for i := range evs {
		ids[i] = evs[i].ClaimID
	}
	type head struct {
		state   string
		version int64
	}
	heads := make(map[int64]head, len(evs))
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		in, args := t.c.In("id", 1, ids[start:min(start+chunk, len(ids))])
		rows, err := t.c.Query(ctx, "SELECT id, state, version FROM claims WHERE "+in, args...)
		if err != nil {
			return fmt.Errorf("move claims: %w", err)
		}
		for rows.Next() {
			var id int64
			var h head
			if err := rows.Scan(&id, &h.state, &h.version); err != nil {
				rows.Close()
				return fmt.Errorf("move claims: %w", err)
			}
			heads[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("move claims: %w", err)
		}
	}
	var conflicts []string
	for _, ev := range evs {
		h, ok := heads[ev.ClaimID]
		switch {
		case !ok:
			return fmt.Errorf("move claims: claim %d: %w", ev.ClaimID, pipeline.ErrNotFound)
		case h.state != string(ev.From):
			conflicts = append(conflicts, fmt.Sprintf("claim %d is %s, not %s", ev.ClaimID, h.state, ev.From))
		case versionOf != nil && h.version != versionOf[ev.ClaimID]:
			conflicts = append(conflicts, fmt.Sprintf("claim %d is at version %d, not %d", ev.ClaimID, h.version, versionOf[ev.ClaimID]))
		}
	}
	if len(conflicts) == 0 {
		// Every claim is in its From state (and version) now: another
		// transaction moved some while this one waited for them.
		return fmt.Errorf("move claims: claims changed while they were moved: %w", pipeline.ErrConflict)
	}
	more := ""
	if len(conflicts) > 5 {
		more = fmt.Sprintf(" and %d more", len(conflicts)-5)
		conflicts = conflicts[:5]
	}
	return fmt.Errorf("move claims: %s%s: %w", strings.Join(conflicts, ", "), more, pipeline.ErrConflict)
}

// SetPayerClaimNumbers records the payer's claim number (835 CLP07) of
// each claim in refs, in a few statements. An ID that
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
		vals := make([]string, len(part))
		for i, id := range part {
			vals[i] = refs[id]
		}
		from, args := t.c.Values(2, []string{"id", "ref"}, []any{part, vals})
		n, err := t.c.Exec(ctx, "UPDATE claims SET payer_claim_number = v.ref, payer_claim_source = '835', updated_at = $1 FROM "+from+
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

// openCol sums ledger entries into what is open for insurance
// (pipeline.Balance.Insurance): one sum, not the six of balanceCols.
const openCol = "CAST(COALESCE(SUM(charge - payment - adjustment - patient_resp - write_off), 0) AS BIGINT)"

// PostingTargets implements pipeline.ClaimTx in three queries per chunk
// of PCNs: the submissions with their claims, then the claims' lines and
// what is open on them, each reading only the columns posting uses. The last
// two go in one batch where the connection can send one (PostgreSQL
// decodes the lines while the server sums the balances).
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
	slices.SortFunc(out, func(a, b pipeline.PostingTarget) int { return cmp.Compare(a.SubmissionID, b.SubmissionID) })
	return out, nil
}

func (t *Tx) postingTargets(ctx context.Context, pcns []string) ([]pipeline.PostingTarget, error) {
	in, args := t.c.In("s.pcn", 1, anys(pcns))
	rows, err := t.c.Query(ctx, `SELECT s.id, s.version, s.pcn, s.claim_id, c.encounter_id, c.payer_id, c.state,
c.version, v.kind, c.payer_claim_number, v.has_other_coverage
FROM submissions s JOIN claims c ON c.id = s.claim_id
JOIN claim_versions v ON v.claim_id = c.id AND v.version = c.version WHERE `+in, args...)
	if err != nil {
		return nil, err
	}
	out := make([]pipeline.PostingTarget, 0, len(pcns))
	ids := make([]any, 0, len(pcns))
	seen := make(map[int64]bool, len(pcns))
	var tg pipeline.PostingTarget
	var state, kind string
	var subVersion, version int64
	for rows.Next() {
		if err := rows.Scan(&tg.SubmissionID, &subVersion, &tg.PCN, &tg.ClaimID, &tg.EncounterID, &tg.PayerID, &state,
			&version, &kind, &tg.PayerClaimNumber, &tg.OtherCoverage); err != nil {
			rows.Close()
			return nil, err
		}
		tg.State, tg.VersionKind = pipeline.ClaimState(state), pipeline.VersionKind(kind)
		tg.SubmissionVersion, tg.Version = int(subVersion), int(version)
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
	// The lines come in claim order: they share one array, each claim
	// taking its run of it.
	var all []pipeline.ClaimLine
	runs := make(map[int64][2]int, len(ids))
	open := make(map[int64]x12.Amount, len(ids))
	in, args = t.c.In("claim_id", 1, ids)
	// Active lines first, by line number; then the inactive ones, whose
	// numbers are those they last had, by ID.
	qs := []Query{
		{`SELECT id, claim_id, line_no, control_number, proc_code, revenue_code, charge, service_date, active
FROM claim_lines WHERE ` + in + " ORDER BY claim_id, active DESC, CASE WHEN active THEN line_no ELSE 0 END, id", args},
		{"SELECT claim_id, " + openCol + " FROM ledger_entries WHERE " + in + " GROUP BY claim_id", args},
	}
	err = queryEach(ctx, t.c, qs, func(i int, rows Rows) error {
		if i == 0 {
			all = make([]pipeline.ClaimLine, 0, 4*len(ids))
			var l pipeline.ClaimLine
			var lineNo, charge int64
			for rows.Next() {
				if err := rows.Scan(&l.ID, &l.ClaimID, &lineNo, &l.ControlNumber, &l.Procedure, &l.RevenueCode, &charge,
					dateDest{&l.ServiceDate}, &l.Active); err != nil {
					return err
				}
				l.LineNo, l.Charge = int(lineNo), x12.Amount(charge)
				r, ok := runs[l.ClaimID]
				if !ok {
					r = [2]int{len(all), len(all)}
				}
				all = append(all, l)
				r[1] = len(all)
				runs[l.ClaimID] = r
			}
			return rows.Err()
		}
		var id, amount int64
		for rows.Next() {
			if err := rows.Scan(&id, &amount); err != nil {
				return err
			}
			open[id] = x12.Amount(amount)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if r, ok := runs[out[i].ClaimID]; ok {
			out[i].Lines = all[r[0]:r[1]:r[1]]
		}
		out[i].Open = open[out[i].ClaimID]
	}
	return out, nil
}
