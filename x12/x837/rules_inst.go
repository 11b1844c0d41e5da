package x837

import (
	"strconv"

	"github.com/x12claims/claims/x12"
)

// The file validator's 837I inpatient and coding rules, the scrubber's
// (scrub_inpatient.go) at segment level: what an inpatient claim (type of
// bill 11x) must carry, the discharge hour of a final one, external
// causes in HI*ABN, the dates of the HI code lists, the DRG's shape, and
// the operating physician of a surgical procedure.

// instClaim is what the 837I rules remember of the open claim.
type instClaim struct {
	active    bool // the claim is in an 837I set
	inpatient bool // CLM05-1 is 11 (hospital inpatient)
	adm435    byte // DTP02 of DTP*435: 0 absent, 'D' D8, 'T' DT, '?' other
	cl101     bool
	cl102     bool
	abj       bool // admitting diagnosis
	dis096    bool // discharge hour
	bbr       bool // principal procedure
	bbq       bool // other procedures
	surgical  bool // a procedure of ICD-10-PCS section 0
	operating bool // 2310B
}

// clmI starts the 837I state of a claim at its CLM.
func (v *fileValidator) clmI(s *x12.Segment) {
	v.c.inst = instClaim{active: v.tables.kind == Institutional, inpatient: string(s.Component(5, 1)) == "11"}
}

// rulesI applies the 837I rules to a segment in loop.
func (v *fileValidator) rulesI(s *x12.Segment, loop string) {
	in := &v.c.inst
	if !in.active || !v.c.open {
		return
	}
	switch {
	case s.ID() == "DTP" && loop == "2300":
		switch string(s.Element(1)) {
		case "435":
			switch string(s.Element(2)) {
			case "D8":
				in.adm435 = 'D'
			case "DT":
				in.adm435 = 'T'
			default:
				in.adm435 = '?'
			}
		case "096":
			in.dis096 = true
		}
	case s.ID() == "CL1" && loop == "2300":
		in.cl101, in.cl102 = s.Has(1), s.Has(2)
	case s.ID() == "HI" && loop == "2300":
		v.hiI(s)
	case s.ID() == "NM1" && loop == "2310B":
		in.operating = true
	}
}

// hiI checks the 837I codes of one HI segment.
func (v *fileValidator) hiI(s *x12.Segment) {
	in := &v.c.inst
	for i := 1; i <= s.Len(); i++ {
		q, code := s.Component(i, 1), s.Component(i, 2)
		switch string(q) {
		case "ABJ", "BJ":
			in.abj = true
		case "ABK":
			if len(code) > 0 && externalCauseLetter(code[0]) {
				v.problem(SeverityError, RuleExternalCause, "2300", "HI", elemRef("HI", i)+"-2", i, 2,
					strconv.Quote(string(truncate(code, 8)))+" is an external-cause code (V00-Y99), which cannot be the principal diagnosis")
			}
		case "ABF":
			if len(code) > 0 && externalCauseLetter(code[0]) {
				v.problem(SeverityWarning, RuleExternalCause, "2300", "HI", elemRef("HI", i)+"-1", i, 1,
					strconv.Quote(string(truncate(code, 8)))+" is an external-cause code: on an 837I it belongs in HI*ABN, not with the other diagnoses (ABF)")
			}
		case "DR":
			if len(code) > 0 && !validDRG(string(code)) {
				v.problem(SeverityError, RuleFormat, "2300", "HI", elemRef("HI", i)+"-2", i, 2, "DRG is not three or four letters or digits")
			}
		case "BBR", "BR", "CAH", "BBQ", "BQ":
			icd10 := string(q) == "BBR" || string(q) == "BBQ"
			if string(q) == "BBQ" || string(q) == "BQ" {
				in.bbq = true
			} else {
				in.bbr = true
			}
			in.surgical = in.surgical || (icd10 && len(code) == 7 && code[0] == '0')
			if icd10 && len(code) > 0 && !ValidICD10PCS(string(code)) {
				v.problem(SeverityError, RuleFormat, "2300", "HI", elemRef("HI", i)+"-2", i, 2, "procedure code is not an ICD-10-PCS code (seven letters or digits, no I or O)")
			}
			v.hiDate(s, i, "D8")
		case "BH", "BI", "BE":
			if len(code) > 0 && !nubcCode(string(code)) {
				v.problem(SeverityError, RuleFormat, "2300", "HI", elemRef("HI", i)+"-2", i, 2,
					"NUBC "+map[string]string{"BH": "occurrence", "BI": "occurrence span", "BE": "value"}[string(q)]+" code is not two letters or digits")
			}
			switch string(q) {
			case "BH":
				v.hiDate(s, i, "D8")
			case "BI":
				v.hiDate(s, i, "RD8")
			}
		}
	}
}

