package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// claimCols and claimFrom select claims with the content of their
// current version.
const (
	claimCols = `c.id, c.encounter_id, c.kind, c.state, c.payer_id, c.payer_name, c.clearinghouse,
c.total_charge, c.version, d.kind, c.submissions, c.pcn, c.payer_claim_number, c.payer_claim_source, d.data,
c.created_at, c.updated_at, c.first_submitted_at`
	claimFrom = `claims c JOIN claim_versions d ON d.claim_id = c.id AND d.version = c.version`
)

// versionRow is a claim version as stored: its data and changed fields as
// JSON. The rows of new claims are deferred (intake writes many).
type versionRow struct {
	v             pipeline.ClaimVersion
	data, changed string
}

var tableVersions = &Table{Name: "claim_versions", Cols: []string{
	"claim_id", "version", "kind", "frequency", "payer_claim_number", "total_charge", "data", "changed",
	"actor", "note", "created_at", "has_other_coverage"}}

const versionCols = `claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed,
actor, note, created_at`

type versionRows []versionRow

func (r versionRows) Len() int { return len(r) }

func (r versionRows) WriteRow(i int, w RowWriter) {
	v := &r[i].v
	w.Int(v.ClaimID)
	w.Int(int64(v.Version))
	w.Text(string(v.Kind))
	w.Text(v.Frequency)
	w.Text(v.PayerClaimNumber)
	w.Int(int64(v.TotalCharge))
	w.JSON(r[i].data)
	w.JSON(r[i].changed)
	w.Text(v.Actor)
	w.Text(v.Note)
	w.Time(v.CreatedAt)
	// Whether the content lists other coverage, which posting reads
	// without the content (the JSON has the key only then: omitempty).
	w.Bool(len(v.Data.OtherCoverage) > 0)
}

// newVersionRow encodes v, filling a zero CreatedAt from the clock.
func (t *Tx) newVersionRow(v *pipeline.ClaimVersion) (versionRow, error) {
	v.CreatedAt = t.stamp(v.CreatedAt)
	r := versionRow{v: *v}
	return r, r.encode()
}

// encode sets r's data and changed from r.v, as JSON.
func (r *versionRow) encode() error {
	data, err := jsonArg(r.v.Data)
	if err != nil {
		return err
	}
	changed := r.v.Changed
	if changed == nil {
		changed = []string{}
	}
	ch, err := jsonArg(changed)
	if err != nil {
		return err
	}
	r.data, r.changed = data, ch
	return nil
}

var tableLines = &Table{Name: "claim_lines", Cols: []string{
	"id", "claim_id", "line_no", "control_number", "proc_code", "modifiers",
	"revenue_code", "charge", "units", "service_date", "active"}}

const lineCols = `id, claim_id, line_no, control_number, proc_code, modifiers,
revenue_code, charge, units, service_date, active`

// lineRows adapts claim lines to RowSource; modifiers holds their JSON.
type lineRows struct {
	lines     []pipeline.ClaimLine
	modifiers []string
}

func (r lineRows) Len() int { return len(r.lines) }

func (r lineRows) WriteRow(i int, w RowWriter) {
	l := &r.lines[i]
	w.Int(l.ID)
	w.Int(l.ClaimID)
	w.Int(int64(l.LineNo))
	w.Text(l.ControlNumber)
	w.Text(l.Procedure)
	w.JSON(r.modifiers[i])
	w.Text(l.RevenueCode)
	w.Int(int64(l.Charge))
	w.Text(l.Units)
	w.Text(dateArg(l.ServiceDate))
	w.Bool(l.Active)
}

// CreateClaim implements pipeline.ClaimTx. It sets c.ID, c.Version (1
// when zero), the line IDs, claim IDs and (when zero) line numbers,
// makes the lines active, and fills zero creation and update times from
// the clock. A line control number given to two lines of the claim
// returns an error wrapping pipeline.ErrConflict (it is unique within its
// claim, not across claims).
func (t *Tx) CreateClaim(ctx context.Context, c *pipeline.Claim) error {
	return t.CreateClaims(ctx, []*pipeline.Claim{c})
}

// tableClaims is the claims table, for inserting claims in bulk.
var tableClaims = &Table{Name: "claims", Cols: []string{
	"id", "encounter_id", "kind", "state", "payer_id", "payer_name", "clearinghouse", "total_charge", "version",
	"submissions", "pcn", "payer_claim_number", "payer_claim_source", "created_at", "updated_at",
	"first_submitted_at", "service_date"}}

type claimRows []*pipeline.Claim

func (r claimRows) Len() int { return len(r) }

func (r claimRows) WriteRow(i int, w RowWriter) {
	c := r[i]
	w.Int(c.ID)
	w.Text(c.EncounterID)
	w.Text(string(c.Kind))
	w.Text(string(c.State))
	w.Text(c.PayerID)
	w.Text(c.PayerName)
	w.Text(c.Clearinghouse)
	w.Int(int64(c.TotalCharge))
	w.Int(int64(c.Version))
	w.Int(int64(c.Submissions))
	w.Text(c.PCN)
	w.Text(c.PayerClaimNumber)
	w.Text(c.PayerClaimSource)
	w.Time(c.CreatedAt)
	w.Time(c.UpdatedAt)
	w.Time(c.FirstSubmittedAt)
	w.Text(dateArg(firstServiceDate(c.Lines)))
}

