package validate

import (
	"bytes"
	"fmt"
	"io"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
)

// codeRule says that element Element (component Component, 0 for the
// whole element or its first component) of a segment holds a code of
// List. Repeat > 0 names further elements that hold the same kind of
// code, Repeat apart, up to Last (CAS02, CAS05, ..., CAS17).
type codeRule struct {
	Element, Component int
	Last, Repeat       int
	List               codes.List
	// Only, when set, holds the codes of List allowed here (IK501 takes
	// the acknowledgment codes except P, which is valid in AK901 only).
	Only func(string) bool
	// When, when set, must hold for the segment for the rule to apply
	// (LQ02 is a RARC only when LQ01 = HE).
	When func(*x12.Segment) bool
	// Format, used instead of List, is the shape the element must have,
	// for elements whose values are not on a list we hold (AK101, a
	// functional identifier code; AK402, a data element reference
	// number).
	Format *format
}

// format is an element's required shape.
type format struct {
	name string // e.g. "a number of 1 to 4 digits"
	ok   func(string) bool
}

// shape returns a format of min to max characters each passing ok.
func shape(name string, min, max int, ok func(byte) bool) *format {
	return &format{name: name, ok: func(v string) bool {
		if len(v) < min || len(v) > max {
			return false
		}
		for i := 0; i < len(v); i++ {
			if !ok(v[i]) {
				return false
			}
		}
		return true
	}}
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isUpperAlnum(c byte) bool { return isDigit(c) || c >= 'A' && c <= 'Z' }

// The shapes of the acknowledgment elements that hold no listed code.
var (
	functionalID = shape("a functional identifier code (2 letters, GS01)", 2, 2, isUpperAlnum)
	groupControl = shape("a group control number (1 to 9 digits, GS06)", 1, 9, isDigit)
	setID        = shape("a transaction set identifier (3 digits, ST01)", 3, 3, isDigit)
	segmentID    = &format{name: "a segment identifier (2 or 3 letters and digits)", ok: x12.ValidSegmentID}
	elementRef   = shape("a data element reference number (1 to 4 digits)", 1, 4, isDigit)
)

// elements returns the element positions the rule covers.
func (r codeRule) elements() []int {
	if r.Repeat == 0 {
		return []int{r.Element}
	}
	var es []int
	for e := r.Element; e <= r.Last; e += r.Repeat {
		es = append(es, e)
	}
	return es
}

func notP(code string) bool { return code != "P" }

// ackRules are the code elements of a 999 (IK) or 997 (AK) set.
func ackRules(seg, elem, set string) map[string][]codeRule {
	return map[string][]codeRule{
		"AK1": {{Element: 1, Format: functionalID}, {Element: 2, Format: groupControl}},
		"AK2": {{Element: 1, Format: setID}},
		seg:   {{Element: 1, Format: segmentID}, {Element: 4, List: codes.SegmentSyntaxError}},
		elem:  {{Element: 2, Format: elementRef}, {Element: 3, List: codes.ElementSyntaxError}},
		set: {
			{Element: 1, List: codes.AckCode, Only: notP},
			{Element: 2, Last: 6, Repeat: 1, List: codes.TransactionSetError},
		},
		"AK9": {
			{Element: 1, List: codes.AckCode},
			{Element: 5, Last: 9, Repeat: 1, List: codes.GroupError},
		},
	}
}

// stcComposites are the three composites of an STC that hold a status
// (STC01, STC10, STC11).
var stcComposites = []int{1, 10, 11}

// codeRules returns the code rules of a set kind, by segment ID.
func codeRules(kind string) map[string][]codeRule {
	switch kind {
	case "999":
		return ackRules("IK3", "IK4", "IK5")
	case "997":
		return ackRules("AK3", "AK4", "AK5")
	case "277CA":
		var stc []codeRule
		for _, e := range stcComposites {
			stc = append(stc,
				codeRule{Element: e, Component: 1, List: codes.ClaimStatusCategory},
				codeRule{Element: e, Component: 2, List: codes.ClaimStatus},
				codeRule{Element: e, Component: 3, List: codes.EntityIdentifier})
		}
		return map[string][]codeRule{"STC": stc}
	case "835":
		return map[string][]codeRule{
			"CLP": {{Element: 2, List: codes.ClaimPaymentStatus}},
			"CAS": {
				{Element: 1, List: codes.AdjustmentGroup},
				{Element: 2, Last: 17, Repeat: 3, List: codes.CARC},
			},
			"PLB": {{Element: 3, Component: 1, Last: 13, Repeat: 2, List: codes.PLBReason}},
			"LQ": {{Element: 2, List: codes.RARC, When: func(s *x12.Segment) bool {
				return string(s.Element(1)) == "HE"
			}}},
		}
	case "TA1":
		return map[string][]codeRule{"TA1": {
			{Element: 4, List: codes.TA1Ack},
			{Element: 5, List: codes.TA1Note},
		}}
	}
	return nil
}

// checkCodes reads data again and checks every code element of the sets
// whose kinds have rules. kinds maps the file position of each ST (and
// TA1) to its set kind.
func (c *collector) checkCodes(data []byte, kinds map[int]string) error {
	rd := x12.NewReader(bytes.NewReader(data))
	rd.Mode = x12.CollectAll
	var rules map[string][]codeRule
	var kind, control string
	for {
		seg, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // reported by the envelope check
		}
		pos := rd.Position()
		switch seg.ID() {
		case "ST":
			kind, control = kinds[pos.Segment], seg.String(2)
			rules = codeRules(kind)
			continue
		case "SE":
			rules = nil
			continue
		case "TA1":
			c.checkSegment(seg, pos, "TA1", seg.String(1), codeRules("TA1")["TA1"])
			continue
		}
		if rs := rules[seg.ID()]; rs != nil {
			c.checkSegment(seg, pos, kind, control, rs)
		}
	}
}

