package x837

import (
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12"
)

// Severity says whether a problem blocks the claim or file.
type Severity int

// The severities. An error blocks sending; a warning does not.
const (
	SeverityError Severity = iota
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MarshalText returns the String form, so JSON shows "error".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Problem is one finding of the scrubber (Claim.Validate) or of the file
// validator (Validator). Messages never contain PHI (names, member IDs,
// birth dates, addresses): they name fields and positions and may quote
// codes, NPIs, control numbers and amounts.
type Problem struct {
	// Rule is the stable identifier of the rule, one of the Rule*
	// constants, e.g. "npi-check-digit".
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Field is the JSON path of the claim field in the encounter format
	// (array indexes 0-based), e.g. "billing_provider.npi" or
	// "lines[1].diagnosis_pointers[0]". Empty for file problems.
	Field string `json:"field,omitempty"`
	// Line is the 1-based service line (LX01), or 0.
	Line int `json:"line,omitempty"`
	// Loop, Segment and Element locate the problem in the X12 structure,
	// e.g. "2010AA", "NM1", "NM109" (components as "SV107-4").
	Loop    string `json:"loop,omitempty"`
	Segment string `json:"segment,omitempty"`
	Element string `json:"element,omitempty"`
	// Pos is the position in the file (file validation only).
	Pos x12.Position `json:"pos,omitzero"`
	// SetControl is ST02 of the transaction set, and Claim CLM01 of the
	// claim the problem is in (file validation only).
	SetControl string `json:"set_control,omitempty"`
	Claim      string `json:"claim,omitempty"`
	Message    string `json:"message"`
}

// Location returns the X12 location, e.g. "2400 SV107", or "" when the
// problem has none.
func (p *Problem) Location() string {
	var parts []string
	if p.Loop != "" {
		parts = append(parts, p.Loop)
	}
	switch {
	case p.Element != "":
		parts = append(parts, p.Element)
	case p.Segment != "":
		parts = append(parts, p.Segment)
	}
	return strings.Join(parts, " ")
}

// Error formats the problem, e.g. "line 2: diagnosis pointer 4 has no
// diagnosis (2400 SV107-1)". File problems start with their position:
// "segment 25 (SV1), set 0001 position 23: claim A1 line 2: ...".
func (p *Problem) Error() string {
	var b strings.Builder
	if p.Pos.Segment > 0 {
		b.WriteString("segment ")
		b.WriteString(strconv.Itoa(p.Pos.Segment))
		if p.Pos.SegmentID != "" {
			b.WriteString(" (")
			b.WriteString(p.Pos.SegmentID)
			b.WriteString(")")
		}
		if p.SetControl != "" && p.Pos.SetSegment > 0 {
			b.WriteString(", set ")
			b.WriteString(p.SetControl)
			b.WriteString(" position ")
			b.WriteString(strconv.Itoa(p.Pos.SetSegment))
		}
		b.WriteString(": ")
	}
	if p.Claim != "" {
		b.WriteString("claim ")
		b.WriteString(p.Claim)
		if p.Line > 0 {
			b.WriteString(" ")
		} else {
			b.WriteString(": ")
		}
	}
	if p.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(": ")
	}
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	if loc := p.Location(); loc != "" {
		b.WriteString(" (")
		b.WriteString(loc)
		b.WriteString(")")
	}
	return b.String()
}

// HasErrors reports whether any problem is an error (not a warning).
func HasErrors(problems []Problem) bool {
	for i := range problems {
		if problems[i].Severity == SeverityError {
			return true
		}
	}
	return false
}

