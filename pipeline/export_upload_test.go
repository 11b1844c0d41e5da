package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/x12claims/claims/x12"
)

// MarkUploaded records the verified upload of batch id as Upload does
// (markUploaded), explained by how.
func MarkUploaded(p *Pipeline, ctx context.Context, id int64, how string) (x12.Amount, error) {
	b, err := batchOf(p, ctx, id)
	if err != nil {
		return 0, err
	}
	return p.markUploaded(ctx, b, how)
}

// MarkUploadedOneByOne is markUploaded as it was before it went
// set-based: a ClaimHead, MoveClaim, SetClaimRefs, ClaimLines and
// AddEntries per claim. The tests of the set-based form check that it
// records exactly what this did.
func MarkUploadedOneByOne(p *Pipeline, ctx context.Context, id int64, how string) (x12.Amount, error) {
	b, err := batchOf(p, ctx, id)
	if err != nil {
		return 0, err
	}
	var billed x12.Amount
	err = p.store.InTx(ctx, func(tx Tx) error {
		billed = 0
		nb := *b
		nb.State, nb.UploadedAt, nb.LastError = BatchUploaded, p.now(), ""
		if err := tx.UpdateBatch(ctx, &nb, b.State); err != nil {
			return err
		}
		if _, err := tx.CloseWorkItems(ctx, BatchKey(b.ID), SystemActor, "uploaded: "+how); err != nil {
			return err
		}
		subs, err := tx.SubmissionsInBatch(ctx, b.ID, "")
		if err != nil {
			return err
		}
		for _, s := range subs {
			charge, err := claimSubmittedOneByOne(p, ctx, tx, b, s, how)
			if err != nil {
				return err
			}
			billed += charge
		}
		*b = nb
		return nil
	})
	return billed, err
}

func batchOf(p *Pipeline, ctx context.Context, id int64) (*Batch, error) {
	var b *Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		b, err = tx.GetBatch(ctx, id)
		return err
	})
	return b, err
}

func claimSubmittedOneByOne(p *Pipeline, ctx context.Context, tx Tx, b *Batch, s *Submission, how string) (x12.Amount, error) {
	c, err := tx.ClaimHead(ctx, s.ClaimID)
	if err != nil {
		return 0, err
	}
	ev := Event{ClaimID: c.ID, SubmissionID: s.ID, At: p.now(), Kind: "uploaded", SetControl: s.SetControl, Version: s.Version,
		Detail: fmt.Sprintf("%s (ISA13 %s, GS06 %s, ST02 %s): %s", b.FileName, b.ISA13, b.GS06, s.SetControl, how)}
	if err := tx.MoveClaim(ctx, c.ID, s.Version, StateBatched, StateSubmitted, ev); err != nil {
		return 0, err
	}
	if !c.FirstSubmittedAt.IsZero() {
		if err := tx.SetClaimRefs(ctx, c.ID, s.PCN, c.Submissions+1, time.Time{}); err != nil {
			return 0, err
		}
		full, err := tx.GetClaim(ctx, c.ID)
		if err != nil {
			return 0, err
		}
		return c.TotalCharge, p.rebillAtUpload(ctx, tx, full, s)
	}
	if err := tx.SetClaimRefs(ctx, c.ID, s.PCN, c.Submissions+1, p.now()); err != nil {
		return 0, err
	}
	lines, err := tx.ClaimLines(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	slices.SortFunc(lines, func(a, b ClaimLine) int { return a.LineNo - b.LineNo })
	entries := make([]LedgerEntry, 0, len(lines))
	for _, l := range lines {
		if l.Active {
			entries = append(entries, LedgerEntry{ClaimID: c.ID, LineID: l.ID, Kind: EntryCharge, Charge: l.Charge,
				At: p.now(), Memo: "charge, submission " + s.PCN})
		}
	}
	return c.TotalCharge, tx.AddEntries(ctx, entries)
}
