package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/pipeline"
)

func newClaimCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "claim",
		Short: "Show, correct, resubmit or void one claim",
		Long: `claim works on one claim, named by its internal ID ("12") or by a CLM01 it
was sent under ("C12-1").

A correction makes the next version of the claim (C12-2, C12-3, ...), linked
to the ones before, and queues it for the next submit. The pipeline decides
how it is sent: as a new original (frequency 1) when the payer never
adjudicated the claim (it was rejected by a TA1, 999 or 277CA), as a
replacement (7) with REF*F8 the payer's claim number once it did. A void
(8) cancels an adjudicated claim.`,
		Example: `  claims claim show C12-1
  claims claim correct 12 --set subscriber.member_id=XJH448812901
  claims claim correct 12 --set 'lines[0].modifiers=25' --set 'lines[1].charge=80.00'
  claims claim correct 12 --from-file E1001.json
  claims claim resubmit 12 --note "payer enrollment fixed"
  claims claim void 12 --note "billed to the wrong patient"`,
	}
	cmd.AddCommand(newClaimShowCmd(s, g), newClaimCorrectCmd(s, g), newClaimResubmitCmd(s, g), newClaimVoidCmd(s, g))
	return cmd
}

func newClaimShowCmd(s *streams, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show CLAIM",
		Short: "Show a claim: state, balance, versions, timeline, lines with their ledger entries, work items",
		Long: `show prints everything about a claim: its state and open balance; its
versions with the file each was sent in; the timeline of events, each with the
response file and segment it came from; its lines with their ledger entries;
its payments and work items; and what can be done with it now.

It shows claim data (it is PHI): use it on a screen, not in logs.`,
		Example: "  claims claim show 12\n  claims claim show C12-2 --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				id, err := a.pipe.ResolveClaim(ctx, args[0])
				if err != nil {
					return explain(err)
				}
				d, err := a.pipe.ViewClaim(ctx, id, g.user)
				if err != nil {
					return explain(err)
				}
				return g.print(s, d, func() { writeClaim(s.out, d) })
			})
		},
	}
}

func writeClaim(out io.Writer, d *pipeline.ClaimDetail) {
	w := newSafeWriter(out) // payer names, reasons and summaries can hold file content
	defer w.Flush()
	fmt.Fprintf(w, "Claim %d (encounter %s): %s\n", d.ID, d.EncounterID, strings.ToUpper(string(d.State)))
	fmt.Fprintf(w, "Payer %s (%s) via %s, %s, version %d", d.PayerName, d.PayerID, d.Clearinghouse, d.Kind, d.Version)
	if d.PCN != "" {
		fmt.Fprintf(w, ", last sent as %s", d.PCN)
	}
	if d.PayerClaimNumber != "" {
		fmt.Fprintf(w, ", payer claim number %s (from the %s)", d.PayerClaimNumber, d.PayerClaimSource)
	}
	b := d.BalanceDetail
	fmt.Fprintf(w, "\nBalance %s: billed %s, paid %s, adjusted %s, patient responsibility %s; open %s from the payer, %s from the patient\n",
		d.Balance, b.Charge, b.Payments, b.Adjustments, b.PatientResp, b.Insurance, b.Patient)

	fmt.Fprintln(w, "\nVersions")
	t := newTable(w, "  VERSION", "CLM01", "KIND", "FREQ", "STATE", "CHARGE", "BY", "SENT IN", "CHANGED")
	for _, v := range d.Versions {
		var files []string
		for _, sub := range v.Submissions {
			files = append(files, sub.FileName)
		}
		t.row("  "+strconv.Itoa(v.Version), v.PCN, string(v.Kind), v.Frequency, v.State, v.TotalCharge.String(), v.Actor,
			strings.Join(files, ", "), clip(strings.Join(v.Changed, ", "), 60))
	}
	t.flush()

	fmt.Fprintln(w, "\nTimeline")
	t = newTable(w, "  WHEN", "EVENT", "V", "STATE", "BY", "FROM", "DETAIL")
	for _, e := range d.Events {
		state := ""
		if e.To != "" {
			state = string(e.From) + " → " + string(e.To)
			if e.From == "" {
				state = "→ " + string(e.To)
			}
		}
		from := e.FileName
		if e.Segment > 0 {
			from += fmt.Sprintf(" seg %d", e.Segment)
		}
		v := ""
		if e.Version > 0 {
			v = strconv.Itoa(e.Version)
		}
		t.row("  "+when(e.At), e.Kind, v, state, e.Actor, strings.TrimSpace(from), e.Detail)
	}
	t.flush()

	fmt.Fprintln(w, "\nLines")
	t = newTable(w, "  #", "REF*6R", "CODE", "DATE", "CHARGE", "PAID", "ADJUSTED", "PATIENT", "OPEN", "ENTRIES")
	for _, l := range d.Lines {
		no := strconv.Itoa(l.LineNo)
		switch {
		case l.ID == 0:
			no = "claim"
		case !l.Active:
			no = "(removed)"
		}
		code := l.Procedure
		if code == "" {
			code = l.RevenueCode
		}
		var entries []string
		for _, e := range l.Entries {
			entries = append(entries, entryText(e))
		}
		t.row("  "+no, l.ControlNumber, code, l.ServiceDate.String(), l.Charge.String(), l.Balance.Payments.String(),
			l.Balance.Adjustments.String(), l.Balance.PatientResp.String(), l.Balance.Insurance.String(), strings.Join(entries, "; "))
	}
	t.flush()

	if len(d.WorkItems) > 0 {
		fmt.Fprintln(w, "\nWork items")
		for _, it := range d.WorkItems {
			fmt.Fprintf(w, "  #%d %s %s [%s]: %s\n", it.ID, it.Source, it.Status, it.Code, it.Summary)
		}
	}
	if len(d.Warnings) > 0 {
		fmt.Fprintln(w, "\nScrubber warnings (they do not hold the claim)")
		printReasons(w, d.Warnings)
	}
	if len(d.Actions) > 0 {
		fmt.Fprintf(w, "\nYou can: %s (claims claim %s %d)\n", strings.Join(d.Actions, ", "), d.Actions[0], d.ID)
	}
}