// CreateClaims implements pipeline.ClaimTx, as CreateClaim does for each
// claim, in a few statements: the claims, their first versions and
// their lines are each inserted in bulk.
func (t *Tx) CreateClaims(ctx context.Context, cs []*pipeline.Claim) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(cs) == 0 {
		return nil
	}
	rows := make([]versionRow, len(cs))
	for i, c := range cs {
		if c.State == "" {
			return fmt.Errorf("create claim for encounter %q: empty state", c.EncounterID)
		}
		if c.Version == 0 {
			c.Version = 1
		}
		c.CreatedAt = t.stamp(c.CreatedAt)
		v := &pipeline.ClaimVersion{Version: c.Version, Kind: pipeline.VersionOriginal, Frequency: c.Data.Frequency,
			PayerClaimNumber: c.Data.PayerClaimNumber, Data: c.Data, TotalCharge: c.TotalCharge, Actor: "intake", CreatedAt: c.CreatedAt}
		if v.Frequency == "" {
			v.Frequency = "1"
		}
		rows[i].v = *v
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		c.UpdatedAt = NormTime(c.UpdatedAt)
		c.FirstSubmittedAt = NormTime(c.FirstSubmittedAt)
	}
	// The versions' content is encoded to JSON on another core while
	// the claims and their lines are inserted: for a batch of intake it
	// takes about half as long as those inserts. The rows are only
	// written at the next flush.
	encoded := make(chan error, 1)
	go func() { encoded <- encodeVersionRows(rows, cs) }()
	if err := t.insertClaims(ctx, cs, rows); err != nil {
		<-encoded
		return err
	}
	if err := <-encoded; err != nil {
		return t.fail(err)
	}
	t.versions = append(t.versions, rows...)
	return nil
}

// encodeVersionRows encodes the content and changed fields of rows, the
// first versions of cs. Of cs it reads only the encounter IDs, which
// insertClaims leaves alone, so that it can run beside it.
func encodeVersionRows(rows []versionRow, cs []*pipeline.Claim) error {
	for i := range rows {
		if err := rows[i].encode(); err != nil {
			return fmt.Errorf("create claim for encounter %q: %w", cs[i].EncounterID, err)
		}
	}
	return nil
}

// insertClaims inserts cs and their lines, setting the claims' IDs (in
// the claims and in rows, their first versions) and their lines' IDs.
func (t *Tx) insertClaims(ctx context.Context, cs []*pipeline.Claim, rows []versionRow) error {
	// Claim IDs are reserved exactly (not through t.reserve's pool):
	// SQLite, which keeps no counter for claims, takes the next ones
	// after the highest.
	ids, err := t.c.ReserveIDs(ctx, "claims", len(cs))
	if err != nil {
		return t.fail(fmt.Errorf("create claims: %w", err))
	}
	var lines []pipeline.ClaimLine
	var mods []string
	for i, c := range cs {
		c.ID, c.VersionKind = ids[i], pipeline.VersionOriginal
		rows[i].v.ClaimID = c.ID
		t.know(&t.knownClaims, c.ID)
		for k := range c.Lines {
			c.Lines[k].Active = true
		}
		lids, err := t.lineIDs(ctx, c, nil)
		if err != nil {
			return t.fail(fmt.Errorf("create claim %d: %w", c.ID, err))
		}
		for k := range c.Lines {
			l := &c.Lines[k]
			l.ID, lids = lids[0], lids[1:]
			l.ClaimID = c.ID
			m, err := jsonArg(l.Modifiers)
			if err != nil {
				return t.fail(fmt.Errorf("create claim %d: line %d: %w", c.ID, l.LineNo, err))
			}
			lines, mods = append(lines, *l), append(mods, m)
		}
	}
	if err := t.c.Insert(ctx, tableClaims, claimRows(cs)); err != nil {
		return t.fail(fmt.Errorf("create claims: %w", err))
	}
	if len(lines) == 0 {
		return nil
	}
	if err := t.c.Insert(ctx, tableLines, lineRows{lines, mods}); err != nil {
		if t.c.IsUniqueViolation(err) {
			return t.fail(fmt.Errorf("create claims: insert lines: line number or control number already used: %w: %w", pipeline.ErrConflict, err))
		}
		return t.fail(fmt.Errorf("create claims: insert lines: %w", err))
	}
	return nil
}

// firstServiceDate is the earliest service date of lines (the claim's
// active lines), zero when none has one.
func firstServiceDate(lines []pipeline.ClaimLine) x12.Date {
	var first x12.Date
	for _, l := range lines {
		if !l.ServiceDate.IsZero() && (first.IsZero() || l.ServiceDate.Before(first)) {
			first = l.ServiceDate
		}
	}
	return first
}

// lineIDs numbers c's lines that have no line number and reserves IDs
// for the lines whose control number is not in reuse.
func (t *Tx) lineIDs(ctx context.Context, c *pipeline.Claim, reuse map[string]int64) ([]int64, error) {
	need := 0
	for i := range c.Lines {
		if c.Lines[i].LineNo == 0 {
			c.Lines[i].LineNo = i + 1
		}
		if _, ok := reuse[c.Lines[i].ControlNumber]; !ok || c.Lines[i].ControlNumber == "" {
			need++
		}
	}
	if need == 0 {
		return nil, nil
	}
	return t.reserve(ctx, "claim_lines", need)
}

