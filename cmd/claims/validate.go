package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/report"
	"github.com/x12claims/claims/x12/validate"
)

func newValidateCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Validate an 837P, 837I, 835, 999, 997, 277CA or TA1 file",
		Long: `validate judges any X12 file a clearinghouse exchanges, ours or anyone's.

Every file: the envelopes (structure, counts, control numbers), every ISA
element at its fixed width, ISA09 and GS04 real dates, ISA10 and GS05 real
times.

837P and 837I: loop and segment structure, element usage, lengths and code
values (SNIP 1-2), and the claim rules a syntax validator misses: CLM02
equal to the sum of the line charges, NPI check digits, taxonomy and ZIP
shape, ICD-10 shape, diagnosis pointers, real and not future dates, HL and
LX numbering, REF*F8 for replacement and void claims.

835: its structure, and balancing at line (SVC02 - CAS = SVC03), claim
(CLP03 - CAS = CLP04) and transaction level (sum of CLP04 - PLB = BPR02).

999, 997, 277CA and TA1: their structure and required elements, as our
response parsers read them, and their codes (IK3/IK4/IK5/AK9 and the 997's
AK3/AK4/AK5, STC status category, status and entity, TA104 and TA105; in
the 835 CLP02, CAS and PLB reasons). A code missing from a complete list
is an error; one missing from a list we hold only a selection of (claim
status codes, RARCs) is a warning.

Any other set (an 834, a 270) gets a notice, "no rules for set X;
envelope checked only", and is not an error.

Each problem is printed with its position:
  FILE: segment N (ID) element E, byte B: message [severity rule]
Control characters from the file are shown escaped (\x1b, \x00). --json
prints the problems with their positions instead.

Exit codes: 0 when there are no errors (warnings and notices allowed), 1
when there are errors, 2 when the file cannot be read. "-" reads standard
input.`,
		Example: "  claims validate outbox/CEDARVALLEYMG_20261207_000000001_837P.x12\n  claims validate responses/2026-12-07.835\n  cat claims.x12 | claims validate --json -",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			in, closeIn, err := openInput(name, s)
			if err != nil {
				return err
			}
			defer closeIn()
			data, err := io.ReadAll(io.LimitReader(in, report.MaxFileSize+1))
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			if len(data) > report.MaxFileSize {
				return fmt.Errorf("%s is larger than %d bytes", name, report.MaxFileSize)
			}
			probs, err := validate.File(data, validate.Options{Today: x12.DateOf(time.Now())})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			errorsFound, warnings := validate.Counts(probs)
			if probs == nil {
				probs = []validate.Problem{}
			}
			if g.json {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(struct {
					File     string             `json:"file"`
					Valid    bool               `json:"valid"`
					Errors   int                `json:"errors"`
					Warnings int                `json:"warnings"`
					Problems []validate.Problem `json:"problems"`
				}{name, errorsFound == 0, errorsFound, warnings, probs}); err != nil {
					return err
				}
			} else {
				for _, p := range probs {
					fmt.Fprintf(s.err, "%s: %s [%s %s]\n", safeText(name), safeText(p.Text()), p.Severity, p.Rule)
				}
				if errorsFound == 0 {
					fmt.Fprintf(s.out, "%s: valid (%d warning(s))\n", safeText(name), warnings)
				}
			}
			if errorsFound > 0 {
				return problems(fmt.Errorf("%s: %d error(s)", safeText(name), errorsFound))
			}
			return nil
		},
	}
	return cmd
}
