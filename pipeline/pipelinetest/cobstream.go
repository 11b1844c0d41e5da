package pipelinetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// The COB scenarios of a primary's 835 posted in chunks: the secondary
// claims are built (or their items opened) with the chunk that posts
// their primary's payment, once, whatever chunk a run is cut short in.
func init() {
	cobScenarios = append(cobScenarios, cobStreamScenarios()...)
}

// cobChunkedHarness is a COB harness that posts chunk claim payments per
// transaction and passes its crash points to c.
func cobChunkedHarness(t *testing.T, store pipeline.Store, mode pipeline.SecondaryMode, chunk int, c *cutter) *Harness {
	return NewHarnessWith(t, store, func(o *pipeline.Options) {
		o.Secondary, o.PostChunk, o.Failpoint = mode, chunk, c.hook
	})
}

// versionsOf returns the versions of a claim.
func versionsOf(h *Harness, claimID int64) []pipeline.ClaimVersion {
	var vs []pipeline.ClaimVersion
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		vs, err = tx.Versions(ctx, claimID)
		return err
	})
	return vs
}

func cobStreamScenarios() []struct {
	name string
	run  func(t *testing.T, store pipeline.Store)
} {
	type sc = struct {
		name string
		run  func(t *testing.T, store pipeline.Store)
	}
	var out []sc
	for _, mode := range []pipeline.SecondaryMode{pipeline.SecondaryAuto, pipeline.SecondaryOnRequest} {
		for _, cut := range []struct {
			point string
			n     int
		}{
			{"collect:835-set-started", 1},
			{"collect:835-mid-set", 2},
			{"collect:835-chunk-posted", 2},
			{"collect:835-set-posted", 1},
		} {
			out = append(out, sc{fmt.Sprintf("%s: a primary's 835 in chunks, cut short at %s", mode, cut.point), func(t *testing.T, store pipeline.Store) {
				c := &cutter{point: cut.point, n: cut.n}
				h := cobChunkedHarness(t, store, mode, 1, c)
				cs := h.Submit(COBEncounter("E1", "100.00", "50.00"), COBEncounter("E2", "100.00", "50.00"), COBEncounter("E3", "100.00", "50.00"))
				claims := []*pipeline.Claim{cs["E1"], cs["E2"], cs["E3"]}
				var clps []*x835.Claim
				for _, cl := range claims {
					clps = append(clps, primaryCLP(cl))
				}
				h.Remote.Respond("p.835", h.File835(Remit("T1", paidDate, clps)))
				c.armed = true
				if !collectCut(t, h) {
					t.Fatalf("the collect never passed %s", cut.point)
				}
				c.armed = false
				if _, err := h.P.Collect(context.Background()); err != nil {
					t.Fatalf("Collect after the cut: %v", err)
				}
				items := h.Work(pipeline.SourceCOB)
				for _, cl := range claims {
					vs := versionsOf(h, cl.ID)
					wantBalance(t, h, cl, "100", "15", "35", "0")
					if mode == pipeline.SecondaryAuto {
						if len(vs) != 2 || vs[1].Kind != pipeline.VersionSecondary {
							t.Errorf("claim %d: %d versions, want the original and one secondary", cl.ID, len(vs))
						}
						wantState(t, h, cl, pipeline.StateReady)
						continue
					}
					if len(vs) != 1 {
						t.Errorf("claim %d: %d versions, want the original only", cl.ID, len(vs))
					}
					wantState(t, h, cl, pipeline.StatePaid)
				}
				want := 0
				if mode == pipeline.SecondaryOnRequest {
					want = len(claims)
				}
				wantCount(t, "COB work items", len(items), want)
				h.CheckNoDuplicates(claims)
				h.CheckLedger(claims, x12.MustAmount("300"))
			}})
		}
	}
	// A claim paid and reversed in the same posting is not adjudicated
	// when the posting ends: no secondary is due, and the rest of the
	// 835 posts.
	for _, mode := range []pipeline.SecondaryMode{pipeline.SecondaryAuto, pipeline.SecondaryOnRequest} {
		out = append(out, sc{fmt.Sprintf("%s: paid and reversed in one 835, no secondary is due", mode), func(t *testing.T, store pipeline.Store) {
			h := cobHarness(t, store, mode)
			cs := h.Submit(COBEncounter("E1", "100.00", "50.00"), Encounter("E2", "100.00"))
			c1, c2 := cs["E1"], cs["E2"]
			paid := primaryCLP(c1)
			rep := h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{paid, Reversal(paid), CLP(c2, "1", Line{Paid: "100.00"})})))
			if rep.Processed != 1 || rep.Failed != 0 || rep.Responses.RemitsPosted != 1 {
				t.Errorf("collect: %d files applied, %d failed, %d remittances posted; want 1, 0, 1 (file items %+v)",
					rep.Processed, rep.Failed, rep.Responses.RemitsPosted, h.Work(pipeline.SourceInboundBad))
			}
			wantState(t, h, c1, pipeline.StateReversed)
			wantState(t, h, c2, pipeline.StatePaid)
			if vs := versionsOf(h, c1.ID); len(vs) != 1 {
				t.Errorf("claim %d: %d versions, want the original only", c1.ID, len(vs))
			}
			wantCount(t, "COB work items", len(h.Work(pipeline.SourceCOB)), 0)
			h.CheckLedger([]*pipeline.Claim{c1, c2}, x12.MustAmount("100"))
		}})
	}
	// On request: the primary reverses its adjudication (in a later 835,
	// or later in the same one) before the secondary is built: the
	// secondary-due item closes, since nothing is due (a build would be
	// refused); the payer's correction opens it again.
	for _, later := range []bool{true, false} {
		name := "on_request: the primary reverses before the secondary is built, "
		if later {
			name += "in a later 835: the item closes"
		} else {
			name += "in other chunks of the same 835: no item stays open"
		}
		out = append(out, sc{name, func(t *testing.T, store pipeline.Store) {
			h := cobChunkedHarness(t, store, pipeline.SecondaryOnRequest, 1, &cutter{})
			cs := h.Submit(COBEncounter("E1", "100.00", "50.00"), Encounter("E2", "100.00"))
			c1, c2 := cs["E1"], cs["E2"]
			paid := primaryCLP(c1)
			other := CLP(c2, "1", Line{Paid: "100.00"})
			if later {
				h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{paid, other})))
				wantCount(t, "COB work items after the payment", len(h.Work(pipeline.SourceCOB)), 1)
				h.Deliver("r.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(paid)})))
			} else {
				h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{paid, other, Reversal(paid)})))
			}
			wantState(t, h, c1, pipeline.StateReversed)
			if items := h.Work(pipeline.SourceCOB); len(items) != 0 {
				t.Errorf("COB items %+v after the reversal, want none: no secondary is due", items[0])
			}
			corr := CLP(c1, "1", Line{Paid: "60.00", Adj: []x835.Adjustment{Adj("CO", "45", "20.00"), Adj("PR", "2", "20.00")}},
				Line{Paid: "30.00", Adj: []x835.Adjustment{Adj("CO", "45", "5.00"), Adj("PR", "1", "15.00")}})
			h.Deliver("c.835", h.File835(Remit("T3", paidDate, []*x835.Claim{corr})))
			if items := h.Work(pipeline.SourceCOB); len(items) != 1 || items[0].Code != "secondary-due" || !strings.Contains(items[0].Summary, "T3") {
				t.Errorf("COB items after the correction: %+v, want one secondary-due item naming check T3", items)
			}
		}})
	}
	// The later payer's reversal leaves open the item about an earlier
	// payer's reversal: that one still needs a person.
	out = append(out, sc{"the secondary's reversal leaves the earlier payer's reversal item open", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		paid := primaryCLP(c)
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{paid})))
		newUpload(t, h)
		sec := secondaryCLP(h.Claim(c.ID))
		h.Deliver("s.835", h.File835(secondRemit("T2", sec)))
		h.Deliver("r.835", h.File835(Remit("T3", paidDate, []*x835.Claim{Reversal(paid)})))
		h.Deliver("sr.835", h.File835(secondRemit("T4", Reversal(sec))))
		wantState(t, h, c, pipeline.StateReversed)
		if items := h.Work(pipeline.SourceCOB); len(items) != 1 || items[0].Code != "earlier-payer-reversed" {
			t.Errorf("COB items %+v, want the earlier-payer-reversed item still open", items)
		}
	}})
	return out
}
