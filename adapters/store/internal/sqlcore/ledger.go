package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

const remitCols = `id, inbound_file_id, file_set, set_control, payer_id, payer_name, trace, payment_date, amount,
method, state, reason, created_at, progress`

// CreateRemittance implements pipeline.LedgerTx. On insert it sets r.ID
// and fills a zero CreatedAt from the clock; when a posted remittance
// or posting with the same key exists (and r is posted or posting) it
// returns false and leaves r unchanged.
func (t *Tx) CreateRemittance(ctx context.Context, r *pipeline.Remittance) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	created := t.stamp(r.CreatedAt)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO remittances (inbound_file_id, file_set, set_control, payer_id, payer_name,
trace, payment_date, amount, method, state, reason, created_at, progress)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (payer_id, trace, payment_date, amount) WHERE state IN ('posted', 'posting') DO NOTHING RETURNING id`,
		[]any{r.InboundFileID, int64(r.FileSet), r.SetControl, r.PayerID, r.PayerName, r.Trace, dateArg(r.PaymentDate),
			int64(r.Amount), r.Method, string(r.State), r.Reason, t.c.Time(created), int64(r.Progress)}, &id)
	switch {
	case errors.Is(err, errNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("create remittance (set %s): %w", r.SetControl, err)
	}
	r.ID, r.CreatedAt = id, created
	t.know(&t.knownRemits, id)
	return true, nil
}

// FindRemittance implements pipeline.LedgerTx.
func (t *Tx) FindRemittance(ctx context.Context, k pipeline.RemitKey) (*pipeline.Remittance, error) {
	r, err := t.remittance(ctx, "payer_id = $1 AND trace = $2 AND payment_date = $3 AND amount = $4 AND state IN ('posted', 'posting')",
		k.PayerID, k.Trace, dateArg(k.PaymentDate), int64(k.Amount))
	if err != nil {
		return nil, notFound(err, "find remittance (trace %s)", k.Trace)
	}
	return r, nil
}

// UnappliedTotals implements pipeline.LedgerTx.
func (t *Tx) UnappliedTotals(ctx context.Context, remittanceID int64) (int, x12.Amount, error) {
	if err := t.check(); err != nil {
		return 0, 0, err
	}
	var n, sum int64
	err := t.queryRow(ctx, "SELECT COUNT(*), CAST(COALESCE(SUM(paid), 0) AS BIGINT) FROM unapplied_payments WHERE remittance_id = $1",
		[]any{remittanceID}, &n, &sum)
	if err != nil {
		return 0, 0, fmt.Errorf("unapplied totals of remittance %d: %w", remittanceID, err)
	}
	return int(n), x12.Amount(sum), nil
}

// UpdateRemittance implements pipeline.LedgerTx.
func (t *Tx) UpdateRemittance(ctx context.Context, r *pipeline.Remittance, from int) error {
	if err := t.check(); err != nil {
		return err
	}
	n, err := t.c.Exec(ctx, "UPDATE remittances SET state = $2, reason = $3, progress = $4 WHERE id = $1 AND progress = $5",
		r.ID, string(r.State), r.Reason, int64(r.Progress), int64(from))
	if err != nil {
		return fmt.Errorf("update remittance %d: %w", r.ID, err)
	}
	if n == 1 {
		return nil
	}
	if _, err := t.remittance(ctx, "id = $1", r.ID); err != nil {
		return notFound(err, "update remittance %d", r.ID)
	}
	return fmt.Errorf("update remittance %d: its progress is no longer %d: %w", r.ID, from, pipeline.ErrConflict)
}

// RemittanceInFile implements pipeline.LedgerTx.
func (t *Tx) RemittanceInFile(ctx context.Context, fileID int64, set int) (*pipeline.Remittance, error) {
	r, err := t.remittance(ctx, "inbound_file_id = $1 AND file_set = $2", fileID, int64(set))
	if err != nil {
		return nil, notFound(err, "remittance of file %d set %d", fileID, set)
	}
	return r, nil
}

// GetRemittance implements pipeline.LedgerTx.
func (t *Tx) GetRemittance(ctx context.Context, id int64) (*pipeline.Remittance, error) {
	r, err := t.remittance(ctx, "id = $1", id)
	if err != nil {
		return nil, notFound(err, "get remittance %d", id)
	}
	return r, nil
}

// Remittances implements pipeline.LedgerTx. A limit of zero or less
// means no limit.
func (t *Tx) Remittances(ctx context.Context, limit int) ([]*pipeline.Remittance, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + remitCols + " FROM remittances ORDER BY id DESC"
	var args []any
	if limit > 0 {
		q += " LIMIT $1"
		args = append(args, int64(limit))
	}
	rs, err := t.remittances(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("remittances: %w", err)
	}
	return rs, nil
}

// remittance reads the first remittance matching where.
func (t *Tx) remittance(ctx context.Context, where string, args ...any) (*pipeline.Remittance, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rs, err := t.remittances(ctx, "SELECT "+remitCols+" FROM remittances WHERE "+where+" ORDER BY id LIMIT 1", args...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, errNoRows
	}
	return rs[0], nil
}

func (t *Tx) remittances(ctx context.Context, q string, args ...any) ([]*pipeline.Remittance, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.Remittance
	for rows.Next() {
		var r pipeline.Remittance
		var set, amount, progress int64
		var state string
		if err := rows.Scan(&r.ID, &r.InboundFileID, &set, &r.SetControl, &r.PayerID, &r.PayerName, &r.Trace,
			dateDest{&r.PaymentDate}, &amount, &r.Method, &state, &r.Reason, timeDest{&r.CreatedAt}, &progress); err != nil {
			return nil, err
		}
		r.FileSet, r.Amount, r.State, r.Progress = int(set), x12.Amount(amount), pipeline.RemitState(state), int(progress)
		t.know(&t.knownRemits, r.ID)
		out = append(out, &r)
	}
	return out, rows.Err()
}

const unappliedCols = `id, remittance_id, ordinal, segment, pcn, status, payer_claim_number, charge, paid,
patient_resp, claim, reason, created_at, applied_claim_id, applied_at, applied_by`

// AddUnapplied implements pipeline.LedgerTx. A zero CreatedAt is the
// clock's time.
func (t *Tx) AddUnapplied(ctx context.Context, u *pipeline.UnappliedPayment) error {
	if err := t.check(); err != nil {
		return err
	}
	clp, err := jsonArg(u.Claim)
	if err != nil {
		return fmt.Errorf("add unapplied payment: %w", err)
	}
	u.CreatedAt = t.stamp(u.CreatedAt)
	var id int64
	err = t.queryRow(ctx, `INSERT INTO unapplied_payments (remittance_id, ordinal, segment, pcn, status,
payer_claim_number, charge, paid, patient_resp, claim, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		[]any{u.RemittanceID, int64(u.Ordinal), int64(u.Segment), u.PCN, u.Status, u.PayerClaimNumber, int64(u.Charge),
			int64(u.Paid), int64(u.PatientResp), clp, u.Reason, t.c.Time(u.CreatedAt)}, &id)
	if err != nil {
		return fmt.Errorf("add unapplied payment (remittance %d, CLP %d): %w", u.RemittanceID, u.Ordinal, err)
	}
	u.ID = id
	return nil
}

