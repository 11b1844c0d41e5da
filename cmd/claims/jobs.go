package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

func newSubmitCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit --config FILE",
		Short: "Read the configured encounter files, scrub them, build 837 files and upload them",
		Long: `submit runs the submission half of the nightly job from a configuration file:
it reads every encounter file the configuration names (paths or globs), holds
back what the scrubber rejects, takes a changed encounter as a correction,
builds 837 files for every claim queued (new claims and corrected versions)
and uploads them to their clearinghouses with the verified, crash-safe
protocol. It also finishes uploads an interrupted run left behind, and first
removes the leftovers of an interrupted run (temporary files, built files no
batch records).

It prints a report (JSON with --json) and logs to standard error: claim,
batch and file IDs only, never patient data. Every held claim and failed
batch is logged at warn level. The exit code is 1 when something needs a
person: a claim held this run, a work item opened, or a batch that failed
(this run or before; see "claims batch list").`,
		Example: "  claims submit --config /etc/claims/claims.yaml\n  claims submit --config claims.yaml --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config == "" {
				return errors.New("submit needs --config FILE (the clearinghouses and where the encounter files are)")
			}
			a, err := g.open(cmd.Context(), s)
			if err != nil {
				return err
			}
			defer a.Close()
			rep, err := runSubmit(cmd.Context(), a.pipe, a.log)
			if jerr := printSubmit(s, g, &rep); jerr != nil {
				return jerr
			}
			return ranWith(cmd.Context(), err, rep.NeedsAttention())
		},
	}
	return cmd
}

func printSubmit(s *streams, g *globals, rep *pipeline.SubmitReport) error {
	if g.json {
		return writeJSON(s, rep)
	}
	in := rep.Intake
	fmt.Fprintf(s.out, "Intake: %d read, %d new claim(s), %d held, %d unchanged, %d updated (%d corrected, %d left for a person)\n",
		in.Read, in.Accepted, in.Held, in.Unchanged, in.Updated, in.Corrected, in.Conflicts)
	printIntake(s.out, &in)
	fmt.Fprintf(s.out, "Built %d file(s) with %d claim(s); uploaded %d file(s) with %d claim(s), billed %s",
		rep.Build.Files, rep.Build.Claims, rep.Upload.Uploaded, rep.Upload.ClaimsSent, rep.Upload.Billed)
	if rep.Upload.Pending > 0 {
		fmt.Fprintf(s.out, "; %d to retry next run", rep.Upload.Pending)
	}
	fmt.Fprintln(s.out)
	if rep.FailedBatches > 0 {
		fmt.Fprintf(s.out, "%d batch(es) failed and wait for an operator: claims batch list\n", rep.FailedBatches)
	}
	printAttention(s, rep.Attention, rep.AttentionTotal)
	return nil
}

func newCollectCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect --config FILE",
		Short: "Pick up TA1/999/277CA/835 responses and apply them: claim states, work queue, 835 posting",
		Long: `collect downloads the clearinghouses' response files (recording each by its
SHA-256 before the clearinghouse may delete it), then applies every file not
yet applied: TA1s first, then 999s, 277CAs and 835s, whatever their names.
Files not addressed to us (sender, receiver, or a test file under a production
configuration) are quarantined. 835s post after balancing; claim payments that
match no claim become unapplied cash.

The exit code is 1 when something needs a person: a file failed or was
quarantined, a remittance was held, cash was left unapplied, or a claim was
rejected or denied (see "claims queue").`,
		Example: "  claims collect --config /etc/claims/claims.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config == "" {
				return errors.New("collect needs --config FILE (the clearinghouses)")
			}
			a, err := g.open(cmd.Context(), s)
			if err != nil {
				return err
			}
			defer a.Close()
			rep, err := runCollect(cmd.Context(), a.pipe, a.log)
			r := rep.Responses
			if g.json {
				if jerr := writeJSON(s, rep); jerr != nil {
					return jerr
				}
			} else {
				fmt.Fprintf(s.out, "Collected %d new file(s) (%d seen before, %d still being written, %d unreadable); applied %d, failed %d, quarantined %d\n",
					rep.Collected, rep.Duplicates, rep.NotSettled, rep.Rejected, r.Files, r.FailedFiles, r.QuarantinedFiles)
				fmt.Fprintf(s.out, "Claims accepted %d, rejected %d; remittances posted %d (%s), held %d; unapplied %d (%s)\n",
					r.ClaimsAccepted, r.ClaimsRejected, r.RemitsPosted, r.AmountPaid, r.RemitsHeld, r.PaymentsUnapplied, r.AmountUnapplied)
				printAttention(s, rep.Attention, rep.AttentionTotal)
			}
			return ranWith(cmd.Context(), err, rep.NeedsAttention())
		},
	}
	return cmd
}

