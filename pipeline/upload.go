package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/x12claims/claims/x12"
)

// UploadReport counts what Upload did.
type UploadReport struct {
	Uploaded       int        `json:"uploaded"`        // files verified on the clearinghouse this run
	ClaimsSent     int        `json:"claims_sent"`     // claims in those files
	Billed         x12.Amount `json:"billed"`          // their total charges
	Failed         int        `json:"failed"`          // files marked failed for an operator this run
	Pending        int        `json:"pending"`         // files that will be retried next run
	RecoveredAfter int        `json:"recovered_after"` // uploads finished after an earlier interruption
}

// permanent is implemented by transport errors that no retry can fix.
type permanent interface{ Permanent() bool }

// IsPermanent reports whether err (or an error it wraps) says it is
// permanent: authentication, permission, missing folder, host key, quota.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p) && p.Permanent()
}

// tempName is the remote name a batch is written under before the rename.
func tempName(final string) string { return final + ".part" }

// Upload sends every built batch to its clearinghouse with the crash-safe
// protocol, committing each step before the next:
//
//	built     → mark uploading → Put(temp)       → mark staged
//	staged    → Rename(temp, final) → Stat(final) = size → mark uploaded
//
// After a crash the next run resumes from the recorded state and asks the
// server what it holds, so that a batch that landed is never sent again and
// one that did not is never forgotten:
//
//	uploading: final present with the right size → uploaded; otherwise Put again
//	staged:    final present with the right size → uploaded;
//	           temp present → Rename again;
//	           neither → the rename happened and the clearinghouse already
//	           took the file → uploaded (its 999 confirms it later)
//
// A final name holding a different size is never overwritten: the batch is
// marked failed for an operator.
//
// Each batch is uploaded under its lease (LeaseUpload), from the state
// the store records once the lease is taken: instances sharing the store
// share the batches, and one that takes over the batch of an instance
// that died resumes it with the recovery above, so that a file that
// instance renamed on the server is recorded, not sent again.
func (p *Pipeline) Upload(ctx context.Context) (UploadReport, error) {
	var rep UploadReport
	var batches []*Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		batches, err = tx.BatchesInState(ctx, BatchBuilt, BatchUploading, BatchStaged)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("upload: %w", err)
	}
	var errs []error
	var units []leaseUnit
	var parts []*Partner
	for _, b := range batches {
		pt := p.byName[b.Clearinghouse]
		if pt == nil || pt.Transport == nil {
			errs = append(errs, fmt.Errorf("upload: batch %d: clearinghouse %q has no transport configured", b.ID, b.Clearinghouse))
			rep.Pending++
			continue
		}
		units, parts = append(units, leaseUnit{id: b.ID}), append(parts, pt)
	}
	_, err = p.eachLeased(ctx, LeaseUpload, units, func(ctx context.Context, i int) error {
		return p.uploadOne(ctx, parts[i], units[i].id, &rep, &errs)
	})
	if err != nil {
		return rep, err
	}
	return rep, errors.Join(errs...)
}