// unappliedInsertRows bounds the rows of one multi-row INSERT into
// unapplied_payments (12 parameters a row).
const unappliedInsertRows = 500

// AddUnappliedPayments implements pipeline.LedgerTx: AddUnapplied for
// each payment, in one multi-row INSERT per unappliedInsertRows. The IDs
// come back by remittance and ordinal, which must be distinct: otherwise
// it returns an error and adds nothing.
func (t *Tx) AddUnappliedPayments(ctx context.Context, us []*pipeline.UnappliedPayment) error {
	if err := t.check(); err != nil {
		return err
	}
	type key struct {
		remittance int64
		ordinal    int
	}
	clps := make([]string, len(us))
	seen := make(map[key]bool, len(us))
	for i, u := range us {
		k := key{u.RemittanceID, u.Ordinal}
		if seen[k] {
			return fmt.Errorf("add unapplied payments: CLP %d of remittance %d appears twice", u.Ordinal, u.RemittanceID)
		}
		seen[k] = true
		clp, err := jsonArg(u.Claim)
		if err != nil {
			return fmt.Errorf("add unapplied payments: %w", err)
		}
		clps[i] = clp
	}
	for start := 0; start < len(us); start += unappliedInsertRows {
		end := min(start+unappliedInsertRows, len(us))
		var b strings.Builder
		b.WriteString(`INSERT INTO unapplied_payments (remittance_id, ordinal, segment, pcn, status,
payer_claim_number, charge, paid, patient_resp, claim, reason, created_at) VALUES `)
		args := make([]any, 0, 12*(end-start))
		byKey := make(map[key]*pipeline.UnappliedPayment, end-start)
		for i, u := range us[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args)+1, 12) + ")")
			u.CreatedAt = t.stamp(u.CreatedAt)
			args = append(args, u.RemittanceID, int64(u.Ordinal), int64(u.Segment), u.PCN, u.Status, u.PayerClaimNumber, int64(u.Charge),
				int64(u.Paid), int64(u.PatientResp), clps[start+i], u.Reason, t.c.Time(u.CreatedAt))
			byKey[key{u.RemittanceID, u.Ordinal}] = u
		}
		b.WriteString(" RETURNING id, remittance_id, ordinal")
		if err := t.scanUnappliedIDs(ctx, b.String(), args, func(id, remittance, ordinal int64) error {
			u := byKey[key{remittance, int(ordinal)}]
			if u == nil {
				return fmt.Errorf("inserted CLP %d of remittance %d, which was not asked for", ordinal, remittance)
			}
			u.ID = id
			return nil
		}); err != nil {
			return t.fail(fmt.Errorf("add unapplied payments: %w", err))
		}
	}
	return nil
}

