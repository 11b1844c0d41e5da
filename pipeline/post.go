package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x835"
)

// remitOutcome is what posting one 835 transaction set did.
type remitOutcome struct {
	posted, held, duplicate bool
	paid                    x12.Amount
	claimsPaid, denied      int
	partial, reversed       int
}

// remitKey identifies a remittance: payer, trace, date and amount.
func remitKey(r *x835.Remittance) RemitKey {
	return RemitKey{PayerID: payerID(r), Trace: r.Payment.Trace, PaymentDate: r.Payment.Date, Amount: r.Payment.Amount}
}

// payerID picks the payer identifier of a remittance: TRN03 (1 + the
// payer's TIN), else N1*PR N104, else REF*2U, else the payer's name.
func payerID(r *x835.Remittance) string {
	if r.Payment.OriginatorID != "" {
		return r.Payment.OriginatorID
	}
	if r.Payer.ID != "" {
		return r.Payer.ID
	}
	for _, ref := range r.Payer.Refs {
		if ref.Qualifier == "2U" {
			return ref.Value
		}
	}
	return r.Payer.Name
}

// postRemittance posts one 835 transaction set inside tx. It posts every
// claim or nothing: a set that fails any of the three balancing levels, or
// names a claim we never sent, is held for review with nothing posted. A
// remittance already posted (same payer, trace, date and amount, from
// this file or any other) is a recorded no-op.
func (p *Pipeline) postRemittance(ctx context.Context, tx Tx, file *InboundFile, r *x835.Remittance) (remitOutcome, error) {
	var out remitOutcome
	key := remitKey(r)
	if prev, err := tx.FindRemittance(ctx, key); err == nil {
		out.duplicate = true
		return out, p.noteDuplicateRemit(ctx, tx, file, r, prev)
	} else if !errors.Is(err, ErrNotFound) {
		return out, err
	}
	rem := &Remittance{InboundFileID: file.ID, SetControl: r.SetControl, PayerID: key.PayerID, PayerName: r.Payer.Name,
		Trace: key.Trace, PaymentDate: key.PaymentDate, Amount: key.Amount, Method: r.Payment.Method, CreatedAt: p.now()}

	if imbalances := r.Balance(); len(imbalances) > 0 {
		reasons := make([]Reason, 0, len(imbalances))
		for _, b := range imbalances {
			reasons = append(reasons, Reason{Code: "out-of-balance-" + b.Level, Text: b.Error(), Location: fmt.Sprintf("835 ST02 %s", b.SetControl)})
		}
		out.held = true
		return out, p.holdRemit(ctx, tx, rem, SourceImbalance, "out of balance",
			fmt.Sprintf("remittance %s (trace %s, %s) is out of balance at %d point(s); nothing posted", r.SetControl, rem.Trace, rem.Amount, len(imbalances)),
			reasons)
	}

	subs := make([]*Submission, len(r.Claims))
	var unmatched []Reason
	for i, c := range r.Claims {
		s, err := tx.SubmissionByPCN(ctx, c.PatientControlNumber)
		if errors.Is(err, ErrNotFound) {
			unmatched = append(unmatched, Reason{Code: "unmatched-clp01", Location: fmt.Sprintf("835 ST02 %s segment %d", r.SetControl, c.Segment),
				Text: fmt.Sprintf("claim %d: patient control number %q matches no claim we sent", c.Ordinal, c.PatientControlNumber)})
			continue
		}
		if err != nil {
			return out, err
		}
		subs[i] = s
	}
	if len(unmatched) > 0 {
		out.held = true
		return out, p.holdRemit(ctx, tx, rem, SourceUnmatched, "unmatched remittance",
			fmt.Sprintf("remittance %s (trace %s, %s): %d claim(s) match nothing we sent; nothing posted", r.SetControl, rem.Trace, rem.Amount, len(unmatched)),
			unmatched)
	}

	rem.State = RemitPosted
	inserted, err := tx.CreateRemittance(ctx, rem)
	if err != nil {
		return out, err
	}
	if !inserted {
		out.duplicate = true
		return out, nil
	}
	for i, c := range r.Claims {
		state, err := p.postClaim(ctx, tx, file, rem, subs[i], c)
		if err != nil {
			return out, fmt.Errorf("claim %d (PCN %s): %w", c.Ordinal, c.PatientControlNumber, err)
		}
		out.paid += c.Paid
		switch state {
		case StatePaid:
			out.claimsPaid++
		case StatePartiallyPaid:
			out.claimsPaid++
			out.partial++
		case StateDenied:
			out.denied++
		case StateReversed:
			out.reversed++
		}
	}
	if len(r.ProviderAdjustments) > 0 {
		plb := make([]ProviderAdjustment, 0, len(r.ProviderAdjustments))
		for _, a := range r.ProviderAdjustments {
			plb = append(plb, ProviderAdjustment{RemittanceID: rem.ID, ProviderID: a.ProviderID, FiscalDate: a.FiscalDate,
				Reason: a.Reason, Reference: a.Reference, Amount: a.Amount})
		}
		if err := tx.AddProviderAdjustments(ctx, plb); err != nil {
			return out, err
		}
	}
	out.posted = true
	return out, nil
}

