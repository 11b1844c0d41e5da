package sqlcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

const remitCols = `id, inbound_file_id, set_control, payer_id, payer_name, trace, payment_date, amount,
method, state, reason, created_at`

// CreateRemittance implements pipeline.LedgerTx. On insert it sets r.ID
// and fills a zero CreatedAt from the clock; when a posted remittance
// with the same key exists (and r is posted) it returns false and leaves
// r unchanged.
func (t *Tx) CreateRemittance(ctx context.Context, r *pipeline.Remittance) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	created := t.stamp(r.CreatedAt)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO remittances (inbound_file_id, set_control, payer_id, payer_name,
trace, payment_date, amount, method, state, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (payer_id, trace, payment_date, amount) WHERE state = 'posted' DO NOTHING RETURNING id`,
		[]any{r.InboundFileID, r.SetControl, r.PayerID, r.PayerName, r.Trace, dateArg(r.PaymentDate),
			int64(r.Amount), r.Method, string(r.State), r.Reason, t.c.Time(created)}, &id)
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
	if err := t.check(); err != nil {
		return nil, err
	}
	var r pipeline.Remittance
	var amount int64
	var state string
	err := t.queryRow(ctx, "SELECT "+remitCols+` FROM remittances
WHERE payer_id = $1 AND trace = $2 AND payment_date = $3 AND amount = $4 AND state = 'posted'`,
		[]any{k.PayerID, k.Trace, dateArg(k.PaymentDate), int64(k.Amount)},
		&r.ID, &r.InboundFileID, &r.SetControl, &r.PayerID, &r.PayerName, &r.Trace, dateDest{&r.PaymentDate},
		&amount, &r.Method, &state, &r.Reason, timeDest{&r.CreatedAt})
	if err != nil {
		return nil, notFound(err, "find remittance (trace %s)", k.Trace)
	}
	r.Amount, r.State = x12.Amount(amount), pipeline.RemitState(state)
	t.know(&t.knownRemits, r.ID)
	return &r, nil
}

var tablePayments = &Table{Name: "claim_payments", Cols: []string{
	"id", "remittance_id", "claim_id", "submission_id", "ordinal", "status", "charge", "paid",
	"patient_resp", "payer_claim_number", "outcome", "reversed_by"}}

type paymentRows struct {
	t  *Tx
	ps []pipeline.ClaimPayment
}

func (r paymentRows) Len() int { return len(r.ps) }

func (r paymentRows) Row(i int, dst []any) {
	p := &r.ps[i]
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = p.ID, p.RemittanceID, p.ClaimID, p.SubmissionID, int64(p.Ordinal), p.Status
	dst[6], dst[7], dst[8], dst[9] = int64(p.Charge), int64(p.Paid), int64(p.PatientResp), p.PayerClaimNumber
	dst[10], dst[11] = string(p.Outcome), p.ReversedBy
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
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("payments of claim %d: %w", claimID, err)
	}
	rows, err := t.c.Query(ctx, `SELECT id, remittance_id, claim_id, submission_id, ordinal, status, charge,
paid, patient_resp, payer_claim_number, outcome, reversed_by FROM claim_payments WHERE claim_id = $1 ORDER BY id`, claimID)
	if err != nil {
		return nil, fmt.Errorf("payments of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	var out []*pipeline.ClaimPayment
	for rows.Next() {
		var p pipeline.ClaimPayment
		var ordinal, charge, paid, pr int64
		var outcome string
		if err := rows.Scan(&p.ID, &p.RemittanceID, &p.ClaimID, &p.SubmissionID, &ordinal, &p.Status, &charge,
			&paid, &pr, &p.PayerClaimNumber, &outcome, &p.ReversedBy); err != nil {
			return nil, fmt.Errorf("payments of claim %d: %w", claimID, err)
		}
		p.Ordinal, p.Charge, p.Paid, p.PatientResp = int(ordinal), x12.Amount(charge), x12.Amount(paid), x12.Amount(pr)
		p.Outcome = pipeline.ClaimState(outcome)
		out = append(out, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("payments of claim %d: %w", claimID, err)
	}
	return out, nil
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
	"id", "claim_id", "line_id", "remittance_id", "claim_payment_id", "kind", "group_code", "reason",
	"amount", "reversal", "at", "memo"}}

type entryRows struct {
	t  *Tx
	es []pipeline.LedgerEntry
}

func (r entryRows) Len() int { return len(r.es) }

func (r entryRows) Row(i int, dst []any) {
	e := &r.es[i]
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = e.ID, e.ClaimID, e.LineID, e.RemittanceID, e.ClaimPayment, string(e.Kind)
	dst[6], dst[7], dst[8], dst[9], dst[10], dst[11] = e.Group, e.Reason, int64(e.Amount), e.Reversal, r.t.c.Time(e.At), e.Memo
}

// AddEntries implements pipeline.LedgerTx. It sets the IDs in es and
// fills zero times from the clock; the rows are written with the
// transaction's other deferred rows (see the package documentation).
func (t *Tx) AddEntries(ctx context.Context, es []pipeline.LedgerEntry) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(es) == 0 {
		return nil
	}
	for i := range es {
		if es[i].ClaimID == 0 {
			return fmt.Errorf("add ledger entries: entry %d has no claim ID", i)
		}
	}
	ids, err := t.reserve(ctx, "ledger_entries", len(es))
	if err != nil {
		return fmt.Errorf("add ledger entries: %w", err)
	}
	for i := range es {
		es[i].ID = ids[i]
		es[i].At = t.stamp(es[i].At)
	}
	t.entries = append(t.entries, es...)
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
	rows, err := t.c.Query(ctx, `SELECT id, claim_id, line_id, remittance_id, claim_payment_id, kind, group_code,
reason, amount, reversal, at, memo FROM ledger_entries WHERE claim_id = $1 ORDER BY id`, claimID)
	if err != nil {
		return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	var out []pipeline.LedgerEntry
	for rows.Next() {
		var e pipeline.LedgerEntry
		var kind string
		var amount int64
		if err := rows.Scan(&e.ID, &e.ClaimID, &e.LineID, &e.RemittanceID, &e.ClaimPayment, &kind, &e.Group,
			&e.Reason, &amount, &e.Reversal, timeDest{&e.At}, &e.Memo); err != nil {
			return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
		}
		e.Kind, e.Amount = pipeline.EntryKind(kind), x12.Amount(amount)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger entries of claim %d: %w", claimID, err)
	}
	return out, nil
}

var tableAdjustments = &Table{Name: "provider_adjustments", Cols: []string{
	"id", "remittance_id", "provider_id", "fiscal_date", "reason", "reference", "amount"}}

type adjustmentRows struct {
	t  *Tx
	as []pipeline.ProviderAdjustment
}

func (r adjustmentRows) Len() int { return len(r.as) }

func (r adjustmentRows) Row(i int, dst []any) {
	a := &r.as[i]
	dst[0], dst[1], dst[2], dst[3] = a.ID, a.RemittanceID, a.ProviderID, dateArg(a.FiscalDate)
	dst[4], dst[5], dst[6] = a.Reason, a.Reference, int64(a.Amount)
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
