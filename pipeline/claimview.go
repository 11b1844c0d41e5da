package pipeline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x837"
)

// ClaimDetail is everything about one claim: its state and balance, its
// versions with their submissions, the timeline of events (each with the
// file and segment it came from), its lines with their ledger entries,
// its payments, its work items and the actions its state allows.
type ClaimDetail struct {
	ID               int64      `json:"id"`
	EncounterID      string     `json:"encounter_id"`
	Kind             x837.Kind  `json:"kind"`
	State            ClaimState `json:"state"`
	PayerID          string     `json:"payer_id"`
	PayerName        string     `json:"payer_name"`
	Clearinghouse    string     `json:"clearinghouse"`
	Version          int        `json:"version"`
	PCN              string     `json:"patient_control_number"` // of the latest submission
	PayerClaimNumber string     `json:"payer_claim_number"`
	PayerClaimSource string     `json:"payer_claim_source"`
	TotalCharge      x12.Amount `json:"total_charge"`
	FirstSubmittedAt *time.Time `json:"first_submitted_at"`
	// Balance is what is still open on the claim, from the payer and
	// the patient together; BalanceDetail has the legs.
	Balance       x12.Amount    `json:"balance"`
	BalanceDetail BalanceView   `json:"balance_detail"`
	Versions      []VersionView `json:"versions"`
	Events        []EventView   `json:"events"`
	Lines         []LineView    `json:"lines"`
	Payments      []PaymentView `json:"payments"`
	WorkItems     []*WorkItem   `json:"work_items"`
	// Warnings are the scrubber's warnings about the current version:
	// they do not hold the claim, which goes out with them.
	Warnings []Reason `json:"warnings"`
	// Actions are what a person may do now: "correct", "resubmit",
	// "void".
	Actions []string `json:"actions"`
}

// BalanceView is a derived balance: the legs and what is open.
type BalanceView struct {
	Charge          x12.Amount `json:"charge"`
	Payments        x12.Amount `json:"payments"`
	Adjustments     x12.Amount `json:"adjustments"`
	PatientResp     x12.Amount `json:"patient_resp"`
	PatientPayments x12.Amount `json:"patient_payments"`
	WriteOffs       x12.Amount `json:"write_offs"`
	Insurance       x12.Amount `json:"insurance"` // still expected from the payer
	Patient         x12.Amount `json:"patient"`   // still owed by the patient
}

func balanceView(b Balance) BalanceView {
	return BalanceView{Charge: b.Charge, Payments: b.Payments, Adjustments: b.Adjustments, PatientResp: b.PatientResp,
		PatientPayments: b.PatientPayments, WriteOffs: b.WriteOffs, Insurance: b.Insurance(), Patient: b.Patient()}
}

// VersionView is one version of a claim and what became of it.
type VersionView struct {
	Version          int              `json:"version"`
	PCN              string           `json:"patient_control_number"`
	Kind             VersionKind      `json:"kind"`
	Frequency        string           `json:"frequency"`
	PayerClaimNumber string           `json:"payer_claim_number,omitempty"`
	State            string           `json:"state"`
	TotalCharge      x12.Amount       `json:"total_charge"`
	Changed          []string         `json:"changed"`
	Actor            string           `json:"actor"`
	Note             string           `json:"note,omitempty"`
	CreatedAt        time.Time        `json:"created_at"`
	Submissions      []SubmissionView `json:"submissions"`
}

// SubmissionView is one sending of a version.
type SubmissionView struct {
	ID         int64     `json:"id"`
	PCN        string    `json:"patient_control_number"`
	Frequency  string    `json:"frequency"`
	BatchID    int64     `json:"batch_id"`
	FileName   string    `json:"file_name"`
	SetControl string    `json:"set_control"`
	Segments   [2]int    `json:"segments"`
	CreatedAt  time.Time `json:"created_at"`
}

// EventView is one event of a claim's timeline.
type EventView struct {
	ID         int64      `json:"id"`
	At         time.Time  `json:"at"`
	Kind       string     `json:"kind"`
	Version    int        `json:"version,omitempty"`
	From       ClaimState `json:"from,omitempty"`
	To         ClaimState `json:"to,omitempty"`
	Actor      string     `json:"actor,omitempty"`
	Detail     string     `json:"detail"`
	FileID     int64      `json:"file_id,omitempty"`
	FileName   string     `json:"file_name,omitempty"`
	SetControl string     `json:"set_control,omitempty"`
	Segment    int        `json:"segment,omitempty"`
}

