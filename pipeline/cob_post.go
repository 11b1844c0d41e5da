package pipeline

import (
	"context"
	"errors"
	"fmt"
)

// secondariesAfterPosting is the COB step after a remittance posted:
// for each claim the payer adjudicated at its current version, when the
// claim has coverage after that payer, it builds the secondary claim
// (SecondaryAuto) or opens a work item saying it is due
// (SecondaryOnRequest). A secondary that cannot be built opens a work
// item with the reasons; the posting stands either way. A payer that
// forwarded the claim itself (CLP02 19, 20, 21: a crossover) needs no
// secondary from us: that is recorded in the claim's history.
func (p *Pipeline) secondariesAfterPosting(ctx context.Context, tx Tx, rem *Remittance, plan *postPlan) error {
	done := map[int64]bool{}
	for i := range plan.steps {
		st := &plan.steps[i]
		tg := st.tg
		if st.clp.Status == "22" && tg.SubmissionVersion < tg.Version {
			later, err := p.billedToLaterPayer(ctx, tx, tg)
			if err != nil {
				return err
			}
			if later {
				if err := p.earlierPayerReversed(ctx, tx, rem, tg); err != nil {
					return err
				}
			}
			continue
		}
		switch st.to {
		case StatePaid, StatePartiallyPaid, StateDenied:
		case StateReversed, StateVoided:
			if tg.OtherCoverage && tg.SubmissionVersion == tg.Version {
				if err := p.secondaryNoLongerDue(ctx, tx, rem, tg); err != nil {
					return err
				}
			}
			continue
		default:
			continue
		}
		if !tg.OtherCoverage || st.refused || tg.SubmissionVersion != tg.Version || done[tg.ClaimID] {
			continue
		}
		done[tg.ClaimID] = true
		c, err := tx.GetClaim(ctx, tg.ClaimID)
		if err != nil {
			return err
		}
		if secondaryDue(c) != nil {
			// A later claim payment of the same posting left the claim
			// unadjudicated (paid, then reversed): nothing is due.
			continue
		}
		k := nextCoverage(&c.Data)
		if k < 0 {
			continue
		}
		next := c.Data.OtherCoverage[k].Payer
		switch st.clp.Status {
		case "19", "20", "21":
			if err := tx.AddEvent(ctx, Event{ClaimID: c.ID, At: p.now(), Kind: "cob", Version: c.Version,
				Detail: fmt.Sprintf("payer %s forwarded the claim to the next payer (835 CLP02 %s): no secondary claim is built for payer %s",
					c.PayerID, st.clp.Status, next.ID)}); err != nil {
				return err
			}
			continue
		}
		if p.secondaryMode != SecondaryAuto {
			if _, err := tx.OpenWorkItem(ctx, &WorkItem{Key: ClaimKey(SourceCOB, c.ID), Source: SourceCOB, Code: "secondary-due",
				ClaimID: c.ID, Version: c.Version, EncounterID: c.EncounterID, PayerID: next.ID, RemittanceID: rem.ID,
				Category: "secondary claim",
				Summary: fmt.Sprintf("claim %d: payer %s adjudicated it (835 check %s); the secondary claim to payer %s is due: claims secondary build %d",
					c.ID, c.PayerID, rem.Trace, next.ID, c.ID),
				CreatedAt: p.now()}); err != nil {
				return err
			}
			continue
		}
		if _, err := p.secondary(ctx, tx, c, SecondaryRequest{ClaimID: c.ID}); err != nil {
			var ce *COBError
			if !errors.As(err, &ce) {
				return err
			}
			if err := p.cobItem(ctx, tx, c, rem, next.ID, ce); err != nil {
				return err
			}
		}
	}
	return nil
}

