package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x837"
)

func newSecondaryCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secondary",
		Short: "Build the claim to a patient's secondary payer from the primary's posted 835",
		Long: `secondary works on coordination of benefits. An encounter that lists other
coverage (other_coverage in the JSON format, other_* columns in CSV) goes to
its primary payer with the other payers in loops 2320/2330. Once the primary's
835 has posted, the claim's next version goes to the next payer, with the
primary's adjudication taken from the posted ledger: AMT*D, the claim-level
CAS, REF*F8, and per line SVD, CAS and DTP*573 (loop 2430).

With cob.secondary: auto in the configuration this happens when the 835
posts; with on_request (the default) a work item (source cob) says the
secondary claim is due, and "secondary build" makes it. An 837I paid as a
whole (no service lines) goes with a claim-level adjudication. A secondary
that cannot be built (an 837P whose primary 835 has no line detail,
incomplete coverage data) is a work item with the reasons; --adjudication
gives the primary's adjudication from its paper EOB, --coverage the
corrected coverage.

Exit codes: 0 built and queued, 1 refused with reasons to fix, 2 error.`,
		Example: `  claims secondary build 12
  claims secondary build C12-1 --adjudication eob.json --note "EOB received by fax"
  claims secondary build 12 --coverage coverage.json
  claims secondary show 12
  claims queue --source cob`,
	}
	cmd.AddCommand(newSecondaryShowCmd(s, g), newSecondaryBuildCmd(s, g))
	return cmd
}

// secondaryFiles reads the --adjudication and --coverage files into a
// request.
func secondaryFiles(s *streams, g *globals, adjFile, covFile, note string) (pipeline.SecondaryRequest, error) {
	req := pipeline.SecondaryRequest{Actor: g.user, Note: note}
	if adjFile != "" {
		req.Adjudication = new(x837.Adjudication)
		if err := readJSONObject(adjFile, s, req.Adjudication); err != nil {
			return req, err
		}
	}
	if covFile != "" {
		req.Coverage = new(x837.OtherCoverage)
		if err := readJSONObject(covFile, s, req.Coverage); err != nil {
			return req, err
		}
	}
	return req, nil
}

// cobRefused prints why a secondary claim cannot be built; it returns
// errAttention, or the error itself when it is not a COBError.
func cobRefused(s *streams, g *globals, err error) error {
	var ce *pipeline.COBError
	switch {
	case errors.As(err, &ce):
		if g.json {
			if jerr := writeJSON(s, struct {
				ClaimID  int64             `json:"claim_id"`
				Built    bool              `json:"built"`
				Problems []pipeline.Reason `json:"problems"`
			}{ce.ClaimID, false, ce.Reasons}); jerr != nil {
				return jerr
			}
		} else {
			fmt.Fprintf(s.out, "claim %d: the secondary claim cannot be built; nothing was changed. Fix these:\n", ce.ClaimID)
			printProblems(s.out, ce.Reasons)
		}
		return errAttention
	case errors.Is(err, pipeline.ErrNoSecondary), errors.Is(err, pipeline.ErrNotAdjudicated):
		return &exitError{code: exitAttention, err: err}
	}
	return explain(err)
}