// LineView is a claim line with its ledger entries and balance.
type LineView struct {
	ID            int64       `json:"id"`
	LineNo        int         `json:"line_no"`
	Active        bool        `json:"active"`
	ControlNumber string      `json:"control_number"`
	Procedure     string      `json:"procedure,omitempty"`
	Modifiers     []string    `json:"modifiers,omitempty"`
	RevenueCode   string      `json:"revenue_code,omitempty"`
	Charge        x12.Amount  `json:"charge"`
	ServiceDate   x12.Date    `json:"service_date"`
	Balance       BalanceView `json:"balance"`
	Entries       []EntryView `json:"entries"`
}

// EntryView is a ledger entry, its adjustments in words.
type EntryView struct {
	ID             int64            `json:"id"`
	Kind           EntryKind        `json:"kind"`
	At             time.Time        `json:"at"`
	Charge         x12.Amount       `json:"charge"`
	Payment        x12.Amount       `json:"payment"`
	Adjustments    []AdjustmentView `json:"adjustments"`
	PatientPayment x12.Amount       `json:"patient_payment"`
	WriteOff       x12.Amount       `json:"write_off"`
	Reversal       bool             `json:"reversal"`
	RemittanceID   int64            `json:"remittance_id,omitempty"`
	Memo           string           `json:"memo,omitempty"`
}

// AdjustmentView is a CAS adjustment with its reason in words.
type AdjustmentView struct {
	Group  string     `json:"group"`
	Reason string     `json:"reason"`
	Amount x12.Amount `json:"amount"`
	Text   string     `json:"text"`
}

// ShowClaim returns everything about a claim, or ErrNotFound.
func (p *Pipeline) ShowClaim(ctx context.Context, id int64) (*ClaimDetail, error) {
	return p.ViewClaim(ctx, id, "")
}

