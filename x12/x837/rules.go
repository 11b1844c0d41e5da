package x837

import (
	"slices"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// The scrubber's claim rules applied to a file, segment by segment. The
// state kept is one claim's and the HL tree of one set; it is reset per
// set, so memory does not grow with the file.

type claimState struct {
	// Set level.
	claims int
	hlSeen int             // HL segments so far
	hls    []hlInfo        // by HL01 when it counts 1, 2, 3...; hls[0] unused
	hlMap  map[int]*hlInfo // HL01 values out of that sequence
	// Subscriber and patient context.
	selfSub bool
	birth   x12.Date
	// The open claim.
	open       bool
	pcn        string
	clmPos     x12.Position
	clm02      x12.Amount
	clmOK      bool
	freq       string
	hasF8      bool
	dxSeen     bool
	dx         int
	lines      int
	lastLX     int
	sum        x12.Amount
	sumOK      bool
	charged    bool // the open line has its SV1/SV2
	stmtFrom   x12.Date
	stmtTo     x12.Date
	icd9Warned bool
	ctl        map[string]int
	inst       instClaim  // 837I inpatient and coding rules (rules_inst.go)
	extra      extraClaim // rules_extras.go
}

type hlInfo struct {
	used     bool
	level    string
	child    string
	hasChild bool
	pos      x12.Position
}

func (c *claimState) setStart() {
	c.hls = c.hls[:0]
	c.hlMap = nil
}

// hlAt returns the HL with the given HL01, or nil.
func (c *claimState) hlAt(id int) *hlInfo {
	if id > 0 && id < len(c.hls) && c.hls[id].used {
		return &c.hls[id]
	}
	return c.hlMap[id]
}

// putHL records an HL. Dense IDs go in a slice; others (from a file that
// does not count 1, 2, 3) in a map, so memory follows the number of HL
// segments, not the size of their IDs.
func (c *claimState) putHL(id int, h hlInfo) {
	if len(c.hls) == 0 {
		c.hls = append(c.hls, hlInfo{})
	}
	switch {
	case id > 0 && id < len(c.hls):
		c.hls[id] = h
	case id == len(c.hls):
		c.hls = append(c.hls, h)
	default:
		if c.hlMap == nil {
			c.hlMap = make(map[int]*hlInfo)
		}
		hh := h
		c.hlMap[id] = &hh
	}
}

// problemAt reports a problem at an earlier position in the set.
func (v *fileValidator) problemAt(pos x12.Position, sev Severity, rule, loop, seg, el, claim, msg string) {
	v.emit(Problem{Rule: rule, Severity: sev, Loop: loop, Segment: seg, Element: el, Pos: pos, SetControl: v.st02, Claim: claim, Message: msg})
}

func (v *fileValidator) endClaim() {
	c := &v.c
	if !c.open {
		return
	}
	c.open = false
	v.cobEnd()
	if c.lines > 0 && !c.charged {
		c.sumOK = false
	}
	if c.clmOK && c.sumOK && c.lines > 0 && c.clm02 != c.sum {
		v.problemAt(c.clmPos, SeverityError, RuleOutOfBalance, "2300", "CLM", "CLM02", c.pcn,
			"total charge "+c.clm02.String()+" does not equal the sum of the line charges "+c.sum.String())
	}
	if (c.freq == "7" || c.freq == "8") && !c.hasF8 {
		v.problemAt(c.clmPos, SeverityError, RulePayerClaimNumber, "2300", "CLM", "CLM05-3", c.pcn,
			"frequency "+c.freq+" ("+freqName(c.freq)+") requires the payer's claim control number (REF*F8)")
	}
	v.endClaimI()
	v.endClaimExtras()
}

func (v *fileValidator) hlEnd() {
	c := &v.c
	check := func(id int, h *hlInfo) {
		if h.used && h.child == "1" && !h.hasChild {
			v.problemAt(h.pos, SeverityError, RuleHLChildCode, "", "HL", "HL04", "",
				"HL "+strconv.Itoa(id)+" says it has children (HL04 = 1) but no HL names it as parent")
		}
	}
	for id := range c.hls {
		check(id, &c.hls[id])
	}
	ids := make([]int, 0, len(c.hlMap))
	for id := range c.hlMap {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		check(id, c.hlMap[id])
	}
}

// rules applies the claim rules to a segment placed in loop.
func (v *fileValidator) rules(s *x12.Segment, loop string) {
	v.rulesI(s, loop)
	v.cobSegment(s, loop)
	switch s.ID() {
	case "HL":
		v.hl(s)
	case "SBR":
		if loop == "2000B" {
			v.c.selfSub = s.String(2) == "18"
			v.c.birth = x12.Date{}
		}
	case "PAT":
		if loop == "2000C" {
			v.c.birth = x12.Date{} // a new patient; their DMG follows
		}
	case "DMG":
		v.dmg(s, loop)
	case "NM1":
		if string(s.Element(8)) == "XX" && s.Has(9) {
			v.npi(s.Element(9), loop)
		}
	case "PRV":
		if string(s.Element(2)) == "PXC" && s.Has(3) && !ValidTaxonomy(string(s.Element(3))) {
			v.problem(SeverityError, RuleTaxonomy, loop, "PRV", "PRV03", 3, 0,
				"taxonomy "+strconv.Quote(string(truncate(s.Element(3), 15)))+" is not a NUCC code (nine letters or digits then X)")
		}
	case "N4":
		v.zip(s, loop)
	case "DTP":
		v.dtp(s, loop)
	case "REF":
		v.ref(s, loop)
	case "HI":
		if loop == "2300" {
			v.hi(s)
		}
	case "LX":
		v.lx(s)
	case "SV1":
		v.sv1(s)
	case "SV2":
		v.addCharge(s, 3)
	}
	v.rulesExtras(s, loop)
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func (v *fileValidator) hl(s *x12.Segment) {
	c := &v.c
	c.hlSeen++
	id, ok := atoiBytes(s.Element(1))
	if !ok || id != c.hlSeen {
		v.problem(SeverityError, RuleHLSequence, v.walk.loopID(), "HL", "HL01", 1, 0,
			"HL01 is "+strconv.Quote(string(truncate(s.Element(1), 12)))+" but this is HL "+strconv.Itoa(c.hlSeen)+" of the set; HL01 must count 1, 2, 3...")
	}
	level := string(s.Element(3))
	if s.Has(2) {
		pid, ok := atoiBytes(s.Element(2))
		var parent *hlInfo
		if ok && (!okID(id, ok) || pid < id) {
			parent = c.hlAt(pid)
		}
		switch {
		case parent == nil:
			v.problem(SeverityError, RuleHLParent, v.walk.loopID(), "HL", "HL02", 2, 0,
				"HL02 "+strconv.Quote(string(truncate(s.Element(2), 12)))+" does not name an earlier HL of the set")
		case (level == "22" && parent.level != "20") || (level == "23" && parent.level != "22"):
			v.problem(SeverityError, RuleHLParent, v.walk.loopID(), "HL", "HL02", 2, 0,
				"HL02 points at a level "+parent.level+" HL; level "+level+" must be under level "+parentLevel(level))
		default:
			parent.hasChild = true
			if parent.child == "0" {
				v.problem(SeverityError, RuleHLChildCode, v.walk.loopID(), "HL", "HL02", 2, 0,
					"HL "+strconv.Itoa(pid)+" says it has no children (HL04 = 0) but this HL is under it")
			}
		}
	} else if level == "22" || level == "23" {
		v.problem(SeverityError, RuleHLParent, v.walk.loopID(), "HL", "HL02", 2, 0, "HL02 (the parent) is required for level "+level)
	}
	if ok && id > 0 {
		c.putHL(id, hlInfo{used: true, level: level, child: string(s.Element(4)), pos: v.pos})
	}
}

func okID(id int, ok bool) bool { return ok && id > 0 }

func parentLevel(level string) string {
	if level == "23" {
		return "22"
	}
	return "20"
}

func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (v *fileValidator) npi(b []byte, loop string) {
	switch {
	case len(b) != 10 || !allDigits(string(b)) || (b[0] != '1' && b[0] != '2'):
		v.problem(SeverityError, RuleNPIFormat, loop, "NM1", "NM109", 9, 0,
			"NPI "+strconv.Quote(string(truncate(b, 15)))+" is not ten digits starting with 1 or 2")
	case !ValidNPI(string(b)):
		v.problem(SeverityError, RuleNPICheckDigit, loop, "NM1", "NM109", 9, 0,
			"NPI "+string(b)+" fails the check digit (expected "+strconv.Itoa(NPICheckDigit(string(b[:9])))+")")
	}
}

// facilityLoop reports whether the loop's address must have a nine-digit
// ZIP code: the billing provider and the service facility.
func (v *fileValidator) facilityLoop(loop string) bool {
	switch loop {
	case "2010AA":
		return true
	case "2310C", "2420C":
		return v.tables.kind == Professional
	case "2310E":
		return v.tables.kind == Institutional
	}
	return false
}

func (v *fileValidator) zip(s *x12.Segment, loop string) {
	z := s.Element(3)
	if len(z) == 0 || s.Has(4) { // foreign addresses carry a country code
		return
	}
	switch {
	case v.facilityLoop(loop):
		if len(z) != 9 || !allDigits(string(z)) {
			what := "billing provider"
			if loop != "2010AA" {
				what = "service facility"
			}
			v.problem(SeverityError, RuleZIP9, loop, "N4", "N403", 3, 0, what+" ZIP code must be nine digits (ZIP+4)")
		}
	case (len(z) != 5 && len(z) != 9) || !allDigits(string(z)):
		v.problem(SeverityError, RuleZIP, loop, "N4", "N403", 3, 0, "US ZIP code must be five or nine digits")
	}
}

func (v *fileValidator) clm(s *x12.Segment) {
	c := &v.c
	c.claims++
	c.open = true
	c.pcn = string(truncate(s.Element(1), 38))
	c.clmPos = v.pos
	v.cobReset()
	c.clm02, c.clmOK = 0, false
	if a, err := x12.ParseAmount(s.Element(2)); err == nil {
		c.clm02, c.clmOK = a, true
	}
	c.freq = string(s.Component(5, 3))
	c.hasF8, c.dxSeen, c.dx, c.lines, c.lastLX = false, false, 0, 0, 0
	c.sum, c.sumOK = 0, true
	c.stmtFrom, c.stmtTo = x12.Date{}, x12.Date{}
	c.icd9Warned = false
	v.clmI(s)
	if c.ctl == nil {
		c.ctl = make(map[string]int)
	} else {
		clear(c.ctl)
	}
	if len(c.pcn) > 20 {
		v.problem(SeverityError, RulePCNLength, "2300", "CLM", "CLM01", 1, 0,
			"patient control number is "+strconv.Itoa(len(s.Element(1)))+" characters; the TR3 limit is 20")
	}
	if c.freq != "" {
		list := professionalFrequencies
		if v.tables.kind == Institutional {
			list = institutionalFrequencies
		}
		if !inSorted(list, c.freq) {
			v.problem(SeverityError, RuleCode, "2300", "CLM", "CLM05-3", 5, 3, "claim frequency "+strconv.Quote(string(truncate(s.Component(5, 3), 3)))+" is not valid for this claim type")
		}
	}
}

func (v *fileValidator) dmg(s *x12.Segment, loop string) {
	if string(s.Element(1)) != "D8" || !s.Has(2) {
		return
	}
	d, err := x12.ParseDate(s.Element(2))
	if err != nil || len(s.Element(2)) != 8 || d.Year < 1850 {
		v.problem(SeverityError, RuleDateInvalid, loop, "DMG", "DMG02", 2, 0, "birth date is not a valid CCYYMMDD date")
		return
	}
	if !v.opts.Today.IsZero() && d.After(v.opts.Today) {
		v.problem(SeverityError, RuleDateFuture, loop, "DMG", "DMG02", 2, 0, "birth date is in the future")
	}
	if loop == "2010CA" || (loop == "2010BA" && v.c.selfSub) {
		v.c.birth = d
	}
}

// notFuture lists the DTP qualifiers whose dates cannot be after today.
var notFuture = []string{"050", "090", "091", "096", "304", "431", "434", "435", "439", "453", "454", "455", "461", "463", "471", "472", "484", "573"}

func (v *fileValidator) dtp(s *x12.Segment, loop string) {
	q, f, val := string(s.Element(1)), string(s.Element(2)), s.Element(3)
	if len(val) == 0 {
		return
	}
	var from, to x12.Date
	switch f {
	case "D8":
		d, err := x12.ParseDate(val)
		if err != nil || len(val) != 8 {
			v.problem(SeverityError, RuleDateInvalid, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" date is not a valid CCYYMMDD date")
			return
		}
		from, to = d, d
	case "RD8":
		if len(val) != 17 || val[8] != '-' {
			v.problem(SeverityError, RuleDateInvalid, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" is not a CCYYMMDD-CCYYMMDD date range")
			return
		}
		a, err1 := x12.ParseDate(val[:8])
		b, err2 := x12.ParseDate(val[9:])
		if err1 != nil || err2 != nil {
			v.problem(SeverityError, RuleDateInvalid, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" range contains a date that does not exist")
			return
		}
		if b.Before(a) {
			v.problem(SeverityError, RuleDateOrder, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" range ends before it starts")
			return
		}
		from, to = a, b
	case "DT":
		if len(val) != 12 || !validTime(val[8:]) {
			v.problem(SeverityError, RuleDateInvalid, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" is not a valid CCYYMMDDHHMM date and time")
			return
		}
		d, err := x12.ParseDate(val[:8])
		if err != nil {
			v.problem(SeverityError, RuleDateInvalid, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" date does not exist")
			return
		}
		from, to = d, d
	case "TM":
		if !validTime(val) {
			v.problem(SeverityError, RuleDateInvalid, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" is not a valid HHMM time")
		}
		return
	default:
		return
	}
	if !v.opts.Today.IsZero() && inSorted(notFuture, q) && to.After(v.opts.Today) {
		v.problem(SeverityError, RuleDateFuture, loop, "DTP", "DTP03", 3, 0, "DTP*"+q+" date is in the future")
	}
	c := &v.c
	switch {
	case q == "434" && loop == "2300":
		c.stmtFrom, c.stmtTo = from, to
	case q == "472" && loop == "2400":
		if !c.stmtFrom.IsZero() && (from.Before(c.stmtFrom) || to.After(c.stmtTo)) {
			v.problem(SeverityError, RuleDateOrder, loop, "DTP", "DTP03", 3, 0, "service date is outside the statement period (DTP*434)")
		}
		if !c.birth.IsZero() && from.Before(c.birth) {
			v.problem(SeverityError, RuleDateOrder, loop, "DTP", "DTP03", 3, 0, "service date is before the patient's birth date")
		}
	}
}

func (v *fileValidator) ref(s *x12.Segment, loop string) {
	c := &v.c
	switch string(s.Element(1)) {
	case "F8":
		if loop == "2300" {
			c.hasF8 = true
		}
	case "6R":
		if loop != "2400" || !s.Has(2) {
			return
		}
		if prev, dup := c.ctl[string(s.Element(2))]; dup {
			v.problem(SeverityError, RuleLineControlDuplicate, loop, "REF", "REF02", 2, 0,
				"line item control number "+strconv.Quote(string(truncate(s.Element(2), 30)))+" is also used by line "+strconv.Itoa(prev))
		} else if len(c.ctl) < 1000 {
			c.ctl[string(s.Element(2))] = c.lines
		}
	}
}

// hi checks the codes of an HI segment and counts the diagnoses the
// service lines may point at.
func (v *fileValidator) hi(s *x12.Segment) {
	c := &v.c
	first := string(s.Component(1, 1))
	if first == "ABK" || first == "BK" {
		c.dxSeen = true
		c.dx = s.Len()
	}
	for i := 1; i <= s.Len(); i++ {
		q := s.Component(i, 1)
		code := s.Component(i, 2)
		switch string(q) {
		case "ABK", "ABF", "ABJ", "APR", "ABN":
			if len(code) > 0 && !ValidICD10(string(code)) {
				v.problem(SeverityError, RuleICD10, "2300", "HI", elemRef("HI", i)+"-2", i, 2,
					strconv.Quote(string(truncate(code, 30)))+" is not an ICD-10-CM code (a letter, a digit, then up to five letters or digits, no dot)")
			}
		case "BK", "BF", "BJ", "PR", "BN":
			if !c.icd9Warned {
				c.icd9Warned = true
				v.problem(SeverityWarning, RuleICD9, "2300", "HI", elemRef("HI", i)+"-1", i, 1,
					"qualifier "+string(q)+" marks an ICD-9 code; ICD-9 was retired for services from 2015-10-01 (use ABK/ABF with ICD-10)")
			}
		}
	}
}

func (v *fileValidator) lx(s *x12.Segment) {
	c := &v.c
	v.lineEnd()
	c.charged = false
	n, ok := atoiBytes(s.Element(1))
	if !ok || n != c.lastLX+1 {
		v.problem(SeverityError, RuleLXSequence, "2400", "LX", "LX01", 1, 0,
			"LX01 is "+strconv.Quote(string(truncate(s.Element(1), 6)))+" but this is line "+strconv.Itoa(c.lines)+" of the claim; LX01 must count 1, 2, 3... in each claim")
	}
	c.lastLX = c.lines
}

// lineEnd notes a service line whose charge was never read: the claim
// total cannot be checked.
func (v *fileValidator) lineEnd() {
	if v.c.lines > 1 && !v.c.charged {
		v.c.sumOK = false
	}
}

func (v *fileValidator) addCharge(s *x12.Segment, el int) {
	c := &v.c
	c.charged = true
	a, err := x12.ParseAmount(s.Element(el))
	if err != nil {
		c.sumOK = false
		return
	}
	c.sum += a
}

func (v *fileValidator) sv1(s *x12.Segment) {
	v.addCharge(s, 2)
	c := &v.c
	if !c.dxSeen {
		return
	}
	for j := 1; j <= s.Components(7) && j <= 4; j++ {
		p, ok := atoiBytes(s.Component(7, j))
		if ok && p > c.dx && p <= 12 {
			v.problem(SeverityError, RuleDiagnosisPointer, "2400", "SV1", "SV107-"+strconv.Itoa(j), 7, j,
				"diagnosis pointer "+strconv.Itoa(p)+" has no diagnosis (the claim has "+strconv.Itoa(c.dx)+")")
		}
	}
}
