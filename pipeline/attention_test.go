package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestAttentionListsTheFirstAndCountsAll: a run's report lists the first
// pipeline.AttentionListed work items it left for a person, oldest first,
// and counts them all, so that its size does not grow with the night's
// volume; items not changed by the run, and closed ones, are left out.
func TestAttentionListsTheFirstAndCountsAll(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	p, err := pipeline.New(pipeline.Options{Store: s, Dir: t.TempDir(),
		Partners: []*pipeline.Partner{{Name: "sim", Transport: pipelinetest.NewMemTransport(), SenderID: "US", ReceiverID: "CH"}}})
	if err != nil {
		t.Fatal(err)
	}
	open := func(n int, prefix string) []*pipeline.WorkItem {
		var ws []*pipeline.WorkItem
		if err := s.InTx(ctx, func(tx pipeline.Tx) error {
			for i := range n {
				w := &pipeline.WorkItem{Key: fmt.Sprintf("%s%d", prefix, i), Source: pipeline.SourceDenial, Code: "CO-50", Summary: "denied"}
				if _, err := tx.OpenWorkItem(ctx, w); err != nil {
					return err
				}
				ws = append(ws, w)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ws
	}
	open(3, "before-")
	time.Sleep(2 * time.Millisecond)
	since := time.Now()
	time.Sleep(2 * time.Millisecond)
	run := open(pipeline.AttentionListed+7, "run-")
	if err := s.InTx(ctx, func(tx pipeline.Tx) error {
		_, err := tx.CloseWorkItems(ctx, run[len(run)-1].Key, "kim", "done")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	items, total, err := pipeline.Attention(p, ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if total != pipeline.AttentionListed+6 || len(items) != pipeline.AttentionListed {
		t.Fatalf("attention: %d items listed, %d in all; want %d listed of %d", len(items), total, pipeline.AttentionListed, pipeline.AttentionListed+6)
	}
	for i, w := range items {
		if w.ID != run[i].ID {
			t.Fatalf("item %d listed is #%d, want #%d (the run's, oldest first)", i, w.ID, run[i].ID)
		}
	}
	if items, total, err := pipeline.Attention(p, ctx, time.Now().Add(time.Hour)); err != nil || total != 0 || len(items) != 0 {
		t.Errorf("attention of a run that left nothing: %d items, %d in all, %v", len(items), total, err)
	}
}