// ViewClaim is ShowClaim for a person: that viewer saw the claim is
// audited in the same transaction.
func (p *Pipeline) ViewClaim(ctx context.Context, id int64, viewer string) (*ClaimDetail, error) {
	var d *ClaimDetail
	err := p.store.InTx(ctx, func(tx Tx) error {
		c, err := tx.GetClaim(ctx, id)
		if err != nil {
			return err
		}
		d = &ClaimDetail{ID: c.ID, EncounterID: c.EncounterID, Kind: c.Kind, State: c.State, PayerID: c.PayerID,
			PayerName: c.PayerName, Clearinghouse: c.Clearinghouse, Version: c.Version, PCN: c.PCN,
			PayerClaimNumber: c.PayerClaimNumber, PayerClaimSource: c.PayerClaimSource, TotalCharge: c.TotalCharge}
		if !c.FirstSubmittedAt.IsZero() {
			t := c.FirstSubmittedAt
			d.FirstSubmittedAt = &t
		}
		files := map[int64]string{}
		fileName := func(id int64) (string, error) {
			if id == 0 {
				return "", nil
			}
			if n, ok := files[id]; ok {
				return n, nil
			}
			f, err := tx.GetInbound(ctx, id)
			if err != nil {
				return "", err
			}
			files[id] = f.Name
			return f.Name, nil
		}
		events, err := tx.Events(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, e := range events {
			name, err := fileName(e.FileID)
			if err != nil {
				return err
			}
			d.Events = append(d.Events, EventView{ID: e.ID, At: e.At, Kind: e.Kind, Version: e.Version, From: e.From, To: e.To,
				Actor: e.Actor, Detail: e.Detail, FileID: e.FileID, FileName: name, SetControl: e.SetControl, Segment: e.Segment})
		}
		if err := p.versionViews(ctx, tx, c, events, d); err != nil {
			return err
		}
		if err := lineViews(ctx, tx, c, d); err != nil {
			return err
		}
		pays, err := tx.ClaimPayments(ctx, c.ID)
		if err != nil {
			return err
		}
		d.Payments = make([]PaymentView, 0, len(pays))
		for _, cp := range pays {
			d.Payments = append(d.Payments, paymentView(cp))
		}
		if d.WorkItems, err = tx.WorkItems(ctx, WorkFilter{ClaimID: c.ID}); err != nil {
			return err
		}
		if d.WorkItems == nil {
			d.WorkItems = []*WorkItem{}
		}
		d.Warnings = warningsOnly(p.scrub(&c.Data))
		d.Actions = []string{}
		if p.correctable(ctx, tx, c) == nil {
			d.Actions = append(d.Actions, "correct", "resubmit")
			if standing(pays) > 0 && knownICN(c) != "" {
				d.Actions = append(d.Actions, "void")
			}
		}
		return p.audit(ctx, tx, viewer, "claim.view", c.ID, "", "")
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d: %w", id, err)
	}
	return d, nil
}

// versionViews lists the versions with their submissions and states: the
// current version has the claim's state; an earlier one the state its
// last event left it in, or "superseded" when it was never sent.
func (p *Pipeline) versionViews(ctx context.Context, tx Tx, c *Claim, events []Event, d *ClaimDetail) error {
	versions, err := tx.Versions(ctx, c.ID)
	if err != nil {
		return err
	}
	subs, err := tx.Submissions(ctx, c.ID)
	if err != nil {
		return err
	}
	batches := map[int64]string{}
	last := map[int]ClaimState{}
	for _, e := range events {
		if e.To != "" && e.Version > 0 {
			last[e.Version] = e.To
		}
	}
	for _, v := range versions {
		vv := VersionView{Version: v.Version, PCN: PCN(c.ID, v.Version), Kind: v.Kind, Frequency: v.Frequency,
			PayerClaimNumber: v.PayerClaimNumber, TotalCharge: v.TotalCharge, Changed: v.Changed, Actor: v.Actor,
			Note: v.Note, CreatedAt: v.CreatedAt, Submissions: []SubmissionView{}}
		if vv.Changed == nil {
			vv.Changed = []string{}
		}
		for _, s := range subs {
			if s.Version != v.Version {
				continue
			}
			name, ok := batches[s.BatchID]
			if !ok {
				if b, err := tx.GetBatch(ctx, s.BatchID); err == nil {
					name = b.FileName
				}
				batches[s.BatchID] = name
			}
			// The frequency actually sent is the submission's.
			vv.Frequency = s.Frequency
			vv.Submissions = append(vv.Submissions, SubmissionView{ID: s.ID, PCN: s.PCN, Frequency: s.Frequency, BatchID: s.BatchID,
				FileName: name, SetControl: s.SetControl, Segments: [2]int{s.SegFrom, s.SegTo}, CreatedAt: s.CreatedAt})
		}
		switch {
		case v.Version == c.Version:
			vv.State = string(c.State)
		case len(vv.Submissions) == 0:
			vv.State = "superseded"
		default:
			vv.State = string(last[v.Version])
		}
		d.Versions = append(d.Versions, vv)
	}
	return nil
}

// lineViews lists every line the claim ever had, the current ones first,
// with its entries and balance, and the claim's balance.
func lineViews(ctx context.Context, tx Tx, c *Claim, d *ClaimDetail) error {
	lines, err := tx.ClaimLines(ctx, c.ID)
	if err != nil {
		return err
	}
	entries, err := tx.Entries(ctx, c.ID)
	if err != nil {
		return err
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].Active != lines[j].Active {
			return lines[i].Active
		}
		return lines[i].Active && lines[i].LineNo < lines[j].LineNo
	})
	byLine := map[int64][]EntryView{}
	bal := map[int64]*Balance{}
	var total Balance
	for i := range entries {
		e := &entries[i]
		ev := EntryView{ID: e.ID, Kind: e.Kind, At: e.At, Charge: e.Charge, Payment: e.Payment, PatientPayment: e.PatientPayment,
			WriteOff: e.WriteOff, Reversal: e.Reversal, RemittanceID: e.RemittanceID, Memo: e.Memo, Adjustments: []AdjustmentView{}}
		for _, a := range e.Adjustments {
			ev.Adjustments = append(ev.Adjustments, AdjustmentView{Group: a.Group, Reason: a.Reason, Amount: a.Amount,
				Text: codes.Describe(codes.AdjustmentGroup, a.Group) + ": " + codes.Describe(codes.CARC, a.Reason)})
		}
		byLine[e.LineID] = append(byLine[e.LineID], ev)
		if bal[e.LineID] == nil {
			bal[e.LineID] = &Balance{}
		}
		bal[e.LineID].Add(e)
		total.Add(e)
	}
	d.BalanceDetail = balanceView(total)
	d.Balance = total.Insurance() + total.Patient()
	d.Lines = []LineView{}
	for _, l := range lines {
		lv := LineView{ID: l.ID, LineNo: l.LineNo, Active: l.Active, ControlNumber: l.ControlNumber, Procedure: l.Procedure,
			Modifiers: l.Modifiers, RevenueCode: l.RevenueCode, Charge: l.Charge, ServiceDate: l.ServiceDate,
			Entries: byLine[l.ID]}
		if !l.Active {
			lv.LineNo = 0
		}
		if lv.Entries == nil {
			lv.Entries = []EntryView{}
		}
		if b := bal[l.ID]; b != nil {
			lv.Balance = balanceView(*b)
		}
		d.Lines = append(d.Lines, lv)
	}
	if es := byLine[0]; len(es) > 0 {
		d.Lines = append(d.Lines, LineView{ControlNumber: "", Entries: es, Balance: balanceView(*bal[0])})
	}
	return nil
}

// warningsOnly returns the problems that are warnings (never nil).
func warningsOnly(problems []Reason) []Reason {
	out := []Reason{}
	for _, r := range problems {
		if r.Severity == "warning" {
			out = append(out, r)
		}
	}
	return out
}
