package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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

	plan, hold, err := p.planPosting(ctx, tx, r)
	if err != nil {
		return out, err
	}
	if hold != nil {
		out.held = true
		return out, p.holdRemit(ctx, tx, rem, hold.source, hold.category,
			fmt.Sprintf("remittance %s (trace %s, %s): %s; nothing posted", r.SetControl, rem.Trace, rem.Amount, hold.summary), hold.reasons)
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
	if err := p.writePosting(ctx, tx, file, rem, plan); err != nil {
		return out, err
	}
	for _, st := range plan.steps {
		out.paid += st.clp.Paid
		switch st.to {
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

// postStep is the posting of one CLP, decided before anything is written.
type postStep struct {
	clp      *x835.Claim
	sub      *Submission
	claim    *Claim
	from, to ClaimState // to is "" for informational CLPs (forwarded, predetermination)
	entries  []LedgerEntry
	denials  []Reason
}

// postPlan is a whole remittance's posting.
type postPlan struct {
	steps    []postStep
	payments map[int64][]*ClaimPayment // earlier payments of claims that get a reversal
}

// remitHold is why a remittance must be held for review.
type remitHold struct {
	source   WorkSource
	category string
	summary  string
	reasons  []Reason
}

// planPosting reads what posting r needs in a few batch reads and decides
// every step in memory: the claim each CLP pays, its ledger entries and
// the claim's new state. It returns a hold when any CLP names a claim we
// never sent, would move a claim illegally, or would credit a claim
// beyond what is open on it.
func (p *Pipeline) planPosting(ctx context.Context, tx Tx, r *x835.Remittance) (*postPlan, *remitHold, error) {
	pcns := make([]string, 0, len(r.Claims))
	seenPCN := map[string]bool{}
	for _, c := range r.Claims {
		if !seenPCN[c.PatientControlNumber] {
			seenPCN[c.PatientControlNumber] = true
			pcns = append(pcns, c.PatientControlNumber)
		}
	}
	subList, err := tx.SubmissionsByPCN(ctx, pcns)
	if err != nil {
		return nil, nil, err
	}
	subs := make(map[string]*Submission, len(subList))
	ids := make([]int64, 0, len(subList))
	seenID := map[int64]bool{}
	for _, s := range subList {
		subs[s.PCN] = s
		if !seenID[s.ClaimID] {
			seenID[s.ClaimID] = true
			ids = append(ids, s.ClaimID)
		}
	}
	var unmatched []Reason
	for _, c := range r.Claims {
		if subs[c.PatientControlNumber] == nil {
			unmatched = append(unmatched, Reason{Code: "unmatched-clp01", Location: fmt.Sprintf("835 ST02 %s segment %d", r.SetControl, c.Segment),
				Text: fmt.Sprintf("claim %d: patient control number %q matches no claim we sent", c.Ordinal, c.PatientControlNumber)})
		}
	}
	if len(unmatched) > 0 {
		return nil, &remitHold{source: SourceUnmatched, category: "unmatched remittance",
			summary: fmt.Sprintf("%d claim(s) match nothing we sent", len(unmatched)), reasons: unmatched}, nil
	}
	claimList, err := tx.GetClaims(ctx, ids, false)
	if err != nil {
		return nil, nil, err
	}
	claims := make(map[int64]*Claim, len(claimList))
	for _, c := range claimList {
		claims[c.ID] = c
	}
	running, err := tx.ClaimBalances(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	plan := &postPlan{payments: map[int64][]*ClaimPayment{}, steps: make([]postStep, 0, len(r.Claims))}
	state := map[int64]ClaimState{}
	for _, c := range r.Claims {
		sub := subs[c.PatientControlNumber]
		claim := claims[sub.ClaimID]
		if claim == nil {
			return nil, nil, fmt.Errorf("claim %d of submission %s: %w", sub.ClaimID, sub.PCN, ErrNotFound)
		}
		from, ok := state[claim.ID]
		if !ok {
			from = claim.State
		}
		if c.Status == "22" && plan.payments[claim.ID] == nil {
			if plan.payments[claim.ID], err = tx.ClaimPayments(ctx, claim.ID); err != nil {
				return nil, nil, err
			}
		}
		to, denials := adjudication(c)
		st := postStep{clp: c, sub: sub, claim: claim, from: from, to: to, denials: denials,
			entries: claimEntries(claim, c, c.Status == "22", p.now())}
		if to != "" && !CanMove(from, to) {
			te := &TransitionError{ClaimID: claim.ID, From: from, To: to}
			return nil, &remitHold{source: SourceUnmatched, category: "unexpected adjudication", summary: te.Error(),
				reasons: []Reason{{Code: "illegal-transition", Text: te.Error(), Location: fmt.Sprintf("835 ST02 %s segment %d", r.SetControl, c.Segment)}}}, nil
		}
		b := running[claim.ID]
		open := b.Insurance()
		for _, e := range st.entries {
			b.Add(e)
		}
		if b.Insurance() < 0 {
			msg := fmt.Sprintf("claim %d (PCN %s): this CLP (status %s) would credit %s against %s still open: a probable duplicate or a correction without its reversal",
				claim.ID, c.PatientControlNumber, c.Status, open-b.Insurance(), open)
			return nil, &remitHold{source: SourceUnmatched, category: "probable duplicate payment", summary: msg,
				reasons: []Reason{{Code: "over-credit", Text: msg, Location: fmt.Sprintf("835 ST02 %s segment %d", r.SetControl, c.Segment)}}}, nil
		}
		running[claim.ID] = b
		if to != "" {
			state[claim.ID] = to
		}
		plan.steps = append(plan.steps, st)
	}
	return plan, nil, nil
}

// writePosting writes a planned posting: claim payments, ledger entries,
// reversal links, state moves and history, payer claim numbers and denial
// work items. Claims adjudicated once in the remittance move in one batch;
// a claim with several CLPs (a reversal and its correction) moves step by
// step.
func (p *Pipeline) writePosting(ctx context.Context, tx Tx, file *InboundFile, rem *Remittance, plan *postPlan) error {
	count := map[int64]int{}
	for _, st := range plan.steps {
		if st.to != "" {
			count[st.claim.ID]++
		}
	}
	n := 0
	for _, st := range plan.steps {
		n += len(st.entries)
	}
	entries := make([]LedgerEntry, 0, n)
	moves := make([]Event, 0, len(plan.steps))
	refs := map[int64]string{}
	for _, st := range plan.steps {
		c := st.clp
		cp := &ClaimPayment{RemittanceID: rem.ID, ClaimID: st.claim.ID, SubmissionID: st.sub.ID, Ordinal: c.Ordinal, Status: c.Status,
			Charge: c.Charge, Paid: c.Paid, PatientResp: c.PatientResponsibility, PayerClaimNumber: c.PayerClaimNumber, Outcome: st.to}
		if err := tx.AddClaimPayment(ctx, cp); err != nil {
			return err
		}
		for _, e := range st.entries {
			e.RemittanceID, e.ClaimPayment = rem.ID, cp.ID
			if e.Kind == EntryPayment {
				e.Memo += ", trace " + rem.Trace
			}
			entries = append(entries, e)
		}
		if c.Status == "22" {
			if err := p.linkReversal(ctx, tx, st.claim.ID, cp, c, plan.payments); err != nil {
				return err
			}
		}
		if c.PayerClaimNumber != "" && c.PayerClaimNumber != st.claim.PayerClaimNumber {
			refs[st.claim.ID] = c.PayerClaimNumber
		}
		ev := Event{ClaimID: st.claim.ID, SubmissionID: st.sub.ID, At: p.now(), Kind: "835", FileID: file.ID,
			SetControl: rem.SetControl, Segment: c.Segment, From: st.from, To: st.to,
			Detail: fmt.Sprintf("835 CLP02 %s (%s): charge %s, paid %s, patient responsibility %s",
				c.Status, codes.Describe(codes.ClaimPaymentStatus, c.Status), c.Charge, c.Paid, c.PatientResponsibility)}
		switch {
		case st.to == "":
			if err := tx.AddEvent(ctx, ev); err != nil {
				return err
			}
		case count[st.claim.ID] == 1:
			moves = append(moves, ev)
		default:
			if err := tx.MoveClaim(ctx, st.claim.ID, st.from, st.to, ev); err != nil {
				return err
			}
		}
		if len(st.denials) > 0 {
			what := "line(s) denied"
			if st.to == StateDenied {
				what = "denied"
			}
			if err := tx.AddWorkItem(ctx, &WorkItem{Source: SourceDenial, ClaimID: st.claim.ID, EncounterID: st.claim.EncounterID,
				RemittanceID: rem.ID, InboundFileID: file.ID, Category: denialCategory(st.denials),
				Summary: fmt.Sprintf("claim %d (PCN %s): %s", st.claim.ID, c.PatientControlNumber, what),
				Reasons: st.denials, Status: WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()}); err != nil {
				return err
			}
		}
	}
	if err := tx.AddEntries(ctx, entries); err != nil {
		return err
	}
	moved := make(map[int64]bool, len(moves))
	for _, m := range moves {
		moved[m.ClaimID] = true
	}
	if err := tx.MoveClaims(ctx, moves, refs); err != nil {
		return err
	}
	rest := map[int64]string{}
	for id, ref := range refs {
		if !moved[id] {
			rest[id] = ref
		}
	}
	if len(rest) > 0 {
		return tx.SetPayerClaimNumbers(ctx, rest)
	}
	return nil
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

// linkReversal links a reversal (CLP02 22) to the payment it reverses:
// the latest unreversed, non-reversal payment of the claim with the same
// payer claim number (or any, when the reversal carries none).
func (p *Pipeline) linkReversal(ctx context.Context, tx Tx, claimID int64, cp *ClaimPayment, c *x835.Claim, earlier map[int64][]*ClaimPayment) error {
	pays := earlier[claimID]
	for i := len(pays) - 1; i >= 0; i-- {
		o := pays[i]
		if o.Status == "22" || o.ReversedBy != 0 {
			continue
		}
		if c.PayerClaimNumber != "" && o.PayerClaimNumber != "" && o.PayerClaimNumber != c.PayerClaimNumber {
			continue
		}
		o.ReversedBy = cp.ID
		return tx.MarkReversed(ctx, o.ID, cp.ID)
	}
	return tx.AddEvent(ctx, Event{ClaimID: claimID, At: p.now(), Kind: "835-reversal-unmatched",
		Detail: "reversal received for a payment that was not posted here; the negated amounts are posted as sent"})
}

// claimEntries turns a CLP into ledger entries: per service line the
// payment, each CO/OA/PI adjustment and each PR transfer; claim-level CAS
// on the claim. Reversals carry negative amounts and post them as sent.
func claimEntries(claim *Claim, c *x835.Claim, reversal bool, at time.Time) []LedgerEntry {
	n := 1 + len(c.Adjustments)
	for _, l := range c.Lines {
		n += 1 + len(l.Adjustments)
	}
	es := make([]LedgerEntry, 0, n)
	add := func(line int64, kind EntryKind, group, reason string, amt x12.Amount, memo string) {
		if amt == 0 {
			return
		}
		es = append(es, LedgerEntry{ClaimID: claim.ID, LineID: line, Kind: kind,
			Group: group, Reason: reason, Amount: amt, Reversal: reversal, At: at, Memo: memo})
	}
	adjust := func(line int64, as []x835.Adjustment) {
		for _, a := range as {
			kind := EntryAdjustment
			if a.Group == "PR" {
				kind = EntryPatientResp
			}
			add(line, kind, a.Group, a.Reason, a.Amount, "")
		}
	}
	// Without service lines the claim is paid as a whole: on its only
	// line when it has one, else at claim level.
	var claimLevel int64
	if len(claim.Lines) == 1 {
		claimLevel = claim.Lines[0].ID
	}
	if len(c.Lines) == 0 {
		add(claimLevel, EntryPayment, "", "", c.Paid, "insurance payment")
		adjust(claimLevel, c.Adjustments)
		return es
	}
	used := map[int64]bool{}
	var linesPaid x12.Amount
	for _, l := range c.Lines {
		id := matchLine(claim, l, used)
		add(id, EntryPayment, "", "", l.Paid, "insurance payment")
		adjust(id, l.Adjustments)
		linesPaid += l.Paid
	}
	// Claim-level CAS reduce (or raise) what the lines paid: CLP04 =
	// ΣSVC03 − Σclaim CAS. Post the difference as a claim-level payment
	// so that payments add up to CLP04.
	if d := c.Paid - linesPaid; d != 0 {
		add(0, EntryPayment, "", "", d, "claim-level adjustment of the line payments")
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
	proc, rev := l.Procedure.Code, l.RevenueCode
	if l.Original != nil && l.Original.Code != "" {
		proc = l.Original.Code
	}
	if l.Procedure.Qualifier == "NU" {
		// An institutional line paid by revenue code alone.
		proc, rev = "", l.Procedure.Code
	}
	for _, cl := range claim.Lines {
		sameCode := cl.Procedure != "" && cl.Procedure == proc ||
			cl.RevenueCode != "" && cl.RevenueCode == rev && (proc == "" || cl.Procedure == "")
		if used[cl.ID] || !sameCode {
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
