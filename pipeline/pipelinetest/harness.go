package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"strconv"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
	"github.com/x12claims/claims/x12/x999"
)

// Harness runs a real Pipeline over a store under test, with an in-memory
// clearinghouse (MemTransport) that the test fills with response files.
type Harness struct {
	T      testing.TB
	Store  pipeline.Store
	Remote *MemTransport
	P      *pipeline.Pipeline
	Now    time.Time
	Dir    string // the pipeline's working folder
	files  int
}

// The harness's trading-partner IDs.
const (
	HarnessSender   = "PRACTICE01"
	HarnessReceiver = "CLEARHOUSE"
	HarnessPayerID  = "PAYER01"
	HarnessNPI      = "1234567893"
)

// NewHarness returns a Harness over store, working in a temporary folder,
// with the clock at 2026-11-20 10:00 UTC.
func NewHarness(t testing.TB, store pipeline.Store) *Harness {
	t.Helper()
	return NewHarnessWith(t, store, nil)
}

// NewHarnessWith is NewHarness with the pipeline's options changed by
// edit (nil: none) before the pipeline is made.
func NewHarnessWith(t testing.TB, store pipeline.Store, edit func(*pipeline.Options)) *Harness {
	t.Helper()
	h := &Harness{T: t, Store: store, Remote: NewMemTransport(), Now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	h.Dir = t.TempDir()
	o := pipeline.Options{
		Store: store, Dir: h.Dir, Now: func() time.Time { return h.Now },
		Partners: []*pipeline.Partner{{
			Name: "sim", Transport: h.Remote,
			SenderQualifier: "ZZ", SenderID: HarnessSender, ReceiverQualifier: "ZZ", ReceiverID: HarnessReceiver,
			Usage: "T", SubmitterName: "Test Practice", SubmitterPhone: "5555550100", ReceiverName: "Test Clearinghouse",
			MaxClaimsPerSet: 50,
		}},
	}
	if edit != nil {
		edit(&o)
	}
	p, err := pipeline.New(o)
	if err != nil {
		t.Fatalf("pipeline.New: %v", err)
	}
	h.P = p
	return h
}

// Encounter returns a clean professional encounter: one line per charge,
// all on 2026-11-02, for payer HarnessPayerID.
func Encounter(id string, charges ...string) *pipeline.Encounter {
	e := &pipeline.Encounter{ID: id, Claim: x837.Claim{
		Kind:           x837.Professional,
		PlaceOfService: "11",
		Diagnoses:      []string{"E11.9", "I10"},
		BillingProvider: x837.Provider{NPI: HarnessNPI, Organization: "Test Clinic", Taxonomy: "207Q00000X", TIN: "123456789",
			Address: &x837.Address{Line1: "1 Test Way", City: "Testville", State: "TX", ZIP: "750010001"}},
		Subscriber: x837.Subscriber{
			Person: x837.Person{LastName: "DOE", FirstName: "PAT", BirthDate: x12.Date{Year: 1980, Month: 1, Day: 31}, Gender: "F",
				Address: &x837.Address{Line1: "2 Elm St", City: "Testville", State: "TX", ZIP: "75001"}},
			MemberID: "M" + id,
		},
		Payer: x837.Payer{Name: "Test Payer", ID: HarnessPayerID, FilingIndicator: "CI"},
	}}
	codes := []string{"99213", "36415", "85025", "80053"}
	for i, c := range charges {
		amt := x12.MustAmount(c)
		e.TotalCharge += amt
		e.Lines = append(e.Lines, x837.Line{Procedure: codes[i%len(codes)], Charge: amt, Units: "1",
			ServiceDate: x12.Date{Year: 2026, Month: 11, Day: 2}, DiagnosisPointers: []int{1}})
	}
	return e
}

type sliceSource []*pipeline.Encounter

func (s sliceSource) Encounters(ctx context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for _, e := range s {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// Submit takes encounters through intake, build and a verified upload,
// and returns their claims by encounter ID.
func (h *Harness) Submit(encs ...*pipeline.Encounter) map[string]*pipeline.Claim {
	h.T.Helper()
	ctx := context.Background()
	in, err := h.P.Intake(ctx, sliceSource(encs))
	if err != nil {
		h.T.Fatalf("Intake: %v", err)
	}
	if in.Held > 0 {
		h.T.Fatalf("Intake held %d encounter(s): %+v", in.Held, in.HeldBack)
	}
	rep, err := h.P.Submit(ctx)
	if err != nil {
		h.T.Fatalf("Submit: %v", err)
	}
	if rep.Upload.ClaimsSent != len(encs) {
		h.T.Fatalf("Submit sent %d claims, want %d", rep.Upload.ClaimsSent, len(encs))
	}
	out := map[string]*pipeline.Claim{}
	for _, e := range encs {
		out[e.ID] = h.ClaimOf(e.ID)
	}
	return out
}

// ClaimOf returns the current claim of an encounter.
func (h *Harness) ClaimOf(encounterID string) *pipeline.Claim {
	h.T.Helper()
	var c *pipeline.Claim
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		rec, err := tx.GetEncounter(ctx, encounterID)
		if err != nil {
			return err
		}
		c, err = tx.GetClaim(ctx, rec.ClaimID)
		return err
	})
	return c
}

// Claim reloads a claim.
func (h *Harness) Claim(id int64) *pipeline.Claim {
	h.T.Helper()
	var c *pipeline.Claim
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		c, err = tx.GetClaim(ctx, id)
		return err
	})
	return c
}

