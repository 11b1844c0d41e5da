package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Batches returns up to limit batches, newest first (all when limit is 0).
func (p *Pipeline) Batches(ctx context.Context, limit int) ([]*Batch, error) {
	var bs []*Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		bs, err = tx.RecentBatches(ctx, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("batches: %w", err)
	}
	return bs, nil
}

// RetryBatch uploads a failed batch again, after an operator fixed the
// cause (a host key pinned again, a permission granted, a stale remote
// file removed): it checks that the built file is intact, resets the
// batch's attempts, and runs the upload protocol from the point that
// first asks the server what it holds, so that a file that did land is
// not sent twice. On success the batch's claims are submitted and its
// work item closes; on failure the batch is failed again with the new
// cause. It refuses a batch that is not failed (ErrConflict) and returns
// ErrNotFound for an unknown one.
func (p *Pipeline) RetryBatch(ctx context.Context, id int64, actor string) (*Batch, error) {
	var b *Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if b, err = tx.GetBatch(ctx, id); err != nil {
			return err
		}
		if b.State != BatchFailed {
			return fmt.Errorf("batch %d is %s, not failed: %s: %w", id, b.State, batchHint(b.State), ErrConflict)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pt := p.byName[b.Clearinghouse]
	if pt == nil || pt.Transport == nil {
		return nil, fmt.Errorf("batch %d: clearinghouse %q has no transport configured", id, b.Clearinghouse)
	}
	if err := checkBuilt(b); err != nil {
		return nil, fmt.Errorf("batch %d: %w; cancel the batch to queue its claims again (claims batch cancel %d)", id, err, id)
	}
	// Under the batch's lease, so that no instance uploads it at the
	// same time once it leaves the failed state.
	err = p.withLease(ctx, LeaseUpload, id, func(ctx context.Context) error { return p.retryBatch(ctx, pt, b, actor) })
	if errors.Is(err, errLeased) || errors.Is(err, errLeaseLost) {
		return b, fmt.Errorf("batch %d is being uploaded by another instance: %w", id, ErrConflict)
	}
	return b, err
}

// retryBatch moves a failed batch back to the step it failed at and runs
// the upload protocol from there.
func (p *Pipeline) retryBatch(ctx context.Context, pt *Partner, b *Batch, actor string) error {
	id := b.ID
	err := p.store.InTx(ctx, func(tx Tx) error {
		nb := *b
		// From the step it failed at: a batch renamed on the server
		// before it failed is verified, not sent again.
		nb.State, nb.Attempts, nb.ResumeFrom = BatchUploading, 0, ""
		if b.ResumeFrom == BatchStaged {
			nb.State = BatchStaged
		}
		if err := tx.UpdateBatch(ctx, &nb, BatchFailed); err != nil {
			return err
		}
		*b = nb
		return p.batchEvent(ctx, tx, b, "batch-retry", actor, fmt.Sprintf("batch %d (%s) retried by %s after: %s", b.ID, b.FileName, actor, b.LastError))
	})
	if err != nil {
		return err
	}
	if _, err := p.uploadBatch(ctx, pt, b); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		failed, ferr := p.uploadFailed(ctx, pt, b, err)
		if ferr != nil {
			return ferr
		}
		if !failed {
			return fmt.Errorf("batch %d: upload failed again (%w); the next submit tries again", id, err)
		}
		return fmt.Errorf("batch %d: upload failed again: %w", id, err)
	}
	return nil
}