// scanUnappliedIDs runs an INSERT … RETURNING id, remittance_id,
// ordinal and passes each row to set.
func (t *Tx) scanUnappliedIDs(ctx context.Context, q string, args []any, set func(id, remittance, ordinal int64) error) error {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, remittance, ordinal int64
		if err := rows.Scan(&id, &remittance, &ordinal); err != nil {
			return err
		}
		if err := set(id, remittance, ordinal); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UnappliedPayments implements pipeline.LedgerTx.
func (t *Tx) UnappliedPayments(ctx context.Context, remittanceID int64, openOnly bool) ([]*pipeline.UnappliedPayment, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + unappliedCols + " FROM unapplied_payments WHERE 1 = 1"
	var args []any
	if remittanceID != 0 {
		args = append(args, remittanceID)
		q += " AND remittance_id = $1"
	}
	if openOnly {
		q += " AND applied_claim_id = 0"
	}
	rows, err := t.c.Query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("unapplied payments: %w", err)
	}
	defer rows.Close()
	var out []*pipeline.UnappliedPayment
	for rows.Next() {
		var u pipeline.UnappliedPayment
		var ordinal, segment, charge, paid, pr int64
		if err := rows.Scan(&u.ID, &u.RemittanceID, &ordinal, &segment, &u.PCN, &u.Status, &u.PayerClaimNumber,
			&charge, &paid, &pr, jsonDest{&u.Claim}, &u.Reason, timeDest{&u.CreatedAt}, &u.AppliedClaimID,
			timeDest{&u.AppliedAt}, &u.AppliedBy); err != nil {
			return nil, fmt.Errorf("unapplied payments: %w", err)
		}
		u.Ordinal, u.Segment = int(ordinal), int(segment)
		u.Charge, u.Paid, u.PatientResp = x12.Amount(charge), x12.Amount(paid), x12.Amount(pr)
		out = append(out, &u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unapplied payments: %w", err)
	}
	return out, nil
}

// MarkApplied implements pipeline.LedgerTx.
func (t *Tx) MarkApplied(ctx context.Context, id, claimID int64, actor string) error {
	if err := t.check(); err != nil {
		return err
	}
	if claimID == 0 {
		return fmt.Errorf("mark unapplied payment %d applied: no claim", id)
	}
	n, err := t.c.Exec(ctx, `UPDATE unapplied_payments SET applied_claim_id = $2, applied_at = $3, applied_by = $4
WHERE id = $1 AND applied_claim_id = 0`, id, claimID, t.c.Time(t.stamp(time.Time{})), actor)
	if err != nil {
		return fmt.Errorf("mark unapplied payment %d applied: %w", id, err)
	}
	if n > 0 {
		return nil
	}
	ok, err := t.exists(ctx, "unapplied_payments", id)
	switch {
	case err != nil:
		return fmt.Errorf("mark unapplied payment %d applied: %w", id, err)
	case !ok:
		return fmt.Errorf("unapplied payment %d: %w", id, pipeline.ErrNotFound)
	}
	return fmt.Errorf("unapplied payment %d was already applied: %w", id, pipeline.ErrConflict)
}

var tablePayments = &Table{Name: "claim_payments", Cols: []string{
	"id", "remittance_id", "claim_id", "submission_id", "ordinal", "status", "charge", "paid",
	"patient_resp", "payer_claim_number", "outcome", "reversed_by"}}

type paymentRows []pipeline.ClaimPayment

func (r paymentRows) Len() int { return len(r) }

func (r paymentRows) WriteRow(i int, w RowWriter) {
	p := &r[i]
	w.Int(p.ID)
	w.Int(p.RemittanceID)
	w.Int(p.ClaimID)
	w.Int(p.SubmissionID)
	w.Int(int64(p.Ordinal))
	w.Text(p.Status)
	w.Int(int64(p.Charge))
	w.Int(int64(p.Paid))
	w.Int(int64(p.PatientResp))
	w.Text(p.PayerClaimNumber)
	w.Text(string(p.Outcome))
	w.Int(p.ReversedBy)
}

// AddClaimPayment implements pipeline.LedgerTx. The row is written with
// the transaction's other deferred rows (see the package documentation).
func (t *Tx) AddClaimPayment(ctx context.Context, p *pipeline.ClaimPayment) error {
	if err := t.check(); err != nil {
		return err
	}
	ids, err := t.reserve(ctx, "claim_payments", 1)
	if err != nil {
		return fmt.Errorf("add payment to claim %d: %w", p.ClaimID, err)
	}
	p.ID = ids[0]
	t.payments = append(t.payments, *p)
	return nil
}

// ClaimPayments implements pipeline.LedgerTx.
func (t *Tx) ClaimPayments(ctx context.Context, claimID int64) ([]*pipeline.ClaimPayment, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out, err := t.claimPayments(ctx, "claim_id", claimID)
	if err != nil {
		return nil, fmt.Errorf("payments of claim %d: %w", claimID, err)
	}
	return out, nil
}

// RemittancePayments implements pipeline.LedgerTx.
func (t *Tx) RemittancePayments(ctx context.Context, remittanceID int64) ([]*pipeline.ClaimPayment, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out, err := t.claimPayments(ctx, "remittance_id", remittanceID)
	if err != nil {
		return nil, fmt.Errorf("payments of remittance %d: %w", remittanceID, err)
	}
	return out, nil
}

// ClaimPaymentsOf implements pipeline.LedgerTx: ClaimPayments for many
// claims, in one query per Chunk of IDs.
func (t *Tx) ClaimPaymentsOf(ctx context.Context, claimIDs []int64) (map[int64][]*pipeline.ClaimPayment, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make(map[int64][]*pipeline.ClaimPayment, len(claimIDs))
	for _, id := range claimIDs {
		out[id] = nil
	}
	if len(claimIDs) == 0 {
		return out, nil
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("payments of %d claims: %w", len(claimIDs), err)
	}
	ids := anys(claimIDs)
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		in, args := t.c.In("claim_id", 1, ids[start:min(start+chunk, len(ids))])
		ps, err := t.scanPayments(ctx, "SELECT "+paymentCols+" FROM claim_payments WHERE "+in+" ORDER BY id", args...)
		if err != nil {
			return nil, fmt.Errorf("payments of %d claims: %w", len(claimIDs), err)
		}
		for _, p := range ps {
			out[p.ClaimID] = append(out[p.ClaimID], p)
		}
	}
	return out, nil
}

