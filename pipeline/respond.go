package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x837"
	"github.com/x12claims/claims/x12/x997"
	"github.com/x12claims/claims/x12/x999"
)

// ResponseReport counts what applying response files did.
type ResponseReport struct {
	Files            int `json:"files"`             // files applied
	FailedFiles      int `json:"failed_files"`      // files that could not be applied (see the work queue)
	QuarantinedFiles int `json:"quarantined_files"` // files not addressed to us: nothing applied (see the work queue)

	TA1Accepted     int `json:"ta1_accepted"`     // interchange acknowledgments
	TA1Rejected     int `json:"ta1_rejected"`     //
	SetsAccepted    int `json:"sets_accepted"`    // 999 (and 997) transaction set responses
	SetsRejected    int `json:"sets_rejected"`    //
	AcksSkipped     int `json:"acks_skipped"`     // TA1s, 999 and 277CA sets of a file applied before (a restart after a crash)
	ClaimsAccepted  int `json:"claims_accepted"`  // 277CA acceptances applied
	ClaimsRejected  int `json:"claims_rejected"`  // claims rejected by TA1, 999 or 277CA
	UnknownStatuses int `json:"unknown_statuses"` // 277CA claim statuses for claims we never sent

	RemitsPosted      int        `json:"remits_posted"`      // 835 transaction sets
	RemitsHeld        int        `json:"remits_held"`        //
	RemitsDuplicate   int        `json:"remits_duplicate"`   // 835 sets already posted: no-ops
	RemitsSkipped     int        `json:"remits_skipped"`     // 835 sets of a file applied before (a restart after a crash)
	ClaimsPaid        int        `json:"claims_paid"`        // adjudications posted (paid includes partially paid)
	ClaimsDenied      int        `json:"claims_denied"`      //
	ClaimsPartial     int        `json:"claims_partial"`     //
	ClaimsReversed    int        `json:"claims_reversed"`    // reversals posted (including those completing a void)
	ClaimsVoided      int        `json:"claims_voided"`      // voids the payer's reversal completed
	AmountPaid        x12.Amount `json:"amount_paid"`        // sum of CLP04 posted to claims
	PaymentsUnapplied int        `json:"payments_unapplied"` // claim payments that matched no claim: unapplied cash
	AmountUnapplied   x12.Amount `json:"amount_unapplied"`   // their CLP04
}

// ApplyPending applies every recorded inbound file that is not yet
// applied: TA1s first, then 999s and 997s, 277CAs and 835s (oldest first within a
// kind), whatever the file names, once no upload is under way (see
// uploadsSettled; the files wait for the next run otherwise). A file that
// is not addressed to us is
// quarantined, and one that cannot be read or applied is marked failed,
// each with a work item; the others go on. Each file is applied under its
// lease (LeaseApply), so that instances sharing the store share the
// files; see eachLeased for how the kinds still follow each other.
func (p *Pipeline) ApplyPending(ctx context.Context) (ResponseReport, error) {
	var rep ResponseReport
	var files []*InboundFile
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		files, err = tx.InboundInState(ctx, InboundReceived)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("apply responses: %w", err)
	}
	if settled, err := p.uploadsSettled(ctx); err != nil || !settled {
		return rep, err // the files wait for the uploads under way
	}
	type pending struct {
		f    *InboundFile
		scan *fileScan
		err  error
	}
	list := make([]pending, 0, len(files))
	for _, f := range files {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		scan, err := scanFile(f.LocalPath)
		list = append(list, pending{f, scan, err})
	}
	rank := func(pd pending) int {
		if pd.scan == nil {
			return -1
		}
		return pd.scan.rank()
	}
	slices.SortStableFunc(list, func(a, b pending) int { return rank(a) - rank(b) })
	units := make([]leaseUnit, len(list))
	for i, pd := range list {
		units[i] = leaseUnit{id: pd.f.ID, rank: rank(pd)}
	}
	_, err = p.eachLeased(ctx, LeaseApply, units, func(ctx context.Context, i int) error {
		pd := list[i]
		// Read again under the lease: another instance may have applied
		// it, or started it (its attempts), since the list was read.
		f, err := p.pendingFile(ctx, pd.f.ID)
		if err != nil || f == nil {
			return err
		}
		return p.applyPendingFile(ctx, f, pd.scan, pd.err, &rep)
	})
	return rep, err
}

// MaxApplyAttempts is how many runs may start applying a response file
// without finishing it (the process killed, out of memory or past a time
// limit, while it applied the file) before the file is marked failed,
// with a work item, so that it stops holding up the files after it.
const MaxApplyAttempts = 3

