package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
)

func newARCmd(s *streams) *cobra.Command {
	var dir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ar",
		Short: "Print accounts receivable aging by payer",
		Long: `ar prints the outstanding balances by payer, and the patients' share, in
buckets of 0-30, 31-60, 61-90, 91-120 and over 120 days. A claim's age counts
from its first verified submission; balances are derived from the ledger.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db := filepath.Join(dir, "claims.db")
			if _, err := os.Stat(db); err != nil {
				return fmt.Errorf("no claims store in %s (run claims demo or claims submit first): %w", dir, err)
			}
			store, err := sqlite.Open(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer store.Close()
			a, err := pipeline.ARAging(cmd.Context(), store, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				return enc.Encode(a)
			}
			writeAging(s.out, a)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "./claims-demo", "working folder holding claims.db")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeAging(w io.Writer, a pipeline.Aging) {
	fmt.Fprintf(w, "Accounts receivable as of %s (age from first submission)\n", a.AsOf)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Payer\t0-30\t31-60\t61-90\t91-120\t120+\tTotal\t")
	row := func(r pipeline.AgingRow) {
		name := r.PayerName
		if r.PayerID != "" {
			name += " (" + r.PayerID + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, r.Buckets[0], r.Buckets[1], r.Buckets[2], r.Buckets[3], r.Buckets[4], r.Total)
	}
	for _, r := range a.Rows {
		row(r)
	}
	row(a.Total)
	tw.Flush()
}