// insertLines inserts c's lines as active lines, with the next of ids.
func (t *Tx) insertLines(ctx context.Context, c *pipeline.Claim, ids []int64) error {
	if len(c.Lines) == 0 {
		return nil
	}
	if err := t.claimsExist(ctx, []int64{c.ID}); err != nil {
		return fmt.Errorf("insert lines: %w", err)
	}
	mods := make([]string, len(c.Lines))
	for i := range c.Lines {
		l := &c.Lines[i]
		l.ID, ids = ids[0], ids[1:]
		l.ClaimID, l.Active = c.ID, true
		m, err := jsonArg(l.Modifiers)
		if err != nil {
			return fmt.Errorf("line %d: %w", l.LineNo, err)
		}
		mods[i] = m
	}
	if err := t.c.Insert(ctx, tableLines, lineRows{c.Lines, mods}); err != nil {
		if t.c.IsUniqueViolation(err) {
			return fmt.Errorf("insert lines: line number or control number already used: %w: %w", pipeline.ErrConflict, err)
		}
		return fmt.Errorf("insert lines: %w", err)
	}
	return nil
}

// claimScan holds the scan targets of claimCols.
type claimScan struct {
	c                     pipeline.Claim
	kind, state, vkind    string
	charge, version, subs int64
	data                  []byte
}

func (s *claimScan) dest() []any {
	return []any{&s.c.ID, &s.c.EncounterID, &s.kind, &s.state, &s.c.PayerID, &s.c.PayerName, &s.c.Clearinghouse,
		&s.charge, &s.version, &s.vkind, &s.subs, &s.c.PCN, &s.c.PayerClaimNumber, &s.c.PayerClaimSource, &s.data,
		timeDest{&s.c.CreatedAt}, timeDest{&s.c.UpdatedAt}, timeDest{&s.c.FirstSubmittedAt}}
}

// claim returns the scanned claim, decoding its data.
func (s *claimScan) claim() (*pipeline.Claim, error) {
	c := s.c
	c.Kind, c.State, c.TotalCharge = x837.Kind(s.kind), pipeline.ClaimState(s.state), x12.Amount(s.charge)
	c.Version, c.VersionKind, c.Submissions = int(s.version), pipeline.VersionKind(s.vkind), int(s.subs)
	if len(s.data) == 0 {
		return &c, nil // selected without its data
	}
	if err := (jsonDest{&c.Data}).Scan(s.data); err != nil {
		return nil, fmt.Errorf("claim %d data: %w", c.ID, err)
	}
	return &c, nil
}

// lineScan holds the scan targets of lineCols.
type lineScan struct {
	l              pipeline.ClaimLine
	lineNo, charge int64
	modifiers      []byte
}

func (s *lineScan) dest() []any {
	return []any{&s.l.ID, &s.l.ClaimID, &s.lineNo, &s.l.ControlNumber, &s.l.Procedure, &s.modifiers,
		&s.l.RevenueCode, &s.charge, &s.l.Units, dateDest{&s.l.ServiceDate}, &s.l.Active}
}

func (s *lineScan) line() (pipeline.ClaimLine, error) {
	l := s.l
	l.LineNo, l.Charge = int(s.lineNo), x12.Amount(s.charge)
	switch string(s.modifiers) {
	case "null", "[]", "":
		// Most lines have no modifiers: no JSON to decode.
		l.Modifiers = nil
		return l, nil
	}
	if err := (jsonDest{&l.Modifiers}).Scan(s.modifiers); err != nil {
		return l, fmt.Errorf("line %d modifiers: %w", l.ID, err)
	}
	return l, nil
}

// GetClaim implements pipeline.ClaimTx. It reads the claim and its lines
// in one query.
func (t *Tx) GetClaim(ctx context.Context, id int64) (*pipeline.Claim, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flushVersions(ctx); err != nil {
		return nil, fmt.Errorf("get claim %d: %w", id, err)
	}
	rows, err := t.c.Query(ctx, `SELECT `+claimCols+`, COALESCE(l.id, 0), COALESCE(l.claim_id, 0), COALESCE(l.line_no, 0),
COALESCE(l.control_number, ''), COALESCE(l.proc_code, ''), COALESCE(l.modifiers, 'null'),
COALESCE(l.revenue_code, ''), COALESCE(l.charge, 0), COALESCE(l.units, ''), COALESCE(l.service_date, ''),
COALESCE(l.active, `+"false"+`)
FROM `+claimFrom+` LEFT JOIN claim_lines l ON l.claim_id = c.id AND l.active WHERE c.id = $1 ORDER BY l.line_no`, id)
	if err != nil {
		return nil, fmt.Errorf("get claim %d: %w", id, err)
	}
	defer rows.Close()
	var cs claimScan
	var ls lineScan
	dest := append(cs.dest(), ls.dest()...)
	var c *pipeline.Claim
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("get claim %d: %w", id, err)
		}
		if c == nil {
			if c, err = cs.claim(); err != nil {
				return nil, fmt.Errorf("get claim %d: %w", id, err)
			}
		}
		if ls.l.ID == 0 {
			continue
		}
		l, err := ls.line()
		if err != nil {
			return nil, fmt.Errorf("get claim %d: %w", id, err)
		}
		c.Lines = append(c.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get claim %d: %w", id, err)
	}
	if c == nil {
		return nil, fmt.Errorf("get claim %d: %w", id, pipeline.ErrNotFound)
	}
	t.know(&t.knownClaims, id)
	return c, nil
}

