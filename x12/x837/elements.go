package x837

import (
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Element-level checks of one segment against its definition (SNIP 1-2):
// required and not-used elements and components, repetitions, lengths,
// data types, code values and the X12 syntax rules. Messages quote only
// code values, numbers and dates of type DT, never free text.

type elemReporter func(rule, el string, elem, comp int, msg string)

func checkElements(s *x12.Segment, d *segDef, report elemReporter) {
	n := s.Len()
	if n > 0 && len(s.Element(n)) == 0 {
		report(RuleTrailingSeparator, "", n, 0, s.ID()+" ends with an element separator (trailing empty elements must be omitted)")
	}
	for i := 1; i <= n || i <= len(d.elems); i++ {
		var def *elemDef
		if i <= len(d.elems) {
			def = d.elems[i-1]
		}
		raw := s.Element(i)
		if def == nil {
			if len(raw) > 0 {
				report(RuleElementNotUsed, elemRef(s.ID(), i), i, 0, elemRef(s.ID(), i)+" is not used in this segment")
			}
			continue
		}
		if len(raw) == 0 {
			if def.usage == required {
				report(RuleRequired, def.ref, i, 0, "required element "+def.ref+" ("+def.name+") is missing")
			}
			continue
		}
		if isa := s.ID() == "ISA"; isa {
			// ISA11 and ISA16 are delimiters themselves; the ISA has no
			// composites or repetitions.
			checkValue(def, raw, i, 0, report)
			continue
		}
		if s.Repetitions(i) > 1 {
			report(RuleElementRepeat, def.ref, i, 0, def.ref+" has repetitions but does not repeat")
			continue
		}
		if def.comps == nil {
			if s.Components(i) > 1 {
				report(RuleFormat, def.ref, i, 0, def.ref+" is a simple element but contains a component separator")
				continue
			}
			checkValue(def, raw, i, 0, report)
			continue
		}
		nc := s.Components(i)
		if nc > 1 && len(s.Component(i, nc)) == 0 {
			report(RuleTrailingSeparator, def.ref, i, nc, def.ref+" ends with a component separator (trailing empty components must be omitted)")
		}
		for j := 1; j <= nc || j <= len(def.comps); j++ {
			var cd *elemDef
			if j <= len(def.comps) {
				cd = def.comps[j-1]
			}
			v := s.Component(i, j)
			if cd == nil {
				if len(v) > 0 {
					ref := def.ref + "-" + strconv.Itoa(j)
					report(RuleElementNotUsed, ref, i, j, ref+" is not used in this composite")
				}
				continue
			}
			if len(v) == 0 {
				if cd.usage == required {
					report(RuleRequired, cd.ref, i, j, "required component "+cd.ref+" ("+cd.name+") is missing")
				}
				continue
			}
			checkValue(cd, v, i, j, report)
		}
	}
	for _, r := range d.syntax {
		checkSyntax(s, r, report)
	}
}

func elemRef(id string, i int) string {
	if i < 10 {
		return id + "0" + strconv.Itoa(i)
	}
	return id + strconv.Itoa(i)
}

// quotable reports whether values of this element may appear in messages:
// codes, numbers and DT dates, but not free text (which may be PHI).
func quotable(d *elemDef) bool {
	return d.typ != typeAN
}

func quote(d *elemDef, v []byte) string {
	if !quotable(d) && len(d.codes) == 0 {
		return ""
	}
	if len(v) > 15 {
		v = v[:15]
	}
	return " " + strconv.Quote(string(v))
}

func checkValue(d *elemDef, v []byte, el, comp int, report elemReporter) {
	for k, c := range v {
		if c < 0x20 || c >= 0x7f {
			report(RuleInvalidCharacter, d.ref, el, comp, d.ref+" contains a control or non-ASCII character at position "+strconv.Itoa(k+1))
			return
		}
	}
	n := len(v)
	switch d.typ {
	case typeR, typeN0, typeN2:
		n = 0
		for _, c := range v {
			if isDigit(c) {
				n++
			}
		}
	}
	if n < d.min || n > d.max {
		report(RuleLength, d.ref, el, comp, d.ref+" ("+d.name+")"+quote(d, v)+" has length "+strconv.Itoa(n)+"; the guide allows "+
			strconv.Itoa(d.min)+" to "+strconv.Itoa(d.max))
	}
	if len(d.codes) > 0 && !inSortedBytes(d.codes, v) {
		report(RuleCode, d.ref, el, comp, d.ref+quote(d, v)+" is not a valid "+d.name)
		return
	}
	switch d.typ {
	case typeN0, typeN2:
		if !isInteger(v) {
			report(RuleFormat, d.ref, el, comp, d.ref+quote(d, v)+" is not a whole number")
		}
	case typeR:
		if !isDecimal(v) {
			report(RuleFormat, d.ref, el, comp, d.ref+quote(d, v)+" is not a decimal number")
		}
	case typeDT:
		if _, err := x12.ParseDate(v); err != nil {
			report(RuleDateInvalid, d.ref, el, comp, d.ref+quote(d, v)+" is not a valid date")
		}
	case typeTM:
		if !validTime(v) {
			report(RuleFormat, d.ref, el, comp, d.ref+quote(d, v)+" is not a valid time (HHMM[SS[DD]])")
		}
	}
	switch d.ext {
	case extStates:
		if !inSortedBytes(stateCodes, v) {
			report(RuleCode, d.ref, el, comp, d.ref+quote(d, v)+" is not a US state or Canadian province code")
		}
	case extPOS:
		if !inSortedBytes(placesOfService, v) {
			report(RuleCode, d.ref, el, comp, d.ref+" "+strconv.Quote(string(v))+" is not a CMS place of service code")
		}
	}
	if d.digits9 && d.ref != "N403" && (len(v) != 9 || !allDigits(string(v))) {
		report(RuleFormat, d.ref, el, comp, d.ref+" ("+d.name+") must be nine digits")
	}
}

func isInteger(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func isDecimal(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	digits, dot := 0, false
	for _, c := range v {
		switch {
		case c == '.' && !dot:
			dot = true
		case isDigit(c):
			digits++
		default:
			return false
		}
	}
	return digits > 0 && v[len(v)-1] != '.' // pyx12 rejects "2."
}

// validTime checks HHMM, HHMMSS or HHMMSSD[D].
func validTime(v []byte) bool {
	if len(v) != 4 && len(v) != 6 && len(v) != 7 && len(v) != 8 {
		return false
	}
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	hh := int(v[0]-'0')*10 + int(v[1]-'0')
	mm := int(v[2]-'0')*10 + int(v[3]-'0')
	if hh > 23 || mm > 59 {
		return false
	}
	if len(v) >= 6 {
		if ss := int(v[4]-'0')*10 + int(v[5]-'0'); ss > 59 {
			return false
		}
	}
	return true
}

// checkSyntax applies one X12 syntax note to the segment.
func checkSyntax(s *x12.Segment, r syntaxRule, report elemReporter) {
	present := 0
	for _, e := range r.els {
		if s.Has(e) {
			present++
		}
	}
	names := func() string {
		out := ""
		for k, e := range r.els {
			if k > 0 {
				out += ", "
			}
			out += elemRef(s.ID(), e)
		}
		return out
	}
	first := s.Has(r.els[0])
	var msg string
	switch r.kind {
	case 'P':
		if present > 0 && present < len(r.els) {
			msg = names() + " must be used together"
		}
	case 'R':
		if present == 0 {
			msg = "at least one of " + names() + " is required"
		}
	case 'E':
		if present > 1 {
			msg = "only one of " + names() + " may be used"
		}
	case 'C':
		if first && present < len(r.els) {
			msg = elemRef(s.ID(), r.els[0]) + " requires " + names()[len(elemRef(s.ID(), r.els[0]))+2:]
		}
	case 'L':
		if first && present < 2 {
			msg = elemRef(s.ID(), r.els[0]) + " requires at least one of " + names()[len(elemRef(s.ID(), r.els[0]))+2:]
		}
	}
	if msg != "" {
		report(RuleSyntax, elemRef(s.ID(), r.els[0]), r.els[0], 0, msg)
	}
}
