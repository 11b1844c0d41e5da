package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x999"
)

// ResponseReport counts what applying response files did.
type ResponseReport struct {
	Files       int // files applied
	FailedFiles int // files that could not be applied (see the work queue)

	TA1Accepted, TA1Rejected     int // interchange acknowledgments
	SetsAccepted, SetsRejected   int // 999 transaction set responses
	ClaimsAccepted               int // 277CA acceptances applied
	ClaimsRejected               int // claims rejected by TA1, 999 or 277CA
	RemitsPosted, RemitsHeld     int // 835 transaction sets
	RemitsDuplicate              int // 835 sets already posted: no-ops
	RemitsSkipped                int // 835 sets of a file applied before (a restart after a crash)
	ClaimsPaid, ClaimsDenied     int // adjudications posted (paid includes partially paid)
	ClaimsPartial, ClaimsReverse int
	AmountPaid                   x12.Amount // sum of CLP04 posted
}

// ApplyPending applies every recorded inbound file that is not yet
// applied, oldest first. A file that cannot be read or applied is marked
// failed with a work item; the others go on.
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
	for _, f := range files {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		kind, err := p.applyFile(ctx, f, &rep)
		if err != nil && ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if ferr := p.finishFile(ctx, f, kind, err); ferr != nil {
			return rep, fmt.Errorf("apply responses: file %d: %w", f.ID, ferr)
		}
		if err != nil {
			rep.FailedFiles++
		} else {
			rep.Files++
		}
	}
	return rep, nil
}

