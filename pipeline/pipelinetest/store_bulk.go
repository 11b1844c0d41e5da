package pipelinetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

var bulkTests = []storeTest{
	{"Bulk/MoveClaims", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		c3 := createClaim(t, s, "E3", pipeline.StateAckAccepted)
		evs := []pipeline.Event{
			{ClaimID: c3.ID, From: pipeline.StateAckAccepted, To: pipeline.StatePaid, At: t1, Kind: "835", Segment: 30},
			{ClaimID: c1.ID, From: pipeline.StateSubmitted, To: pipeline.StateDenied, At: t1, Kind: "835", Segment: 10, Version: 2, Actor: "kim"},
			{ClaimID: c2.ID, From: pipeline.StateSubmitted, To: pipeline.StatePaid, Kind: "835", Segment: 20},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// c1 and c2 have a number from a 277CA.
			for _, c := range []*pipeline.Claim{c1, c2} {
				_, err := tx.SetPayerClaimNumber(ctx, c.ID, c.EncounterID+"-277", "277ca")
				must(t, "SetPayerClaimNumber", err)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MoveClaims", tx.MoveClaims(ctx, evs, map[int64]string{c2.ID: "ICN-2", 777: "not moved"}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, want := range []pipeline.ClaimState{pipeline.StateDenied, pipeline.StatePaid, pipeline.StatePaid} {
				id := []int64{c1.ID, c2.ID, c3.ID}[i]
				got, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if got.State != want {
					t.Errorf("claim %d: state %s, want %s", id, got.State, want)
				}
				evs2, err := tx.Events(ctx, id)
				must(t, "Events", err)
				if len(evs2) != 1 || evs2[0].To != want || evs2[0].ClaimID != id {
					t.Errorf("claim %d: events %+v", id, evs2)
				}
				if i == 0 && (got.UpdatedAt != norm(t1) || evs2[0].At != norm(t1) || evs2[0].Segment != 10 || evs2[0].Version != 2 || evs2[0].Actor != "kim") {
					t.Errorf("claim %d: updated %v, event %+v", id, got.UpdatedAt, evs2[0])
				}
				// Only c2 was given a payer claim number, which comes
				// from an 835; c1 keeps its 277CA's.
				want := map[int64][2]string{c1.ID: {"E1-277", "277ca"}, c2.ID: {"ICN-2", "835"}}[id]
				if got.PayerClaimNumber != want[0] || got.PayerClaimSource != want[1] {
					t.Errorf("claim %d: payer claim number %q from %q, want %q from %q", id, got.PayerClaimNumber, got.PayerClaimSource, want[0], want[1])
				}
			}
			// The 835's number now stands against a 277CA's.
			changed, err := tx.SetPayerClaimNumber(ctx, c2.ID, "E2-277-again", "277ca")
			must(t, "SetPayerClaimNumber", err)
			if changed {
				t.Errorf("a 277CA number replaced the one MoveClaims recorded from an 835")
			}
		})
	}},
	{"Bulk/MoveClaimsChecksFirst", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StatePaid)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			b := tx
			move := func(id int64, from, to pipeline.ClaimState) pipeline.Event {
				return pipeline.Event{ClaimID: id, From: from, To: to, Kind: "835"}
			}
			err := b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(c1.ID, pipeline.StateSubmitted, pipeline.StatePaid)}, nil)
			wantErr(t, "MoveClaims with a claim in another state", err, pipeline.ErrConflict)
			err = b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(424242, pipeline.StateSubmitted, pipeline.StatePaid)}, nil)
			wantErr(t, "MoveClaims with a missing claim", err, pipeline.ErrNotFound)
			err = b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(c1.ID, pipeline.StatePaid, pipeline.StateBatched)}, nil)
			var te *pipeline.TransitionError
			if !errors.As(err, &te) || te.ClaimID != c1.ID {
				t.Errorf("MoveClaims with an illegal move = %v, want a *TransitionError for claim %d", err, c1.ID)
			}
			if err := b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid)}, nil); err == nil {
				t.Errorf("MoveClaims with a claim twice succeeded")
			}
			must(t, "MoveClaims(none)", b.MoveClaims(ctx, nil, nil))
			// Nothing moved, and the transaction goes on.
			got, err := tx.GetClaim(ctx, c2.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StateSubmitted {
				t.Errorf("claim %d moved by a refused MoveClaims: %s", c2.ID, got.State)
			}
			must(t, "MoveClaim", tx.MoveClaim(ctx, c2.ID, 0, pipeline.StateSubmitted, pipeline.StateAccepted, pipeline.Event{Kind: "277ca"}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, c := range []*pipeline.Claim{c1, c2} {
				evs, err := tx.Events(ctx, c.ID)
				must(t, "Events", err)
				if want := map[int64]int{c1.ID: 0, c2.ID: 1}[c.ID]; len(evs) != want {
					t.Errorf("claim %d: %d events, want %d", c.ID, len(evs), want)
				}
			}
		})
	}},
	{"Bulk/PostingTargets", func(t *testing.T, _ *suite, s pipeline.Store) {
		// c1's lines are numbered against their ID order.
		c1 := sampleClaim("E1", pipeline.StatePaid)
		c1.PayerID = "PAYER09"
		c1.Lines[0].LineNo, c1.Lines[1].LineNo = 2, 1
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c1))
		})
		// c2 lists other coverage: posting reads that it does.
		c2 := sampleClaim("E2", pipeline.StateSubmitted)
		c2.Data.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Payer: x837.OtherPayer{Name: "Second Payer", ID: "PAYER02"}}}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c2))
		})
		c3 := createClaim(t, s, "E3", pipeline.StateSubmitted) // never submitted: no target
		// Version 2 of c1 replaces both its lines by a new one: they
		// stay, not active.
		old1 := slices.Clone(c1.Lines)
		c1.Lines = []pipeline.ClaimLine{{LineNo: 1, ControlNumber: "E1-L3", Procedure: "99214", Charge: x12.MustAmount("90"),
			Units: "1", ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 4}}}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c1, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "7", Data: c1.Data, TotalCharge: x12.MustAmount("90"), Actor: "kim"}, 1))
		})
		// What posting reads of a line.
		target := func(l pipeline.ClaimLine, active bool) pipeline.ClaimLine {
			return pipeline.ClaimLine{ID: l.ID, ClaimID: l.ClaimID, LineNo: l.LineNo, ControlNumber: l.ControlNumber,
				Procedure: l.Procedure, RevenueCode: l.RevenueCode, Charge: l.Charge, ServiceDate: l.ServiceDate, Active: active}
		}
		// c1: the active line, then the others in ID order (not in
		// line number order).
		lines1 := []pipeline.ClaimLine{target(c1.Lines[0], true), target(old1[0], false), target(old1[1], false)}
		lines2 := []pipeline.ClaimLine{target(c2.Lines[0], true), target(c2.Lines[1], true)}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			subs := []*pipeline.Submission{
				{ClaimID: c2.ID, Version: 1, PCN: "E2-1", CreatedAt: t1},
				{ClaimID: c1.ID, Version: 1, PCN: "E1-1", CreatedAt: t1},
				{ClaimID: c1.ID, Version: 2, PCN: "E1-2", Frequency: "7", CreatedAt: t1},
			}
			for _, sub := range subs {
				must(t, "CreateSubmission", tx.CreateSubmission(ctx, sub))
			}
			must(t, "SetPayerClaimNumbers", tx.SetPayerClaimNumbers(ctx, map[int64]string{c1.ID: "ICN-1"}))
			// Entries added in this transaction count, on inactive lines too.
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{
				charge(c1, old1[0].ID, "150"), insurance(c1, old1[0].ID, "100", cas("CO", "45", "30"), cas("PR", "1", "12")),
				writeOff(c1, 0, "3"), patientPaid(c1, old1[0].ID, "12"), // a patient payment leaves the insurance balance
				charge(c3, c3.Lines[0].ID, "10"),
			}))
			got, err := tx.PostingTargets(ctx, []string{"E1-2", "nope", "E2-1", "E1-1", "E3-1"})
			must(t, "PostingTargets", err)
			open1 := x12.MustAmount("5") // 150 - 100 - 30 - 12 - 3
			want := []pipeline.PostingTarget{
				{SubmissionID: subs[0].ID, SubmissionVersion: 1, PCN: "E2-1", ClaimID: c2.ID, EncounterID: "E2", PayerID: "PAYER01",
					State: pipeline.StateSubmitted, Version: 1, VersionKind: pipeline.VersionOriginal, OtherCoverage: true, Lines: lines2},
				{SubmissionID: subs[1].ID, SubmissionVersion: 1, PCN: "E1-1", ClaimID: c1.ID, EncounterID: "E1", PayerID: "PAYER09",
					State: pipeline.StatePaid, Version: 2, VersionKind: pipeline.VersionCorrection, PayerClaimNumber: "ICN-1", Lines: lines1, Open: open1},
				{SubmissionID: subs[2].ID, SubmissionVersion: 2, PCN: "E1-2", ClaimID: c1.ID, EncounterID: "E1", PayerID: "PAYER09",
					State: pipeline.StatePaid, Version: 2, VersionKind: pipeline.VersionCorrection, PayerClaimNumber: "ICN-1", Lines: lines1, Open: open1},
			}
			same(t, "posting targets", got, want)
			none, err := tx.PostingTargets(ctx, nil)
			must(t, "PostingTargets(none)", err)
			if len(none) != 0 {
				t.Errorf("PostingTargets(nil) = %+v", none)
			}
		})
	}},
	{"Bulk/SetPayerClaimNumbers", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		c3 := createClaim(t, s, "E3", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.SetPayerClaimNumber(ctx, c1.ID, "ICN-1-277", "277ca")
			must(t, "SetPayerClaimNumber", err)
			must(t, "SetPayerClaimNumbers", tx.SetPayerClaimNumbers(ctx, map[int64]string{c1.ID: "ICN-1", c3.ID: "ICN-3"}))
		})
		// An unknown claim fails the call, and the transaction rolls back.
		err := s.InTx(context.Background(), func(tx pipeline.Tx) error {
			return tx.SetPayerClaimNumbers(context.Background(), map[int64]string{c2.ID: "X", 999999: "Y"})
		})
		if !errors.Is(err, pipeline.ErrNotFound) {
			t.Errorf("SetPayerClaimNumbers with an unknown claim: %v, want ErrNotFound", err)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// The numbers come from an 835: c1's replaces its 277CA's.
			for id, want := range map[int64][2]string{c1.ID: {"ICN-1", "835"}, c2.ID: {"", ""}, c3.ID: {"ICN-3", "835"}} {
				c, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if c.PayerClaimNumber != want[0] || c.PayerClaimSource != want[1] {
					t.Errorf("claim %d payer claim number %q from %q, want %q from %q", id, c.PayerClaimNumber, c.PayerClaimSource, want[0], want[1])
				}
			}
		})
	}},
}