// hiDate checks the date (HIxx-4) of an HI composite whose format
// (HIxx-3) must be format.
func (v *fileValidator) hiDate(s *x12.Segment, i int, format string) {
	el := elemRef("HI", i) + "-4"
	if string(s.Component(i, 3)) != format {
		return // the code list check of HIxx-3 reports it
	}
	val := s.Component(i, 4)
	var from, to x12.Date
	var err1, err2 error
	switch format {
	case "D8":
		if len(val) != 8 {
			err1 = x12.ErrBadDate
		} else {
			from, err1 = x12.ParseDate(val)
			to = from
		}
	case "RD8":
		if len(val) != 17 || val[8] != '-' {
			err1 = x12.ErrBadDate
		} else {
			from, err1 = x12.ParseDate(val[:8])
			to, err2 = x12.ParseDate(val[9:])
		}
	}
	if err1 != nil || err2 != nil {
		v.problem(SeverityError, RuleDateInvalid, "2300", "HI", el, i, 4, el+" is not a valid "+format+" date")
		return
	}
	if to.Before(from) {
		v.problem(SeverityError, RuleDateOrder, "2300", "HI", el, i, 4, el+" range ends before it starts")
	}
}

// endClaimI reports, at the claim's CLM, what an 837I claim lacks.
func (v *fileValidator) endClaimI() {
	c := &v.c
	in := &c.inst
	if !in.active {
		return
	}
	in.active = false
	at := func(rule, seg, el, msg string) {
		v.problemAt(c.clmPos, SeverityError, rule, "2300", seg, el, c.pcn, msg)
	}
	if in.inpatient {
		tob := "inpatient claim (type of bill 11" + string(truncate([]byte(c.freq), 1)) + ")"
		switch in.adm435 {
		case 0:
			at(RuleInpatient, "DTP", "DTP03", "an "+tob+" requires the admission date and hour (DTP*435)")
		case 'D':
			at(RuleInpatient, "DTP", "DTP02", "an "+tob+" requires the admission hour: DTP*435 must be DT (CCYYMMDDHHMM), not D8")
		}
		if !in.cl101 {
			at(RuleInpatient, "CL1", "CL101", "an "+tob+" requires the admission type (CL101)")
		}
		if !in.cl102 {
			at(RuleInpatient, "CL1", "CL102", "an "+tob+" requires the admission source (CL102)")
		}
		if !in.abj {
			at(RuleInpatient, "HI", "HI01-2", "an "+tob+" requires the admitting diagnosis (HI*ABJ)")
		}
		if c.freq != "" && IsFinalFrequency(c.freq) && !in.dis096 {
			at(RuleInpatient, "DTP", "DTP03", "a final "+tob+" requires the discharge hour (DTP*096)")
		}
	}
	if in.bbq && !in.bbr {
		at(RuleProcedureOrder, "HI", "HI01-1", "other procedures (HI*BBQ) need the principal procedure (HI*BBR)")
	}
	if in.surgical && !in.operating {
		v.problemAt(c.clmPos, SeverityError, RuleOperatingRequired, "2310B", "NM1", "", c.pcn,
			"a surgical procedure (ICD-10-PCS section 0) on the claim requires the operating physician (2310B)")
	}
}
