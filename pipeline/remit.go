package pipeline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x835"
)

// RemitSummary is one remittance (an 835 transaction set: one check or
// EFT) and what it did.
type RemitSummary struct {
	ID           int64      `json:"id"`
	FileID       int64      `json:"file_id"`
	SetControl   string     `json:"set_control"`
	PayerID      string     `json:"payer_id"`
	PayerName    string     `json:"payer_name"`
	Trace        string     `json:"trace"`
	PaymentDate  x12.Date   `json:"payment_date"`
	Amount       x12.Amount `json:"amount"`
	Method       string     `json:"method"`
	State        RemitState `json:"state"`
	Reason       string     `json:"reason,omitempty"`
	ClaimsPosted int        `json:"claims_posted"`
	AmountPosted x12.Amount `json:"amount_posted"`
	// Unapplied is the cash that still waits to be applied to a claim.
	UnappliedCount  int        `json:"unapplied_count"`
	UnappliedAmount x12.Amount `json:"unapplied_amount"`
	ReceivedAt      time.Time  `json:"received_at"`
}

// RemitDetail is a remittance with its claim payments, provider-level
// adjustments and unapplied payments.
type RemitDetail struct {
	RemitSummary
	Payments            []PaymentView   `json:"payments"`
	ProviderAdjustments []PLBView       `json:"provider_adjustments"`
	Unapplied           []UnappliedView `json:"unapplied"`
	WorkItems           []*WorkItem     `json:"work_items"`
}

// PaymentView is a posted claim payment.
type PaymentView struct {
	ID               int64      `json:"id"`
	ClaimID          int64      `json:"claim_id"`
	Ordinal          int        `json:"ordinal"`
	Status           string     `json:"status"`
	StatusText       string     `json:"status_text"`
	Charge           x12.Amount `json:"charge"`
	Paid             x12.Amount `json:"paid"`
	PatientResp      x12.Amount `json:"patient_resp"`
	PayerClaimNumber string     `json:"payer_claim_number"`
	Outcome          ClaimState `json:"outcome,omitempty"`
	ReversedBy       int64      `json:"reversed_by,omitempty"`
}

// PLBView is a provider-level adjustment, in words.
type PLBView struct {
	ProviderID string     `json:"provider_id"`
	FiscalDate x12.Date   `json:"fiscal_date"`
	Reason     string     `json:"reason"`
	ReasonText string     `json:"reason_text"`
	Reference  string     `json:"reference,omitempty"`
	Amount     x12.Amount `json:"amount"`
}

// UnappliedView is an unapplied claim payment.
type UnappliedView struct {
	ID               int64      `json:"id"`
	Ordinal          int        `json:"ordinal"`
	Segment          int        `json:"segment"`
	PCN              string     `json:"patient_control_number"`
	Status           string     `json:"status"`
	PayerClaimNumber string     `json:"payer_claim_number"`
	Charge           x12.Amount `json:"charge"`
	Paid             x12.Amount `json:"paid"`
	PatientResp      x12.Amount `json:"patient_resp"`
	Reason           string     `json:"reason"`
	AppliedClaimID   *int64     `json:"applied_claim_id"`
	AppliedAt        *time.Time `json:"applied_at"`
	AppliedBy        string     `json:"applied_by,omitempty"`
}

func paymentView(cp *ClaimPayment) PaymentView {
	return PaymentView{ID: cp.ID, ClaimID: cp.ClaimID, Ordinal: cp.Ordinal, Status: cp.Status,
		StatusText: codes.Describe(codes.ClaimPaymentStatus, cp.Status), Charge: cp.Charge, Paid: cp.Paid,
		PatientResp: cp.PatientResp, PayerClaimNumber: cp.PayerClaimNumber, Outcome: cp.Outcome, ReversedBy: cp.ReversedBy}
}

func unappliedView(u *UnappliedPayment) UnappliedView {
	v := UnappliedView{ID: u.ID, Ordinal: u.Ordinal, Segment: u.Segment, PCN: u.PCN, Status: u.Status,
		PayerClaimNumber: u.PayerClaimNumber, Charge: u.Charge, Paid: u.Paid, PatientResp: u.PatientResp, Reason: u.Reason,
		AppliedBy: u.AppliedBy}
	if !u.Open() {
		id, at := u.AppliedClaimID, u.AppliedAt
		v.AppliedClaimID, v.AppliedAt = &id, &at
	}
	return v
}