// runSubmit runs the submit job and logs what it did, for the one-shot
// command and the daemon alike.
func runSubmit(ctx context.Context, p *pipeline.Pipeline, log *zap.Logger) (pipeline.SubmitReport, error) {
	rep, err := p.Submit(ctx)
	for _, in := range rep.Files {
		log.Info("intake", zap.String("file", in.File), zap.Int("read", in.Read), zap.Int("accepted", in.Accepted),
			zap.Int("held", in.Held), zap.Int("warned", in.WarnedClaims), zap.Int("unchanged", in.Unchanged), zap.Int("updated", in.Updated),
			zap.Int("corrected", in.Corrected), zap.Int("conflicts", in.Conflicts))
	}
	log.Info("submit", zap.Int("files_built", rep.Build.Files), zap.Int("claims_built", rep.Build.Claims),
		zap.Int("files_uploaded", rep.Upload.Uploaded), zap.Int("claims_sent", rep.Upload.ClaimsSent),
		zap.Int("upload_pending", rep.Upload.Pending), zap.Int("upload_failed", rep.Upload.Failed),
		zap.Int("batches_failed", rep.FailedBatches), zap.Int("leftovers_removed", rep.Cleanup.Temporary+rep.Cleanup.Orphans))
	logAttention(log, rep.Attention, rep.AttentionTotal)
	return rep, err
}

// runCollect runs the collect job and logs what it did.
func runCollect(ctx context.Context, p *pipeline.Pipeline, log *zap.Logger) (pipeline.CollectReport, error) {
	rep, err := p.Collect(ctx)
	r := rep.Responses
	log.Info("collect", zap.Int("listed", rep.Listed), zap.Int("collected", rep.Collected),
		zap.Int("not_settled", rep.NotSettled), zap.Int("rejected", rep.Rejected),
		zap.Int("duplicates", rep.Duplicates), zap.Int("applied", rep.Processed), zap.Int("failed", r.FailedFiles),
		zap.Int("quarantined", r.QuarantinedFiles), zap.Int("remittances_posted", r.RemitsPosted),
		zap.Int("remittances_held", r.RemitsHeld), zap.Int("payments_unapplied", r.PaymentsUnapplied))
	logAttention(log, rep.Attention, rep.AttentionTotal)
	return rep, err
}

// logAttention logs at warn level each work item a run left that its
// report lists, with IDs and codes only, then how many there are in all
// when the report lists only the first (pipeline.AttentionListed).
func logAttention(log *zap.Logger, items []*pipeline.WorkItem, total int) {
	for _, w := range items {
		log.Warn("needs attention", zap.Int64("work_item", w.ID), zap.String("source", string(w.Source)),
			zap.String("code", w.Code), zap.Int64("claim_id", w.ClaimID), zap.Int("version", w.Version),
			zap.Int64("batch_id", w.BatchID), zap.Int64("file_id", w.InboundFileID), zap.Int64("remittance_id", w.RemittanceID))
	}
	if total > len(items) {
		log.Warn("needs attention, in all", zap.Int("work_items", total), zap.Int("logged", len(items)))
	}
}

func printAttention(s *streams, items []*pipeline.WorkItem, total int) {
	if total == 0 {
		return
	}
	fmt.Fprintf(s.out, "\n%d work item(s) need a person (claims queue):\n", total)
	for _, w := range items {
		fmt.Fprintf(s.out, "  #%d %s [%s] %s\n", w.ID, w.Source, w.Code, clip(w.Summary, 140))
	}
	if more := total - len(items); more > 0 {
		fmt.Fprintf(s.out, "  … and %d more: claims queue\n", more)
	}
}

// ranWith is the outcome of a job that ran: its errors (a file that could
// not be read, a batch that failed, a clearinghouse that could not be
// reached) come after work that was done and recorded, so they exit 1,
// as does a run that left something for a person; an interrupted run,
// or one that did not start because another runs, exits 2.
func ranWith(ctx context.Context, err error, attention bool) error {
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case errors.Is(err, pipeline.ErrBusy):
		return fmt.Errorf("%w; nothing was done: run it again when that one has finished", err)
	case err != nil:
		return problems(err)
	case attention:
		return errAttention
	}
	return nil
}
