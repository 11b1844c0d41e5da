package pipelinetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// The scenarios of an 835 set posted in chunks (Options.PostChunk): cut
// short at each of its steps, it resumes and posts everything once.
func init() {
	postingScenarios = append(postingScenarios, streamingScenarios()...)
}

// errCut is the panic a cutter throws at its crash point.
var errCut = errors.New("cut short at a crash point")

// cutter is a failpoint hook that panics (as a crash would stop the
// process) the n-th time the pipeline passes point, while armed.
type cutter struct {
	point string
	n     int
	seen  int
	armed bool
	cuts  int
}

func (c *cutter) hook(name string) {
	if !c.armed || name != c.point {
		return
	}
	c.seen++
	if c.seen == c.n {
		c.cuts++
		c.seen = 0
		panic(errCut)
	}
}

// chunkedHarness is a harness over h's store that posts chunk claim
// payments per transaction and passes its crash points to c.
func chunkedHarness(t *testing.T, h *Harness, chunk int, c *cutter) *Harness {
	return NewHarnessWith(t, h.Store, func(o *pipeline.Options) {
		o.PostChunk = chunk
		o.Failpoint = c.hook
	})
}

// collectCut runs Collect and reports whether it was cut short.
func collectCut(t *testing.T, h *Harness) (cut bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if r != errCut {
				panic(r)
			}
			cut = true
		}
	}()
	if _, err := h.P.Collect(context.Background()); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return false
}