// finishFile records the outcome of applying a file.
func (p *Pipeline) finishFile(ctx context.Context, f *InboundFile, kind string, cause error) error {
	return p.store.InTx(ctx, func(tx Tx) error {
		nf := *f
		nf.Kind, nf.ProcessedAt = kind, p.now()
		nf.State = InboundProcessed
		if cause != nil {
			nf.State, nf.Error = InboundFailed, cause.Error()
			if err := tx.AddWorkItem(ctx, &WorkItem{Source: SourceInboundBad, InboundFileID: f.ID, Category: "response file",
				Summary: fmt.Sprintf("response file %s from %s could not be applied", f.Name, f.Clearinghouse),
				Reasons: []Reason{{Code: "unreadable", Text: cause.Error()}}, Status: WorkOpen,
				CreatedAt: p.now(), UpdatedAt: p.now()}); err != nil {
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

// contents lists what a file holds: "TA1" and the ST01 of every set.
func contents(path string) (map[string]bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r := x12.NewReader(fh)
	r.Mode = x12.CollectAll
	kinds := map[string]bool{}
	for {
		s, err := r.Next()
		if err == io.EOF {
			return kinds, nil
		}
		if err != nil {
			return nil, err
		}
		switch s.ID() {
		case "TA1":
			kinds["TA1"] = true
		case "ST":
			kinds[s.String(1)] = true
		}
	}
}

// applyFile applies one response file and returns its kind.
func (p *Pipeline) applyFile(ctx context.Context, f *InboundFile, rep *ResponseReport) (string, error) {
	kinds, err := contents(f.LocalPath)
	if err != nil {
		return "unknown", err
	}
	var names []string
	for k := range kinds {
		name := k
		if k == "277" {
			name = "277CA"
		}
		names = append(names, name)
	}
	sort.Strings(names)
	kind := strings.Join(names, "+")
	if kind == "" {
		return "unknown", errors.New("the file holds no TA1 and no transaction set")
	}
	for k := range kinds {
		switch k {
		case "TA1", "999", "277", "835":
		default:
			return kind, fmt.Errorf("the file holds a %s transaction set, which is not a response this processor applies", k)
		}
	}
	if kinds["TA1"] {
		if err := p.applyTA1(ctx, f, rep); err != nil {
			return kind, err
		}
	}
	if kinds["999"] {
		if err := p.apply999(ctx, f, rep); err != nil {
			return kind, err
		}
	}
	if kinds["277"] {
		if err := p.apply277(ctx, f, rep); err != nil {
			return kind, err
		}
	}
	if kinds["835"] {
		if err := p.apply835(ctx, f, rep); err != nil {
			return kind, err
		}
	}
	return kind, nil
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

// ackRank orders the acknowledgment states, so that a late 999 never
// moves a claim backwards.
var ackRank = map[ClaimState]int{StateSubmitted: 1, StateAckAccepted: 2, StateAccepted: 3}

// acknowledge moves a claim forward to an accepting state, or records the
// event when the claim is already further along.
func (p *Pipeline) acknowledge(ctx context.Context, tx Tx, claimID int64, to ClaimState, ev Event) (bool, error) {
	c, err := tx.GetClaim(ctx, claimID)
	if err != nil {
		return false, err
	}
	ev.ClaimID = claimID
	if r, ok := ackRank[c.State]; ok && r < ackRank[to] && CanMove(c.State, to) {
		return true, tx.MoveClaim(ctx, claimID, c.State, to, ev)
	}
	ev.Detail += fmt.Sprintf(" (claim already %s; state unchanged)", c.State)
	return false, tx.AddEvent(ctx, ev)
}

// reject moves a claim to a rejected state and opens a work item, or
// records the event when the claim cannot be rejected any more.
func (p *Pipeline) reject(ctx context.Context, tx Tx, claimID int64, to ClaimState, src WorkSource, ev Event, summary string, reasons []Reason) (bool, error) {
	c, err := tx.GetClaim(ctx, claimID)
	if err != nil {
		return false, err
	}
	ev.ClaimID = claimID
	if c.State == to {
		return false, tx.AddEvent(ctx, ev)
	}
	if !CanMove(c.State, to) {
		ev.Detail += fmt.Sprintf(" (claim already %s; state unchanged)", c.State)
		return false, tx.AddEvent(ctx, ev)
	}
	if err := tx.MoveClaim(ctx, claimID, c.State, to, ev); err != nil {
		return false, err
	}
	return true, tx.AddWorkItem(ctx, &WorkItem{Source: src, ClaimID: claimID, EncounterID: c.EncounterID, InboundFileID: ev.FileID,
		Category: "rejected", Summary: fmt.Sprintf("claim %d (encounter %s): %s", claimID, c.EncounterID, summary),
		Reasons: reasons, Status: WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()})
}

func (p *Pipeline) applyTA1(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	acks, err := readWith(f.LocalPath, ta1.Read)
	if err != nil {
		return fmt.Errorf("read TA1: %w", err)
	}
	return p.store.InTx(ctx, func(tx Tx) error {
		for _, a := range acks {
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
			for _, s := range subs {
				ev := Event{SubmissionID: s.ID, At: p.now(), Kind: "ta1", FileID: f.ID, Segment: a.Segment,
					Detail: fmt.Sprintf("%s (interchange %s)", note, a.ControlNumber)}
				if !a.Rejected() {
					ev.ClaimID = s.ClaimID
					if err := tx.AddEvent(ctx, ev); err != nil {
						return err
					}
					continue
				}
				moved, err := p.reject(ctx, tx, s.ClaimID, StateAckRejected, SourceTA1, ev,
					"interchange "+a.ControlNumber+" rejected by TA1; nothing in the file was processed",
					[]Reason{{Code: "TA1-" + a.Note, Text: codes.Describe(codes.TA1Note, a.Note), Location: "TA105"}})
				if err != nil {
					return err
				}
				if moved {
					rep.ClaimsRejected++
				}
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
	return p.store.InTx(ctx, func(tx Tx) error {
		for _, a := range acks {
			if a.FunctionalID != "HC" {
				return fmt.Errorf("999 %s acknowledges a %s group, not an 837 group", a.SetControl, a.FunctionalID)
			}
			b, err := tx.BatchByControl(ctx, a.ReceiverID, a.SenderID, "", a.GroupControl)
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("999 %s acknowledges group %s, which we did not send to %s", a.SetControl, a.GroupControl, a.SenderID)
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
			if a.Status == "A" || a.Status == "R" {
				for _, bs := range b.Sets {
					if responded[bs.ST02] {
						continue
					}
					s := &x999.SetResponse{Control: bs.ST02, Status: a.Status}
					if err := p.apply999Set(ctx, tx, f, b, a, s, rep); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
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
	for _, sub := range subs {
		ev := Event{SubmissionID: sub.ID, At: p.now(), Kind: "999", FileID: f.ID, SetControl: s.Control, Segment: s.Segment,
			Detail: fmt.Sprintf("999 %s: set %s %s", a.SetControl, s.Control, codes.Describe(codes.AckCode, s.Status))}
		if s.Accepted() {
			if _, err := p.acknowledge(ctx, tx, sub.ClaimID, StateAckAccepted, ev); err != nil {
				return err
			}
			continue
		}
		moved, err := p.reject(ctx, tx, sub.ClaimID, StateAckRejected, Source999, ev,
			fmt.Sprintf("transaction set %s rejected by 999 (%s); the claim was not forwarded", s.Control, codes.Describe(codes.AckCode, s.Status)),
			reasons999(s, sub))
		if err != nil {
			return err
		}
		if moved {
			rep.ClaimsRejected++
		}
	}
	return nil
}

// reasons999 lists the 999 errors that concern one claim: the set-level
// codes, and the segment errors whose position falls in the claim's
// segment range (or that name its CLM01).
func reasons999(s *x999.SetResponse, sub *Submission) []Reason {
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
			rs = append(rs, Reason{Code: "IK4-" + e.Code, Text: codes.Describe(codes.ElementSyntaxError, e.Code),
				Location: fmt.Sprintf("%s%02d (element %s) at set position %d", se.SegmentID, e.Position, e.Reference, se.Position)})
		}
	}
	if len(rs) == 0 {
		rs = append(rs, Reason{Code: "IK5-" + s.Status, Text: "the transaction set holding this claim was rejected (" + codes.Describe(codes.AckCode, s.Status) + ")"})
	}
	return rs
}

func (p *Pipeline) apply277(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	acks, err := readWith(f.LocalPath, x277.Read)
	if err != nil {
		return fmt.Errorf("read 277CA: %w", err)
	}
	return p.store.InTx(ctx, func(tx Tx) error {
		for _, a := range acks {
			for _, src := range a.Sources {
				for _, rcv := range src.Receivers {
					for _, prov := range rcv.Providers {
						provRejected := prov.Verdict() == codes.Rejected
						for _, pat := range prov.Patients {
							for _, c := range pat.Claims {
								if err := p.apply277Claim(ctx, tx, f, a, src, prov, provRejected, c, rep); err != nil {
									return err
								}
							}
						}
					}
				}
			}
		}
		return nil
	})
}

func (p *Pipeline) apply277Claim(ctx context.Context, tx Tx, f *InboundFile, a *x277.Acknowledgment, src *x277.Source, prov *x277.Provider, provRejected bool, c *x277.Claim, rep *ResponseReport) error {
	sub, err := tx.SubmissionByPCN(ctx, c.PatientControlNumber)
	if errors.Is(err, ErrNotFound) {
		return tx.AddWorkItem(ctx, &WorkItem{Source: Source277CA, InboundFileID: f.ID, Category: "unmatched acknowledgment",
			Summary: fmt.Sprintf("277CA %s: claim status for patient control number %q, which we never sent", a.SetControl, c.PatientControlNumber),
			Status:  WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()})
	}
	if err != nil {
		return err
	}
	verdict := c.Verdict()
	statuses := c.Statuses
	if provRejected && verdict != codes.Accepted {
		verdict, statuses = codes.Rejected, append(append([]x277.Status(nil), prov.Statuses...), c.Statuses...)
	}
	from := src.Party.LastName
	if src.Party.Entity == "AY" {
		from = "clearinghouse " + from
	} else if src.Party.Entity == "PR" {
		from = "payer " + from
	}
	ev := Event{SubmissionID: sub.ID, At: p.now(), Kind: "277ca", FileID: f.ID, SetControl: a.SetControl, Segment: c.Segment,
		Detail: fmt.Sprintf("277CA from %s: %s", from, statusText(statuses))}
	if c.PayerClaimNumber != "" {
		cl, err := tx.GetClaim(ctx, sub.ClaimID)
		if err != nil {
			return err
		}
		if err := tx.SetClaimRefs(ctx, cl.ID, cl.PCN, cl.Submissions, c.PayerClaimNumber, cl.FirstSubmittedAt); err != nil {
			return err
		}
	}
	switch verdict {
	case codes.Accepted:
		moved, err := p.acknowledge(ctx, tx, sub.ClaimID, StateAccepted, ev)
		if moved {
			rep.ClaimsAccepted++
		}
		return err
	case codes.Rejected:
		moved, err := p.reject(ctx, tx, sub.ClaimID, StateRejected, Source277CA, ev,
			"rejected by the "+from+" 277CA; it never entered adjudication: fix and resubmit as a new claim (frequency 1)",
			statusReasons(statuses, c.Lines))
		if moved {
			rep.ClaimsRejected++
		}
		return err
	default:
		ev.ClaimID = sub.ClaimID
		return tx.AddEvent(ctx, ev)
	}
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
			rs = append(rs, Reason{Code: code, Text: t, Location: loc})
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

func (p *Pipeline) apply835(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	rems, err := readWith(f.LocalPath, x835.ReadRemittances)
	if err != nil {
		return fmt.Errorf("read 835: %w", err)
	}
	return p.PostRemittances(ctx, f, rems, rep)
}

// PostRemittances posts the 835 transaction sets rems, read from the
// recorded inbound file f, in order, each in its own database transaction
// (see postRemittance), and counts what it did in rep. A set of f already
// applied is skipped.
func (p *Pipeline) PostRemittances(ctx context.Context, f *InboundFile, rems []*x835.Remittance, rep *ResponseReport) error {
	for i, r := range rems {
		var out remitOutcome
		err := p.store.InTx(ctx, func(tx Tx) error {
			var err error
			out, err = p.postRemittance(ctx, tx, f, i+1, r)
			return err
		})
		if err != nil {
			return fmt.Errorf("835 set %s: %w", r.SetControl, err)
		}
		switch {
		case out.posted:
			rep.RemitsPosted++
			rep.AmountPaid += out.paid
			rep.ClaimsPaid += out.claimsPaid
			rep.ClaimsPartial += out.partial
			rep.ClaimsDenied += out.denied
			rep.ClaimsReverse += out.reversed
		case out.held:
			rep.RemitsHeld++
		case out.duplicate:
			rep.RemitsDuplicate++
		case out.again:
			rep.RemitsSkipped++
		}
	}
	return nil
}