// applyPendingFile applies one recorded response file, scanned (scan) or
// not (scanErr), and records how it ended: processed, or failed or
// quarantined with a work item. Before it applies anything it records the
// attempt, and it gives up on a file that earlier runs started
// MaxApplyAttempts times without finishing. It returns an error only when
// the outcome could not be recorded, or ctx ended: a file that fails
// never stops the files after it.
func (p *Pipeline) applyPendingFile(ctx context.Context, f *InboundFile, scan *fileScan, scanErr error, rep *ResponseReport) error {
	kind, state, err := "unknown", InboundFailed, scanErr
	if scan != nil {
		kind = scan.kind()
	}
	if err == nil {
		var ok bool
		if ok, err = p.startAttempt(ctx, f); err != nil {
			return fmt.Errorf("apply responses: file %d: %w", f.ID, err)
		}
		if ok {
			p.crashPoint("collect:file-attempt")
			state, err = p.applyFile(ctx, f, scan, rep)
			if err != nil && ctx.Err() != nil {
				p.endAttempt(ctx, f)
				return ctx.Err()
			}
		} else {
			err = fmt.Errorf("%d runs started applying the file and none finished (the process stopped while applying it: killed, out of memory, or past a time limit); it is set aside so that the files after it are applied: find the cause in the logs, then claims inbound retry %d", f.Attempts-1, f.ID)
		}
	}
	if ferr := p.finishFile(ctx, f, kind, state, err); ferr != nil {
		return fmt.Errorf("apply responses: file %d: %w", f.ID, ferr)
	}
	p.crashPoint("collect:file-processed")
	switch state {
	case InboundProcessed:
		rep.Files++
	case InboundQuarantined:
		rep.QuarantinedFiles++
	default:
		rep.FailedFiles++
	}
	return nil
}

// endAttempt takes back the attempt of a run told to stop (a shutdown,
// not a crash), so that stopping the daemon does not count against the
// file. It is best effort: ctx has ended already.
func (p *Pipeline) endAttempt(ctx context.Context, f *InboundFile) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	next := *f
	next.Attempts--
	if p.store.InTx(ctx, func(tx Tx) error { return tx.UpdateInbound(ctx, &next) }) == nil {
		*f = next
	}
}

// startAttempt records that this run starts applying f, and reports
// false when MaxApplyAttempts runs started before and did not finish.
func (p *Pipeline) startAttempt(ctx context.Context, f *InboundFile) (bool, error) {
	next := *f
	next.Attempts++
	err := p.store.InTx(ctx, func(tx Tx) error { return tx.UpdateInbound(ctx, &next) })
	if err != nil {
		return false, err
	}
	*f = next
	return f.Attempts <= MaxApplyAttempts, nil
}

// finishFile records the outcome of applying a file: processed (closing
// an item an earlier failure of the file opened), or failed or
// quarantined with a work item.
func (p *Pipeline) finishFile(ctx context.Context, f *InboundFile, kind string, state InboundState, cause error) error {
	return p.store.InTx(ctx, func(tx Tx) error {
		nf := *f
		nf.Kind, nf.ProcessedAt, nf.State, nf.Error = kind, p.now(), state, ""
		key := FileKey(SourceInboundBad, f.ID)
		if state == InboundProcessed {
			if _, err := tx.CloseWorkItems(ctx, key, SystemActor, "the file was applied"); err != nil {
				return err
			}
		} else {
			nf.Error = cause.Error()
			w := &WorkItem{Key: key, Source: SourceInboundBad, InboundFileID: f.ID, Category: "response file", CreatedAt: p.now()}
			var q *quarantine
			if errors.As(cause, &q) {
				w.Code, w.Category, w.Reasons = q.reasons[0].Code, "not addressed to us", q.reasons
				w.Summary = fmt.Sprintf("response file %d (%s from %s) is not addressed to us: nothing in it was applied; if the clearinghouse's IDs changed, fix the configuration and claims inbound retry %d",
					f.ID, f.Name, f.Clearinghouse, f.ID)
			} else {
				w.Code, w.Reasons = "unreadable", []Reason{{Code: "unreadable", Text: cause.Error()}}
				w.Summary = fmt.Sprintf("response file %d (%s from %s) could not be applied; ask the clearinghouse for a corrected file, or claims inbound retry %d after fixing the cause",
					f.ID, f.Name, f.Clearinghouse, f.ID)
			}
			if _, err := tx.OpenWorkItem(ctx, w); err != nil {
				return err
			}
		}
		if err := tx.UpdateInbound(ctx, &nf); err != nil {
			return err
		}
		*f = nf
		return nil
	})
}

// quarantine is the error of a file not addressed to us.
type quarantine struct{ reasons []Reason }

func (q *quarantine) Error() string {
	parts := make([]string, 0, len(q.reasons))
	for _, r := range q.reasons {
		parts = append(parts, r.Location+": "+r.Text)
	}
	return "not addressed to us: " + strings.Join(parts, "; ")
}

