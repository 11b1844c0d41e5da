package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/report"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
	"github.com/x12claims/claims/x12/x997"
	"github.com/x12claims/claims/x12/x999"
)

// The severities of a validation problem. Notices and warnings do not
// fail the file.
const (
	sevError   = "error"
	sevWarning = "warning"
	sevNotice  = "notice"
)

// The rules of the problems validate finds outside the 837 rule set.
const (
	ruleEnvelope           = "envelope"
	ruleISAWidth           = "isa-width"
	ruleDate               = "envelope-date"
	ruleTime               = "envelope-time"
	ruleStructure          = "structure"
	ruleBalanceLine        = "balance-line"
	ruleBalanceClaim       = "balance-claim"
	ruleBalanceTransaction = "balance-transaction"
	ruleNoRules            = "no-rules"
)

// filePosition is a position in the file, with snake_case JSON keys.
type filePosition struct {
	Interchange int    `json:"interchange,omitempty"`
	Segment     int    `json:"segment,omitempty"`     // in the file (ISA = 1)
	SetSegment  int    `json:"set_segment,omitempty"` // in its set (ST = 1)
	SegmentID   string `json:"segment_id,omitempty"`
	Element     int    `json:"element,omitempty"`
	Component   int    `json:"component,omitempty"`
	Byte        int64  `json:"byte"`
}

func positionOf(p x12.Position) filePosition {
	return filePosition{p.Interchange, p.Segment, p.SetSegment, p.SegmentID, p.Element, p.Component, p.Offset}
}

func (p filePosition) x12() x12.Position {
	return x12.Position{Interchange: p.Interchange, Segment: p.Segment, SetSegment: p.SetSegment,
		SegmentID: p.SegmentID, Element: p.Element, Component: p.Component, Offset: p.Byte}
}

// fileProblem is one problem validate found, of any set kind.
type fileProblem struct {
	Severity   string       `json:"severity"`
	Rule       string       `json:"rule"`
	Set        string       `json:"set,omitempty"` // kind: 837P, 837I, 835, 999, 277CA, TA1, or ST01
	SetControl string       `json:"set_control,omitempty"`
	Claim      string       `json:"claim,omitempty"` // CLM01 or CLP01
	Line       int          `json:"line,omitempty"`
	Loop       string       `json:"loop,omitempty"`
	Element    string       `json:"element,omitempty"` // e.g. "CLP04"
	Position   filePosition `json:"position"`
	Message    string       `json:"message"`

	text string // the 837 validator's own text, when it gave it
}

// Text is the problem in the CLI form "segment N (ID) element E, byte B: message".
func (p *fileProblem) Text() string {
	if p.text != "" {
		return p.text
	}
	return p.Position.x12().String() + ": " + p.Message
}

// setKind names a set by what validate knows of it.
func setKind(s x12.EnvelopeSet) string {
	switch {
	case s.ID == "837" && strings.HasPrefix(s.Guide, "005010X222"):
		return "837P"
	case s.ID == "837" && strings.HasPrefix(s.Guide, "005010X223"):
		return "837I"
	case s.ID == "277" && s.Guide == x277.Guide:
		return "277CA"
	}
	return s.ID
}

// fileValidation collects the problems of one file.
type fileValidation struct {
	env      *x12.EnvelopeCheck
	problems []fileProblem
	seen     map[string]bool
}

func (v *fileValidation) add(p fileProblem) {
	key := fmt.Sprintf("%d/%d/%s", p.Position.Segment, p.Position.Element, p.Message)
	if v.seen[key] {
		return
	}
	v.seen[key] = true
	v.problems = append(v.problems, p)
}

// addErr adds a positioned error from the x12 Reader or a typed parser.
func (v *fileValidation) addErr(kind, rule string, err error) {
	p := fileProblem{Severity: sevError, Rule: rule, Set: kind, Message: err.Error()}
	var xe *x12.Error
	if errors.As(err, &xe) {
		p.Position = positionOf(xe.Pos)
		p.Message = xe.Err.Error()
		if xe.Pos.SegmentID != "" && xe.Pos.Element > 0 {
			p.Element = fmt.Sprintf("%s%02d", xe.Pos.SegmentID, xe.Pos.Element)
		}
		switch {
		case errors.Is(err, x12.ErrBadDate):
			p.Rule = ruleDate
		case errors.Is(err, x12.ErrBadTime):
			p.Rule = ruleTime
		case errors.Is(err, x12.ErrBadISA) && xe.Pos.Element > 0 && strings.Contains(p.Message, "fixed width"):
			p.Rule = ruleISAWidth
		}
	}
	v.add(p)
}

// addJoined adds each error of a typed parser's joined error.
func (v *fileValidation) addJoined(kind string, err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			v.addErr(kind, ruleStructure, e)
		}
		return
	}
	v.addErr(kind, ruleStructure, err)
}