func (h *Harness) tx(fn func(ctx context.Context, tx pipeline.Tx) error) {
	h.T.Helper()
	ctx := context.Background()
	if err := h.Store.InTx(ctx, func(tx pipeline.Tx) error { return fn(ctx, tx) }); err != nil {
		h.T.Fatalf("store: %v", err)
	}
}

// Deliver puts a response file on the clearinghouse and runs Collect.
func (h *Harness) Deliver(name string, data []byte) pipeline.CollectReport {
	h.T.Helper()
	return h.DeliverAll(File{name, data})
}

// File is a response file: its name and content.
type File struct {
	Name string
	Data []byte
}

// DeliverAll puts response files on the clearinghouse, in order, and
// runs one Collect.
func (h *Harness) DeliverAll(files ...File) pipeline.CollectReport {
	h.T.Helper()
	for _, f := range files {
		h.Remote.Respond(f.Name, f.Data)
	}
	rep, err := h.P.Collect(context.Background())
	if err != nil {
		h.T.Fatalf("Collect: %v", err)
	}
	return rep
}

// SubmitQueued runs Submit (build and upload what is queued) and returns
// its report.
func (h *Harness) SubmitQueued() pipeline.SubmitReport {
	h.T.Helper()
	rep, err := h.P.Submit(context.Background())
	if err != nil {
		h.T.Fatalf("Submit: %v", err)
	}
	return rep
}

// envelope returns the ISA and GS of a response file from the
// clearinghouse to the practice, with a fresh ISA13.
func (h *Harness) envelope(fid string) (x12.InterchangeHeader, x12.GroupHeader) {
	h.files++
	n := fmt.Sprintf("%09d", 500+h.files)
	return x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: HarnessReceiver, ReceiverQualifier: "ZZ", ReceiverID: HarnessSender,
			Date: h.Now.Format("060102"), Time: h.Now.Format("1504"), ControlNumber: n, Usage: "T"},
		x12.GroupHeader{FunctionalID: fid, SenderCode: HarnessReceiver, ReceiverCode: HarnessSender,
			Date: h.Now.Format("20060102"), Time: h.Now.Format("1504"), ControlNumber: fmt.Sprint(700 + h.files)}
}

// File835 writes remittances as one 835 file.
func (h *Harness) File835(rems ...*x835.Remittance) []byte {
	h.T.Helper()
	return h.File835With(nil, rems...)
}

// File835With writes remittances as one 835 file whose envelope edit
// changes first (nil: none), e.g. to address it to someone else.
func (h *Harness) File835With(edit func(*x12.InterchangeHeader, *x12.GroupHeader), rems ...*x835.Remittance) []byte {
	h.T.Helper()
	isa, gs := h.envelope("HP")
	if edit != nil {
		edit(&isa, &gs)
	}
	var b bytes.Buffer
	if err := x835.WriteInterchange(&b, isa, gs, rems...); err != nil {
		h.T.Fatalf("write 835: %v", err)
	}
	return b.Bytes()
}

