package pipelinetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// uploadBulkTests cover the batch operations of recording an upload:
// ClaimHeads, ActiveLines and MoveClaimVersionsWithRefs, which moves
// claims from batched to submitted and records their PCNs.
var uploadBulkTests = []storeTest{
	{"Bulk/ClaimHeadsAndLines", func(t *testing.T, _ *suite, s pipeline.Store) {
		a := createClaim(t, s, "A", pipeline.StateBatched)
		b := createClaim(t, s, "B", pipeline.StateReady)
		empty := sampleClaim("C", pipeline.StateHeld)
		empty.Lines = nil
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, empty))
		})
		// Version 2 of b drops its first line (it stays, not active)
		// and adds one, numbered before the one kept.
		b.Lines = []pipeline.ClaimLine{
			{LineNo: 2, ControlNumber: "B-L2", Procedure: "87880", Charge: x12.MustAmount("100"), Units: "1"},
			{LineNo: 1, ControlNumber: "B-L3", Procedure: "99214", Charge: x12.MustAmount("90"), Units: "1"},
		}
		b.TotalCharge = x12.MustAmount("190")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, b, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "7", Data: b.Data, TotalCharge: x12.MustAmount("190"), Actor: "kim"}, 1))
			must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, b.ID, "B-1", 1, t1))
		})
		ids := []int64{b.ID, a.ID, empty.ID}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			heads, err := tx.ClaimHeads(ctx, ids)
			must(t, "ClaimHeads", err)
			lines, err := tx.ActiveLines(ctx, ids)
			must(t, "ActiveLines", err)
			// Each as the claim-by-claim reads return it: the lines
			// active, by line number, with what billing them needs.
			wantHeads := make(map[int64]pipeline.ClaimHead)
			wantLines := make(map[int64][]pipeline.ClaimLine)
			for _, id := range ids {
				h, err := tx.ClaimHead(ctx, id)
				must(t, "ClaimHead", err)
				wantHeads[id] = h
				ls, err := tx.ClaimLines(ctx, id)
				must(t, "ClaimLines", err)
				slices.SortFunc(ls, func(a, b pipeline.ClaimLine) int { return a.LineNo - b.LineNo })
				for _, l := range ls {
					if l.Active {
						wantLines[id] = append(wantLines[id], pipeline.ClaimLine{ID: l.ID, ClaimID: l.ClaimID, LineNo: l.LineNo,
							Charge: l.Charge, Active: true})
					}
				}
			}
			Same(t, "ClaimHeads", heads, wantHeads)
			Same(t, "ActiveLines", lines, wantLines)
			if h := heads[b.ID]; h.Version != 2 || h.TotalCharge != x12.MustAmount("190") || h.Submissions != 1 || h.FirstSubmittedAt != norm(t1) {
				t.Errorf("head of the revised claim: %+v", h)
			}
			if bl := lines[b.ID]; len(bl) != 2 || bl[0].ControlNumber != "" || bl[0].LineNo != 1 || bl[0].Charge != x12.MustAmount("90") ||
				len(lines[a.ID]) != 2 {
				t.Errorf("ActiveLines: %+v of B (want its 2 active lines, the new one first), %d of A (want 2)", bl, len(lines[a.ID]))
			}
			partial, err := tx.ClaimHeads(ctx, []int64{a.ID, 424242})
			must(t, "ClaimHeads with a missing claim", err)
			if _, ok := partial[424242]; ok || len(partial) != 1 {
				t.Errorf("ClaimHeads with a missing claim = %v; want only claim %d", partial, a.ID)
			}
			none, err := tx.ClaimHeads(ctx, nil)
			must(t, "ClaimHeads(none)", err)
			noLines, err := tx.ActiveLines(ctx, []int64{424242})
			must(t, "ActiveLines(missing)", err)
			if len(none) != 0 || len(noLines) != 0 {
				t.Errorf("ClaimHeads(none) = %v, ActiveLines(missing) = %v; want both empty", none, noLines)
			}
		})
	}},
	{"Bulk/UploadRecorded", func(t *testing.T, _ *suite, s pipeline.Store) {
		first := createClaim(t, s, "A", pipeline.StateBatched)
		again := createClaim(t, s, "B", pipeline.StateBatched)
		third := createClaim(t, s, "C", pipeline.StateBatched)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, again.ID, "B-1", 1, t0))
			must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, third.ID, "C-1", 1, t0))
		})
		evs := uploadedEvents(first, again, third)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MoveClaimVersionsWithRefs", tx.MoveClaimVersionsWithRefs(ctx, evs, []pipeline.ClaimRefs{
				{ClaimID: third.ID, PCN: "C-3", Submissions: 3, FirstSubmitted: t1}, // has one: kept
				{ClaimID: again.ID, PCN: "B-2", Submissions: 2},                     // none given: kept
				{ClaimID: first.ID, PCN: "A-1", Submissions: 1, FirstSubmitted: t1},
			}))
			must(t, "MoveClaimVersionsWithRefs(none)", tx.MoveClaimVersionsWithRefs(ctx, nil, nil))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, w := range []struct {
				c     *pipeline.Claim
				pcn   string
				subs  int
				first time.Time
			}{{first, "A-1", 1, t1}, {again, "B-2", 2, t0}, {third, "C-3", 3, t0}} {
				c, err := tx.GetClaim(ctx, w.c.ID)
				must(t, "GetClaim", err)
				if c.State != pipeline.StateSubmitted || c.PCN != w.pcn || c.Submissions != w.subs || c.FirstSubmittedAt != norm(w.first) {
					t.Errorf("claim %s: %s, PCN %q, %d submissions, first %v; want submitted, %q, %d, %v",
						c.EncounterID, c.State, c.PCN, c.Submissions, c.FirstSubmittedAt, w.pcn, w.subs, norm(w.first))
				}
				got, err := tx.Events(ctx, c.ID)
				must(t, "Events", err)
				want := evs[map[int64]int{first.ID: 0, again.ID: 1, third.ID: 2}[c.ID]]
				if len(got) != 1 {
					t.Fatalf("claim %s: events %+v, want one", c.EncounterID, got)
				}
				want.ID, want.At = got[0].ID, norm(want.At)
				Same(t, "event of claim "+c.EncounterID, got[0], want)
			}
		})
	}},
	{"Bulk/UploadRecordedChecksFirst", func(t *testing.T, _ *suite, s pipeline.Store) {
		ok := createClaim(t, s, "A", pipeline.StateBatched)
		moved := createClaim(t, s, "B", pipeline.StateAckRejected) // its state changed meanwhile
		revised := createClaim(t, s, "C", pipeline.StateBatched)   // a version 2 made meanwhile
		revised.Lines, revised.TotalCharge = revised.Lines[:1], x12.MustAmount("150")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, revised, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "1", Data: revised.Data, TotalCharge: x12.MustAmount("150"), Actor: "kim"}, 1))
		})
		for _, tc := range []struct {
			name   string
			claims []*pipeline.Claim
			want   error
			says   string // what the error names
		}{
			{"a claim in another state", []*pipeline.Claim{ok, moved}, pipeline.ErrConflict,
				fmt.Sprintf("claim %d is ack_rejected, not batched", moved.ID)},
			{"a claim at another version", []*pipeline.Claim{ok, revised}, pipeline.ErrConflict,
				fmt.Sprintf("claim %d is at version 2, not 1", revised.ID)},
			{"a claim that does not exist", []*pipeline.Claim{ok, {ID: 424242, Version: 1}}, pipeline.ErrNotFound, "claim 424242"},
		} {
			evs := uploadedEvents(tc.claims...)
			refs := make([]pipeline.ClaimRefs, len(evs))
			for i := range evs {
				evs[i].Version = 1 // what the submissions sent
				refs[i] = pipeline.ClaimRefs{ClaimID: evs[i].ClaimID, PCN: fmt.Sprintf("X-%d", i), Submissions: 1, FirstSubmitted: t1}
			}
			err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
				err := tx.MoveClaimVersionsWithRefs(t.Context(), evs, refs)
				wantErr(t, "MoveClaimVersionsWithRefs with "+tc.name, err, tc.want)
				if err != nil && !strings.Contains(err.Error(), tc.says) {
					t.Errorf("MoveClaimVersionsWithRefs with %s: %v; want it to say %q", tc.name, err, tc.says)
				}
				return err
			})
			wantErr(t, "the transaction of a refused upload", err, tc.want)
		}
		// A claim twice, among the moves or the refs, or a ref without
		// a move: refused before anything is written.
		for _, tc := range []struct {
			name string
			evs  []pipeline.Event
			refs []pipeline.ClaimRefs
		}{
			{"a claim moved twice", append(uploadedEvents(ok), uploadedEvents(ok)...), []pipeline.ClaimRefs{{ClaimID: ok.ID, PCN: "A-1"}}},
			{"a claim twice among the refs", uploadedEvents(ok), []pipeline.ClaimRefs{{ClaimID: ok.ID, PCN: "A-1"}, {ClaimID: ok.ID, PCN: "A-2"}}},
			{"a ref without a move", uploadedEvents(ok), []pipeline.ClaimRefs{{ClaimID: ok.ID, PCN: "A-1"}, {ClaimID: moved.ID, PCN: "B-1"}}},
		} {
			err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
				return tx.MoveClaimVersionsWithRefs(t.Context(), tc.evs, tc.refs)
			})
			if err == nil {
				t.Errorf("MoveClaimVersionsWithRefs with %s succeeded", tc.name)
			}
		}
		// Nothing was written.
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, c := range []*pipeline.Claim{ok, moved, revised} {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				if got.State != c.State || got.PCN != "" || got.Submissions != 0 || !got.FirstSubmittedAt.IsZero() {
					t.Errorf("claim %s after refused uploads: %s, PCN %q, %d submissions, first %v; want %s and no submission",
						c.EncounterID, got.State, got.PCN, got.Submissions, got.FirstSubmittedAt, c.State)
				}
				evs, err := tx.Events(ctx, c.ID)
				must(t, "Events", err)
				if len(evs) != 0 {
					t.Errorf("claim %s: events %+v written by refused uploads", c.EncounterID, evs)
				}
			}
		})
	}},
}

// uploadedEvents returns the events of an upload moving claims from
// batched to submitted at their versions.
func uploadedEvents(cs ...*pipeline.Claim) []pipeline.Event {
	evs := make([]pipeline.Event, len(cs))
	for i, c := range cs {
		evs[i] = pipeline.Event{ClaimID: c.ID, SubmissionID: int64(100 + i), At: t1, Kind: "uploaded",
			From: pipeline.StateBatched, To: pipeline.StateSubmitted, SetControl: "0001", Version: c.Version,
			Detail: "837P_1.x12 (ISA13 1, GS06 1, ST02 0001): verified"}
	}
	return evs
}
