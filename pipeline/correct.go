package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12/x837"
)

// Reasons a correction, resubmission or void is refused. Errors returned
// by Correct, Resubmit and Void wrap one of them (or ErrNotFound,
// ErrConflict, *FieldError or *ScrubError); nothing is changed.
var (
	// ErrInFlight: the claim was sent and its acknowledgment has not come
	// yet, so the clearinghouse or payer may still act on it.
	ErrInFlight = errors.New("claim in flight")
	// ErrNotAdjudicated: a void needs a claim the payer adjudicated.
	ErrNotAdjudicated = errors.New("claim not adjudicated")
	// ErrFinal: the claim is voided or closed.
	ErrFinal = errors.New("claim final")
	// ErrNoChange: a correction that changes nothing.
	ErrNoChange = errors.New("nothing changed")
)

// Refusal is why an operation on a claim was refused. It wraps one of
// the Err values above.
type Refusal struct {
	ClaimID int64
	State   ClaimState
	Reason  string
	Err     error
}

func (e *Refusal) Error() string {
	return fmt.Sprintf("claim %d (%s): %s", e.ClaimID, e.State, e.Reason)
}

func (e *Refusal) Unwrap() error { return e.Err }

// ScrubError is a correction whose new content fails the scrubber: the
// problems, by encounter field. Nothing was changed.
type ScrubError struct {
	ClaimID  int64
	Problems []Reason
}

func (e *ScrubError) Error() string {
	return fmt.Sprintf("claim %d: the corrected claim has %d problem(s); nothing was changed", e.ClaimID, len(e.Problems))
}

// FieldSet is one "PATH=VALUE" change of a correction.
type FieldSet struct {
	Path, Value string
}

// CorrectRequest is a correction of a claim's content: field changes, or
// a whole new encounter, or the encounter as last received by intake.
type CorrectRequest struct {
	ClaimID int64
	// Base is the version the person corrected (0: the current one). A
	// correction made from a version that is no longer current is
	// refused with ErrConflict: someone else corrected the claim first.
	Base int
	// Exactly one of Sets, Encounter and FromIntake.
	Sets       []FieldSet
	Encounter  *Encounter
	FromIntake bool
	// PayerClaimNumber is REF*F8 for a replacement whose payer claim
	// number is not on file (it normally comes from the 835 or 277CA,
	// and may not be changed here).
	PayerClaimNumber string
	Actor            string
	Note             string
}

// Revision is what a correction, resubmission or void made.
type Revision struct {
	ClaimID          int64       `json:"claim_id"`
	Version          int         `json:"version"`
	Kind             VersionKind `json:"kind"`
	Frequency        string      `json:"frequency"`
	PayerClaimNumber string      `json:"payer_claim_number,omitempty"`
	// PCN is CLM01 the version will be sent under.
	PCN     string     `json:"patient_control_number"`
	Changed []string   `json:"changed,omitempty"`
	State   ClaimState `json:"state"`
	// Problems are the scrubber's warnings (and, for a held version made
	// by intake, its errors).
	Problems []Reason `json:"problems,omitempty"`
}

// pipelineFields are the encounter fields the pipeline decides; a
// correction may not set them.
var pipelineFields = map[string]string{
	"patient_control_number": "the pipeline assigns CLM01 per version",
	"frequency":              "the pipeline decides the claim frequency: 1 after a rejection, 7 after adjudication; use void to cancel",
	"payer_claim_number":     "REF*F8 comes from the payer's claim number on file (835 CLP07, or 277CA REF*1K)",
	"id":                     "the encounter ID ties the claim to the practice system",
}

// checkPath refuses a field the pipeline owns.
func checkPath(path string) error {
	root, _, _ := strings.Cut(path, ".")
	root, _, _ = strings.Cut(root, "[")
	if why, ok := pipelineFields[root]; ok && root == path {
		return &FieldError{Path: path, Err: errors.New("cannot be corrected: " + why)}
	}
	if strings.HasPrefix(path, "lines[") && strings.HasSuffix(path, "].control_number") {
		return &FieldError{Path: path, Err: errors.New("cannot be corrected: the pipeline assigns line item control numbers (REF*6R)")}
	}
	return nil
}

