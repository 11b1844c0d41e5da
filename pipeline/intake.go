package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12/x837"
)

// IntakeReport counts what Intake did.
type IntakeReport struct {
	Read      int `json:"read"`      // encounters and malformed records read
	Accepted  int `json:"accepted"`  // new claims ready to batch
	Held      int `json:"held"`      // new claims (or new versions) held by the scrubber, or records held at intake
	Unchanged int `json:"unchanged"` // already taken, identical
	// Updated counts encounters that came again with different claim
	// content; each became a correction (Corrected) or a work item
	// (Conflicts). One that came again with other bytes but the same
	// content counts as unchanged.
	Updated   int `json:"updated"`
	Corrected int `json:"corrected"` // claims corrected from an updated encounter (a new version)
	Conflicts int `json:"conflicts"` // updated encounters left for a person (the claim is in flight or adjudicated)
	// HeldBack lists what was held this run, with the reasons (each
	// with its severity: a held claim may have warnings too).
	HeldBack []HeldEncounter `json:"held_back,omitempty"`
	// WarnedClaims counts the new claims accepted with warnings: they go
	// out, and the warnings are recorded with their encounter. Warned
	// lists the first MaxWarnedListed of them, with the warnings.
	WarnedClaims int             `json:"warned_claims"`
	Warned       []HeldEncounter `json:"warned,omitempty"`
}

// MaxWarnedListed bounds IntakeReport.Warned, so that a run where every
// claim has a warning does not keep them all in memory.
const MaxWarnedListed = 1000

func (r *IntakeReport) add(o IntakeReport) {
	r.Read += o.Read
	r.Accepted += o.Accepted
	r.Held += o.Held
	r.Unchanged += o.Unchanged
	r.Updated += o.Updated
	r.Corrected += o.Corrected
	r.Conflicts += o.Conflicts
	r.HeldBack = append(r.HeldBack, o.HeldBack...)
	r.WarnedClaims += o.WarnedClaims
	r.Warned = append(r.Warned, o.Warned[:min(len(o.Warned), max(0, MaxWarnedListed-len(r.Warned)))]...)
}

// HeldEncounter is an encounter (or unreadable record) held back, and why.
type HeldEncounter struct {
	EncounterID string   `json:"encounter_id"`
	ClaimID     int64    `json:"claim_id,omitempty"`
	Reasons     []Reason `json:"reasons"`
}

// Intake reads encounters from src, records each, scrubs it and creates
// its claim: ready when clean, held with its reasons otherwise. A
// malformed record is held at intake and the rest go on. Reading the same
// encounters again changes nothing; an encounter that comes again with
// different content is taken as a correction (see encounterChanged).
func (p *Pipeline) Intake(ctx context.Context, src EncounterSource) (IntakeReport, error) {
	var rep IntakeReport
	source := sourceName(src)
	for enc, err := range src.Encounters(ctx) {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		rep.Read++
		var rerr *RecordError
		switch {
		case errors.As(err, &rerr):
			held, err := p.holdRecord(ctx, rerr)
			if err != nil {
				return rep, err
			}
			if held {
				rep.Held++
				rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: recordKey(rerr), Reasons: []Reason{recordReason(rerr)}})
			} else {
				rep.Unchanged++
			}
		case err != nil:
			return rep, fmt.Errorf("intake: %w", err)
		default:
			if err := p.intakeOne(ctx, source, enc, &rep); err != nil {
				return rep, fmt.Errorf("intake: encounter %s: %w", enc.ID, err)
			}
		}
	}
	return rep, nil
}

func recordKey(re *RecordError) string {
	if re.EncounterID != "" {
		return re.EncounterID
	}
	return re.Source + ":" + strconv.Itoa(re.Line)
}

func recordReason(re *RecordError) Reason {
	return Reason{Code: "malformed-record", Text: re.Err.Error(), Field: re.Field,
		Location: re.Source + " line " + strconv.Itoa(re.Line)}
}

