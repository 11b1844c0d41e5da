package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/adapters/encounters"
)

func newSubmitCmd(s *streams) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "submit --config FILE",
		Short: "Read the configured encounter files, scrub them, build 837 files and upload them",
		Long: `submit runs the submission half of the nightly job from a configuration file:
it reads every encounter file the configuration names (paths or globs), holds
back what the scrubber rejects, builds 837 files for the rest and uploads them
to their clearinghouses with the verified, crash-safe protocol. It also
finishes uploads an interrupted run left behind. It prints a JSON report and
logs to standard error (claim and batch IDs only, never patient data).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := openApp(ctx, cfgPath, s.err)
			if err != nil {
				return err
			}
			defer a.Close()
			var files []string
			for _, pat := range a.cfg.Encounters {
				m, err := filepath.Glob(pat)
				if err != nil {
					return fmt.Errorf("encounters pattern %q: %w", pat, err)
				}
				files = append(files, m...)
			}
			sort.Strings(files)
			report := map[string]any{}
			for _, f := range files {
				src, closer, err := encounters.Open(f)
				if err != nil {
					return err
				}
				in, err := a.pipe.Intake(ctx, src)
				closer.Close()
				if err != nil {
					return err
				}
				a.log.Info("intake", zap.String("file", filepath.Base(f)), zap.Int("read", in.Read),
					zap.Int("accepted", in.Accepted), zap.Int("held", in.Held), zap.Int("unchanged", in.Unchanged))
				report["intake:"+f] = in
			}
			sub, err := a.pipe.Submit(ctx)
			report["submit"] = sub
			a.log.Info("submit", zap.Int("files_built", sub.Build.Files), zap.Int("claims_built", sub.Build.Claims),
				zap.Int("files_uploaded", sub.Upload.Uploaded), zap.Int("claims_sent", sub.Upload.ClaimsSent),
				zap.Int("upload_pending", sub.Upload.Pending), zap.Int("upload_failed", sub.Upload.Failed))
			if jerr := writeJSON(s, report); jerr != nil {
				return jerr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "configuration file (JSON)")
	cmd.MarkFlagRequired("config")
	return cmd
}

func newCollectCmd(s *streams) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "collect --config FILE",
		Short: "Pick up TA1/999/277CA/835 responses and apply them: claim states, work queue, 835 posting",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := openApp(ctx, cfgPath, s.err)
			if err != nil {
				return err
			}
			defer a.Close()
			rep, err := a.pipe.Collect(ctx)
			a.log.Info("collect", zap.Int("listed", rep.Listed), zap.Int("collected", rep.Collected),
				zap.Int("duplicates", rep.Duplicates), zap.Int("applied", rep.Processed), zap.Int("failed", rep.Failed),
				zap.Int("remittances_posted", rep.Responses.RemitsPosted), zap.Int("remittances_held", rep.Responses.RemitsHeld))
			if jerr := writeJSON(s, rep); jerr != nil {
				return jerr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "configuration file (JSON)")
	cmd.MarkFlagRequired("config")
	return cmd
}

func writeJSON(s *streams, v any) error {
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
