package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/x12claims/claims/x12/x837"
)

// IntakeReport counts what Intake did.
type IntakeReport struct {
	Read      int // encounters and malformed records read
	Accepted  int // new claims ready to batch
	Held      int // new claims held by the scrubber, or records held at intake
	Unchanged int // already taken, identical
	Updated   int // held claims whose corrected encounter now passes
	Conflicts int // encounters changed after their claim was submitted
	// HeldBack lists what was held this run, with the reasons.
	HeldBack []HeldEncounter
}

// HeldEncounter is an encounter (or unreadable record) held back, and why.
type HeldEncounter struct {
	EncounterID string
	Reasons     []Reason
}

// Intake reads encounters from src, records each, scrubs it and creates
// its claim: ready when clean, held with its reasons otherwise. A
// malformed record is held at intake and the rest go on. Reading the same
// encounters again changes nothing.
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
		return tx.AddWorkItem(ctx, &WorkItem{Source: SourceIntake, EncounterID: key, Category: "malformed record",
			Summary: "encounter " + key + ": record cannot be read", Reasons: []Reason{reason},
			Status: WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()})
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
		ev := Event{ClaimID: claim.ID, At: p.now(), Kind: "intake", To: claim.State,
			Detail: fmt.Sprintf("encounter %s, %d lines", enc.ID, len(enc.Lines))}
		if err := tx.AddEvent(ctx, ev); err != nil {
			return err
		}
		if claim.State == StateHeld {
			rep.Held++
			rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: enc.ID, Reasons: problems})
			return tx.AddWorkItem(ctx, scrubItem(enc.ID, claim.ID, problems, p.now()))
		}
		rep.Accepted++
		return nil
	})
}

// newClaim builds the claim record for an encounter and scrubs it.
func (p *Pipeline) newClaim(ctx context.Context, tx Tx, enc *Encounter) (*Claim, []Reason, error) {
	c := &Claim{
		EncounterID: enc.ID,
		Kind:        enc.Kind,
		PayerID:     enc.Payer.ID,
		PayerName:   enc.Payer.Name,
		TotalCharge: enc.TotalCharge,
		Data:        enc.Claim,
		CreatedAt:   p.now(),
		UpdatedAt:   p.now(),
	}
	c.Data.Lines = append([]x837.Line(nil), enc.Lines...)
	if err := p.numberLines(ctx, tx, c); err != nil {
		return nil, nil, err
	}
	problems := p.scrub(&c.Data)
	if pt := p.route(c.PayerID); pt != nil {
		c.Clearinghouse = pt.Name
	} else {
		problems = append(problems, Reason{Code: "no-clearinghouse", Field: "payer.id",
			Text: "no clearinghouse is configured for payer " + strconv.Quote(c.PayerID)})
	}
	c.State = StateReady
	if len(problems) > 0 {
		c.State = StateHeld
	}
	return c, problems, nil
}

// numberLines gives each line a line item control number (REF*6R) from a
// store sequence, unique across all claims, and builds the claim lines.
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
			Modifiers: l.Modifiers, RevenueCode: l.RevenueCode, Charge: l.Charge, Units: l.Units, ServiceDate: l.ServiceDate})
	}
	return nil
}

// scrub validates a claim before it may be sent. It never changes it.
func (p *Pipeline) scrub(c *x837.Claim) []Reason {
	var out []Reason
	for _, pr := range c.Validate(x837.ValidateOptions{Today: p.today(), PCNAssignedLater: true}) {
		out = append(out, Reason{Code: pr.Rule, Text: pr.Message, Field: pr.Field, Location: pr.Location()})
	}
	return out
}

func scrubItem(encounterID string, claimID int64, problems []Reason, now time.Time) *WorkItem {
	return &WorkItem{Source: SourceScrubber, ClaimID: claimID, EncounterID: encounterID, Category: "claim data",
		Summary: fmt.Sprintf("encounter %s: held, %d problem(s) to fix before it can be sent", encounterID, len(problems)),
		Reasons: problems, Status: WorkOpen, CreatedAt: now, UpdatedAt: now}
}

// encounterChanged handles an encounter that arrives again with different
// content. A held claim takes the correction and is scrubbed again; a
// claim already on its way is left alone and a billing specialist is told.
func (p *Pipeline) encounterChanged(ctx context.Context, tx Tx, enc *Encounter, old *EncounterRecord, raw []byte, digest string, rep *IntakeReport) error {
	claim, err := tx.GetClaim(ctx, old.ClaimID)
	if err != nil {
		return err
	}
	old.SHA256, old.Raw, old.ReceivedAt = digest, raw, p.now()
	if claim.State != StateHeld {
		rep.Conflicts++
		if err := tx.PutEncounter(ctx, old); err != nil {
			return err
		}
		return tx.AddWorkItem(ctx, &WorkItem{Source: SourceIntake, ClaimID: claim.ID, EncounterID: enc.ID,
			Category: "changed after submission",
			Summary:  fmt.Sprintf("encounter %s changed after its claim was %s; correct and resubmit from the work queue", enc.ID, claim.State),
			Status:   WorkOpen, CreatedAt: p.now(), UpdatedAt: p.now()})
	}
	fresh, problems, err := p.newClaim(ctx, tx, enc)
	if err != nil {
		return err
	}
	fresh.ID, fresh.State, fresh.CreatedAt = claim.ID, claim.State, claim.CreatedAt
	if err := tx.UpdateClaimData(ctx, fresh); err != nil {
		return err
	}
	old.Problems = problems
	if err := tx.PutEncounter(ctx, old); err != nil {
		return err
	}
	if len(problems) > 0 {
		rep.Held++
		rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: enc.ID, Reasons: problems})
		if err := tx.AddEvent(ctx, Event{ClaimID: claim.ID, At: p.now(), Kind: "corrected", From: StateHeld, To: StateHeld,
			Detail: fmt.Sprintf("encounter %s re-sent; still %d problem(s)", enc.ID, len(problems))}); err != nil {
			return err
		}
		return tx.AddWorkItem(ctx, scrubItem(enc.ID, claim.ID, problems, p.now()))
	}
	rep.Updated++
	return tx.MoveClaim(ctx, claim.ID, StateHeld, StateReady, Event{ClaimID: claim.ID, At: p.now(), Kind: "corrected",
		Detail: "encounter " + enc.ID + " re-sent and now passes the scrubber"})
}
