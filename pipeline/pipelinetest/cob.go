package pipelinetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
)

// RunCOBScenarios runs the coordination-of-benefits scenarios against a
// store: the primary's 835 posts, the secondary claim is built from the
// ledger (automatically or on request), goes out with 2320/2330/2430
// amounts equal to the ledger's, and the secondary's 835 posts to the
// same claim's ledger, leaving the patient's responsibility only. Every
// store adapter runs it; open returns a fresh, empty store.
func RunCOBScenarios(t *testing.T, open func(t *testing.T) pipeline.Store) {
	for _, sc := range cobScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, open(t))
		})
	}
}

// SecondPayerID is the secondary payer of the COB scenarios.
const SecondPayerID = "PAYER02"

// COBEncounter is Encounter with a secondary coverage: the patient's own
// plan at SecondPayerID.
func COBEncounter(id string, charges ...string) *pipeline.Encounter {
	e := Encounter(id, charges...)
	e.Subscriber.Responsibility = "P"
	e.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Relationship: "18", FilingIndicator: "CI", GroupNumber: "G2",
		Subscriber: x837.OtherSubscriber{Person: x837.Person{LastName: "DOE", FirstName: "PAT"}, MemberID: "S" + id},
		Payer:      x837.OtherPayer{Name: "Second Payer", ID: SecondPayerID}}}
	return e
}

func cobHarness(t *testing.T, store pipeline.Store, mode pipeline.SecondaryMode) *Harness {
	return NewHarnessWith(t, store, func(o *pipeline.Options) { o.Secondary = mode })
}

// secondRemit is a remittance from the secondary payer.
func secondRemit(trace string, claims ...*x835.Claim) *x835.Remittance {
	r := Remit(trace, paidDate, claims)
	r.Payer = x835.Party{Name: "SECOND PAYER", IDQualifier: "XV", ID: SecondPayerID}
	r.Payment.OriginatorID = "1888888888"
	return r
}

// newUpload submits the queued claims and returns the one file uploaded.
func newUpload(t *testing.T, h *Harness) []byte {
	t.Helper()
	before := h.Remote.Uploaded()
	rep := h.SubmitQueued()
	if rep.Upload.ClaimsSent != 1 {
		t.Fatalf("sent %d claims, want 1", rep.Upload.ClaimsSent)
	}
	for name, data := range h.Remote.Uploaded() {
		if _, ok := before[name]; !ok {
			return data
		}
	}
	t.Fatal("no new file uploaded")
	return nil
}

// primaryCLP pays E1's lines 100.00 and 50.00: 70 + CO-45 10 + PR-2 20,
// and 30 + CO-45 5 + PR-1 15.
func primaryCLP(c *pipeline.Claim) *x835.Claim {
	return CLP(c, "1",
		Line{Paid: "70.00", Adj: []x835.Adjustment{Adj("CO", "45", "10.00"), Adj("PR", "2", "20.00")}},
		Line{Paid: "30.00", Adj: []x835.Adjustment{Adj("CO", "45", "5.00"), Adj("PR", "1", "15.00")}})
}

// secondaryCLP is the secondary's answer: the primary's share as OA-23,
// 20 + 10 paid, PR-1 5 left to the patient.
func secondaryCLP(c *pipeline.Claim) *x835.Claim {
	cl := CLP(c, "2",
		Line{Paid: "20.00", Adj: []x835.Adjustment{Adj("OA", "23", "80.00")}},
		Line{Paid: "10.00", Adj: []x835.Adjustment{Adj("OA", "23", "35.00"), Adj("PR", "1", "5.00")}})
	return cl
}

func segmentsOf(t *testing.T, data []byte) []string {
	t.Helper()
	s := strings.ReplaceAll(string(data), "\n", "")
	return strings.Split(strings.TrimSuffix(s, "~"), "~")
}