// holdRecord records a malformed record and opens a work item, once.
func (p *Pipeline) holdRecord(ctx context.Context, re *RecordError) (bool, error) {
	key := recordKey(re)
	sum := sha256.Sum256([]byte(re.Error()))
	digest := hex.EncodeToString(sum[:])
	held := false
	err := p.store.InTx(ctx, func(tx Tx) error {
		old, err := tx.GetEncounter(ctx, key)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old.SHA256 == digest:
			return nil
		case old.ClaimID != 0:
			// The ID already has a claim (a duplicate ID later in a
			// file, or a bad re-send): hold this record under its
			// position instead.
			key = re.Source + ":" + strconv.Itoa(re.Line)
			if again, err := tx.GetEncounter(ctx, key); err == nil && again.SHA256 == digest {
				return nil
			}
		}
		reason := recordReason(re)
		if err := tx.PutEncounter(ctx, &EncounterRecord{ID: key, Source: re.Source, Line: re.Line, SHA256: digest,
			Problems: []Reason{reason}, ReceivedAt: p.now()}); err != nil {
			return err
		}
		held = true
		_, err = tx.OpenWorkItem(ctx, &WorkItem{Key: EncounterKey(key), Source: SourceIntake, Code: reason.Code,
			EncounterID: key, Category: "malformed record",
			Summary: "encounter " + key + ": the record cannot be read; fix it in the practice system and send it again",
			Reasons: []Reason{reason}, CreatedAt: p.now()})
		return err
	})
	return held, err
}

func (p *Pipeline) intakeOne(ctx context.Context, source string, enc *Encounter, rep *IntakeReport) error {
	if enc.Kind == "" {
		enc.Kind = x837.Professional
	}
	raw, err := json.Marshal(enc)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	digest := hex.EncodeToString(sum[:])
	return p.store.InTx(ctx, func(tx Tx) error {
		old, err := tx.GetEncounter(ctx, enc.ID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old.SHA256 == digest:
			rep.Unchanged++
			return nil
		case old.ClaimID != 0:
			return p.encounterChanged(ctx, tx, enc, old, raw, digest, rep)
		default:
			// A malformed record of this ID, now readable: its item
			// is resolved by this record.
			if _, err := tx.CloseWorkItems(ctx, EncounterKey(enc.ID), SystemActor, "the encounter was sent again and could be read"); err != nil {
				return err
			}
		}
		claim, problems, err := p.newClaim(ctx, tx, enc)
		if err != nil {
			return err
		}
		if err := tx.CreateClaim(ctx, claim); err != nil {
			return err
		}
		if err := tx.PutEncounter(ctx, &EncounterRecord{ID: enc.ID, Source: source, SHA256: digest, Raw: raw,
			ClaimID: claim.ID, Problems: problems, ReceivedAt: p.now()}); err != nil {
			return err
		}
		ev := Event{ClaimID: claim.ID, At: p.now(), Kind: "intake", To: claim.State, Version: claim.Version,
			Detail: fmt.Sprintf("encounter %s, %d lines", enc.ID, len(enc.Lines))}
		if err := tx.AddEvent(ctx, ev); err != nil {
			return err
		}
		if claim.State == StateHeld {
			rep.Held++
			rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: enc.ID, ClaimID: claim.ID, Reasons: problems})
			_, err := tx.OpenWorkItem(ctx, scrubItem(claim, problems, p.now()))
			return err
		}
		rep.Accepted++
		if len(problems) > 0 {
			// Only warnings: the claim goes out, and they are shown.
			if rep.WarnedClaims++; len(rep.Warned) < MaxWarnedListed {
				rep.Warned = append(rep.Warned, HeldEncounter{EncounterID: enc.ID, ClaimID: claim.ID, Reasons: problems})
			}
		}
		return nil
	})
}