// File999 writes a 999 answering the batch of a claim, with one set
// response per ST02 given: status "A" or "R".
func (h *Harness) File999(c *pipeline.Claim, status string) []byte {
	h.T.Helper()
	var b *pipeline.Batch
	var subs []*pipeline.Submission
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		s, err := tx.SubmissionByPCN(ctx, c.PCN)
		if err != nil {
			return err
		}
		if b, err = tx.GetBatch(ctx, s.BatchID); err != nil {
			return err
		}
		subs, err = tx.SubmissionsInBatch(ctx, b.ID, s.SetControl)
		return err
	})
	isa, gs := h.envelope("FA")
	ack := &x999.Ack{SetControl: "0001", FunctionalID: "HC", GroupControl: b.GS06, GroupVersion: x837.GuideProfessional,
		Status: status, SetsIncluded: len(b.Sets), SetsReceived: len(b.Sets)}
	for _, set := range b.Sets {
		sr := &x999.SetResponse{SetID: "837", Control: set.ST02, Convention: x837.GuideProfessional, Status: "A"}
		if set.ST02 == subs[0].SetControl && status == "R" {
			sr.Status = "R"
			sr.Errors = []string{"5"}
			sr.Segments = []x999.SegmentError{{SegmentID: "NM1", Position: subs[0].SegFrom + 3, Loop: "2010BA", Code: "8",
				Elements: []x999.ElementError{{Position: 9, Reference: "67", Code: "4"}}}}
		} else {
			ack.SetsAccepted++
		}
		ack.Sets = append(ack.Sets, sr)
	}
	var buf bytes.Buffer
	if err := x999.WriteInterchange(&buf, isa, gs, ack); err != nil {
		h.T.Fatalf("write 999: %v", err)
	}
	return buf.Bytes()
}

// File997 writes a 4010 997 answering the batch of a claim, like
// File999: every set accepted (AK5 A), or, with status "R", the claim's
// set rejected with an AK3 on its subscriber NM1 and an AK4 on NM109.
func (h *Harness) File997(c *pipeline.Claim, status string) []byte {
	h.T.Helper()
	var b *pipeline.Batch
	var subs []*pipeline.Submission
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		s, err := tx.SubmissionByPCN(ctx, c.PCN)
		if err != nil {
			return err
		}
		if b, err = tx.GetBatch(ctx, s.BatchID); err != nil {
			return err
		}
		subs, err = tx.SubmissionsInBatch(ctx, b.ID, s.SetControl)
		return err
	})
	isa, gs := h.envelope("FA")
	isa.Version, gs.Version = "00401", "004010"
	accepted := 0
	var buf bytes.Buffer
	err := x12.WriteFile(&buf, isa, gs, func(w *x12.Writer) error {
		if err := w.BeginSet(x12.SetHeader{ID: "997", ControlNumber: "0001"}); err != nil {
			return err
		}
		w.Segment("AK1", "HC", b.GS06)
		for _, set := range b.Sets {
			w.Segment("AK2", "837", set.ST02)
			if set.ST02 == subs[0].SetControl && status == "R" {
				w.Segment("AK3", "NM1", strconv.Itoa(subs[0].SegFrom+3), "2010BA", "8")
				w.Segment("AK4", "9", "67", "4")
				w.Segment("AK5", "R", "5")
				continue
			}
			accepted++
			w.Segment("AK5", "A")
		}
		w.Segment("AK9", status, strconv.Itoa(len(b.Sets)), strconv.Itoa(len(b.Sets)), strconv.Itoa(accepted))
		return w.EndSet()
	})
	if err != nil {
		h.T.Fatalf("write 997: %v", err)
	}
	return buf.Bytes()
}

// File277 writes a 277CA with one claim status per claim: accepted
// (A2:20) or, for the claims in reject, rejected (A7:164:IL).
func (h *Harness) File277(claims []*pipeline.Claim, reject map[int64]bool) []byte {
	h.T.Helper()
	isa, gs := h.envelope("HN")
	pat := &x277.Patient{Party: x277.Party{Entity: "QC", EntityType: "1", LastName: "DOE", FirstName: "PAT", IDQualifier: "MI", ID: "M1"}}
	for _, c := range claims {
		st := x277.Status{Codes: []x277.StatusCode{{Category: "A2", Status: "20"}}, Date: x12.DateOf(h.Now), Action: "WQ", Charge: &c.TotalCharge}
		if reject[c.ID] {
			st = x277.Status{Codes: []x277.StatusCode{{Category: "A7", Status: "164", Entity: "IL"}}, Date: x12.DateOf(h.Now), Action: "U", Charge: &c.TotalCharge}
		}
		pat.Claims = append(pat.Claims, &x277.Claim{PatientControlNumber: c.PCN, Statuses: []x277.Status{st},
			PayerClaimNumber: "ICN" + c.PCN, ServiceFrom: x12.Date{Year: 2026, Month: 11, Day: 2}})
	}
	ack := &x277.Acknowledgment{SetControl: "0001", Reference: "B1", Date: x12.DateOf(h.Now), Time: "1000",
		Sources: []*x277.Source{{Party: x277.Party{Entity: "AY", EntityType: "2", LastName: "TEST CLEARINGHOUSE", IDQualifier: "46", ID: HarnessReceiver},
			Trace: "T1", ReceiptDate: x12.DateOf(h.Now), ProcessDate: x12.DateOf(h.Now),
			Receivers: []*x277.Receiver{{Party: x277.Party{Entity: "41", EntityType: "2", LastName: "TEST PRACTICE", IDQualifier: "46", ID: HarnessSender},
				Trace: "B1",
				Providers: []*x277.Provider{{Party: x277.Party{Entity: "85", EntityType: "2", LastName: "TEST CLINIC", IDQualifier: "XX", ID: HarnessNPI},
					Trace: "P1", Patients: []*x277.Patient{pat}}}}}}}}
	var buf bytes.Buffer
	if err := x277.WriteInterchange(&buf, isa, gs, ack); err != nil {
		h.T.Fatalf("write 277CA: %v", err)
	}
	return buf.Bytes()
}

