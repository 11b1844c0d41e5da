package pipelinetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// RunReworkScenarios runs the rework loop against a store: corrections,
// resubmissions, replacements and voids with the receivables checked at
// every step, the work queue closing when causes go away, responses
// applied in order and once, files not addressed to us quarantined,
// unapplied cash, and operator recovery of a failed batch. Every store
// adapter runs it. open returns a fresh, empty store for one scenario.
func RunReworkScenarios(t *testing.T, open func(t *testing.T) pipeline.Store) {
	for _, sc := range reworkScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, NewHarness(t, open(t)))
		})
	}
	t.Run("a cancel that a run overtakes refuses", func(t *testing.T) {
		t.Parallel()
		hs := &hookStore{Store: open(t)}
		h := NewHarness(t, hs)
		ctx := context.Background()
		h.intake(Encounter("E1", "100.00"))
		if _, err := h.P.Build(ctx); err != nil {
			t.Fatal(err)
		}
		bs, _ := h.P.Batches(ctx, 0)
		// Between the cancel's look at the batch and its change, a run
		// uploads it.
		hs.before(2, func() {
			if _, err := h.P.Upload(ctx); err != nil {
				t.Errorf("upload: %v", err)
			}
		})
		_, err := h.P.CancelBatch(ctx, bs[0].ID, "ops", "not needed", false)
		wantErr(t, "cancel of a batch a run took meanwhile", err, pipeline.ErrConflict)
		if c := h.ClaimOf("E1"); c.State != pipeline.StateSubmitted || c.Version != 1 {
			t.Errorf("claim %s version %d, want submitted at version 1 (sent once)", c.State, c.Version)
		}
	})
	t.Run("changed encounter of a paid claim, replaced at once when configured", func(t *testing.T) {
		t.Parallel()
		h := NewHarnessWith(t, open(t), func(o *pipeline.Options) { o.ReplaceAdjudicated = true })
		e := Encounter("E1", "100.00")
		c := h.Submit(e)["E1"]
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})})))
		e2 := Encounter("E1", "100.00")
		e2.Lines[0].Modifiers = []string{"25"}
		in := h.intake(e2)
		wantCount(t, "corrected", in.Corrected, 1)
		rev := h.Claim(c.ID)
		if rev.Version != 2 || rev.State != pipeline.StateReady || rev.Data.Frequency != "7" || rev.Data.PayerClaimNumber != "ICN"+c.PCN {
			t.Errorf("claim after the update: version %d, %s, frequency %q, F8 %q; want 2, ready, 7, %q",
				rev.Version, rev.State, rev.Data.Frequency, rev.Data.PayerClaimNumber, "ICN"+c.PCN)
		}
	})
}

// intake takes encounters in without submitting.
func (h *Harness) intake(encs ...*pipeline.Encounter) pipeline.IntakeReport {
	h.T.Helper()
	rep, err := h.P.Intake(context.Background(), sliceSource(encs))
	if err != nil {
		h.T.Fatalf("Intake: %v", err)
	}
	return rep
}

// correct corrects a claim and fails the test on error.
func (h *Harness) correct(id int64, sets ...string) *pipeline.Revision {
	h.T.Helper()
	req := pipeline.CorrectRequest{ClaimID: id, Actor: "ana"}
	for _, kv := range sets {
		k, v, _ := strings.Cut(kv, "=")
		req.Sets = append(req.Sets, pipeline.FieldSet{Path: k, Value: v})
	}
	rev, err := h.P.Correct(context.Background(), req)
	if err != nil {
		h.T.Fatalf("Correct claim %d: %v", id, err)
	}
	return rev
}

// acceptBoth delivers a 999 and a 277CA accepting a claim's latest
// submission.
func (h *Harness) acceptBoth(c *pipeline.Claim) {
	h.T.Helper()
	c = h.Claim(c.ID)
	h.Deliver(fmt.Sprintf("%s.999", c.PCN), h.File999(c, "A"))
	h.Deliver(fmt.Sprintf("%s.277", c.PCN), h.File277([]*pipeline.Claim{c}, nil))
}

// openItems returns the open work items about a claim.
func (h *Harness) openItems(claimID int64) []*pipeline.WorkItem {
	h.T.Helper()
	var items []*pipeline.WorkItem
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		items, err = tx.WorkItems(ctx, pipeline.WorkFilter{Status: pipeline.WorkOpen, ClaimID: claimID})
		return err
	})
	return items
}

// wantAR checks the receivables total (aging) and that it equals the
// sum of the ledger.
func wantAR(t *testing.T, h *Harness, step, want string) {
	t.Helper()
	a, err := h.P.ARAging(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ledger x12.Amount
	var claims []*pipeline.Claim
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		n, err := tx.Counts(ctx)
		if err != nil {
			return err
		}
		for st := range n.ClaimsByState {
			cs, err := tx.ClaimsInState(ctx, st, 0)
			if err != nil {
				return err
			}
			claims = append(claims, cs...)
		}
		return nil
	})
	for _, c := range claims {
		if c.FirstSubmittedAt.IsZero() {
			continue
		}
		b := h.Balance(c.ID)
		ledger += b.Insurance() + b.Patient()
	}
	if a.Total.Total != x12.MustAmount(want) || ledger != a.Total.Total {
		t.Errorf("%s: AR %s, ledger sums to %s; want %s", step, a.Total.Total, ledger, want)
	}
}