// uploadOne uploads batch id, under its lease, from the state the store
// records now (another instance may have moved it since the list was
// read). A failed upload is recorded, and its error added to errs; the
// error returned stops the run (ctx ended, the store failed).
func (p *Pipeline) uploadOne(ctx context.Context, pt *Partner, id int64, rep *UploadReport, errs *[]error) error {
	var b *Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		b, err = tx.GetBatch(ctx, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	switch b.State {
	case BatchBuilt, BatchUploading, BatchStaged:
	default:
		return nil // uploaded (or canceled) meanwhile
	}
	resumed := b.State != BatchBuilt
	billed, err := p.uploadBatch(ctx, pt, b)
	switch {
	case errors.Is(err, ErrConflict):
		// Another process, or an operator (batch cancel), took
		// the batch while this run held its old state: leave it.
		return nil
	case err == nil:
		p.crashPoint("submit:upload-recorded")
		rep.Uploaded++
		rep.ClaimsSent += b.claimCount()
		rep.Billed += billed
		if resumed {
			rep.RecoveredAfter++
		}
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	failed, ferr := p.uploadFailed(ctx, pt, b, err)
	if errors.Is(ferr, ErrConflict) {
		return nil // taken by another process or an operator meanwhile
	}
	if ferr != nil {
		return ferr
	}
	if failed {
		rep.Failed++
	} else {
		rep.Pending++
	}
	*errs = append(*errs, fmt.Errorf("upload: batch %d (%s): %w", b.ID, b.FileName, err))
	return nil
}

func (b *Batch) claimCount() int {
	n := 0
	for _, s := range b.Sets {
		n += s.Claims
	}
	return n
}

// uploadBatch runs the protocol from the batch's recorded state.
// It returns the total charge of the claims it sent.
func (p *Pipeline) uploadBatch(ctx context.Context, pt *Partner, b *Batch) (x12.Amount, error) {
	t := pt.Transport
	temp := tempName(b.FileName)
	for {
		switch b.State {
		case BatchBuilt:
			if err := p.setBatchState(ctx, b, BatchUploading); err != nil {
				return 0, err
			}
			p.crashPoint("submit:upload-marked")
		case BatchUploading:
			if size, err := t.Stat(ctx, b.FileName); err == nil {
				if size != b.Size {
					return 0, &conflictError{name: b.FileName, want: b.Size, got: size}
				}
				return p.markUploaded(ctx, b, "found complete on the server after an interruption")
			} else if !errors.Is(err, fs.ErrNotExist) {
				return 0, err
			}
			p.crashPoint("submit:upload-before-put")
			if err := p.put(ctx, t, b, temp); err != nil {
				return 0, err
			}
			p.crashPoint("submit:upload-put")
			if err := p.setBatchState(ctx, b, BatchStaged); err != nil {
				return 0, err
			}
		case BatchStaged:
			size, err := t.Stat(ctx, b.FileName)
			switch {
			case err == nil && size == b.Size:
				return p.markUploaded(ctx, b, "verified: final name present with the expected size")
			case err == nil:
				return 0, &conflictError{name: b.FileName, want: b.Size, got: size}
			case !errors.Is(err, fs.ErrNotExist):
				return 0, err
			}
			if _, err := t.Stat(ctx, temp); errors.Is(err, fs.ErrNotExist) {
				// The rename took place and the clearinghouse has
				// already picked the file up.
				return p.markUploaded(ctx, b, "temporary file gone after the rename: taken by the clearinghouse")
			} else if err != nil {
				return 0, err
			}
			p.crashPoint("submit:upload-staged")
			if err := t.Rename(ctx, temp, b.FileName); err != nil {
				return 0, err
			}
			p.crashPoint("submit:upload-renamed")
			size, err = t.Stat(ctx, b.FileName)
			if errors.Is(err, fs.ErrNotExist) {
				return p.markUploaded(ctx, b, "renamed; taken by the clearinghouse before verification")
			}
			if err != nil {
				return 0, err
			}
			if size != b.Size {
				return 0, &conflictError{name: b.FileName, want: b.Size, got: size}
			}
			p.crashPoint("submit:upload-verified")
			return p.markUploaded(ctx, b, "verified: final name present with the expected size")
		default:
			return 0, fmt.Errorf("batch in state %s cannot be uploaded", b.State)
		}
	}
}

// conflictError is a final remote name that holds something else. It is
// permanent: we never overwrite a file the clearinghouse may be reading.
type conflictError struct {
	name      string
	want, got int64
}

func (e *conflictError) Error() string {
	return fmt.Sprintf("remote %s holds %d bytes, expected %d; not overwriting", e.name, e.got, e.want)
}

func (e *conflictError) Permanent() bool { return true }

func (p *Pipeline) put(ctx context.Context, t Transport, b *Batch, temp string) error {
	f, err := os.Open(b.LocalPath)
	if err != nil {
		return fmt.Errorf("open built file: %w", err)
	}
	defer f.Close()
	return t.Put(ctx, temp, p.crashMidway(f, b.Size, "submit:upload-mid-put"), b.Size)
}

// setBatchState moves b to state s, provided it is still in its state:
// otherwise (another process, or an operator, moved it) ErrConflict.
func (p *Pipeline) setBatchState(ctx context.Context, b *Batch, s BatchState) error {
	return p.store.InTx(ctx, func(tx Tx) error {
		nb := *b
		nb.State = s
		if err := tx.UpdateBatch(ctx, &nb, b.State); err != nil {
			return err
		}
		*b = nb
		return nil
	})
}

// markUploaded records the verified upload and moves the batch's claims
// to submitted, posting their charges to the ledger on first submission
// (claimsSubmitted), in one transaction.
func (p *Pipeline) markUploaded(ctx context.Context, b *Batch, how string) (x12.Amount, error) {
	var billed x12.Amount
	err := p.store.InTx(ctx, func(tx Tx) error {
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
		if billed, err = p.claimsSubmitted(ctx, tx, b, subs, how); err != nil {
			return err
		}
		*b = nb
		return nil
	})
	return billed, err
}

// claimsSubmitted records that the claims of a file's submissions went
// out: each moves from batched to submitted, provided it is still at the
// version its submission sent (ErrConflict, moving none, otherwise), with
// an "uploaded" event, and records the submission's PCN and count. A
// claim sent for the first time records the time and has its active
// lines' charges posted to the ledger; one sent before is re-billed
// (rebillAtUpload). It returns the claims' total charge.
//
// A file carries up to thousands of claims, so it reads and changes them
// together, in a few statements rather than a few per claim; the events
// and ledger entries come in submission order, a claim's charges by line
// number, as claim-by-claim recording made them. The file's claims share
// one time, which lets the store move them in one statement per chunk.
func (p *Pipeline) claimsSubmitted(ctx context.Context, tx Tx, b *Batch, subs []*Submission, how string) (x12.Amount, error) {
	ids := make([]int64, len(subs))
	for i, s := range subs {
		ids[i] = s.ClaimID
	}
	heads, err := tx.ClaimHeads(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, ok := heads[id]; !ok {
			return 0, fmt.Errorf("claim %d of batch %d: %w", id, b.ID, ErrNotFound)
		}
	}
	now := p.now()
	evs, refs, firsts := uploadedMoves(b, subs, heads, now, how)
	if err := tx.MoveClaimVersionsWithRefs(ctx, evs, refs); err != nil {
		return 0, err
	}
	lines, err := tx.ActiveLines(ctx, firsts)
	if err != nil {
		return 0, err
	}
	var billed x12.Amount
	for _, s := range subs {
		billed += heads[s.ClaimID].TotalCharge
	}
	return billed, p.billUploaded(ctx, tx, subs, heads, lines, now)
}

// uploadedMoves returns, for each submission of file b, the move of its
// claim to submitted and the claim's new references, and the IDs of the
// claims sent for the first time.
func uploadedMoves(b *Batch, subs []*Submission, heads map[int64]ClaimHead, now time.Time, how string) ([]Event, []ClaimRefs, []int64) {
	evs := make([]Event, len(subs))
	refs := make([]ClaimRefs, len(subs))
	var firsts []int64
	for i, s := range subs {
		c := heads[s.ClaimID]
		evs[i] = Event{ClaimID: c.ID, SubmissionID: s.ID, At: now, Kind: "uploaded", From: StateBatched, To: StateSubmitted,
			SetControl: s.SetControl, Version: s.Version,
			Detail: fmt.Sprintf("%s (ISA13 %s, GS06 %s, ST02 %s): %s", b.FileName, b.ISA13, b.GS06, s.SetControl, how)}
		refs[i] = ClaimRefs{ClaimID: c.ID, PCN: s.PCN, Submissions: c.Submissions + 1}
		if c.FirstSubmittedAt.IsZero() {
			refs[i].FirstSubmitted = now
			firsts = append(firsts, c.ID)
		}
	}
	return evs, refs, firsts
}

// billUploaded posts the ledger entries of the submissions, in their
// order: the charges of the claims sent for the first time (lines holds
// their active lines), the re-billing of those sent before (rebillAtUpload).
func (p *Pipeline) billUploaded(ctx context.Context, tx Tx, subs []*Submission, heads map[int64]ClaimHead,
	lines map[int64][]ClaimLine, now time.Time) error {
	n := 0
	for _, ls := range lines {
		n += len(ls)
	}
	charges := make([]LedgerEntry, 0, n)
	for _, s := range subs {
		c := heads[s.ClaimID]
		if c.FirstSubmittedAt.IsZero() {
			charges = appendCharges(charges, c.ID, lines[c.ID], now, s.PCN)
			continue
		}
		// A claim sent before is rare: re-billed one by one, its
		// entries after the charges of the claims before it.
		if err := tx.AddEntries(ctx, charges); err != nil {
			return err
		}
		charges = charges[:0]
		full, err := tx.GetClaim(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := p.rebillAtUpload(ctx, tx, full, s); err != nil {
			return err
		}
	}
	return tx.AddEntries(ctx, charges)
}

// appendCharges appends the charge entries of a claim's first
// submission pcn to es: one per active line, in the order of lines (by
// line number, as the claim bills them).
func appendCharges(es []LedgerEntry, claimID int64, lines []ClaimLine, at time.Time, pcn string) []LedgerEntry {
	for _, l := range lines {
		es = append(es, LedgerEntry{ClaimID: claimID, LineID: l.ID, Kind: EntryCharge, Charge: l.Charge,
			At: at, Memo: "charge, submission " + pcn})
	}
	return es
}

// rebillAtUpload brings the receivables to a version sent after the
// first, unless an 835 adjudication of the claim stands: the payer's
// reversal of it will (see the package documentation).
func (p *Pipeline) rebillAtUpload(ctx context.Context, tx Tx, c *Claim, s *Submission) error {
	pays, err := tx.ClaimPayments(ctx, c.ID)
	if err != nil {
		return err
	}
	if standing(pays) > 0 {
		return nil
	}
	bals, err := tx.LineBalances(ctx, c.ID)
	if err != nil {
		return err
	}
	lines := c.Lines
	if c.VersionKind == VersionVoid {
		lines = nil
	}
	return tx.AddEntries(ctx, rebillEntries(c.ID, lines, bals, p.now(), "re-billed as "+s.PCN))
}

// uploadFailed records a failed attempt. A permanent error, or too many
// attempts, marks the batch failed and opens a work item; the file stays
// intact for an operator to retry. It reports whether the batch failed.
func (p *Pipeline) uploadFailed(ctx context.Context, pt *Partner, b *Batch, cause error) (bool, error) {
	failed := IsPermanent(cause) || b.Attempts+1 >= pt.maxAttempts()
	err := p.store.InTx(ctx, func(tx Tx) error {
		nb := *b
		nb.Attempts++
		nb.LastError = cause.Error()
		if failed {
			nb.State, nb.ResumeFrom = BatchFailed, b.State
		}
		if err := tx.UpdateBatch(ctx, &nb, b.State); err != nil {
			return err
		}
		*b = nb
		if !failed {
			return nil
		}
		_, err := tx.OpenWorkItem(ctx, &WorkItem{Key: BatchKey(b.ID), Source: SourceTransport, Code: "upload-failed",
			BatchID: b.ID, PayerID: b.PayerID, Category: "upload",
			Summary: fmt.Sprintf("batch %d (%s, %d claims) was not sent to %s; the file is intact: fix the cause, then claims batch retry %d (or claims batch cancel %d to queue its claims again)",
				b.ID, b.FileName, b.claimCount(), b.Clearinghouse, b.ID, b.ID),
			Reasons: []Reason{{Code: "upload-failed", Text: cause.Error()}}, CreatedAt: p.now()})
		return err
	})
	return failed, err
}