// ClaimHead implements pipeline.ClaimTx.
func (t *Tx) ClaimHead(ctx context.Context, id int64) (pipeline.ClaimHead, error) {
	var h pipeline.ClaimHead
	if err := t.check(); err != nil {
		return h, err
	}
	if err := t.flushVersions(ctx); err != nil {
		return h, fmt.Errorf("claim %d: %w", id, err)
	}
	rows, err := t.c.Query(ctx, `SELECT id, version, state, total_charge, submissions, first_submitted_at FROM claims WHERE id = $1`, id)
	if err != nil {
		return h, fmt.Errorf("claim %d: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return h, fmt.Errorf("claim %d: %w", id, err)
		}
		return h, fmt.Errorf("claim %d: %w", id, pipeline.ErrNotFound)
	}
	var version, charge, subs int64
	var state string
	if err := rows.Scan(&h.ID, &version, &state, &charge, &subs, timeDest{&h.FirstSubmittedAt}); err != nil {
		return h, fmt.Errorf("claim %d: %w", id, err)
	}
	h.Version, h.State, h.TotalCharge, h.Submissions = int(version), pipeline.ClaimState(state), x12.Amount(charge), int(subs)
	t.know(&t.knownClaims, id)
	return h, rows.Err()
}

// waitingStates is the predicate of the partial index claims_state
// (migrations 0005 on SQLite, 0006 on PostgreSQL), written as there.
const waitingStates = "c.state IN ('held', 'ready')"

// ClaimsInState implements pipeline.ClaimTx. A limit of zero or less
// means no limit.
func (t *Tx) ClaimsInState(ctx context.Context, s pipeline.ClaimState, limit int) ([]*pipeline.Claim, error) {
	cs, err := t.claimsInState(ctx, s, 0, limit)
	if err != nil {
		return nil, err
	}
	if err := t.withLines(ctx, cs); err != nil {
		return nil, fmt.Errorf("claims in state %s: %w", s, err)
	}
	return cs, nil
}

// ClaimsInStateAfter implements pipeline.ClaimTx: the claims without
// their lines.
func (t *Tx) ClaimsInStateAfter(ctx context.Context, s pipeline.ClaimState, after int64, limit int) ([]*pipeline.Claim, error) {
	return t.claimsInState(ctx, s, after, limit)
}

func (t *Tx) claimsInState(ctx context.Context, s pipeline.ClaimState, after int64, limit int) ([]*pipeline.Claim, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flushVersions(ctx); err != nil {
		return nil, fmt.Errorf("claims in state %s: %w", s, err)
	}
	// The page of claims is chosen first and only its claims are joined
	// with their versions: PostgreSQL, with statistics older than a
	// night's intake (a table it believes nearly empty), otherwise joins
	// every remaining claim before the sort and the LIMIT, a cost that
	// grows with the square of the claims waiting.
	where := "c.state = $1"
	if s == pipeline.StateHeld || s == pipeline.StateReady {
		// The predicate of the partial index claims_state, which holds
		// the claims waiting for the pipeline.
		where += " AND " + waitingStates
	}
	args := []any{string(s)}
	if after > 0 {
		args = append(args, after)
		where += " AND c.id > $2"
	}
	page := "claims c"
	if limit > 0 {
		page = "(SELECT * FROM claims c WHERE " + where + " ORDER BY c.id LIMIT $" + strconv.Itoa(len(args)+1) + ") c"
		args = append(args, int64(limit))
	}
	q := "SELECT " + claimCols + " FROM " + page + " JOIN claim_versions d ON d.claim_id = c.id AND d.version = c.version WHERE " +
		where + " ORDER BY c.id"
	cs, err := t.claims(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("claims in state %s: %w", s, err)
	}
	return cs, nil
}

