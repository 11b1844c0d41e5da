package pipelinetest

import (
	"context"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// The store's side of streaming 835 posting: the posting marker and its
// progress, unapplied totals, and a response file's attempts.
func init() {
	ledgerTests = append(ledgerTests, streamStoreTests...)
}

var streamStoreTests = []storeTest{
	{"Remittance/PostingHoldsTheKeyAndMovesByProgress", func(t *testing.T, _ *suite, s pipeline.Store) {
		key := pipeline.RemitKey{PayerID: "1512345678", Trace: "EFT0002", PaymentDate: x12.Date{Year: 2024, Month: 3, Day: 1}, Amount: x12.MustAmount("99.99")}
		mk := func(state pipeline.RemitState, set int) *pipeline.Remittance {
			return &pipeline.Remittance{InboundFileID: 4, FileSet: set, SetControl: "0001", PayerID: key.PayerID, PayerName: "Test Payer",
				Trace: key.Trace, PaymentDate: key.PaymentDate, Amount: key.Amount, Method: "ACH", State: state, CreatedAt: t0}
		}
		posting, other := mk(pipeline.RemitPosting, 1), mk(pipeline.RemitPosted, 2)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			ok, err := tx.CreateRemittance(ctx, posting)
			must(t, "CreateRemittance(posting)", err)
			if !ok {
				t.Fatal("CreateRemittance(posting) inserted nothing")
			}
			got, err := tx.FindRemittance(ctx, key)
			must(t, "FindRemittance", err)
			if got.ID != posting.ID || got.State != pipeline.RemitPosting || got.Progress != 0 {
				t.Errorf("FindRemittance = %+v, want the posting one", got)
			}
			if ok, err := tx.CreateRemittance(ctx, other); err != nil || ok {
				t.Errorf("CreateRemittance(posted, same key) = %v, %v; want false: the posting one holds the key", ok, err)
			}
		})
		next := *posting
		next.Progress = 1000
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "UpdateRemittance(0 → 1000)", tx.UpdateRemittance(ctx, &next, 0))
			wantErr(t, "UpdateRemittance from a stale progress", tx.UpdateRemittance(ctx, &next, 0), pipeline.ErrConflict)
			missing := next
			missing.ID = next.ID + 1000
			wantErr(t, "UpdateRemittance(no such remittance)", tx.UpdateRemittance(ctx, &missing, 1000), pipeline.ErrNotFound)
			next.State, next.Reason = pipeline.RemitPosted, "2 claim payment(s) could not be applied"
			must(t, "UpdateRemittance(posted)", tx.UpdateRemittance(ctx, &next, 1000))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.RemittanceInFile(ctx, 4, 1)
			must(t, "RemittanceInFile", err)
			if got.State != pipeline.RemitPosted || got.Progress != 1000 || got.Reason != next.Reason {
				t.Errorf("after the updates: %+v", got)
			}
		})
	}},
	{"Remittance/UnappliedTotals", func(t *testing.T, _ *suite, s pipeline.Store) {
		r := &pipeline.Remittance{InboundFileID: 5, FileSet: 1, SetControl: "0001", PayerID: "P", Trace: "T", State: pipeline.RemitPosting, CreatedAt: t0}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.CreateRemittance(ctx, r)
			must(t, "CreateRemittance", err)
			n, sum, err := tx.UnappliedTotals(ctx, r.ID)
			must(t, "UnappliedTotals(none)", err)
			if n != 0 || sum != 0 {
				t.Errorf("UnappliedTotals(none) = %d, %s", n, sum)
			}
			for i, paid := range []string{"10.25", "-0.25", "5"} {
				clp := &x835.Claim{Ordinal: i + 1, PatientControlNumber: "X", Status: "1", Paid: x12.MustAmount(paid)}
				must(t, "AddUnapplied", tx.AddUnapplied(ctx, &pipeline.UnappliedPayment{RemittanceID: r.ID, Ordinal: i + 1, PCN: "X",
					Status: "1", Paid: clp.Paid, Claim: clp, Reason: "unknown", CreatedAt: t0}))
			}
			n, sum, err = tx.UnappliedTotals(ctx, r.ID)
			must(t, "UnappliedTotals", err)
			if n != 3 || sum != x12.MustAmount("15") {
				t.Errorf("UnappliedTotals = %d, %s; want 3, 15.00", n, sum)
			}
		})
	}},
	{"Inbound/Attempts", func(t *testing.T, _ *suite, s pipeline.Store) {
		f := &pipeline.InboundFile{Clearinghouse: "sim", Name: "a.835", SHA256: "ab", Size: 10, LocalPath: "/in/a.835", Kind: "835",
			State: pipeline.InboundReceived, ReceivedAt: t0}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.CreateInbound(ctx, f)
			must(t, "CreateInbound", err)
			f.Attempts = 2
			must(t, "UpdateInbound", tx.UpdateInbound(ctx, f))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetInbound(ctx, f.ID)
			must(t, "GetInbound", err)
			if got.Attempts != 2 {
				t.Errorf("attempts %d, want 2", got.Attempts)
			}
		})
	}},
}
