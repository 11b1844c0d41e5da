package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CollectReport counts what Collect did.
type CollectReport struct {
	Listed     int            `json:"listed"`     // files offered by the clearinghouses
	Collected  int            `json:"collected"`  // new files stored and recorded
	Duplicates int            `json:"duplicates"` // files already in the ledger (same SHA-256)
	Processed  int            `json:"processed"`  // files applied to claims and the ledger
	Failed     int            `json:"failed"`     // files that could not be applied, or were quarantined
	Responses  ResponseReport `json:"responses"`
	// Attention lists the work items opened (or reopened) by this run.
	Attention []*WorkItem `json:"attention,omitempty"`
	// Cleanup counts the leftovers of an interrupted run removed first.
	Cleanup CleanupReport `json:"cleanup"`
}

// Collect picks up response files from every clearinghouse and applies
// them. For each offered file it downloads into the local inbox (temporary
// name, fsync, rename, mode 0600), records its SHA-256 in the inbound-file
// ledger, commits, and only then lets the clearinghouse delete or archive
// it. A file already in the ledger is skipped and cleaned up remotely.
// Then every recorded file not yet applied (from this run or an earlier,
// interrupted one) is applied; see Apply. It returns ErrBusy while
// another Collect of this Pipeline runs.
func (p *Pipeline) Collect(ctx context.Context) (CollectReport, error) {
	var rep CollectReport
	release, err := p.takeJob(ctx, "collect")
	if err != nil {
		return rep, err
	}
	defer release()
	var errs []error
	start := p.now()
	if rep.Cleanup, err = p.Cleanup(ctx); err != nil {
		errs = append(errs, err)
	}
	for _, pt := range p.partners {
		if pt.Transport == nil {
			continue
		}
		if err := p.pickup(ctx, pt, &rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("collect from %s: %w", pt.Name, err))
		}
	}
	resp, err := p.ApplyPending(ctx)
	rep.Processed, rep.Failed, rep.Responses = resp.Files, resp.FailedFiles+resp.QuarantinedFiles, resp
	if err != nil {
		errs = append(errs, err)
	}
	if rep.Attention, err = p.attention(ctx, start); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

func (p *Pipeline) pickup(ctx context.Context, pt *Partner, rep *CollectReport) error {
	files, err := pt.Transport.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, rf := range files {
		rep.Listed++
		dup, err := p.fetchOne(ctx, pt, rf)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("%s: %w", rf.Name, err))
			continue
		}
		if dup {
			rep.Duplicates++
		} else {
			rep.Collected++
		}
		// The file is safely recorded: now the clearinghouse may let
		// go of it.
		if err := pt.Transport.Done(ctx, rf.Name); err != nil {
			errs = append(errs, fmt.Errorf("%s: clean up remote file: %w", rf.Name, err))
		}
	}
	return errors.Join(errs...)
}

// fetchOne downloads one remote file into the inbox and records it. It
// reports whether the file was already in the ledger.
func (p *Pipeline) fetchOne(ctx context.Context, pt *Partner, rf RemoteFile) (bool, error) {
	dir := filepath.Join(p.inbox, pt.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("create inbox: %w", err)
	}
	af, err := createAtomic(filepath.Join(dir, rf.Name))
	if err != nil {
		return false, err
	}
	n, err := pt.Transport.Fetch(ctx, rf.Name, af)
	if err != nil {
		af.Abort()
		return false, err
	}
	if n != af.Size() {
		af.Abort()
		return false, fmt.Errorf("download wrote %d bytes, transport reported %d", af.Size(), n)
	}
	digest := af.SHA256()
	var known *InboundFile
	err = p.store.InTx(ctx, func(tx Tx) error {
		f, err := tx.InboundBySHA(ctx, digest)
		if err == nil {
			known = f
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		af.Abort()
		return false, err
	}
	if known != nil {
		af.Abort()
		return true, nil
	}
	// Store the bytes under a name that cannot collide, then record them.
	af.final = filepath.Join(dir, digest[:16]+"_"+rf.Name)
	if err := af.Commit(); err != nil {
		return false, err
	}
	rec := &InboundFile{Clearinghouse: pt.Name, Name: rf.Name, SHA256: digest, Size: n, LocalPath: af.final,
		Kind: "unknown", State: InboundReceived, ReceivedAt: p.now()}
	inserted := false
	err = p.store.InTx(ctx, func(tx Tx) error {
		var err error
		inserted, err = tx.CreateInbound(ctx, rec)
		return err
	})
	if err != nil {
		return false, err
	}
	return !inserted, nil
}