// MarkPaymentsReversed implements pipeline.LedgerTx: MarkReversed for
// each payment of reversedBy, in two statements per Chunk of them. It
// reads them first: when one does not exist (pipeline.ErrNotFound) or
// was reversed by another payment (pipeline.ErrConflict), it marks none
// and the transaction may go on. The update then checks again, as
// MarkReversed does; a payment changed meanwhile (by another
// transaction, on PostgreSQL) fails the transaction with
// pipeline.ErrConflict.
func (t *Tx) MarkPaymentsReversed(ctx context.Context, reversedBy map[int64]int64) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(reversedBy) == 0 {
		return nil
	}
	if err := t.flush(ctx); err != nil {
		return fmt.Errorf("mark payments reversed: %w", err)
	}
	ids := make([]int64, 0, len(reversedBy))
	for id := range reversedBy {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		if err := t.checkReversible(ctx, ids[start:min(start+chunk, len(ids))], reversedBy); err != nil {
			return err
		}
	}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		revs := make([]int64, len(part))
		for i, id := range part {
			revs[i] = reversedBy[id]
		}
		from, args := t.c.Values(1, []string{"id", "rev"}, []any{part, revs})
		n, err := t.c.Exec(ctx, "UPDATE claim_payments SET reversed_by = v.rev FROM "+from+
			" WHERE claim_payments.id = v.id AND (claim_payments.reversed_by = 0 OR claim_payments.reversed_by = v.rev)", args...)
		if err != nil {
			return t.fail(fmt.Errorf("mark payments reversed: %w", err))
		}
		if int(n) != len(part) {
			return t.fail(fmt.Errorf("mark payments reversed: %d of %d payments changed meanwhile: %w", len(part)-int(n), len(part), pipeline.ErrConflict))
		}
	}
	return nil
}