var reworkScenarios = []scenario{
	{"rejected by the 277CA, corrected, resent as a new original, accepted and paid", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00", "20.00"))["E1"]
		wantAR(t, h, "submitted", "120.00")
		h.Deliver("b1.999", h.File999(c, "A"))
		h.Deliver("b1.277", h.File277([]*pipeline.Claim{c}, map[int64]bool{c.ID: true}))
		wantState(t, h, c, pipeline.StateRejected)
		wantAR(t, h, "rejected: still owed, counted once", "120.00")
		if items := h.openItems(c.ID); len(items) != 1 || items[0].Source != pipeline.Source277CA || items[0].Code != "A7:164:IL" {
			t.Fatalf("open items after the rejection: %+v", items)
		}

		rev := h.correct(c.ID, "subscriber.member_id=MNEW123")
		if rev.Version != 2 || rev.Frequency != "1" || rev.PayerClaimNumber != "" || rev.PCN != pipeline.PCN(c.ID, 2) ||
			rev.State != pipeline.StateReady || len(rev.Changed) != 1 || rev.Changed[0] != "subscriber.member_id" {
			t.Errorf("revision %+v, want version 2, frequency 1, no F8, ready, subscriber.member_id changed", rev)
		}
		wantAR(t, h, "corrected, not sent", "120.00")
		if items := h.openItems(c.ID); len(items) != 1 {
			t.Errorf("the rejection item must stay open until the new version is accepted: %+v", items)
		}

		sub := h.SubmitQueued()
		wantCount(t, "claims sent", sub.Upload.ClaimsSent, 1)
		sent := string(lastUpload(t, h))
		if !strings.Contains(sent, "CLM*"+pipeline.PCN(c.ID, 2)+"*120*") || !strings.Contains(sent, ":B:1*") || strings.Contains(sent, "REF*F8") {
			t.Errorf("the resent claim must be CLM01 %s, frequency 1, without REF*F8:\n%s", pipeline.PCN(c.ID, 2), sent)
		}
		wantAR(t, h, "resent", "120.00")
		c2 := h.Claim(c.ID)
		h.acceptBoth(c2)
		wantState(t, h, c, pipeline.StateAccepted)
		if items := h.openItems(c.ID); len(items) != 0 {
			t.Errorf("open items after version 2 was accepted: %+v", items)
		}
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{
			CLP(c2, "1", Line{Paid: "80.00", Adj: []x835.Adjustment{Adj("CO", "45", "20.00")}}, Line{Paid: "20.00"})})))
		wantState(t, h, c, pipeline.StatePaid)
		wantAR(t, h, "paid", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
		d, err := h.P.ShowClaim(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Versions) != 2 || d.Versions[0].State != "rejected" || d.Versions[1].State != "paid" ||
			len(d.Versions[0].Submissions) != 1 || len(d.Versions[1].Submissions) != 1 {
			t.Errorf("versions %+v", d.Versions)
		}
	}},
	{"paid, replaced (7) with F8 from CLP07, reversed and paid again", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.acceptBoth(c)
		orig := CLP(c, "1", Line{Paid: "80.00", Adj: []x835.Adjustment{Adj("CO", "45", "20.00")}})
		orig.PayerClaimNumber = "ICN-PAID-1"
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{orig})))
		wantState(t, h, c, pipeline.StatePaid)
		wantAR(t, h, "paid", "0")

		rev := h.correct(c.ID, "lines[0].charge=120.00", "total_charge=120.00")
		if rev.Frequency != "7" || rev.PayerClaimNumber != "ICN-PAID-1" {
			t.Errorf("revision %+v, want frequency 7 with F8 ICN-PAID-1 from CLP07", rev)
		}
		h.SubmitQueued()
		sent := string(lastUpload(t, h))
		if !strings.Contains(sent, "REF*F8*ICN-PAID-1~") || !strings.Contains(sent, ":B:7*") {
			t.Errorf("the replacement must carry frequency 7 and REF*F8*ICN-PAID-1:\n%s", sent)
		}
		// The payer's adjudication stands until it reverses it.
		wantAR(t, h, "replacement sent", "0")
		c2 := h.Claim(c.ID)
		h.acceptBoth(c2)
		// While the payer adjudicates the replacement, nothing more may
		// be sent for the claim.
		_, err := h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: c.ID,
			Sets: []pipeline.FieldSet{{Path: "lines[0].units", Value: "2"}}})
		wantErr(t, "correcting while the replacement is with the payer", err, pipeline.ErrInFlight)
		corr := CLP(c2, "1", Line{Paid: "96.00", Adj: []x835.Adjustment{Adj("CO", "45", "24.00")}})
		corr.PayerClaimNumber = "ICN-PAID-2"
		rep := h.Deliver("r2.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(orig), corr})))
		wantCount(t, "reversals", rep.Responses.ClaimsReversed, 1)
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "96.00", "24.00", "0", "0")
		wantAR(t, h, "reversed and paid again", "0")
		if got := h.Claim(c.ID); got.PayerClaimNumber != "ICN-PAID-2" || got.PayerClaimSource != "835" {
			t.Errorf("payer claim number %q (%s), want the new CLP07 ICN-PAID-2", got.PayerClaimNumber, got.PayerClaimSource)
		}
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("96.00"))
	}},
	{"denied, voided (8), reversed: balance 0", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "250.00"))["E1"]
		h.acceptBoth(c)
		denial := CLP(c, "4", Line{Paid: "0", Adj: []x835.Adjustment{Adj("CO", "50", "250.00")}})
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{denial})))
		wantState(t, h, c, pipeline.StateDenied)
		if items := h.openItems(c.ID); len(items) != 1 || items[0].Source != pipeline.SourceDenial {
			t.Fatalf("open items after the denial: %+v", items)
		}
		rev, err := h.P.Void(context.Background(), c.ID, "ana", "billed in error")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Frequency != "8" || rev.PayerClaimNumber != "ICN"+c.PCN || rev.Kind != pipeline.VersionVoid {
			t.Errorf("void %+v, want frequency 8 with F8 %s", rev, "ICN"+c.PCN)
		}
		h.SubmitQueued()
		if sent := string(lastUpload(t, h)); !strings.Contains(sent, ":B:8*") || !strings.Contains(sent, "REF*F8*ICN"+c.PCN+"~") {
			t.Errorf("the void must carry frequency 8 and REF*F8:\n%s", sent)
		}
		wantAR(t, h, "void sent", "0")
		h.acceptBoth(h.Claim(c.ID))
		rep := h.Deliver("r2.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(denial)})))
		wantCount(t, "voided", rep.Responses.ClaimsVoided, 1)
		wantState(t, h, c, pipeline.StateVoided)
		wantBalance(t, h, c, "0", "0", "0", "0")
		if b := h.Balance(c.ID); b.Charge != 0 {
			t.Errorf("a voided claim bills nothing: charge %s", b.Charge)
		}
		wantAR(t, h, "voided", "0")
		if items := h.openItems(c.ID); len(items) != 0 {
			t.Errorf("open items after the void: %+v", items)
		}
		h.CheckLedger([]*pipeline.Claim{c}, 0)
		_, err = h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: c.ID, Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "X"}}})
		wantErr(t, "correcting a voided claim", err, pipeline.ErrFinal)
	}},
	{"an 835 for a version a replacement superseded posts, and leaves the state to the replacement", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.acceptBoth(c) // REF*1K: the payer has the claim in adjudication
		rev := h.correct(c.ID, "lines[0].units=2")
		if rev.Frequency != "7" {
			t.Fatalf("revision %+v, want a replacement", rev)
		}
		h.SubmitQueued()
		wantState(t, h, c, pipeline.StateSubmitted)
		// The payer pays the first version before it sees the
		// replacement.
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})})))
		wantState(t, h, c, pipeline.StateSubmitted)
		wantBalance(t, h, c, "100.00", "0", "0", "0")
		// Its 277CA rejects the replacement: a person is told.
		c2 := h.Claim(c.ID)
		h.Deliver("b2.277", h.File277([]*pipeline.Claim{c2}, map[int64]bool{c.ID: true}))
		wantState(t, h, c, pipeline.StateRejected)
		if items := h.openItems(c.ID); len(items) != 1 || items[0].Source != pipeline.Source277CA || items[0].Version != 2 {
			t.Errorf("open items %+v, want the 277CA rejection of version 2", items)
		}
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
	}},
	{"accepted, then rejected by the payer: the correction goes as a new original", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.Deliver("a.277", h.File277([]*pipeline.Claim{c}, nil))
		if got := h.Claim(c.ID); got.PayerClaimNumber == "" || got.PayerClaimSource != "277ca" {
			t.Fatalf("payer claim number %q (%s) after the acceptance", got.PayerClaimNumber, got.PayerClaimSource)
		}
		h.Deliver("b.277", h.File277([]*pipeline.Claim{c}, map[int64]bool{c.ID: true}))
		wantState(t, h, c, pipeline.StateRejected)
		if got := h.Claim(c.ID); got.PayerClaimNumber != "" {
			t.Errorf("the claim number of an acceptance the payer took back survived: %q", got.PayerClaimNumber)
		}
		rev := h.correct(c.ID, "subscriber.member_id=MNEW")
		if rev.Frequency != "1" || rev.PayerClaimNumber != "" {
			t.Errorf("revision %+v, want a new original", rev)
		}
	}},
	{"a batch canceled while a run uploads another is not sent", func(t *testing.T, h *Harness) {
		ctx := context.Background()
		h.intake(Encounter("E1", "100.00"))
		if _, err := h.P.Build(ctx); err != nil {
			t.Fatal(err)
		}
		h.intake(Encounter("E2", "50.00"))
		if _, err := h.P.Build(ctx); err != nil {
			t.Fatal(err)
		}
		bs, _ := h.P.Batches(ctx, 0)
		if len(bs) != 2 {
			t.Fatalf("%d batches, want 2", len(bs))
		}
		second := bs[0] // newest first
		h.Remote.BeforePut(func(name string) {
			if !strings.HasPrefix(name, second.FileName) {
				// The operator cancels the second batch while the
				// first uploads.
				h.Remote.BeforePut(nil)
				if _, err := h.P.CancelBatch(ctx, second.ID, "ops", "resend with the next run", false); err != nil {
					t.Errorf("cancel: %v", err)
				}
			}
		})
		rep, err := h.P.Upload(ctx)
		if err != nil || rep.Uploaded != 1 {
			t.Fatalf("upload: %+v, %v; want the first batch only", rep, err)
		}
		if _, sent := h.Remote.Uploaded()[second.FileName]; sent {
			t.Error("the canceled batch was uploaded")
		}
		c2 := h.ClaimOf("E2")
		if c2.State != pipeline.StateReady || c2.Version != 2 {
			t.Errorf("the canceled batch's claim: %s version %d, want ready version 2", c2.State, c2.Version)
		}
		h.SubmitQueued()
		wantAR(t, h, "both sent once", "150.00")
	}},
	{"accepted with a claim number, corrected, then the original rejected: the correction goes as a new original", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.Deliver("a.277", h.File277([]*pipeline.Claim{c}, nil))
		if rev := h.correct(c.ID, "lines[0].units=2"); rev.Frequency != "7" {
			t.Fatalf("revision %+v, want a replacement of the accepted claim", rev)
		}
		h.Deliver("b.277", h.File277([]*pipeline.Claim{c}, map[int64]bool{c.ID: true}))
		h.SubmitQueued()
		if sent := string(lastUpload(t, h)); strings.Contains(sent, "REF*F8") || !strings.Contains(sent, ":B:1*") {
			t.Errorf("version 2 must go as a new original: the payer rejected the claim it would replace:\n%s", sent)
		}
	}},
	{"a late 999 rejection after the 277CA acceptance keeps the claim number", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.Deliver("a.277", h.File277([]*pipeline.Claim{c}, nil))
		h.Deliver("late.999", h.File999(c, "R"))
		if got := h.Claim(c.ID); got.State != pipeline.StateAccepted || got.PayerClaimNumber == "" {
			t.Errorf("after a late 999: %s, number %q; want accepted with its number", got.State, got.PayerClaimNumber)
		}
	}},
	{"the reversal in one 835, the new adjudication echoing the old CLP01 in the next", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.acceptBoth(c)
		orig := CLP(c, "1", Line{Paid: "100.00"})
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{orig})))
		h.correct(c.ID, "lines[0].units=2")
		h.SubmitQueued()
		h.acceptBoth(h.Claim(c.ID))
		h.Deliver("r2.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(orig)})))
		wantState(t, h, c, pipeline.StateReversed)
		again := CLP(c, "1", Line{Paid: "90.00", Adj: []x835.Adjustment{Adj("CO", "45", "10.00")}}) // CLP01 C<id>-1
		h.Deliver("r3.835", h.File835(Remit("T3", paidDate, []*x835.Claim{again})))
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "90.00", "10.00", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("90.00"))
	}},
	{"a replacement the payer denies leaves the original adjudication standing", func(t *testing.T, h *Harness) {
		ctx := context.Background()
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.acceptBoth(c)
		orig := CLP(c, "1", Line{Paid: "100.00"})
		orig.PayerClaimNumber = "ICN-1"
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{orig})))
		h.correct(c.ID, "lines[0].units=2")
		h.SubmitQueued()
		c2 := h.Claim(c.ID)
		h.acceptBoth(c2)
		den := CLP(c2, "4", Line{Paid: "0", Adj: []x835.Adjustment{Adj("CO", "129", "100.00")}})
		den.PayerClaimNumber = "ICN-2"
		rep := h.Deliver("r2.835", h.File835(Remit("T2", paidDate, []*x835.Claim{den})))
		wantCount(t, "unapplied", rep.Responses.PaymentsUnapplied, 0)
		wantState(t, h, c, pipeline.StateDenied)
		wantBalance(t, h, c, "100.00", "0", "0", "0")
		if got := h.Claim(c.ID); got.PayerClaimNumber != "ICN-1" {
			t.Errorf("payer claim number %q, want the standing adjudication's ICN-1", got.PayerClaimNumber)
		}
		items := h.openItems(c.ID)
		if len(items) != 1 || items[0].Source != pipeline.SourceDenial || items[0].Code != "refused-replacement" {
			t.Fatalf("open items %+v, want the refusal", items)
		}
		// The claim can be corrected again, or voided.
		if rev, err := h.P.Void(ctx, c.ID, "ana", "give up"); err != nil || rev.PayerClaimNumber != "ICN-1" {
			t.Errorf("void after the refusal: %+v, %v", rev, err)
		}
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
	}},
	{"a batch that failed after the clearinghouse took its file is not sent again by retry", func(t *testing.T, h *Harness) {
		ctx := context.Background()
		tr := &takingTransport{MemTransport: h.Remote}
		h2 := NewHarnessWith(t, h.Store, func(o *pipeline.Options) { o.Partners[0].Transport = tr })
		h2.intake(Encounter("E1", "100.00"))
		tr.takeAfterRename = true
		if rep, _ := h2.P.Submit(ctx); rep.FailedBatches != 1 {
			t.Fatalf("submit: %+v, want the batch failed on the check after the rename", rep)
		}
		bs, _ := h2.P.Batches(ctx, 0)
		puts := tr.Puts()
		if _, err := h2.P.CancelBatch(ctx, bs[0].ID, "ops", "not needed", false); !errors.Is(err, pipeline.ErrConflict) {
			t.Errorf("cancel of a batch the clearinghouse may hold: %v, want a conflict", err)
		}
		b, err := h2.P.RetryBatch(ctx, bs[0].ID, "ops")
		if err != nil || b.State != pipeline.BatchUploaded || tr.Puts() != puts {
			t.Errorf("retry: %+v, %v, %d more puts; want uploaded, without sending again", b, err, tr.Puts()-puts)
		}
		wantState(t, h2, h2.ClaimOf("E1"), pipeline.StateSubmitted)
	}},
	{"a late 277CA after the 835 leaves F8 alone", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		clp := CLP(c, "1", Line{Paid: "100.00"})
		clp.PayerClaimNumber = "ICN-FROM-835"
		// Both arrive in one collect; the 835's name sorts first.
		rep := h.DeliverAll(File{"a.835", h.File835(Remit("T1", paidDate, []*x835.Claim{clp}))},
			File{"b.277", h.File277([]*pipeline.Claim{c}, nil)})
		wantCount(t, "files applied", rep.Processed, 2)
		got := h.Claim(c.ID)
		if got.PayerClaimNumber != "ICN-FROM-835" || got.PayerClaimSource != "835" {
			t.Errorf("payer claim number %q from %q, want ICN-FROM-835 from the 835", got.PayerClaimNumber, got.PayerClaimSource)
		}
		// The 277CA was applied first, whatever the names.
		var kinds []string
		for _, e := range h.Events(c.ID) {
			if e.Kind == "277ca" || e.Kind == "835" {
				kinds = append(kinds, e.Kind)
			}
		}
		if strings.Join(kinds, ",") != "277ca,835" {
			t.Errorf("applied in the order %v, want the 277CA before the 835", kinds)
		}
		// A later 277CA again: still the 835's number.
		h.Deliver("c.277", h.File277([]*pipeline.Claim{c}, nil))
		if got := h.Claim(c.ID); got.PayerClaimNumber != "ICN-FROM-835" {
			t.Errorf("a late 277CA replaced the 835's number: %q", got.PayerClaimNumber)
		}
		rev := h.correct(c.ID, "lines[0].units=2")
		if rev.PayerClaimNumber != "ICN-FROM-835" || rev.Frequency != "7" {
			t.Errorf("replacement %+v, want F8 ICN-FROM-835", rev)
		}
	}},
	{"a check with one unknown claim: the others post, the rest is unapplied until applied", func(t *testing.T, h *Harness) {
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "60.00"))
		a, b := cs["E1"], cs["E2"]
		unknown := *b
		unknown.PCN = "PATIENT-ACCT-77" // the payer garbled CLP01
		r := Remit("T1", paidDate, []*x835.Claim{CLP(a, "1", Line{Paid: "100.00"}), CLP(&unknown, "1", Line{Paid: "45.00",
			Adj: []x835.Adjustment{Adj("CO", "45", "15.00")}})})
		rep := h.Deliver("r1.835", h.File835(r))
		wantCount(t, "posted", rep.Responses.RemitsPosted, 1)
		wantCount(t, "unapplied", rep.Responses.PaymentsUnapplied, 1)
		wantState(t, h, a, pipeline.StatePaid)
		wantState(t, h, b, pipeline.StateSubmitted)
		wantAR(t, h, "one posted", "60.00")
		aging, _ := h.P.ARAging(context.Background())
		if aging.UnappliedTotal != x12.MustAmount("45.00") || len(aging.Unapplied) != 1 {
			t.Errorf("aging unapplied %s %+v, want 45.00", aging.UnappliedTotal, aging.Unapplied)
		}
		rems, err := h.P.Remittances(context.Background(), 0)
		if err != nil || len(rems) != 1 || rems[0].UnappliedCount != 1 || rems[0].UnappliedAmount != x12.MustAmount("45.00") {
			t.Fatalf("remittances %+v, %v", rems, err)
		}
		d, err := h.P.Remittance(context.Background(), rems[0].ID)
		if err != nil || len(d.Unapplied) != 1 || d.Unapplied[0].PCN != "PATIENT-ACCT-77" || len(d.WorkItems) != 1 {
			t.Fatalf("remittance detail %+v, %v", d, err)
		}
		item := d.WorkItems[0]
		if _, err := h.P.ApplyPayment(context.Background(), rems[0].ID, b.ID, "", "ana"); err != nil {
			t.Fatal(err)
		}
		wantState(t, h, b, pipeline.StatePaid)
		wantBalance(t, h, b, "45.00", "15.00", "0", "0")
		wantAR(t, h, "applied", "0")
		aging, _ = h.P.ARAging(context.Background())
		if aging.UnappliedTotal != 0 {
			t.Errorf("unapplied after apply: %s", aging.UnappliedTotal)
		}
		if w, _ := h.P.Item(context.Background(), item.ID); w.Status != pipeline.WorkClosed {
			t.Errorf("the unapplied-cash item is %s, want closed", w.Status)
		}
		_, err = h.P.ApplyPayment(context.Background(), rems[0].ID, b.ID, "", "ana")
		wantErr(t, "applying twice", err, pipeline.ErrNotFound)
		h.CheckLedger([]*pipeline.Claim{a, b}, x12.MustAmount("145.00"))
	}},
	{"a duplicate payment under another trace is kept as unapplied cash, the rest posts", func(t *testing.T, h *Harness) {
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "60.00"))
		a, b := cs["E1"], cs["E2"]
		paidA := CLP(a, "1", Line{Paid: "100.00"})
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{paidA})))
		rep := h.Deliver("r2.835", h.File835(Remit("T2", paidDate, []*x835.Claim{paidA, CLP(b, "1", Line{Paid: "60.00"})})))
		wantCount(t, "posted", rep.Responses.RemitsPosted, 1)
		wantCount(t, "held", rep.Responses.RemitsHeld, 0)
		wantCount(t, "unapplied", rep.Responses.PaymentsUnapplied, 1)
		wantState(t, h, b, pipeline.StatePaid)
		wantBalance(t, h, a, "100.00", "0", "0", "0")
		items := h.Work(pipeline.SourceUnmatched)
		if len(items) != 1 || items[0].Code != "over-credit" {
			t.Fatalf("unapplied-cash items %+v, want one over-credit", items)
		}
		// Applying it to the claim it names would credit it twice:
		// refused, nothing changed.
		_, err := h.P.ApplyPayment(context.Background(), items[0].RemittanceID, a.ID, "", "ana")
		wantErr(t, "applying a duplicate payment", err, pipeline.ErrConflict)
		wantBalance(t, h, a, "100.00", "0", "0", "0")
		aging, _ := h.P.ARAging(context.Background())
		if aging.UnappliedTotal != x12.MustAmount("100.00") {
			t.Errorf("unapplied cash %s, want the 100.00 the payer paid twice", aging.UnappliedTotal)
		}
		h.CheckLedger([]*pipeline.Claim{a, b}, x12.MustAmount("160.00"))
	}},
	{"a permanent upload failure strands nothing: fixed, retried, uploaded", func(t *testing.T, h *Harness) {
		ctx := context.Background()
		h.intake(Encounter("E1", "100.00"))
		h.Remote.FailPuts(permanentErr{})
		rep, err := h.P.Submit(ctx)
		if err == nil || rep.FailedBatches != 1 || !rep.NeedsAttention() {
			t.Fatalf("submit: %+v, %v; want one failed batch and an error", rep, err)
		}
		c := h.ClaimOf("E1")
		wantState(t, h, c, pipeline.StateBatched)
		items := h.Work(pipeline.SourceTransport)
		if len(items) != 1 || items[0].BatchID == 0 {
			t.Fatalf("transport items %+v", items)
		}
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "X"}}})
		wantErr(t, "correcting a claim in a failed batch", err, pipeline.ErrInFlight)
		// Still failed on the next run: submit keeps saying so.
		if again, _ := h.P.Submit(ctx); again.FailedBatches != 1 {
			t.Errorf("second submit: %d failed batches, want 1", again.FailedBatches)
		}
		h.Remote.FailPuts(nil)
		b, err := h.P.RetryBatch(ctx, items[0].BatchID, "ops")
		if err != nil || b.State != pipeline.BatchUploaded {
			t.Fatalf("retry: %+v, %v", b, err)
		}
		wantState(t, h, c, pipeline.StateSubmitted)
		wantAR(t, h, "uploaded after the retry", "100.00")
		if w, _ := h.P.Item(ctx, items[0].ID); w.Status != pipeline.WorkClosed {
			t.Errorf("transport item %s after the upload, want closed", w.Status)
		}
		if final, _ := h.P.Submit(ctx); final.FailedBatches != 0 || final.Upload.ClaimsSent != 0 {
			t.Errorf("after the retry: %+v", final)
		}
		_, err = h.P.RetryBatch(ctx, b.ID, "ops")
		wantErr(t, "retrying an uploaded batch", err, pipeline.ErrConflict)
	}},
	{"a failed batch canceled: its claims queued again under new versions", func(t *testing.T, h *Harness) {
		ctx := context.Background()
		h.intake(Encounter("E1", "100.00"))
		h.Remote.FailPuts(permanentErr{})
		h.P.Submit(ctx)
		items := h.Work(pipeline.SourceTransport)
		if len(items) != 1 {
			t.Fatalf("transport items %+v", items)
		}
		if _, err := h.P.CancelBatch(ctx, items[0].BatchID, "ops", "", false); err == nil {
			t.Error("cancel without a note must be refused")
		}
		if _, err := h.P.CancelBatch(ctx, items[0].BatchID, "ops", "account closed", false); err != nil {
			t.Fatal(err)
		}
		c := h.ClaimOf("E1")
		if c.State != pipeline.StateReady || c.Version != 2 {
			t.Errorf("claim after the cancel: %s version %d, want ready version 2", c.State, c.Version)
		}
		h.Remote.FailPuts(nil)
		rep := h.SubmitQueued()
		if rep.Upload.ClaimsSent != 1 || rep.FailedBatches != 0 {
			t.Errorf("after the cancel: %+v", rep)
		}
		if sent := string(lastUpload(t, h)); !strings.Contains(sent, "CLM*"+pipeline.PCN(c.ID, 2)+"*") {
			t.Errorf("the claim must go as %s", pipeline.PCN(c.ID, 2))
		}
		wantAR(t, h, "sent after the cancel", "100.00")
	}},
	{"an encounter re-sent with a corrected member ID after a rejection is resent by itself", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.Deliver("b1.277", h.File277([]*pipeline.Claim{c}, map[int64]bool{c.ID: true}))
		fixed := Encounter("E1", "100.00")
		fixed.Subscriber.MemberID = "MFIXED1"
		in := h.intake(fixed)
		wantCount(t, "updated", in.Updated, 1)
		wantCount(t, "corrected", in.Corrected, 1)
		wantCount(t, "conflicts", in.Conflicts, 0)
		rep := h.SubmitQueued()
		wantCount(t, "claims sent", rep.Upload.ClaimsSent, 1)
		got := h.Claim(c.ID)
		if got.Version != 2 || got.State != pipeline.StateSubmitted || got.PCN != pipeline.PCN(c.ID, 2) {
			t.Errorf("claim %+v, want version 2 submitted as %s", got, pipeline.PCN(c.ID, 2))
		}
		if in := h.intake(fixed); in.Unchanged != 1 || in.Updated != 0 {
			t.Errorf("the same encounter again: %+v", in)
		}
		wantAR(t, h, "resent", "100.00")
	}},
	{"an encounter changed after adjudication opens an item listing the fields", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})})))
		changed := Encounter("E1", "100.00")
		changed.Subscriber.MemberID = "MOTHER"
		changed.Lines[0].Procedure = "99214"
		in := h.intake(changed)
		wantCount(t, "conflicts", in.Conflicts, 1)
		if got := h.Claim(c.ID); got.Version != 1 || got.State != pipeline.StatePaid {
			t.Errorf("the claim changed: version %d, %s", got.Version, got.State)
		}
		items := h.Work(pipeline.SourceIntake)
		if len(items) != 1 || len(items[0].Reasons) != 2 || items[0].Reasons[0].Field != "lines[0].procedure" ||
			items[0].Reasons[1].Field != "subscriber.member_id" {
			t.Fatalf("intake items %+v", items)
		}
		h.intake(changed) // the same change again: no second item
		if n := len(h.Work(pipeline.SourceIntake)); n != 1 {
			t.Errorf("%d intake items, want 1", n)
		}
		rev, err := h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: c.ID, FromIntake: true, Actor: "ana"})
		if err != nil || rev.Frequency != "7" || len(rev.Changed) != 2 {
			t.Fatalf("correct from intake: %+v, %v", rev, err)
		}
		if n := len(h.Work(pipeline.SourceIntake)); n != 0 {
			t.Errorf("the item must close once the claim is corrected: %d open", n)
		}
	}},
	{"corrections refused, with nothing changed", func(t *testing.T, h *Harness) {
		ctx := context.Background()
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		set := func(kv ...string) []pipeline.FieldSet {
			var out []pipeline.FieldSet
			for _, s := range kv {
				k, v, _ := strings.Cut(s, "=")
				out = append(out, pipeline.FieldSet{Path: k, Value: v})
			}
			return out
		}
		_, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Sets: set("subscriber.member_id=X")})
		wantErr(t, "in flight", err, pipeline.ErrInFlight)
		_, err = h.P.Void(ctx, c.ID, "ana", "")
		wantErr(t, "void in flight", err, pipeline.ErrInFlight)
		h.Deliver("b1.277", h.File277([]*pipeline.Claim{c}, map[int64]bool{c.ID: true}))
		_, err = h.P.Void(ctx, c.ID, "ana", "")
		wantErr(t, "void of a claim never adjudicated", err, pipeline.ErrNotAdjudicated)
		var fe *pipeline.FieldError
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Sets: set("subscriber.member_idd=X")})
		if !errors.As(err, &fe) || fe.Path != "subscriber.member_idd" {
			t.Errorf("unknown path: %v", err)
		}
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Sets: set("frequency=7")})
		if !errors.As(err, &fe) {
			t.Errorf("setting the frequency: %v", err)
		}
		var se *pipeline.ScrubError
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Sets: set("billing_provider.npi=1234567890")})
		if !errors.As(err, &se) || len(se.Problems) == 0 || se.Problems[0].Field != "billing_provider.npi" {
			t.Errorf("a value that fails the scrubber: %v", err)
		}
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Sets: set("subscriber.member_id=" + c.Data.Subscriber.MemberID)})
		wantErr(t, "no change", err, pipeline.ErrNoChange)
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: 987654, Sets: set("subscriber.member_id=X")})
		wantErr(t, "unknown claim", err, pipeline.ErrNotFound)
		if got := h.Claim(c.ID); got.Version != 1 || got.State != pipeline.StateRejected {
			t.Errorf("refusals changed the claim: version %d, %s", got.Version, got.State)
		}
		// Two corrections from the same version: the second is a conflict.
		first, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Base: 1, Sets: set("subscriber.member_id=A1")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: c.ID, Base: 1, Sets: set("subscriber.member_id=B2")})
		wantErr(t, "a second correction racing the first", err, pipeline.ErrConflict)
		if got := h.Claim(c.ID); got.Version != first.Version || got.Data.Subscriber.MemberID != "A1" {
			t.Errorf("after the conflict: version %d member %q, want %d A1", got.Version, got.Data.Subscriber.MemberID, first.Version)
		}
	}},
	{"acknowledgments applied again after a crash add nothing", func(t *testing.T, h *Harness) {
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "60.00"))
		a, b := cs["E1"], cs["E2"]
		h.Deliver("b1.999", h.File999(a, "A"))
		h.Deliver("b1.277", h.File277([]*pipeline.Claim{a, b}, map[int64]bool{b.ID: true}))
		events, work := len(h.Events(a.ID))+len(h.Events(b.ID)), len(h.Work(""))
		// The crash: applied, not yet marked processed.
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			fs, err := tx.InboundInState(ctx, pipeline.InboundProcessed)
			if err != nil {
				return err
			}
			for _, f := range fs {
				f.State = pipeline.InboundReceived
				if err := tx.UpdateInbound(ctx, f); err != nil {
					return err
				}
			}
			return nil
		})
		rep, err := h.P.ApplyPending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantCount(t, "files applied again", rep.Files, 2)
		wantCount(t, "sets skipped", rep.AcksSkipped, 2)
		if e, w := len(h.Events(a.ID))+len(h.Events(b.ID)), len(h.Work("")); e != events || w != work {
			t.Errorf("applying again: events %d → %d, work items %d → %d", events, e, work, w)
		}
	}},
	{"only what is addressed to us is applied", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		r := Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})})
		evil := h.File835With(func(isa *x12.InterchangeHeader, gs *x12.GroupHeader) {
			isa.SenderID, isa.ReceiverID, gs.ReceiverCode = "EVILSENDER", "OTHERPRACTICE", "OTHERPRACTICE"
		}, r)
		prod := h.File835With(func(isa *x12.InterchangeHeader, _ *x12.GroupHeader) { isa.Usage = "P" }, r)
		nul := bytes.Replace(h.File835(r), []byte("*"+HarnessReceiver+"  "), []byte("*CLEAR\x00HOUSE "), 1)
		rep := h.DeliverAll(File{"evil.835", evil}, File{"prod.835", prod}, File{"nul.835", nul})
		wantCount(t, "quarantined", rep.Responses.QuarantinedFiles, 3)
		wantCount(t, "posted", rep.Responses.RemitsPosted, 0)
		wantState(t, h, c, pipeline.StateSubmitted)
		wantAR(t, h, "nothing posted", "100.00")
		items := h.Work(pipeline.SourceInboundBad)
		codes := map[string]bool{}
		for _, it := range items {
			for _, r := range it.Reasons {
				codes[r.Code] = true
			}
		}
		for _, want := range []string{"unknown-sender", "not-for-us", "usage-mismatch", "control-character"} {
			if !codes[want] {
				t.Errorf("no quarantine reason %s in %+v", want, items)
			}
		}
		if len(items) != 3 {
			t.Errorf("%d quarantine items, want 3", len(items))
		}
	}},
	{"a 277CA naming many unknown claims opens one item", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		claims := []*pipeline.Claim{c}
		for i := range 300 {
			x := *c
			x.ID, x.PCN = 0, fmt.Sprintf("NOTOURS-%d", i)
			claims = append(claims, &x)
		}
		rep := h.Deliver("b1.277", h.File277(claims, nil))
		wantCount(t, "unknown statuses", rep.Responses.UnknownStatuses, 300)
		items := h.Work(pipeline.Source277CA)
		if len(items) != 1 || len(items[0].Reasons) != 300 {
			t.Fatalf("%d items (want 1) with %v reasons (want 300)", len(items), func() int {
				if len(items) == 0 {
					return 0
				}
				return len(items[0].Reasons)
			}())
		}
		wantState(t, h, c, pipeline.StateAccepted)
	}},
	{"leftovers of an interrupted run are removed, nothing else", func(t *testing.T, h *Harness) {
		h.Submit(Encounter("E1", "100.00"))
		old := time.Now().Add(-2 * pipeline.LeftoverAge)
		outbox, inbox := filepath.Join(h.Dir, "outbox"), filepath.Join(h.Dir, "inbox", "sim")
		if err := os.MkdirAll(inbox, 0o700); err != nil {
			t.Fatal(err)
		}
		files := map[string]bool{ // path → must remain
			filepath.Join(outbox, ".X_837P.x12.123.tmp"):   false,
			filepath.Join(outbox, "ORPHAN_837P.x12"):       false,
			filepath.Join(inbox, ".r1.835.456.tmp"):        false,
			filepath.Join(outbox, ".FRESH_837P.x12.1.tmp"): true,
		}
		for path := range files {
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(path, "FRESH") {
				os.Chtimes(path, old, old)
			}
		}
		var owned []string
		bs, _ := h.P.Batches(context.Background(), 0)
		for _, b := range bs {
			owned = append(owned, b.LocalPath)
			os.Chtimes(b.LocalPath, old, old)
		}
		// The same folder through another path (a symbolic link): the
		// batch's file is still its own.
		link := filepath.Join(t.TempDir(), "work")
		if err := os.Symlink(h.Dir, link); err != nil {
			t.Fatal(err)
		}
		other := NewHarnessWith(t, h.Store, func(o *pipeline.Options) { o.Dir = link })
		if rep, err := other.P.Cleanup(context.Background()); err != nil || rep.Temporary != 2 || rep.Orphans != 1 {
			t.Errorf("cleanup through a link: %+v, %v; want 2 temporary files and the orphan removed", rep, err)
		}
		if err := os.WriteFile(filepath.Join(outbox, "ORPHAN_837P.x12"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(outbox, "ORPHAN_837P.x12"), old, old)
		rep, err := h.P.Cleanup(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Temporary != 0 || rep.Orphans != 1 {
			t.Errorf("cleanup %+v, want the new orphan only", rep)
		}
		for path, keep := range files {
			if _, err := os.Stat(path); (err == nil) != keep {
				t.Errorf("%s: exists %v, want %v", filepath.Base(path), err == nil, keep)
			}
		}
		for _, p := range owned {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("the batch's own file was removed: %v", err)
			}
		}
	}},
}

