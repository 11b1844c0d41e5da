package pipelinetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// Shorthands for ledger entries of a claim line (line 0: the claim).

func charge(c *pipeline.Claim, line int64, amount string) pipeline.LedgerEntry {
	return pipeline.LedgerEntry{ClaimID: c.ID, LineID: line, Kind: pipeline.EntryCharge, Charge: x12.MustAmount(amount), At: t1}
}

func insurance(c *pipeline.Claim, line int64, paid string, as ...pipeline.Adjustment) pipeline.LedgerEntry {
	return pipeline.LedgerEntry{ClaimID: c.ID, LineID: line, Kind: pipeline.EntryInsurance, Payment: x12.MustAmount(paid), Adjustments: as, At: t1}
}

func cas(group, reason, amount string) pipeline.Adjustment {
	return pipeline.Adjustment{Group: group, Reason: reason, Amount: x12.MustAmount(amount)}
}

func patientPaid(c *pipeline.Claim, line int64, amount string) pipeline.LedgerEntry {
	return pipeline.LedgerEntry{ClaimID: c.ID, LineID: line, Kind: pipeline.EntryPatientPayment, PatientPayment: x12.MustAmount(amount), At: t1}
}

func writeOff(c *pipeline.Claim, line int64, amount string) pipeline.LedgerEntry {
	return pipeline.LedgerEntry{ClaimID: c.ID, LineID: line, Kind: pipeline.EntryWriteOff, WriteOff: x12.MustAmount(amount), At: t1}
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
			charge(c, l1, "150"),
			charge(c, l2, "100"),
			insurance(c, l1, "90.10", cas("CO", "45", "40"), cas("PR", "1", "19.90")),
			insurance(c, l2, "0", cas("CO", "50", "100")),
			patientPaid(c, l1, "10"),
			insurance(c, 0, "0", cas("OA", "23", "-5")),
			writeOff(c, 0, "5"),
			// A reversal of the line 1 payment and a repost.
			insurance(c, l1, "-90.10"),
			insurance(c, l1, "95.10"),
			charge(other, other.Lines[0].ID, "999"),
		}
		es[7].Reversal = true
		want := map[int64]pipeline.Balance{}
		for i := range es {
			if es[i].ClaimID != c.ID {
				continue
			}
			b := want[es[i].LineID]
			b.Add(&es[i])
			want[es[i].LineID] = b
		}
		// Spelled out for line 1, so that a wrong Balance.Add cannot hide.
		if w := (pipeline.Balance{Charge: 15000, Payments: 9510, Adjustments: 4000, PatientResp: 1990, PatientPayments: 1000}); want[l1] != w {
			t.Fatalf("line 1 balance %+v, want %+v", want[l1], w)
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
			Same(t, "line balances", got, want)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.LineBalances(ctx, c.ID)
			must(t, "LineBalances", err)
			Same(t, "line balances", got, want)
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
			charge(a, 0, "100"), insurance(a, 0, "100"),
			// B: the patient owes 40.
			charge(b, 0, "100"), insurance(b, 0, "60", cas("PR", "1", "40")),
			// C: the payer owes 50.
			charge(c, 0, "100"), insurance(c, 0, "50"),
			// D: adjusted to zero.
			charge(d, 0, "100"), insurance(d, 0, "0", cas("CO", "45", "100")),
			// E: no entries. F: the patient paid their share.
			charge(f, 0, "20"), insurance(f, 0, "0", cas("PR", "2", "20")), patientPaid(f, 0, "20"),
		)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, b.ID, "B-1", 1, t2))
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
			Same(t, "open balances", got, want)
			// A deferred entry counts at once: A now owes a refund.
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{insurance(a, 0, "0", cas("CO", "45", "1"))}))
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
			Same(t, "counts of an empty store", got, pipeline.Counts{
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
			// Four items, one closed by key and one by hand: two open.
			for i := range 4 {
				_, err := tx.OpenWorkItem(ctx, &pipeline.WorkItem{Key: fmt.Sprint("k", i), Source: pipeline.SourceDenial, Assignee: "kim"})
				must(t, "OpenWorkItem", err)
			}
			_, err = tx.CloseWorkItems(ctx, "k1", "kim", "done")
			must(t, "CloseWorkItems", err)
			items, err := tx.WorkItems(ctx, pipeline.WorkFilter{Key: "k3"})
			must(t, "WorkItems", err)
			items[0].Status, items[0].ClosedBy = pipeline.WorkClosed, "kim"
			must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, items[0]))
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{
				{ClaimID: paid.ID, RemittanceID: r.ID, Kind: pipeline.EntryInsurance, Payment: x12.MustAmount("200")},
				{ClaimID: paid.ID, RemittanceID: r.ID, Kind: pipeline.EntryInsurance, Payment: x12.MustAmount("-200"), Reversal: true},
				{ClaimID: paid.ID, RemittanceID: r.ID, Kind: pipeline.EntryInsurance, Payment: x12.MustAmount("180.25")},
				{ClaimID: sub1.ID, RemittanceID: r.ID, Kind: pipeline.EntryInsurance, Payment: x12.MustAmount("0.75")},
				{ClaimID: sub1.ID, Kind: pipeline.EntryPatientPayment, PatientPayment: x12.MustAmount("50")},
				{ClaimID: sub1.ID, Kind: pipeline.EntryCharge, Charge: x12.MustAmount("250")},
			}))
			got, err := tx.Counts(ctx)
			must(t, "Counts", err)
			Same(t, "counts", got, pipeline.Counts{
				ClaimsByState:  map[pipeline.ClaimState]int{pipeline.StateHeld: 1, pipeline.StateSubmitted: 2, pipeline.StatePaid: 1},
				Batches:        3,
				BatchesByState: map[pipeline.BatchState]int{pipeline.BatchUploaded: 2, pipeline.BatchFailed: 1},
				InboundFiles:   2,
				Remittances:    2,
				OpenWorkItems:  2,
				Billed:         3 * x12.MustAmount("250"),
				InsurancePaid:  x12.MustAmount("181.00"),
			})
		})
	}},
}
