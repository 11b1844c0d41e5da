package pipeline

import (
	"context"
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
	again                   bool // applied before, from this file
	paid                    x12.Amount
	claimsPaid, denied      int
	partial, reversed       int
	voided                  int
	unapplied               int        // claim payments left unapplied (unmatched)
	unappliedPaid           x12.Amount // their CLP04
}

// TraceKey is the key of an item about a held remittance, by payer and
// trace: it closes when a remittance with that payer and trace posts
// (the payer's corrected 835).
func TraceKey(src WorkSource, payerID, trace string) string {
	return string(src) + ":trace:" + payerID + ":" + trace
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

// postStep is the posting of one CLP, decided before anything is written.
type postStep struct {
	clp      *x835.Claim
	tg       *PostingTarget
	from, to ClaimState // to is "" for informational CLPs (forwarded, predetermination) and superseded versions
	entries  [2]int     // its ledger entries: the plan's entries[entries[0]:entries[1]]
	denials  []Reason
	note     string // added to the history text
	// refused is a denial of the replacement or void we sent, while the
	// adjudication it would replace stands: nothing is posted.
	refused bool
}

// rebillOnReversal reports whether a reversal that leaves no adjudication
// standing on a claim completes the version we sent after it (a
// replacement or a void): that version is the current one, was sent, and
// has not been rejected. from is the claim's state before the reversal.
func rebillOnReversal(tg *PostingTarget, from ClaimState) bool {
	if tg.Version <= 1 || tg.VersionKind == VersionOriginal {
		return false
	}
	switch from {
	case StateSubmitted, StateAckAccepted, StateAccepted:
		return true
	}
	return false
}

// postPlan is a whole remittance's posting.
type postPlan struct {
	steps     []postStep
	entries   []LedgerEntry             // of every step, in one array
	payments  map[int64][]*ClaimPayment // earlier payments of claims that get a reversal
	unmatched []setAside                // CLPs that cannot post: unapplied cash
}

// setAside is a claim payment that cannot post, and why.
type setAside struct {
	clp    *x835.Claim
	code   string // "unmatched-clp01", "illegal-transition" or "over-credit"
	reason string
	tg     *PostingTarget // the claim it names, if any
}

// uniquePCNs returns the CLP01s of claims, each once, in order.
func uniquePCNs(claims []*x835.Claim) []string {
	pcns := make([]string, 0, len(claims))
	seen := make(map[string]bool, len(claims))
	for _, c := range claims {
		if !seen[c.PatientControlNumber] {
			seen[c.PatientControlNumber] = true
			pcns = append(pcns, c.PatientControlNumber)
		}
	}
	return pcns
}

// planPosting reads what posting claims (a chunk of an 835 set) needs in
// one batch read and decides every step in memory: the claim each CLP
// pays, its ledger entries and the claim's new state. A CLP that names no
// claim we sent, would move its claim illegally, or would credit it
// beyond what is open on it is set aside, to be kept as unapplied cash.
func (p *Pipeline) planPosting(ctx context.Context, tx Tx, claims []*x835.Claim) (*postPlan, error) {
	list, err := tx.PostingTargets(ctx, uniquePCNs(claims))
	if err != nil {
		return nil, err
	}
	targets := make(map[string]*PostingTarget, len(list))
	for i := range list {
		targets[list[i].PCN] = &list[i]
	}
	return p.plan(ctx, tx, claims, targets)
}

// plan decides the posting of claims against targets (by CLP01); see
// planPosting.
func (p *Pipeline) plan(ctx context.Context, tx Tx, claims []*x835.Claim, targets map[string]*PostingTarget) (*postPlan, error) {
	var err error
	n := 0
	for _, c := range claims {
		n += len(c.Lines) + 1
	}
	plan := &postPlan{payments: map[int64][]*ClaimPayment{}, steps: make([]postStep, 0, len(claims)),
		entries: make([]LedgerEntry, 0, n)}
	// The state of each claim, and what it has open for insurance, as
	// the steps so far leave them (a claim may be paid by several CLPs:
	// a reversal and a correction, or two submissions).
	state := make(map[int64]ClaimState, len(targets))
	open := make(map[int64]x12.Amount, len(targets))
	for _, tg := range targets {
		state[tg.ClaimID] = tg.State
		open[tg.ClaimID] = tg.Open
	}
	// Adjudications standing on each claim that gets a reversal, as the
	// steps so far leave them; and the claims re-billed in this plan.
	stand := map[int64]int{}
	rebilled := map[int64]bool{} // the version after the reversed adjudication is complete
	earlier, err := p.earlierPayments(ctx, tx, claims, targets)
	if err != nil {
		return nil, err
	}

	for _, c := range claims {
		tg := targets[c.PatientControlNumber]
		if tg == nil {
			plan.unmatched = append(plan.unmatched, setAside{clp: c, code: "unmatched-clp01",
				reason: fmt.Sprintf("CLP01 %q matches no claim we sent", c.PatientControlNumber)})
			continue
		}
		from := state[tg.ClaimID]
		reversal := c.Status == "22"
		to, denials := adjudication(c)
		// A denial of a replacement or void we sent may be the payer
		// refusing it: whether an adjudication stands tells.
		// A claim billed to a later payer (COB) is not a replacement of
		// the earlier payer's: see cob.go.
		var laterPayer bool
		if laterPayer, err = p.billedToLaterPayer(ctx, tx, tg); err != nil {
			return nil, err
		}
		answersLater := tg.SubmissionVersion == tg.Version && tg.Version > 1 && tg.VersionKind != VersionOriginal && !laterPayer
		if (reversal || to == StateDenied && answersLater) && plan.payments[tg.ClaimID] == nil {
			plan.payments[tg.ClaimID] = earlier[tg.ClaimID]
			stand[tg.ClaimID] = standing(plan.payments[tg.ClaimID])
		}
		// What this step changes, to undo when it is set aside.
		first := len(plan.entries)
		standBefore, rebilledBefore := stand[tg.ClaimID], rebilled[tg.ClaimID]
		setAsideStep := func(code, reason string) {
			plan.entries = plan.entries[:first]
			stand[tg.ClaimID], rebilled[tg.ClaimID] = standBefore, rebilledBefore
			plan.unmatched = append(plan.unmatched, setAside{clp: c, code: code, reason: reason, tg: tg})
		}
		plan.entries = appendClaimEntries(plan.entries, tg.ClaimID, tg.Lines, c, reversal, p.now())
		if laterPayer && tg.SubmissionVersion == tg.Version {
			if plan.entries, err = p.cobOffsets(ctx, tx, tg, len(c.Lines), reversal, plan.entries, first); err != nil {
				return nil, err
			}
		}
		note := ""
		refused := false
		if to == StateDenied && answersLater && !rebilled[tg.ClaimID] && stand[tg.ClaimID] > 0 {
			// The payer denied the replacement (or void) and did not
			// reverse what it would replace: that adjudication stands,
			// and the denial moves no money.
			plan.entries = plan.entries[:first]
			refused = true
			what := "replacement"
			if tg.VersionKind == VersionVoid {
				what = "void"
			}
			note = fmt.Sprintf(" (the payer refused %s; the adjudication it would replace stands: nothing posted)", PCN(tg.ClaimID, tg.Version))
			denials = append([]Reason{{Code: "refused-" + what, Text: fmt.Sprintf("the payer denied %s, a %s; the claim's earlier adjudication stands",
				PCN(tg.ClaimID, tg.Version), what)}}, denials...)
		}
		if reversal {
			stand[tg.ClaimID] = max(stand[tg.ClaimID]-1, 0)
			if stand[tg.ClaimID] == 0 && !rebilled[tg.ClaimID] && !laterPayer && rebillOnReversal(tg, from) {
				// The payer reversed what stood, for the version we
				// sent after it: the receivables take that version's
				// charges now (none, for a void).
				bals, err := tx.LineBalances(ctx, tg.ClaimID)
				if err != nil {
					return nil, err
				}
				var lines []ClaimLine
				if tg.VersionKind != VersionVoid {
					for _, l := range tg.Lines {
						if l.Active {
							lines = append(lines, l)
						}
					}
				} else {
					to = StateVoided
				}
				plan.entries = append(plan.entries, rebillEntries(tg.ClaimID, lines, bals, p.now(),
					"re-billed as "+PCN(tg.ClaimID, tg.Version)+" on the payer's reversal")...)
				rebilled[tg.ClaimID] = true
			}
		}
		switch {
		case to != "" && tg.SubmissionVersion < tg.Version && !rebilled[tg.ClaimID] && from != StateReversed:
			// It adjudicates a version a newer one replaced: the money
			// posts, the state stays the newer version's. (Once the
			// payer's reversal completed the newer version, in this
			// 835 or an earlier one, the CLPs after it answer that
			// version, whatever CLP01 they echo.)
			note = fmt.Sprintf(" (for version %d; the claim is at version %d, %s: state unchanged)", tg.SubmissionVersion, tg.Version, from)
			to = ""
		case to != "" && !CanMove(from, to):
			setAsideStep("illegal-transition", fmt.Sprintf("claim %d is %s: this 835 claim payment (%s) cannot apply to it",
				tg.ClaimID, from, codes.Describe(codes.ClaimPaymentStatus, c.Status)))
			continue
		}
		st := postStep{clp: c, tg: tg, from: from, to: to, denials: denials, entries: [2]int{first, len(plan.entries)}, note: note,
			refused: refused}
		var b Balance
		for i := st.entries[0]; i < st.entries[1]; i++ {
			b.Add(&plan.entries[i])
		}
		before, after := open[tg.ClaimID], open[tg.ClaimID]+b.Insurance()
		if after < 0 {
			setAsideStep("over-credit", fmt.Sprintf("it would credit claim %d %s against %s still open: a probable duplicate payment, or a correction without its reversal",
				tg.ClaimID, before-after, before))
			continue
		}
		open[tg.ClaimID] = after
		if to != "" {
			state[tg.ClaimID] = to
		}
		plan.steps = append(plan.steps, st)
	}
	return plan, nil
}

// earlierPayments reads, in one batch, the payments of the claims that
// plan may need them for: those a CLP of claims reverses, or denies at a
// version after the first (see plan). It reads a few more than plan
// uses (it does not tell a claim billed to a later payer), never fewer.
func (p *Pipeline) earlierPayments(ctx context.Context, tx Tx, claims []*x835.Claim, targets map[string]*PostingTarget) (map[int64][]*ClaimPayment, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range claims {
		tg := targets[c.PatientControlNumber]
		if tg == nil || seen[tg.ClaimID] {
			continue
		}
		to, _ := adjudication(c)
		later := tg.SubmissionVersion == tg.Version && tg.Version > 1 && tg.VersionKind != VersionOriginal
		if c.Status == "22" || to == StateDenied && later {
			seen[tg.ClaimID] = true
			ids = append(ids, tg.ClaimID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return tx.ClaimPaymentsOf(ctx, ids)
}

// writePosting writes a planned posting: claim payments, ledger entries,
// reversal links, state moves and history, payer claim numbers and denial
// work items. Claims adjudicated once in the remittance move in one batch;
// those with several CLPs (a reversal and its correction) move in a batch
// per step (see stepMoves). The history events of a chunk all take one
// time, the chunk's (it commits as one): MoveClaims moves the claims
// going to one state at one time in one statement, so a time per claim
// would cost a statement per claim.
func (p *Pipeline) writePosting(ctx context.Context, tx Tx, file *InboundFile, rem *Remittance, plan *postPlan) error {
	at := p.now()
	count := map[int64]int{}
	for _, st := range plan.steps {
		if st.to != "" {
			count[st.tg.ClaimID]++
		}
	}
	moves := make([]Event, 0, len(plan.steps))
	refs := map[int64]string{}
	var items itemChanges
	var several stepMoves         // the steps of the claims that move several times
	reversed := map[int64]int64{} // earlier payment -> the reversal that reverses it
	for _, st := range plan.steps {
		c, tg := st.clp, st.tg
		if !st.refused {
			// A refusal is no payment: recorded as an event only, it
			// never counts as an adjudication that stands.
			cp := &ClaimPayment{RemittanceID: rem.ID, ClaimID: tg.ClaimID, SubmissionID: tg.SubmissionID, Ordinal: c.Ordinal, Status: c.Status,
				Charge: c.Charge, Paid: c.Paid, PatientResp: c.PatientResponsibility, PayerClaimNumber: c.PayerClaimNumber, Outcome: st.to}
			if err := tx.AddClaimPayment(ctx, cp); err != nil {
				return err
			}
			for i := st.entries[0]; i < st.entries[1]; i++ {
				plan.entries[i].RemittanceID, plan.entries[i].ClaimPayment = rem.ID, cp.ID
			}
			if c.Status == "22" {
				if err := p.linkReversal(ctx, tx, tg.ClaimID, cp, c, plan.payments, reversed); err != nil {
					return err
				}
			}
		}
		if c.PayerClaimNumber != "" && c.Status != "22" && !st.refused {
			// CLP07 is authoritative: it replaces a 277CA's REF*1K.
			refs[tg.ClaimID] = c.PayerClaimNumber
		}
		ev := Event{ClaimID: tg.ClaimID, SubmissionID: tg.SubmissionID, At: at, Kind: "835", FileID: file.ID,
			SetControl: rem.SetControl, Segment: c.Segment, From: st.from, To: st.to, Version: tg.SubmissionVersion,
			Detail: adjudicationDetail(c) + st.note}
		switch {
		case count[tg.ClaimID] > 1:
			several.add(ev, tg.Version)
		case st.to == "":
			if err := tx.AddEvent(ctx, ev); err != nil {
				return err
			}
		default:
			moves = append(moves, ev)
		}
		p.settleItems(file, rem, &st, &items)
	}
	if err := several.write(ctx, tx); err != nil {
		return err
	}
	if err := items.write(ctx, tx); err != nil {
		return err
	}
	if err := tx.MarkPaymentsReversed(ctx, reversed); err != nil {
		return err
	}
	if err := tx.AddEntries(ctx, plan.entries); err != nil {
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

// adjudicationDetail is the history text of an 835 claim payment, e.g.
// "835 CLP02 1 (Processed as Primary): charge 125.00, paid 80.00,
// patient responsibility 20.00" (built without fmt: posting writes one
// per claim).
func adjudicationDetail(c *x835.Claim) string {
	b := make([]byte, 0, 128)
	b = append(b, "835 CLP02 "...)
	b = append(b, c.Status...)
	b = append(b, " ("...)
	b = append(b, codes.Describe(codes.ClaimPaymentStatus, c.Status)...)
	b = append(b, "): charge "...)
	b = c.Charge.Append(b)
	b = append(b, ", paid "...)
	b = c.Paid.Append(b)
	b = append(b, ", patient responsibility "...)
	b = c.PatientResponsibility.Append(b)
	return string(b)
}

// noteDuplicateRemit records, on each claim that claims (a chunk of a
// duplicate 835 set) names, that the payment was posted before, by prev.
func (p *Pipeline) noteDuplicateRemit(ctx context.Context, tx Tx, file *InboundFile, setControl string, claims []*x835.Claim, prev *Remittance) error {
	list, err := tx.PostingTargets(ctx, uniquePCNs(claims))
	if err != nil {
		return err
	}
	targets := make(map[string]*PostingTarget, len(list))
	for i := range list {
		targets[list[i].PCN] = &list[i]
	}
	for _, c := range claims {
		tg := targets[c.PatientControlNumber]
		if tg == nil {
			continue
		}
		if err := tx.AddEvent(ctx, Event{ClaimID: tg.ClaimID, SubmissionID: tg.SubmissionID, At: p.now(), Kind: "835-duplicate",
			FileID: file.ID, SetControl: setControl, Segment: c.Segment,
			Detail: fmt.Sprintf("remittance trace %s already posted from file %d; nothing posted again", prev.Trace, prev.InboundFileID)}); err != nil {
			return err
		}
	}
	return nil
}

// holdRemit records an unbalanced remittance as held, with nothing
// posted, and its work item, which closes when a remittance with the same
// payer and trace posts.
func (p *Pipeline) holdRemit(ctx context.Context, tx Tx, rem *Remittance, summary string, reasons []Reason) error {
	rem.State = RemitHeld
	rem.Reason = summary
	if _, err := tx.CreateRemittance(ctx, rem); err != nil {
		return err
	}
	w := &WorkItem{Key: TraceKey(SourceImbalance, rem.PayerID, rem.Trace), Source: SourceImbalance, RemittanceID: rem.ID,
		InboundFileID: rem.InboundFileID, PayerID: rem.PayerID, Category: "out of balance", Summary: summary, Reasons: reasons,
		CreatedAt: p.now()}
	if len(reasons) > 0 {
		w.Code = reasons[0].Code
	}
	_, err := tx.OpenWorkItem(ctx, w)
	return err
}

// settleItems decides, into items, how the work items of a claim change
// with one 835 claim payment: a denial opens (or updates) the claim's
// denial item and a payment in full closes it; an adjudication of a
// version after the first closes the items about the rejections before
// it; a completed void closes them all.
func (p *Pipeline) settleItems(file *InboundFile, rem *Remittance, st *postStep, items *itemChanges) {
	c, tg := st.clp, st.tg
	if len(st.denials) > 0 {
		what := "line(s) denied"
		if st.to == StateDenied {
			what = "denied"
		}
		action := "correct and send a replacement, appeal, or void it"
		if cat := denialCategory(st.denials); cat == "duplicate" {
			action = "no action unless the original was not paid"
		}
		items.open(&WorkItem{Key: ClaimKey(SourceDenial, tg.ClaimID), Source: SourceDenial, Code: st.denials[0].Code,
			ClaimID: tg.ClaimID, Version: tg.SubmissionVersion, EncounterID: tg.EncounterID, PayerID: tg.PayerID,
			RemittanceID: rem.ID, InboundFileID: file.ID, Segment: c.Segment, Category: denialCategory(st.denials),
			Summary: fmt.Sprintf("claim %d (PCN %s): %s by the payer (835 check %s): %s", tg.ClaimID, c.PatientControlNumber, what, rem.Trace, action),
			Reasons: st.denials, CreatedAt: p.now()})
	}
	// A denial item can only exist when an earlier adjudication denied
	// something: a first payment in full needs no statement to close one.
	var close []WorkSource
	switch st.to {
	case StatePaid:
		if tg.SubmissionVersion > 1 || st.from == StateDenied || st.from == StatePartiallyPaid || st.from == StateReversed {
			close = append(close, SourceDenial)
		}
	case StateVoided:
		close = append(close, SourceDenial, SourceTA1, Source999, Source277CA, SourceScrubber, SourceIntake)
	}
	if st.to != "" && tg.SubmissionVersion > 1 {
		close = append(close, SourceTA1, Source999, Source277CA)
	}
	for _, src := range close {
		items.close(ClaimKey(src, tg.ClaimID), fmt.Sprintf("the payer's 835 (check %s) adjudicated %s: %s", rem.Trace, c.PatientControlNumber, st.to))
	}
}

// keepUnapplied records the claim payments of a posted remittance that
// cannot post as unapplied cash, with one work item for the remittance
// that lists them and why. A large remittance posts in chunks: each
// chunk's set-asides are added to the item the earlier chunks opened, and
// its summary counts them all.
func (p *Pipeline) keepUnapplied(ctx context.Context, tx Tx, file *InboundFile, rem *Remittance, aside []setAside) error {
	if len(aside) == 0 {
		return nil
	}
	key := RemitKeyOf(SourceUnmatched, rem.ID)
	var reasons []Reason
	open, err := tx.WorkItems(ctx, WorkFilter{Key: key, Status: WorkOpen})
	if err != nil {
		return err
	}
	if len(open) > 0 {
		reasons = open[0].Reasons
	}
	us := make([]*UnappliedPayment, len(aside))
	for i, a := range aside {
		c := a.clp
		us[i] = &UnappliedPayment{RemittanceID: rem.ID, Ordinal: c.Ordinal, Segment: c.Segment, PCN: c.PatientControlNumber,
			Status: c.Status, PayerClaimNumber: c.PayerClaimNumber, Charge: c.Charge, Paid: c.Paid, PatientResp: c.PatientResponsibility,
			Claim: c, Reason: a.reason, CreatedAt: p.now()}
	}
	if err := tx.AddUnappliedPayments(ctx, us); err != nil {
		return err
	}
	for i, a := range aside {
		c, u := a.clp, us[i]
		if a.tg != nil {
			if err := tx.AddEvent(ctx, Event{ClaimID: a.tg.ClaimID, SubmissionID: a.tg.SubmissionID, At: p.now(), Kind: "835-unapplied",
				FileID: file.ID, SetControl: rem.SetControl, Segment: c.Segment, Version: a.tg.SubmissionVersion,
				Detail: adjudicationDetail(c) + fmt.Sprintf("; not posted, kept as unapplied payment %d: %s", u.ID, a.reason)}); err != nil {
				return err
			}
		}
		reasons = x12.AppendCapped(reasons, Reason{Code: a.code, Location: fmt.Sprintf("835 ST02 %s segment %d", rem.SetControl, c.Segment),
			Text: fmt.Sprintf("unapplied payment %d: CLP %d (CLP01 %q), %s paid, payer claim number %s: %s",
				u.ID, c.Ordinal, c.PatientControlNumber, c.Paid, c.PayerClaimNumber, a.reason)},
			Reason{Text: "more unapplied payments follow; see claims remit show"})
	}
	n, total, err := tx.UnappliedTotals(ctx, rem.ID)
	if err != nil {
		return err
	}
	_, err = tx.OpenWorkItem(ctx, &WorkItem{Key: key, Source: SourceUnmatched, Code: reasons[0].Code,
		RemittanceID: rem.ID, InboundFileID: file.ID, PayerID: rem.PayerID, Category: "unapplied cash",
		Summary: fmt.Sprintf("remittance %d (check %s): %d claim payment(s), %s, could not be applied to a claim; apply each to its claim (claims remit apply %d CLAIM), or refund it",
			rem.ID, rem.Trace, n, total, rem.ID),
		Reasons: reasons, CreatedAt: p.now()})
	return err
}

// linkReversal links a reversal (CLP02 22) to the payment it reverses:
// the latest unreversed, non-reversal payment of the claim with the same
// payer claim number (or any, when the reversal carries none). The link
// is added to reversed, which writePosting records in one batch.
func (p *Pipeline) linkReversal(ctx context.Context, tx Tx, claimID int64, cp *ClaimPayment, c *x835.Claim, earlier map[int64][]*ClaimPayment, reversed map[int64]int64) error {
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
		reversed[o.ID] = cp.ID
		return nil
	}
	return tx.AddEvent(ctx, Event{ClaimID: claimID, At: p.now(), Kind: "835-reversal-unmatched",
		Detail: "reversal received for a payment that was not posted here; the negated amounts are posted as sent"})
}

// appendClaimEntries turns a CLP into ledger entries, appended to es:
// one per service line (its payment and CAS adjustments) and one at claim
// level for the claim-level CAS. Reversals carry negative amounts and post
// them as sent.
func appendClaimEntries(es []LedgerEntry, claimID int64, lines []ClaimLine, c *x835.Claim, reversal bool, at time.Time) []LedgerEntry {
	// The entries' adjustments share one array (one allocation per CLP,
	// not per entry), each entry capped to its own run.
	n := len(c.Adjustments)
	for _, l := range c.Lines {
		n += len(l.Adjustments)
	}
	var adjs []Adjustment
	if n > 0 {
		adjs = make([]Adjustment, 0, n)
	}
	add := func(line int64, paid x12.Amount, as []x835.Adjustment, memo string) {
		e := LedgerEntry{ClaimID: claimID, LineID: line, Kind: EntryInsurance, Payment: paid, Reversal: reversal, At: at, Memo: memo}
		first := len(adjs)
		for _, a := range as {
			if a.Amount != 0 {
				adjs = append(adjs, Adjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount})
			}
		}
		if len(adjs) > first {
			e.Adjustments = adjs[first:len(adjs):len(adjs)]
		}
		if !e.Empty() {
			es = append(es, e)
		}
	}
	// Without service lines the claim is paid as a whole
	// (paidAsWholeMemo): on its only (active) line when it has one, else
	// at claim level.
	if len(c.Lines) == 0 {
		var line int64
		n := 0
		for i := range lines {
			if lines[i].Active {
				line = lines[i].ID
				n++
			}
		}
		if n != 1 {
			line = 0
		}
		add(line, c.Paid, c.Adjustments, paidAsWholeMemo)
		return es
	}
	used := make([]bool, len(lines)) // on the stack for up to 32 lines
	var linesPaid x12.Amount
	for _, l := range c.Lines {
		add(matchLine(lines, l, used), l.Paid, l.Adjustments, "")
		linesPaid += l.Paid
	}
	// Claim-level CAS reduce (or raise) what the lines paid: CLP04 =
	// ΣSVC03 − Σclaim CAS. Post the difference as a claim-level payment
	// so that payments add up to CLP04.
	add(0, c.Paid-linesPaid, c.Adjustments, "claim-level adjustments")
	return es
}

// matchLine finds the claim line an 835 service line pays: by line item
// control number (REF*6R) first, then by procedure, service date and
// charge (the original procedure when the payer changed it). It returns 0
// (post at claim level) when nothing matches. used[i] tells whether
// lines[i] is taken by an earlier 835 line of the claim; matchLine sets
// it for the line it returns.
func matchLine(lines []ClaimLine, l *x835.Line, used []bool) int64 {
	if l.ControlNumber != "" {
		for i := range lines {
			if lines[i].ControlNumber == l.ControlNumber {
				used[i] = true
				return lines[i].ID
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
	for i := range lines {
		cl := &lines[i]
		sameCode := cl.Procedure != "" && cl.Procedure == proc ||
			cl.RevenueCode != "" && cl.RevenueCode == rev && (proc == "" || cl.Procedure == "")
		if used[i] || !sameCode {
			continue
		}
		if !l.ServiceDate.IsZero() && l.ServiceDate != cl.ServiceDate {
			continue
		}
		if l.Charge != cl.Charge && l.Charge != -cl.Charge {
			continue
		}
		used[i] = true
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
		if a.Reason == "23" && a.Amount != 0 {
			return false // CARC 23: the earlier payers covered it (COB), not a denial
		}
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