// lastUpload returns the content of the newest file uploaded.
func lastUpload(t *testing.T, h *Harness) []byte {
	t.Helper()
	bs, err := h.P.Batches(context.Background(), 1)
	if err != nil || len(bs) == 0 {
		t.Fatalf("no batch: %v", err)
	}
	data, ok := h.Remote.Uploaded()[bs[0].FileName]
	if !ok {
		t.Fatalf("batch %d (%s) was not uploaded", bs[0].ID, bs[0].FileName)
	}
	return data
}

// takingTransport is a clearinghouse that takes a file the moment it is
// renamed to its final name, while the check that follows fails for
// good: the upload failed, but the file was delivered.
type takingTransport struct {
	*MemTransport
	takeAfterRename bool
	renamed         bool
}

func (m *takingTransport) Rename(ctx context.Context, from, to string) error {
	err := m.MemTransport.Rename(ctx, from, to)
	m.renamed = err == nil
	return err
}

func (m *takingTransport) Stat(ctx context.Context, name string) (int64, error) {
	if m.renamed && m.takeAfterRename {
		m.takeAfterRename = false
		m.MemTransport.take(name)
		return 0, permanentErr{}
	}
	return m.MemTransport.Stat(ctx, name)
}

// hookStore runs a hook before the n-th transaction from the time it is
// set: a test's way to let something happen between two transactions of
// an operation.
type hookStore struct {
	pipeline.Store
	mu    sync.Mutex
	count int
	at    int
	hook  func()
}

// before runs fn before the n-th transaction from now.
func (s *hookStore) before(n int, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count, s.at, s.hook = 0, n, fn
}

func (s *hookStore) InTx(ctx context.Context, fn func(pipeline.Tx) error) error {
	s.mu.Lock()
	s.count++
	var hook func()
	if s.hook != nil && s.count == s.at {
		hook, s.hook = s.hook, nil
	}
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	return s.Store.InTx(ctx, fn)
}
