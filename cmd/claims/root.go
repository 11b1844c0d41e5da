package main

import (
	"io"
	"os"
	"os/user"

	"github.com/spf13/cobra"
)

// streams are the command's standard input and outputs.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// globals are the flags every command takes.
type globals struct {
	config string // configuration file
	dir    string // working folder of the embedded store, when there is no configuration
	json   bool   // print JSON
	user   string // who acts, for the audit trail of changes
}

const rootLong = `claims turns encounters into 5010 837P and 837I claim files, sends them to
clearinghouses over SFTP, collects the TA1, 999, 277CA and 835 responses,
posts payments to accounts receivable, and keeps a work queue of what needs a
person, from a rejected claim to a failed upload.

Every command reads a configuration file (--config FILE) or, without one, the
embedded store in a working folder (--dir D, by default ./claims-demo, the
demo's). With --json it prints JSON (snake_case keys) instead of a table.

Exit codes:
  0  done, nothing needs a person
  1  done, but a person must act (a held claim or remittance, a file that
     failed or was quarantined, a failed batch, a clearinghouse that could
     not be reached, input with errors); the output and the work queue
     ("claims queue") say what
  2  the command could not do its work (bad arguments, configuration, a
     store that cannot be opened, an interrupted run, a refused change,
     which changes nothing)`

const rootExample = `  claims demo                                   # the whole loop on the samples
  claims queue                                  # what needs a person, oldest first
  claims claim show C12-1                       # one claim: versions, timeline, ledger
  claims claim correct 12 --set subscriber.member_id=XJH448812901
  claims run --config /etc/claims/claims.yaml          # the daemon
  claims config check --config /etc/claims/claims.yaml
  claims submit --config /etc/claims/claims.yaml
  claims ar --config /etc/claims/claims.yaml --json`

func newRoot(s *streams) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "claims",
		Short:         "HIPAA X12 claims batch processor: encounters → 837 → SFTP → 999/277CA/835 → receivables",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.config, "config", "", "configuration file (YAML, or JSON)")
	pf.StringVar(&g.dir, "dir", "", "working folder of the embedded store, without --config (default ./claims-demo)")
	pf.BoolVar(&g.json, "json", false, "print JSON (snake_case keys)")
	pf.StringVar(&g.user, "user", currentUser(), "who acts, recorded with every change")
	root.AddCommand(
		newDemoCmd(s, g),
		newParseCmd(s, g),
		newValidateCmd(s, g),
		newBuildCmd(s, g),
		newARCmd(s, g),
		newSubmitCmd(s, g),
		newCollectCmd(s, g),
		newQueueCmd(s, g),
		newClaimCmd(s, g),
		newSecondaryCmd(s, g),
		newBatchCmd(s, g),
		newRemitCmd(s, g),
		newInboundCmd(s, g),
		newUserCmd(s, g),
		newServeCmd(s, g),
		newRunCmd(s, g),
		newConfigCmd(s, g),
		newClearinghouseCmd(s, g),
	)
	return root
}

// currentUser is the login name, the default actor of changes.
func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return "operator"
}

// dirOr returns the --dir folder, or def when it was not given.
func (g *globals) dirOr(def string) string {
	if g.dir != "" {
		return g.dir
	}
	return def
}