// checkReversible fails unless every payment of ids exists and is not
// reversed by another payment than reversedBy gives.
func (t *Tx) checkReversible(ctx context.Context, ids []int64, reversedBy map[int64]int64) error {
	in, args := t.c.In("id", 1, anys(ids))
	rows, err := t.c.Query(ctx, "SELECT id, reversed_by FROM claim_payments WHERE "+in, args...)
	if err != nil {
		return fmt.Errorf("mark payments reversed: %w", err)
	}
	found := make(map[int64]int64, len(ids))
	for rows.Next() {
		var id, by int64
		if err := rows.Scan(&id, &by); err != nil {
			rows.Close()
			return fmt.Errorf("mark payments reversed: %w", err)
		}
		found[id] = by
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mark payments reversed: %w", err)
	}
	for _, id := range ids {
		by, ok := found[id]
		switch {
		case !ok:
			return fmt.Errorf("mark payment %d reversed: %w", id, pipeline.ErrNotFound)
		case by != 0 && by != reversedBy[id]:
			return fmt.Errorf("mark payment %d reversed by %d: already reversed: %w", id, reversedBy[id], pipeline.ErrConflict)
		}
	}
	return nil
}

// paymentCols are the claim_payments columns scanPayments reads.
const paymentCols = `id, remittance_id, claim_id, submission_id, ordinal, status, charge,
paid, patient_resp, payer_claim_number, outcome, reversed_by`

// claimPayments reads the payments whose column col is id, in ID order.
func (t *Tx) claimPayments(ctx context.Context, col string, id int64) ([]*pipeline.ClaimPayment, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.scanPayments(ctx, "SELECT "+paymentCols+" FROM claim_payments WHERE "+col+" = $1 ORDER BY id", id)
}

