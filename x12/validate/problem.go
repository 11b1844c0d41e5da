package validate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/x12claims/claims/x12"
)

// Severity grades a problem. Only errors make a file invalid.
type Severity string

// The severities, most severe first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Notice  Severity = "notice"
)

// The rules of the problems found outside the 837 rule set (whose rule
// IDs are x837's).
const (
	RuleEnvelope           = "envelope"
	RuleISAWidth           = "isa-width"
	RuleDate               = "envelope-date"
	RuleTime               = "envelope-time"
	RuleStructure          = "structure"
	RuleCode               = "code"
	RuleBalanceLine        = "balance-line"
	RuleBalanceClaim       = "balance-claim"
	RuleBalanceTransaction = "balance-transaction"
	RuleNoRules            = "no-rules"
)

// Position is a place in the file, with snake_case JSON keys.
type Position struct {
	Interchange int    `json:"interchange,omitempty"`
	Segment     int    `json:"segment,omitempty"`     // in the file (ISA = 1)
	SetSegment  int    `json:"set_segment,omitempty"` // in its set (ST = 1)
	SegmentID   string `json:"segment_id,omitempty"`
	Element     int    `json:"element,omitempty"`
	Component   int    `json:"component,omitempty"`
	Byte        int64  `json:"byte"`
}

// PositionOf converts an x12 position.
func PositionOf(p x12.Position) Position {
	return Position{p.Interchange, p.Segment, p.SetSegment, p.SegmentID, p.Element, p.Component, p.Offset}
}

// X12 converts the position back, for its String form.
func (p Position) X12() x12.Position {
	return x12.Position{Interchange: p.Interchange, Segment: p.Segment, SetSegment: p.SetSegment,
		SegmentID: p.SegmentID, Element: p.Element, Component: p.Component, Offset: p.Byte}
}

// Problem is one problem found in a file, of any set kind.
type Problem struct {
	Severity   Severity `json:"severity"`
	Rule       string   `json:"rule"`
	Set        string   `json:"set,omitempty"` // kind: 837P, 837I, 835, 999, 997, 277CA, TA1, or ST01
	SetControl string   `json:"set_control,omitempty"`
	Claim      string   `json:"claim,omitempty"` // CLM01 or CLP01
	Line       int      `json:"line,omitempty"`
	Loop       string   `json:"loop,omitempty"`
	Element    string   `json:"element,omitempty"` // e.g. "CLP04"
	Position   Position `json:"position"`
	Message    string   `json:"message"`

	text string // the 837 validator's own text, when it gave it
}

// Text is the problem in the form "segment N (ID) element E, byte B:
// message". It may hold control characters from the file: escape it
// before printing it on a terminal.
func (p *Problem) Text() string {
	if p.text != "" {
		return p.text
	}
	return p.Position.X12().String() + ": " + p.Message
}

// Counts returns the number of errors and warnings among problems.
func Counts(problems []Problem) (errs, warnings int) {
	for _, p := range problems {
		switch p.Severity {
		case Error:
			errs++
		case Warning:
			warnings++
		}
	}
	return errs, warnings
}

// collector gathers the problems of one file, once each.
type collector struct {
	env      *x12.EnvelopeCheck
	problems []Problem
	seen     map[string]bool
}

func (c *collector) add(p Problem) {
	key := fmt.Sprintf("%d/%d/%d/%s", p.Position.Segment, p.Position.Element, p.Position.Component, p.Message)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.problems = append(c.problems, p)
}

// addErr adds a positioned error from the x12 Reader or a typed parser.
func (c *collector) addErr(kind, rule string, err error) {
	p := Problem{Severity: Error, Rule: rule, Set: kind, Message: err.Error()}
	var xe *x12.Error
	if errors.As(err, &xe) {
		p.Position = PositionOf(xe.Pos)
		p.Message = xe.Err.Error()
		if xe.Pos.SegmentID != "" && xe.Pos.Element > 0 {
			p.Element = fmt.Sprintf("%s%02d", xe.Pos.SegmentID, xe.Pos.Element)
		}
		switch {
		case errors.Is(err, x12.ErrBadDate):
			p.Rule = RuleDate
		case errors.Is(err, x12.ErrBadTime):
			p.Rule = RuleTime
		case errors.Is(err, x12.ErrBadISA) && xe.Pos.Element > 0 && strings.Contains(p.Message, "fixed width"):
			p.Rule = RuleISAWidth
		}
	}
	c.add(p)
}

// addJoined adds each error of a typed parser's joined error.
func (c *collector) addJoined(kind string, err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			c.addErr(kind, RuleStructure, e)
		}
		return
	}
	c.addErr(kind, RuleStructure, err)
}