// applyFile applies one response file and returns the state it ends in.
func (p *Pipeline) applyFile(ctx context.Context, f *InboundFile, scan *fileScan, rep *ResponseReport) (InboundState, error) {
	if scan.unreadable != nil {
		return InboundFailed, scan.unreadable
	}
	pt := p.byName[f.Clearinghouse]
	if pt == nil {
		return InboundFailed, fmt.Errorf("clearinghouse %q is not configured any more", f.Clearinghouse)
	}
	if problems := addressedToUs(scan, pt); len(problems) > 0 {
		return InboundQuarantined, &quarantine{problems}
	}
	if len(scan.kinds) == 0 {
		return InboundFailed, errors.New("the file holds no TA1 and no transaction set")
	}
	for k := range scan.kinds {
		if _, ok := kindRank[k]; !ok {
			return InboundFailed, fmt.Errorf("the file holds a %s transaction set, which is not a response this processor applies", k)
		}
	}
	steps := []struct {
		kind  string
		apply func(context.Context, *InboundFile, *ResponseReport) error
	}{{"TA1", p.applyTA1}, {"999", p.apply999}, {"997", p.apply997}, {"277", p.apply277}, {"835", p.apply835}}
	for _, st := range steps {
		if scan.kinds[st.kind] {
			if err := st.apply(ctx, f, rep); err != nil {
				return InboundFailed, err
			}
			p.crashPoint(fileAppliedPoint[st.kind])
		}
	}
	return InboundProcessed, nil
}

// readWith opens the file and runs a typed reader over it.
func readWith[T any](path string, read func(io.Reader) ([]T, error)) ([]T, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return read(fh)
}

// applyEach applies each of items (the TA1s, or the 999 or 277CA sets,
// of file f) in its own transaction, recording it as applied in the same
// transaction, so that a file applied again after a crash applies each
// once.
func applyEach[T any](ctx context.Context, p *Pipeline, f *InboundFile, kind string, items []T, rep *ResponseReport,
	apply func(tx Tx, ordinal int, item T) error) error {
	for i, it := range items {
		if err := p.applyOne(ctx, f, kind, i+1, rep, func(tx Tx) error { return apply(tx, i+1, it) }); err != nil {
			return err
		}
	}
	return nil
}

// applyOne applies the ordinal-th item of kind of file f (see applyEach)
// in its own transaction, unless it was applied before.
func (p *Pipeline) applyOne(ctx context.Context, f *InboundFile, kind string, ordinal int, rep *ResponseReport, apply func(tx Tx) error) error {
	skipped := false
	err := p.store.InTx(ctx, func(tx Tx) error {
		fresh, err := tx.MarkSetApplied(ctx, f.ID, kind, ordinal)
		if err != nil {
			return err
		}
		if skipped = !fresh; skipped {
			return nil
		}
		return apply(tx)
	})
	if err != nil {
		return err
	}
	if skipped {
		rep.AcksSkipped++
	}
	p.crashPoint(setAppliedPoint[kind])
	return nil
}

// ackRank orders the acknowledgment states, so that a late 999 never
// moves a claim backwards.
var ackRank = map[ClaimState]int{StateSubmitted: 1, StateAckAccepted: 2, StateAccepted: 3}

// acknowledge moves the claim of a submission forward to an accepting
// state, or records the event when the claim is already further along,
// or the submission is not the claim's current version (see ackEvent).
// When a version after the first is accepted, the items about the
// rejections of the versions before it close: closes lists their
// sources. ackGroup is its batch form, for the common case.
func (p *Pipeline) acknowledge(ctx context.Context, tx Tx, sub *Submission, to ClaimState, ev Event, closes ...WorkSource) (bool, error) {
	c, err := tx.ClaimHead(ctx, sub.ClaimID)
	if err != nil {
		return false, err
	}
	ev, move := ackEvent(sub, c, to, ev)
	if move {
		err = tx.MoveClaim(ctx, c.ID, c.Version, c.State, to, ev)
	} else {
		err = tx.AddEvent(ctx, ev)
	}
	if err != nil {
		return false, err
	}
	if sub.Version > 1 && sub.Version == c.Version {
		for _, src := range closes {
			if _, err := tx.CloseWorkItems(ctx, ClaimKey(src, c.ID), SystemActor,
				fmt.Sprintf("version %d (%s) was accepted: %s", sub.Version, sub.PCN, ev.Detail)); err != nil {
				return false, err
			}
		}
	}
	return move, nil
}