func (c *collector) checkSegment(seg *x12.Segment, pos x12.Position, kind, control string, rules []codeRule) {
	for _, r := range rules {
		if r.When != nil && !r.When(seg) {
			continue
		}
		for _, el := range r.elements() {
			var v []byte
			if r.Component > 0 {
				v = seg.Component(el, r.Component)
			} else {
				v = seg.Component(el, 1)
			}
			if len(v) == 0 {
				continue
			}
			code := string(v)
			var known bool
			if r.Format != nil {
				known = r.Format.ok(code)
			} else {
				_, known = codes.Lookup(r.List, code)
			}
			if known && (r.Only == nil || r.Only(code)) {
				continue
			}
			meta := codes.Info(r.List)
			p := Problem{Severity: Error, Rule: RuleCode, Set: kind, SetControl: control,
				Element: fmt.Sprintf("%s%02d", seg.ID(), el)}
			if r.Component > 0 {
				p.Element += fmt.Sprintf("-%d", r.Component)
			}
			p.Position = PositionOf(pos)
			p.Position.Element, p.Position.Component = el, r.Component
			p.Position.Byte += int64(seg.ElementOffset(el))
			switch {
			case r.Format != nil:
				p.Message = fmt.Sprintf("%s %s is not %s", p.Element, quote(code), r.Format.name)
			case known:
				p.Message = fmt.Sprintf("%s %s is a %s but is not allowed here", p.Element, quote(code), meta.Name)
			case meta.Partial:
				p.Severity = Warning
				p.Message = fmt.Sprintf("%s %s is not in our table of %s (a selection: it may be valid)", p.Element, quote(code), meta.Name)
			default:
				p.Message = fmt.Sprintf("%s %s is not a %s", p.Element, quote(code), meta.Name)
			}
			c.add(p)
		}
	}
}

// quote quotes a value from the file, escaping anything unprintable.
func quote(s string) string { return fmt.Sprintf("%q", s) }
