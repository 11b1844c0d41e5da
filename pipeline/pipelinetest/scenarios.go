package pipelinetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// RunPostingScenarios runs the receivables scenarios of the claim
// lifecycle against a store: acknowledgments and 835 posting end to end,
// through a real Pipeline. Every store adapter runs it. open returns a
// fresh, empty store for one scenario.
func RunPostingScenarios(t *testing.T, open func(t *testing.T) pipeline.Store) {
	for _, sc := range postingScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, NewHarness(t, open(t)))
		})
	}
}

type scenario struct {
	name string
	run  func(t *testing.T, h *Harness)
}

var paidDate = x12.Date{Year: 2026, Month: 11, Day: 20}

func wantState(t *testing.T, h *Harness, c *pipeline.Claim, want pipeline.ClaimState) {
	t.Helper()
	if got := h.Claim(c.ID).State; got != want {
		t.Errorf("claim %d (%s): state %s, want %s", c.ID, c.EncounterID, got, want)
	}
}

func wantBalance(t *testing.T, h *Harness, c *pipeline.Claim, payments, adjustments, pr, open string) {
	t.Helper()
	b := h.Balance(c.ID)
	got := [4]x12.Amount{b.Payments, b.Adjustments, b.PatientResp, b.Insurance()}
	want := [4]x12.Amount{x12.MustAmount(payments), x12.MustAmount(adjustments), x12.MustAmount(pr), x12.MustAmount(open)}
	if got != want {
		t.Errorf("claim %d balance (payments, adjustments, patient, open): got %v, want %v", c.ID, got, want)
	}
}

func wantCount(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %d, want %d", what, got, want)
	}
}