// Rule identifiers. They are stable: the work queue, tests and
// COMPARISON.md refer to them.
const (
	// Claim content (scrubber and file validator).
	RuleRequired              = "required"               // a required field or element is missing
	RuleLength                = "length"                 // a value is too short or too long for its element
	RuleCode                  = "code"                   // a value is not in the element's code list
	RuleFormat                = "format"                 // a value has the wrong shape (digits, decimal, phone)
	RuleDelimiter             = "delimiter-in-data"      // a value contains a delimiter character
	RuleOutOfBalance          = "claim-out-of-balance"   // CLM02 differs from the sum of the line charges
	RuleNPIFormat             = "npi-format"             // an NPI is not ten digits starting with 1 or 2
	RuleNPICheckDigit         = "npi-check-digit"        // an NPI's Luhn check digit is wrong
	RuleTaxonomy              = "taxonomy-format"        // a taxonomy code is not 9 letters/digits and X
	RuleZIP9                  = "zip-9"                  // billing provider or facility ZIP is not 9 digits
	RuleZIP                   = "zip-format"             // a ZIP code is not 5 or 9 digits
	RuleICD10                 = "icd10-format"           // a diagnosis is not an ICD-10-CM code shape
	RuleICD9                  = "icd9-qualifier"         // a diagnosis uses the retired ICD-9 qualifiers BK/BF/BJ
	RuleDiagnosesMax          = "diagnoses-max"          // too many diagnosis codes
	RuleDiagnosisPointer      = "diagnosis-pointer"      // a line points at a diagnosis that does not exist
	RuleLinesMax              = "lines-max"              // too many service lines
	RuleDateInvalid           = "date-invalid"           // a date is not a real calendar date or badly formatted
	RuleDateFuture            = "date-future"            // a date is after today
	RuleDateOrder             = "date-order"             // dates are inconsistent with each other
	RulePayerClaimNumber      = "payer-claim-number"     // frequency 7/8 without REF*F8
	RulePCNLength             = "pcn-length"             // CLM01 longer than 20 characters
	RuleLineControlDuplicate  = "line-control-duplicate" // REF*6R repeated within a claim
	RuleSameAsSubscriber      = "patient-is-subscriber"  // a patient loop for the subscriber themself
	RuleAttendingRequired     = "attending-required"     // 837I without an attending provider
	RulePersonOrOrganization  = "entity-type"            // a provider must be a person or an organization here
	RuleUnsupportedKind       = "kind"                   // unknown claim kind
	RuleCOB                   = "cob-missing"            // a secondary claim without other-payer loops
	RuleTooManyProblemsInFile = "too-many-problems"      // the validator stopped collecting

	// Structure (file validator, SNIP 1-2).
	RuleNotX12            = "not-x12"            // the input is not an X12 interchange
	RuleBOM               = "bom"                // the file starts with a UTF-8 byte order mark
	RuleGuide             = "guide-unsupported"  // GS08/ST03 is not 005010X222A1 or 005010X223A2
	RuleGuideMismatch     = "guide-mismatch"     // ST03 differs from GS08
	RuleEnvelope          = "envelope"           // envelope structure: missing trailer, segment outside a set
	RuleControlNumber     = "control-number"     // trailer control number differs from its header's
	RuleCount             = "count"              // SE01/GE01/IEA01 differs from the count
	RuleDuplicateControl  = "control-duplicate"  // ST02 or GS06 repeated
	RuleSegmentUnexpected = "segment-unexpected" // a segment not allowed at this place (or out of order)
	RuleSegmentMissing    = "segment-missing"    // a required segment is missing
	RuleSegmentRepeat     = "segment-repeat"     // a segment exceeds its maximum use
	RuleLoopMissing       = "loop-missing"       // a required loop is missing
	RuleLoopRepeat        = "loop-repeat"        // a loop exceeds its repeat count
	RuleElementNotUsed    = "element-not-used"   // an element the guide marks not used is present
	RuleElementRepeat     = "element-repeat"     // repetitions in an element that does not repeat
	RuleSyntax            = "syntax"             // an X12 syntax rule (paired, required, exclusion, conditional)
	RuleTrailingSeparator = "trailing-separator" // a segment ends with empty elements or components
	RuleInvalidCharacter  = "invalid-character"  // a control or non-ASCII character in data
	RuleHLSequence        = "hl-sequence"        // HL01 does not count 1, 2, 3...
	RuleHLParent          = "hl-parent"          // HL02 does not point at a valid parent
	RuleHLChildCode       = "hl-child-code"      // HL04 does not match whether children follow
	RuleLXSequence        = "lx-sequence"        // LX01 does not count 1, 2, 3... within a claim
	RuleInterchangeCount  = "one-interchange"    // more than one ISA in a file
	RuleClaimsPerSet      = "claims-per-set"     // more claims in one ST-SE than recommended
)
