package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

func newBatchCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batch",
		Short: "List outbound 837 files, and retry or cancel one that failed",
		Long: `A batch is one 837 file: built, then uploaded with the verified protocol
(temporary name, rename, size check). A batch that fails for good (host key
changed, permission denied, a different file under its name) is marked
failed with a work item; its claims wait. Fix the cause, then "batch retry".
When the file can never be sent as it is, "batch cancel" queues its claims
again under new versions.`,
		Example: `  claims batch list
  claims batch retry 7
  claims batch cancel 7 --note "clearinghouse account closed"`,
	}
	cmd.AddCommand(newBatchListCmd(s, g), newBatchRetryCmd(s, g), newBatchCancelCmd(s, g))
	return cmd
}

func newBatchListCmd(s *streams, g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List batches, newest first",
		Example: "  claims batch list --limit 20\n  claims batch list --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				bs, err := a.pipe.Batches(ctx, limit)
				if err != nil {
					return err
				}
				out := make([]batchView, 0, len(bs))
				for _, b := range bs {
					out = append(out, viewBatch(b))
				}
				return g.print(s, struct {
					Batches []batchView `json:"batches"`
				}{out}, func() { writeBatches(s, bs) })
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many batches (0: all)")
	return cmd
}

func writeBatches(s *streams, bs []*pipeline.Batch) {
	if len(bs) == 0 {
		fmt.Fprintln(s.out, "No batches yet.")
		return
	}
	t := newTable(s.out, "BATCH", "CREATED", "CLEARINGHOUSE", "KIND", "FILE", "ISA13", "CLAIMS", "STATE", "ATTEMPTS", "UPLOADED", "LAST ERROR")
	for _, b := range bs {
		t.row(strconv.FormatInt(b.ID, 10), when(b.CreatedAt), b.Clearinghouse, string(b.Kind), b.FileName, b.ISA13,
			strconv.Itoa(viewBatch(b).Claims), string(b.State), strconv.Itoa(b.Attempts), when(b.UploadedAt), clip(b.LastError, 80))
	}
	t.flush()
}

// batchView is a batch as the CLI prints it in JSON.
type batchView struct {
	ID            int64               `json:"id"`
	Clearinghouse string              `json:"clearinghouse"`
	Kind          string              `json:"kind"`
	PayerID       string              `json:"payer_id,omitempty"`
	FileName      string              `json:"file_name"`
	ISA13         string              `json:"isa13"`
	GS06          string              `json:"gs06"`
	Sets          []pipeline.BatchSet `json:"sets"`
	Claims        int                 `json:"claims"`
	Size          int64               `json:"size"`
	SHA256        string              `json:"sha256"`
	State         pipeline.BatchState `json:"state"`
	Attempts      int                 `json:"attempts"`
	LastError     string              `json:"last_error,omitempty"`
	CreatedAt     string              `json:"created_at"`
	UploadedAt    string              `json:"uploaded_at,omitempty"`
}

func viewBatch(b *pipeline.Batch) batchView {
	v := batchView{ID: b.ID, Clearinghouse: b.Clearinghouse, Kind: string(b.Kind), PayerID: b.PayerID, FileName: b.FileName,
		ISA13: b.ISA13, GS06: b.GS06, Sets: b.Sets, Size: b.Size, SHA256: b.SHA256, State: b.State, Attempts: b.Attempts,
		LastError: b.LastError, CreatedAt: b.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if !b.UploadedAt.IsZero() {
		v.UploadedAt = b.UploadedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if v.Sets == nil {
		v.Sets = []pipeline.BatchSet{}
	}
	for _, st := range b.Sets {
		v.Claims += st.Claims
	}
	return v
}

func newBatchRetryCmd(s *streams, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "retry BATCH",
		Short: "Upload a failed batch again, after its cause was fixed",
		Long: `retry checks that the built file is intact and uploads it again with the
verified protocol, asking the server first whether an earlier attempt already
landed it (so that it is never sent twice). It needs --config (the transport).
Exit code 1 when it fails again (the batch stays failed, with the new cause).`,
		Example: "  claims batch retry 7 --config /etc/claims/claims.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("batch", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				b, err := a.pipe.RetryBatch(ctx, n, g.user)
				if b == nil {
					return explain(err)
				}
				if perr := g.print(s, viewBatch(b), func() { fmt.Fprintf(s.out, "batch %d (%s): %s\n", b.ID, b.FileName, b.State) }); perr != nil {
					return perr
				}
				if err != nil {
					// The upload was tried, and failed again (or was
					// interrupted).
					a.log.Warn("batch retry failed", zap.Int64("batch_id", b.ID), zap.String("state", string(b.State)))
					return ranWith(ctx, err, true)
				}
				return nil
			})
		},
	}
}

func newBatchCancelCmd(s *streams, g *globals) *cobra.Command {
	var note string
	var force bool
	cmd := &cobra.Command{
		Use:   "cancel BATCH --note TEXT",
		Short: "Give up on a failed batch and queue its claims again",
		Long: `cancel gives up on a batch that failed (or was built and not sent): each of
its claims gets a new version, the same content under a new CLM01, queued for
the next submit. The clearinghouse is asked first whether it holds the file
under its final name (then the batch was sent: retry it instead); when it
cannot be asked (it is gone, or --dir has no transport), --force cancels
anyway.`,
		Example: `  claims batch cancel 7 --note "file lost with the old server"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("batch", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				b, err := a.pipe.CancelBatch(ctx, n, g.user, note, force)
				if err != nil {
					return explain(err)
				}
				return g.print(s, viewBatch(b), func() {
					fmt.Fprintf(s.out, "batch %d canceled; its claims are queued again under new versions\n", b.ID)
				})
			})
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why (required)")
	cmd.Flags().BoolVar(&force, "force", false, "cancel without asking the clearinghouse whether it holds the file")
	return cmd
}