// Correct makes the next version of a claim from the request: it applies
// the changes to the current content, scrubs it and, when it is clean,
// queues it for the next submission with the frequency the pipeline
// decides (see frequencyFor). Work items about the claim close when
// their cause is gone: the scrubber's at once, a rejection's when the new
// version is accepted.
//
// It refuses, changing nothing: an unknown claim (ErrNotFound), a claim
// in flight (ErrInFlight), a voided or closed one (ErrFinal), a base that
// is not the current version (ErrConflict), a bad path or value
// (*FieldError), content that fails the scrubber (*ScrubError), and a
// correction that changes nothing (ErrNoChange).
func (p *Pipeline) Correct(ctx context.Context, req CorrectRequest) (*Revision, error) {
	n := 0
	for _, set := range []bool{len(req.Sets) > 0, req.Encounter != nil, req.FromIntake} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("correct: give the changes as field settings, as an encounter, or from intake (exactly one)")
	}
	for _, s := range req.Sets {
		if err := checkPath(s.Path); err != nil {
			return nil, err
		}
	}
	var rev *Revision
	err := p.store.InTx(ctx, func(tx Tx) error {
		c, err := p.lockedClaim(ctx, tx, req.ClaimID, req.Base)
		if err != nil {
			return err
		}
		if err := p.correctable(ctx, tx, c); err != nil {
			return err
		}
		cur := &Encounter{ID: c.EncounterID, Claim: c.Data}
		var next x837.Claim
		switch {
		case req.Encounter != nil:
			if req.Encounter.ID != "" && req.Encounter.ID != c.EncounterID {
				return &FieldError{Path: "id", Err: fmt.Errorf("the encounter is %q; claim %d bills encounter %q", req.Encounter.ID, c.ID, c.EncounterID)}
			}
			next = mergeContent(c.Data, req.Encounter.Claim)
		case req.FromIntake:
			rec, err := tx.GetEncounter(ctx, c.EncounterID)
			if err != nil {
				return fmt.Errorf("the encounter as received: %w", err)
			}
			var enc Encounter
			if err := json.Unmarshal(rec.Raw, &enc); err != nil {
				return fmt.Errorf("the encounter as received cannot be read: %w", err)
			}
			next = mergeContent(c.Data, enc.Claim)
		default:
			e := *cur
			e.Lines = append([]x837.Line(nil), cur.Lines...)
			for _, s := range req.Sets {
				if err := SetField(&e, s.Path, s.Value); err != nil {
					return err
				}
			}
			next = e.Claim
		}
		changed := contentChanges(c.Data, next)
		if len(changed) == 0 {
			return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrNoChange,
				Reason: "the correction changes nothing; to send the claim again as it is, resubmit it"}
		}
		if req.PayerClaimNumber != "" {
			if icn := knownICN(c); icn != "" && icn != req.PayerClaimNumber {
				return &FieldError{Path: "payer_claim_number", Err: errors.New("the payer's claim number on file differs; it cannot be changed here")}
			}
			c.PayerClaimNumber = req.PayerClaimNumber
		}
		rev, err = p.revise(ctx, tx, c, VersionCorrection, next, changed, req.Actor, req.Note, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rev, nil
}

// Resubmit makes the next version of a claim with the same content, to
// send it again (after a rejection the cause of which was outside the
// claim, for example a payer enrollment fixed since). The frequency is
// decided as for a correction. It refuses what Correct refuses.
func (p *Pipeline) Resubmit(ctx context.Context, claimID int64, actor, note string) (*Revision, error) {
	return p.sameContent(ctx, claimID, VersionResubmission, actor, note, nil)
}

// Void makes the next version of an adjudicated claim a void (frequency
// 8, REF*F8 the payer's claim number) and queues it. The claim moves to
// voided, and its charges leave the receivables, when the payer's 835
// reverses the adjudication. A claim never adjudicated is refused
// (ErrNotAdjudicated), as is one in flight or final.
func (p *Pipeline) Void(ctx context.Context, claimID int64, actor, note string) (*Revision, error) {
	return p.sameContent(ctx, claimID, VersionVoid, actor, note, func(tx Tx, c *Claim) error {
		pays, err := tx.ClaimPayments(ctx, c.ID)
		if err != nil {
			return err
		}
		if standing(pays) == 0 {
			return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrNotAdjudicated,
				Reason: "the payer never adjudicated it (no standing 835 payment or denial), so there is nothing to void"}
		}
		if knownICN(c) == "" {
			return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrNotAdjudicated,
				Reason: "the payer's claim number is not on file; a void needs it in REF*F8"}
		}
		return nil
	})
}

