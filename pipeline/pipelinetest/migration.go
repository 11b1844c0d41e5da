package pipelinetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// LegacyEntry is a ledger row as stores kept them before migration 0002:
// one row per amount. Adapters' migration tests write LegacyLedger with
// their schema version 1 (claim LegacyClaimID, lines 11 and 12, ID
// counters past LegacyNextID), open the store, which migrates it, and
// call CheckLegacyLedger.
type LegacyEntry struct {
	ID, LineID, RemittanceID, ClaimPayment int64
	Kind, Group, Reason                    string
	Amount                                 int64
	Reversal                               bool
	Memo                                   string
}

// LegacyClaimID is the claim of LegacyLedger; LegacyNextID is the next
// free ledger entry ID it leaves.
const (
	LegacyClaimID = 1
	LegacyNextID  = 12
)

// LegacyAt is the time of every LegacyLedger row.
var LegacyAt = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// LegacyLedger: two charged lines, an 835 claim payment (5) paying line
// 11 with CO-45 and PR-1, denying line 12 with CO-50 and adjusting at
// claim level, a patient payment, and a reversal (claim payment 6) of
// line 11's payment.
var LegacyLedger = []LegacyEntry{
	{ID: 1, LineID: 11, Kind: "charge", Amount: 15000, Memo: "charge, submission C1-1"},
	{ID: 2, LineID: 12, Kind: "charge", Amount: 10000, Memo: "charge, submission C1-1"},
	{ID: 3, LineID: 11, RemittanceID: 3, ClaimPayment: 5, Kind: "payment", Amount: 9000, Memo: "insurance payment, trace T1"},
	{ID: 4, LineID: 11, RemittanceID: 3, ClaimPayment: 5, Kind: "adjustment", Group: "CO", Reason: "45", Amount: 4000},
	{ID: 5, LineID: 11, RemittanceID: 3, ClaimPayment: 5, Kind: "patient_resp", Group: "PR", Reason: "1", Amount: 2000},
	{ID: 6, LineID: 12, RemittanceID: 3, ClaimPayment: 5, Kind: "adjustment", Group: "CO", Reason: "50", Amount: 10000},
	{ID: 7, LineID: 0, RemittanceID: 3, ClaimPayment: 5, Kind: "adjustment", Group: "OA", Reason: "23", Amount: -500},
	{ID: 8, LineID: 0, RemittanceID: 3, ClaimPayment: 5, Kind: "payment", Amount: 500, Memo: "claim-level adjustment of the line payments"},
	{ID: 9, LineID: 11, Kind: "patient_payment", Amount: 1000},
	{ID: 10, LineID: 11, RemittanceID: 4, ClaimPayment: 6, Kind: "payment", Amount: -9000, Reversal: true, Memo: "insurance payment, trace T2"},
	{ID: 11, LineID: 11, RemittanceID: 4, ClaimPayment: 6, Kind: "adjustment", Group: "CO", Reason: "45", Amount: -4000, Reversal: true},
}

// CheckLegacyLedger checks that s, opened over LegacyLedger, holds one
// entry per claim payment and line with the same balances, and hands out
// new entry IDs past the old ones; and that the legacy claim (one
// submission, no content stored) became version 1 of its content, an
// original taken in by intake.
func CheckLegacyLedger(t *testing.T, s pipeline.Store) {
	t.Helper()
	at := LegacyAt
	ins := func(id, line, remit, cp int64, paid int64, rev bool, memo string, as ...pipeline.Adjustment) pipeline.LedgerEntry {
		return pipeline.LedgerEntry{ID: id, ClaimID: LegacyClaimID, LineID: line, RemittanceID: remit, ClaimPayment: cp,
			Kind: pipeline.EntryInsurance, Payment: x12.Amount(paid), Adjustments: as, Reversal: rev, At: at, Memo: memo}
	}
	adj := func(g, r string, cents int64) pipeline.Adjustment {
		return pipeline.Adjustment{Group: g, Reason: r, Amount: x12.Amount(cents)}
	}
	want := []pipeline.LedgerEntry{
		{ID: 1, ClaimID: LegacyClaimID, LineID: 11, Kind: pipeline.EntryCharge, Charge: 15000, At: at, Memo: "charge, submission C1-1"},
		{ID: 2, ClaimID: LegacyClaimID, LineID: 12, Kind: pipeline.EntryCharge, Charge: 10000, At: at, Memo: "charge, submission C1-1"},
		ins(3, 11, 3, 5, 9000, false, "insurance payment, trace T1", adj("CO", "45", 4000), adj("PR", "1", 2000)),
		ins(6, 12, 3, 5, 0, false, "", adj("CO", "50", 10000)),
		ins(7, 0, 3, 5, 500, false, "claim-level adjustment of the line payments", adj("OA", "23", -500)),
		{ID: 9, ClaimID: LegacyClaimID, LineID: 11, Kind: pipeline.EntryPatientPayment, PatientPayment: 1000, At: at},
		ins(10, 11, 4, 6, -9000, true, "insurance payment, trace T2", adj("CO", "45", -4000)),
	}
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		got, err := tx.Entries(ctx, LegacyClaimID)
		must(t, "Entries", err)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("migrated entries:\n got %+v\nwant %+v", got, want)
		}
		bs, err := tx.LineBalances(ctx, LegacyClaimID)
		must(t, "LineBalances", err)
		wantB := map[int64]pipeline.Balance{
			11: {Charge: 15000, Payments: 0, Adjustments: 0, PatientResp: 2000, PatientPayments: 1000},
			12: {Charge: 10000, Adjustments: 10000},
			0:  {Payments: 500, Adjustments: -500},
		}
		if !reflect.DeepEqual(bs, wantB) {
			t.Errorf("migrated balances %+v, want %+v", bs, wantB)
		}
		c, err := tx.GetClaim(ctx, LegacyClaimID)
		must(t, "GetClaim", err)
		if c.Version != 1 || c.VersionKind != pipeline.VersionOriginal || c.Submissions != 1 || c.PCN != "C1-1" ||
			c.TotalCharge != 25000 || c.PayerClaimNumber != "" || c.PayerClaimSource != "" {
			t.Errorf("migrated claim: version %d %q, %d submissions, PCN %q, charge %d, payer claim number %q from %q; "+
				"want version 1 original, 1 submission, C1-1, 25000, none",
				c.Version, c.VersionKind, c.Submissions, c.PCN, c.TotalCharge, c.PayerClaimNumber, c.PayerClaimSource)
		}
		vs, err := tx.Versions(ctx, LegacyClaimID)
		must(t, "Versions", err)
		wantV := []pipeline.ClaimVersion{{ClaimID: LegacyClaimID, Version: 1, Kind: pipeline.VersionOriginal, Frequency: "1",
			TotalCharge: 25000, Actor: "intake", CreatedAt: at}}
		if !reflect.DeepEqual(vs, wantV) {
			t.Errorf("migrated versions:\n got %+v\nwant %+v", vs, wantV)
		}
		e := []pipeline.LedgerEntry{{ClaimID: LegacyClaimID, LineID: 11, Kind: pipeline.EntryWriteOff, WriteOff: 1}}
		must(t, "AddEntries", tx.AddEntries(ctx, e))
		if e[0].ID < LegacyNextID {
			t.Errorf("new entry ID %d reuses an old one (next free %d)", e[0].ID, LegacyNextID)
		}
	})
}

// SampleClaim is a ready claim with content, lines and modifiers, for
// adapters' migration tests of the JSON columns.
func SampleClaim(encounterID string) *pipeline.Claim {
	return sampleClaim(encounterID, pipeline.StateReady)
}
