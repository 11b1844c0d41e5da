package pipelinetest

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

var ledgerTests = []storeTest{
	{"Remittance/PostedKeyIsUnique", func(t *testing.T, _ *suite, s pipeline.Store) {
		key := pipeline.RemitKey{PayerID: "1512345678", Trace: "EFT0001", PaymentDate: x12.Date{Year: 2024, Month: 2, Day: 29}, Amount: x12.MustAmount("1234.56")}
		mk := func(state pipeline.RemitState, set string) *pipeline.Remittance {
			return &pipeline.Remittance{InboundFileID: 3, SetControl: set, PayerID: key.PayerID, PayerName: "Test Payer",
				Trace: key.Trace, PaymentDate: key.PaymentDate, Amount: key.Amount, Method: "ACH", State: state, CreatedAt: t0}
		}
		posted, again, held := mk(pipeline.RemitPosted, "0001"), mk(pipeline.RemitPosted, "0002"), mk(pipeline.RemitHeld, "0003")
		posted.FileSet, again.FileSet, held.FileSet = 1, 2, 3
		held.Reason = "out of balance"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.FindRemittance(ctx, key)
			wantErr(t, "FindRemittance(none)", err, pipeline.ErrNotFound)
			ok, err := tx.CreateRemittance(ctx, posted)
			must(t, "CreateRemittance", err)
			if !ok || posted.ID == 0 {
				t.Fatalf("CreateRemittance = %v, ID %d", ok, posted.ID)
			}
			want := *again
			ok, err = tx.CreateRemittance(ctx, again)
			must(t, "CreateRemittance(posted again)", err)
			if ok {
				t.Errorf("a second posting of the same key was inserted")
			}
			same(t, "refused remittance", again, &want)
			ok, err = tx.CreateRemittance(ctx, held)
			must(t, "CreateRemittance(held)", err)
			if !ok || held.ID == 0 {
				t.Errorf("a held remittance with a posted key was not inserted")
			}
		})
		posted.CreatedAt = norm(t0)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.FindRemittance(ctx, key)
			must(t, "FindRemittance", err)
			same(t, "posted remittance", got, posted)
			// Every recorded set of a file is found by its position;
			// the refused one was not recorded.
			got, err = tx.RemittanceInFile(ctx, 3, 1)
			must(t, "RemittanceInFile(posted)", err)
			same(t, "remittance of file 3 set 1", got, posted)
			got, err = tx.RemittanceInFile(ctx, 3, 3)
			must(t, "RemittanceInFile(held)", err)
			if got.ID != held.ID || got.State != pipeline.RemitHeld || got.FileSet != 3 {
				t.Errorf("remittance of file 3 set 3 = %+v, want the held one", got)
			}
			for _, at := range [][2]int64{{3, 2}, {4, 1}, {3, 0}} {
				_, err = tx.RemittanceInFile(ctx, at[0], int(at[1]))
				wantErr(t, fmt.Sprintf("RemittanceInFile(%d, %d)", at[0], at[1]), err, pipeline.ErrNotFound)
			}
			for _, k := range []pipeline.RemitKey{
				{PayerID: key.PayerID, Trace: key.Trace, PaymentDate: key.PaymentDate, Amount: key.Amount + 1},
				{PayerID: key.PayerID, Trace: key.Trace, PaymentDate: x12.Date{Year: 2024, Month: 3, Day: 1}, Amount: key.Amount},
				{PayerID: "other", Trace: key.Trace, PaymentDate: key.PaymentDate, Amount: key.Amount},
				{PayerID: key.PayerID, Trace: "EFT0002", PaymentDate: key.PaymentDate, Amount: key.Amount},
			} {
				_, err := tx.FindRemittance(ctx, k)
				wantErr(t, "FindRemittance(other key)", err, pipeline.ErrNotFound)
			}
		})
	}},
	{"Remittance/HeldDoesNotBlockPosting", func(t *testing.T, _ *suite, s pipeline.Store) {
		key := pipeline.RemitKey{PayerID: "P", Trace: "T", PaymentDate: x12.Date{Year: 2024, Month: 1, Day: 2}, Amount: 0}
		held := &pipeline.Remittance{PayerID: "P", Trace: "T", PaymentDate: key.PaymentDate, State: pipeline.RemitHeld, Reason: "unmatched"}
		held2 := &pipeline.Remittance{PayerID: "P", Trace: "T", PaymentDate: key.PaymentDate, State: pipeline.RemitHeld, Reason: "unmatched"}
		posted := &pipeline.Remittance{PayerID: "P", Trace: "T", PaymentDate: key.PaymentDate, State: pipeline.RemitPosted, Method: "NON"}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, r := range []*pipeline.Remittance{held, held2} {
				ok, err := tx.CreateRemittance(ctx, r)
				must(t, "CreateRemittance(held)", err)
				if !ok {
					t.Fatal("held remittance not inserted")
				}
			}
			_, err := tx.FindRemittance(ctx, key)
			wantErr(t, "FindRemittance(held only)", err, pipeline.ErrNotFound)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			ok, err := tx.CreateRemittance(ctx, posted)
			must(t, "CreateRemittance(posted)", err)
			if !ok {
				t.Fatal("posting blocked by a held remittance")
			}
			checkStamp(t, "zero CreatedAt", posted.CreatedAt)
			got, err := tx.FindRemittance(ctx, key)
			must(t, "FindRemittance", err)
			same(t, "posted remittance", got, posted)
		})
	}},
	{"ClaimPayment/AddListReverse", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		r := createRemittance(t, s, "T1")
		p1 := &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c.ID, SubmissionID: 4, Ordinal: 1, Status: "1",
			Charge: x12.MustAmount("250"), Paid: x12.MustAmount("200"), PatientResp: x12.MustAmount("50"),
			PayerClaimNumber: "ICN1", Outcome: pipeline.StatePaid}
		other := &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c2.ID, Ordinal: 2, Status: "4", Charge: 100, Outcome: pipeline.StateDenied}
		p2 := &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c.ID, SubmissionID: 4, Ordinal: 3, Status: "22",
			Charge: x12.MustAmount("-250"), Paid: x12.MustAmount("-200"), PatientResp: x12.MustAmount("-50"),
			PayerClaimNumber: "ICN1", Outcome: pipeline.StateReversed}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, p := range []*pipeline.ClaimPayment{p1, other, p2} {
				must(t, "AddClaimPayment", tx.AddClaimPayment(ctx, p))
				if p.ID == 0 {
					t.Fatal("AddClaimPayment did not set the ID")
				}
			}
			if !(p1.ID < other.ID && other.ID < p2.ID) {
				t.Errorf("payment IDs not increasing: %d %d %d", p1.ID, other.ID, p2.ID)
			}
			got, err := tx.ClaimPayments(ctx, c.ID)
			must(t, "ClaimPayments in the same transaction", err)
			same(t, "payments", got, []*pipeline.ClaimPayment{p1, p2})
			must(t, "MarkReversed", tx.MarkReversed(ctx, p1.ID, p2.ID))
		})
		p1.ReversedBy = p2.ID
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ClaimPayments(ctx, c.ID)
			must(t, "ClaimPayments", err)
			same(t, "payments", got, []*pipeline.ClaimPayment{p1, p2})
			must(t, "MarkReversed again", tx.MarkReversed(ctx, p1.ID, p2.ID))
			wantErr(t, "MarkReversed by another", tx.MarkReversed(ctx, p1.ID, other.ID), pipeline.ErrConflict)
			wantErr(t, "MarkReversed(missing)", tx.MarkReversed(ctx, p2.ID+100, p2.ID), pipeline.ErrNotFound)
			none, err := tx.ClaimPayments(ctx, 424242)
			must(t, "ClaimPayments(none)", err)
			if len(none) != 0 {
				t.Errorf("payments of a missing claim = %d", len(none))
			}
		})
	}},
	{"Ledger/Entries", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		r := createRemittance(t, s, "T1")
		l1, l2 := c.Lines[0].ID, c.Lines[1].ID
		es := []pipeline.LedgerEntry{
			{ClaimID: c.ID, LineID: l1, Kind: pipeline.EntryCharge, Charge: x12.MustAmount("150"), At: t0, Memo: "billed"},
			{ClaimID: c.ID, LineID: l1, RemittanceID: r.ID, ClaimPayment: 7, Kind: pipeline.EntryInsurance, Payment: x12.MustAmount("120.01"),
				Adjustments: []pipeline.Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("29.99")}, {Group: "PR", Reason: "B15", Amount: 0}}, At: t1},
			{ClaimID: c.ID, LineID: 0, RemittanceID: r.ID, Kind: pipeline.EntryInsurance, Adjustments: []pipeline.Adjustment{{Group: "PR", Reason: "1", Amount: -1}},
				Reversal: true, At: t2},
			{ClaimID: c2.ID, LineID: c2.Lines[0].ID, Kind: pipeline.EntryCharge, Charge: math.MaxInt64, At: t0},
			{ClaimID: c.ID, LineID: l2, Kind: pipeline.EntryWriteOff, WriteOff: math.MinInt64 + 1}, // zero At: the store's clock
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "AddEntries(none)", tx.AddEntries(ctx, nil))
			must(t, "AddEntries", tx.AddEntries(ctx, es[:2]))
			got, err := tx.Entries(ctx, c.ID)
			must(t, "Entries in the same transaction", err)
			if len(got) != 2 {
				t.Errorf("entries in the same transaction = %d, want 2", len(got))
			}
			must(t, "AddEntries", tx.AddEntries(ctx, es[2:]))
			for _, bad := range []struct {
				why string
				e   pipeline.LedgerEntry
			}{
				{"without a claim ID", pipeline.LedgerEntry{Kind: pipeline.EntryCharge, Charge: 1}},
				{"of an unknown kind", pipeline.LedgerEntry{ClaimID: c.ID, Kind: "payment", Payment: 1}},
				{"moving a leg of another kind", pipeline.LedgerEntry{ClaimID: c.ID, Kind: pipeline.EntryCharge, Charge: 1, Payment: 1}},
				{"with adjustments on a write-off", pipeline.LedgerEntry{ClaimID: c.ID, Kind: pipeline.EntryWriteOff,
					Adjustments: []pipeline.Adjustment{{Group: "CO", Reason: "45", Amount: 1}}}},
				{"with a malformed group code", pipeline.LedgerEntry{ClaimID: c.ID, Kind: pipeline.EntryInsurance,
					Adjustments: []pipeline.Adjustment{{Group: "C;", Reason: "45", Amount: 1}}}},
				{"with an empty reason code", pipeline.LedgerEntry{ClaimID: c.ID, Kind: pipeline.EntryInsurance,
					Adjustments: []pipeline.Adjustment{{Group: "CO", Amount: 1}}}},
				{"with a too long reason code", pipeline.LedgerEntry{ClaimID: c.ID, Kind: pipeline.EntryInsurance,
					Adjustments: []pipeline.Adjustment{{Group: "CO", Reason: "123456", Amount: 1}}}},
			} {
				ok := pipeline.LedgerEntry{ClaimID: c.ID, Kind: pipeline.EntryCharge, Charge: 5}
				if err := tx.AddEntries(ctx, []pipeline.LedgerEntry{ok, bad.e}); err == nil {
					t.Errorf("AddEntries of an entry %s succeeded", bad.why)
				}
			}
		})
		for i := range es {
			if es[i].ID == 0 || (i > 0 && es[i].ID <= es[i-1].ID) {
				t.Errorf("entry %d: ID %d, want new and increasing", i, es[i].ID)
			}
		}
		checkStamp(t, "zero At", es[4].At)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.Entries(ctx, c.ID)
			must(t, "Entries", err)
			want := []pipeline.LedgerEntry{es[0], es[1], es[2], es[4]}
			for i := range want {
				want[i].At = norm(want[i].At)
			}
			same(t, "entries", got, want)
			got, err = tx.Entries(ctx, c2.ID)
			must(t, "Entries", err)
			want = []pipeline.LedgerEntry{es[3]}
			want[0].At = norm(t0)
			same(t, "entries of claim 2", got, want)
		})
	}},
	{"Ledger/ProviderAdjustments", func(t *testing.T, _ *suite, s pipeline.Store) {
		r := createRemittance(t, s, "T1")
		r2 := createRemittance(t, s, "T2")
		as := []pipeline.ProviderAdjustment{
			{RemittanceID: r.ID, ProviderID: "1234567893", FiscalDate: x12.Date{Year: 2024, Month: 12, Day: 31}, Reason: "WO", Reference: "OVERPAY1", Amount: x12.MustAmount("25.50")},
			{RemittanceID: r2.ID, ProviderID: "1234567893", Reason: "L6", Amount: x12.MustAmount("-3.21")},
			{RemittanceID: r.ID, ProviderID: "1234567893", FiscalDate: x12.Date{Year: 2024, Month: 1, Day: 1}, Reason: "FB", Amount: -1},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "AddProviderAdjustments(none)", tx.AddProviderAdjustments(ctx, nil))
			must(t, "AddProviderAdjustments", tx.AddProviderAdjustments(ctx, as))
			if err := tx.AddProviderAdjustments(ctx, []pipeline.ProviderAdjustment{{Reason: "WO"}}); err == nil {
				t.Errorf("AddProviderAdjustments without a remittance ID succeeded")
			}
			got, err := tx.ProviderAdjustments(ctx, r.ID)
			must(t, "ProviderAdjustments in the same transaction", err)
			same(t, "adjustments", got, []pipeline.ProviderAdjustment{as[0], as[2]})
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ProviderAdjustments(ctx, r2.ID)
			must(t, "ProviderAdjustments", err)
			same(t, "adjustments", got, []pipeline.ProviderAdjustment{as[1]})
			got, err = tx.ProviderAdjustments(ctx, 424242)
			must(t, "ProviderAdjustments(none)", err)
			if len(got) != 0 {
				t.Errorf("adjustments of a missing remittance = %d", len(got))
			}
		})
	}},
}