var cobScenarios = []struct {
	name string
	run  func(t *testing.T, store pipeline.Store)
}{
	{"primary lists the secondary, the secondary is built from the ledger and posts back", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		primary := string(h.Remote.Uploaded()[firstKey(h.Remote.Uploaded())])
		for _, want := range []string{"SBR*S*18*G2******CI~", "NM1*IL*1*DOE*PAT****MI*SE1~", "NM1*PR*2*Second Payer*****PI*PAYER02~"} {
			if !strings.Contains(primary, want) {
				t.Errorf("primary 837 lacks %s", want)
			}
		}
		if strings.Contains(primary, "AMT*D") || strings.Contains(primary, "SVD*") {
			t.Error("primary 837 carries adjudication amounts")
		}

		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{primaryCLP(c)})))
		sec := h.Claim(c.ID)
		wantState(t, h, sec, pipeline.StateReady)
		if sec.VersionKind != pipeline.VersionSecondary || sec.PayerID != SecondPayerID || sec.Version != 2 {
			t.Fatalf("claim after the primary's 835: version %d %s to %s, want version 2 secondary to %s", sec.Version, sec.VersionKind, sec.PayerID, SecondPayerID)
		}
		wantCount(t, "COB work items", len(h.Work(pipeline.SourceCOB)), 0)
		wantBalance(t, h, c, "100", "15", "35", "0")
		if sec.PayerClaimNumber != "" {
			t.Errorf("payer claim number %q on file for the secondary; want none until the secondary's answer", sec.PayerClaimNumber)
		}

		file := newUpload(t, h)
		ps, err := x837.ValidateFile(bytes.NewReader(file), x837.FileOptions{Today: x12.DateOf(h.Now)})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("secondary 837: %s", p.Error())
		}
		// 2320/2430 amounts against the ledger, line by line.
		var bals map[int64]pipeline.Balance
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			var err error
			bals, err = tx.LineBalances(ctx, c.ID)
			return err
		})
		segs := strings.Join(segmentsOf(t, file), "~") + "~"
		var paid x12.Amount
		for _, l := range sec.Lines {
			b := bals[l.ID]
			paid += b.Payments
			want := "SVD*" + HarnessPayerID + "*" + b.Payments.X12() + "*HC:" + l.Procedure + "**1~"
			if !strings.Contains(segs, want) {
				t.Errorf("secondary 837 lacks %s (line %d's ledger payment)", want, l.LineNo)
			}
		}
		for _, want := range []string{
			"SBR*S*18*G2******CI~", "SBR*P*18*******CI~", "AMT*D*" + paid.X12() + "~", "NM1*PR*2*Test Payer*****PI*" + HarnessPayerID + "~",
			"REF*F8*ICN" + c.PCN + "~", "CAS*CO*45*10~CAS*PR*2*20~DTP*573*D8*20261120~", "CAS*CO*45*5~CAS*PR*1*15~DTP*573*D8*20261120~",
			"CLM*" + pipeline.PCN(c.ID, 2) + "*150***11:B:1*",
		} {
			if !strings.Contains(segs, want) {
				t.Errorf("secondary 837 lacks %s", want)
			}
		}

		sec = h.Claim(c.ID)
		rep := h.Deliver("s.835", h.File835(secondRemit("T2", secondaryCLP(sec))))
		wantCount(t, "remittances posted", rep.Responses.RemitsPosted, 1)
		wantCount(t, "unapplied work items", len(h.Work(pipeline.SourceUnmatched)), 0)
		wantState(t, h, c, pipeline.StatePaid)
		b := h.Balance(c.ID)
		if b.Insurance() != 0 || b.Patient() != x12.MustAmount("5") || b.Payments != x12.MustAmount("130") {
			t.Errorf("after the secondary: open %s, patient %s, payments %s; want 0, 5.00, 130.00", b.Insurance(), b.Patient(), b.Payments)
		}
		wantBalance(t, h, c, "130", "15", "5", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("130"))
		if got, want := h.Claim(c.ID).PayerClaimNumber, "ICN"+sec.PCN; got != want {
			t.Errorf("payer claim number %q, want the secondary's %q", got, want)
		}

		// The secondary's reversal gives the patient responsibility
		// back to what the primary left.
		h.Deliver("r.835", h.File835(secondRemit("T3", Reversal(secondaryCLP(sec)))))
		wantState(t, h, c, pipeline.StateReversed)
		wantBalance(t, h, c, "100", "15", "35", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("100"))
	}},
	{"on request: a work item until a person builds it", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryOnRequest)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{primaryCLP(c)})))
		wantState(t, h, c, pipeline.StatePaid)
		items := h.Work(pipeline.SourceCOB)
		if len(items) != 1 || items[0].Code != "secondary-due" || items[0].ClaimID != c.ID || !strings.Contains(items[0].Summary, "claims secondary build") {
			t.Fatalf("COB items %+v, want one secondary-due item for claim %d", items, c.ID)
		}
		rev, err := h.P.BuildSecondary(context.Background(), pipeline.SecondaryRequest{ClaimID: c.ID, Actor: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if rev.Kind != pipeline.VersionSecondary || rev.State != pipeline.StateReady || rev.Frequency != "1" {
			t.Errorf("revision %+v", rev)
		}
		wantCount(t, "COB work items after the build", len(h.Work(pipeline.SourceCOB)), 0)
		if _, err := h.P.BuildSecondary(context.Background(), pipeline.SecondaryRequest{ClaimID: c.ID}); !errors.As(err, new(*pipeline.Refusal)) {
			t.Errorf("second build: %v, want a refusal (the claim is queued)", err)
		}
	}},
	{"an 837P without line detail: a work item, resolved with the EOB's adjudication", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		whole := &x835.Claim{PatientControlNumber: c.PCN, Status: "1", Charge: c.TotalCharge, Paid: x12.MustAmount("100"),
			PatientResponsibility: x12.MustAmount("35"), PayerClaimNumber: "ICN1",
			Adjustments: []x835.Adjustment{Adj("CO", "45", "15.00"), Adj("PR", "1", "35.00")}}
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{whole})))
		wantState(t, h, c, pipeline.StatePaid)
		items := h.Work(pipeline.SourceCOB)
		if len(items) != 1 || items[0].Code != "no-line-detail" {
			t.Fatalf("COB items %+v, want one no-line-detail item", items)
		}
		// An adjudication that does not balance is refused.
		bad := &x837.Adjudication{Paid: x12.MustAmount("99"), Date: paidDate,
			Adjustments: []x837.CAS{{Group: "CO", Reason: "45", Amount: x12.MustAmount("15")}, {Group: "PR", Reason: "1", Amount: x12.MustAmount("35")}}}
		var ce *pipeline.COBError
		if _, err := h.P.BuildSecondary(context.Background(), pipeline.SecondaryRequest{ClaimID: c.ID, Adjudication: bad}); !errors.As(err, &ce) ||
			ce.Reasons[0].Code != x837.RuleCOBBalance || ce.Reasons[0].Field != "other_coverage[0].adjudication.paid" {
			t.Fatalf("unbalanced adjudication: %v, want a cob-out-of-balance COBError", err)
		}
		good := *bad
		good.Paid = x12.MustAmount("100")
		if _, err := h.P.BuildSecondary(context.Background(), pipeline.SecondaryRequest{ClaimID: c.ID, Adjudication: &good, Actor: "ana"}); err != nil {
			t.Fatal(err)
		}
		wantCount(t, "COB work items after the build", len(h.Work(pipeline.SourceCOB)), 0)
		file := string(newUpload(t, h))
		if !strings.Contains(file, "AMT*D*100~") || !strings.Contains(file, "DTP*573*D8*20261120~") || strings.Contains(file, "SVD*") {
			t.Errorf("claim-level secondary:\n%s", file)
		}
	}},
	{"an 837I paid as a whole: a claim-level secondary (no 2430)", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		e := COBEncounter("E1", "100.00", "50.00")
		e.Kind, e.PlaceOfService = x837.Institutional, ""
		e.Institutional = &x837.InstitutionalInfo{FacilityType: "13", PatientStatus: "01",
			StatementFrom: x12.Date{Year: 2026, Month: 11, Day: 2}, StatementTo: x12.Date{Year: 2026, Month: 11, Day: 2},
			AttendingProvider: &x837.Provider{NPI: "1333444556", LastName: "HALVORSEN", FirstName: "ERIK"}}
		for i := range e.Lines {
			e.Lines[i].RevenueCode, e.Lines[i].DiagnosisPointers = []string{"0450", "0300"}[i], nil
		}
		c := h.Submit(e)["E1"]
		whole := &x835.Claim{PatientControlNumber: c.PCN, Status: "1", Charge: c.TotalCharge, Paid: x12.MustAmount("100"),
			PatientResponsibility: x12.MustAmount("35"), PayerClaimNumber: "ICN1",
			Adjustments: []x835.Adjustment{Adj("CO", "45", "15.00"), Adj("PR", "1", "35.00")}}
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{whole})))
		wantCount(t, "COB work items", len(h.Work(pipeline.SourceCOB)), 0)
		file := string(newUpload(t, h))
		for _, want := range []string{"CAS*CO*45*15~", "CAS*PR*1*35~", "AMT*D*100~", "DTP*573*D8*20261120~", "REF*F8*ICN1~"} {
			if !strings.Contains(file, want) {
				t.Errorf("claim-level secondary lacks %s:\n%s", want, file)
			}
		}
		if strings.Contains(file, "SVD*") {
			t.Errorf("claim-level secondary has a 2430 SVD:\n%s", file)
		}
	}},
	{"incomplete coverage is held at intake", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		e := COBEncounter("E1", "100.00", "50.00")
		e.OtherCoverage[0].FilingIndicator = ""
		in, err := h.P.Intake(context.Background(), sliceSource{e})
		if err != nil || in.Held != 1 {
			t.Fatalf("intake: %+v %v, want the encounter held", in, err)
		}
	}},
	{"crossover: the payer forwarded the claim", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		clp := primaryCLP(c)
		clp.Status = "19"
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{clp})))
		wantState(t, h, c, pipeline.StatePaid)
		wantCount(t, "COB work items", len(h.Work(pipeline.SourceCOB)), 0)
		if v := h.Claim(c.ID).Version; v != 1 {
			t.Errorf("version %d, want 1: no secondary for a crossover", v)
		}
		found := false
		for _, ev := range h.Events(c.ID) {
			found = found || ev.Kind == "cob" && strings.Contains(ev.Detail, "CLP02 19")
		}
		if !found {
			t.Error("no cob event for the crossover")
		}
	}},
	{"the primary reverses after the secondary was billed: a work item", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		clp := primaryCLP(c)
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{clp})))
		newUpload(t, h)
		h.Deliver("r.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(clp)})))
		items := h.Work(pipeline.SourceCOB)
		if len(items) != 1 || items[0].Code != "earlier-payer-reversed" || items[0].ClaimID != c.ID {
			t.Fatalf("COB items %+v, want one earlier-payer-reversed item", items)
		}
		wantState(t, h, c, pipeline.StateSubmitted) // the secondary's state: unchanged
		h.CheckLedger([]*pipeline.Claim{c}, 0)
	}},
	{"the primary reverses while the built secondary waits: it is held, not sent", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		clp := primaryCLP(c)
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{clp})))
		wantState(t, h, c, pipeline.StateReady) // the secondary, built
		h.Deliver("r.835", h.File835(Remit("T2", paidDate, []*x835.Claim{Reversal(clp)})))
		wantState(t, h, c, pipeline.StateHeld)
		items := h.Work(pipeline.SourceCOB)
		if len(items) != 1 || items[0].Code != "earlier-payer-reversed" || items[0].ClaimID != c.ID {
			t.Fatalf("COB items %+v, want one earlier-payer-reversed item", items)
		}
		before := len(h.Remote.Uploaded())
		h.SubmitQueued()
		if after := len(h.Remote.Uploaded()); after != before {
			t.Errorf("the held secondary was sent (%d files uploaded, want %d)", after, before)
		}
	}},
	{"the secondary is rejected, corrected, and its 835 posts as the secondary's", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		c := h.Submit(COBEncounter("E1", "100.00", "50.00"))["E1"]
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{primaryCLP(c)})))
		newUpload(t, h)
		sec := h.Claim(c.ID)
		h.Deliver("a.277", h.File277([]*pipeline.Claim{sec}, map[int64]bool{sec.ID: true}))
		wantState(t, h, c, pipeline.StateRejected)
		rev, err := h.P.Correct(context.Background(), pipeline.CorrectRequest{ClaimID: c.ID, Actor: "ana",
			Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "SE1X"}}})
		if err != nil {
			t.Fatal(err)
		}
		if rev.Kind != pipeline.VersionCorrection || rev.Version != 3 {
			t.Fatalf("correction %+v", rev)
		}
		file := string(newUpload(t, h))
		if !strings.Contains(file, "NM1*IL*1*DOE*PAT****MI*SE1X~") || !strings.Contains(file, "AMT*D*100~") {
			t.Errorf("the corrected secondary lacks the new member ID or the primary's AMT*D:\n%s", file)
		}
		corr := h.Claim(c.ID)
		h.Deliver("s.835", h.File835(secondRemit("T2", secondaryCLP(corr))))
		wantCount(t, "unapplied work items", len(h.Work(pipeline.SourceUnmatched)), 0)
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "130", "15", "5", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("130"))
	}},
	{"tertiary: the secondary's answer bills the third payer with both adjudications", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		e := COBEncounter("E1", "100.00", "50.00")
		third := e.OtherCoverage[0]
		third.Responsibility, third.Payer = "T", x837.OtherPayer{Name: "Third Payer", ID: "PAYER03"}
		e.OtherCoverage = append(e.OtherCoverage, third)
		c := h.Submit(e)["E1"]
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{primaryCLP(c)})))
		newUpload(t, h)
		sec := h.Claim(c.ID)
		h.Deliver("s.835", h.File835(secondRemit("T2", secondaryCLP(sec))))
		ter := h.Claim(c.ID)
		if ter.Version != 3 || ter.VersionKind != pipeline.VersionSecondary || ter.PayerID != "PAYER03" || ter.State != pipeline.StateReady {
			t.Fatalf("after the secondary's 835: version %d %s to %s, %s", ter.Version, ter.VersionKind, ter.PayerID, ter.State)
		}
		file := newUpload(t, h)
		segs := strings.Join(segmentsOf(t, file), "~") + "~"
		for _, want := range []string{"SBR*T*18*G2******CI~", "SBR*P*18*******CI~AMT*D*100~", "SBR*S*18*G2******CI~AMT*D*30~",
			"SVD*" + HarnessPayerID + "*70*", "SVD*" + SecondPayerID + "*20*HC:99213**1~CAS*OA*23*80~", "SVD*" + SecondPayerID + "*10*"} {
			if !strings.Contains(segs, want) {
				t.Errorf("tertiary 837 lacks %s", want)
			}
		}
		ps, err := x837.ValidateFile(bytes.NewReader(file), x837.FileOptions{Today: x12.DateOf(h.Now)})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("tertiary 837: %s", p.Error())
		}
		// The third payer pays the patient's 5.00.
		cl := CLP(h.Claim(c.ID), "3",
			Line{Paid: "0", Adj: []x835.Adjustment{Adj("OA", "23", "100.00")}},
			Line{Paid: "5.00", Adj: []x835.Adjustment{Adj("OA", "23", "45.00")}})
		r := Remit("T3", paidDate, []*x835.Claim{cl})
		r.Payer.ID, r.Payment.OriginatorID = "PAYER03", "1777777777"
		h.Deliver("t.835", h.File835(r))
		wantState(t, h, c, pipeline.StatePaid)
		wantBalance(t, h, c, "135", "15", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, x12.MustAmount("135"))
	}},
	{"refusals", func(t *testing.T, store pipeline.Store) {
		h := cobHarness(t, store, pipeline.SecondaryAuto)
		cs := h.Submit(COBEncounter("E1", "100.00"), Encounter("E2", "80.00"))
		ctx := context.Background()
		if _, err := h.P.BuildSecondary(ctx, pipeline.SecondaryRequest{ClaimID: cs["E1"].ID}); !errors.Is(err, pipeline.ErrNotAdjudicated) {
			t.Errorf("before the primary's 835: %v, want ErrNotAdjudicated", err)
		}
		h.Deliver("p.835", h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(cs["E2"], "1", Line{Paid: "80.00"})})))
		if _, err := h.P.BuildSecondary(ctx, pipeline.SecondaryRequest{ClaimID: cs["E2"].ID}); !errors.Is(err, pipeline.ErrNoSecondary) {
			t.Errorf("no other coverage: %v, want ErrNoSecondary", err)
		}
		if _, err := h.P.BuildSecondary(ctx, pipeline.SecondaryRequest{ClaimID: 999}); !errors.Is(err, pipeline.ErrNotFound) {
			t.Errorf("unknown claim: %v, want ErrNotFound", err)
		}
		wantCount(t, "COB work items", len(h.Work(pipeline.SourceCOB)), 0)
	}},
}

func firstKey(m map[string][]byte) string {
	for k := range m {
		return k
	}
	return ""
}