func (p *Pipeline) noteDuplicateRemit(ctx context.Context, tx Tx, file *InboundFile, r *x835.Remittance, prev *Remittance) error {
	for _, c := range r.Claims {
		s, err := tx.SubmissionByPCN(ctx, c.PatientControlNumber)
		if err != nil {
			continue
		}
		if err := tx.AddEvent(ctx, Event{ClaimID: s.ClaimID, SubmissionID: s.ID, At: p.now(), Kind: "835-duplicate",
			FileID: file.ID, SetControl: r.SetControl, Segment: c.Segment,
			Detail: fmt.Sprintf("remittance trace %s already posted from file %d; nothing posted again", prev.Trace, prev.InboundFileID)}); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) holdRemit(ctx context.Context, tx Tx, rem *Remittance, src WorkSource, category, summary string, reasons []Reason) error {
	rem.State = RemitHeld
	rem.Reason = summary
	if _, err := tx.CreateRemittance(ctx, rem); err != nil {
		return err
	}
	return tx.AddWorkItem(ctx, &WorkItem{Source: src, RemittanceID: rem.ID, InboundFileID: rem.InboundFileID,
		Category: category, Summary: summary, Reasons: reasons, Status: WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()})
}

// postClaim posts one CLP: a claim payment record, its ledger entries,
// the claim's new state and its history. It returns the new state.
func (p *Pipeline) postClaim(ctx context.Context, tx Tx, file *InboundFile, rem *Remittance, sub *Submission, c *x835.Claim) (ClaimState, error) {
	claim, err := tx.GetClaim(ctx, sub.ClaimID)
	if err != nil {
		return "", err
	}
	reversal := c.Status == "22"
	outcome, denials := adjudication(c)
	cp := &ClaimPayment{RemittanceID: rem.ID, ClaimID: claim.ID, SubmissionID: sub.ID, Ordinal: c.Ordinal, Status: c.Status,
		Charge: c.Charge, Paid: c.Paid, PatientResp: c.PatientResponsibility, PayerClaimNumber: c.PayerClaimNumber, Outcome: outcome}
	if err := tx.AddClaimPayment(ctx, cp); err != nil {
		return "", err
	}
	entries := claimEntries(claim, rem, cp, c, reversal, p)
	if err := overCredit(ctx, tx, claim, c, entries); err != nil {
		return "", err
	}
	if err := tx.AddEntries(ctx, entries); err != nil {
		return "", err
	}
	detail := fmt.Sprintf("835 CLP02 %s (%s): charge %s, paid %s, patient responsibility %s",
		c.Status, codes.Describe(codes.ClaimPaymentStatus, c.Status), c.Charge, c.Paid, c.PatientResponsibility)
	if reversal {
		if err := p.reverse(ctx, tx, claim.ID, cp, c); err != nil {
			return "", err
		}
	}
	if c.PayerClaimNumber != "" && c.PayerClaimNumber != claim.PayerClaimNumber {
		if err := tx.SetClaimRefs(ctx, claim.ID, claim.PCN, claim.Submissions, c.PayerClaimNumber, claim.FirstSubmittedAt); err != nil {
			return "", err
		}
	}
	ev := Event{ClaimID: claim.ID, SubmissionID: sub.ID, At: p.now(), Kind: "835", FileID: file.ID,
		SetControl: rem.SetControl, Segment: c.Segment, Detail: detail}
	if outcome == "" {
		// Forwarded or predetermination: informational, no state change.
		if err := tx.AddEvent(ctx, ev); err != nil {
			return "", err
		}
		return claim.State, nil
	}
	if !CanMove(claim.State, outcome) {
		return "", &HoldError{Code: "illegal-transition", Err: &TransitionError{ClaimID: claim.ID, From: claim.State, To: outcome}}
	}
	if err := tx.MoveClaim(ctx, claim.ID, claim.State, outcome, ev); err != nil {
		return "", err
	}
	if len(denials) > 0 {
		summary := fmt.Sprintf("claim %d (PCN %s): %s", claim.ID, c.PatientControlNumber, map[bool]string{true: "denied", false: "line(s) denied"}[outcome == StateDenied])
		if err := tx.AddWorkItem(ctx, &WorkItem{Source: SourceDenial, ClaimID: claim.ID, EncounterID: claim.EncounterID,
			RemittanceID: rem.ID, InboundFileID: file.ID, Category: denialCategory(denials), Summary: summary,
			Reasons: denials, Status: WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()}); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// HoldError is a reason to hold a whole remittance for review with nothing
// posted, found while posting it.
type HoldError struct {
	Code string // "illegal-transition", "over-credit"
	Err  error
}

func (e *HoldError) Error() string { return e.Err.Error() }
func (e *HoldError) Unwrap() error { return e.Err }

// overCredit refuses entries that would credit a claim beyond what is
// open on it: a second payment for lines already paid, without a reversal,
// is a probable duplicate and needs a person.
func overCredit(ctx context.Context, tx Tx, claim *Claim, c *x835.Claim, entries []LedgerEntry) error {
	lines, err := tx.LineBalances(ctx, claim.ID)
	if err != nil {
		return err
	}
	var b Balance
	for _, lb := range lines {
		b.Charge += lb.Charge
		b.Payments += lb.Payments
		b.Adjustments += lb.Adjustments
		b.PatientResp += lb.PatientResp
		b.WriteOffs += lb.WriteOffs
	}
	open := b.Insurance()
	for _, e := range entries {
		b.Add(e)
	}
	if b.Insurance() < 0 {
		return &HoldError{Code: "over-credit", Err: fmt.Errorf(
			"claim %d (PCN %s): this CLP (status %s) would credit %s against %s still open: a probable duplicate or a correction without its reversal",
			claim.ID, c.PatientControlNumber, c.Status, open-b.Insurance(), open)}
	}
	return nil
}

// reverse links a reversal (CLP02 22) to the payment it reverses: the
// latest unreversed, non-reversal payment of the claim with the same
// payer claim number (or any, when the reversal carries none).
func (p *Pipeline) reverse(ctx context.Context, tx Tx, claimID int64, cp *ClaimPayment, c *x835.Claim) error {
	pays, err := tx.ClaimPayments(ctx, claimID)
	if err != nil {
		return err
	}
	for i := len(pays) - 1; i >= 0; i-- {
		o := pays[i]
		if o.ID == cp.ID || o.Status == "22" || o.ReversedBy != 0 {
			continue
		}
		if c.PayerClaimNumber != "" && o.PayerClaimNumber != "" && o.PayerClaimNumber != c.PayerClaimNumber {
			continue
		}
		return tx.MarkReversed(ctx, o.ID, cp.ID)
	}
	return tx.AddEvent(ctx, Event{ClaimID: claimID, At: p.now(), Kind: "835-reversal-unmatched",
		Detail: "reversal received for a payment that was not posted here; the negated amounts are posted as sent"})
}

// claimEntries turns a CLP into ledger entries: per service line the
// payment, each CO/OA/PI adjustment and each PR transfer; claim-level CAS
// on the claim. Reversals carry negative amounts and post them as sent.
func claimEntries(claim *Claim, rem *Remittance, cp *ClaimPayment, c *x835.Claim, reversal bool, p *Pipeline) []LedgerEntry {
	var es []LedgerEntry
	add := func(line int64, kind EntryKind, group, reason string, amt x12.Amount, memo string) {
		if amt == 0 && kind != EntryPayment {
			return
		}
		es = append(es, LedgerEntry{ClaimID: claim.ID, LineID: line, RemittanceID: rem.ID, ClaimPayment: cp.ID, Kind: kind,
			Group: group, Reason: reason, Amount: amt, Reversal: reversal, At: p.now(), Memo: memo})
	}
	adjust := func(line int64, as []x835.Adjustment) {
		for _, a := range as {
			kind := EntryAdjustment
			if a.Group == "PR" {
				kind = EntryPatientResp
			}
			add(line, kind, a.Group, a.Reason, a.Amount, a.Group+"-"+a.Reason+" "+codes.Describe(codes.CARC, a.Reason))
		}
	}
	trace := "trace " + rem.Trace
	// Without service lines the claim is paid as a whole: on its only
	// line when it has one, else at claim level.
	var claimLevel int64
	if len(claim.Lines) == 1 {
		claimLevel = claim.Lines[0].ID
	}
	if len(c.Lines) == 0 {
		add(claimLevel, EntryPayment, "", "", c.Paid, "insurance payment, "+trace)
		adjust(claimLevel, c.Adjustments)
		return es
	}
	used := map[int64]bool{}
	var linesPaid x12.Amount
	for _, l := range c.Lines {
		id := matchLine(claim, l, used)
		add(id, EntryPayment, "", "", l.Paid, "insurance payment, "+trace)
		adjust(id, l.Adjustments)
		linesPaid += l.Paid
	}
	// Claim-level CAS reduce (or raise) what the lines paid: CLP04 =
	// ΣSVC03 − Σclaim CAS. Post the difference as a claim-level payment
	// so that payments add up to CLP04.
	if d := c.Paid - linesPaid; d != 0 {
		add(0, EntryPayment, "", "", d, "claim-level adjustment of the line payments, "+trace)
	}
	adjust(0, c.Adjustments)
	return es
}

// matchLine finds the claim line an 835 service line pays: by line item
// control number (REF*6R) first, then by procedure, service date and
// charge (the original procedure when the payer changed it). It returns 0
// (post at claim level) when nothing matches.
func matchLine(claim *Claim, l *x835.Line, used map[int64]bool) int64 {
	if l.ControlNumber != "" {
		for _, cl := range claim.Lines {
			if cl.ControlNumber == l.ControlNumber {
				used[cl.ID] = true
				return cl.ID
			}
		}
	}
	proc := l.Procedure.Code
	if l.Original != nil && l.Original.Code != "" {
		proc = l.Original.Code
	}
	for _, cl := range claim.Lines {
		if used[cl.ID] || cl.Procedure != proc && cl.RevenueCode != l.RevenueCode {
			continue
		}
		if !l.ServiceDate.IsZero() && l.ServiceDate != cl.ServiceDate {
			continue
		}
		if l.Charge != cl.Charge && l.Charge != -cl.Charge {
			continue
		}
		used[cl.ID] = true
		return cl.ID
	}
	return 0
}

// adjudication decides the claim state an 835 claim leads to, and the
// denial reasons. Denial comes from CLP02 and the adjustment codes, never
// from a zero payment alone: a line is denied when the payer paid nothing
// and put none of it on the patient, adjusting the whole charge away with
// CO/OA/PI reasons. A $0 payment that all went to the deductible (PR-1) is
// not a denial.
func adjudication(c *x835.Claim) (ClaimState, []Reason) {
	switch c.Status {
	case "22":
		return StateReversed, nil
	case "23", "25":
		return "", nil
	}
	var reasons []Reason
	deniedLines := 0
	for _, l := range c.Lines {
		if !lineDenied(l.Charge, l.Paid, l.Adjustments) {
			continue
		}
		deniedLines++
		for _, a := range l.Adjustments {
			if a.Group == "PR" {
				continue
			}
			reasons = append(reasons, Reason{Code: a.Group + "-" + a.Reason, Location: fmt.Sprintf("835 segment %d", l.Segment),
				Text: fmt.Sprintf("line %s %s: %s", l.Procedure.Code, l.Charge, codes.Describe(codes.CARC, a.Reason))})
		}
		for _, r := range l.Remarks {
			reasons = append(reasons, Reason{Code: r, Text: codes.Describe(codes.RARC, r)})
		}
	}
	allDenied := len(c.Lines) > 0 && deniedLines == len(c.Lines)
	if len(c.Lines) == 0 && lineDenied(c.Charge, c.Paid, c.Adjustments) {
		allDenied = true
	}
	if c.Status == "4" || allDenied {
		if len(reasons) == 0 {
			for _, a := range c.Adjustments {
				reasons = append(reasons, Reason{Code: a.Group + "-" + a.Reason, Text: codes.Describe(codes.CARC, a.Reason)})
			}
		}
		if len(reasons) == 0 {
			reasons = append(reasons, Reason{Code: "CLP02-4", Text: "claim denied by the payer"})
		}
		return StateDenied, reasons
	}
	if deniedLines > 0 {
		return StatePartiallyPaid, reasons
	}
	return StatePaid, nil
}

func lineDenied(charge, paid x12.Amount, adj []x835.Adjustment) bool {
	if paid != 0 || charge <= 0 {
		return false
	}
	var other x12.Amount
	for _, a := range adj {
		if a.Group == "PR" {
			if a.Amount != 0 {
				return false
			}
			continue
		}
		other += a.Amount
	}
	return other == charge
}

// denialCategory groups denials by root cause, from their CARCs (primer
// §5.2).
func denialCategory(rs []Reason) string {
	for _, r := range rs {
		_, carc, _ := strings.Cut(r.Code, "-")
		switch carc {
		case "16", "4", "5", "6", "7", "8", "9", "10", "11", "12", "181", "182", "146", "206", "207", "208":
			return "coding or data"
		case "26", "27", "31", "32", "109", "200", "22":
			return "eligibility"
		case "197", "198", "284", "288":
			return "authorization"
		case "50", "55", "56", "96", "167", "204", "150", "151":
			return "medical necessity"
		case "97", "234", "236", "59", "B15":
			return "bundling"
		case "29":
			return "timely filing"
		case "18":
			return "duplicate"
		case "226", "227", "252", "163", "164":
			return "information requested"
		}
	}
	return "denial"
}
