package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// Coordination of benefits. A claim whose encounter lists other coverage
// (x837.Claim.OtherCoverage) goes to its primary payer first, with the
// other payers in loops 2320/2330. Once the primary's 835 has posted, the
// claim's next version goes to the next payer: a version of kind
// VersionSecondary whose payer and subscriber are that coverage's, and
// whose other coverage carries the primary's adjudication, taken from
// the posted ledger (AMT*D, claim-level CAS, REF*F8, and per line SVD,
// CAS and DTP*573). The same claim, lines and ledger follow it: the
// secondary's 835 posts to that version's CLM01 and, through offset
// entries (see cobOffsets), hands the patient responsibility the primary
// left over to the secondary's decision.
//
// The secondary is built when the primary's 835 posts (SecondaryAuto)
// or when a person asks (BuildSecondary). When it is due and cannot be
// built, a work item (SourceCOB) says why and how to resolve it.

// VersionSecondary is a claim version sent to the next payer in the order
// of payment, with the earlier payers' adjudication.
const VersionSecondary VersionKind = "secondary"

// SourceCOB is the source of work items about secondary claims: one due
// (on request), or one that cannot be built.
const SourceCOB WorkSource = "cob"

// SecondaryMode says when the pipeline builds a secondary claim.
type SecondaryMode string

// The secondary modes.
const (
	// SecondaryOnRequest opens a work item when a secondary claim is due;
	// a person builds it (BuildSecondary). The default.
	SecondaryOnRequest SecondaryMode = "on_request"
	// SecondaryAuto builds it as soon as the primary's 835 posts.
	SecondaryAuto SecondaryMode = "auto"
)

// paidAsWholeMemo marks the ledger entries of an 835 claim payment
// without service lines (see post.go).
const paidAsWholeMemo = "claim paid as a whole"

// cobOffsetMemo marks the ledger entries that hand a line over from the
// earlier payers to the next one (see cobOffsets). The secondary builder
// leaves them out of an adjudication.
const cobOffsetMemo = "coordination of benefits: the earlier payers' share (OA-23) and patient responsibility handed to this payer"

// ErrNoSecondary: the claim has no coverage after its current payer.
var ErrNoSecondary = errors.New("no further coverage")

// COBError is why a secondary claim cannot be built: the reasons, each
// with the field or ledger entry concerned. Nothing was changed.
type COBError struct {
	ClaimID int64
	Reasons []Reason
}

func (e *COBError) Error() string {
	texts := make([]string, 0, len(e.Reasons))
	for _, r := range e.Reasons {
		texts = append(texts, r.Text)
	}
	return fmt.Sprintf("claim %d: the secondary claim cannot be built: %s", e.ClaimID, strings.Join(texts, "; "))
}

// SecondaryRequest asks for a claim's secondary claim.
type SecondaryRequest struct {
	ClaimID int64
	// Coverage, when set, replaces the data of the coverage billed next
	// (its payer, subscriber, relationship, filing indicator), for
	// coverage data that was incomplete, or is billed next when the
	// encounter listed none after the current payer (its responsibility
	// defaults to the next in order). Its Adjudication is ignored.
	Coverage *x837.OtherCoverage
	// Adjudication, when set, is the current payer's adjudication to
	// send instead of the one the ledger gives: for a primary whose 835
	// lacks line detail, typed from its paper EOB. It must balance.
	Adjudication *x837.Adjudication
	Actor        string
	Note         string
}

// sequenceRank orders payer responsibility codes as x837.SequenceRank
// does, a claim's own empty code standing for P.
func sequenceRank(code string) int {
	if code == "" {
		code = "P"
	}
	return x837.SequenceRank(code)
}

// nextSequence returns the payer responsibility code after code: S
// after P, T after S, then A to H.
func nextSequence(code string) string {
	switch code {
	case "", "P":
		return "S"
	case "S":
		return "T"
	case "T":
		return "A"
	}
	if len(code) == 1 && code[0] >= 'A' && code[0] < 'H' {
		return string(code[0] + 1)
	}
	return "U"
}

