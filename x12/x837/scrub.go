package x837

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
)

// ValidateOptions is the policy for Claim.Validate.
type ValidateOptions struct {
	// Today is the current date from the caller's clock. Dates after it
	// are errors (RuleDateFuture). The zero Date disables that rule.
	Today x12.Date
	// MaxLines is the most service lines a claim may have; 0 means the
	// guide's limit (50 for 837P, 999 for 837I).
	MaxLines int
	// MaxDiagnoses is the most diagnosis codes; 0 means the guide's limit
	// (12 for 837P; 25 for 837I: the principal and 24 others).
	MaxDiagnoses int
	// MaxPCN is the longest patient control number (CLM01); 0 means 20.
	MaxPCN int
	// PCNAssignedLater skips the CLM01 checks when the caller assigns the
	// patient control number itself at submission (the pipeline scrubs
	// encounters before they have one).
	PCNAssignedLater bool
	// Delimiters are the separators the claim will be written with; no
	// value may contain one. The zero value means x12.DefaultDelimiters.
	Delimiters x12.Delimiters
}

// Validate checks the claim against the 837 rules before it is built: the
// required data, lengths and code values (SNIP 1-2 as far as they concern
// the claim's data), the claim balance (CLM02 = Σ line charges), NPI check
// digits, taxonomy shape, nine-digit ZIP codes for the billing provider and
// service facility, ICD-10 shape, diagnosis pointers, line limits, dates
// (real, not in the future, consistent), REF*F8 for frequency 7 and 8 and
// delimiter characters in data. It never changes the claim and returns
// nil when the claim is clean. Problems name the field by its JSON path
// and the X12 location it would be written to; messages carry no PHI.
func (c *Claim) Validate(opts ValidateOptions) []Problem {
	s := &scrubber{c: c, opts: opts, kind: c.Kind}
	if s.kind == "" {
		s.kind = Professional
	}
	if s.opts.Delimiters == (x12.Delimiters{}) {
		s.opts.Delimiters = x12.DefaultDelimiters
	}
	if s.kind != Professional && s.kind != Institutional {
		s.add(RuleUnsupportedKind, fp("kind", ""), 0, "", "", "", fmt.Sprintf("kind %q is neither professional nor institutional", c.Kind))
		return s.out
	}
	s.delimiters()
	s.claim()
	s.providers()
	s.parties()
	if s.kind == Institutional {
		s.institutional()
	}
	s.lines()
	s.extras()
	s.otherCoverage()
	return s.out
}

type scrubber struct {
	c    *Claim
	opts ValidateOptions
	kind Kind
	out  []Problem
}

func (s *scrubber) add(rule string, f fld, line int, loop, seg, el, msg string) {
	s.out = append(s.out, Problem{Rule: rule, Field: f.String(), Line: line, Loop: loop, Segment: seg, Element: el, Message: msg})
}

func (s *scrubber) warn(rule string, f fld, line int, loop, seg, el, msg string) {
	s.out = append(s.out, Problem{Rule: rule, Severity: SeverityWarning, Field: f.String(), Line: line, Loop: loop, Segment: seg, Element: el, Message: msg})
}

// fld is the JSON path of a claim field, built only when a problem is
// reported: pre[idx].leaf[idx2], e.g. lines[2].modifiers[0] or
// billing_provider.address.zip (idx and idx2 are -1 when absent).
type fld struct {
	pre   string
	idx   int
	leaf  string
	idx2  int
	leaf2 string
}

// fp is the field pre.leaf (leaf may be empty).
func fp(pre, leaf string) fld { return fld{pre: pre, idx: -1, leaf: leaf, idx2: -1} }

// fa is the array element pre[i].
func fa(pre string, i int) fld { return fld{pre: pre, idx: i, idx2: -1} }

// fl is the field leaf of line i (0-based).
func fl(i int, leaf string) fld { return fld{pre: "lines", idx: i, leaf: leaf, idx2: -1} }

// fla is the array element leaf[k] of line i.
func fla(i int, leaf string, k int) fld { return fld{pre: "lines", idx: i, leaf: leaf, idx2: k} }

// sub returns the field leaf under f.
func (f fld) sub(leaf string) fld {
	switch {
	case f.leaf == "" && f.idx2 < 0:
		f.leaf = leaf
	case f.leaf2 == "" && f.idx2 < 0:
		f.leaf2 = leaf
	default:
		return fp(f.String(), leaf) // deeper than any claim field; not reached
	}
	return f
}

func (f fld) String() string {
	var b strings.Builder
	b.WriteString(f.pre)
	if f.idx >= 0 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(f.idx))
		b.WriteByte(']')
	}
	if f.leaf != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.leaf)
	}
	if f.idx2 >= 0 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(f.idx2))
		b.WriteByte(']')
	}
	if f.leaf2 != "" {
		b.WriteByte('.')
		b.WriteString(f.leaf2)
	}
	return b.String()
}

func (s *scrubber) inst() bool { return s.kind == Institutional }

// str checks a value that will be written to an element: required,
// length and delimiter characters. It reports whether the value is
// present and usable.
func (s *scrubber) str(field fld, line int, loop, el, v string, req bool, min, max int) bool {
	seg := segOf(el)
	if v == "" {
		if req {
			s.add(RuleRequired, field, line, loop, seg, el, field.String()+" is required")
		}
		return false
	}
	if badChar(v, s.opts.Delimiters) >= 0 {
		return false // reported by delimiters
	}
	ok := true
	if len(v) < min || (max > 0 && len(v) > max) {
		s.add(RuleLength, field, line, loop, seg, el, fmt.Sprintf("%s is %d characters; it must be %d to %d", field, len(v), min, max))
		ok = false
	}
	return ok
}

// code checks a value against a code list; "" passes unless req.
func (s *scrubber) code(field fld, line int, loop, el, v string, req bool, list []string) {
	if v == "" {
		if req {
			s.add(RuleRequired, field, line, loop, segOf(el), el, field.String()+" is required")
		}
		return
	}
	if !inSorted(list, v) {
		s.add(RuleCode, field, line, loop, segOf(el), el, fmt.Sprintf("%s %q is not a valid code", field, safeCode(v)))
	}
}

// safeCode shortens a value quoted in a message about a code field.
func safeCode(v string) string {
	if len(v) > 12 {
		return v[:12] + "..."
	}
	return v
}

// segOf returns the segment ID of an element reference: "NM109" -> "NM1",
// "CLM05-3" -> "CLM", "" -> "".
func segOf(el string) string {
	for i := 0; i < len(el); i++ {
		if el[i] == '-' {
			el = el[:i]
			break
		}
	}
	if len(el) < 4 {
		return ""
	}
	return el[:len(el)-2]
}

// date checks that d is a real date and not in the future; it reports
// whether d is usable for ordering checks.
func (s *scrubber) date(field fld, line int, loop, el string, d x12.Date, notFuture bool) bool {
	if !realDate(d) {
		s.add(RuleDateInvalid, field, line, loop, segOf(el), el, field.String()+" is not a real calendar date")
		return false
	}
	if notFuture && !s.opts.Today.IsZero() && d.After(s.opts.Today) {
		s.add(RuleDateFuture, field, line, loop, segOf(el), el, field.String()+" is in the future")
		return false
	}
	return true
}

// realDate reports whether d exists on the calendar and lies between 1900
// and 2999.
func realDate(d x12.Date) bool {
	if d.Year < 1900 || d.Year > 2999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