// reject moves the claim of a submission to a rejected state and opens
// (or updates) its work item, or records the event when the submission
// is not the claim's current version or the claim cannot be rejected any
// more.
func (p *Pipeline) reject(ctx context.Context, tx Tx, sub *Submission, to ClaimState, src WorkSource, ev Event, summary string, reasons []Reason) (bool, error) {
	c, err := tx.GetClaim(ctx, sub.ClaimID)
	if err != nil {
		return false, err
	}
	ev.ClaimID, ev.Version = c.ID, sub.Version
	if sub.Version != c.Version {
		ev.Detail += fmt.Sprintf(" (for version %d; the claim is at version %d, %s: state unchanged)", sub.Version, c.Version, c.State)
		if err := tx.AddEvent(ctx, ev); err != nil {
			return false, err
		}
		// The payer rejected an original whose acceptance gave the
		// claim number a later version was made with: the number goes
		// (and that version is sent as a new original when built).
		return false, p.forgetAcceptance(ctx, tx, c, sub, src)
	}
	moved := false
	switch {
	case c.State == to:
		if err := tx.AddEvent(ctx, ev); err != nil {
			return false, err
		}
	case !CanMove(c.State, to):
		// The current version was rejected even so: a person must know.
		ev.Detail += fmt.Sprintf(" (claim already %s; state unchanged)", c.State)
		if err := tx.AddEvent(ctx, ev); err != nil {
			return false, err
		}
	default:
		if err := tx.MoveClaim(ctx, c.ID, c.Version, c.State, to, ev); err != nil {
			return false, err
		}
		moved = true
	}
	if moved {
		if err := p.forgetAcceptance(ctx, tx, c, sub, src); err != nil {
			return false, err
		}
	}
	w := &WorkItem{Key: ClaimKey(src, c.ID), Source: src, ClaimID: c.ID, Version: sub.Version, EncounterID: c.EncounterID,
		PayerID: c.PayerID, BatchID: sub.BatchID, InboundFileID: ev.FileID, Segment: ev.Segment, Category: "rejected",
		Summary: fmt.Sprintf("claim %d (%s, encounter %s): %s", c.ID, sub.PCN, c.EncounterID, summary),
		Reasons: reasons, CreatedAt: p.now()}
	if len(reasons) > 0 {
		w.Code = reasons[0].Code
		w.Category = rejectCategory(reasons)
	}
	_, err = tx.OpenWorkItem(ctx, w)
	return moved, err
}

// forgetAcceptance drops the claim number a 277CA gave with an earlier
// acceptance when the payer's 277CA rejects the original it came with:
// the claim never entered adjudication, and its correction goes as a new
// original. A rejected replacement leaves the claim it replaces where it
// was, and a late 999 or TA1 says nothing about adjudication.
func (p *Pipeline) forgetAcceptance(ctx context.Context, tx Tx, c *Claim, sub *Submission, src WorkSource) error {
	if src != Source277CA || sub.Frequency != "1" {
		return nil
	}
	_, err := tx.ForgetPayerClaimNumber(ctx, c.ID, "277ca")
	return err
}

func (p *Pipeline) applyTA1(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	acks, err := readWith(f.LocalPath, ta1.Read)
	if err != nil {
		return fmt.Errorf("read TA1: %w", err)
	}
	return applyEach(ctx, p, f, "TA1", acks, rep, func(tx Tx, _ int, a *ta1.Ack) error {
		// The TA1 comes from the clearinghouse: its sender is our
		// batch's receiver.
		b, err := tx.BatchByControl(ctx, a.ReceiverID, a.SenderID, a.ControlNumber, "")
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("TA1 at segment %d acknowledges interchange %s, which we did not send to %s", a.Segment, a.ControlNumber, a.SenderID)
		}
		if err != nil {
			return err
		}
		subs, err := tx.SubmissionsInBatch(ctx, b.ID, "")
		if err != nil {
			return err
		}
		note := fmt.Sprintf("TA1 %s note %s: %s", a.Code, a.Note, codes.Describe(codes.TA1Note, a.Note))
		if a.Accepted() {
			rep.TA1Accepted++
		} else {
			rep.TA1Rejected++
		}
		event := func(s *Submission) Event {
			return Event{SubmissionID: s.ID, At: p.now(), Kind: "ta1", FileID: f.ID, Segment: a.Segment,
				Detail: fmt.Sprintf("%s (interchange %s)", note, a.ControlNumber)}
		}
		if !a.Rejected() {
			return p.acknowledgeAll(ctx, tx, subs, StateSubmitted, event, SourceTA1)
		}
		for _, s := range subs {
			moved, err := p.reject(ctx, tx, s, StateAckRejected, SourceTA1, event(s),
				"interchange "+a.ControlNumber+" rejected by TA1; nothing in the file was processed: resubmit it (claims claim resubmit) once the envelope problem is fixed",
				[]Reason{{Code: "TA1-" + a.Note, Text: codes.Describe(codes.TA1Note, a.Note), Location: "TA105"}})
			if err != nil {
				return err
			}
			if moved {
				rep.ClaimsRejected++
			}
		}
		return nil
	})
}

