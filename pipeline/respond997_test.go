package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestApply997Accepted: a 4010 997 accepting the set moves its claims to
// ack_accepted like a 999, and the file is recorded as a 997.
func TestApply997Accepted(t *testing.T) {
	h := newHarness(t, nil)
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00"))
	rep := h.Deliver("ack.997", h.File997(cs["E1"], "A"))
	if rep.Processed != 1 || rep.Failed != 0 || rep.Responses.SetsAccepted == 0 || rep.Responses.SetsRejected != 0 {
		t.Fatalf("collect report %+v", rep)
	}
	for _, c := range cs {
		if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
			t.Errorf("claim %s: %s, want ack_accepted", c.PCN, got)
		}
	}
	blocks, err := h.P.ClaimSegments(context.Background(), cs["E1"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[1].Title != "997" || len(blocks[1].Segments) == 0 || !strings.HasPrefix(blocks[1].Segments[0], "AK2*837*") {
		t.Errorf("blocks %+v, want the 837 and the 997's AK2 loop", blocks)
	}
	if items := h.Work(pipeline.Source999); len(items) != 0 {
		t.Errorf("999 items %+v, want none", items)
	}
}

// TestApply997Rejected: a 997 rejecting the set moves its claim to
// ack_rejected with a 999 work item whose reasons name the AK3 segment
// and the AK4 element (and the encounter field written there).
func TestApply997Rejected(t *testing.T) {
	h := newHarness(t, nil)
	c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
	rep := h.Deliver("r.997", h.File997(c, "R"))
	if rep.Processed != 1 || rep.Responses.SetsRejected != 1 || rep.Responses.ClaimsRejected != 1 {
		t.Fatalf("collect report %+v", rep)
	}
	if got := h.Claim(c.ID).State; got != pipeline.StateAckRejected {
		t.Fatalf("claim %s, want ack_rejected", got)
	}
	items := h.Work(pipeline.Source999)
	if len(items) != 1 {
		t.Fatalf("999 items %+v, want one", items)
	}
	it := items[0]
	if it.ClaimID != c.ID || it.InboundFileID == 0 || !strings.Contains(it.Summary, "rejected") {
		t.Errorf("item %+v", it)
	}
	var got []string
	for _, r := range it.Reasons {
		got = append(got, r.Code+"|"+r.Location+"|"+r.Field)
	}
	want := []string{"IK5-5|", "IK3-8|2010BA NM1 at set position", "IK4-4|NM109 (element 67) at set position"}
	if len(got) != len(want) {
		t.Fatalf("reasons %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("reason %d: %q, want it to begin %q", i, got[i], w)
		}
	}
	if !strings.HasSuffix(got[2], "|subscriber.member_id") {
		t.Errorf("AK4 reason %q names no field, want subscriber.member_id", got[2])
	}
	var ev *pipeline.Event
	for _, e := range h.Events(c.ID) {
		if e.To == pipeline.StateAckRejected {
			ev = &e
		}
	}
	if ev == nil || ev.FileID != it.InboundFileID || ev.Segment != 3 {
		t.Errorf("rejection event %+v, want one from the file at AK2 (segment 3)", ev)
	}
}
