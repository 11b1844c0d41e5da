package main

import (
	"io"

	"github.com/spf13/cobra"
)

// streams are the command's standard input and outputs.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

func newRoot(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "claims",
		Short:         "HIPAA X12 claims batch processor: encounters → 837 → SFTP → 999/277CA/835 → receivables",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newDemoCmd(s),
		newParseCmd(s),
		newValidateCmd(s),
		newBuildCmd(s),
		newARCmd(s),
		newSubmitCmd(s),
		newCollectCmd(s),
	)
	return root
}