// Line is the payer's answer for one service line.
type Line struct {
	Paid string
	Adj  []x835.Adjustment
}

// Adj returns a CAS adjustment.
func Adj(group, reason, amount string) x835.Adjustment {
	return x835.Adjustment{Group: group, Reason: reason, Amount: x12.MustAmount(amount)}
}

// CLP returns an 835 claim paying claim c line by line, with CLP03 the
// claim's charge, CLP04 the sum paid and CLP05 the sum of PR.
func CLP(c *pipeline.Claim, status string, lines ...Line) *x835.Claim {
	cl := &x835.Claim{PatientControlNumber: c.PCN, Status: status, Charge: c.TotalCharge, FilingIndicator: "CI",
		PayerClaimNumber: "ICN" + c.PCN}
	for i, l := range lines {
		src := c.Lines[i]
		sl := &x835.Line{Procedure: x835.Procedure{Qualifier: "HC", Code: src.Procedure}, Charge: src.Charge,
			Paid: x12.MustAmount(l.Paid), Units: "1", ServiceDate: src.ServiceDate, Adjustments: l.Adj, ControlNumber: src.ControlNumber}
		cl.Paid += sl.Paid
		for _, a := range l.Adj {
			if a.Group == "PR" {
				cl.PatientResponsibility += a.Amount
			}
		}
		cl.Lines = append(cl.Lines, sl)
	}
	return cl
}

// Reversal returns the CLP02 22 reversal of an 835 claim: every amount
// negated, the same group codes and reasons.
func Reversal(orig *x835.Claim) *x835.Claim {
	r := *orig
	r.Status = "22"
	r.Charge, r.Paid, r.PatientResponsibility = -orig.Charge, -orig.Paid, -orig.PatientResponsibility
	r.Adjustments = negate(orig.Adjustments)
	r.Lines = nil
	for _, l := range orig.Lines {
		nl := *l
		nl.Charge, nl.Paid = -l.Charge, -l.Paid
		nl.Adjustments = negate(l.Adjustments)
		r.Lines = append(r.Lines, &nl)
	}
	return &r
}

func negate(as []x835.Adjustment) []x835.Adjustment {
	out := make([]x835.Adjustment, len(as))
	for i, a := range as {
		a.Amount = -a.Amount
		out[i] = a
	}
	return out
}

// Remit returns a balanced remittance: BPR02 = ΣCLP04 − ΣPLB.
func Remit(trace string, date x12.Date, claims []*x835.Claim, plb ...x835.ProviderAdjustment) *x835.Remittance {
	r := &x835.Remittance{SetControl: "0001",
		Payment: x835.Payment{Handling: "C", CreditDebit: "C", Method: "CHK", Date: date, TraceType: "1", Trace: trace, OriginatorID: "1999999999"},
		Payer:   x835.Party{Name: "TEST PAYER", IDQualifier: "XV", ID: HarnessPayerID},
		Payee:   x835.Party{Name: "TEST CLINIC", IDQualifier: "XX", ID: HarnessNPI},
		Claims:  claims, ProviderAdjustments: plb}
	for _, c := range claims {
		r.Payment.Amount += c.Paid
	}
	for _, a := range plb {
		r.Payment.Amount -= a.Amount
	}
	if r.Payment.Amount == 0 {
		r.Payment.Handling, r.Payment.Method = "H", "NON"
	}
	return r
}

