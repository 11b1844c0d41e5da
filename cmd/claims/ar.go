package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

func newARCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ar",
		Short: "Print accounts receivable aging by payer, and the unapplied cash",
		Long: `ar prints the outstanding balances by payer, and the patients' share, in
buckets of 0-30, 31-60, 61-90, 91-120 and over 120 days. A claim's age counts
from its first verified submission (a corrected version keeps it); balances
are derived from the ledger, where each claim counts once whatever its
versions. Cash received that matches no claim yet is listed apart, by payer.`,
		Example: "  claims ar\n  claims ar --config /etc/claims/claims.yaml --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), s)
			if err != nil {
				return err
			}
			defer a.Close()
			aging, err := a.pipe.ARAging(cmd.Context())
			if err != nil {
				return err
			}
			if g.json {
				return writeJSON(s, aging)
			}
			writeAging(s.out, aging)
			return nil
		},
	}
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
	if len(a.Unapplied) > 0 {
		fmt.Fprintf(w, "\nUnapplied cash (received, not yet applied to a claim): %s\n", a.UnappliedTotal)
		for _, u := range a.Unapplied {
			fmt.Fprintf(w, "  %s (%s): %s in %d payment(s); see claims remit list\n", u.PayerName, u.PayerID, u.Amount, u.Payments)
		}
	}
}
