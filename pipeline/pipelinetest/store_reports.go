package pipelinetest

import (
	"context"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// entry is a shorthand for a ledger entry of a claim line.
func entry(c *pipeline.Claim, line int64, k pipeline.EntryKind, amount string) pipeline.LedgerEntry {
	return pipeline.LedgerEntry{ClaimID: c.ID, LineID: line, Kind: k, Amount: x12.MustAmount(amount), At: t1}
}

// addEntries appends es in one transaction.
func addEntries(t *testing.T, s pipeline.Store, es ...pipeline.LedgerEntry) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		must(t, "AddEntries", tx.AddEntries(ctx, es))
	})
}

var reportTests = []storeTest{
	{"Report/LineBalances", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		other := createClaim(t, s, "E2", pipeline.StateSubmitted)
		l1, l2 := c.Lines[0].ID, c.Lines[1].ID
		es := []pipeline.LedgerEntry{
			entry(c, l1, pipeline.EntryCharge, "150"),
			entry(c, l2, pipeline.EntryCharge, "100"),
			entry(c, l1, pipeline.EntryPayment, "90.10"),
			entry(c, l1, pipeline.EntryAdjustment, "40"),
			entry(c, l1, pipeline.EntryPatientResp, "19.90"),
			entry(c, l2, pipeline.EntryPayment, "0"),
			entry(c, l2, pipeline.EntryAdjustment, "100"),
			entry(c, l1, pipeline.EntryPatientPayment, "10"),
			entry(c, 0, pipeline.EntryAdjustment, "-5"),
			entry(c, 0, pipeline.EntryWriteOff, "5"),
			// A reversal of the line 1 payment and a repost.
			entry(c, l1, pipeline.EntryPayment, "-90.10"),
			entry(c, l1, pipeline.EntryPayment, "95.10"),
			entry(other, other.Lines[0].ID, pipeline.EntryCharge, "999"),
		}
		es[10].Reversal = true
		want := map[int64]pipeline.Balance{}
		for _, e := range es {
			if e.ClaimID != c.ID {
				continue
			}
			b := want[e.LineID]
			b.Add(e)
			want[e.LineID] = b
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.LineBalances(ctx, c.ID)
			must(t, "LineBalances(no entries)", err)
			if len(got) != 0 {
				t.Errorf("balances without entries = %v", got)
			}
			must(t, "AddEntries", tx.AddEntries(ctx, es))
			got, err = tx.LineBalances(ctx, c.ID)
			must(t, "LineBalances in the same transaction", err)
			same(t, "line balances", got, want)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.LineBalances(ctx, c.ID)
			must(t, "LineBalances", err)
			same(t, "line balances", got, want)
			if b := got[l1]; b.Insurance() != x12.MustAmount("-5.00") || b.Patient() != x12.MustAmount("9.90") {
				t.Errorf("line 1 insurance, patient = %s, %s; want -5.00, 9.90", b.Insurance(), b.Patient())
			}
		})
	}},
	{"Report/OpenBalances", func(t *testing.T, _ *suite, s pipeline.Store) {
		var cs []*pipeline.Claim
		for _, enc := range []string{"A", "B", "C", "D", "E", "F"} {
			cs = append(cs, createClaim(t, s, enc, pipeline.StateSubmitted))
		}
		a, b, c, d, f := cs[0], cs[1], cs[2], cs[3], cs[5]
		addEntries(t, s,
			// A: paid in full.
			entry(a, 0, pipeline.EntryCharge, "100"), entry(a, 0, pipeline.EntryPayment, "100"),
			// B: the patient owes 40.
			entry(b, 0, pipeline.EntryCharge, "100"), entry(b, 0, pipeline.EntryPayment, "60"), entry(b, 0, pipeline.EntryPatientResp, "40"),
			// C: the payer owes 50.
			entry(c, 0, pipeline.EntryCharge, "100"), entry(c, 0, pipeline.EntryPayment, "50"),
			// D: adjusted to zero.
			entry(d, 0, pipeline.EntryCharge, "100"), entry(d, 0, pipeline.EntryAdjustment, "100"),
			// E: no entries. F: the patient paid their share.
			entry(f, 0, pipeline.EntryCharge, "20"), entry(f, 0, pipeline.EntryPatientResp, "20"), entry(f, 0, pipeline.EntryPatientPayment, "20"),
		)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, b.ID, "B-1", 1, "", t2))
		})
		want := []pipeline.ClaimBalance{
			{ClaimID: b.ID, PayerID: "PAYER01", PayerName: "Test Payer", FirstSubmittedAt: norm(t2),
				Balance: pipeline.Balance{Charge: 10000, Payments: 6000, PatientResp: 4000}},
			{ClaimID: c.ID, PayerID: "PAYER01", PayerName: "Test Payer",
				Balance: pipeline.Balance{Charge: 10000, Payments: 5000}},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.OpenBalances(ctx)
			must(t, "OpenBalances", err)
			same(t, "open balances", got, want)
			// A deferred entry counts at once: A now owes a refund.
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{entry(a, 0, pipeline.EntryAdjustment, "1")}))
			got, err = tx.OpenBalances(ctx)
			must(t, "OpenBalances", err)
			if len(got) != 3 || got[0].ClaimID != a.ID || got[0].Balance.Insurance() != -100 {
				t.Errorf("open balances after a new entry = %+v; want claim %d first with insurance -1.00", got, a.ID)
			}
		})
	}},
	{"Report/CountsEmpty", func(t *testing.T, _ *suite, s pipeline.Store) {
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.Counts(ctx)
			must(t, "Counts", err)
			same(t, "counts of an empty store", got, pipeline.Counts{
				ClaimsByState: map[pipeline.ClaimState]int{}, BatchesByState: map[pipeline.BatchState]int{}})
		})
	}},
	{"Report/Counts", func(t *testing.T, _ *suite, s pipeline.Store) {
		createClaim(t, s, "H", pipeline.StateHeld)
		sub1 := createClaim(t, s, "S1", pipeline.StateSubmitted)
		sub2 := createClaim(t, s, "S2", pipeline.StateSubmitted)
		paid := createClaim(t, s, "P", pipeline.StatePaid)
		r := createRemittance(t, s, "T1")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, c := range []*pipeline.Claim{sub1, sub2, paid, sub1} {
				must(t, "CreateSubmission", tx.CreateSubmission(ctx, &pipeline.Submission{ClaimID: c.ID, Version: 1, PCN: c.EncounterID + string(rune('a'+i))}))
			}
			for _, st := range []pipeline.BatchState{pipeline.BatchUploaded, pipeline.BatchUploaded, pipeline.BatchFailed} {
				must(t, "CreateBatch", tx.CreateBatch(ctx, &pipeline.Batch{State: st}))
			}
			for i := range 2 {
				_, err := tx.CreateInbound(ctx, &pipeline.InboundFile{SHA256: string(rune('a' + i)), State: pipeline.InboundProcessed})
				must(t, "CreateInbound", err)
			}
			_, err := tx.CreateRemittance(ctx, &pipeline.Remittance{Trace: "T2", State: pipeline.RemitHeld})
			must(t, "CreateRemittance", err)
			for _, st := range []pipeline.WorkStatus{pipeline.WorkOpen, pipeline.WorkInProgress, pipeline.WorkResolved, pipeline.WorkOpen} {
				must(t, "AddWorkItem", tx.AddWorkItem(ctx, &pipeline.WorkItem{Source: pipeline.SourceDenial, Status: st}))
			}
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{
				{ClaimID: paid.ID, RemittanceID: r.ID, Kind: pipeline.EntryPayment, Amount: x12.MustAmount("200")},
				{ClaimID: paid.ID, RemittanceID: r.ID, Kind: pipeline.EntryPayment, Amount: x12.MustAmount("-200"), Reversal: true},
				{ClaimID: paid.ID, RemittanceID: r.ID, Kind: pipeline.EntryPayment, Amount: x12.MustAmount("180.25")},
				{ClaimID: sub1.ID, RemittanceID: r.ID, Kind: pipeline.EntryPayment, Amount: x12.MustAmount("0.75")},
				{ClaimID: sub1.ID, RemittanceID: r.ID, Kind: pipeline.EntryPatientPayment, Amount: x12.MustAmount("50")},
				{ClaimID: sub1.ID, Kind: pipeline.EntryCharge, Amount: x12.MustAmount("250")},
			}))
			got, err := tx.Counts(ctx)
			must(t, "Counts", err)
			same(t, "counts", got, pipeline.Counts{
				ClaimsByState:  map[pipeline.ClaimState]int{pipeline.StateHeld: 1, pipeline.StateSubmitted: 2, pipeline.StatePaid: 1},
				Batches:        3,
				BatchesByState: map[pipeline.BatchState]int{pipeline.BatchUploaded: 2, pipeline.BatchFailed: 1},
				InboundFiles:   2,
				Remittances:    2,
				OpenWorkItems:  3,
				Billed:         3 * x12.MustAmount("250"),
				InsurancePaid:  x12.MustAmount("181.00"),
			})
		})
	}},
}
