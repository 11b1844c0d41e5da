package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

func newValidateCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Validate an 837P or 837I file with the full rule set",
		Long: `validate checks any 837P or 837I file, ours or anyone's: envelopes, loop and
segment structure, element usage, lengths and code values (SNIP 1-2), and the
claim rules a syntax validator misses: CLM02 equal to the sum of the line
charges, NPI check digits, taxonomy and ZIP shape, ICD-10 shape, diagnosis
pointers, real and not future dates, HL and LX numbering, REF*F8 for
replacement and void claims.

Each problem is printed with its position:
  FILE: segment N (ID) element E, byte B: message [rule]
The exit code is 0 when there are no errors (warnings allowed), 1 when there
are errors, 2 when the file cannot be read. "-" reads standard input.`,
		Example: "  claims validate outbox/CEDARVALLEYMG_20261207_000000001_837P.x12\n  cat claims.x12 | claims validate --json -",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			in, closeIn, err := openInput(name, s)
			if err != nil {
				return err
			}
			defer closeIn()
			probs, err := x837.ValidateFile(in, x837.FileOptions{Today: x12.DateOf(time.Now())})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			errorsFound := 0
			for _, p := range probs {
				if p.Severity == x837.SeverityError {
					errorsFound++
				}
			}
			if g.json {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(struct {
					File     string         `json:"file"`
					Valid    bool           `json:"valid"`
					Errors   int            `json:"errors"`
					Problems []x837.Problem `json:"problems"`
				}{name, errorsFound == 0, errorsFound, probs}); err != nil {
					return err
				}
			} else {
				for _, p := range probs {
					fmt.Fprintf(s.err, "%s: %s [%s %s]\n", name, p.Error(), p.Severity, p.Rule)
				}
				if errorsFound == 0 {
					fmt.Fprintf(s.out, "%s: valid (%d warning(s))\n", name, len(probs))
				}
			}
			if errorsFound > 0 {
				return problems(fmt.Errorf("%s: %d error(s)", name, errorsFound))
			}
			return nil
		},
	}
	return cmd
}