// newClaim builds the claim record for an encounter and scrubs it.
func (p *Pipeline) newClaim(ctx context.Context, tx Tx, enc *Encounter) (*Claim, []Reason, error) {
	c := &Claim{
		EncounterID: enc.ID,
		Version:     1,
		CreatedAt:   p.now(),
		UpdatedAt:   p.now(),
	}
	problems, err := p.setContent(ctx, tx, c, enc.Claim)
	if err != nil {
		return nil, nil, err
	}
	c.State = StateReady
	if blocking(problems) {
		c.State = StateHeld
	}
	return c, problems, nil
}

// setContent makes data the content of c: the claim's kind, payer,
// total, lines (numbered, with line item control numbers) and
// clearinghouse, and returns the scrubber's findings about it.
func (p *Pipeline) setContent(ctx context.Context, tx Tx, c *Claim, data x837.Claim) ([]Reason, error) {
	if data.Kind == "" {
		data.Kind = x837.Professional
	}
	data.Lines = append([]x837.Line(nil), data.Lines...)
	c.Kind, c.PayerID, c.PayerName, c.TotalCharge, c.Data = data.Kind, data.Payer.ID, data.Payer.Name, data.TotalCharge, data
	if err := p.numberLines(ctx, tx, c); err != nil {
		return nil, err
	}
	problems := p.scrub(&c.Data)
	c.Clearinghouse = ""
	if pt := p.route(c.PayerID); pt != nil {
		c.Clearinghouse = pt.Name
	} else {
		problems = append(problems, Reason{Code: "no-clearinghouse", Field: "payer.id", Severity: "error",
			Text: "no clearinghouse is configured for payer " + strconv.Quote(c.PayerID)})
	}
	return problems, nil
}

// numberLines gives each line without one a line item control number
// (REF*6R) from a store sequence, unique across all claims, and builds
// the claim lines.
func (p *Pipeline) numberLines(ctx context.Context, tx Tx, c *Claim) error {
	c.Lines = c.Lines[:0]
	for i := range c.Data.Lines {
		l := &c.Data.Lines[i]
		if l.ControlNumber == "" {
			n, err := tx.NextSequence(ctx, "line-control-number")
			if err != nil {
				return err
			}
			l.ControlNumber = "L" + strconv.FormatInt(n, 10)
		}
		c.Lines = append(c.Lines, ClaimLine{LineNo: i + 1, ControlNumber: l.ControlNumber, Procedure: l.Procedure,
			Modifiers: l.Modifiers, RevenueCode: l.RevenueCode, Charge: l.Charge, Units: l.Units, ServiceDate: l.ServiceDate,
			Active: true})
	}
	return nil
}

// scrub validates a claim before it may be sent. It never changes it.
// Errors hold the claim; warnings are kept with it but do not.
func (p *Pipeline) scrub(c *x837.Claim) []Reason {
	var out []Reason
	for _, pr := range c.Validate(x837.ValidateOptions{Today: p.today(), PCNAssignedLater: true}) {
		out = append(out, Reason{Code: pr.Rule, Text: pr.Message, Field: pr.Field, Location: pr.Location(),
			Severity: pr.Severity.String()})
	}
	return out
}

// blocking reports whether any of the problems is an error.
func blocking(problems []Reason) bool {
	for _, r := range problems {
		if r.Severity != "warning" {
			return true
		}
	}
	return false
}

// errorsOnly returns the problems that are errors.
func errorsOnly(problems []Reason) []Reason {
	var out []Reason
	for _, r := range problems {
		if r.Severity != "warning" {
			out = append(out, r)
		}
	}
	return out
}

func scrubItem(c *Claim, problems []Reason, now time.Time) *WorkItem {
	errs := errorsOnly(problems)
	w := &WorkItem{Key: ClaimKey(SourceScrubber, c.ID), Source: SourceScrubber, ClaimID: c.ID, Version: c.Version,
		EncounterID: c.EncounterID, PayerID: c.PayerID, Category: "claim data",
		Summary: fmt.Sprintf("claim %d (encounter %s): held, %d problem(s) to fix before it can be sent", c.ID, c.EncounterID, len(errs)),
		Reasons: errs, CreatedAt: now}
	if len(errs) > 0 {
		w.Code = errs[0].Code
	}
	return w
}

