package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap/zapcore"

	"github.com/x12claims/claims/configs"
)

func newConfigCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check a configuration file and show what it configures",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigCheckCmd(s, g))
	return cmd
}

func newConfigCheckCmd(s *streams, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check --config FILE",
		Short: "Validate a configuration and print it with its defaults, secrets masked",
		Long: `check reads the configuration file (YAML, or JSON, which is YAML too) over the
embedded defaults and checks everything that can be checked without the
network: unknown keys, values of the wrong type, ports, addresses, cron
schedules and their CRON_TZ zones, durations, files that must exist and be
readable (SSH keys, known_hosts, password and passphrase files, TLS files),
that an encrypted key opens with its passphrase, environment variables that
must be set (password_env, key_passphrase_env, store.url_env), combinations
such as after_pickup "move" without archive_dir, and CLAIMS_LOG_LEVEL.

Every problem is listed at once, one per line, with its key path and its
line in the file, and the exit code is 2. When there is none, check prints
the effective configuration (defaults applied) as YAML, or JSON with --json,
with every value of a key named like a secret (password, passphrase,
secret, token) and any password in a URL masked, and exits 0. With --json,
problems are also printed to standard output as {"file", "valid": false,
"problems": [{"path", "line", "message"}]}.

submit, collect, run and serve load the configuration the same way and stop
with the same messages (exit 2).`,
		Example: `  claims config check --config /etc/claims/claims.yaml
  claims config check --config claims.yaml --json | jq '.clearinghouses[0].overdue'
  CLAIMS_AVAILITY_KEY_PASSPHRASE=... claims config check --config claims.yaml > effective.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config == "" {
				return errors.New("config check needs --config FILE")
			}
			cfg, probs, err := checkConfig(g.config)
			if err != nil {
				return err
			}
			if len(probs) > 0 {
				if g.json {
					if err := writeJSON(s, map[string]any{"file": g.config, "valid": false, "problems": probs}); err != nil {
						return err
					}
				}
				return &exitError{code: exitFailure, err: &configs.Error{File: g.config, Problems: probs}}
			}
			out, err := cfg.Render(g.json)
			if err != nil {
				return err
			}
			if _, err := s.out.Write(out); err != nil {
				return err
			}
			fmt.Fprintf(s.err, "config %s: valid\n", g.config)
			return nil
		},
	}
}

// checkConfig loads the configuration at file and returns it with every
// problem found: those of configs.Load, those the transports' own checks
// find in what the configuration gives them, and a bad CLAIMS_LOG_LEVEL.
// err is for a failure that is not a problem of the file.
func checkConfig(file string) (*configs.Config, []*configs.Problem, error) {
	var probs []*configs.Problem
	cfg, err := configs.Load(file)
	if err != nil {
		var cerr *configs.Error
		if !errors.As(err, &cerr) {
			return nil, nil, err
		}
		probs = append(probs, cerr.Problems...)
	}
	if cfg != nil {
		probs = append(probs, transportProblems(cfg)...)
	}
	if v := logLevel(""); v != "" {
		var lvl zapcore.Level
		if err := lvl.UnmarshalText([]byte(v)); err != nil || lvl > zapcore.ErrorLevel {
			probs = append(probs, &configs.Problem{Path: "CLAIMS_LOG_LEVEL", Message: fmt.Sprintf("%q is not debug, info, warn or error", v)})
		}
	}
	return cfg, probs, nil
}

// transportProblems runs the SFTP and local-folder adapters' checks on the
// configuration wire.go gives them (they read no file and no network).
// configs.Load checks the same things first, with key paths: this catches
// what the two might come to disagree on.
func transportProblems(cfg *configs.Config) []*configs.Problem {
	var probs []*configs.Problem
	for i, ch := range cfg.Clearinghouses {
		var path string
		var err error
		switch {
		case ch.Transport.Type == "sftp" && ch.Transport.SFTP != nil:
			path, err = fmt.Sprintf("clearinghouses[%d].transport.sftp", i), sftpConfig(ch).Validate()
		case ch.Transport.Type == "localdir" && ch.Transport.LocalDir != nil:
			path, err = fmt.Sprintf("clearinghouses[%d].transport.localdir", i), localdirConfig(ch).Validate()
		}
		if err == nil {
			continue
		}
		msg := err.Error()
		if strings.HasPrefix(msg, "sftp config \"") || strings.HasPrefix(msg, "localdir config \"") {
			if _, rest, ok := strings.Cut(msg, "\": "); ok {
				msg = rest
			}
		}
		for _, line := range strings.Split(msg, "\n") {
			probs = append(probs, &configs.Problem{Path: path, Message: line})
		}
	}
	return probs
}
