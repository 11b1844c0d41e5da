package pipeline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/x12claims/claims/x12"
)

// AgingBuckets are the upper bounds, in days, of the aging buckets:
// 0–30, 31–60, 61–90, 91–120 and over 120.
var AgingBuckets = [4]int{30, 60, 90, 120}

// Aging is accounts receivable by payer and age.
type Aging struct {
	AsOf x12.Date `json:"as_of"`
	// Rows are the payers' outstanding insurance balances, by payer ID,
	// then the patients' balance (PayerID "").
	Rows  []AgingRow `json:"rows"`
	Total AgingRow   `json:"total"`
	// Unapplied is cash received that waits to be applied to a claim, by
	// payer. It is not in the rows: it belongs to no claim yet.
	Unapplied      []UnappliedRow `json:"unapplied"`
	UnappliedTotal x12.Amount     `json:"unapplied_total"`
}

// UnappliedRow is a payer's unapplied cash.
type UnappliedRow struct {
	PayerID   string     `json:"payer_id"`
	PayerName string     `json:"payer_name"`
	Payments  int        `json:"payments"`
	Amount    x12.Amount `json:"amount"`
}

// ARAging ages every open balance by the days since the claim was first
// submitted (its first verified upload): insurance balances under their
// payer, patient responsibility in one patient row. A claim never
// submitted has no receivable yet and is not counted.
func (p *Pipeline) ARAging(ctx context.Context) (Aging, error) {
	return ARAging(ctx, p.store, p.now())
}

// ARAging ages the open balances in s as of now; see Pipeline.ARAging.
func ARAging(ctx context.Context, s Store, now time.Time) (Aging, error) {
	var bals []ClaimBalance
	var unapplied []UnappliedRow
	err := s.InTx(ctx, func(tx Tx) error {
		var err error
		if bals, err = tx.OpenBalances(ctx); err != nil {
			return err
		}
		unapplied, err = unappliedByPayer(ctx, tx)
		return err
	})
	if err != nil {
		return Aging{}, fmt.Errorf("aging: %w", err)
	}
	a := ageBalances(bals, now)
	a.Unapplied = unapplied
	for _, u := range unapplied {
		a.UnappliedTotal += u.Amount
	}
	return a, nil
}

// unappliedByPayer totals the open unapplied payments by payer.
func unappliedByPayer(ctx context.Context, tx Tx) ([]UnappliedRow, error) {
	open, err := tx.UnappliedPayments(ctx, 0, true)
	if err != nil {
		return nil, err
	}
	rows := map[string]*UnappliedRow{}
	remits := map[int64]*Remittance{}
	for _, u := range open {
		r := remits[u.RemittanceID]
		if r == nil {
			if r, err = tx.GetRemittance(ctx, u.RemittanceID); err != nil {
				return nil, err
			}
			remits[u.RemittanceID] = r
		}
		row := rows[r.PayerID]
		if row == nil {
			row = &UnappliedRow{PayerID: r.PayerID, PayerName: r.PayerName}
			rows[r.PayerID] = row
		}
		row.Payments++
		row.Amount += u.Paid
	}
	out := make([]UnappliedRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PayerID < out[j].PayerID })
	return out, nil
}

func ageBalances(bals []ClaimBalance, now time.Time) Aging {
	a := Aging{AsOf: x12.DateOf(now), Total: AgingRow{PayerName: "Total"}}
	rows := map[string]*AgingRow{}
	patient := &AgingRow{PayerName: "Patient responsibility"}
	today := x12.DateOf(now).Time()
	for _, b := range bals {
		if b.FirstSubmittedAt.IsZero() {
			continue
		}
		days := int(today.Sub(x12.DateOf(b.FirstSubmittedAt).Time()).Hours() / 24)
		bucket := len(AgingBuckets)
		for i, limit := range AgingBuckets {
			if days <= limit {
				bucket = i
				break
			}
		}
		if ins := b.Balance.Insurance(); ins != 0 {
			r := rows[b.PayerID]
			if r == nil {
				r = &AgingRow{PayerID: b.PayerID, PayerName: b.PayerName}
				rows[b.PayerID] = r
			}
			r.Buckets[bucket] += ins
			r.Total += ins
		}
		if pat := b.Balance.Patient(); pat != 0 {
			patient.Buckets[bucket] += pat
			patient.Total += pat
		}
	}
	for _, r := range rows {
		a.Rows = append(a.Rows, *r)
	}
	sort.Slice(a.Rows, func(i, j int) bool { return a.Rows[i].PayerID < a.Rows[j].PayerID })
	if patient.Total != 0 {
		a.Rows = append(a.Rows, *patient)
	}
	for _, r := range a.Rows {
		for i := range r.Buckets {
			a.Total.Buckets[i] += r.Buckets[i]
		}
		a.Total.Total += r.Total
	}
	return a
}