// secondaryNoLongerDue closes the COB item of a claim whose payer
// reversed its adjudication before the secondary claim was built (an
// item saying it is due, or that it cannot be built): nothing is due
// until the payer adjudicates it again, and a build would be refused.
// It does so only when no adjudication stands once the posting is done
// (a reversal and its correction leave one).
func (p *Pipeline) secondaryNoLongerDue(ctx context.Context, tx Tx, rem *Remittance, tg *PostingTarget) error {
	c, err := tx.GetClaim(ctx, tg.ClaimID)
	if err != nil {
		return err
	}
	if secondaryDue(c) == nil {
		return nil
	}
	key := ClaimKey(SourceCOB, c.ID)
	open, err := tx.WorkItems(ctx, WorkFilter{Key: key, Status: WorkOpen})
	if err != nil || len(open) == 0 || open[0].Code == codeEarlierPayerReversed {
		return err // an earlier payer's reversal still needs a person
	}
	_, err = tx.CloseWorkItems(ctx, key, SystemActor,
		fmt.Sprintf("payer %s reversed its adjudication (835 check %s): no secondary claim is due until it adjudicates the claim again", c.PayerID, rem.Trace))
	return err
}

// codeEarlierPayerReversed is the code of the item earlierPayerReversed
// opens.
const codeEarlierPayerReversed = "earlier-payer-reversed"

// earlierPayerReversed opens a work item when an earlier payer reverses
// its payment of a claim already billed to the next payer: the secondary
// claim carried that adjudication, and the receivables need a person
// (ask the earlier payer for its corrected 835, correct or void the
// secondary claim, or adjust the balance).
func (p *Pipeline) earlierPayerReversed(ctx context.Context, tx Tx, rem *Remittance, tg *PostingTarget) error {
	// A secondary not yet sent must not go out with the adjudication
	// just reversed: it is held until a person corrects it (or closes
	// it), and the item says so.
	c, err := tx.GetClaim(ctx, tg.ClaimID)
	if err != nil {
		return err
	}
	if c.State == StateReady {
		ev := Event{ClaimID: c.ID, At: p.now(), Kind: "held", From: StateReady, To: StateHeld, Version: c.Version,
			Detail: fmt.Sprintf("the earlier payer reversed the adjudication this claim carries (835 check %s): held, not sent", rem.Trace)}
		if err := tx.MoveClaim(ctx, c.ID, c.Version, StateReady, StateHeld, ev); err != nil {
			return err
		}
	}
	_, err = tx.OpenWorkItem(ctx, &WorkItem{Key: ClaimKey(SourceCOB, tg.ClaimID), Source: SourceCOB, Code: codeEarlierPayerReversed,
		ClaimID: tg.ClaimID, Version: tg.Version, EncounterID: tg.EncounterID, PayerID: tg.PayerID, RemittanceID: rem.ID,
		Category: "secondary claim", CreatedAt: p.now(),
		Summary: fmt.Sprintf("claim %d: the earlier payer reversed its payment of %s (835 check %s) after the claim was billed to payer %s with that adjudication (a secondary not yet sent is held); wait for its corrected 835, then correct or void the secondary claim (claims claim correct|void %d), and check the patient's balance",
			tg.ClaimID, tg.PCN, rem.Trace, tg.PayerID, tg.ClaimID)})
	return err
}

// cobItem opens the work item of a secondary claim that cannot be built.
func (p *Pipeline) cobItem(ctx context.Context, tx Tx, c *Claim, rem *Remittance, payerID string, ce *COBError) error {
	code := ""
	if len(ce.Reasons) > 0 {
		code = ce.Reasons[0].Code
	}
	w := &WorkItem{Key: ClaimKey(SourceCOB, c.ID), Source: SourceCOB, Code: code, ClaimID: c.ID, Version: c.Version,
		EncounterID: c.EncounterID, PayerID: payerID, Category: "secondary claim", Reasons: ce.Reasons, CreatedAt: p.now(),
		Summary: fmt.Sprintf("claim %d: the secondary claim to payer %s is due but cannot be built; fix the cause and run claims secondary build %d (with --coverage FILE or --adjudication FILE when the data must come from elsewhere), or close this item to bill the patient",
			c.ID, payerID, c.ID)}
	if rem != nil {
		w.RemittanceID = rem.ID
	}
	_, err := tx.OpenWorkItem(ctx, w)
	return err
}
