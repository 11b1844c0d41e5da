package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12/x835"
)

const day = 24 * time.Hour

// overdueHarness is a harness whose clearinghouse has the waits o, over
// a store that stamps times with the harness's clock (a person's
// resolution of an item, say).
func overdueHarness(t *testing.T, o pipeline.Overdue) *pipelinetest.Harness {
	t.Helper()
	s := openStore(t)
	var h *pipelinetest.Harness
	h = newHarnessOver(t, s, func(opt *pipeline.Options) { opt.Partners[0].Overdue = o })
	s.SetClock(func() time.Time { return h.Now })
	return h
}

// checkOverdue runs CheckOverdue and compares its report with want.
func checkOverdue(t *testing.T, h *pipelinetest.Harness, want pipeline.OverdueReport) {
	t.Helper()
	got, err := h.P.CheckOverdue(context.Background())
	if err != nil {
		t.Fatalf("CheckOverdue: %v", err)
	}
	if got != want {
		t.Fatalf("at %s CheckOverdue = %+v, want %+v", h.Now.Format(time.DateTime), got, want)
	}
}

// closedOverdue returns the closed overdue item with that key (the
// newest when several), failing the test when there is none.
func closedOverdue(t *testing.T, h *pipelinetest.Harness, key string) *pipeline.WorkItem {
	t.Helper()
	items, err := h.P.Queue(context.Background(), pipeline.WorkFilter{Source: pipeline.SourceOverdue, Status: pipeline.WorkClosed, Key: key})
	if err != nil {
		t.Fatalf("Queue: %v", err)
	}
	if len(items) == 0 {
		t.Fatalf("no closed item %s", key)
	}
	return items[len(items)-1]
}

// batchOf returns the batch of a claim's latest submission.
func batchOf(t *testing.T, h *pipelinetest.Harness, c *pipeline.Claim) *pipeline.Batch {
	t.Helper()
	var b *pipeline.Batch
	err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
		subs, err := tx.Submissions(context.Background(), c.ID)
		if err != nil {
			return err
		}
		b, err = tx.GetBatch(context.Background(), subs[len(subs)-1].BatchID)
		return err
	})
	if err != nil {
		t.Fatalf("batch of claim %d: %v", c.ID, err)
	}
	return b
}

func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q does not contain %q", what, s, sub)
		}
	}
}

func TestOverdue999(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{AckAfter: 48 * time.Hour})
	start := h.Now
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00"))
	b := batchOf(t, h, cs["E1"])

	// Not before the wait is over.
	h.Now = start.Add(48 * time.Hour)
	checkOverdue(t, h, pipeline.OverdueReport{})
	if items := h.Work(pipeline.SourceOverdue); len(items) != 0 {
		t.Fatalf("overdue items at the end of the wait: %+v", items)
	}

	h.Now = start.Add(49 * time.Hour)
	checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Opened: 1, Open: 1}})
	items := h.Work(pipeline.SourceOverdue)
	if len(items) != 1 {
		t.Fatalf("open overdue items = %d, want 1", len(items))
	}
	it := items[0]
	if it.Key != pipeline.OverdueBatchKey(b.ID) || it.Code != pipeline.CodeOverdue999 || it.Category != "no 999" ||
		it.BatchID != b.ID || it.ClaimID != 0 || it.PayerID != b.PayerID || !it.CreatedAt.Equal(h.Now) {
		t.Errorf("item = %+v, want one about batch %d opened now", it, b.ID)
	}
	wantContains(t, "summary", it.Summary, b.FileName, "2 claims", "49 hours ago", "the wait is 48 hours")
	if got := pipeline.Headline(it); got != "No 999 after 48 hours" {
		t.Errorf("Headline = %q", got)
	}

	// Again, and later: the same item, untouched.
	for _, at := range []time.Duration{49 * time.Hour, 60 * time.Hour} {
		h.Now = start.Add(at)
		checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Open: 1}})
	}
	again := h.Work(pipeline.SourceOverdue)
	if len(again) != 1 || again[0].ID != it.ID || again[0].Summary != it.Summary || !again[0].UpdatedAt.Equal(it.UpdatedAt) {
		t.Errorf("after the reruns the items are %+v, want item %d unchanged", again, it.ID)
	}

	// The 999 comes: the item closes at the next check, and stays closed.
	h.Deliver("ack.999", h.File999(cs["E1"], "A"))
	checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Closed: 1}})
	closed := closedOverdue(t, h, it.Key)
	if closed.ID != it.ID || closed.ClosedBy != pipeline.SystemActor {
		t.Errorf("closed item %d by %q, want %d by the system", closed.ID, closed.ClosedBy, it.ID)
	}
	wantContains(t, "note", closed.Note, b.FileName, "2 ack_accepted")
	checkOverdue(t, h, pipeline.OverdueReport{})
}