func (p *Pipeline) apply999(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	acks, err := readWith(f.LocalPath, x999.Read)
	if err != nil {
		return fmt.Errorf("read 999: %w", err)
	}
	return applyEach(ctx, p, f, "999", acks, rep, func(tx Tx, _ int, a *x999.Ack) error {
		return p.applyAck(ctx, tx, f, "999", a, rep)
	})
}

// apply997 applies the 997s (4010 functional acknowledgments) of f as
// 999s: each is read as a 997 and applied in its 999 form (x997.Ack.As999),
// with the 999's events, work items and reasons.
func (p *Pipeline) apply997(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	acks, err := readWith(f.LocalPath, x997.Read)
	if err != nil {
		return fmt.Errorf("read 997: %w", err)
	}
	return applyEach(ctx, p, f, "997", acks, rep, func(tx Tx, _ int, a *x997.Ack) error {
		return p.applyAck(ctx, tx, f, "997", a.As999(), rep)
	})
}

// applyAck applies one 999 (or a 997 in its 999 form; kind names it in
// errors) to the batch whose group it acknowledges.
func (p *Pipeline) applyAck(ctx context.Context, tx Tx, f *InboundFile, kind string, a *x999.Ack, rep *ResponseReport) error {
	if a.FunctionalID != "HC" {
		return fmt.Errorf("%s %s acknowledges a %s group, not an 837 group", kind, a.SetControl, a.FunctionalID)
	}
	b, err := tx.BatchByControl(ctx, a.ReceiverID, a.SenderID, "", a.GroupControl)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%s %s acknowledges group %s, which we did not send to %s", kind, a.SetControl, a.GroupControl, a.SenderID)
	}
	if err != nil {
		return err
	}
	responded := map[string]bool{}
	for _, s := range a.Sets {
		responded[s.Control] = true
		if err := p.apply999Set(ctx, tx, f, b, a, s, rep); err != nil {
			return err
		}
	}
	// Sets without an AK2 take the group's verdict (some
	// clearinghouses only list sets with errors).
	status := unlistedSetStatus(a.Status)
	if status == "" {
		return nil
	}
	for _, bs := range b.Sets {
		if responded[bs.ST02] {
			continue
		}
		s := &x999.SetResponse{Control: bs.ST02, Status: status}
		if err := p.apply999Set(ctx, tx, f, b, a, s, rep); err != nil {
			return err
		}
	}
	return nil
}

// unlistedSetStatus is the verdict of a set the acknowledgment does not
// list, from the group's (AK901): a rejected group (R, or M, W, X:
// rejected for its security) rejects it with that code; an accepted
// group (A, or E: accepted with errors in the sets it lists, or P: some
// listed sets rejected) accepts it. Any other code decides nothing.
func unlistedSetStatus(group string) string {
	switch group {
	case "R", "M", "W", "X":
		return group
	case "A", "E", "P":
		return "A"
	}
	return ""
}

func (p *Pipeline) apply999Set(ctx context.Context, tx Tx, f *InboundFile, b *Batch, a *x999.Ack, s *x999.SetResponse, rep *ResponseReport) error {
	subs, err := tx.SubmissionsInBatch(ctx, b.ID, s.Control)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return fmt.Errorf("999 %s responds to set %s of group %s, which has no claims of ours", a.SetControl, s.Control, a.GroupControl)
	}
	if s.Accepted() {
		rep.SetsAccepted++
	} else {
		rep.SetsRejected++
	}
	event := func(sub *Submission) Event {
		return Event{SubmissionID: sub.ID, At: p.now(), Kind: "999", FileID: f.ID, SetControl: s.Control, Segment: s.Segment,
			Detail: fmt.Sprintf("999 %s: set %s %s", a.SetControl, s.Control, codes.Describe(codes.AckCode, s.Status))}
	}
	if s.Accepted() {
		return p.acknowledgeAll(ctx, tx, subs, StateAckAccepted, event, SourceTA1, Source999)
	}
	for _, sub := range subs {
		moved, err := p.reject(ctx, tx, sub, StateAckRejected, Source999, event(sub),
			fmt.Sprintf("transaction set %s rejected by 999 (%s); the claim was not forwarded: fix it (claims claim correct) or resubmit it",
				s.Control, codes.Describe(codes.AckCode, s.Status)),
			reasons999(s, sub, claimData(ctx, tx, sub.ClaimID)))
		if err != nil {
			return err
		}
		if moved {
			rep.ClaimsRejected++
		}
	}
	return nil
}

