package pipelinetest

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
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
			Same(t, "refused remittance", again, &want)
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
			Same(t, "posted remittance", got, posted)
			// Every recorded set of a file is found by its position;
			// the refused one was not recorded.
			got, err = tx.RemittanceInFile(ctx, 3, 1)
			must(t, "RemittanceInFile(posted)", err)
			Same(t, "remittance of file 3 set 1", got, posted)
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
			Same(t, "posted remittance", got, posted)
		})
	}},
	{"Remittance/GetAndList", func(t *testing.T, _ *suite, s pipeline.Store) {
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.Remittances(ctx, 0)
			must(t, "Remittances(empty store)", err)
			if len(got) != 0 {
				t.Errorf("remittances of an empty store = %+v", got)
			}
		})
		r1 := createRemittance(t, s, "T1")
		r2 := &pipeline.Remittance{InboundFileID: 7, FileSet: 2, SetControl: "0002", PayerID: "PAYER02", PayerName: "Other Payer",
			Trace: "T2", PaymentDate: x12.Date{Year: 2024, Month: 4, Day: 2}, Amount: x12.MustAmount("-10.50"), Method: "CHK",
			State: pipeline.RemitHeld, Reason: "out of balance"} // zero CreatedAt: the store's clock
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.CreateRemittance(ctx, r2)
			must(t, "CreateRemittance", err)
		})
		checkStamp(t, "zero CreatedAt", r2.CreatedAt)
		r3 := createRemittance(t, s, "T3")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, r := range []*pipeline.Remittance{r1, r2, r3} {
				got, err := tx.GetRemittance(ctx, r.ID)
				must(t, "GetRemittance", err)
				Same(t, "remittance", got, r)
			}
			_, err := tx.GetRemittance(ctx, r3.ID+100)
			wantErr(t, "GetRemittance(missing)", err, pipeline.ErrNotFound)
			for _, tc := range []struct {
				limit int
				want  []*pipeline.Remittance
			}{
				{0, []*pipeline.Remittance{r3, r2, r1}},
				{2, []*pipeline.Remittance{r3, r2}},
				{5, []*pipeline.Remittance{r3, r2, r1}},
			} {
				got, err := tx.Remittances(ctx, tc.limit)
				must(t, "Remittances", err)
				Same(t, fmt.Sprintf("remittances (limit %d)", tc.limit), got, tc.want)
			}
		})
	}},
	{"ClaimPayment/AddListReverse", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		r := createRemittance(t, s, "T1")
		r2 := createRemittance(t, s, "T2")
		p1 := &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c.ID, SubmissionID: 4, Ordinal: 1, Status: "1",
			Charge: x12.MustAmount("250"), Paid: x12.MustAmount("200"), PatientResp: x12.MustAmount("50"),
			PayerClaimNumber: "ICN1", Outcome: pipeline.StatePaid}
		other := &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c2.ID, Ordinal: 2, Status: "4", Charge: 100, Outcome: pipeline.StateDenied}
		p2 := &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c.ID, SubmissionID: 4, Ordinal: 3, Status: "22",
			Charge: x12.MustAmount("-250"), Paid: x12.MustAmount("-200"), PatientResp: x12.MustAmount("-50"),
			PayerClaimNumber: "ICN1", Outcome: pipeline.StateReversed}
		// Another remittance pays c2 again.
		p3 := &pipeline.ClaimPayment{RemittanceID: r2.ID, ClaimID: c2.ID, Ordinal: 1, Status: "1", Charge: 100, Paid: 100, Outcome: pipeline.StatePaid}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, p := range []*pipeline.ClaimPayment{p1, other, p2, p3} {
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
			Same(t, "payments", got, []*pipeline.ClaimPayment{p1, p2})
			got, err = tx.RemittancePayments(ctx, r.ID)
			must(t, "RemittancePayments in the same transaction", err)
			Same(t, "remittance payments", got, []*pipeline.ClaimPayment{p1, other, p2})
			must(t, "MarkReversed", tx.MarkReversed(ctx, p1.ID, p2.ID))
		})
		p1.ReversedBy = p2.ID
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ClaimPayments(ctx, c.ID)
			must(t, "ClaimPayments", err)
			Same(t, "payments", got, []*pipeline.ClaimPayment{p1, p2})
			got, err = tx.RemittancePayments(ctx, r.ID)
			must(t, "RemittancePayments", err)
			Same(t, "remittance payments", got, []*pipeline.ClaimPayment{p1, other, p2})
			got, err = tx.RemittancePayments(ctx, r2.ID)
			must(t, "RemittancePayments", err)
			Same(t, "payments of the other remittance", got, []*pipeline.ClaimPayment{p3})
			got, err = tx.ClaimPayments(ctx, c2.ID)
			must(t, "ClaimPayments", err)
			Same(t, "payments of the other claim", got, []*pipeline.ClaimPayment{other, p3})
			got, err = tx.RemittancePayments(ctx, 424242)
			must(t, "RemittancePayments(none)", err)
			if len(got) != 0 {
				t.Errorf("payments of a missing remittance = %d", len(got))
			}
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
	{"Unapplied/RoundTripAndApply", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		r := createRemittance(t, s, "T1")
		r2 := createRemittance(t, s, "T2")
		allowed := x12.MustAmount("120")
		clp := &x835.Claim{Ordinal: 2, Segment: 14, PatientControlNumber: "ZZ-1", Status: "1", Charge: x12.MustAmount("250"),
			Paid: x12.MustAmount("180.10"), PatientResponsibility: x12.MustAmount("20"), FilingIndicator: "12", PayerClaimNumber: "ICN-U1",
			Frequency: "1", StatementFrom: x12.Date{Year: 2024, Month: 3, Day: 1}, StatementTo: x12.Date{Year: 2024, Month: 3, Day: 2},
			Adjustments: []x835.Adjustment{{Group: "OA", Reason: "23", Amount: x12.MustAmount("-0.10")}},
			Lines: []*x835.Line{
				{Segment: 18, Procedure: x835.Procedure{Qualifier: "HC", Code: "99213", Modifiers: []string{"25"}}, Charge: x12.MustAmount("150"),
					Paid: x12.MustAmount("100"), Units: "1", ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 1}, ControlNumber: "ZZ-L1",
					Allowed: &allowed, Remarks: []string{"N130"},
					Adjustments: []x835.Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("30")}, {Group: "PR", Reason: "2", Amount: x12.MustAmount("20"), Quantity: "1"}}},
				{Segment: 23, Procedure: x835.Procedure{Qualifier: "HC", Code: "87880"}, Charge: x12.MustAmount("100"), Paid: x12.MustAmount("80.20"),
					Original:    &x835.Procedure{Qualifier: "HC", Code: "87881", Description: "strep test"},
					Adjustments: []x835.Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("19.80")}}},
			}}
		u1 := &pipeline.UnappliedPayment{RemittanceID: r.ID, Ordinal: 2, Segment: 14, PCN: "ZZ-1", Status: "1", PayerClaimNumber: "ICN-U1",
			Charge: clp.Charge, Paid: clp.Paid, PatientResp: clp.PatientResponsibility, Claim: clp, Reason: "no submission with CLP01 ZZ-1", CreatedAt: t0}
		u2 := &pipeline.UnappliedPayment{RemittanceID: r.ID, Ordinal: 3, Segment: 30, PCN: "ZZ-2", Status: "4", Charge: x12.MustAmount("-1"),
			Claim: &x835.Claim{Ordinal: 3, Segment: 30, PatientControlNumber: "ZZ-2", Status: "4", Charge: x12.MustAmount("-1")}, Reason: "unknown"}
		u3 := &pipeline.UnappliedPayment{RemittanceID: r2.ID, Ordinal: 1, Segment: 5, PCN: "ZZ-3", Status: "1", Paid: x12.MustAmount("5"),
			Claim: &x835.Claim{Ordinal: 1, Segment: 5, PatientControlNumber: "ZZ-3", Status: "1", Paid: x12.MustAmount("5")}, Reason: "unknown"}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, u := range []*pipeline.UnappliedPayment{u1, u2, u3} {
				must(t, "AddUnapplied", tx.AddUnapplied(ctx, u))
				if u.ID == 0 {
					t.Fatal("AddUnapplied did not set the ID")
				}
			}
			got, err := tx.UnappliedPayments(ctx, r.ID, true)
			must(t, "UnappliedPayments in the same transaction", err)
			Same(t, "unapplied payments in the same transaction", got, []*pipeline.UnappliedPayment{u1, u2})
		})
		if u1.CreatedAt != norm(t0) {
			t.Errorf("CreatedAt = %v, want %v", u1.CreatedAt, norm(t0))
		}
		checkStamp(t, "zero CreatedAt", u2.CreatedAt)
		if !u1.Open() {
			t.Errorf("a new unapplied payment is not open")
		}
		list := func(ctx context.Context, tx pipeline.Tx, remit int64, openOnly bool, want ...*pipeline.UnappliedPayment) {
			t.Helper()
			got, err := tx.UnappliedPayments(ctx, remit, openOnly)
			must(t, "UnappliedPayments", err)
			if len(got) == 0 && len(want) == 0 {
				return
			}
			Same(t, fmt.Sprintf("unapplied payments of remittance %d (open only: %v)", remit, openOnly), got, want)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			list(ctx, tx, r.ID, false, u1, u2)
			list(ctx, tx, r2.ID, false, u3)
			list(ctx, tx, 0, false, u1, u2, u3)
			list(ctx, tx, 0, true, u1, u2, u3)
			list(ctx, tx, 424242, false)
		})

		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MarkApplied", tx.MarkApplied(ctx, u1.ID, c.ID, "kim"))
			wantErr(t, "MarkApplied twice", tx.MarkApplied(ctx, u1.ID, c.ID, "lee"), pipeline.ErrConflict)
			wantErr(t, "MarkApplied(missing)", tx.MarkApplied(ctx, 424242, c.ID, "kim"), pipeline.ErrNotFound)
			if err := tx.MarkApplied(ctx, u2.ID, 0, "kim"); err == nil {
				t.Errorf("MarkApplied to no claim succeeded")
			}
			// The transaction goes on.
			list(ctx, tx, r.ID, true, u2)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.UnappliedPayments(ctx, r.ID, false)
			must(t, "UnappliedPayments", err)
			if len(got) != 2 {
				t.Fatalf("unapplied payments of remittance %d = %d, want 2", r.ID, len(got))
			}
			a := got[0]
			checkStamp(t, "AppliedAt", a.AppliedAt)
			if a.Open() || a.AppliedClaimID != c.ID || a.AppliedBy != "kim" {
				t.Errorf("applied payment: open %v, claim %d, by %q; want applied to %d by kim", a.Open(), a.AppliedClaimID, a.AppliedBy, c.ID)
			}
			want := *u1
			want.AppliedClaimID, want.AppliedAt, want.AppliedBy = c.ID, a.AppliedAt, "kim"
			Same(t, "applied payment", a, &want)
			Same(t, "open payment", got[1], u2)
			list(ctx, tx, 0, true, u2, u3)
			list(ctx, tx, r2.ID, true, u3)
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
			Same(t, "entries", got, want)
			got, err = tx.Entries(ctx, c2.ID)
			must(t, "Entries", err)
			want = []pipeline.LedgerEntry{es[3]}
			want[0].At = norm(t0)
			Same(t, "entries of claim 2", got, want)
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
			Same(t, "adjustments", got, []pipeline.ProviderAdjustment{as[0], as[2]})
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ProviderAdjustments(ctx, r2.ID)
			must(t, "ProviderAdjustments", err)
			Same(t, "adjustments", got, []pipeline.ProviderAdjustment{as[1]})
			got, err = tx.ProviderAdjustments(ctx, 424242)
			must(t, "ProviderAdjustments(none)", err)
			if len(got) != 0 {
				t.Errorf("adjustments of a missing remittance = %d", len(got))
			}
		})
	}},
}
