package pipelinetest

import (
	"context"
	"slices"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// intakeBulkTests cover the batch operations of intake and build:
// KnownEncounters, AddEncounters, NextSequences, CreateClaims,
// CreateSubmissions and MoveClaimVersions.
var intakeBulkTests = []storeTest{
	{"Bulk/EncountersKnownAndAdded", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateReady)
		old := &pipeline.EncounterRecord{ID: "E0", Source: "a.jsonl", Line: 2, SHA256: "00", ReceivedAt: t0}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "PutEncounter", tx.PutEncounter(ctx, old))
		})
		added := []*pipeline.EncounterRecord{
			{ID: "E1", Source: "b.jsonl", SHA256: "11", Raw: []byte(`{"id":"E1"}`), ClaimID: c.ID,
				Problems: []pipeline.Reason{{Code: "w", Text: "a warning", Severity: "warning"}}, ReceivedAt: t1},
			{ID: "E2", Source: "b.jsonl", SHA256: "22", Raw: []byte{'{', 0, 0xff, '}'}},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			known, err := tx.KnownEncounters(ctx, []string{"E0", "E1", "E2"})
			must(t, "KnownEncounters", err)
			Same(t, "known before", known, map[string]bool{"E0": true})
			must(t, "AddEncounters", tx.AddEncounters(ctx, added))
			known, err = tx.KnownEncounters(ctx, []string{"E0", "E1", "E2", "E3"})
			must(t, "KnownEncounters", err)
			Same(t, "known after", known, map[string]bool{"E0": true, "E1": true, "E2": true})
		})
		checkStamp(t, "ReceivedAt of a record without one", added[1].ReceivedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, want := range added {
				got, err := tx.GetEncounter(ctx, want.ID)
				must(t, "GetEncounter", err)
				Same(t, "added encounter "+want.ID, got, want)
			}
		})
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			return tx.AddEncounters(t.Context(), []*pipeline.EncounterRecord{{ID: "E0", Source: "c.jsonl", ReceivedAt: t1}})
		})
		wantErr(t, "AddEncounters of a recorded ID", err, pipeline.ErrConflict)
	}},
	{"Bulk/NextSequences", func(t *testing.T, _ *suite, s pipeline.Store) {
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			last, err := tx.NextSequences(ctx, "lines", 5)
			must(t, "NextSequences(new, 5)", err)
			if last != 5 {
				t.Errorf("last of the first 5 = %d, want 5", last)
			}
			v, err := tx.NextSequence(ctx, "lines")
			must(t, "NextSequence", err)
			if v != 6 {
				t.Errorf("next after the block = %d, want 6", v)
			}
			last, err = tx.NextSequences(ctx, "lines", 3)
			must(t, "NextSequences(3)", err)
			if last != 9 {
				t.Errorf("last of the next 3 = %d, want 9", last)
			}
			if _, err := tx.NextSequences(ctx, "lines", 0); err == nil {
				t.Errorf("NextSequences(0) succeeded, want an error")
			}
		})
	}},
	{"Bulk/CreateClaims", func(t *testing.T, _ *suite, s pipeline.Store) {
		first := createClaim(t, s, "A", pipeline.StateReady) // one by one, then in bulk: IDs go on
		cs := []*pipeline.Claim{sampleClaim("B", pipeline.StateReady), sampleClaim("C", pipeline.StateHeld), sampleClaim("D", pipeline.StateReady)}
		cs[2].Lines = nil
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaims", tx.CreateClaims(ctx, cs))
			must(t, "CreateClaims(none)", tx.CreateClaims(ctx, nil))
		})
		last := createClaim(t, s, "E", pipeline.StateReady)
		ids := []int64{first.ID, cs[0].ID, cs[1].ID, cs[2].ID, last.ID}
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("claim IDs %v, want 5 increasing IDs", ids)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, want := range cs {
				got, err := tx.GetClaim(ctx, want.ID)
				must(t, "GetClaim", err)
				Same(t, "claim "+want.EncounterID, got, want)
				vs, err := tx.Versions(ctx, want.ID)
				must(t, "Versions", err)
				Same(t, "versions of "+want.EncounterID, vs, []pipeline.ClaimVersion{firstVersion(want)})
			}
		})
		// A line item control number is unique within its claim, not
		// across claims.
		other := sampleClaim("F", pipeline.StateReady)
		other.Lines[0].ControlNumber = "B-L1"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaims with another claim's control number", tx.CreateClaims(ctx, []*pipeline.Claim{other}))
		})
		dup := sampleClaim("G", pipeline.StateReady)
		dup.Lines[1].ControlNumber = dup.Lines[0].ControlNumber
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.CreateClaims(t.Context(), []*pipeline.Claim{dup}) })
		wantErr(t, "CreateClaims with a control number twice", err, pipeline.ErrConflict)
	}},
	{"Bulk/SubmissionsAndVersionedMoves", func(t *testing.T, _ *suite, s pipeline.Store) {
		a := createClaim(t, s, "A", pipeline.StateReady)
		b := createClaim(t, s, "B", pipeline.StateReady)
		batch := sampleBatch("000000007", "7", pipeline.BatchBuilt)
		subs := []*pipeline.Submission{
			{ClaimID: a.ID, Version: 1, PCN: pipeline.PCN(a.ID, 1), Frequency: "1", SetControl: "0001", SegFrom: 10, SegTo: 30, CreatedAt: t1},
			{ClaimID: b.ID, Version: 1, PCN: pipeline.PCN(b.ID, 1), Frequency: "1", SetControl: "0001", SegFrom: 31, SegTo: 50, CreatedAt: t1},
		}
		moves := func(version int) []pipeline.Event {
			var evs []pipeline.Event
			for _, sub := range subs {
				evs = append(evs, pipeline.Event{ClaimID: sub.ClaimID, SubmissionID: sub.ID, At: t1, Kind: "batched",
					Version: version, From: pipeline.StateReady, To: pipeline.StateBatched})
			}
			return evs
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateBatch", tx.CreateBatch(ctx, batch))
			for _, sub := range subs {
				sub.BatchID = batch.ID
			}
			must(t, "CreateSubmissions", tx.CreateSubmissions(ctx, subs))
			wantErr(t, "MoveClaimVersions at another version", tx.MoveClaimVersions(ctx, moves(2)), pipeline.ErrConflict)
			must(t, "MoveClaimVersions", tx.MoveClaimVersions(ctx, moves(1)))
		})
		if subs[0].ID == 0 || subs[1].ID <= subs[0].ID {
			t.Errorf("submission IDs %d, %d; want increasing IDs", subs[0].ID, subs[1].ID)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, want := range subs {
				got, err := tx.SubmissionByPCN(ctx, want.PCN)
				must(t, "SubmissionByPCN", err)
				Same(t, "submission "+want.PCN, got, want)
				c, err := tx.GetClaim(ctx, want.ClaimID)
				must(t, "GetClaim", err)
				if c.State != pipeline.StateBatched {
					t.Errorf("claim %d is %s, want batched", c.ID, c.State)
				}
			}
		})
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			again := *subs[0]
			return tx.CreateSubmissions(t.Context(), []*pipeline.Submission{&again})
		})
		wantErr(t, "CreateSubmissions with a PCN in use", err, pipeline.ErrConflict)
	}},
}
