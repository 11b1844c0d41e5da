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
	AsOf x12.Date
	// Rows are the payers' outstanding insurance balances, by payer ID,
	// then the patients' balance (PayerID "").
	Rows  []AgingRow
	Total AgingRow
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
	err := s.InTx(ctx, func(tx Tx) error {
		var err error
		bals, err = tx.OpenBalances(ctx)
		return err
	})
	if err != nil {
		return Aging{}, fmt.Errorf("aging: %w", err)
	}
	return ageBalances(bals, now), nil
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
