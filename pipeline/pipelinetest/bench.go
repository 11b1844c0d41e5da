package pipelinetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// PostingBatch is the number of claims BenchPostClaimPayments posts per
// transaction.
const PostingBatch = 500

// BenchPostClaimPayments measures the store side of 835 posting on s (a
// fresh store): transactions of PostingBatch claims, each claim getting
// AddClaimPayment, AddEntries with three entries, MoveClaim and AddEvent.
// The claims alternate between paid and partially_paid, so every
// iteration makes legal moves of the same claims. It reports claims/s and the CPU
// time the test process spent per claim.
func BenchPostClaimPayments(b *testing.B, s pipeline.Store) {
	benchPost(b, s, false)
}

func benchPost(b *testing.B, s pipeline.Store, bulk bool) {
	ctx := b.Context()
	claims := make([]*pipeline.Claim, PostingBatch)
	var remit *pipeline.Remittance
	err := s.InTx(ctx, func(tx pipeline.Tx) error {
		remit = &pipeline.Remittance{PayerID: "PAYER01", Trace: "BENCH", State: pipeline.RemitPosted}
		if _, err := tx.CreateRemittance(ctx, remit); err != nil {
			return err
		}
		for i := range claims {
			c := sampleClaim(fmt.Sprintf("B%d", i), pipeline.StatePaid)
			if err := tx.CreateClaim(ctx, c); err != nil {
				return err
			}
			claims[i] = c
		}
		return nil
	})
	if err != nil {
		b.Fatalf("setup: %v", err)
	}
	from, to := pipeline.StatePaid, pipeline.StatePartiallyPaid
	b.ReportAllocs()
	iterations := 0
	cpu0 := cpuTime()
	for b.Loop() {
		err := s.InTx(ctx, func(tx pipeline.Tx) error {
			if bulk {
				return postBatchBulk(ctx, tx, remit, claims, from, to)
			}
			return postBatch(ctx, tx, remit, claims, from, to)
		})
		if err != nil {
			b.Fatalf("post: %v", err)
		}
		from, to = to, from
		iterations++
	}
	n := float64(iterations * PostingBatch)
	b.ReportMetric(n/b.Elapsed().Seconds(), "claims/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		// CPU time of this process (not of a database server) per claim:
		// unlike claims/s, it does not depend on other load.
		b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/claim")
	}
}

func postBatch(ctx context.Context, tx pipeline.Tx, remit *pipeline.Remittance, claims []*pipeline.Claim, from, to pipeline.ClaimState) error {
	for i, c := range claims {
		if err := postClaim(ctx, tx, remit, c, i, to); err != nil {
			return err
		}
		if err := tx.MoveClaim(ctx, c.ID, 0, from, to, pipeline.Event{Kind: "835", SetControl: "0001", Segment: 10 + i}); err != nil {
			return err
		}
		if err := tx.AddEvent(ctx, pipeline.Event{ClaimID: c.ID, Kind: "835-detail", Detail: "CLP02 1"}); err != nil {
			return err
		}
	}
	return nil
}

func postBatchBulk(ctx context.Context, tx pipeline.Tx, remit *pipeline.Remittance, claims []*pipeline.Claim, from, to pipeline.ClaimState) error {
	moves := make([]pipeline.Event, len(claims))
	for i, c := range claims {
		if err := postClaim(ctx, tx, remit, c, i, to); err != nil {
			return err
		}
		moves[i] = pipeline.Event{ClaimID: c.ID, From: from, To: to, Kind: "835", SetControl: "0001", Segment: 10 + i}
		if err := tx.AddEvent(ctx, pipeline.Event{ClaimID: c.ID, Kind: "835-detail", Detail: "CLP02 1"}); err != nil {
			return err
		}
	}
	return tx.MoveClaims(ctx, moves, nil)
}

// postClaim adds the payment and ledger entries of one claim.
func postClaim(ctx context.Context, tx pipeline.Tx, remit *pipeline.Remittance, c *pipeline.Claim, i int, to pipeline.ClaimState) error {
	p := &pipeline.ClaimPayment{RemittanceID: remit.ID, ClaimID: c.ID, Ordinal: i + 1, Status: "1",
		Charge: x12.MustAmount("250"), Paid: x12.MustAmount("200"), PatientResp: x12.MustAmount("30"),
		PayerClaimNumber: "ICN", Outcome: to}
	if err := tx.AddClaimPayment(ctx, p); err != nil {
		return err
	}
	es := []pipeline.LedgerEntry{
		{ClaimID: c.ID, LineID: c.Lines[0].ID, RemittanceID: remit.ID, ClaimPayment: p.ID, Kind: pipeline.EntryInsurance,
			Payment: x12.MustAmount("200"), Adjustments: []pipeline.Adjustment{
				{Group: "CO", Reason: "45", Amount: x12.MustAmount("20")}, {Group: "PR", Reason: "1", Amount: x12.MustAmount("30")}}},
	}
	return tx.AddEntries(ctx, es)
}

// BenchPostClaimPaymentsBulk is BenchPostClaimPayments with the claims of
// a transaction moved by one MoveClaims call.
func BenchPostClaimPaymentsBulk(b *testing.B, s pipeline.Store) {
	benchPost(b, s, true)
}
