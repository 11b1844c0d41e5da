package clearinghousesim

import (
	"bytes"
	"strings"

	"github.com/x12claims/claims/x12/x837"
)

// The x12/x837 file validator's rules that a 999 reports (SNIP levels 1
// and 2: syntax and implementation guide), with the IK304 segment code or
// IK403 element code each becomes. Claim rules (balance, NPI check digits,
// dates in the future ...) are the 277CA's business, and envelope rules
// are the simulator's own checks.
var (
	ruleSegmentCode = map[string]string{
		x837.RuleSegmentUnexpected: "2", // unexpected segment
		x837.RuleSegmentMissing:    "3", // required segment missing
		x837.RuleLoopMissing:       "3",
		x837.RuleLoopRepeat:        "4", // loop occurs over maximum times
		x837.RuleSegmentRepeat:     "5", // segment exceeds maximum use
	}
	ruleElementCode = map[string]string{
		x837.RuleRequired:         "1",   // mandatory data element missing
		x837.RuleCode:             "7",   // invalid code value
		x837.RuleDateInvalid:      "8",   // invalid date
		x837.RuleInvalidCharacter: "6",   // invalid character in data element
		x837.RuleDelimiter:        "6",   //
		x837.RuleSyntax:           "2",   // conditional required data element missing
		x837.RuleFormat:           "I12", // implementation pattern match failure
		x837.RuleElementNotUsed:   "I10", // implementation "not used" data element present
		x837.RuleElementRepeat:    "12",  // too many repetitions
	}
)

// addValidatorErrors runs the 837 file validator over data and adds its
// syntax and guide errors to the sets of in, as IK3/IK4 at the segment
// and element it names, unless the simulator's own checks already
// reported that segment.
func addValidatorErrors(in *inbound, data []byte) error {
	if in.fatal != "" {
		return nil
	}
	probs, err := x837.ValidateFile(bytes.NewReader(data), x837.FileOptions{})
	if err != nil {
		return err
	}
	for _, p := range probs {
		if p.Severity != x837.SeverityError || p.SetControl == "" || p.Pos.SetSegment <= 1 {
			continue
		}
		e, ok := segErrorOf(p)
		if !ok {
			continue
		}
		s := in.findSet(p.SetControl)
		if s == nil || !s.supported {
			continue
		}
		if s.hasError(e) {
			continue
		}
		s.errs = append(s.errs, e)
		if len(e.elems) > 0 && isSyntaxElems(e.elems) {
			s.syntax = true
		}
	}
	return nil
}

// segErrorOf turns a validator problem into an IK3 (with its IK4).
func segErrorOf(p x837.Problem) (segError, bool) {
	id := p.Segment // the segment in error (a missing one is not where it was missed)
	if id == "" {
		id = p.Pos.SegmentID
	}
	switch id {
	case "ST", "SE", "GS", "GE", "ISA", "IEA":
		return segError{}, false // envelopes are the simulator's own checks
	}
	e := segError{id: safeID(id), pos: p.Pos.SetSegment, loop: p.Loop, pcn: p.Claim}
	if c, ok := ruleSegmentCode[p.Rule]; ok {
		e.code = c
		return e, true
	}
	c, ok := ruleElementCode[p.Rule]
	if !ok {
		if p.Rule != x837.RuleLength || p.Pos.Element == 0 {
			return e, false
		}
		c = "4" // too short
		if strings.Contains(p.Message, "long") {
			c = "5"
		}
	}
	if p.Pos.Element == 0 {
		return e, false
	}
	e.code = "8" // segment has data element errors
	e.elems = []elemError{{pos: p.Pos.Element, comp: p.Pos.Component, code: c}}
	return e, true
}

// findSet returns the first transaction set with the control number.
func (in *inbound) findSet(control string) *set {
	for _, ic := range in.ics {
		for _, g := range ic.groups {
			for _, s := range g.sets {
				if s.st.ControlNumber == control {
					return s
				}
			}
		}
	}
	return nil
}

// hasError reports whether the set already has an error at e's segment,
// or the same missing segment.
func (s *set) hasError(e segError) bool {
	for _, x := range s.errs {
		if x.pos == e.pos || e.code == "3" && x.code == "3" && x.id == e.id {
			return true
		}
	}
	return false
}