// claimData returns a claim's current content, or nil when it cannot be
// read (the reasons then name no field).
func claimData(ctx context.Context, tx Tx, id int64) *x837.Claim {
	c, err := tx.GetClaim(ctx, id)
	if err != nil {
		return nil
	}
	return &c.Data
}

// reasons999 lists the 999 errors that concern one claim: the set-level
// codes, and the segment errors whose position falls in the claim's
// segment range (or that name its CLM01), each IK4 with the encounter
// field written to that element, when data says.
func reasons999(s *x999.SetResponse, sub *Submission, data *x837.Claim) []Reason {
	var rs []Reason
	for _, c := range s.Errors {
		rs = append(rs, Reason{Code: "IK5-" + c, Text: codes.Describe(codes.TransactionSetError, c)})
	}
	for _, se := range s.Segments {
		mine := se.Position >= sub.SegFrom && se.Position <= sub.SegTo
		if se.BusinessUnit != nil && se.BusinessUnit.Name == "CLM01" {
			mine = se.BusinessUnit.Reference == sub.PCN
		}
		if !mine {
			continue
		}
		loc := fmt.Sprintf("%s %s at set position %d", se.Loop, se.SegmentID, se.Position)
		if se.Code != "" {
			rs = append(rs, Reason{Code: "IK3-" + se.Code, Text: codes.Describe(codes.SegmentSyntaxError, se.Code), Location: strings.TrimSpace(loc)})
		}
		for _, e := range se.Elements {
			r := Reason{Code: "IK4-" + e.Code, Text: codes.Describe(codes.ElementSyntaxError, e.Code),
				Location: fmt.Sprintf("%s%02d (element %s) at set position %d", se.SegmentID, e.Position, e.Reference, se.Position)}
			if data != nil {
				r.Field = x837.FieldAt(data, se.Loop, fmt.Sprintf("%s%02d", se.SegmentID, e.Position))
			}
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		rs = append(rs, Reason{Code: "IK5-" + s.Status, Text: "the transaction set holding this claim was rejected (" + codes.Describe(codes.AckCode, s.Status) + ")"})
	}
	return rs
}

// apply277 applies the 277CA sets of f, reading the file twice, set by
// set (a 277CA names every claim of a batch, and a night's can be
// large): first to make sure it reads without problems, then to apply
// each set in its own transaction (see applyOne). Memory holds one set.
func (p *Pipeline) apply277(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	if err := each277(f.LocalPath, func(*x277.Acknowledgment) error { return nil }); err != nil {
		return fmt.Errorf("read 277CA: %w", err)
	}
	set := 0
	err := each277(f.LocalPath, func(a *x277.Acknowledgment) error {
		set++
		return p.applyOne(ctx, f, "277", set, rep, func(tx Tx) error { return p.apply277Set(ctx, tx, f, set, a, rep) })
	})
	if err != nil {
		return fmt.Errorf("277CA: %w", err)
	}
	return nil
}

// each277 reads the 277CA file at path set by set (x277.ReadEach).
func each277(path string, fn func(*x277.Acknowledgment) error) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	return x277.ReadEach(fh, fn)
}

// claim277 is one claim status of a 277CA set, with the loops above it
// that its verdict and event depend on.
type claim277 struct {
	src          *x277.Source
	prov         *x277.Provider
	provRejected bool // the provider's own status rejects its claims
	c            *x277.Claim
}

