package pipeline

import (
	"context"
	"errors"
	"fmt"
)

// SubmitReport counts what Submit did.
type SubmitReport struct {
	// Files are the encounter files taken in, and Intake their totals.
	Files  []FileIntake `json:"files,omitempty"`
	Intake IntakeReport `json:"intake"`
	Build  BuildReport  `json:"build"`
	Upload UploadReport `json:"upload"`
	// FailedBatches counts the batches that need an operator (claims
	// batch retry or cancel), from this run or an earlier one.
	FailedBatches int `json:"failed_batches"`
	// Attention lists the first AttentionListed work items opened (or
	// reopened) by this run, oldest first, and AttentionTotal counts
	// them all: a night of a million claims opens tens of thousands,
	// which the work queue shows, not the run's report.
	Attention      []*WorkItem `json:"attention,omitempty"`
	AttentionTotal int         `json:"attention_total"`
	// Cleanup counts the leftovers of an interrupted run removed first.
	Cleanup CleanupReport `json:"cleanup"`
}

// FileIntake is what intake did with one encounter file.
type FileIntake struct {
	File string `json:"file"`
	IntakeReport
}

// NeedsAttention reports whether the run left something for a person: a
// held claim or record, a work item, or a failed batch.
func (r *SubmitReport) NeedsAttention() bool {
	return r.Intake.Held > 0 || r.Build.Held > 0 || len(r.Attention) > 0 || r.FailedBatches > 0
}

// NeedsAttention reports whether the collection left something for a
// person: a file that failed or was quarantined, a held remittance,
// unapplied cash, a rejection or denial.
func (r *CollectReport) NeedsAttention() bool {
	return r.Failed > 0 || r.Responses.RemitsHeld > 0 || r.Responses.PaymentsUnapplied > 0 || len(r.Attention) > 0
}

// Submit takes in the encounter files of the feed (when one is
// configured) and builds files for every ready claim, in one pass (see
// IntakeFilesAndBuild), and uploads every built file (including files
// left over from an interrupted run). Build
// and upload run even when reading some encounter file failed, and
// upload runs even when building some file failed; the errors are
// joined. It returns ErrBusy while another Submit runs, in this process
// or another sharing the store (Store.JobLock).
func (p *Pipeline) Submit(ctx context.Context) (SubmitReport, error) {
	var rep SubmitReport
	release, err := p.takeJob(ctx, "submit")
	if err != nil {
		return rep, err
	}
	defer release()
	var errs []error
	start := p.now()
	if rep.Cleanup, err = p.Cleanup(ctx); err != nil {
		errs = append(errs, err)
	}
	if p.encounters != nil {
		err = p.IntakeFilesAndBuild(ctx, p.encounters, &rep)
	} else {
		rep.Build, err = p.Build(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		errs = append(errs, err)
	}
	if rep.Upload, err = p.Upload(ctx); err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		errs = append(errs, err)
	}
	err = p.store.InTx(ctx, func(tx Tx) error {
		failed, err := tx.BatchesInState(ctx, BatchFailed)
		rep.FailedBatches = len(failed)
		return err
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("failed batches: %w", err))
	}
	if rep.Attention, rep.AttentionTotal, err = p.attention(ctx, start); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

// intakeFeed takes in every file of feed, giving ready the new claims
// each batch made ready (see intake). A file that cannot be opened or
// read to its end is reported and the others go on; what was read of it
// is kept.
func (p *Pipeline) intakeFeed(ctx context.Context, feed EncounterFeed, rep *SubmitReport, ready func([]*Claim) error) error {
	names, err := feed.Files(ctx)
	if err != nil {
		return fmt.Errorf("encounter files: %w", err)
	}
	var errs []error
	for _, name := range names {
		src, closer, err := feed.Open(ctx, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("encounter file %s: %w", name, err))
			continue
		}
		in, err := p.intake(ctx, src, ready)
		closer.Close()
		rep.Files = append(rep.Files, FileIntake{File: name, IntakeReport: in})
		rep.Intake.add(in)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("encounter file %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