// CancelBatch gives up on a batch that failed (or was built and never
// sent): the batch is canceled and each of its claims gets a new version,
// the same content under a new CLM01, queued for the next submission. Use
// it when the file can never be sent as it is (the clearinghouse is gone,
// the file was lost). It refuses a batch in any other state.
//
// A failed batch may have landed before it failed (the size check after
// the rename failed, say): unless force is set, the clearinghouse is
// asked first, and the cancel is refused when it holds the file under
// its final name, or cannot be asked.
func (p *Pipeline) CancelBatch(ctx context.Context, id int64, actor, note string, force bool) (*Batch, error) {
	if strings.TrimSpace(note) == "" {
		return nil, invalid("cancel: a note saying why is required")
	}
	var b *Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		b, err = tx.GetBatch(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	seen := b.State
	if seen == BatchFailed && !force {
		if err := p.notOnServer(ctx, b); err != nil {
			return nil, err
		}
	}
	err = p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if b, err = tx.GetBatch(ctx, id); err != nil {
			return err
		}
		if b.State != BatchFailed && b.State != BatchBuilt {
			return fmt.Errorf("batch %d is %s: only a failed batch, or one built and not sent, can be canceled: %w", id, b.State, ErrConflict)
		}
		if b.State != seen {
			// A run took it meanwhile (and may have sent it): look
			// again.
			return fmt.Errorf("batch %d went from %s to %s meanwhile; look at it again: %w", id, seen, b.State, ErrConflict)
		}
		nb := *b
		nb.State = BatchCanceled
		if err := tx.UpdateBatch(ctx, &nb, b.State); err != nil {
			return err
		}
		*b = nb
		if err := p.audit(ctx, tx, actor, "batch.cancel", 0, fmt.Sprintf("batch:%d", b.ID), note); err != nil {
			return err
		}
		subs, err := tx.SubmissionsInBatch(ctx, b.ID, "")
		if err != nil {
			return err
		}
		for _, s := range subs {
			c, err := tx.GetClaim(ctx, s.ClaimID)
			if err != nil {
				return err
			}
			if c.State != StateBatched || c.Version != s.Version {
				continue
			}
			if _, err := p.revise(ctx, tx, c, VersionResubmission, c.Data, nil, actor,
				fmt.Sprintf("batch %d canceled: %s", b.ID, note), true); err != nil {
				return err
			}
		}
		_, err = tx.CloseWorkItems(ctx, BatchKey(b.ID), actor, "batch canceled, its claims queued again: "+note)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// notOnServer makes sure the clearinghouse does not hold a batch's file
// under its final name, so that canceling it cannot send its claims
// twice.
func (p *Pipeline) notOnServer(ctx context.Context, b *Batch) error {
	pt := p.byName[b.Clearinghouse]
	if pt == nil || pt.Transport == nil {
		return fmt.Errorf("batch %d: clearinghouse %q cannot be asked whether it holds %s (no transport configured); "+
			"cancel with --force if you know it does not: %w", b.ID, b.Clearinghouse, b.FileName, ErrConflict)
	}
	if b.ResumeFrom == BatchStaged {
		return fmt.Errorf("batch %d failed after its file was staged on the clearinghouse, which may have taken it already; "+
			"retry the batch (claims batch retry %d), which finds out, or cancel with --force if you know it was not taken: %w",
			b.ID, b.ID, ErrConflict)
	}
	size, err := pt.Transport.Stat(ctx, b.FileName)
	switch {
	case err == nil && size == b.Size:
		return fmt.Errorf("batch %d: the clearinghouse holds %s with its size: it was sent; "+
			"retry the batch to record it (claims batch retry %d): %w", b.ID, b.FileName, b.ID, ErrConflict)
	case err == nil, errors.Is(err, fs.ErrNotExist):
		return nil // absent, or another file under the name
	}
	return fmt.Errorf("batch %d: the clearinghouse cannot be asked whether it holds %s (%w); "+
		"cancel with --force if you know it does not", b.ID, b.FileName, err)
}

func batchHint(s BatchState) string {
	switch s {
	case BatchBuilt, BatchUploading, BatchStaged:
		return "the next submit uploads it"
	case BatchUploaded:
		return "it was uploaded"
	case BatchCanceled:
		return "it was canceled and its claims queued again"
	}
	return "nothing to retry"
}

// checkBuilt checks that a batch's local file is still what was built.
func checkBuilt(b *Batch) error {
	f, err := os.Open(b.LocalPath)
	if err != nil {
		return fmt.Errorf("the built file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("read the built file: %w", err)
	}
	if n != b.Size || hex.EncodeToString(h.Sum(nil)) != b.SHA256 {
		return fmt.Errorf("the built file %s changed since it was built (%d bytes, expected %d)", b.LocalPath, n, b.Size)
	}
	return nil
}

// batchEvent records an event on every claim of a batch.
func (p *Pipeline) batchEvent(ctx context.Context, tx Tx, b *Batch, kind, actor, detail string) error {
	if err := p.audit(ctx, tx, actor, strings.Replace(kind, "-", ".", 1), 0, fmt.Sprintf("batch:%d", b.ID), detail); err != nil {
		return err
	}
	subs, err := tx.SubmissionsInBatch(ctx, b.ID, "")
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := tx.AddEvent(ctx, Event{ClaimID: s.ClaimID, SubmissionID: s.ID, Version: s.Version, At: p.now(), Kind: kind,
			Actor: actor, Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

// LeftoverAge is how old (by the file system's clock) a temporary file,
// or a built file no batch records, must be before Cleanup removes it:
// younger ones may belong to a run going on in another process.
const LeftoverAge = time.Minute

// CleanupReport counts what Cleanup removed.
type CleanupReport struct {
	Temporary int `json:"temporary"` // temporary files of interrupted writes and downloads
	Orphans   int `json:"orphans"`   // built files no batch records (a crash before the batch was recorded)
}

// Cleanup removes the pipeline's own leftovers of an interrupted run:
// temporary files in the outbox and the inbox, and files in the outbox
// that no batch records, once older than LeftoverAge. Submit and Collect
// run it first.
func (p *Pipeline) Cleanup(ctx context.Context) (CleanupReport, error) {
	var rep CleanupReport
	old := func(fi os.FileInfo) bool { return time.Since(fi.ModTime()) >= LeftoverAge }
	var candidates []string
	var errs []error
	err := filepath.WalkDir(p.outbox, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if d.IsDir() {
			if path != p.outbox {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil || !fi.Mode().IsRegular() || !old(fi) {
			return nil
		}
		if isTemp(d.Name()) {
			if err := os.Remove(path); err == nil {
				rep.Temporary++
			} else {
				errs = append(errs, err)
			}
			return nil
		}
		candidates = append(candidates, path)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(candidates) > 0 {
		// By name: the outbox may be reached by another path than the
		// one a batch recorded (a symbolic link, a relative folder).
		names := make([]string, len(candidates))
		for i, path := range candidates {
			names[i] = filepath.Base(path)
		}
		var owned map[string]int64
		err := p.store.InTx(ctx, func(tx Tx) error {
			var err error
			owned, err = tx.BatchesByName(ctx, names)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("cleanup: %w", err)
		}
		for _, path := range candidates {
			if _, ok := owned[filepath.Base(path)]; ok {
				continue
			}
			if err := os.Remove(path); err == nil {
				rep.Orphans++
			} else {
				errs = append(errs, err)
			}
		}
	}
	err = filepath.WalkDir(p.inbox, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if d.IsDir() || !isTemp(d.Name()) {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() && old(fi) {
			if err := os.Remove(path); err == nil {
				rep.Temporary++
			} else {
				errs = append(errs, err)
			}
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("cleanup: %w", errors.Join(errs...))
	}
	return rep, nil
}

// isTemp reports whether a name is one createAtomic gives its temporary
// files: ".<final name>.<random>.tmp".
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")
}

// BatchView is an outbound batch with what became of its claims.
type BatchView struct {
	*Batch
	// Claims counts the claims it carried by their state now (or
	// "superseded" when a later version was made since).
	Claims map[ClaimState]int
}

// BatchOverview returns up to limit batches, newest first, each with
// the states of its claims: the outcome of its acknowledgments.
func (p *Pipeline) BatchOverview(ctx context.Context, limit int) ([]BatchView, error) {
	var out []BatchView
	err := p.store.InTx(ctx, func(tx Tx) error {
		bs, err := tx.RecentBatches(ctx, limit)
		if err != nil {
			return err
		}
		ids := make([]int64, len(bs))
		for i, b := range bs {
			ids[i] = b.ID
		}
		states, err := tx.BatchClaimStates(ctx, ids)
		if err != nil {
			return err
		}
		for _, b := range bs {
			out = append(out, BatchView{Batch: b, Claims: states[b.ID]})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("batches: %w", err)
	}
	return out, nil
}

// RecentInbound returns up to limit response files, newest first.
func (p *Pipeline) RecentInbound(ctx context.Context, limit int) ([]*InboundFile, error) {
	var fs []*InboundFile
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		fs, err = tx.RecentInbound(ctx, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("response files: %w", err)
	}
	return fs, nil
}