// apply277Set applies one 277CA set, the set-th of file f, inside tx,
// p.ackChunk claims at a time (see apply277Chunk).
func (p *Pipeline) apply277Set(ctx context.Context, tx Tx, f *InboundFile, set int, a *x277.Acknowledgment, rep *ResponseReport) error {
	var unknown []Reason
	chunk := make([]claim277, 0, p.ackChunk)
	apply := func() error {
		err := p.apply277Chunk(ctx, tx, f, a, chunk, rep, &unknown)
		chunk = chunk[:0]
		return err
	}
	for _, src := range a.Sources {
		for _, rcv := range src.Receivers {
			for _, prov := range rcv.Providers {
				provRejected := prov.Verdict() == codes.Rejected
				for _, pat := range prov.Patients {
					for _, c := range pat.Claims {
						chunk = append(chunk, claim277{src, prov, provRejected, c})
						if len(chunk) < p.ackChunk {
							continue
						}
						if err := apply(); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	if err := apply(); err != nil {
		return err
	}
	if len(unknown) == 0 {
		return nil
	}
	// One item for the set, however many claims it names.
	_, err := tx.OpenWorkItem(ctx, &WorkItem{Key: FileKey(Source277CA, f.ID) + ":set:" + strconv.Itoa(set), Source: Source277CA,
		Code: "unknown-pcn", InboundFileID: f.ID, Category: "unmatched acknowledgment", Reasons: unknown, CreatedAt: p.now(),
		Summary: fmt.Sprintf("277CA %s in file %d (%s): claim statuses for patient control numbers we never sent; check with the clearinghouse whose claims these are",
			a.SetControl, f.ID, f.Name)})
	return err
}

// apply277Chunk applies the claim statuses of chunk, in order: it looks
// their submissions up in one query, and acknowledges the accepted
// claims that take the common path in a few statements (ackGroup); the
// others (rejected, pended, a later version, a claim named again) go one
// by one (apply277Claim). Statuses for claims we never sent are counted
// and listed in unknown.
func (p *Pipeline) apply277Chunk(ctx context.Context, tx Tx, f *InboundFile, a *x277.Acknowledgment, chunk []claim277, rep *ResponseReport, unknown *[]Reason) error {
	if len(chunk) == 0 {
		return nil
	}
	pcns := make([]string, len(chunk))
	for i, it := range chunk {
		pcns[i] = it.c.PatientControlNumber
	}
	subs, err := tx.SubmissionsByPCN(ctx, pcns)
	if err != nil {
		return err
	}
	sts := make([]status277, len(chunk))
	var accepted []*Submission
	for i, it := range chunk {
		if sub := subs[it.c.PatientControlNumber]; sub != nil {
			sts[i] = p.status277(f, a, it, sub)
			if sts[i].verdict == codes.Accepted {
				accepted = append(accepted, sub)
			}
		}
	}
	g, err := p.newAckGroup(ctx, tx, StateAccepted, accepted)
	if err != nil {
		return err
	}
	for i, it := range chunk {
		sub, st := subs[it.c.PatientControlNumber], sts[i]
		if sub == nil {
			rep.UnknownStatuses++
			*unknown = x12.AppendCapped(*unknown, Reason{Code: "unknown-pcn", Location: fmt.Sprintf("277CA ST02 %s segment %d", a.SetControl, it.c.Segment),
				Text: fmt.Sprintf("status %s for patient control number %q, which we never sent", statusText(it.c.Statuses), it.c.PatientControlNumber)},
				Reason{Text: "more unknown claims follow; not listed"})
			continue
		}
		taken := false
		if st.verdict == codes.Accepted {
			taken, err = g.take(ctx, sub, st.ev, it.c.PayerClaimNumber)
		} else {
			err = g.single(ctx, sub.ClaimID)
		}
		if err == nil && !taken {
			err = p.apply277Claim(ctx, tx, sub, st, it.c, rep)
		}
		if err != nil {
			return err
		}
	}
	err = g.flush(ctx)
	rep.ClaimsAccepted += g.moved
	return err
}

// status277 is what a 277CA claim status says of submission sub: the
// verdict, the statuses behind it (the provider's first when they
// rejected the claim), who sent it, and the event to record (naming the
// payer claim number an acceptance gives).
type status277 struct {
	verdict  codes.Verdict
	statuses []x277.Status
	from     string
	ev       Event
}

func (p *Pipeline) status277(f *InboundFile, a *x277.Acknowledgment, it claim277, sub *Submission) status277 {
	st := status277{verdict: it.c.Verdict(), statuses: it.c.Statuses, from: it.src.Party.LastName}
	if it.provRejected && st.verdict != codes.Accepted {
		st.verdict, st.statuses = codes.Rejected, append(append([]x277.Status(nil), it.prov.Statuses...), it.c.Statuses...)
	}
	if it.src.Party.Entity == "AY" {
		st.from = "clearinghouse " + st.from
	} else if it.src.Party.Entity == "PR" {
		st.from = "payer " + st.from
	}
	st.ev = Event{SubmissionID: sub.ID, At: p.now(), Kind: "277ca", FileID: f.ID, SetControl: a.SetControl, Segment: it.c.Segment,
		Detail: fmt.Sprintf("277CA from %s: %s", st.from, statusText(st.statuses))}
	if st.verdict == codes.Accepted && it.c.PayerClaimNumber != "" {
		st.ev.Detail += ", payer claim number " + it.c.PayerClaimNumber
	}
	return st
}

// apply277Claim applies the status st of one claim c (of submission
// sub) one by one.
func (p *Pipeline) apply277Claim(ctx context.Context, tx Tx, sub *Submission, st status277, c *x277.Claim, rep *ResponseReport) error {
	ev := st.ev
	switch st.verdict {
	case codes.Accepted:
		if c.PayerClaimNumber != "" {
			cl, err := tx.ClaimHead(ctx, sub.ClaimID)
			if err != nil {
				return err
			}
			// REF*1K until an 835 gives CLP07 (the store keeps an 835's
			// number), and only for the current version.
			if sub.Version == cl.Version {
				if _, err := tx.SetPayerClaimNumber(ctx, cl.ID, c.PayerClaimNumber, "277ca"); err != nil {
					return err
				}
			}
		}
		moved, err := p.acknowledge(ctx, tx, sub, StateAccepted, ev, SourceTA1, Source999, Source277CA)
		if moved {
			rep.ClaimsAccepted++
		}
		return err
	case codes.Rejected:
		action := "it never entered adjudication: fix it and send it again (claims claim correct); it goes as a new claim (frequency 1)"
		if cl, err := tx.GetClaim(ctx, sub.ClaimID); err == nil && knownICN(cl) != "" {
			action = "the payer keeps its earlier adjudication: fix it and send a replacement (claims claim correct)"
		}
		moved, err := p.reject(ctx, tx, sub, StateRejected, Source277CA, ev, "rejected by the "+st.from+" 277CA; "+action,
			statusReasons(st.statuses, c.Lines))
		if moved {
			rep.ClaimsRejected++
		}
		return err
	default:
		ev.ClaimID = sub.ClaimID
		ev.Version = sub.Version
		return tx.AddEvent(ctx, ev)
	}
}

// rejectCategory groups rejections by root cause, from their codes.
func rejectCategory(rs []Reason) string {
	for _, r := range rs {
		parts := strings.Split(r.Code, ":")
		if len(parts) < 2 {
			continue
		}
		switch parts[1] {
		case "164", "33", "35", "109", "116":
			return "eligibility"
		case "562", "128", "496", "145":
			return "provider data"
		case "254", "255", "400", "187":
			return "coding or data"
		}
		if len(parts) == 3 {
			switch parts[2] {
			case "IL", "QC":
				return "patient data"
			case "85", "82", "DN", "77":
				return "provider data"
			}
		}
	}
	return "rejected"
}

// statusText renders STC composites as "<category> — <status> [—
// entity: <entity>]", joined.
func statusText(sts []x277.Status) string {
	var parts []string
	for _, s := range sts {
		for _, c := range s.Codes {
			t := c.Category + ":" + c.Status + " " + codes.Describe(codes.ClaimStatusCategory, c.Category) + " — " + codes.Describe(codes.ClaimStatus, c.Status)
			if c.Entity != "" {
				t += " — entity: " + codes.Describe(codes.EntityIdentifier, c.Entity)
			}
			parts = append(parts, t)
		}
		if s.Message != "" {
			parts = append(parts, "“"+s.Message+"”")
		}
	}
	return strings.Join(parts, "; ")
}

// statusField is the encounter field a 277CA status code and entity
// point at, when they name one: "164" (contract or member number) of
// "IL" (the subscriber) is subscriber.member_id.
func statusField(status, entity string) string {
	parties := map[string]string{"IL": "subscriber", "QC": "patient", "85": "billing_provider", "82": "rendering_provider",
		"DN": "referring_provider", "PR": "payer", "77": "service_facility"}
	leaves := map[string]string{"164": "member_id", "562": "npi", "158": "birth_date", "128": "tin", "145": "taxonomy",
		"157": "gender", "153": "member_id"}
	party, leaf := parties[entity], leaves[status]
	switch {
	case party == "" || leaf == "":
		return ""
	case leaf == "member_id" && party != "subscriber":
		return ""
	case (leaf == "birth_date" || leaf == "gender") && party != "subscriber" && party != "patient":
		return ""
	case (leaf == "npi" || leaf == "taxonomy") && !strings.HasSuffix(party, "_provider") && party != "service_facility":
		return ""
	case leaf == "taxonomy" && party == "service_facility": // a facility has no taxonomy field
		return ""
	case leaf == "tin" && party != "billing_provider":
		return ""
	}
	return party + "." + leaf
}

func statusReasons(sts []x277.Status, lines []*x277.Line) []Reason {
	var rs []Reason
	add := func(s x277.Status, loc string) {
		for _, c := range s.Codes {
			code := c.Category + ":" + c.Status
			t := codes.Describe(codes.ClaimStatusCategory, c.Category) + " — " + codes.Describe(codes.ClaimStatus, c.Status)
			if c.Entity != "" {
				code += ":" + c.Entity
				t += " — entity: " + codes.Describe(codes.EntityIdentifier, c.Entity)
			}
			rs = append(rs, Reason{Code: code, Text: t, Location: loc, Field: statusField(c.Status, c.Entity)})
		}
		if s.Message != "" {
			rs = append(rs, Reason{Text: s.Message, Location: loc})
		}
	}
	for _, s := range sts {
		add(s, "2200D STC")
	}
	for _, l := range lines {
		if l.Verdict() != codes.Rejected {
			continue
		}
		for _, s := range l.Statuses {
			add(s, fmt.Sprintf("2220D line %s (REF*FJ %s)", l.Procedure.Code, l.ControlNumber))
		}
	}
	return rs
}