func TestOverdue999RejectedCloses(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{AckAfter: 2 * time.Hour})
	start := h.Now
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"))
	h.Now = start.Add(3 * time.Hour)
	checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Opened: 1, Open: 1}})
	h.Deliver("ack.999", h.File999(cs["E1"], "R"))
	checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Closed: 1}})
	wantContains(t, "note", closedOverdue(t, h, pipeline.OverdueBatchKey(batchOf(t, h, cs["E1"]).ID)).Note, "1 ack_rejected")
}

func TestOverdue277CAAnd835(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{AckAfter: 48 * time.Hour, AcknowledgmentAfter: 7 * day, PaymentAfter: 30 * day})
	start := h.Now
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00"), pipelinetest.Encounter("E3", "70.00"))
	e1, e2, e3 := cs["E1"], cs["E2"], cs["E3"]
	b := batchOf(t, h, e1)
	h.Now = start.Add(2 * time.Hour)
	h.Deliver("ack.999", h.File999(e1, "A"))

	h.Now = start.Add(7 * day)
	checkOverdue(t, h, pipeline.OverdueReport{})
	h.Now = start.Add(7*day + time.Hour)
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Opened: 3, Open: 3}})
	items := h.Work(pipeline.SourceOverdue)
	if len(items) != 3 {
		t.Fatalf("open overdue items = %d, want 3", len(items))
	}
	for i, c := range []*pipeline.Claim{e1, e2, e3} {
		it := items[i]
		if it.Key != pipeline.OverdueClaimKey(pipeline.CodeOverdue277CA, c.ID) || it.Code != pipeline.CodeOverdue277CA ||
			it.Category != "no 277CA" || it.ClaimID != c.ID || it.Version != 1 || it.BatchID != b.ID ||
			it.PayerID != pipelinetest.HarnessPayerID {
			t.Errorf("item %d = %+v, want one about claim %d", i, it, c.ID)
		}
		wantContains(t, "summary", it.Summary, "No 277CA", c.PCN, b.FileName, "7 days ago", "the wait is 7 days")
	}
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Open: 3}})

	// The 277CA accepts E1 and rejects E2; nothing about E3.
	h.Deliver("status.277", h.File277([]*pipeline.Claim{e1, e2}, map[int64]bool{e2.ID: true}))
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Open: 1, Closed: 2}})
	if open := h.Work(pipeline.SourceOverdue); len(open) != 1 || open[0].ClaimID != e3.ID {
		t.Errorf("open overdue items = %+v, want E3's", open)
	}
	wantContains(t, "E1's note", closedOverdue(t, h, items[0].Key).Note, "accepted now")
	wantContains(t, "E2's note", closedOverdue(t, h, items[1].Key).Note, "rejected now")

	// Thirty days after the upload, no 835 for E1.
	h.Now = start.Add(30 * day)
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Open: 1}})
	h.Now = start.Add(30*day + time.Hour)
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Open: 1}, No835: pipeline.OverdueCount{Opened: 1, Open: 1}})
	pay := h.Work(pipeline.SourceOverdue)[1]
	if pay.Key != pipeline.OverdueClaimKey(pipeline.CodeOverdue835, e1.ID) || pay.Category != "no 835" || pay.ClaimID != e1.ID {
		t.Errorf("835 item = %+v", pay)
	}
	wantContains(t, "summary", pay.Summary, "No 835", e1.PCN, "30 days ago", "the wait is 30 days")

	// The work queue shows them as their own group.
	wl, err := h.P.Worklist(context.Background(), pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Source: pipeline.SourceOverdue}})
	if err != nil {
		t.Fatalf("Worklist: %v", err)
	}
	if wl.Total != 2 {
		t.Errorf("worklist of overdue items: %d, want 2", wl.Total)
	}
	labels := map[string]int{}
	for _, g := range wl.Groups {
		labels[g.Label] = g.Count
	}
	if labels["Overdue responses: no 277CA"] != 1 || labels["Overdue responses: no 835"] != 1 {
		t.Errorf("worklist groups = %+v", wl.Groups)
	}

	// The 835 pays E1.
	h.Deliver("pay.835", h.File835(pipelinetest.Remit("T1", paidDate, []*x835.Claim{
		pipelinetest.CLP(e1, "1", pipelinetest.Line{Paid: "100.00"})})))
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Open: 1}, No835: pipeline.OverdueCount{Closed: 1}})
	wantContains(t, "note", closedOverdue(t, h, pay.Key).Note, "paid now")
	checkOverdue(t, h, pipeline.OverdueReport{No277CA: pipeline.OverdueCount{Open: 1}})
}