func newSecondaryShowCmd(s *streams, g *globals) *cobra.Command {
	var covFile, adjFile string
	cmd := &cobra.Command{
		Use:   "show CLAIM",
		Short: "Show the secondary claim build would make, changing nothing",
		Long: `show prints the payer the claim would go to next and the current payer's
adjudication as it would be sent (AMT*D, claim CAS, REF*F8, and per line SVD02,
CAS and DTP*573), taken from the posted ledger, or from the files given as for
build. Nothing is changed. It prints amounts and codes only; --json prints the
whole other coverage, names and member IDs included (PHI).`,
		Example: `  claims secondary show 12
  claims secondary show 12 --adjudication eob.json --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := secondaryFiles(s, g, adjFile, covFile, "")
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				if req.ClaimID, err = a.pipe.ResolveClaim(ctx, args[0]); err != nil {
					return explain(err)
				}
				next, err := a.pipe.PreviewSecondary(ctx, req)
				if err != nil {
					return cobRefused(s, g, err)
				}
				if g.json {
					return writeJSON(s, struct {
						ClaimID        int64                `json:"claim_id"`
						PayerID        string               `json:"payer_id"`
						PayerName      string               `json:"payer_name"`
						Responsibility string               `json:"responsibility"`
						OtherCoverage  []x837.OtherCoverage `json:"other_coverage"`
					}{req.ClaimID, next.Payer.ID, next.Payer.Name, next.Subscriber.Responsibility, next.OtherCoverage})
				}
				writeSecondary(s.out, req.ClaimID, next)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&adjFile, "adjudication", "", "the current payer's adjudication, one JSON object (\"-\" reads standard input)")
	fl.StringVar(&covFile, "coverage", "", "the coverage to bill next, one JSON other_coverage object (\"-\" reads standard input)")
	return cmd
}

// writeSecondary prints the payers and adjudications of a secondary
// claim: codes and amounts, no names or member IDs.
func writeSecondary(out io.Writer, claimID int64, next *x837.Claim) {
	w := newSafeWriter(out) // payer names and codes come from files
	defer w.Flush()
	fmt.Fprintf(w, "Claim %d would go to payer %s (%s) as payer %s, with:\n", claimID, next.Payer.ID, next.Payer.Name, next.Subscriber.Responsibility)
	for _, o := range next.OtherCoverage {
		a := o.Adjudication
		if a == nil {
			fmt.Fprintf(w, "\n  payer %s (%s), %s: not adjudicated (listed, no amounts)\n", o.Payer.ID, o.Payer.Name, o.Responsibility)
			continue
		}
		fmt.Fprintf(w, "\n  payer %s (%s), %s: paid %s (AMT*D), adjudicated %s", o.Payer.ID, o.Payer.Name, o.Responsibility, a.Paid, a.Date)
		if a.PayerClaimNumber != "" {
			fmt.Fprintf(w, ", claim number %s (REF*F8)", a.PayerClaimNumber)
		}
		fmt.Fprintf(w, "\n  claim adjustments (2320 CAS): %s\n", casText(a.Adjustments))
		if len(a.Lines) == 0 {
			continue
		}
		t := newTable(w, "    LINE", "PAID (SVD02)", "ADJUSTMENTS (CAS)", "DATE (DTP*573)")
		for _, l := range a.Lines {
			d := l.Date
			if d.IsZero() {
				d = a.Date
			}
			t.row("    "+strconv.Itoa(l.Line), l.Paid.String(), casText(l.Adjustments), d.String())
		}
		t.flush()
	}
}

func casText(as []x837.CAS) string {
	if len(as) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(as))
	for _, a := range as {
		if a.Amount != 0 {
			parts = append(parts, a.Group+"-"+a.Reason+" "+a.Amount.String())
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func newSecondaryBuildCmd(s *streams, g *globals) *cobra.Command {
	var covFile, adjFile, note string
	cmd := &cobra.Command{
		Use:   "build CLAIM",
		Short: "Build and queue a claim's secondary claim",
		Long: `build makes the claim's next version, to the next payer of its other
coverage, with the current payer's adjudication, and queues it for the next
submit (held with a scrubber work item when it does not pass the scrubber).

--adjudication FILE is one JSON object as in samples/README.md
(other_coverage[].adjudication: paid, adjustments, payer_claim_number, date,
lines); it must balance against the claim. --coverage FILE is one
other_coverage object (responsibility, relationship, filing_indicator,
subscriber, payer) that replaces the coverage billed next.`,
		Example: `  claims secondary build 12
  claims secondary build 12 --adjudication eob.json --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := secondaryFiles(s, g, adjFile, covFile, note)
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				if req.ClaimID, err = a.pipe.ResolveClaim(ctx, args[0]); err != nil {
					return explain(err)
				}
				rev, err := a.pipe.BuildSecondary(ctx, req)
				var ce *pipeline.COBError
				if errors.As(err, &ce) || errors.Is(err, pipeline.ErrNoSecondary) || errors.Is(err, pipeline.ErrNotAdjudicated) {
					return cobRefused(s, g, err)
				}
				return revised(s, g, "billed to the next payer", rev, err)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&adjFile, "adjudication", "", "the current payer's adjudication, one JSON object (\"-\" reads standard input)")
	fl.StringVar(&covFile, "coverage", "", "the coverage to bill next, one JSON other_coverage object (\"-\" reads standard input)")
	fl.StringVar(&note, "note", "", "why, kept with the version")
	return cmd
}

// readJSONObject decodes one JSON object from a file (or standard input)
// into v, refusing unknown fields and trailing data.
func readJSONObject(name string, s *streams, v any) error {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(s.in, 16<<20))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("read %s: %w", name, err)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("%s (byte %d): %w", name, dec.InputOffset(), err)}
	}
	if dec.More() {
		return &exitError{code: exitFailure, err: fmt.Errorf("%s (byte %d): one JSON object expected, more follows", name, dec.InputOffset())}
	}
	return nil
}
