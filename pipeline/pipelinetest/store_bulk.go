package pipelinetest

import (
	"context"
	"errors"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

var bulkTests = []storeTest{
	{"Bulk/MoveClaims", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		c3 := createClaim(t, s, "E3", pipeline.StateAckAccepted)
		evs := []pipeline.Event{
			{ClaimID: c3.ID, From: pipeline.StateAckAccepted, To: pipeline.StatePaid, At: t1, Kind: "835", Segment: 30},
			{ClaimID: c1.ID, From: pipeline.StateSubmitted, To: pipeline.StateDenied, At: t1, Kind: "835", Segment: 10},
			{ClaimID: c2.ID, From: pipeline.StateSubmitted, To: pipeline.StatePaid, Kind: "835", Segment: 20},
		}
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
				if i == 0 && (got.UpdatedAt != norm(t1) || evs2[0].At != norm(t1) || evs2[0].Segment != 10) {
					t.Errorf("claim %d: updated %v, event %+v", id, got.UpdatedAt, evs2[0])
				}
				// Only c2 was given a payer claim number.
				if wantRef := map[int64]string{c2.ID: "ICN-2"}[id]; got.PayerClaimNumber != wantRef {
					t.Errorf("claim %d: payer claim number %q, want %q", id, got.PayerClaimNumber, wantRef)
				}
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
			must(t, "MoveClaim", tx.MoveClaim(ctx, c2.ID, pipeline.StateSubmitted, pipeline.StateAccepted, pipeline.Event{Kind: "277ca"}))
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
		c1 := createClaim(t, s, "E1", pipeline.StatePaid)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		c3 := createClaim(t, s, "E3", pipeline.StateSubmitted) // never submitted: no target
		lines := func(c *pipeline.Claim) []pipeline.ClaimLine {
			out := make([]pipeline.ClaimLine, len(c.Lines))
			for i, l := range c.Lines {
				out[i] = pipeline.ClaimLine{ID: l.ID, ClaimID: l.ClaimID, LineNo: l.LineNo, ControlNumber: l.ControlNumber,
					Procedure: l.Procedure, RevenueCode: l.RevenueCode, Charge: l.Charge, ServiceDate: l.ServiceDate}
			}
			return out
		}
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
			// Entries added in this transaction count.
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{
				charge(c1, c1.Lines[0].ID, "150"), insurance(c1, c1.Lines[0].ID, "100", cas("CO", "45", "30"), cas("PR", "1", "12")),
				writeOff(c1, 0, "3"), patientPaid(c1, c1.Lines[0].ID, "12"), // a patient payment leaves the insurance balance
				charge(c3, c3.Lines[0].ID, "10"),
			}))
			got, err := tx.PostingTargets(ctx, []string{"E1-2", "nope", "E2-1", "E1-1", "E3-1"})
			must(t, "PostingTargets", err)
			open1 := x12.MustAmount("5") // 150 - 100 - 30 - 12 - 3
			want := []pipeline.PostingTarget{
				{SubmissionID: subs[0].ID, PCN: "E2-1", ClaimID: c2.ID, EncounterID: "E2", State: pipeline.StateSubmitted, Lines: lines(c2)},
				{SubmissionID: subs[1].ID, PCN: "E1-1", ClaimID: c1.ID, EncounterID: "E1", State: pipeline.StatePaid, PayerClaimNumber: "ICN-1", Lines: lines(c1), Open: open1},
				{SubmissionID: subs[2].ID, PCN: "E1-2", ClaimID: c1.ID, EncounterID: "E1", State: pipeline.StatePaid, PayerClaimNumber: "ICN-1", Lines: lines(c1), Open: open1},
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
			for id, want := range map[int64]string{c1.ID: "ICN-1", c2.ID: "", c3.ID: "ICN-3"} {
				c, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if c.PayerClaimNumber != want {
					t.Errorf("claim %d payer claim number %q, want %q", id, c.PayerClaimNumber, want)
				}
			}
		})
	}},
}