var postingScenarios = []scenario{
	{"full payment", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00", "50.00"))["E1"]
		rep := h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{
			CLP(c, "1", Line{Paid: "100.00"}, Line{Paid: "50.00"})})))
		wantCount(t, "remittances posted", rep.Responses.RemitsPosted, 1)
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "150", "0", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("150"))
		wantCount(t, "denial work items", len(h.Work(pipeline.SourceDenial)), 0)
	}},
	{"partial payment with CO-45", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{
			CLP(c, "1", Line{Paid: "72.50", Adj: []x835.Adjustment{Adj("CO", "45", "27.50")}})})))
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "72.50", "27.50", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("72.50"))
	}},
	{"deductible PR-1 with $0 paid is not a denial", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "120.00"))["E1"]
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{
			CLP(c, "1", Line{Paid: "0", Adj: []x835.Adjustment{Adj("CO", "45", "20.00"), Adj("PR", "1", "100.00")}})})))
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "0", "20.00", "100.00", "0")
		if b := h.Balance(c.ID); b.Patient() != x12.MustAmount("100.00") {
			t.Errorf("patient balance %s, want 100.00", b.Patient())
		}
		wantCount(t, "denial work items", len(h.Work(pipeline.SourceDenial)), 0)
		h.CheckLedger([]*pipeline.Claim{c}, 0)
	}},
	{"denial CO-50", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "250.00"))["E1"]
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{
			CLP(c, "4", Line{Paid: "0", Adj: []x835.Adjustment{Adj("CO", "50", "250.00")}})})))
		wantState(t, h, c, pipeline.StateDenied)
		wantBalance(t, h, c, "0", "250.00", "0", "0")
		items := h.Work(pipeline.SourceDenial)
		if len(items) != 1 || items[0].ClaimID != c.ID || items[0].Category != "medical necessity" {
			t.Fatalf("denial work items: %+v, want one for claim %d in category medical necessity", items, c.ID)
		}
		if r := items[0].Reasons; len(r) == 0 || r[0].Code != "CO-50" || r[0].Text == "" {
			t.Errorf("denial reasons %+v, want CO-50 with its text", r)
		}
		h.CheckLedger([]*pipeline.Claim{c}, 0)
	}},
	{"reversal and correction in the same 835", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		orig := CLP(c, "1", Line{Paid: "80.00", Adj: []x835.Adjustment{Adj("CO", "45", "20.00")}})
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{orig})))
		corr := CLP(c, "1", Line{Paid: "90.00", Adj: []x835.Adjustment{Adj("CO", "45", "10.00")}})
		rep := h.Deliver("r2.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(orig), corr})))
		wantCount(t, "reversals posted", rep.Responses.ClaimsReversed, 1)
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "90.00", "10.00", "0", "0")
		var pays []*pipeline.ClaimPayment
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			var err error
			pays, err = tx.ClaimPayments(ctx, c.ID)
			return err
		})
		if len(pays) != 3 || pays[0].ReversedBy != pays[1].ID || pays[1].Status != "22" || pays[2].ReversedBy != 0 {
			t.Errorf("payments: %+v; want the original reversed by the 22, the correction standing", pays)
		}
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("90.00"))
	}},
	{"reversal in a later 835 with PLB WO", func(t *testing.T, h *Harness) {
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "200.00"))
		a, b := cs["E1"], cs["E2"]
		orig := CLP(a, "1", Line{Paid: "80.00", Adj: []x835.Adjustment{Adj("CO", "45", "20.00")}})
		h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{orig})))
		// The payer takes the 80.00 back later: the reversal nets
		// against claim B's payment, and a negative WO defers the
		// recovery.
		wo := x835.ProviderAdjustment{ProviderID: HarnessNPI, FiscalDate: x12.Date{Year: 2026, Month: 12, Day: 31},
			Reason: "WO", Reference: "ICN" + a.PCN, Amount: x12.MustAmount("-80.00")}
		r2 := Remit("T2", paidDate, []*x835.Claim{Reversal(orig), CLP(b, "1", Line{Paid: "200.00"})}, wo)
		if r2.Payment.Amount != x12.MustAmount("200.00") {
			t.Fatalf("BPR02 %s, want 200.00", r2.Payment.Amount)
		}
		h.Deliver("r2.835", h.File835(r2))
		wantState(t, h, a, pipeline.StateReversed)
		wantState(t, h, b, pipeline.StatePaid)
		wantBalance(t, h, a, "0", "0", "0", "100.00")
		var plb []pipeline.ProviderAdjustment
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			rem, err := tx.FindRemittance(ctx, pipeline.RemitKey{PayerID: "1999999999", Trace: "T2", PaymentDate: paidDate, Amount: r2.Payment.Amount})
			if err != nil {
				return err
			}
			plb, err = tx.ProviderAdjustments(ctx, rem.ID)
			return err
		})
		if len(plb) != 1 || plb[0].Reason != "WO" || plb[0].Amount != x12.MustAmount("-80.00") {
			t.Errorf("provider ledger: %+v, want one WO -80.00", plb)
		}
		h.CheckLedger([]*pipeline.Claim{a, b}, x12.MustAmount("200.00"))
	}},
	{"PLB interest L6", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		l6 := x835.ProviderAdjustment{ProviderID: HarnessNPI, FiscalDate: x12.Date{Year: 2026, Month: 12, Day: 31},
			Reason: "L6", Amount: x12.MustAmount("-2.37")}
		r := Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})}, l6)
		if r.Payment.Amount != x12.MustAmount("102.37") {
			t.Fatalf("BPR02 %s, want 102.37", r.Payment.Amount)
		}
		rep := h.Deliver("r1.835", h.File835(r))
		wantCount(t, "remittances posted", rep.Responses.RemitsPosted, 1)
		// Interest goes to the provider ledger, never to the claim.
		wantBalance(t, h, c, "100.00", "0", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
	}},
	{"the same 835 ingested twice, and in another file", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		r := Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})})
		file := h.File835(r)
		first := h.Deliver("r1.835", file)
		again := h.Deliver("r1-resent.835", file)
		other := h.Deliver("r1-reissued.835", h.File835(r)) // same remittance, new envelope
		wantCount(t, "first: posted", first.Responses.RemitsPosted, 1)
		wantCount(t, "same bytes: duplicate files", again.Duplicates, 1)
		wantCount(t, "same bytes: posted", again.Responses.RemitsPosted, 0)
		wantCount(t, "new envelope: posted", other.Responses.RemitsPosted, 0)
		wantCount(t, "new envelope: recorded no-op", other.Responses.RemitsDuplicate, 1)
		wantBalance(t, h, c, "100.00", "0", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
	}},
	{"a file applied again after a crash changes nothing", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		stranger := *c
		stranger.PCN = "NOT-OURS-1"
		paid := Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})})
		unmatched := Remit("T2", paidDate, []*x835.Claim{CLP(&stranger, "1", Line{Paid: "50.00", Adj: []x835.Adjustment{Adj("CO", "45", "50.00")}})})
		first := h.Deliver("r1.835", h.File835(paid, unmatched, paid))
		wantCount(t, "posted (the second all unapplied cash)", first.Responses.RemitsPosted, 2)
		wantCount(t, "unapplied payments", first.Responses.PaymentsUnapplied, 1)
		wantCount(t, "duplicate within the file", first.Responses.RemitsDuplicate, 1)
		snapshot := func() (pipeline.Counts, int, int) {
			var n pipeline.Counts
			h.tx(func(ctx context.Context, tx pipeline.Tx) error {
				var err error
				n, err = tx.Counts(ctx)
				return err
			})
			return n, len(h.Work("")), len(h.Events(c.ID))
		}
		counts, work, events := snapshot()
		wantCount(t, "remittances recorded", counts.Remittances, 3)
		// The crash: the sets were applied, the file was not yet marked
		// processed.
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			fs, err := tx.InboundInState(ctx, pipeline.InboundProcessed)
			if err != nil || len(fs) != 1 {
				return fmt.Errorf("processed files %d: %v", len(fs), err)
			}
			fs[0].State = pipeline.InboundReceived
			return tx.UpdateInbound(ctx, fs[0])
		})
		again, err := h.P.ApplyPending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantCount(t, "files applied again", again.Files, 1)
		wantCount(t, "posted again", again.RemitsPosted+again.RemitsHeld+again.RemitsDuplicate, 0)
		wantCount(t, "sets skipped", again.RemitsSkipped, 3)
		counts2, work2, events2 := snapshot()
		if counts2.Remittances != counts.Remittances || work2 != work || events2 != events || counts2.InsurancePaid != counts.InsurancePaid {
			t.Errorf("applying again changed remittances %d→%d, work items %d→%d, events %d→%d, paid %s→%s",
				counts.Remittances, counts2.Remittances, work, work2, events, events2, counts.InsurancePaid, counts2.InsurancePaid)
		}
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
	}},
	{"unmatched CLP01 becomes unapplied cash, the rest posts", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		stranger := *c
		stranger.PCN = "NOT-OURS-1"
		rep := h.Deliver("r1.835", h.File835(Remit("T1", paidDate, []*x835.Claim{
			CLP(c, "1", Line{Paid: "100.00"}), CLP(&stranger, "1", Line{Paid: "40.00", Adj: []x835.Adjustment{Adj("CO", "45", "60.00")}})})))
		wantCount(t, "held", rep.Responses.RemitsHeld, 0)
		wantCount(t, "posted", rep.Responses.RemitsPosted, 1)
		wantCount(t, "unapplied", rep.Responses.PaymentsUnapplied, 1)
		if rep.Responses.AmountUnapplied != x12.MustAmount("40.00") {
			t.Errorf("amount unapplied %s, want 40.00", rep.Responses.AmountUnapplied)
		}
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "100.00", "0", "0", "0")
		wantCount(t, "unmatched work items", len(h.Work(pipeline.SourceUnmatched)), 1)
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100.00"))
	}},
	{"out-of-balance 835 is held, nothing posted", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		clp := CLP(c, "1", Line{Paid: "80.00", Adj: []x835.Adjustment{Adj("CO", "45", "20.00")}})
		clp.Paid = x12.MustAmount("85.00") // CLP04 disagrees with its lines
		r := Remit("T1", paidDate, []*x835.Claim{clp})
		rep := h.Deliver("r1.835", h.File835(r))
		wantCount(t, "held", rep.Responses.RemitsHeld, 1)
		wantState(t, h, c, pipeline.StateSubmitted)
		wantBalance(t, h, c, "0", "0", "0", "100.00")
		items := h.Work(pipeline.SourceImbalance)
		if len(items) != 1 || len(items[0].Reasons) == 0 {
			t.Fatalf("out-of-balance work items: %+v", items)
		}
		h.CheckLedger([]*pipeline.Claim{c}, 0)
	}},
	{"999 rejects a whole set", func(t *testing.T, h *Harness) {
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "60.00"))
		rep := h.Deliver("b1.999", h.File999(cs["E1"], "R"))
		wantCount(t, "sets rejected", rep.Responses.SetsRejected, 1)
		wantCount(t, "claims rejected", rep.Responses.ClaimsRejected, 2)
		for _, c := range cs {
			wantState(t, h, c, pipeline.StateAckRejected)
		}
		items := h.Work(pipeline.Source999)
		wantCount(t, "999 work items", len(items), 2)
		found := false
		for _, it := range items {
			for _, r := range it.Reasons {
				found = found || r.Code == "IK4-4"
			}
		}
		if !found {
			t.Errorf("no work item carries the IK4 element error of the claim it falls in: %+v", items)
		}
	}},
	{"277CA rejects one claim", func(t *testing.T, h *Harness) {
		cs := h.Submit(Encounter("E1", "100.00"), Encounter("E2", "60.00"))
		a, b := cs["E1"], cs["E2"]
		h.Deliver("b1.999", h.File999(a, "A"))
		rep := h.Deliver("b1.277", h.File277([]*pipeline.Claim{a, b}, map[int64]bool{b.ID: true}))
		wantCount(t, "accepted", rep.Responses.ClaimsAccepted, 1)
		wantCount(t, "rejected", rep.Responses.ClaimsRejected, 1)
		wantState(t, h, a, pipeline.StateAccepted)
		wantState(t, h, b, pipeline.StateRejected)
		if got := h.Claim(a.ID).PayerClaimNumber; got != "ICN"+a.PCN {
			t.Errorf("payer claim number %q, want REF*1K %q", got, "ICN"+a.PCN)
		}
		items := h.Work(pipeline.Source277CA)
		if len(items) != 1 || items[0].ClaimID != b.ID || len(items[0].Reasons) == 0 || items[0].Reasons[0].Code != "A7:164:IL" {
			t.Fatalf("277CA work items: %+v", items)
		}
		// A late duplicate of the 999 moves nothing backwards.
		h.Deliver("b1-again.999", h.File999(a, "A"))
		wantState(t, h, a, pipeline.StateAccepted)
	}},
}