func entryText(e pipeline.EntryView) string {
	var parts []string
	if e.Charge != 0 {
		parts = append(parts, "charge "+e.Charge.String())
	}
	if e.Payment != 0 {
		parts = append(parts, "paid "+e.Payment.String())
	}
	for _, a := range e.Adjustments {
		parts = append(parts, a.Group+"-"+a.Reason+" "+a.Amount.String())
	}
	if e.PatientPayment != 0 {
		parts = append(parts, "patient paid "+e.PatientPayment.String())
	}
	if e.WriteOff != 0 {
		parts = append(parts, "written off "+e.WriteOff.String())
	}
	s := strings.Join(parts, ", ")
	if e.Reversal {
		s = "reversal: " + s
	}
	return s
}

func newClaimCorrectCmd(s *streams, g *globals) *cobra.Command {
	var sets []string
	var fromFile, note, icn string
	var fromIntake bool
	var base int
	cmd := &cobra.Command{
		Use:   "correct CLAIM (--set PATH=VALUE ... | --from-file ENCOUNTER.json | --from-intake)",
		Short: "Correct a claim: make its next version, scrub it and queue it",
		Long: `correct makes the next version of a claim from the current one with the
changes given, runs the scrubber on it and, when it is clean, queues it for
the next submit. PATH is an encounter field path as in samples/README.md:
subscriber.member_id, lines[0].procedure, lines[1].modifiers ("25,59"),
patient.birth_date, diagnoses[1], ...

--from-file takes a whole encounter (one JSON object, with the claim's
encounter id); --from-intake takes the encounter as the encounter files last
sent it (after a change that intake could not apply by itself).

When the corrected claim does not pass the scrubber, its problems are printed
by field, nothing is changed, and the exit code is 1. A claim in flight (sent,
with no 277CA yet), voided or closed is refused with exit code 2.`,
		Example: `  claims claim correct 12 --set subscriber.member_id=XJH448812901
  claims claim correct C12-1 --set 'lines[0].procedure=99214' --set 'lines[0].charge=180.00' --set total_charge=180.00
  claims claim correct 12 --from-file corrected.json --note "per the front desk"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := pipeline.CorrectRequest{Base: base, FromIntake: fromIntake, Actor: g.user, Note: note, PayerClaimNumber: icn}
			for _, kv := range sets {
				path, value, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(path) == "" {
					return fmt.Errorf("--set %q: want PATH=VALUE, e.g. subscriber.member_id=ABC123", kv)
				}
				req.Sets = append(req.Sets, pipeline.FieldSet{Path: strings.TrimSpace(path), Value: value})
			}
			given := 0
			for _, set := range []bool{len(sets) > 0, fromFile != "", fromIntake} {
				if set {
					given++
				}
			}
			if given != 1 {
				return errors.New("give the changes with --set PATH=VALUE (repeatable), --from-file, or --from-intake: exactly one of them")
			}
			if fromFile != "" {
				enc, err := readEncounter(fromFile, s)
				if err != nil {
					return err
				}
				req.Encounter = enc
			}
			a, err := g.open(cmd.Context(), s)
			if err != nil {
				return err
			}
			defer a.Close()
			if req.ClaimID, err = a.pipe.ResolveClaim(cmd.Context(), args[0]); err != nil {
				return explain(err)
			}
			rev, err := a.pipe.Correct(cmd.Context(), req)
			return revised(s, g, "corrected", rev, err)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&sets, "set", nil, "PATH=VALUE: set an encounter field (repeatable)")
	fl.StringVar(&fromFile, "from-file", "", "the corrected encounter, as one JSON object (\"-\" reads standard input)")
	fl.BoolVar(&fromIntake, "from-intake", false, "use the encounter as the encounter files last sent it")
	fl.IntVar(&base, "base-version", 0, "refuse if the claim is no longer at this version (someone else corrected it)")
	fl.StringVar(&note, "note", "", "why, kept with the version")
	fl.StringVar(&icn, "payer-claim-number", "", "REF*F8 for a replacement when the payer's claim number is not on file")
	return cmd
}

// readEncounter reads one encounter from a JSON file, or standard input.
func readEncounter(name string, s *streams) (*pipeline.Encounter, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(s.in, 16<<20))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read the encounter: %w", err)
	}
	enc, err := encounters.DecodeEncounter(name, data)
	if err != nil {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("the encounter in %s cannot be read: %w", name, err)}
	}
	return enc, nil
}

// revised prints what a correction, resubmission or void made, or why it
// was refused.
func revised(s *streams, g *globals, what string, rev *pipeline.Revision, err error) error {
	var se *pipeline.ScrubError
	if errors.As(err, &se) {
		if g.json {
			if jerr := writeJSON(s, struct {
				ClaimID  int64             `json:"claim_id"`
				Changed  bool              `json:"changed"`
				Problems []pipeline.Reason `json:"problems"`
			}{se.ClaimID, false, se.Problems}); jerr != nil {
				return jerr
			}
		} else {
			fmt.Fprintf(s.out, "claim %d: the corrected claim does not pass the scrubber; nothing was changed. Fix these:\n", se.ClaimID)
			printProblems(s.out, se.Problems)
		}
		return errAttention
	}
	if err != nil {
		return explain(err)
	}
	if g.json {
		return writeJSON(s, rev)
	}
	how := map[string]string{"1": "a new original (frequency 1)", "7": "a replacement (frequency 7)", "8": "a void (frequency 8)"}[rev.Frequency]
	fmt.Fprintf(s.out, "claim %d %s: version %d (%s), %s, will be sent as %s", rev.ClaimID, what, rev.Version, rev.Kind, rev.State, how)
	if rev.PayerClaimNumber != "" {
		fmt.Fprintf(s.out, " with REF*F8 %s", rev.PayerClaimNumber)
	}
	fmt.Fprintf(s.out, " under CLM01 %s by the next submit\n", rev.PCN)
	if len(rev.Changed) > 0 {
		fmt.Fprintf(s.out, "changed: %s\n", strings.Join(rev.Changed, ", "))
	}
	if len(rev.Problems) > 0 {
		fmt.Fprintln(s.out, "warnings (they do not hold the claim):")
		printProblems(s.out, rev.Problems)
	}
	return nil
}

func newClaimResubmitCmd(s *streams, g *globals) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "resubmit CLAIM",
		Short: "Send a claim again unchanged, as its next version",
		Long: `resubmit queues the claim's content again as its next version, for a
rejection whose cause was outside the claim (an enrollment, a clearinghouse
setup, a TA1 envelope problem). The frequency is decided as for a correction.`,
		Example: `  claims claim resubmit 12 --note "provider enrollment now active"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return reviseClaim(cmd, s, g, args[0], "resubmitted", func(a *app, id int64) (*pipeline.Revision, error) {
				return a.pipe.Resubmit(cmd.Context(), id, g.user, note)
			})
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why, kept with the version")
	return cmd
}

func newClaimVoidCmd(s *streams, g *globals) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "void CLAIM",
		Short: "Cancel an adjudicated claim with a void (frequency 8)",
		Long: `void queues a void of an adjudicated claim: frequency 8 with REF*F8 the
payer's claim number. When the payer's 835 reverses its adjudication, the
claim becomes voided and its charges leave the receivables. A claim the payer
never adjudicated cannot be voided.`,
		Example: `  claims claim void 12 --note "service not rendered"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return reviseClaim(cmd, s, g, args[0], "voided", func(a *app, id int64) (*pipeline.Revision, error) {
				return a.pipe.Void(cmd.Context(), id, g.user, note)
			})
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why, kept with the version")
	return cmd
}

func reviseClaim(cmd *cobra.Command, s *streams, g *globals, ref, what string, do func(*app, int64) (*pipeline.Revision, error)) error {
	return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
		id, err := a.pipe.ResolveClaim(ctx, ref)
		if err != nil {
			return explain(err)
		}
		rev, err := do(a, id)
		return revised(s, g, what, rev, err)
	})
}
