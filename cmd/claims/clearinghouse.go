package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/internal/clearinghousesim"
)

func newClearinghouseCmd(s *streams, g *globals) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "clearinghouse",
		Short: "Run the clearinghouse simulator on its own, as an SFTP server",
		Long: `clearinghouse runs the clearinghouse simulator standalone: an SFTP server on
127.0.0.1:2222 (or the configured address) with one folder per user, each
holding inbound/ (upload 837s here) and outbound/ (TA1, 999 or 997, 277CA and
835 responses appear here). A user sees only its own folder.

It answers like a clearinghouse and its payers: envelope and syntax errors,
277CA rejections, adjudication with fee schedules, deductibles, copays,
coinsurance and denials, replacements and voids, interest and recoupments,
with realistic delays divided by timing.compression. Everything it remembers
(control numbers, payer claim numbers, deductibles, the 837s answered, the
responses still due) is kept in SQLite in state_dir: a restart, even after
a kill, never reuses a number and never answers an 837 twice.

The host key is generated on first start (host_key, mode 0600) and reused;
its SHA256 fingerprint is printed at startup, for the client to pin. Stop
with Ctrl-C or SIGTERM. The configuration keys and the faults (also
switchable at run time with a faults.yaml control file in a user's folder)
are described in the README, "Clearinghouse simulator".`,
		Example: `  claims clearinghouse --config clearinghouse.yaml
  claims clearinghouse --config clearinghouse.yaml --verbose
  claims clearinghouse --config clearinghouse.yaml --json   # one line: listen, host_key_fingerprint, ...

  # clearinghouse.yaml, the smallest useful one:
  root: mailboxes
  state_dir: state
  host_key: state/host_key
  sample_payers: true
  users:
    - name: cedarvalley
      password_hash: "$2a$10$..."   # bcrypt; "password:" for a plain test password`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config == "" {
				return &exitError{code: exitFailure, err: errors.New("clearinghouse needs --config FILE")}
			}
			return runClearinghouse(cmd.Context(), g.config, verbose, g.json, s)
		},
	}
	cmd.Flags().BoolVar(&verbose, "verbose", false, "log each file answered to standard error")
	return cmd
}

// loadClearinghouseConfig reads and decodes the simulator's configuration;
// relative paths in it are relative to the file's folder.
func loadClearinghouseConfig(path string) (*clearinghousesim.StandaloneConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return clearinghousesim.ParseStandaloneConfig(data, path, filepath.Dir(abs))
}

// clearinghouseStarted is what "claims clearinghouse --json" prints once
// it listens.
type clearinghouseStarted struct {
	Listen             string `json:"listen"`
	HostKeyFingerprint string `json:"host_key_fingerprint"`
	Users              int    `json:"users"`
	Root               string `json:"root"`
	State              string `json:"state"`
}

func runClearinghouse(ctx context.Context, path string, verbose, asJSON bool, s *streams) error {
	cfg, err := loadClearinghouseConfig(path)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	log := zap.NewNop()
	if verbose {
		if log, err = newLogger("info", "console", s.err); err != nil {
			return err
		}
	}
	defer log.Sync() //nolint:errcheck // best effort at exit
	sim, err := clearinghousesim.StartStandalone(ctx, cfg, nil, log)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	defer sim.Close()
	started := clearinghouseStarted{Listen: sim.Addr(), HostKeyFingerprint: sim.HostKeyFingerprint(), Users: len(cfg.Users),
		Root: cfg.Root, State: sim.Store().Path()}
	if asJSON {
		if err := json.NewEncoder(s.out).Encode(started); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(s.out, "Clearinghouse simulator listening on %s\n  host key %s\n  users    %d, folders under %s\n  state    %s\nStop with Ctrl-C.\n",
			started.Listen, started.HostKeyFingerprint, started.Users, started.Root, started.State)
	}
	if f, ok := s.out.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	if err := sim.Run(ctx); err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintln(s.out, "Clearinghouse simulator stopped.")
	}
	return sim.Close()
}
