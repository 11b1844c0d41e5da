package pipeline_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

func TestBatchOverview(t *testing.T) {
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	ctx := context.Background()
	overview := func(limit int) []pipeline.BatchView {
		t.Helper()
		bv, err := h.P.BatchOverview(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		return bv
	}
	bv := overview(10)
	if len(bv) != 1 {
		t.Fatalf("%d batches, want 1", len(bv))
	}
	want := map[pipeline.ClaimState]int{pipeline.StatePaid: 1, pipeline.StateRejected: 2, pipeline.StateAckAccepted: 1}
	if !reflect.DeepEqual(bv[0].Claims, want) {
		t.Errorf("batch 1 claims %v, want %v", bv[0].Claims, want)
	}
	first := bv[0].ID

	// A correction of a sent claim supersedes what the batch carried, a
	// resubmission too; a claim not changed keeps its state.
	if _, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: cy.c2.ID, Actor: "ana",
		Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEW2"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.P.Resubmit(ctx, cy.c3.ID, "ana", ""); err != nil {
		t.Fatal(err)
	}
	bv = overview(10)
	want = map[pipeline.ClaimState]int{pipeline.StatePaid: 1, "superseded": 2, pipeline.StateAckAccepted: 1}
	if len(bv) != 1 || !reflect.DeepEqual(bv[0].Claims, want) {
		t.Errorf("after the correction: %d batches, claims %v; want %v", len(bv), bv[0].Claims, want)
	}

	h.SubmitQueued()
	h.Deliver("ack2.999", h.File999(h.Claim(cy.c2.ID), "A"))
	bv = overview(10)
	if len(bv) != 2 || bv[0].ID <= bv[1].ID || bv[1].ID != first {
		t.Fatalf("batches %d, %d; want the new one first", bv[0].ID, bv[1].ID)
	}
	if want := map[pipeline.ClaimState]int{pipeline.StateAckAccepted: 2}; !reflect.DeepEqual(bv[0].Claims, want) {
		t.Errorf("batch 2 claims %v, want %v", bv[0].Claims, want)
	}
	if bv[0].Batch == nil || bv[0].FileName == "" || bv[0].State != pipeline.BatchUploaded {
		t.Errorf("batch 2 %+v", bv[0].Batch)
	}
	if got := overview(1); len(got) != 1 || got[0].ID != bv[0].ID {
		t.Errorf("BatchOverview(1) = %d batches, want the newest", len(got))
	}
	if got := overview(0); len(got) != 2 {
		t.Errorf("BatchOverview(0) = %d batches, want all", len(got))
	}
}

func TestRecentInbound(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	if fs, err := h.P.RecentInbound(ctx, 10); err != nil || len(fs) != 0 {
		t.Fatalf("RecentInbound of none = %v, %v", fs, err)
	}
	runCycle(t, h)
	h.Deliver("junk.txt", []byte("not an X12 file"))
	tests := []struct {
		limit int
		names []string
	}{
		{0, []string{"junk.txt", "pay.835", "status.277", "ack.999"}},
		{10, []string{"junk.txt", "pay.835", "status.277", "ack.999"}},
		{2, []string{"junk.txt", "pay.835"}},
		{1, []string{"junk.txt"}},
	}
	for _, tt := range tests {
		fs, err := h.P.RecentInbound(ctx, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range fs {
			names = append(names, f.Name)
		}
		if !reflect.DeepEqual(names, tt.names) {
			t.Errorf("RecentInbound(%d) = %v, want %v", tt.limit, names, tt.names)
		}
	}
	fs, _ := h.P.RecentInbound(ctx, 0)
	kinds := map[string]string{}
	for _, f := range fs {
		kinds[f.Name] = f.Kind + "/" + string(f.State)
	}
	want := map[string]string{"junk.txt": "unknown/" + string(pipeline.InboundFailed), "pay.835": "835/processed",
		"status.277": "277CA/processed", "ack.999": "999/processed"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds and states %v, want %v", kinds, want)
	}
}