// encounterChanged takes an encounter that arrives again with different
// content than its record. When the claim content changes, it is a
// correction, by the same path as a manual one (revise):
//
//   - a claim not yet sent (held or ready), or rejected before
//     adjudication, is corrected at once: the new version is queued, or
//     held when it does not pass the scrubber;
//   - an adjudicated claim is corrected (as a replacement) only when
//     Options.ReplaceAdjudicated is set; otherwise, and for a claim in
//     flight, a work item lists the changed fields, and the claim can be
//     corrected from this record later (CorrectRequest.FromIntake).
//
// The change is never absorbed silently: the report counts it.
func (p *Pipeline) encounterChanged(ctx context.Context, tx Tx, enc *Encounter, old *EncounterRecord, raw []byte, digest string, rep *IntakeReport) error {
	claim, err := tx.GetClaim(ctx, old.ClaimID)
	if err != nil {
		return err
	}
	old.SHA256, old.Raw, old.ReceivedAt = digest, raw, p.now()
	changed := contentChanges(claim.Data, enc.Claim)
	if len(changed) == 0 {
		// Different bytes, same claim (e.g. what a correction already
		// made): nothing to send.
		rep.Unchanged++
		return tx.PutEncounter(ctx, old)
	}
	rep.Updated++
	refusal := p.correctable(ctx, tx, claim)
	var ref *Refusal
	if refusal != nil && !errors.As(refusal, &ref) {
		return refusal
	}
	adjudicated := claimAdjudicated(claim)
	if refusal == nil && (!adjudicated || p.replaceAdjudicated) {
		next := mergeContent(claim.Data, enc.Claim)
		rev, err := p.revise(ctx, tx, claim, VersionCorrection, next, changed, "intake",
			"encounter "+enc.ID+" sent again with changes", true)
		if err != nil {
			return err
		}
		old.Problems = rev.Problems
		if err := tx.PutEncounter(ctx, old); err != nil {
			return err
		}
		rep.Corrected++
		if rev.State == StateHeld {
			rep.Held++
			rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: enc.ID, ClaimID: claim.ID, Reasons: errorsOnly(rev.Problems)})
		}
		return nil
	}
	rep.Conflicts++
	if err := tx.PutEncounter(ctx, old); err != nil {
		return err
	}
	why := "it is adjudicated, and intake.replace_adjudicated is off: correct it as a replacement when the change is right"
	code := "changed-after-adjudication"
	if refusal != nil {
		why, code = refusal.Error()+"; correct it from this encounter when it can be", "changed-in-flight"
	}
	reasons := make([]Reason, 0, len(changed))
	for _, f := range changed {
		reasons = append(reasons, Reason{Code: "changed-field", Field: f, Text: "changed in the encounter file"})
	}
	if err := tx.AddEvent(ctx, Event{ClaimID: claim.ID, At: p.now(), Kind: "encounter-changed", Version: claim.Version, Actor: "intake",
		Detail: fmt.Sprintf("encounter %s sent again with %d changed field(s): %s; not applied: %s", enc.ID, len(changed),
			strings.Join(changed, ", "), why)}); err != nil {
		return err
	}
	_, err = tx.OpenWorkItem(ctx, &WorkItem{Key: ClaimKey(SourceIntake, claim.ID), Source: SourceIntake, Code: code,
		ClaimID: claim.ID, Version: claim.Version, EncounterID: enc.ID, PayerID: claim.PayerID, Category: "changed encounter",
		Summary: fmt.Sprintf("claim %d (encounter %s, %s): the encounter changed (%d field(s)); %s (claims claim correct %d --from-intake)",
			claim.ID, enc.ID, claim.State, len(changed), why, claim.ID),
		Reasons: reasons, CreatedAt: p.now()})
	return err
}
