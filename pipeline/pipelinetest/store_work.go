package pipelinetest

import (
	"context"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

var workTests = []storeTest{
	{"Work/AddFilterUpdate", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateDenied)
		items := []*pipeline.WorkItem{
			{Source: pipeline.SourceDenial, ClaimID: c.ID, EncounterID: "E1", RemittanceID: 3, InboundFileID: 4,
				Category: "eligibility", Summary: "claim denied", Status: pipeline.WorkOpen, CreatedAt: t0, UpdatedAt: t1,
				Reasons: []pipeline.Reason{{Code: "CARC 27", Text: "expenses incurred after coverage terminated", Location: "835 CAS"}}},
			{Source: pipeline.SourceIntake, EncounterID: "E9", Category: "intake", Summary: "unreadable record", Status: pipeline.WorkOpen,
				Reasons: []pipeline.Reason{{Text: "invalid JSON", Field: "lines[0].charge"}}},
			{Source: pipeline.SourceDenial, ClaimID: c.ID, Category: "coding", Summary: "line denied", Status: pipeline.WorkResolved, CreatedAt: t2},
			{Source: pipeline.SourceImbalance, RemittanceID: 3, Category: "out of balance", Status: pipeline.WorkOpen, Assignee: "kim"},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, w := range items {
				must(t, "AddWorkItem", tx.AddWorkItem(ctx, w))
				if w.ID == 0 {
					t.Fatal("AddWorkItem did not set the ID")
				}
			}
		})
		if items[0].CreatedAt != norm(t0) || items[0].UpdatedAt != norm(t1) {
			t.Errorf("times = %v, %v", items[0].CreatedAt, items[0].UpdatedAt)
		}
		checkStamp(t, "zero CreatedAt", items[1].CreatedAt)
		if items[1].UpdatedAt != items[1].CreatedAt || items[2].UpdatedAt != norm(t2) {
			t.Errorf("zero UpdatedAt should be CreatedAt: %v, %v", items[1].UpdatedAt, items[2].UpdatedAt)
		}
		for _, tc := range []struct {
			name string
			f    pipeline.WorkFilter
			want []*pipeline.WorkItem
		}{
			{"all", pipeline.WorkFilter{}, items},
			{"open", pipeline.WorkFilter{Status: pipeline.WorkOpen}, []*pipeline.WorkItem{items[0], items[1], items[3]}},
			{"denials", pipeline.WorkFilter{Source: pipeline.SourceDenial}, []*pipeline.WorkItem{items[0], items[2]}},
			{"claim", pipeline.WorkFilter{ClaimID: c.ID}, []*pipeline.WorkItem{items[0], items[2]}},
			{"open denials of the claim", pipeline.WorkFilter{Status: pipeline.WorkOpen, Source: pipeline.SourceDenial, ClaimID: c.ID}, items[:1]},
			{"limit", pipeline.WorkFilter{Status: pipeline.WorkOpen, Limit: 2}, items[:2]},
			{"none", pipeline.WorkFilter{Source: pipeline.SourceTA1}, nil},
		} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.WorkItems(ctx, tc.f)
				must(t, "WorkItems("+tc.name+")", err)
				if len(got) == 0 && len(tc.want) == 0 {
					return
				}
				same(t, "work items ("+tc.name+")", got, tc.want)
			})
		}
		w := items[1]
		w.Status, w.Assignee = pipeline.WorkInProgress, "lee"
		w.Summary = "not saved by UpdateWorkItem"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, w))
			err := tx.UpdateWorkItem(ctx, &pipeline.WorkItem{ID: 424242, Status: pipeline.WorkResolved})
			wantErr(t, "UpdateWorkItem(missing)", err, pipeline.ErrNotFound)
		})
		checkStamp(t, "UpdatedAt", w.UpdatedAt)
		w.Summary = "unreadable record"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.WorkItems(ctx, pipeline.WorkFilter{Status: pipeline.WorkInProgress})
			must(t, "WorkItems", err)
			same(t, "updated item", got, []*pipeline.WorkItem{w})
		})
	}},
	{"Sequence/MonotonicPerName", func(t *testing.T, _ *suite, s pipeline.Store) {
		next := func(ctx context.Context, tx pipeline.Tx, name string, want int64) {
			t.Helper()
			got, err := tx.NextSequence(ctx, name)
			must(t, "NextSequence", err)
			if got != want {
				t.Errorf("NextSequence(%q) = %d, want %d", name, got, want)
			}
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			next(ctx, tx, "isa13/sim", 1)
			next(ctx, tx, "isa13/sim", 2)
			next(ctx, tx, "gs06/sim", 1)
			next(ctx, tx, "isa13/other", 1)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			next(ctx, tx, "isa13/sim", 3)
			next(ctx, tx, "gs06/sim", 2)
		})
	}},
	{"Lock/Sequential", func(t *testing.T, _ *suite, s pipeline.Store) {
		for range 2 {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "Lock", tx.Lock(ctx, "job/submit"))
				must(t, "Lock another key", tx.Lock(ctx, "job/collect"))
			})
		}
	}},
}