// sameContent makes the next version of a claim, of kind kind, with the
// current content, once the claim may change and check (when not nil)
// agrees.
func (p *Pipeline) sameContent(ctx context.Context, claimID int64, kind VersionKind, actor, note string, check func(Tx, *Claim) error) (*Revision, error) {
	var rev *Revision
	err := p.store.InTx(ctx, func(tx Tx) error {
		c, err := p.lockedClaim(ctx, tx, claimID, 0)
		if err != nil {
			return err
		}
		if err := p.correctable(ctx, tx, c); err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, c); err != nil {
				return err
			}
		}
		rev, err = p.revise(ctx, tx, c, kind, c.Data, nil, actor, note, false)
		return err
	})
	return rev, err
}

// lockedClaim reads a claim for a change, checking the base version.
func (p *Pipeline) lockedClaim(ctx context.Context, tx Tx, id int64, base int) (*Claim, error) {
	if err := tx.Lock(ctx, "claim:"+strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	c, err := tx.GetClaim(ctx, id)
	if err != nil {
		return nil, err
	}
	if base != 0 && base != c.Version {
		return nil, fmt.Errorf("claim %d: version %d was corrected from version %d, but version %d was made meanwhile: %w",
			id, base+1, base, c.Version, ErrConflict)
	}
	return c, nil
}

// correctable refuses a change to a claim the clearinghouse or payer may
// still be acting on, or that is final: a *Refusal, or another error
// when the claim's history cannot be read.
func (p *Pipeline) correctable(ctx context.Context, tx Tx, c *Claim) error {
	switch c.State {
	case StateBatched:
		return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrInFlight,
			Reason: "it is in a built file that is being sent; wait for the upload (or cancel the batch)"}
	case StateSubmitted, StateAckAccepted:
		return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrInFlight,
			Reason: "it was sent and has no 277CA yet; wait for the clearinghouse's answer"}
	case StateAccepted:
		if knownICN(c) == "" {
			return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrInFlight,
				Reason: "it was accepted by the clearinghouse and the payer's claim number is not known yet; wait for the payer's 277CA or 835"}
		}
		if f := c.Data.Frequency; f == "7" || f == "8" {
			answered, err := answered835(ctx, tx, c)
			if err != nil {
				return err
			}
			if !answered {
				what := "replacement"
				if f == "8" {
					what = "void"
				}
				return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrInFlight,
					Reason: fmt.Sprintf("its %s %s is with the payer; wait for the 835 that answers it", what, c.PCN)}
			}
		}
	case StateVoided, StateClosed:
		return &Refusal{ClaimID: c.ID, State: c.State, Err: ErrFinal, Reason: "it is " + string(c.State) + "; nothing more can be sent for it"}
	}
	return nil
}

// answered835 reports whether an 835 answered the claim's current
// version, even one whose payment was kept as unapplied cash.
func answered835(ctx context.Context, tx Tx, c *Claim) (bool, error) {
	evs, err := tx.Events(ctx, c.ID)
	if err != nil {
		return false, err
	}
	for _, e := range evs {
		if e.Version == c.Version && (e.Kind == "835" || e.Kind == "835-unapplied") {
			return true, nil
		}
	}
	return false, nil
}

// claimAdjudicated reports whether the payer has adjudicated the claim,
// or has it in adjudication with a claim number of its own.
func claimAdjudicated(c *Claim) bool {
	switch c.State {
	case StatePaid, StatePartiallyPaid, StateDenied, StateReversed:
		return true
	}
	return knownICN(c) != ""
}

// knownICN is the payer's claim number of a claim: the one on file, else
// the REF*F8 the practice gave with an encounter that replaces or voids a
// claim billed before (never one the pipeline decided itself).
func knownICN(c *Claim) string {
	if c.PayerClaimNumber != "" {
		return c.PayerClaimNumber
	}
	if f := c.Data.Frequency; c.VersionKind == VersionOriginal && (f == "7" || f == "8") {
		return c.Data.PayerClaimNumber
	}
	return ""
}

