package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

func newRemitCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remit",
		Short: "List remittances (835 checks and EFTs), show one, apply unapplied cash",
		Long: `A remittance is one 835 transaction set: one check or EFT. A balanced one
posts the claims it names; a claim payment that matches no claim we sent is
kept as unapplied cash of the remittance, with a work item, until "remit
apply" moves it onto the right claim. An unbalanced remittance is held whole.`,
		Example: `  claims remit list
  claims remit show 4
  claims remit apply 4 C12-1
  claims remit apply 4 12 --clp PATIENT-ACCOUNT-77`,
	}
	cmd.AddCommand(newRemitListCmd(s, g), newRemitShowCmd(s, g), newRemitApplyCmd(s, g))
	return cmd
}

func newRemitListCmd(s *streams, g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List remittances, newest first, with what they posted and left unapplied",
		Example: "  claims remit list --limit 20",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				rs, err := a.pipe.Remittances(ctx, limit)
				if err != nil {
					return err
				}
				if rs == nil {
					rs = []pipeline.RemitSummary{}
				}
				return g.print(s, struct {
					Remittances []pipeline.RemitSummary `json:"remittances"`
				}{rs}, func() { writeRemits(s, rs) })
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many remittances (0: all)")
	return cmd
}

func writeRemits(s *streams, rs []pipeline.RemitSummary) {
	if len(rs) == 0 {
		fmt.Fprintln(s.out, "No remittances yet.")
		return
	}
	t := newTable(s.out, "REMIT", "PAID ON", "PAYER", "TRACE", "METHOD", "AMOUNT", "STATE", "CLAIMS", "POSTED", "UNAPPLIED")
	for _, r := range rs {
		un := ""
		if r.UnappliedCount > 0 {
			un = fmt.Sprintf("%s (%d)", r.UnappliedAmount, r.UnappliedCount)
		}
		t.row(strconv.FormatInt(r.ID, 10), r.PaymentDate.String(), r.PayerName+" ("+r.PayerID+")", r.Trace, r.Method,
			r.Amount.String(), string(r.State), strconv.Itoa(r.ClaimsPosted), r.AmountPosted.String(), un)
	}
	t.flush()
}

func newRemitShowCmd(s *streams, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "show REMIT",
		Short:   "Show a remittance: its claim payments, provider adjustments and unapplied cash",
		Example: "  claims remit show 4 --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("remittance", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				d, err := a.pipe.Remittance(ctx, n)
				if err != nil {
					return explain(err)
				}
				return g.print(s, d, func() { writeRemit(s, d) })
			})
		},
	}
}

func writeRemit(s *streams, d *pipeline.RemitDetail) {
	w := s.out
	fmt.Fprintf(w, "Remittance %d: %s %s from %s (%s), trace %s, paid on %s: %s\n", d.ID, d.Method, d.Amount, d.PayerName,
		d.PayerID, d.Trace, d.PaymentDate, d.State)
	if d.Reason != "" {
		fmt.Fprintln(w, d.Reason)
	}
	fmt.Fprintf(w, "Posted %s to %d claim(s); unapplied %s (%d payment(s))\n", d.AmountPosted, d.ClaimsPosted, d.UnappliedAmount, d.UnappliedCount)
	if len(d.Payments) > 0 {
		fmt.Fprintln(w, "\nClaim payments")
		t := newTable(w, "  CLP", "CLAIM", "STATUS", "CHARGE", "PAID", "PATIENT", "PAYER CLAIM #", "OUTCOME")
		for _, p := range d.Payments {
			t.row("  "+strconv.Itoa(p.Ordinal), strconv.FormatInt(p.ClaimID, 10), p.Status+" "+p.StatusText, p.Charge.String(),
				p.Paid.String(), p.PatientResp.String(), p.PayerClaimNumber, string(p.Outcome))
		}
		t.flush()
	}
	if len(d.ProviderAdjustments) > 0 {
		fmt.Fprintln(w, "\nProvider-level adjustments (PLB)")
		for _, p := range d.ProviderAdjustments {
			fmt.Fprintf(w, "  %s %s (%s) %s %s\n", p.Reason, p.ReasonText, p.Reference, p.Amount, p.FiscalDate)
		}
	}
	if len(d.Unapplied) > 0 {
		fmt.Fprintln(w, "\nUnapplied cash")
		t := newTable(w, "  ID", "CLP", "CLP01", "STATUS", "PAID", "PAYER CLAIM #", "APPLIED TO")
		for _, u := range d.Unapplied {
			to := "open: claims remit apply " + strconv.FormatInt(d.ID, 10) + " CLAIM --clp " + strconv.Itoa(u.Ordinal)
			if u.AppliedClaimID != nil {
				to = fmt.Sprintf("claim %d by %s", *u.AppliedClaimID, u.AppliedBy)
			}
			t.row("  "+strconv.FormatInt(u.ID, 10), strconv.Itoa(u.Ordinal), u.PCN, u.Status, u.Paid.String(), u.PayerClaimNumber, to)
		}
		t.flush()
	}
}

func newRemitApplyCmd(s *streams, g *globals) *cobra.Command {
	var clp string
	cmd := &cobra.Command{
		Use:   "apply REMIT CLAIM",
		Short: "Apply an unapplied claim payment of a remittance to a claim",
		Long: `apply posts an unapplied claim payment of the remittance to the claim (its ID
or a CLM01), as if the payer had named it: payments, adjustments, state,
payer claim number. When the remittance has several unapplied payments, --clp
picks one by its CLP01 or its position. The remittance's work item closes
when nothing of it is left unapplied.`,
		Example: "  claims remit apply 4 C12-1\n  claims remit apply 4 12 --clp 3",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("remittance", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				claimID, err := a.pipe.ResolveClaim(ctx, args[1])
				if err != nil {
					return explain(err)
				}
				p, err := a.pipe.ApplyPayment(ctx, n, claimID, clp, g.user)
				if err != nil {
					return explain(err)
				}
				return g.print(s, p, func() { fmt.Fprintf(s.out, "applied %s to claim %d: %s\n", p.Paid, p.ClaimID, p.Outcome) })
			})
		},
	}
	cmd.Flags().StringVar(&clp, "clp", "", "which unapplied payment: its CLP01 or its position in the remittance")
	return cmd
}
