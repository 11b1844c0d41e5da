package main

import (
	"bufio"
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
	var verbose, control bool
	var cpuProfile string
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
			goDefaultGC(os.Getenv)
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				defer stop()
			}
			return runClearinghouse(cmd.Context(), g.config, verbose, g.json, control, s)
		},
	}
	cmd.Flags().BoolVar(&verbose, "verbose", false, "log each file answered to standard error")
	// For "claims bench", which runs the simulator as its child: answer
	// when told, not on a timer, so that the bench can time the answers.
	cmd.Flags().BoolVar(&control, "control-stdin", false, "answer only when a line \"step\" comes on standard input; stop at its end")
	_ = cmd.Flags().MarkHidden("control-stdin")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the simulator to this file (go tool pprof)")
	_ = cmd.Flags().MarkHidden("cpuprofile")
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

func runClearinghouse(ctx context.Context, path string, verbose, asJSON, control bool, s *streams) error {
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
	// The command prints counts only: the claims' results would make its
	// memory grow with the claims of a pass.
	cfg.Sim.NoClaimResults = true
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
	run := sim.Run
	if control {
		run = func(ctx context.Context) error { return serveControl(ctx, sim, s) }
	}
	if err := run(ctx); err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintln(s.out, "Clearinghouse simulator stopped.")
	}
	return sim.Close()
}

// clearinghouseStep is what "claims clearinghouse --control-stdin" prints,
// as one JSON line, after each pass it was asked for.
type clearinghouseStep struct {
	Files     int    `json:"files"`     // 837 files taken in by the pass
	Responses int    `json:"responses"` // response files recorded by the pass
	Pending   int    `json:"pending"`   // responses and claims still to answer after it
	Error     string `json:"error,omitempty"`
}

// serveControl runs one pass (Standalone.Step) for each line "step" read
// from standard input and answers each with a clearinghouseStep line. It
// returns at the end of the input (the process that started the
// simulator is gone, or done with it) or when ctx is done.
func serveControl(ctx context.Context, sim *clearinghousesim.Standalone, s *streams) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(s.in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	enc := json.NewEncoder(s.out)
	for {
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		var st clearinghouseStep
		if line == "step" {
			rep, err := sim.Step(ctx)
			st.Files, st.Responses = rep.Files, len(rep.Outputs)
			if err == nil {
				st.Pending, _, err = sim.Pending(ctx)
			}
			if err != nil {
				st.Error = err.Error()
			}
		} else {
			st.Error = fmt.Sprintf("unknown request %q: want step", line)
		}
		if err := enc.Encode(st); err != nil {
			return err
		}
		if f, ok := s.out.(interface{ Flush() error }); ok {
			if err := f.Flush(); err != nil {
				return err
			}
		}
	}
}
