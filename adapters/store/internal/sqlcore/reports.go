package sqlcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// balanceCols sums ledger entries' legs into the six Balance fields.
const balanceCols = `CAST(COALESCE(SUM(charge), 0) AS BIGINT) AS charge,
CAST(COALESCE(SUM(payment), 0) AS BIGINT) AS payments,
CAST(COALESCE(SUM(adjustment), 0) AS BIGINT) AS adjustments,
CAST(COALESCE(SUM(patient_resp), 0) AS BIGINT) AS patient_resp,
CAST(COALESCE(SUM(patient_payment), 0) AS BIGINT) AS patient_payments,
CAST(COALESCE(SUM(write_off), 0) AS BIGINT) AS write_offs`

// balanceDest returns scan targets for balanceCols.
func balanceDest(v *[6]int64) []any { return []any{&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]} }

func balanceOf(v [6]int64) pipeline.Balance {
	return pipeline.Balance{
		Charge: x12.Amount(v[0]), Payments: x12.Amount(v[1]), Adjustments: x12.Amount(v[2]),
		PatientResp: x12.Amount(v[3]), PatientPayments: x12.Amount(v[4]), WriteOffs: x12.Amount(v[5]),
	}
}

// LineBalances implements pipeline.ReportTx. A claim without entries has
// an empty map.
func (t *Tx) LineBalances(ctx context.Context, claimID int64) (map[int64]pipeline.Balance, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("line balances of claim %d: %w", claimID, err)
	}
	rows, err := t.c.Query(ctx, "SELECT line_id, "+balanceCols+" FROM ledger_entries WHERE claim_id = $1 GROUP BY line_id", claimID)
	if err != nil {
		return nil, fmt.Errorf("line balances of claim %d: %w", claimID, err)
	}
	defer rows.Close()
	out := make(map[int64]pipeline.Balance)
	for rows.Next() {
		var line int64
		var v [6]int64
		if err := rows.Scan(append([]any{&line}, balanceDest(&v)...)...); err != nil {
			return nil, fmt.Errorf("line balances of claim %d: %w", claimID, err)
		}
		out[line] = balanceOf(v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("line balances of claim %d: %w", claimID, err)
	}
	return out, nil
}

// OpenBalances implements pipeline.ReportTx, in claim ID order.
func (t *Tx) OpenBalances(ctx context.Context) ([]pipeline.ClaimBalance, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, fmt.Errorf("open balances: %w", err)
	}
	rows, err := t.c.Query(ctx, `SELECT c.id, c.payer_id, c.payer_name, c.first_submitted_at,
b.charge, b.payments, b.adjustments, b.patient_resp, b.patient_payments, b.write_offs
FROM (SELECT claim_id, `+balanceCols+` FROM ledger_entries GROUP BY claim_id) b
JOIN claims c ON c.id = b.claim_id
WHERE b.charge - b.payments - b.adjustments - b.patient_resp - b.write_offs <> 0
   OR b.patient_resp - b.patient_payments <> 0
ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("open balances: %w", err)
	}
	defer rows.Close()
	var out []pipeline.ClaimBalance
	for rows.Next() {
		var cb pipeline.ClaimBalance
		var v [6]int64
		if err := rows.Scan(append([]any{&cb.ClaimID, &cb.PayerID, &cb.PayerName, timeDest{&cb.FirstSubmittedAt}},
			balanceDest(&v)...)...); err != nil {
			return nil, fmt.Errorf("open balances: %w", err)
		}
		cb.Balance = balanceOf(v)
		out = append(out, cb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open balances: %w", err)
	}
	return out, nil
}

// Counts implements pipeline.ReportTx. OpenWorkItems counts the open
// items; Billed sums the total charge of the
// claims with at least one submission; InsurancePaid sums payment entries
// (reversals, posted negative, reduce it).
func (t *Tx) Counts(ctx context.Context) (pipeline.Counts, error) {
	c := pipeline.Counts{
		ClaimsByState:  make(map[pipeline.ClaimState]int),
		BatchesByState: make(map[pipeline.BatchState]int),
	}
	if err := t.check(); err != nil {
		return c, err
	}
	if err := t.flush(ctx); err != nil {
		return c, fmt.Errorf("counts: %w", err)
	}
	if err := t.countClaims(ctx, c.ClaimsByState); err != nil {
		return c, fmt.Errorf("counts: claims: %w", err)
	}
	if err := t.countBy(ctx, "SELECT state, COUNT(*) FROM batches GROUP BY state", func(k string, n int) {
		c.BatchesByState[pipeline.BatchState(k)] = n
		c.Batches += n
	}); err != nil {
		return c, fmt.Errorf("counts: batches: %w", err)
	}
	var inbound, remits, work, billed, paid int64
	err := t.queryRow(ctx, `SELECT
(SELECT COUNT(*) FROM inbound_files),
(SELECT COUNT(*) FROM remittances),
(SELECT COUNT(*) FROM work_items WHERE status = 'open'),
(SELECT CAST(COALESCE(SUM(total_charge), 0) AS BIGINT) FROM claims c
  WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.claim_id = c.id)),
(SELECT CAST(COALESCE(SUM(payment), 0) AS BIGINT) FROM ledger_entries)`,
		nil, &inbound, &remits, &work, &billed, &paid)
	if err != nil {
		return c, fmt.Errorf("counts: %w", err)
	}
	c.InboundFiles, c.Remittances, c.OpenWorkItems = int(inbound), int(remits), int(work)
	c.Billed, c.InsurancePaid = x12.Amount(billed), x12.Amount(paid)
	return c, nil
}

// countClaims counts the claims in each state. GROUP BY state would sort
// every claim (the index on state covers only the waiting states): at a
// million claims SQLite's sorter held some 50 MB. One pass counting each
// known state with a FILTER needs no sort and constant memory. Should a
// claim be in a state the pipeline does not know, the counts fall short
// of the total, and the GROUP BY gives the exact answer.
func (t *Tx) countClaims(ctx context.Context, by map[pipeline.ClaimState]int) error {
	states := pipeline.ClaimStates()
	var q strings.Builder
	q.WriteString("SELECT COUNT(*)")
	args := make([]any, len(states))
	for i, s := range states {
		fmt.Fprintf(&q, ", COUNT(*) FILTER (WHERE state = $%d)", i+1)
		args[i] = string(s)
	}
	q.WriteString(" FROM claims")
	n := make([]int64, len(states)+1)
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := t.queryRow(ctx, q.String(), args, dest...); err != nil {
		return err
	}
	var counted int64
	for i, s := range states {
		if n[i+1] > 0 {
			by[s] = int(n[i+1])
			counted += n[i+1]
		}
	}
	if counted == n[0] {
		return nil
	}
	return t.countBy(ctx, "SELECT state, COUNT(*) FROM claims GROUP BY state", func(k string, n int) {
		by[pipeline.ClaimState(k)] = n
	})
}

func (t *Tx) countBy(ctx context.Context, q string, set func(string, int)) error {
	rows, err := t.c.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		set(k, int(n))
	}
	return rows.Err()
}