func TestOverdueZeroWaitsCheckNothing(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{})
	start := h.Now
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00"))
	h.Now = start.Add(400 * day)
	checkOverdue(t, h, pipeline.OverdueReport{})
	h.Deliver("ack.999", h.File999(cs["E1"], "A"))
	h.Deliver("status.277", h.File277([]*pipeline.Claim{cs["E1"]}, nil))
	checkOverdue(t, h, pipeline.OverdueReport{})
	if items := h.Work(pipeline.SourceOverdue); len(items) != 0 {
		t.Errorf("overdue items with no waits: %+v", items)
	}
}

func TestOverdueChecksOnlyTheKindsConfigured(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{PaymentAfter: 10 * day})
	start := h.Now
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00"))
	h.Now = start.Add(20 * day)
	checkOverdue(t, h, pipeline.OverdueReport{}) // no 999: not checked
	h.Deliver("ack.999", h.File999(cs["E1"], "A"))
	checkOverdue(t, h, pipeline.OverdueReport{}) // no 277CA: not checked
	h.Deliver("status.277", h.File277([]*pipeline.Claim{cs["E1"]}, nil))
	checkOverdue(t, h, pipeline.OverdueReport{No835: pipeline.OverdueCount{Opened: 1, Open: 1}})
}

func TestOverdueClosesWhenTheWaitNoLongerApplies(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{AckAfter: 48 * time.Hour})
	start := h.Now
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00"))
	key := pipeline.OverdueBatchKey(batchOf(t, h, cs["E1"]).ID)
	h.Now = start.Add(50 * time.Hour)
	checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Opened: 1, Open: 1}})

	// The same store, configured with a longer wait, then with none.
	for _, tc := range []struct {
		wait time.Duration
		note string
	}{
		{3 * day, "the wait configured now for clearinghouse sim (3 days)"},
		{0, "overdue-999 is not checked for clearinghouse sim any more"},
	} {
		other := newHarnessOver(t, h.Store, func(o *pipeline.Options) { o.Partners[0].Overdue.AckAfter = tc.wait })
		other.Now = h.Now
		checkOverdue(t, other, pipeline.OverdueReport{No999: pipeline.OverdueCount{Closed: 1}})
		wantContains(t, "note", closedOverdue(t, h, key).Note, tc.note)
		// Back under the first pipeline, closed by the system: it opens
		// again.
		checkOverdue(t, h, pipeline.OverdueReport{No999: pipeline.OverdueCount{Opened: 1, Open: 1}})
	}
}

