package x837

import (
	"strconv"

	"github.com/x12claims/claims/x12"
)

// The file validator's rules for the fields of professional_extras.go:
// what the generated tables cannot say (formats, and elements or
// segments required by the value of another).

// extraClaim is the state these rules keep for the open claim.
type extraClaim struct {
	accident      bool // CLM11 has AA or OA
	accidentDate  bool // DTP*439 seen
	cr1           bool // 2300 CR1 seen
	pickUp        bool // 2310E seen (837P)
	dropOff       bool // 2310F seen (837P)
	ambulanceLine int  // first line with an ambulance transport code, or 0
	ambulanceCode string
}

// rulesExtras applies the rules of the extra fields to a segment placed
// in loop.
func (v *fileValidator) rulesExtras(s *x12.Segment, loop string) {
	prof := v.tables.kind == Professional
	x := &v.c.extra
	switch s.ID() {
	case "CLM":
		if loop != "2300" {
			return
		}
		*x = extraClaim{}
		if prof {
			v.clm11(s)
		}
	case "DTP":
		if loop == "2300" && string(s.Element(1)) == "439" {
			x.accidentDate = true
		}
	case "REF":
		if prof && string(s.Element(1)) == "X4" && s.Has(2) && !ValidCLIA(string(s.Element(2))) {
			v.problem(SeverityError, RuleCLIA, loop, "REF", "REF02", 2, 0,
				"CLIA number "+strconv.Quote(string(truncate(s.Element(2), 15)))+" is not ten characters: two digits, the letter D, seven digits")
		}
	case "LIN":
		if string(s.Element(2)) == "N4" && s.Has(3) {
			if ndc := string(s.Element(3)); len(ndc) != 11 || !allDigits(ndc) {
				v.problem(SeverityError, RuleNDC, loop, "LIN", "LIN03", 3, 0,
					"NDC "+strconv.Quote(string(truncate(s.Element(3), 15)))+" is not 11 digits (the 5-4-2 format without hyphens)")
			}
		}
	case "CTP":
		// The type and length are checked by the tables; a decimal must
		// also be positive.
		if q := s.Element(4); isDecimal(q) && !validDecimal(string(q), 64) {
			v.problem(SeverityError, RuleFormat, loop, "CTP", "CTP04", 4, 0, "the drug quantity must be more than zero")
		}
	case "PWK":
		// Only the supplemental-information PWK: the DME certificate of
		// medical necessity PWK uses other transmission codes.
		tr := string(s.Element(2))
		if tr != "AA" && inSorted(attachmentTransmissionCodes, tr) && (string(s.Element(5)) != "AC" || !s.Has(6)) {
			v.problem(SeverityError, RuleAttachment, loop, "PWK", "PWK06", 6, 0,
				"an attachment sent by "+tr+" requires PWK05 AC and the attachment control number (PWK06)")
		}
	case "CRC":
		if string(s.Element(1)) == "ZZ" && loop == "2300" {
			v.epsdtCRC(s)
		}
	case "CR1":
		if loop == "2300" {
			x.cr1 = true
		}
	case "QTY":
		if string(s.Element(1)) == "PT" {
			if n, ok := atoiBytes(s.Element(2)); ok && n < 2 {
				v.problem(SeverityWarning, RuleNotSent, loop, "QTY", "QTY02", 2, 0, "the ambulance patient count is sent only when more than one patient was transported")
			}
		}
	case "NM1":
		if prof && loop == "2310E" {
			x.pickUp = true
		}
		if prof && loop == "2310F" {
			x.dropOff = true
		}
	case "SV1":
		// Compared without a copy: a string is made only for a match.
		if proc := s.Component(1, 2); x.ambulanceLine == 0 && isAmbulanceCode(string(proc)) {
			x.ambulanceLine, x.ambulanceCode = v.c.lines, string(proc)
		}
	}
}

// clm11 checks the related causes of an 837P CLM.
func (v *fileValidator) clm11(s *x12.Segment) {
	x := &v.c.extra
	auto := false
	for k := 1; k <= 2; k++ {
		switch string(s.Component(11, k)) {
		case "AA":
			auto, x.accident = true, true
		case "OA":
			x.accident = true
		}
	}
	if !auto {
		return
	}
	country := string(s.Component(11, 5))
	if len(s.Component(11, 4)) == 0 && (country == "" || country == "US" || country == "CA") {
		v.problem(SeverityError, RuleAccident, "2300", "CLM", "CLM11-4", 11, 4, "an auto accident (related cause AA) requires the state or province where it happened (CLM11-4)")
	}
}

// epsdtCRC checks CRC*ZZ: without a referral (CRC02 N) the condition is
// NU; with one, NU is not allowed.
func (v *fileValidator) epsdtCRC(s *x12.Segment) {
	given := string(s.Element(2)) == "Y"
	for k := 3; k <= 5 && k <= s.Len(); k++ {
		cond := string(s.Element(k))
		if cond == "" {
			continue
		}
		el := elemRef("CRC", k)
		switch {
		case given && cond == "NU":
			v.problem(SeverityError, RuleEPSDT, "2300", "CRC", el, k, 0, "NU (no referral) cannot be sent when CRC02 says a referral was given")
		case !given && cond != "NU":
			v.problem(SeverityError, RuleEPSDT, "2300", "CRC", el, k, 0, "without a referral (CRC02 N) the condition indicator must be NU")
		}
	}
}

// endClaimExtras checks what a claim needed somewhere in it.
func (v *fileValidator) endClaimExtras() {
	c := &v.c
	x := &c.extra
	if v.tables == nil || v.tables.kind != Professional {
		return
	}
	if x.accident && !x.accidentDate {
		v.problemAt(c.clmPos, SeverityError, RuleAccident, "2300", "CLM", "CLM11", c.pcn,
			"an accident (related cause AA or OA) requires the accident date (DTP*439)")
	}
	if x.ambulanceLine > 0 && !x.cr1 {
		v.problemAt(c.clmPos, SeverityError, RuleAmbulance, "2300", "CR1", "", c.pcn,
			"line "+strconv.Itoa(x.ambulanceLine)+" bills an ambulance transport ("+x.ambulanceCode+"): the claim requires the ambulance transport information (CR1)")
	}
	if x.cr1 || x.ambulanceLine > 0 {
		if !x.pickUp {
			v.problemAt(c.clmPos, SeverityError, RuleAmbulance, "2310E", "NM1", "", c.pcn, "an ambulance claim requires the pick-up location (2310E)")
		}
		if !x.dropOff {
			v.problemAt(c.clmPos, SeverityError, RuleAmbulance, "2310F", "NM1", "", c.pcn, "an ambulance claim requires the drop-off location (2310F)")
		}
	}
}
