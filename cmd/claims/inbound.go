package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

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
			a, err := g.open(cmd.Context(), s)
			if err != nil {
				return err
			}
			defer a.Close()
			var files []*pipeline.InboundFile
			for _, st := range states {
				fs, err := a.pipe.InboundFiles(cmd.Context(), st)
				if err != nil {
					return err
				}
				files = append(files, fs...)
			}
			if g.json {
				type view struct {
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
				out := make([]view, 0, len(files))
				for _, f := range files {
					out = append(out, view{f.ID, f.Clearinghouse, f.Name, f.Kind, string(f.State), f.Error, f.Size, f.SHA256,
						f.ReceivedAt.UTC().Format("2006-01-02T15:04:05Z")})
				}
				return writeJSON(s, struct {
					Files []view `json:"files"`
				}{out})
			}
			if len(files) == 0 {
				fmt.Fprintln(s.out, "No response file in those states.")
				return nil
			}
			t := newTable(s.out, "FILE", "RECEIVED", "CLEARINGHOUSE", "NAME", "KIND", "STATE", "WHY")
			for _, f := range files {
				t.row(strconv.FormatInt(f.ID, 10), when(f.ReceivedAt), f.Clearinghouse, f.Name, f.Kind, string(f.State), clip(f.Error, 100))
			}
			t.flush()
			return nil
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
			a, err := g.open(cmd.Context(), s)
			if err != nil {
				return err
			}
			defer a.Close()
			f, err := a.pipe.RetryInbound(cmd.Context(), n, g.user)
			if err != nil {
				return explain(err)
			}
			if g.json {
				return writeJSON(s, struct {
					ID    int64  `json:"id"`
					State string `json:"state"`
				}{f.ID, string(f.State)})
			}
			fmt.Fprintf(s.out, "response file %d (%s) will be applied by the next collect\n", f.ID, f.Name)
			return nil
		},
	}
	cmd.AddCommand(list, retry)
	return cmd
}
