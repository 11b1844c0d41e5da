package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

// inboundView is a response file as the CLI prints it.
type inboundView struct {
	ID            int64  `json:"id"`
	Clearinghouse string `json:"clearinghouse"`
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	State         string `json:"state"`
	Error         string `json:"error,omitempty"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
	ReceivedAt    string `json:"received_at"`
}

func writeInbound(s *streams, files []*pipeline.InboundFile) {
	if len(files) == 0 {
		fmt.Fprintln(s.out, "No response file in those states.")
		return
	}
	t := newTable(s.out, "FILE", "RECEIVED", "CLEARINGHOUSE", "NAME", "KIND", "STATE", "WHY")
	for _, f := range files {
		t.row(strconv.FormatInt(f.ID, 10), when(f.ReceivedAt), f.Clearinghouse, f.Name, f.Kind, string(f.State), clip(f.Error, 100))
	}
	t.flush()
}

func newInboundCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inbound",
		Short: "List response files that failed or were quarantined, and retry one",
		Long: `Every response file collected is kept, by its SHA-256, and applied once. A
file that cannot be read or applied is "failed"; one that is not addressed to
us (another sender or receiver, or a test file under a production
configuration) is "quarantined" and nothing in it is applied. Both have a
work item. When the cause is fixed (a configuration that now lists the
clearinghouse's sender ID, a corrected code), "inbound retry" applies the file
with the next collect; sets already applied are not applied twice.`,
		Example: "  claims inbound list\n  claims inbound retry 31",
	}
	var state string
	list := &cobra.Command{
		Use:   "list",
		Short: "List response files in a state (default: failed and quarantined)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			states := []pipeline.InboundState{pipeline.InboundFailed, pipeline.InboundQuarantined}
			if state != "" {
				states = []pipeline.InboundState{pipeline.InboundState(state)}
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				var files []*pipeline.InboundFile
				for _, st := range states {
					fs, err := a.pipe.InboundFiles(ctx, st)
					if err != nil {
						return err
					}
					files = append(files, fs...)
				}
				out := make([]inboundView, 0, len(files))
				for _, f := range files {
					out = append(out, inboundView{f.ID, f.Clearinghouse, f.Name, f.Kind, string(f.State), f.Error, f.Size, f.SHA256,
						f.ReceivedAt.UTC().Format(time.RFC3339)})
				}
				return g.print(s, struct {
					Files []inboundView `json:"files"`
				}{out}, func() { writeInbound(s, files) })
			})
		},
	}
	list.Flags().StringVar(&state, "state", "", "received, processed, failed or quarantined")
	retry := &cobra.Command{
		Use:     "retry FILE",
		Short:   "Apply a failed or quarantined response file again with the next collect",
		Example: "  claims inbound retry 31",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("file", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				f, err := a.pipe.RetryInbound(ctx, n, g.user)
				if err != nil {
					return explain(err)
				}
				return g.print(s, struct {
					ID    int64  `json:"id"`
					State string `json:"state"`
				}{f.ID, string(f.State)}, func() {
					fmt.Fprintf(s.out, "response file %d (%s) will be applied by the next collect\n", f.ID, f.Name)
				})
			})
		},
	}
	cmd.AddCommand(list, retry)
	return cmd
}