// nextCoverage returns the index of the coverage billed after the
// claim's current payer: the earliest in the order of payment after it
// that has not adjudicated the claim; -1 when there is none.
func nextCoverage(d *x837.Claim) int {
	own := sequenceRank(d.Subscriber.Responsibility)
	best, rank := -1, 0
	for i := range d.OtherCoverage {
		o := &d.OtherCoverage[i]
		r := sequenceRank(o.Responsibility)
		if o.Adjudication != nil || r <= own || r == 99 {
			continue
		}
		if best < 0 || r < rank {
			best, rank = i, r
		}
	}
	return best
}

// BuildSecondary makes a claim's next version, to the next payer in the
// order of payment, from its current payer's posted adjudication (or the
// request's), and queues it (state ready; held with a scrubber item when
// the scrubber finds an error). It closes the claim's COB work item.
//
// It refuses, changing nothing: an unknown claim (ErrNotFound), a claim
// with no coverage after its payer (ErrNoSecondary), one its payer has
// not adjudicated or that is in flight (*Refusal), and one whose
// adjudication cannot be sent (*COBError: no line detail, an amount that
// does not balance, incomplete coverage data).
func (p *Pipeline) BuildSecondary(ctx context.Context, req SecondaryRequest) (*Revision, error) {
	var rev *Revision
	err := p.store.InTx(ctx, func(tx Tx) error {
		c, err := p.lockedClaim(ctx, tx, req.ClaimID, 0)
		if err != nil {
			return err
		}
		rev, err = p.secondary(ctx, tx, c, req)
		return err
	})
	return rev, err
}