// validateFile judges an X12 file of any kind: its envelopes, and each set
// by the rules of its kind. The error is non-nil only when the file cannot
// be read.
func validateFile(data []byte) ([]fileProblem, error) {
	env, err := x12.CheckEnvelopes(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	v := &fileValidation{env: env, seen: map[string]bool{}}
	kinds := map[string][]x12.EnvelopeSet{}
	for _, s := range env.Sets {
		k := setKind(s)
		kinds[k] = append(kinds[k], s)
	}
	has837 := len(kinds["837P"])+len(kinds["837I"])+len(kinds["837"]) > 0
	// Envelope: the header checks always; the Reader's own errors unless
	// the 837 validator reports them.
	if has837 {
		probs, err := x837.ValidateFile(bytes.NewReader(data), x837.FileOptions{Today: x12.DateOf(time.Now())})
		if err != nil {
			return nil, err
		}
		for _, p := range probs {
			if p.Rule == x837.RuleGuide && p.Element == "ST01" {
				continue // a set of another kind, judged below
			}
			fp := fileProblem{Severity: p.Severity.String(), Rule: p.Rule, SetControl: p.SetControl, Claim: p.Claim,
				Line: p.Line, Loop: p.Loop, Element: p.Element, Position: positionOf(p.Pos), Message: p.Message, text: p.Error()}
			if fp.SetControl != "" {
				fp.Set = "837"
			}
			v.add(fp)
		}
		for _, e := range env.HeaderErrors {
			v.addErr("", ruleEnvelope, e)
		}
	} else {
		for _, e := range env.Errors {
			v.addErr("", ruleEnvelope, e)
		}
	}
	if sets := kinds["835"]; len(sets) > 0 {
		rems, err := x835.ReadRemittances(bytes.NewReader(data))
		v.addJoined("835", err)
		for i, s := range sets {
			if i < len(rems) {
				v.balance(s, rems[i])
			}
		}
	}
	if len(kinds["999"]) > 0 {
		_, err := x999.Read(bytes.NewReader(data))
		v.addJoined("999", err)
	}
	if len(kinds["997"]) > 0 {
		_, err := x997.Read(bytes.NewReader(data))
		v.addJoined("997", err)
	}
	if len(kinds["277CA"]) > 0 {
		_, err := x277.Read(bytes.NewReader(data))
		v.addJoined("277CA", err)
	}
	if len(kinds["TA1"]) > 0 {
		_, err := ta1.Read(bytes.NewReader(data))
		v.addJoined("TA1", err)
	}
	for _, s := range env.Sets {
		switch k := setKind(s); k {
		case "837P", "837I", "837", "835", "999", "997", "277CA", "TA1":
		default:
			what := "set " + k
			if s.Guide != "" {
				what += " (guide " + s.Guide + ")"
			}
			v.add(fileProblem{Severity: sevNotice, Rule: ruleNoRules, Set: k, SetControl: s.ControlNumber,
				Position: filePosition{Segment: s.Segment, SegmentID: "ST", Byte: s.Offset},
				Message:  "no rules for " + what + "; envelope checked only"})
		}
	}
	return v.problems, nil
}

// balance reports every imbalance of an 835 at its segment: the SVC for a
// line, the CLP for a claim, the BPR for the transaction.
func (v *fileValidation) balance(s x12.EnvelopeSet, rem *x835.Remittance) {
	for _, be := range rem.Balance() {
		p := fileProblem{Severity: sevError, Set: "835", SetControl: be.SetControl, Claim: be.PCN, Message: be.Error()}
		var seg, el int
		var id string
		switch be.Level {
		case x835.LevelLine:
			p.Rule, id, el = ruleBalanceLine, "SVC", 3
			seg, _ = v.env.FileSegment(s, be.LineSegment)
		case x835.LevelClaim:
			p.Rule, id, el = ruleBalanceClaim, "CLP", 4
			seg, _ = v.env.FileSegment(s, be.ClaimSegment)
		default:
			p.Rule, id, el = ruleBalanceTransaction, "BPR", 2
			seg = v.env.Find(s, "BPR")
		}
		if seg > 0 && seg < len(v.env.Offsets) {
			p.Position = filePosition{Segment: seg, SetSegment: seg - s.Segment + 1, SegmentID: v.env.IDs[seg], Element: el, Byte: v.env.Offsets[seg]}
			p.Element = fmt.Sprintf("%s%02d", id, el)
		}
		v.add(p)
	}
}

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
response parsers read them.

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
			probs, err := validateFile(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			errorsFound, warnings := 0, 0
			for _, p := range probs {
				switch p.Severity {
				case sevError:
					errorsFound++
				case sevWarning:
					warnings++
				}
			}
			if probs == nil {
				probs = []fileProblem{}
			}
			if g.json {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(struct {
					File     string        `json:"file"`
					Valid    bool          `json:"valid"`
					Errors   int           `json:"errors"`
					Warnings int           `json:"warnings"`
					Problems []fileProblem `json:"problems"`
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