// claims runs a claim query; the claims come without their lines (see
// withLines).
func (t *Tx) claims(ctx context.Context, q string, args ...any) ([]*pipeline.Claim, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.Claim
	var cs claimScan
	dest := cs.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		c, err := cs.claim()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// withLines loads the active lines of cs, in one query per 500 claims.
func (t *Tx) withLines(ctx context.Context, cs []*pipeline.Claim) error {
	byID := make(map[int64]*pipeline.Claim, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	chunk := t.c.Chunk()
	for start := 0; start < len(cs); start += chunk {
		end := min(start+chunk, len(cs))
		ids := make([]any, 0, end-start)
		for _, c := range cs[start:end] {
			ids = append(ids, c.ID)
		}
		if err := t.loadLines(ctx, ids, byID); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) loadLines(ctx context.Context, ids []any, byID map[int64]*pipeline.Claim) error {
	in, args := t.c.In("claim_id", 1, ids)
	q := "SELECT " + lineCols + " FROM claim_lines WHERE " + in + " AND active ORDER BY claim_id, line_no"
	if len(ids) == 1 {
		q, args = "SELECT "+lineCols+" FROM claim_lines WHERE claim_id = $1 AND active ORDER BY line_no", ids
	}
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("load lines: %w", err)
	}
	defer rows.Close()
	var ls lineScan
	dest := ls.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("load lines: %w", err)
		}
		l, err := ls.line()
		if err != nil {
			return fmt.Errorf("load lines: %w", err)
		}
		if c := byID[l.ClaimID]; c != nil {
			c.Lines = append(c.Lines, l)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load lines: %w", err)
	}
	return nil
}

// ReviseClaim implements pipeline.ClaimTx.
func (t *Tx) ReviseClaim(ctx context.Context, c *pipeline.Claim, v *pipeline.ClaimVersion, base int) error {
	if err := t.check(); err != nil {
		return err
	}
	if v.Version != base+1 {
		return fmt.Errorf("revise claim %d: version %d does not follow version %d", c.ID, v.Version, base)
	}
	v.ClaimID = c.ID
	row, err := t.newVersionRow(v)
	if err != nil {
		return fmt.Errorf("revise claim %d: %w", c.ID, err)
	}
	now := t.stamp(time.Time{})
	if err := t.flushVersions(ctx); err != nil {
		return fmt.Errorf("revise claim %d: %w", c.ID, err)
	}
	n, err := t.c.Exec(ctx, `UPDATE claims SET version = $2, kind = $3, payer_id = $4, payer_name = $5,
clearinghouse = $6, total_charge = $7, updated_at = $8, service_date = $10 WHERE id = $1 AND version = $9`,
		c.ID, int64(v.Version), string(c.Kind), c.PayerID, c.PayerName, c.Clearinghouse, int64(c.TotalCharge),
		t.c.Time(now), int64(base), dateArg(firstServiceDate(c.Lines)))
	if err != nil {
		return fmt.Errorf("revise claim %d: %w", c.ID, err)
	}
	if n == 0 {
		var cur int64
		err := t.queryRow(ctx, "SELECT version FROM claims WHERE id = $1", []any{c.ID}, &cur)
		switch {
		case errors.Is(err, errNoRows):
			return fmt.Errorf("revise claim %d: %w", c.ID, pipeline.ErrNotFound)
		case err != nil:
			return fmt.Errorf("revise claim %d: %w", c.ID, err)
		}
		return fmt.Errorf("revise claim %d: version %d was made meanwhile (expected version %d to be current): %w",
			c.ID, cur, base, pipeline.ErrConflict)
	}
	t.versions = append(t.versions, row)
	t.know(&t.knownClaims, c.ID)
	if err := t.reviseLines(ctx, c); err != nil {
		return t.fail(fmt.Errorf("revise claim %d: %w", c.ID, err))
	}
	c.Version, c.VersionKind, c.UpdatedAt = v.Version, v.Kind, now
	return nil
}

// reviseLines makes c.Lines the active lines of claim c: a control number
// the claim has keeps its line (updated in place), a new one makes a new
// line, and every other line of the claim stays, not active.
func (t *Tx) reviseLines(ctx context.Context, c *pipeline.Claim) error {
	seen := make(map[string]bool, len(c.Lines))
	for _, l := range c.Lines {
		if l.ControlNumber != "" && seen[l.ControlNumber] {
			return fmt.Errorf("line control number %q appears twice", l.ControlNumber)
		}
		seen[l.ControlNumber] = true
	}
	rows, err := t.c.Query(ctx, "SELECT control_number, id FROM claim_lines WHERE claim_id = $1", c.ID)
	if err != nil {
		return err
	}
	have := make(map[string]int64)
	for rows.Next() {
		var cn string
		var id int64
		if err := rows.Scan(&cn, &id); err != nil {
			rows.Close()
			return err
		}
		have[cn] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Every line leaves the active set first, so that line numbers can
	// move between lines without breaking their uniqueness.
	if _, err := t.c.Exec(ctx, "UPDATE claim_lines SET active = false WHERE claim_id = $1 AND active", c.ID); err != nil {
		return fmt.Errorf("deactivate lines: %w", err)
	}
	ids, err := t.lineIDs(ctx, c, have)
	if err != nil {
		return err
	}
	var fresh []pipeline.ClaimLine
	for i := range c.Lines {
		l := &c.Lines[i]
		l.ClaimID, l.Active = c.ID, true
		id, ok := have[l.ControlNumber]
		if !ok || l.ControlNumber == "" {
			l.ID = 0
			fresh = append(fresh, *l)
			continue
		}
		l.ID = id
		mods, err := jsonArg(l.Modifiers)
		if err != nil {
			return fmt.Errorf("line %d: %w", l.LineNo, err)
		}
		if _, err := t.c.Exec(ctx, `UPDATE claim_lines SET line_no = $2, proc_code = $3, modifiers = $4,
revenue_code = $5, charge = $6, units = $7, service_date = $8, active = true WHERE id = $1`,
			id, int64(l.LineNo), l.Procedure, mods, l.RevenueCode, int64(l.Charge), l.Units, dateArg(l.ServiceDate)); err != nil {
			return fmt.Errorf("update line %d: %w", l.LineNo, err)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	added := &pipeline.Claim{ID: c.ID, Lines: fresh}
	if err := t.insertLines(ctx, added, ids); err != nil {
		return err
	}
	k := 0
	for i := range c.Lines {
		if c.Lines[i].ID == 0 {
			c.Lines[i].ID = added.Lines[k].ID
			k++
		}
	}
	return nil
}

// Versions implements pipeline.ClaimTx.
func (t *Tx) Versions(ctx context.Context, claimID int64) ([]pipeline.ClaimVersion, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flushVersions(ctx); err != nil {
		return nil, fmt.Errorf("versions of claim %d: %w", claimID, err)
	}
	rows, err := t.c.Query(ctx, "SELECT "+versionCols+" FROM claim_versions WHERE claim_id = $1 ORDER BY version", claimID)
	if err != nil {
		return nil, fmt.Errorf("versions of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	var out []pipeline.ClaimVersion
	for rows.Next() {
		var v pipeline.ClaimVersion
		var version, charge int64
		var kind string
		if err := rows.Scan(&v.ClaimID, &version, &kind, &v.Frequency, &v.PayerClaimNumber, &charge,
			jsonDest{&v.Data}, jsonDest{&v.Changed}, &v.Actor, &v.Note, timeDest{&v.CreatedAt}); err != nil {
			return nil, fmt.Errorf("versions of claim %d: %w", claimID, err)
		}
		v.Version, v.Kind, v.TotalCharge = int(version), pipeline.VersionKind(kind), x12.Amount(charge)
		if len(v.Changed) == 0 {
			v.Changed = nil
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("versions of claim %d: %w", claimID, err)
	}
	return out, nil
}

// ClaimLines implements pipeline.ClaimTx.
func (t *Tx) ClaimLines(ctx context.Context, claimID int64) ([]pipeline.ClaimLine, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rows, err := t.c.Query(ctx, "SELECT "+lineCols+" FROM claim_lines WHERE claim_id = $1 ORDER BY id", claimID)
	if err != nil {
		return nil, fmt.Errorf("lines of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	var out []pipeline.ClaimLine
	var ls lineScan
	dest := ls.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("lines of claim %d: %w", claimID, err)
		}
		l, err := ls.line()
		if err != nil {
			return nil, fmt.Errorf("lines of claim %d: %w", claimID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lines of claim %d: %w", claimID, err)
	}
	return out, nil
}

// missingOrConflict explains a conditional update of a claim that
// changed no row: pipeline.ErrNotFound when the claim does not exist,
// pipeline.ErrConflict (with its current state) otherwise.
func (t *Tx) missingOrConflict(ctx context.Context, id int64, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	var state string
	var version int64
	err := t.queryRow(ctx, "SELECT state, version FROM claims WHERE id = $1", []any{id}, &state, &version)
	switch {
	case errors.Is(err, errNoRows):
		return fmt.Errorf("%s: %w", msg, pipeline.ErrNotFound)
	case err != nil:
		return fmt.Errorf("%s: %w", msg, err)
	}
	return fmt.Errorf("%s: claim is %s at version %d: %w", msg, state, version, pipeline.ErrConflict)
}

// MoveClaim implements pipeline.ClaimTx. The event is recorded with the
// claim ID, from and to given here; a zero ev.At is the clock's time, and
// becomes the claim's update time. A claim that does not exist returns
// pipeline.ErrNotFound.
func (t *Tx) MoveClaim(ctx context.Context, id int64, version int, from, to pipeline.ClaimState, ev pipeline.Event) error {
	if err := t.check(); err != nil {
		return err
	}
	if !pipeline.CanMove(from, to) {
		return &pipeline.TransitionError{ClaimID: id, From: from, To: to}
	}
	ev.ClaimID, ev.From, ev.To, ev.At = id, from, to, t.stamp(ev.At)
	n, err := t.c.Exec(ctx, "UPDATE claims SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2 AND ($5 = 0 OR version = $5)",
		id, string(from), string(to), t.c.Time(ev.At), int64(version))
	if err != nil {
		return fmt.Errorf("move claim %d %s -> %s: %w", id, from, to, err)
	}
	if n == 0 {
		return t.missingOrConflict(ctx, id, "move claim %d (version %d) %s -> %s", id, version, from, to)
	}
	t.know(&t.knownClaims, id)
	return t.queueEvent(ctx, ev)
}

// AddEvent implements pipeline.ClaimTx. ev.ClaimID must be set; a zero
// ev.At is the clock's time.
func (t *Tx) AddEvent(ctx context.Context, ev pipeline.Event) error {
	if err := t.check(); err != nil {
		return err
	}
	if ev.ClaimID == 0 {
		return errors.New("add event: no claim ID")
	}
	ev.At = t.stamp(ev.At)
	return t.queueEvent(ctx, ev)
}

func (t *Tx) queueEvent(ctx context.Context, ev pipeline.Event) error {
	ids, err := t.reserve(ctx, "claim_events", 1)
	if err != nil {
		return fmt.Errorf("add event to claim %d: %w", ev.ClaimID, err)
	}
	ev.ID = ids[0]
	t.events = append(t.events, ev)
	return nil
}

var tableEvents = &Table{Name: "claim_events", Cols: []string{
	"id", "claim_id", "submission_id", "at", "kind", "from_state", "to_state",
	"file_id", "set_control", "segment", "detail", "version", "actor"}}

type eventRows []pipeline.Event

func (r eventRows) Len() int { return len(r) }

func (r eventRows) WriteRow(i int, w RowWriter) {
	e := &r[i]
	w.Int(e.ID)
	w.Int(e.ClaimID)
	w.Int(e.SubmissionID)
	w.Time(e.At)
	w.Text(e.Kind)
	w.Text(string(e.From))
	w.Text(string(e.To))
	w.Int(e.FileID)
	w.Text(e.SetControl)
	w.Int(int64(e.Segment))
	w.Text(e.Detail)
	w.Int(int64(e.Version))
	w.Text(e.Actor)
}

// Events implements pipeline.ClaimTx.
func (t *Tx) Events(ctx context.Context, claimID int64) ([]pipeline.Event, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("events of claim %d: %w", claimID, err)
	}
	rows, err := t.c.Query(ctx, `SELECT id, claim_id, submission_id, at, kind, from_state, to_state,
file_id, set_control, segment, detail, version, actor FROM claim_events WHERE claim_id = $1 ORDER BY id`, claimID)
	if err != nil {
		return nil, fmt.Errorf("events of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	var out []pipeline.Event
	for rows.Next() {
		var e pipeline.Event
		var from, to string
		var seg, version int64
		if err := rows.Scan(&e.ID, &e.ClaimID, &e.SubmissionID, timeDest{&e.At}, &e.Kind, &from, &to,
			&e.FileID, &e.SetControl, &seg, &e.Detail, &version, &e.Actor); err != nil {
			return nil, fmt.Errorf("events of claim %d: %w", claimID, err)
		}
		e.From, e.To, e.Segment, e.Version = pipeline.ClaimState(from), pipeline.ClaimState(to), int(seg), int(version)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of claim %d: %w", claimID, err)
	}
	return out, nil
}

// SetClaimRefs implements pipeline.ClaimTx. It returns
// pipeline.ErrNotFound when there is no such claim.
func (t *Tx) SetClaimRefs(ctx context.Context, id int64, pcn string, submissions int, firstSubmitted time.Time) error {
	if err := t.check(); err != nil {
		return err
	}
	n, err := t.c.Exec(ctx, `UPDATE claims SET pcn = $2, submissions = $3,
first_submitted_at = COALESCE(first_submitted_at, $4), updated_at = $5 WHERE id = $1`,
		id, pcn, int64(submissions), t.c.Time(NormTime(firstSubmitted)), t.c.Time(t.stamp(time.Time{})))
	if err != nil {
		return fmt.Errorf("set refs of claim %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("set refs of claim %d: %w", id, pipeline.ErrNotFound)
	}
	return nil
}

// ForgetPayerClaimNumber implements pipeline.ClaimTx. It returns
// pipeline.ErrNotFound when there is no such claim.
func (t *Tx) ForgetPayerClaimNumber(ctx context.Context, id int64, source string) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	n, err := t.c.Exec(ctx, `UPDATE claims SET payer_claim_number = '', payer_claim_source = '', updated_at = $3
WHERE id = $1 AND payer_claim_source = $2 AND payer_claim_number <> ''`, id, source, t.c.Time(t.stamp(time.Time{})))
	if err != nil {
		return false, fmt.Errorf("forget payer claim number of claim %d: %w", id, err)
	}
	if n > 0 {
		return true, nil
	}
	if ok, err := t.exists(ctx, "claims", id); err != nil {
		return false, fmt.Errorf("forget payer claim number of claim %d: %w", id, err)
	} else if !ok {
		return false, fmt.Errorf("forget payer claim number of claim %d: %w", id, pipeline.ErrNotFound)
	}
	return false, nil
}

// SetPayerClaimNumber implements pipeline.ClaimTx. An empty number
// changes nothing; a source other than "835" and "277ca" is an error.
func (t *Tx) SetPayerClaimNumber(ctx context.Context, id int64, number, source string) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	if number == "" {
		return false, nil
	}
	cond := ""
	switch source {
	case "835":
	case "277ca":
		cond = " AND payer_claim_source <> '835'"
	default:
		return false, fmt.Errorf("set payer claim number of claim %d: unknown source %q", id, source)
	}
	n, err := t.c.Exec(ctx, `UPDATE claims SET payer_claim_number = $2, payer_claim_source = $3, updated_at = $4
WHERE id = $1 AND (payer_claim_number <> $2 OR payer_claim_source <> $3)`+cond,
		id, number, source, t.c.Time(t.stamp(time.Time{})))
	if err != nil {
		return false, fmt.Errorf("set payer claim number of claim %d: %w", id, err)
	}
	if n > 0 {
		return true, nil
	}
	if ok, err := t.exists(ctx, "claims", id); err != nil {
		return false, fmt.Errorf("set payer claim number of claim %d: %w", id, err)
	} else if !ok {
		return false, fmt.Errorf("set payer claim number of claim %d: %w", id, pipeline.ErrNotFound)
	}
	return false, nil
}

const submissionCols = "id, claim_id, version, pcn, frequency, batch_id, set_control, seg_from, seg_to, created_at"

// CreateSubmission implements pipeline.ClaimTx. A PCN already used
// returns an error wrapping pipeline.ErrConflict; a zero CreatedAt is the
// clock's time.
func (t *Tx) CreateSubmission(ctx context.Context, s *pipeline.Submission) error {
	if err := t.check(); err != nil {
		return err
	}
	s.CreatedAt = t.stamp(s.CreatedAt)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO submissions (claim_id, version, pcn, frequency, batch_id,
set_control, seg_from, seg_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (pcn) DO NOTHING RETURNING id`,
		[]any{s.ClaimID, int64(s.Version), s.PCN, s.Frequency, s.BatchID, s.SetControl,
			int64(s.SegFrom), int64(s.SegTo), t.c.Time(s.CreatedAt)}, &id)
	switch {
	case errors.Is(err, errNoRows):
		return fmt.Errorf("create submission of claim %d: PCN %q already used: %w", s.ClaimID, s.PCN, pipeline.ErrConflict)
	case err != nil:
		return fmt.Errorf("create submission of claim %d: %w", s.ClaimID, err)
	}
	s.ID = id
	return nil
}

// tableSubmissions is the submissions table, for inserting in bulk.
var tableSubmissions = &Table{Name: "submissions", Cols: []string{
	"id", "claim_id", "version", "pcn", "frequency", "batch_id", "set_control", "seg_from", "seg_to", "created_at"}}

type submissionRows []*pipeline.Submission

func (r submissionRows) Len() int { return len(r) }

func (r submissionRows) WriteRow(i int, w RowWriter) {
	s := r[i]
	w.Int(s.ID)
	w.Int(s.ClaimID)
	w.Int(int64(s.Version))
	w.Text(s.PCN)
	w.Text(s.Frequency)
	w.Int(s.BatchID)
	w.Text(s.SetControl)
	w.Int(int64(s.SegFrom))
	w.Int(int64(s.SegTo))
	w.Time(s.CreatedAt)
}

// CreateSubmissions implements pipeline.ClaimTx: one bulk insert. A PCN
// already used returns an error wrapping pipeline.ErrConflict, and the
// transaction must end. A claim that does not exist fails the
// transaction with an error wrapping pipeline.ErrNotFound: SQLite's
// foreign key at once; on PostgreSQL, which has none there (its
// migration 0016), the check of the deferred rows' claims before commit
// (checkRefs), which reads only the claims the transaction has not
// created, read or moved by then (the build moves them after).
func (t *Tx) CreateSubmissions(ctx context.Context, ss []*pipeline.Submission) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(ss) == 0 {
		return nil
	}
	for _, s := range ss {
		if !t.knownClaims[s.ClaimID] {
			t.unchecked = append(t.unchecked, s.ClaimID)
		}
	}
	ids, err := t.c.ReserveIDs(ctx, "submissions", len(ss))
	if err != nil {
		return t.fail(fmt.Errorf("create submissions: %w", err))
	}
	for i, s := range ss {
		s.ID = ids[i]
		s.CreatedAt = NormTime(t.stamp(s.CreatedAt))
	}
	if err := t.c.Insert(ctx, tableSubmissions, submissionRows(ss)); err != nil {
		if t.c.IsUniqueViolation(err) {
			return t.fail(fmt.Errorf("create submissions: a PCN is already used: %w: %w", pipeline.ErrConflict, err))
		}
		if t.c.IsForeignKeyViolation(err) {
			return t.fail(fmt.Errorf("create submissions: a claim does not exist: %w: %w", pipeline.ErrNotFound, err))
		}
		return t.fail(fmt.Errorf("create submissions: %w", err))
	}
	return nil
}

func (t *Tx) submissions(ctx context.Context, q string, args ...any) ([]*pipeline.Submission, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.Submission
	for rows.Next() {
		var s pipeline.Submission
		var version, from, to int64
		if err := rows.Scan(&s.ID, &s.ClaimID, &version, &s.PCN, &s.Frequency, &s.BatchID, &s.SetControl,
			&from, &to, timeDest{&s.CreatedAt}); err != nil {
			return nil, err
		}
		s.Version, s.SegFrom, s.SegTo = int(version), int(from), int(to)
		out = append(out, &s)
	}
	return out, rows.Err()
}

// SubmissionByPCN implements pipeline.ClaimTx.
func (t *Tx) SubmissionByPCN(ctx context.Context, pcn string) (*pipeline.Submission, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	ss, err := t.submissions(ctx, "SELECT "+submissionCols+" FROM submissions WHERE pcn = $1", pcn)
	if err != nil {
		return nil, fmt.Errorf("submission by PCN: %w", err)
	}
	if len(ss) == 0 {
		return nil, fmt.Errorf("submission by PCN %q: %w", pcn, pipeline.ErrNotFound)
	}
	return ss[0], nil
}

// SubmissionsInBatch implements pipeline.ClaimTx, in ID order.
func (t *Tx) SubmissionsInBatch(ctx context.Context, batchID int64, setControl string) ([]*pipeline.Submission, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + submissionCols + " FROM submissions WHERE batch_id = $1"
	args := []any{batchID}
	if setControl != "" {
		q += " AND set_control = $2"
		args = append(args, setControl)
	}
	ss, err := t.submissions(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("submissions in batch %d: %w", batchID, err)
	}
	return ss, nil
}

// Submissions implements pipeline.ClaimTx.
func (t *Tx) Submissions(ctx context.Context, claimID int64) ([]*pipeline.Submission, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	ss, err := t.submissions(ctx, "SELECT "+submissionCols+" FROM submissions WHERE claim_id = $1 ORDER BY id", claimID)
	if err != nil {
		return nil, fmt.Errorf("submissions of claim %d: %w", claimID, err)
	}
	return ss, nil
}
