package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/report"
)

// maxParseInput bounds what parse reads into memory.
const maxParseInput = report.MaxFileSize

func newParseCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "parse FILE",
		Short: "Show an X12 file's structure and a typed report of its 835, 999, 277CA, TA1 and 837 sets",
		Long: `parse prints the structure of an X12 file (interchanges, functional groups,
transaction sets and their segments, with counts) and, for each 835, 999,
277CA, TA1 and 837 it recognises, a readable report: payments and claims with
balancing checks, acknowledged sets, claim statuses in plain language.

With --json it prints one JSON object: "structure" (the outline) plus the
typed report ("sets", each with "set", "control_number" and "totals", and
"balancing_errors" for an 835); amounts are decimal strings. The JSON format
is documented in x12/report/JSON.md. The typed content includes patient data:
treat the output as PHI.

The envelopes are checked as by validate: structure, counts, control
numbers, ISA widths, real dates and times in ISA09/ISA10 and GS04/GS05.
Errors go to standard error as
  FILE: segment N (ID) element E, byte B: message
and the exit code is 1 when there are any (0 for a valid file). A set with
no typed report (an 834, a 4010 997) is shown in the structure with a
notice on standard error, and is not an error. Control characters from the
file are shown escaped (\x1b, \x00). "-" reads standard input.`,
		Example: "  claims parse responses/2026-12-07.835\n  claims parse --json file.999 | jq .report",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			in, closeIn, err := openInput(name, s)
			if err != nil {
				return err
			}
			defer closeIn()
			data, err := io.ReadAll(io.LimitReader(in, maxParseInput+1))
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			if len(data) > maxParseInput {
				return fmt.Errorf("%s is larger than %d bytes", name, maxParseInput)
			}
			outline, oerr := x12.Outline(bytes.NewReader(data), name)
			env, err := x12.CheckEnvelopes(bytes.NewReader(data))
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			rep, rerrs := report.Build(bytes.NewReader(data), name)
			if g.json {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(struct {
					Structure *x12.Structure `json:"structure"`
					*report.Report
				}{outline, rep}); err != nil {
					return err
				}
			} else {
				// File content is shown with its control characters escaped.
				out := newSafeWriter(s.out)
				if outline != nil {
					if err := outline.WriteText(out); err != nil {
						return err
					}
				}
				fmt.Fprintln(out)
				if err := rep.WriteText(out); err != nil {
					return err
				}
				if err := out.Flush(); err != nil {
					return err
				}
			}
			// One line per distinct error, in the CLI form.
			seen := map[string]bool{}
			var lines []string
			for _, e := range append(append([]error{oerr}, rerrs...), env.HeaderErrors...) {
				if e == nil {
					continue
				}
				for _, l := range bytes.Split([]byte(x12.FormatError(name, e)), []byte("\n")) {
					if len(l) > 0 && !seen[string(l)] {
						seen[string(l)] = true
						lines = append(lines, string(l))
					}
				}
			}
			for _, l := range lines {
				fmt.Fprintln(s.err, safeText(l))
			}
			for _, n := range rep.Notices {
				fmt.Fprintf(s.err, "%s: notice: %s; the structure is shown, without a typed report\n", safeText(name), safeText(n))
			}
			if len(lines) > 0 {
				return errAttention
			}
			return nil
		},
	}
	return cmd
}