// Balance returns the derived balance of a whole claim.
func (h *Harness) Balance(claimID int64) pipeline.Balance {
	h.T.Helper()
	var total pipeline.Balance
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		lines, err := tx.LineBalances(ctx, claimID)
		for _, b := range lines {
			total.Charge += b.Charge
			total.Payments += b.Payments
			total.Adjustments += b.Adjustments
			total.PatientResp += b.PatientResp
			total.PatientPayments += b.PatientPayments
			total.WriteOffs += b.WriteOffs
		}
		return err
	})
	return total
}

// Work returns the open work items from a source.
func (h *Harness) Work(src pipeline.WorkSource) []*pipeline.WorkItem {
	h.T.Helper()
	var items []*pipeline.WorkItem
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		items, err = tx.WorkItems(ctx, pipeline.WorkFilter{Status: pipeline.WorkOpen, Source: src})
		return err
	})
	return items
}

// CheckLedger checks the receivables invariants over every claim given,
// each through two independent paths where it can:
//   - each line the claim bills now is charged, in all, what it bills,
//     and every other line it ever had (removed by a correction, or all
//     of them once the claim is voided) nothing: the claim counts once,
//     whatever its versions;
//   - the store's line balances (its SQL sums) equal the sums of the
//     entries it returns (Go);
//   - per line, billed charge = payments + adjustments + patient
//     responsibility + write-offs + open balance, with the open balance
//     never negative;
//   - each claim's open balances in the aging query (another SQL
//     expression) equal the sums of its lines;
//   - and the payments of all claims add up to paid.
func (h *Harness) CheckLedger(claims []*pipeline.Claim, paid x12.Amount) {
	h.T.Helper()
	var open []pipeline.ClaimBalance
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		open, err = tx.OpenBalances(ctx)
		return err
	})
	aging := make(map[int64]pipeline.Balance, len(open))
	for _, cb := range open {
		aging[cb.ClaimID] = cb.Balance
	}
	var sum x12.Amount
	for _, c := range claims {
		var entries []pipeline.LedgerEntry
		var lines map[int64]pipeline.Balance
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			var err error
			if entries, err = tx.Entries(ctx, c.ID); err != nil {
				return err
			}
			lines, err = tx.LineBalances(ctx, c.ID)
			return err
		})
		charges := map[int64]int{}
		summed := map[int64]pipeline.Balance{}
		var claim pipeline.Balance
		for i := range entries {
			e := &entries[i]
			if e.Kind == pipeline.EntryCharge {
				charges[e.LineID]++
			}
			b := summed[e.LineID]
			b.Add(e)
			summed[e.LineID] = b
			claim.Add(e)
			sum += e.Payment
		}
		for id, b := range summed {
			if lines[id] != b {
				h.T.Errorf("claim %d line %d: store balance %+v, entries add up to %+v", c.ID, id, lines[id], b)
			}
		}
		// Every line the claim ever had: the current ones must be
		// charged what they bill, the others (removed by a
		// correction, or all of a voided claim) nothing.
		cur := h.Claim(c.ID)
		var all []pipeline.ClaimLine
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			var err error
			all, err = tx.ClaimLines(ctx, c.ID)
			return err
		})
		for _, l := range all {
			want := l.Charge
			if !l.Active || cur.State == pipeline.StateVoided {
				want = 0
			}
			b := lines[l.ID]
			if charges[l.ID] == 0 && want != 0 || b.Charge != want {
				h.T.Errorf("claim %d line %d: charged %s in %d entries, want %s", c.ID, l.LineNo, b.Charge, charges[l.ID], want)
			}
			if got := b.Payments + b.Adjustments + b.PatientResp + b.WriteOffs + b.Insurance(); got != want {
				h.T.Errorf("claim %d line %d: payments+adjustments+PR+write-offs+open = %s, billed %s", c.ID, l.LineNo, got, want)
			}
			if b.Insurance() < 0 {
				h.T.Errorf("claim %d line %d: open insurance balance %s is negative", c.ID, l.LineNo, b.Insurance())
			}
		}
		if a, ok := aging[c.ID]; ok && a != claim || !ok && (claim.Insurance() != 0 || claim.Patient() != 0) {
			h.T.Errorf("claim %d: aging query balance %+v (listed %v), entries add up to %+v", c.ID, a, ok, claim)
		}
	}
	if sum != paid {
		h.T.Errorf("payments add up to %s, want %s", sum, paid)
	}
}

// Events returns a claim's history kinds.
func (h *Harness) Events(claimID int64) []pipeline.Event {
	h.T.Helper()
	var evs []pipeline.Event
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		evs, err = tx.Events(ctx, claimID)
		return err
	})
	return evs
}