// standing counts the payments of a claim that stand: adjudications
// (not reversals) not reversed since.
func standing(pays []*ClaimPayment) int {
	n := 0
	for _, cp := range pays {
		if cp.Status != "22" && cp.ReversedBy == 0 {
			n++
		}
	}
	return n
}

// frequencyFor decides CLM05-3 and REF*F8 of a claim's version of kind
// kind: a void is 8; a correction or resubmission is a replacement (7)
// once the payer has a claim number for the claim (it adjudicated it, or
// accepted it into adjudication), and a new original (1) otherwise, as
// after a rejection before adjudication; an original keeps what the
// encounter said.
func frequencyFor(c *Claim, kind VersionKind, data *x837.Claim) (string, string) {
	icn := knownICN(c)
	switch kind {
	case VersionVoid:
		return "8", icn
	case VersionCorrection, VersionResubmission:
		if icn != "" {
			return "7", icn
		}
		return "1", ""
	}
	if data.Frequency == "" {
		return "1", data.PayerClaimNumber
	}
	return data.Frequency, data.PayerClaimNumber
}

// revise makes next the content of claim c's next version, of kind kind:
// it decides the frequency, numbers new lines, scrubs it and stores the
// version, then moves the claim to ready (or, when the scrubber finds an
// error and hold is set, to held with a work item; without hold it
// returns a *ScrubError). The scrubber's item closes when the version is
// clean; an item about a changed encounter closes, since the claim was
// corrected.
func (p *Pipeline) revise(ctx context.Context, tx Tx, c *Claim, kind VersionKind, next x837.Claim, changed []string, actor, note string, hold bool) (*Revision, error) {
	base, from := c.Version, c.State
	nc := *c
	nc.Lines = nil
	freq, icn := frequencyFor(c, kind, &next)
	next.PatientControlNumber, next.Frequency, next.PayerClaimNumber = "", freq, icn
	problems, err := p.setContent(ctx, tx, &nc, next)
	if err != nil {
		return nil, err
	}
	errs := errorsOnly(problems)
	if len(errs) > 0 && !hold {
		return nil, &ScrubError{ClaimID: c.ID, Problems: errs}
	}
	v := &ClaimVersion{Version: base + 1, Kind: kind, Frequency: freq, PayerClaimNumber: icn, Data: nc.Data,
		TotalCharge: nc.TotalCharge, Changed: changed, Actor: actor, Note: note, CreatedAt: p.now()}
	if err := tx.ReviseClaim(ctx, &nc, v, base); err != nil {
		return nil, err
	}
	to := StateReady
	if len(errs) > 0 {
		to = StateHeld
	}
	ev := Event{ClaimID: c.ID, At: p.now(), Kind: string(kind), Version: v.Version, Actor: actor,
		Detail: revisionDetail(v, from)}
	if from == to {
		err = tx.AddEvent(ctx, ev)
	} else {
		err = tx.MoveClaim(ctx, c.ID, v.Version, from, to, ev)
	}
	if err != nil {
		return nil, err
	}
	if err := p.audit(ctx, tx, actor, "claim."+string(kind), c.ID, "", auditChange(v, changed, to)); err != nil {
		return nil, err
	}
	if _, err := tx.CloseWorkItems(ctx, ClaimKey(SourceIntake, c.ID), SystemActor,
		fmt.Sprintf("version %d made from the changed encounter", v.Version)); err != nil {
		return nil, err
	}
	if to == StateHeld {
		nc.Version = v.Version
		if _, err := tx.OpenWorkItem(ctx, scrubItem(&nc, errs, p.now())); err != nil {
			return nil, err
		}
	} else if _, err := tx.CloseWorkItems(ctx, ClaimKey(SourceScrubber, c.ID), SystemActor,
		fmt.Sprintf("version %d passes the scrubber", v.Version)); err != nil {
		return nil, err
	}
	return &Revision{ClaimID: c.ID, Version: v.Version, Kind: kind, Frequency: freq, PayerClaimNumber: icn,
		PCN: PCN(c.ID, v.Version), Changed: changed, State: to, Problems: problems}, nil
}