func TestOverdueResolvedByHandStaysClosedForThatSubmission(t *testing.T) {
	ctx := context.Background()
	h := overdueHarness(t, pipeline.Overdue{PaymentAfter: 30 * day})
	start := h.Now
	c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
	h.Deliver("ack.999", h.File999(c, "A"))
	h.Deliver("status.277", h.File277([]*pipeline.Claim{c}, nil))
	h.Now = start.Add(31 * day)
	checkOverdue(t, h, pipeline.OverdueReport{No835: pipeline.OverdueCount{Opened: 1, Open: 1}})
	it := h.Work(pipeline.SourceOverdue)[0]
	if _, err := h.P.ResolveItem(ctx, it.ID, "the payer says it is in process", "kim"); err != nil {
		t.Fatalf("ResolveItem: %v", err)
	}
	for range 2 {
		h.Now = h.Now.Add(day)
		checkOverdue(t, h, pipeline.OverdueReport{No835: pipeline.OverdueCount{Resolved: 1}})
	}
	if items := h.Work(pipeline.SourceOverdue); len(items) != 0 {
		t.Fatalf("a resolved overdue item opened again: %+v", items)
	}

	// Sent again (a replacement, the payer's number is known from the
	// 277CA) and accepted again: the new submission has its own wait.
	if _, err := h.P.Resubmit(ctx, c.ID, "kim", "payer lost it"); err != nil {
		t.Fatalf("Resubmit: %v", err)
	}
	resent := h.Now
	h.SubmitQueued()
	c = h.Claim(c.ID)
	h.Deliver("ack2.999", h.File999(c, "A"))
	h.Deliver("status2.277", h.File277([]*pipeline.Claim{c}, nil))
	checkOverdue(t, h, pipeline.OverdueReport{})
	h.Now = resent.Add(31 * day)
	checkOverdue(t, h, pipeline.OverdueReport{No835: pipeline.OverdueCount{Opened: 1, Open: 1}})
	again := h.Work(pipeline.SourceOverdue)
	if len(again) != 1 || again[0].ID == it.ID || again[0].Version != 2 || again[0].BatchID == it.BatchID {
		t.Errorf("after the resubmission the open items are %+v, want a new one about version 2", again)
	}
}

func TestOverdueOneCheckAtATime(t *testing.T) {
	h := overdueHarness(t, pipeline.Overdue{AckAfter: time.Hour})
	release, err := h.Store.JobLock(context.Background(), "overdue")
	if err != nil {
		t.Fatalf("JobLock: %v", err)
	}
	_, err = h.P.CheckOverdue(context.Background())
	if !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("CheckOverdue while another runs: %v, want ErrBusy", err)
	}
	release()
	checkOverdue(t, h, pipeline.OverdueReport{})
}

func TestOverdueReportForMetrics(t *testing.T) {
	r := pipeline.OverdueReport{No999: pipeline.OverdueCount{Open: 1}, No835: pipeline.OverdueCount{Open: 4, Closed: 2}}
	got := r.OpenByResponse()
	if len(got) != 3 || got["999"] != 1 || got["277ca"] != 0 || got["835"] != 4 {
		t.Errorf("OpenByResponse = %v", got)
	}
	if pipeline.SourceLabel(pipeline.SourceOverdue) != "Overdue responses" {
		t.Errorf("SourceLabel(overdue) = %q", pipeline.SourceLabel(pipeline.SourceOverdue))
	}
	if _, err := (&pipeline.Pipeline{}).Queue(context.Background(), pipeline.WorkFilter{Source: "overdue", Status: "bogus"}); err == nil ||
		strings.Contains(err.Error(), "unknown source") {
		t.Errorf("Queue(source overdue) = %v, want the source accepted", err)
	}
}

// TestOverdueSentAgainReplacesItem: a claim sent again that is overdue
// again, with no check in between, gets a new item; the old one closes.
func TestOverdueSentAgainReplacesItem(t *testing.T) {
	ctx := context.Background()
	h := overdueHarness(t, pipeline.Overdue{PaymentAfter: 30 * day})
	start := h.Now
	c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
	h.Deliver("ack.999", h.File999(c, "A"))
	h.Deliver("status.277", h.File277([]*pipeline.Claim{c}, nil))
	h.Now = start.Add(31 * day)
	checkOverdue(t, h, pipeline.OverdueReport{No835: pipeline.OverdueCount{Opened: 1, Open: 1}})
	old := h.Work(pipeline.SourceOverdue)[0]

	if _, err := h.P.Resubmit(ctx, c.ID, "kim", "payer lost it"); err != nil {
		t.Fatalf("Resubmit: %v", err)
	}
	resent := h.Now
	h.SubmitQueued()
	c = h.Claim(c.ID)
	h.Deliver("ack2.999", h.File999(c, "A"))
	h.Deliver("status2.277", h.File277([]*pipeline.Claim{c}, nil))
	h.Now = resent.Add(31 * day)
	checkOverdue(t, h, pipeline.OverdueReport{No835: pipeline.OverdueCount{Opened: 1, Open: 1, Closed: 1}})
	wantContains(t, "note", closedOverdue(t, h, old.Key).Note, "sent again (version 2")
	if open := h.Work(pipeline.SourceOverdue); len(open) != 1 || open[0].ID == old.ID || open[0].Version != 2 {
		t.Errorf("open items = %+v, want a new one about version 2", open)
	}
}