// PreviewSecondary returns the content the claim's secondary version
// would have (BuildSecondary with the same request), changing nothing:
// the next payer and subscriber, and the current payer's adjudication
// from the ledger in OtherCoverage. It refuses what BuildSecondary
// refuses.
func (p *Pipeline) PreviewSecondary(ctx context.Context, req SecondaryRequest) (*x837.Claim, error) {
	var next x837.Claim
	err := p.store.InTx(ctx, func(tx Tx) error {
		c, err := tx.GetClaim(ctx, req.ClaimID)
		if err != nil {
			return err
		}
		if err := secondaryDue(c); err != nil {
			return err
		}
		next, err = p.secondaryContent(ctx, tx, c, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// secondaryDue refuses a claim its current payer has not adjudicated.
func secondaryDue(c *Claim) error {
	switch c.State {
	case StatePaid, StatePartiallyPaid, StateDenied:
		return nil
	}
	return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrNotAdjudicated,
		Reason: "its current payer has not adjudicated it (a secondary claim follows the payer's 835)"}
}

// secondary builds and stores the secondary version of c inside tx.
func (p *Pipeline) secondary(ctx context.Context, tx Tx, c *Claim, req SecondaryRequest) (*Revision, error) {
	if err := secondaryDue(c); err != nil {
		return nil, err
	}
	next, err := p.secondaryContent(ctx, tx, c, req)
	if err != nil {
		return nil, err
	}
	actor := req.Actor
	if actor == "" {
		actor = SystemActor
	}
	changed := contentChanges(c.Data, next)
	rev, err := p.revise(ctx, tx, c, VersionSecondary, next, changed, actor, req.Note, true)
	if err != nil {
		return nil, err
	}
	// The payer claim number on file is the earlier payer's (it stays in
	// the new version's REF*F8 of 2330B): a correction of the secondary
	// claim must not send it to the next payer as its own.
	if c.PayerClaimSource != "" {
		if _, err := tx.ForgetPayerClaimNumber(ctx, c.ID, c.PayerClaimSource); err != nil {
			return nil, err
		}
	}
	if _, err := tx.CloseWorkItems(ctx, ClaimKey(SourceCOB, c.ID), SystemActor,
		fmt.Sprintf("secondary claim %s built for payer %s", rev.PCN, next.Payer.ID)); err != nil {
		return nil, err
	}
	return rev, nil
}

// secondaryContent is the content of c's secondary version: the next
// coverage becomes the payer and subscriber, and the current payer an
// other coverage with its adjudication.
func (p *Pipeline) secondaryContent(ctx context.Context, tx Tx, c *Claim, req SecondaryRequest) (x837.Claim, error) {
	d := c.Data
	k := nextCoverage(&d)
	if k < 0 && req.Coverage != nil {
		// Coverage the encounter did not list: billed next.
		cov := *req.Coverage
		cov.Adjudication = nil
		if cov.Responsibility == "" {
			cov.Responsibility = nextSequence(d.Subscriber.Responsibility)
		}
		d.OtherCoverage = append(slices.Clone(d.OtherCoverage), cov)
		k = nextCoverage(&d)
	}
	if k < 0 {
		return c.Data, fmt.Errorf("claim %d: %w after payer %s", c.ID, ErrNoSecondary, c.PayerID)
	}
	target := d.OtherCoverage[k]
	if req.Coverage != nil {
		cov := *req.Coverage
		cov.Adjudication = nil
		if cov.Responsibility == "" {
			cov.Responsibility = target.Responsibility
		}
		target = cov
	}
	adj := req.Adjudication
	if adj == nil {
		var err error
		if adj, err = p.ledgerAdjudication(ctx, tx, c); err != nil {
			return c.Data, err
		}
	}
	own := d.Subscriber.Responsibility
	if own == "" {
		own = "P"
	}
	rel := "18"
	patient := d.Subscriber.Person
	if d.Patient != nil {
		rel, patient = d.Patient.Relationship, d.Patient.Person
	}
	prior := x837.OtherCoverage{Responsibility: own, Relationship: rel, GroupNumber: d.Subscriber.GroupNumber,
		GroupName: d.Subscriber.GroupName, FilingIndicator: cmp.Or(d.Payer.FilingIndicator, "CI"),
		Subscriber: x837.OtherSubscriber{Person: d.Subscriber.Person, MemberID: d.Subscriber.MemberID},
		Payer:      x837.OtherPayer{Name: d.Payer.Name, ID: d.Payer.ID, Address: d.Payer.Address}, Adjudication: adj}

	next := d
	next.PatientControlNumber, next.Frequency, next.PayerClaimNumber = "", "1", ""
	next.Subscriber = x837.Subscriber{Person: target.Subscriber.Person, MemberID: target.Subscriber.MemberID,
		GroupNumber: target.GroupNumber, GroupName: target.GroupName, Responsibility: target.Responsibility,
		InsuranceType: target.InsuranceType}
	next.Patient = nil
	if target.Relationship == "18" {
		next.Subscriber.Person = patient
	} else {
		next.Patient = &x837.Patient{Person: patient, Relationship: target.Relationship}
	}
	next.Payer = x837.Payer{Name: target.Payer.Name, ID: target.Payer.ID, FilingIndicator: target.FilingIndicator,
		Address: target.Payer.Address}
	others := make([]x837.OtherCoverage, 0, len(d.OtherCoverage))
	others = append(others, prior)
	for i, o := range d.OtherCoverage {
		if i != k {
			others = append(others, o)
		}
	}
	slices.SortStableFunc(others, func(a, b x837.OtherCoverage) int {
		return sequenceRank(a.Responsibility) - sequenceRank(b.Responsibility)
	})
	next.OtherCoverage = others

	// What the secondary payer would refuse is not sent: the coverage
	// data and the adjudication's balance are checked here; the rest of
	// the scrubber's findings hold the new version as usual.
	var reasons []Reason
	for _, pr := range next.Validate(x837.ValidateOptions{Today: p.today(), PCNAssignedLater: true}) {
		if pr.Severity != x837.SeverityError || !cobField(pr.Field) {
			continue
		}
		reasons = append(reasons, Reason{Code: pr.Rule, Text: pr.Message, Field: pr.Field, Location: pr.Location(), Severity: "error"})
	}
	if len(reasons) > 0 {
		return c.Data, &COBError{ClaimID: c.ID, Reasons: reasons}
	}
	return next, nil
}

// cobField reports whether a scrubber field belongs to the coverage data
// a secondary claim changes.
func cobField(f string) bool {
	for _, pre := range []string{"other_coverage", "subscriber", "patient", "payer"} {
		if f == pre || strings.HasPrefix(f, pre+".") || strings.HasPrefix(f, pre+"[") {
			return true
		}
	}
	return false
}

// ledgerAdjudication reads the current payer's adjudication of c from
// the posted ledger: the claim payments of its submissions to this payer
// that stand (not reversals, not reversed), their line entries (paid,
// CAS) and claim-level entries, and the remittance date.
func (p *Pipeline) ledgerAdjudication(ctx context.Context, tx Tx, c *Claim) (*x837.Adjudication, error) {
	fail := func(code, text string) error {
		return &COBError{ClaimID: c.ID, Reasons: []Reason{{Code: code, Text: text}}}
	}
	pays, err := tx.ClaimPayments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	subs, err := tx.Submissions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	versions, err := tx.Versions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	payerOf := map[int]string{}
	for _, v := range versions {
		payerOf[v.Version] = v.Data.Payer.ID
	}
	subPayer := map[int64]string{}
	for _, s := range subs {
		subPayer[s.ID] = payerOf[s.Version]
	}
	standingPays := map[int64]*ClaimPayment{}
	var icn string
	var last *ClaimPayment
	for _, cp := range pays {
		if cp.Status == "22" || cp.ReversedBy != 0 || subPayer[cp.SubmissionID] != c.PayerID {
			continue
		}
		standingPays[cp.ID] = cp
		if cp.PayerClaimNumber != "" {
			icn = cp.PayerClaimNumber
		}
		last = cp
	}
	if last == nil {
		return nil, fail("no-adjudication", fmt.Sprintf("payer %s has no standing 835 payment on the claim", c.PayerID))
	}
	rem, err := tx.GetRemittance(ctx, last.RemittanceID)
	if err != nil {
		return nil, fmt.Errorf("remittance %d: %w", last.RemittanceID, err)
	}
	entries, err := tx.Entries(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	type lineAdj struct {
		paid x12.Amount
		cas  []x837.CAS
		seen bool
	}
	byLine := map[int64]*lineAdj{}
	claimLevel := &lineAdj{}
	whole := false // the 835 paid the claim without service lines
	for i := range entries {
		e := &entries[i]
		if standingPays[e.ClaimPayment] == nil || e.Memo == cobOffsetMemo {
			continue
		}
		if e.Memo == paidAsWholeMemo {
			// An institutional claim paid as a whole (a DRG payment)
			// goes on with a claim-level adjudication (2320 CAS and
			// AMT*D, 2330B DTP*573, no 2430), as the 837I allows. Most
			// payers want line detail on a professional secondary.
			if c.Data.Kind != x837.Institutional {
				return nil, fail("no-line-detail", fmt.Sprintf("payer %s's 835 (remittance %d, check %s) has no service line detail, which the secondary claim's 2430 loops need: build it with the adjudication from the payer's EOB (claims secondary build %d --adjudication FILE)",
					c.PayerID, rem.ID, rem.Trace, c.ID))
			}
			whole = true
			claimLevel.paid += e.Payment
			for _, a := range e.Adjustments {
				claimLevel.cas = addCAS(claimLevel.cas, a)
			}
			continue
		}
		la := claimLevel
		if e.LineID != 0 {
			la = byLine[e.LineID]
			if la == nil {
				la = &lineAdj{}
				byLine[e.LineID] = la
			}
		}
		la.seen = true
		la.paid += e.Payment
		for _, a := range e.Adjustments {
			la.cas = addCAS(la.cas, a)
		}
	}
	adj := &x837.Adjudication{PayerClaimNumber: icn, Date: rem.PaymentDate, Adjustments: claimLevel.cas}
	adj.Paid = claimLevel.paid
	if whole {
		if len(byLine) > 0 {
			return nil, fail("no-line-detail", fmt.Sprintf("payer %s's 835s paid the claim both as a whole and by line: build the secondary with the adjudication from the payer's EOB (claims secondary build %d --adjudication FILE)",
				c.PayerID, c.ID))
		}
		return adj, nil
	}
	active := map[int64]bool{}
	for _, l := range c.Lines {
		if !l.Active {
			continue
		}
		active[l.ID] = true
		la := byLine[l.ID]
		if la == nil {
			return nil, fail("no-line-detail", fmt.Sprintf("line %d (%s) has no adjudication in payer %s's 835: build the secondary with the adjudication from the payer's EOB (claims secondary build %d --adjudication FILE)",
				l.LineNo, l.Procedure, c.PayerID, c.ID))
		}
		adj.Paid += la.paid
		adj.Lines = append(adj.Lines, x837.LineAdjudication{Line: l.LineNo, Paid: la.paid, Adjustments: la.cas})
	}
	for id := range byLine {
		if !active[id] {
			return nil, fail("inactive-line", fmt.Sprintf("payer %s's 835 paid line ID %d, which the claim's current version does not bill", c.PayerID, id))
		}
	}
	return adj, nil
}

// addCAS adds a ledger adjustment to a CAS list, summing the same group
// and reason; a sum of zero is left out when written.
func addCAS(cas []x837.CAS, a Adjustment) []x837.CAS {
	for i := range cas {
		if cas[i].Group == a.Group && cas[i].Reason == a.Reason {
			cas[i].Amount += a.Amount
			return cas
		}
	}
	return append(cas, x837.CAS{Group: a.Group, Reason: a.Reason, Amount: a.Amount})
}

// billedToLaterPayer reports whether the claim's current version goes
// to a later payer in the order of payment with an earlier payer's
// adjudication that this ledger holds: a secondary version the pipeline
// built, or a correction or resubmission of one that still carries the
// adjudication. Such a version does not replace the earlier payer's
// adjudication, and its payer's 835 posts with offsets (cobOffsets). (An
// encounter that came in with an earlier payer's adjudication typed in
// is an original: that payer's payment is not in the ledger, and its
// payer's 835 posts as any.) Only claims whose version lists other
// coverage are read.
func (p *Pipeline) billedToLaterPayer(ctx context.Context, tx Tx, tg *PostingTarget) (bool, error) {
	switch {
	case !tg.OtherCoverage || tg.Version <= 1:
		return false, nil
	case tg.VersionKind == VersionSecondary:
		return true, nil
	case tg.VersionKind != VersionCorrection && tg.VersionKind != VersionResubmission:
		return false, nil
	}
	versions, err := tx.Versions(ctx, tg.ClaimID)
	if err != nil {
		return false, err
	}
	built := false
	for i := range versions {
		v := &versions[i]
		switch {
		case v.Kind == VersionSecondary:
			built = true
		case v.Version == tg.Version:
			return built && v.Data.Adjudicated(), nil
		}
	}
	return false, nil
}

// cobOffsets returns es with the offset entries that make a later
// payer's claim payment (es[first:]) post as that payer's share: the
// payer adjudicates the whole charge of each line (its CAS carry the
// earlier payers' share, typically as OA-23), so for each line it paid,
// an entry takes back that share (OA-23, less the line's charge not on
// the patient) and the patient responsibility the earlier payers left,
// which this payer's own PR adjustments replace. The insurance balance
// stays as it was; the patient's becomes this payer's PR. A reversal of
// such a payment takes back the offsets posted with the payment it
// reverses. planned are the entries planned before es[first:] in the
// same posting.
func (p *Pipeline) cobOffsets(ctx context.Context, tx Tx, tg *PostingTarget, lines int, reversal bool, es []LedgerEntry, first int) ([]LedgerEntry, error) {
	posted, err := tx.Entries(ctx, tg.ClaimID)
	if err != nil {
		return nil, err
	}
	at := p.now()
	if reversal {
		// The offsets of the latest payment that has some and is not
		// reversed yet.
		pays, err := tx.ClaimPayments(ctx, tg.ClaimID)
		if err != nil {
			return nil, err
		}
		for i := len(pays) - 1; i >= 0; i-- {
			cp := pays[i]
			if cp.Status == "22" || cp.ReversedBy != 0 {
				continue
			}
			found := false
			for _, e := range posted {
				if e.ClaimPayment == cp.ID && e.Memo == cobOffsetMemo {
					found = true
					undo := LedgerEntry{ClaimID: e.ClaimID, LineID: e.LineID, Kind: EntryInsurance, Reversal: true, At: at, Memo: cobOffsetMemo}
					for _, a := range e.Adjustments {
						undo.Adjustments = append(undo.Adjustments, Adjustment{Group: a.Group, Reason: a.Reason, Amount: -a.Amount})
					}
					es = append(es, undo)
				}
			}
			if found {
				break
			}
		}
		return es, nil
	}
	// Each line's charge and patient responsibility by reason, as the
	// ledger and the entries planned before leave them.
	type state struct {
		charge x12.Amount
		pr     []Adjustment
	}
	lineState := map[int64]*state{}
	add := func(e *LedgerEntry) {
		if e.ClaimID != tg.ClaimID || e.LineID == 0 {
			return
		}
		s := lineState[e.LineID]
		if s == nil {
			s = &state{}
			lineState[e.LineID] = s
		}
		s.charge += e.Charge
		for _, a := range e.Adjustments {
			if a.PatientResp() {
				s.pr = sumAdjustment(s.pr, a)
			}
		}
	}
	for i := range posted {
		add(&posted[i])
	}
	for i := 0; i < first; i++ {
		add(&es[i])
	}
	var paidLines []int64
	if lines == 0 {
		for _, l := range tg.Lines {
			if l.Active {
				paidLines = append(paidLines, l.ID)
			}
		}
	} else {
		for _, e := range es[first:] {
			if e.LineID != 0 && !slices.Contains(paidLines, e.LineID) {
				paidLines = append(paidLines, e.LineID)
			}
		}
	}
	for _, id := range paidLines {
		s := lineState[id]
		if s == nil {
			continue
		}
		var prSum x12.Amount
		off := LedgerEntry{ClaimID: tg.ClaimID, LineID: id, Kind: EntryInsurance, At: at, Memo: cobOffsetMemo}
		for _, a := range s.pr {
			prSum += a.Amount
		}
		if d := s.charge - prSum; d != 0 {
			off.Adjustments = append(off.Adjustments, Adjustment{Group: "OA", Reason: "23", Amount: -d})
		}
		for _, a := range s.pr {
			if a.Amount != 0 {
				off.Adjustments = append(off.Adjustments, Adjustment{Group: a.Group, Reason: a.Reason, Amount: -a.Amount})
			}
		}
		if !off.Empty() {
			es = append(es, off)
		}
	}
	return es, nil
}

// sumAdjustment adds a to the list, summing the same group and reason.
func sumAdjustment(as []Adjustment, a Adjustment) []Adjustment {
	for i := range as {
		if as[i].Group == a.Group && as[i].Reason == a.Reason {
			as[i].Amount += a.Amount
			return as
		}
	}
	return append(as, a)
}