// summarize totals a remittance's postings and unapplied cash.
func summarize(ctx context.Context, tx Tx, r *Remittance) (RemitSummary, []*ClaimPayment, []*UnappliedPayment, error) {
	s := RemitSummary{ID: r.ID, FileID: r.InboundFileID, SetControl: r.SetControl, PayerID: r.PayerID, PayerName: r.PayerName,
		Trace: r.Trace, PaymentDate: r.PaymentDate, Amount: r.Amount, Method: r.Method, State: r.State, Reason: r.Reason,
		ReceivedAt: r.CreatedAt}
	pays, err := tx.RemittancePayments(ctx, r.ID)
	if err != nil {
		return s, nil, nil, err
	}
	for _, cp := range pays {
		s.ClaimsPosted++
		s.AmountPosted += cp.Paid
	}
	un, err := tx.UnappliedPayments(ctx, r.ID, false)
	if err != nil {
		return s, nil, nil, err
	}
	for _, u := range un {
		if u.Open() {
			s.UnappliedCount++
			s.UnappliedAmount += u.Paid
		}
	}
	return s, pays, un, nil
}

// Remittances returns up to limit remittances, newest first.
func (p *Pipeline) Remittances(ctx context.Context, limit int) ([]RemitSummary, error) {
	var out []RemitSummary
	err := p.store.InTx(ctx, func(tx Tx) error {
		rs, err := tx.Remittances(ctx, limit)
		if err != nil {
			return err
		}
		for _, r := range rs {
			s, _, _, err := summarize(ctx, tx, r)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remittances: %w", err)
	}
	return out, nil
}

// Remittance returns one remittance in full, or ErrNotFound.
func (p *Pipeline) Remittance(ctx context.Context, id int64) (*RemitDetail, error) {
	var d RemitDetail
	err := p.store.InTx(ctx, func(tx Tx) error {
		r, err := tx.GetRemittance(ctx, id)
		if err != nil {
			return err
		}
		sum, pays, un, err := summarize(ctx, tx, r)
		if err != nil {
			return err
		}
		d.RemitSummary = sum
		d.Payments = make([]PaymentView, 0, len(pays))
		for _, cp := range pays {
			d.Payments = append(d.Payments, paymentView(cp))
		}
		plb, err := tx.ProviderAdjustments(ctx, r.ID)
		if err != nil {
			return err
		}
		d.ProviderAdjustments = make([]PLBView, 0, len(plb))
		for _, a := range plb {
			d.ProviderAdjustments = append(d.ProviderAdjustments, PLBView{ProviderID: a.ProviderID, FiscalDate: a.FiscalDate,
				Reason: a.Reason, ReasonText: codes.Describe(codes.PLBReason, a.Reason), Reference: a.Reference, Amount: a.Amount})
		}
		d.Unapplied = make([]UnappliedView, 0, len(un))
		for _, u := range un {
			d.Unapplied = append(d.Unapplied, unappliedView(u))
		}
		d.WorkItems = []*WorkItem{}
		for _, key := range []string{RemitKeyOf(SourceUnmatched, r.ID), TraceKey(SourceImbalance, r.PayerID, r.Trace)} {
			items, err := tx.WorkItems(ctx, WorkFilter{Key: key})
			if err != nil {
				return err
			}
			d.WorkItems = append(d.WorkItems, items...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remittance %d: %w", id, err)
	}
	return &d, nil
}

// ApplyPayment applies an unapplied claim payment of remittance remitID
// to a claim: the payer's CLP posts to the claim as if it had named it
// (ledger entries, state, payer claim number, denial item), and the
// remittance's unapplied-cash item closes when nothing of it is left.
// which picks the payment when the remittance has several open ones: its
// CLP01 or its ordinal ("3"). It refuses a payment that would move the
// claim illegally or credit it beyond what is open on it.
func (p *Pipeline) ApplyPayment(ctx context.Context, remitID, claimID int64, which, actor string) (*PaymentView, error) {
	var view PaymentView
	err := p.store.InTx(ctx, func(tx Tx) error {
		rem, err := tx.GetRemittance(ctx, remitID)
		if err != nil {
			return err
		}
		open, err := tx.UnappliedPayments(ctx, remitID, true)
		if err != nil {
			return err
		}
		u, err := pickUnapplied(open, remitID, which)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, "claim:"+strconv.FormatInt(claimID, 10)); err != nil {
			return err
		}
		c, err := tx.GetClaim(ctx, claimID)
		if err != nil {
			return err
		}
		if c.PCN == "" {
			return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrNotAdjudicated, Reason: "it was never sent; a payment cannot be applied to it"}
		}
		list, err := tx.PostingTargets(ctx, []string{c.PCN})
		if err != nil {
			return err
		}
		if len(list) != 1 {
			return fmt.Errorf("claim %d: its submission %s: %w", c.ID, c.PCN, ErrNotFound)
		}
		clp := *u.Claim
		clp.PatientControlNumber = c.PCN
		plan, err := p.plan(ctx, tx, []*x835.Claim{&clp}, map[string]*PostingTarget{c.PCN: &list[0]})
		if err != nil {
			return err
		}
		if len(plan.unmatched) > 0 {
			return fmt.Errorf("payment %d cannot be applied to claim %d: %s: %w", u.ID, c.ID, plan.unmatched[0].reason, ErrConflict)
		}
		f := &InboundFile{ID: rem.InboundFileID}
		if err := p.writePosting(ctx, tx, f, rem, plan); err != nil {
			return err
		}
		if err := p.secondariesAfterPosting(ctx, tx, rem, plan); err != nil {
			return err
		}
		if err := tx.MarkApplied(ctx, u.ID, c.ID, actor); err != nil {
			return err
		}
		if err := tx.AddEvent(ctx, Event{ClaimID: c.ID, At: p.now(), Kind: "payment-applied", Actor: actor, Version: c.Version,
			Detail: fmt.Sprintf("unapplied payment %d of remittance %d (check %s, CLP01 %q, %s) applied by %s",
				u.ID, rem.ID, rem.Trace, u.PCN, u.Paid, actor)}); err != nil {
			return err
		}
		if err := p.audit(ctx, tx, actor, "payment.apply", c.ID, fmt.Sprintf("remittance:%d", rem.ID),
			fmt.Sprintf("unapplied payment %d, %s", u.ID, u.Paid)); err != nil {
			return err
		}
		if len(open) == 1 {
			if _, err := tx.CloseWorkItems(ctx, RemitKeyOf(SourceUnmatched, rem.ID), SystemActor,
				"every unapplied payment of the remittance was applied"); err != nil {
				return err
			}
		}
		pays, err := tx.ClaimPayments(ctx, c.ID)
		if err != nil {
			return err
		}
		view = paymentView(pays[len(pays)-1])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// pickUnapplied chooses the open unapplied payment which names: its
// CLP01, its ordinal, or, when which is empty, the only one.
func pickUnapplied(open []*UnappliedPayment, remitID int64, which string) (*UnappliedPayment, error) {
	if len(open) == 0 {
		return nil, fmt.Errorf("remittance %d has no unapplied payment left: %w", remitID, ErrNotFound)
	}
	if which == "" {
		if len(open) > 1 {
			pcns := make([]string, len(open))
			for i, u := range open {
				pcns[i] = strconv.Quote(u.PCN)
			}
			return nil, fmt.Errorf("remittance %d has %d unapplied payments (CLP01 %s): say which", remitID, len(open), strings.Join(pcns, ", "))
		}
		return open[0], nil
	}
	n, nerr := strconv.Atoi(which)
	for _, u := range open {
		if u.PCN == which || nerr == nil && u.Ordinal == n {
			return u, nil
		}
	}
	return nil, fmt.Errorf("remittance %d has no open unapplied payment %q: %w", remitID, which, ErrNotFound)
}

// InboundFiles returns the response files in state s, oldest first.
func (p *Pipeline) InboundFiles(ctx context.Context, s InboundState) ([]*InboundFile, error) {
	var fs []*InboundFile
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		fs, err = tx.InboundInState(ctx, s)
		return err
	})
	return fs, err
}

// RetryInbound marks a failed or quarantined response file to be applied
// again by the next collect, after the cause was fixed (a configuration
// that now names the clearinghouse's sender ID, a code fixed). A file
// applied again applies each of its sets once. It refuses a file in
// another state.
func (p *Pipeline) RetryInbound(ctx context.Context, id int64, actor string) (*InboundFile, error) {
	var f *InboundFile
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if f, err = tx.GetInbound(ctx, id); err != nil {
			return err
		}
		if f.State != InboundFailed && f.State != InboundQuarantined {
			return fmt.Errorf("response file %d is %s; only a failed or quarantined file can be retried: %w", id, f.State, ErrConflict)
		}
		f.State, f.Error, f.Attempts = InboundReceived, "", 0
		if err := tx.UpdateInbound(ctx, f); err != nil {
			return err
		}
		return p.audit(ctx, tx, actor, "inbound.retry", 0, fmt.Sprintf("inbound_file:%d", f.ID), f.Name)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}