// scanPayments runs a query of paymentCols and returns its payments.
func (t *Tx) scanPayments(ctx context.Context, q string, args ...any) ([]*pipeline.ClaimPayment, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.ClaimPayment
	for rows.Next() {
		var p pipeline.ClaimPayment
		var ordinal, charge, paid, pr int64
		var outcome string
		if err := rows.Scan(&p.ID, &p.RemittanceID, &p.ClaimID, &p.SubmissionID, &ordinal, &p.Status, &charge,
			&paid, &pr, &p.PayerClaimNumber, &outcome, &p.ReversedBy); err != nil {
			return nil, err
		}
		p.Ordinal, p.Charge, p.Paid, p.PatientResp = int(ordinal), x12.Amount(charge), x12.Amount(paid), x12.Amount(pr)
		p.Outcome = pipeline.ClaimState(outcome)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// MarkReversed implements pipeline.LedgerTx. It returns
// pipeline.ErrNotFound when there is no payment id, and an error wrapping
// pipeline.ErrConflict when it was already reversed by another payment.
func (t *Tx) MarkReversed(ctx context.Context, id, reversal int64) error {
	if err := t.check(); err != nil {
		return err
	}
	if err := t.flush(ctx); err != nil {
		return fmt.Errorf("mark payment %d reversed: %w", id, err)
	}
	n, err := t.c.Exec(ctx, "UPDATE claim_payments SET reversed_by = $2 WHERE id = $1 AND (reversed_by = 0 OR reversed_by = $2)", id, reversal)
	if err != nil {
		return fmt.Errorf("mark payment %d reversed: %w", id, err)
	}
	if n > 0 {
		return nil
	}
	ok, err := t.exists(ctx, "claim_payments", id)
	switch {
	case err != nil:
		return fmt.Errorf("mark payment %d reversed: %w", id, err)
	case !ok:
		return fmt.Errorf("mark payment %d reversed: %w", id, pipeline.ErrNotFound)
	}
	return fmt.Errorf("mark payment %d reversed by %d: already reversed: %w", id, reversal, pipeline.ErrConflict)
}

var tableEntries = &Table{Name: "ledger_entries", Cols: []string{
	"id", "claim_id", "line_id", "remittance_id", "claim_payment_id", "kind", "charge", "payment",
	"adjustment", "patient_resp", "patient_payment", "write_off", "cas", "reversal", "at", "memo"}}

// entryCols are tableEntries' columns, for reading.
const entryCols = `id, claim_id, line_id, remittance_id, claim_payment_id, kind, charge, payment,
adjustment, patient_resp, patient_payment, write_off, cas, reversal, at, memo`

// ledgerRow is a ledger entry as stored: its CAS adjustments encoded and
// summed into the adjustment and patient_resp columns, which balances
// add up.
type ledgerRow struct {
	e                   pipeline.LedgerEntry
	cas                 string
	adjusted, patientPR x12.Amount
}

type entryRows []ledgerRow

func (r entryRows) Len() int { return len(r) }

func (r entryRows) WriteRow(i int, w RowWriter) {
	lr := &r[i]
	e := &lr.e
	w.Int(e.ID)
	w.Int(e.ClaimID)
	w.Int(e.LineID)
	w.Int(e.RemittanceID)
	w.Int(e.ClaimPayment)
	w.Text(string(e.Kind))
	w.Int(int64(e.Charge))
	w.Int(int64(e.Payment))
	w.Int(int64(lr.adjusted))
	w.Int(int64(lr.patientPR))
	w.Int(int64(e.PatientPayment))
	w.Int(int64(e.WriteOff))
	w.Text(lr.cas)
	w.Bool(e.Reversal)
	w.Time(e.At)
	w.Text(e.Memo)
}

// checkEntry enforces that an entry only moves the legs of its kind.
func checkEntry(e *pipeline.LedgerEntry) error {
	other := func(legs ...x12.Amount) bool {
		for _, l := range legs {
			if l != 0 {
				return true
			}
		}
		return false
	}
	switch e.Kind {
	case pipeline.EntryCharge:
		if other(e.Payment, e.PatientPayment, e.WriteOff) || len(e.Adjustments) > 0 {
			return errors.New("a charge entry has only a charge")
		}
	case pipeline.EntryInsurance:
		if other(e.Charge, e.PatientPayment, e.WriteOff) {
			return errors.New("an insurance entry has only a payment and adjustments")
		}
	case pipeline.EntryPatientPayment:
		if other(e.Charge, e.Payment, e.WriteOff) || len(e.Adjustments) > 0 {
			return errors.New("a patient payment entry has only a patient payment")
		}
	case pipeline.EntryWriteOff:
		if other(e.Charge, e.Payment, e.PatientPayment) || len(e.Adjustments) > 0 {
			return errors.New("a write-off entry has only a write-off")
		}
	default:
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
	return nil
}

// AddEntries implements pipeline.LedgerTx. It sets the IDs in es and
// fills zero times from the clock; the rows are written with the
// transaction's other deferred rows (see the package documentation). An
// entry that moves legs other than its kind's, or whose CAS codes cannot
// be stored, is refused and nothing is added.
func (t *Tx) AddEntries(ctx context.Context, es []pipeline.LedgerEntry) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(es) == 0 {
		return nil
	}
	// Rows are built in place; on a refused entry the ones built so far
	// are dropped.
	base := len(t.entries)
	t.entries = slices.Grow(t.entries, len(es))
	for i := range es {
		e := &es[i]
		err := checkEntry(e)
		if e.ClaimID == 0 {
			err = errors.New("no claim ID")
		}
		var cas string
		if err == nil {
			cas, err = encodeCAS(e.Adjustments)
		}
		if err != nil {
			t.entries = t.entries[:base]
			return fmt.Errorf("add ledger entries: entry %d (claim %d): %w", i, e.ClaimID, err)
		}
		t.entries = append(t.entries, ledgerRow{cas: cas, adjusted: e.Adjusted(), patientPR: e.PatientResp()})
	}
	ids, err := t.reserve(ctx, "ledger_entries", len(es))
	if err != nil {
		t.entries = t.entries[:base]
		return fmt.Errorf("add ledger entries: %w", err)
	}
	rows := t.entries[base:]
	for i := range es {
		es[i].ID = ids[i]
		es[i].At = t.stamp(es[i].At)
		rows[i].e = es[i]
	}
	return nil
}

// Entries implements pipeline.LedgerTx.
func (t *Tx) Entries(ctx context.Context, claimID int64) ([]pipeline.LedgerEntry, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
	}
	rows, err := t.c.Query(ctx, "SELECT "+entryCols+" FROM ledger_entries WHERE claim_id = $1 ORDER BY id", claimID)
	if err != nil {
		return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	var out []pipeline.LedgerEntry
	for rows.Next() {
		var e pipeline.LedgerEntry
		var kind, cas string
		var v [6]int64
		if err := rows.Scan(&e.ID, &e.ClaimID, &e.LineID, &e.RemittanceID, &e.ClaimPayment, &kind,
			&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &cas, &e.Reversal, timeDest{&e.At}, &e.Memo); err != nil {
			return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
		}
		e.Kind = pipeline.EntryKind(kind)
		e.Charge, e.Payment, e.PatientPayment, e.WriteOff = x12.Amount(v[0]), x12.Amount(v[1]), x12.Amount(v[4]), x12.Amount(v[5])
		if e.Adjustments, err = decodeCAS(cas); err != nil {
			return nil, fmt.Errorf("ledger entry %d: %w", e.ID, err)
		}
		if e.Adjusted() != x12.Amount(v[2]) || e.PatientResp() != x12.Amount(v[3]) {
			return nil, fmt.Errorf("ledger entry %d: adjustments %q do not add up to the stored %d and %d", e.ID, cas, v[2], v[3])
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
	}
	return out, nil
}

// encodeCAS writes adjustments as the cas column stores them:
// "GROUP-REASON:CENTS" joined by ";", e.g. "CO-45:1500;PR-2:500".
func encodeCAS(as []pipeline.Adjustment) (string, error) {
	if len(as) == 0 {
		return "", nil
	}
	b := make([]byte, 0, 16*len(as))
	for i, a := range as {
		if !casCode(a.Group, 2, 2) || !casCode(a.Reason, 1, 5) {
			return "", fmt.Errorf("adjustment %d: group %q and reason %q must be 2 and 1 to 5 letters or digits", i, a.Group, a.Reason)
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, a.Group...)
		b = append(b, '-')
		b = append(b, a.Reason...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(a.Amount), 10)
	}
	return string(b), nil
}

// decodeCAS reads what encodeCAS wrote.
func decodeCAS(s string) ([]pipeline.Adjustment, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ";")
	out := make([]pipeline.Adjustment, 0, len(parts))
	for _, p := range parts {
		code, cents, ok1 := strings.Cut(p, ":")
		group, reason, ok2 := strings.Cut(code, "-")
		n, err := strconv.ParseInt(cents, 10, 64)
		if !ok1 || !ok2 || err != nil || !casCode(group, 2, 2) || !casCode(reason, 1, 5) {
			return nil, fmt.Errorf("malformed adjustment %q in %q", p, s)
		}
		out = append(out, pipeline.Adjustment{Group: group, Reason: reason, Amount: x12.Amount(n)})
	}
	return out, nil
}

func casCode(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

var tableAdjustments = &Table{Name: "provider_adjustments", Cols: []string{
	"id", "remittance_id", "provider_id", "fiscal_date", "reason", "reference", "amount"}}

type adjustmentRows []pipeline.ProviderAdjustment

func (r adjustmentRows) Len() int { return len(r) }

func (r adjustmentRows) WriteRow(i int, w RowWriter) {
	a := &r[i]
	w.Int(a.ID)
	w.Int(a.RemittanceID)
	w.Text(a.ProviderID)
	w.Text(dateArg(a.FiscalDate))
	w.Text(a.Reason)
	w.Text(a.Reference)
	w.Int(int64(a.Amount))
}

// AddProviderAdjustments implements pipeline.LedgerTx. It sets the IDs in
// as; the rows are written with the transaction's other deferred rows.
func (t *Tx) AddProviderAdjustments(ctx context.Context, as []pipeline.ProviderAdjustment) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	for i := range as {
		if as[i].RemittanceID == 0 {
			return fmt.Errorf("add provider adjustments: adjustment %d has no remittance ID", i)
		}
	}
	ids, err := t.reserve(ctx, "provider_adjustments", len(as))
	if err != nil {
		return fmt.Errorf("add provider adjustments: %w", err)
	}
	for i := range as {
		as[i].ID = ids[i]
	}
	t.adjustments = append(t.adjustments, as...)
	return nil
}

// ProviderAdjustments implements pipeline.LedgerTx, in ID order.
func (t *Tx) ProviderAdjustments(ctx context.Context, remittanceID int64) ([]pipeline.ProviderAdjustment, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("provider adjustments of remittance %d: %w", remittanceID, err)
	}
	rows, err := t.c.Query(ctx, `SELECT id, remittance_id, provider_id, fiscal_date, reason, reference, amount
FROM provider_adjustments WHERE remittance_id = $1 ORDER BY id`, remittanceID)
	if err != nil {
		return nil, fmt.Errorf("provider adjustments of remittance %d: %w", remittanceID, err)
	}
	defer rows.Close()
	var out []pipeline.ProviderAdjustment
	for rows.Next() {
		var a pipeline.ProviderAdjustment
		var amount int64
		if err := rows.Scan(&a.ID, &a.RemittanceID, &a.ProviderID, dateDest{&a.FiscalDate}, &a.Reason,
			&a.Reference, &amount); err != nil {
			return nil, fmt.Errorf("provider adjustments of remittance %d: %w", remittanceID, err)
		}
		a.Amount = x12.Amount(amount)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("provider adjustments of remittance %d: %w", remittanceID, err)
	}
	return out, nil
}
