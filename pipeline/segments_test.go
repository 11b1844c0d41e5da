package pipeline_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// submissions returns a claim's submissions, oldest first.
func submissions(t *testing.T, h *pipelinetest.Harness, claimID int64) []*pipeline.Submission {
	t.Helper()
	var subs []*pipeline.Submission
	err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
		var err error
		subs, err = tx.Submissions(context.Background(), claimID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

// blockWant is what a block must be: its title, its first segment's
// start, a segment it holds, and the start of its last segment.
type blockWant struct {
	title, first, holds, last string
}

func checkBlocks(t *testing.T, got []pipeline.SegmentBlock, want []blockWant) {
	t.Helper()
	if len(got) != len(want) {
		var titles []string
		for _, b := range got {
			titles = append(titles, b.Title)
		}
		t.Fatalf("blocks %q, want %d", titles, len(want))
	}
	for i, w := range want {
		b := got[i]
		if b.Title != w.title {
			t.Errorf("block %d: title %q, want %q", i, b.Title, w.title)
		}
		if b.Missing != "" || len(b.Segments) == 0 {
			t.Errorf("block %s: missing %q, %d segments", b.Title, b.Missing, len(b.Segments))
			continue
		}
		if !strings.HasPrefix(b.Segments[0], w.first) {
			t.Errorf("block %s starts with %q, want %q", b.Title, b.Segments[0], w.first)
		}
		if !strings.HasPrefix(b.Segments[len(b.Segments)-1], w.last) {
			t.Errorf("block %s ends with %q, want %q", b.Title, b.Segments[len(b.Segments)-1], w.last)
		}
		found := false
		for _, s := range b.Segments {
			found = found || strings.HasPrefix(s, w.holds)
			for _, end := range []string{"SE*", "GE*", "IEA*", "AK9*", "ST*", "ISA*"} {
				if strings.HasPrefix(s, end) {
					t.Errorf("block %s holds envelope segment %q", b.Title, s)
				}
			}
		}
		if !found {
			t.Errorf("block %s has no segment %q: %q", b.Title, w.holds, b.Segments)
		}
	}
}

func TestClaimSegments(t *testing.T) {
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	ctx := context.Background()

	t.Run("paid claim", func(t *testing.T) {
		blocks, err := h.P.ClaimSegments(ctx, cy.c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkBlocks(t, blocks, []blockWant{
			// The first claim of the set opens the billing provider's HL.
			{"837 sent as C1-1 (frequency 1)", "HL*1**20*1", "CLM*C1-1*120*", "REF*6R*"},
			{"999", "AK2*837*0001*", "IK5*A", "IK5*A"},
			{"277CA", "TRN*2*C1-1", "STC*A2:20", "DTP*472"},
			{"835", "CLP*C1-1*1*120*120*", "SVC*HC:36415*20*20", "REF*6R*"},
		})
		sub := submissions(t, h, cy.c1.ID)[0]
		b := blocks[0]
		if b.From != sub.SegFrom || len(b.Segments) != sub.SegTo-sub.SegFrom+1 || b.SetControl != sub.SetControl {
			t.Errorf("837 block from %d with %d segments in set %s; the submission says %d-%d in set %s",
				b.From, len(b.Segments), b.SetControl, sub.SegFrom, sub.SegTo, sub.SetControl)
		}
		if !strings.HasSuffix(b.FileName, "_837P.x12") {
			t.Errorf("837 block file name %q", b.FileName)
		}
		for _, b := range blocks[1:] {
			if b.From <= 1 || b.FileName == "" || b.SetControl == "" {
				t.Errorf("response block %+v is not placed", b)
			}
		}
		// Only the claim's own segments: the 835 block is one CLP loop.
		for _, s := range blocks[3].Segments[1:] {
			if strings.HasPrefix(s, "CLP*") {
				t.Errorf("the 835 block runs into another claim: %q", s)
			}
		}
	})

	t.Run("rejected claim, a later claim of the set", func(t *testing.T) {
		blocks, err := h.P.ClaimSegments(ctx, cy.c2.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A later claim under the same billing provider opens only its
		// subscriber's HL.
		checkBlocks(t, blocks, []blockWant{
			{"837 sent as C2-1 (frequency 1)", "HL*3*1*22*0", "CLM*C2-1*50*", "REF*6R*"},
			{"999", "AK2*837*0001*", "IK5*A", "IK5*A"},
			{"277CA", "TRN*2*C2-1", "STC*A7:164:IL", "DTP*472"},
		})
		// The 277CA block stops at the next claim's TRN.
		for _, s := range blocks[2].Segments {
			if strings.Contains(s, "C1-1") || strings.Contains(s, "C3-1") {
				t.Errorf("the 277CA block of C2-1 holds %q", s)
			}
		}
	})

	t.Run("corrected and sent again", func(t *testing.T) {
		if _, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: cy.c3.ID, Actor: "ana",
			Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEW3"}}}); err != nil {
			t.Fatal(err)
		}
		h.SubmitQueued()
		blocks, err := h.P.ClaimSegments(ctx, cy.c3.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkBlocks(t, blocks, []blockWant{
			{"837 sent as C3-1 (frequency 1)", "HL*4*1*22*0", "CLM*C3-1*70*", "REF*6R*"},
			// Alone in its file, the new version opens the provider's HL.
			{"837 sent as C3-2 (frequency 1)", "HL*1**20*1", "NM1*IL*1*DOE*PAT****MI*NEW3", "REF*6R*"},
			{"999", "AK2*837*0001*", "IK5*A", "IK5*A"},
			{"277CA", "TRN*2*C3-1", "STC*A7:164:IL", "DTP*472"},
		})
	})

	t.Run("files removed from the working folder", func(t *testing.T) {
		files, err := h.P.RecentInbound(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.Kind == "277CA" {
				if err := os.Remove(f.LocalPath); err != nil {
					t.Fatal(err)
				}
			}
		}
		bs, err := h.P.Batches(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			if b.ID == submissions(t, h, cy.c2.ID)[0].BatchID {
				if err := os.Remove(b.LocalPath); err != nil {
					t.Fatal(err)
				}
			}
		}
		blocks, err := h.P.ClaimSegments(ctx, cy.c2.ID)
		if err != nil {
			t.Fatalf("ClaimSegments with files gone: %v", err)
		}
		if len(blocks) != 3 {
			t.Fatalf("%d blocks, want 3 still listed", len(blocks))
		}
		for i, missing := range []bool{true, false, true} {
			b := blocks[i]
			if missing != (b.Missing != "") || missing != (len(b.Segments) == 0) {
				t.Errorf("block %s: missing %q with %d segments; want missing %v", b.Title, b.Missing, len(b.Segments), missing)
			}
			if missing && !strings.Contains(b.Missing, "no longer in the working folder") {
				t.Errorf("block %s: missing %q does not say why", b.Title, b.Missing)
			}
			if b.FileName == "" {
				t.Errorf("block %s lost its file name", b.Title)
			}
		}
	})

	t.Run("no claim", func(t *testing.T) {
		blocks, err := h.P.ClaimSegments(ctx, 999)
		if len(blocks) != 0 {
			t.Errorf("ClaimSegments of no claim = %+v, %v", blocks, err)
		}
	})
}

// TestClaimSegments999Rejection: a 999 that rejects the set shows its
// AK2 loop with the errors, and the work item's reason names the field
// of the element in error.
func TestClaimSegments999Rejection(t *testing.T) {
	h := newHarness(t, nil)
	c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
	h.Deliver("r.999", h.File999(c, "R"))
	if got := h.Claim(c.ID).State; got != pipeline.StateAckRejected {
		t.Fatalf("claim %s, want ack_rejected", got)
	}
	blocks, err := h.P.ClaimSegments(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkBlocks(t, blocks, []blockWant{
		{"837 sent as C1-1 (frequency 1)", "HL*1**20*1", "CLM*C1-1*100*", "REF*6R*"},
		{"999", "AK2*837*0001*", "IK4*9*67*4", "IK5*R*5"},
	})
	items := h.Work(pipeline.Source999)
	if len(items) != 1 {
		t.Fatalf("999 items %+v, want one", items)
	}
	var fields []string
	for _, r := range items[0].Reasons {
		if strings.HasPrefix(r.Code, "IK4-") {
			fields = append(fields, r.Field)
		}
	}
	if len(fields) != 1 || fields[0] != "subscriber.member_id" {
		t.Errorf("IK4 reasons name fields %q, want subscriber.member_id (2010BA NM109)", fields)
	}
}