func streamingScenarios() []scenario {
	var out []scenario
	// A file of two sets: seven claims paid (one of them reversed and
	// corrected, the pair across a chunk boundary), two claim payments
	// for claims we never sent, a PLB; then a set out of balance.
	for _, cut := range []struct {
		point string
		n     int
	}{
		{"collect:file-attempt", 1},
		{"collect:835-checked", 1},
		{"collect:835-set-started", 1},
		{"collect:835-mid-set", 2},
		{"collect:835-chunk-posted", 2},
		{"collect:835-set-posted", 1},
		{"collect:835-file-posted", 1},
	} {
		out = append(out, scenario{"835 posted in chunks, cut short at " + cut.point, func(t *testing.T, h *Harness) {
			c := &cutter{point: cut.point, n: cut.n}
			h = chunkedHarness(t, h, 2, c)
			var encs []*pipeline.Encounter
			for i := range 7 {
				encs = append(encs, Encounter(fmt.Sprintf("E%d", i), "100.00"))
			}
			cs := h.Submit(encs...)
			claims := make([]*pipeline.Claim, 0, len(cs))
			for i := range 7 {
				claims = append(claims, cs[fmt.Sprintf("E%d", i)])
			}
			first := CLP(claims[0], "1", Line{Paid: "100.00"})
			h.Deliver("first.835", h.File835(Remit("T0", paidDate, []*x835.Claim{first})))

			var clps []*x835.Claim
			stranger := func(pcn string) *x835.Claim {
				s := *claims[1]
				s.PCN = pcn
				return CLP(&s, "1", Line{Paid: "40.00", Adj: []x835.Adjustment{Adj("CO", "45", "60.00")}})
			}
			// Claim 0: its reversal is the 2nd CLP and its correction the
			// 3rd; with chunks of 2 they still post together.
			clps = append(clps, CLP(claims[1], "1", Line{Paid: "100.00"}), Reversal(first),
				CLP(claims[0], "1", Line{Paid: "90.00", Adj: []x835.Adjustment{Adj("CO", "45", "10.00")}}),
				stranger("NOT-OURS-1"))
			for _, cl := range claims[2:] {
				clps = append(clps, CLP(cl, "1", Line{Paid: "80.00", Adj: []x835.Adjustment{Adj("PR", "2", "20.00")}}))
			}
			clps = append(clps, stranger("NOT-OURS-2"))
			plb := x835.ProviderAdjustment{ProviderID: HarnessNPI, FiscalDate: x12.Date{Year: 2026, Month: 12, Day: 31},
				Reason: "L6", Amount: x12.MustAmount("-1.25")}
			paid := Remit("T1", paidDate, clps, plb)
			paid.SetControl = "0001"
			bad := Remit("T2", paidDate, []*x835.Claim{stranger("NOT-OURS-3")})
			bad.SetControl = "0002"
			bad.Payment.Amount += 1
			h.Remote.Respond("big.835", h.File835(paid, bad))

			c.armed = true
			if !collectCut(t, h) {
				t.Fatalf("the collect never passed %s", cut.point)
			}
			c.armed = false
			rep, err := h.P.Collect(context.Background())
			if err != nil {
				t.Fatalf("Collect after the cut: %v", err)
			}
			if rep.Processed != 1 || rep.Failed != 0 {
				t.Errorf("after the cut: %d files applied, %d failed; want 1, 0", rep.Processed, rep.Failed)
			}
			wantCount(t, "open held-remittance items", len(h.Work(pipeline.SourceImbalance)), 1)
			items := h.Work(pipeline.SourceUnmatched)
			if len(items) != 1 || len(items[0].Reasons) != 2 || !strings.Contains(items[0].Summary, "2 claim payment(s), 80.00") {
				t.Errorf("unapplied-cash items: %+v; want one listing both payments", items)
			}
			var rems []*pipeline.Remittance
			h.tx(func(ctx context.Context, tx pipeline.Tx) error {
				var err error
				rems, err = tx.Remittances(ctx, 0)
				return err
			})
			states := map[pipeline.RemitState]int{}
			for _, r := range rems {
				states[r.State]++
				if r.Trace == "T1" && (r.Progress != len(clps) || !strings.Contains(r.Reason, "2 claim payment(s)")) {
					t.Errorf("remittance T1: progress %d, reason %q; want %d and the unapplied payments", r.Progress, r.Reason, len(clps))
				}
			}
			if states[pipeline.RemitPosted] != 2 || states[pipeline.RemitHeld] != 1 || len(rems) != 3 {
				t.Errorf("remittances by state %v; want 2 posted, 1 held", states)
			}
			wantState(t, h, claims[0], pipeline.StatePaid)
			wantBalance(t, h, claims[0], "90.00", "10.00", "0", "0")
			for _, cl := range claims[2:] {
				wantState(t, h, cl, pipeline.StatePaid)
				wantBalance(t, h, cl, "80.00", "0", "20.00", "0")
			}
			h.CheckNoDuplicates(claims)
			h.CheckLedger(claims, x12.MustAmount("590.00"))
		}})
	}
	out = append(out, scenario{"a file cut short at every attempt is failed, and the files after it apply", func(t *testing.T, h *Harness) {
		c := &cutter{point: "collect:835-checked", n: 1}
		h = chunkedHarness(t, h, 2, c)
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "100.00"))
		h.Remote.Respond("a.835", h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(cs["E1"], "1", Line{Paid: "100.00"})})))
		c.armed = true
		for i := range pipeline.MaxApplyAttempts {
			if !collectCut(t, h) {
				t.Fatalf("run %d was not cut short", i+1)
			}
		}
		// The next run gives up on a.835 (whatever would happen now)
		// and applies b.835.
		c.armed = false
		h.Remote.Respond("b.835", h.File835(Remit("T2", paidDate, []*x835.Claim{CLP(cs["E2"], "1", Line{Paid: "100.00"})})))
		rep, err := h.P.Collect(context.Background())
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		if rep.Processed != 1 || rep.Failed != 1 {
			t.Errorf("%d files applied, %d failed; want 1 and 1", rep.Processed, rep.Failed)
		}
		wantState(t, h, cs["E2"], pipeline.StatePaid)
		wantState(t, h, cs["E1"], pipeline.StateSubmitted)
		items := h.Work(pipeline.SourceInboundBad)
		if len(items) != 1 || len(items[0].Reasons) == 0 || !strings.Contains(items[0].Reasons[0].Text, "runs started applying the file") {
			t.Fatalf("work items about files: %+v; want one saying why a.835 was set aside", items)
		}
		// A retry applies it.
		if _, err := h.P.RetryInbound(context.Background(), items[0].InboundFileID, "tester"); err != nil {
			t.Fatalf("RetryInbound: %v", err)
		}
		if rep, err = h.P.Collect(context.Background()); err != nil || rep.Processed != 1 {
			t.Fatalf("Collect after the retry: %d files applied, %v", rep.Processed, err)
		}
		wantState(t, h, cs["E1"], pipeline.StatePaid)
		wantCount(t, "open items about files", len(h.Work(pipeline.SourceInboundBad)), 0)
		h.CheckNoDuplicates([]*pipeline.Claim{cs["E1"], cs["E2"]})
	}})
	return out
}