// auditChange says what a revision changed: the field paths, never
// their values (which may be patient data).
func auditChange(v *ClaimVersion, changed []string, to ClaimState) string {
	s := fmt.Sprintf("version %d, %s", v.Version, to)
	if len(changed) > 0 {
		s += "; changed " + strings.Join(changed, ", ")
	}
	return s
}

func revisionDetail(v *ClaimVersion, from ClaimState) string {
	var b strings.Builder
	switch v.Kind {
	case VersionCorrection:
		fmt.Fprintf(&b, "version %d corrects %s", v.Version, strings.Join(v.Changed, ", "))
	case VersionResubmission:
		fmt.Fprintf(&b, "version %d: the same content, to send again", v.Version)
	case VersionVoid:
		fmt.Fprintf(&b, "version %d voids the claim", v.Version)
	case VersionSecondary:
		fmt.Fprintf(&b, "version %d bills the next payer, %s, with the earlier payers' adjudication", v.Version, v.Data.Payer.ID)
	}
	fmt.Fprintf(&b, "; to be sent as %s, frequency %s", PCN(v.ClaimID, v.Version), v.Frequency)
	if v.PayerClaimNumber != "" {
		b.WriteString(" with REF*F8 " + v.PayerClaimNumber)
	}
	if from == StateReady {
		b.WriteString("; the version queued before it will not be sent")
	}
	if v.Note != "" {
		b.WriteString("; note: " + v.Note)
	}
	return b.String()
}

// contentChanges lists the encounter fields that differ between two
// claim contents, leaving out what the pipeline decides (CLM01, the
// frequency, REF*F8, line control numbers).
func contentChanges(a, b x837.Claim) []string {
	strip := func(c x837.Claim) *Encounter {
		c.PatientControlNumber, c.Frequency, c.PayerClaimNumber = "", "", ""
		if c.Kind == "" {
			c.Kind = x837.Professional
		}
		c.Lines = append([]x837.Line(nil), c.Lines...)
		for i := range c.Lines {
			c.Lines[i].ControlNumber = ""
		}
		return &Encounter{Claim: c}
	}
	return ChangedFields(strip(a), strip(b))
}

// mergeContent takes the content an encounter gives for a claim whose
// current content is cur: lines without a control number take that of
// the current line at the same position, so that a corrected line stays
// the same line.
func mergeContent(cur, next x837.Claim) x837.Claim {
	next.Lines = append([]x837.Line(nil), next.Lines...)
	used := map[string]bool{}
	for _, l := range next.Lines {
		used[l.ControlNumber] = l.ControlNumber != ""
	}
	for i := range next.Lines {
		if next.Lines[i].ControlNumber == "" && i < len(cur.Lines) && !used[cur.Lines[i].ControlNumber] {
			next.Lines[i].ControlNumber = cur.Lines[i].ControlNumber
			used[cur.Lines[i].ControlNumber] = true
		}
	}
	return next
}

// ResolveClaim finds a claim by its internal ID ("12") or by a CLM01 we
// sent or will send ("C12-2"), or returns ErrNotFound.
func (p *Pipeline) ResolveClaim(ctx context.Context, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return id, p.store.InTx(ctx, func(tx Tx) error {
			_, err := tx.GetClaim(ctx, id)
			return err
		})
	}
	var id int64
	err := p.store.InTx(ctx, func(tx Tx) error {
		s, err := tx.SubmissionByPCN(ctx, ref)
		if err == nil {
			id = s.ClaimID
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		// A version not sent yet: C<claim>-<version>.
		if n, v, ok := parsePCN(ref); ok {
			c, err := tx.GetClaim(ctx, n)
			if err == nil && v >= 1 && v <= c.Version {
				id = n
				return nil
			}
		}
		return fmt.Errorf("claim %q: %w", ref, ErrNotFound)
	})
	return id, err
}

// parsePCN splits "C<claim>-<version>".
func parsePCN(s string) (int64, int, bool) {
	rest, ok := strings.CutPrefix(s, "C")
	if !ok {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, 0, false
	}
	id, err1 := strconv.ParseInt(a, 10, 64)
	v, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || id <= 0 {
		return 0, 0, false
	}
	return id, v, true
}
