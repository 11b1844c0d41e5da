package x837

import (
	"fmt"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Rules of the 837I inpatient and coding data (005010X223A2).
const (
	// RuleInpatient: an inpatient claim (type of bill 11x) without the
	// admission date and hour (DTP*435, DT), admission type and source
	// (CL101, CL102) or admitting diagnosis (HI*ABJ); or a final inpatient
	// claim (111, 114) without the discharge hour (DTP*096).
	RuleInpatient = "inpatient-required"
	// RuleExternalCause: an external-cause code (ICD-10-CM V00-Y99) as the
	// principal diagnosis, or (file validator) sent as another diagnosis
	// (HI*ABF) instead of HI*ABN on an 837I.
	RuleExternalCause = "external-cause"
	// RuleOperatingRequired: a surgical procedure (ICD-10-PCS section 0,
	// Medical and Surgical) without the operating physician (2310B).
	RuleOperatingRequired = "operating-required"
	// RuleProcedureOrder: other procedures (HI*BBQ) without the principal
	// procedure (HI*BBR).
	RuleProcedureOrder = "principal-procedure-required"
)

// poaCodes are the present-on-admission values the encounter format
// accepts: the TR3's N, U, W, Y, and 1 (exempt, sent blank).
var poaCodes = []string{"1", "N", "U", "W", "Y"}

// IsInpatient reports whether a facility type (the first two digits of
// the type of bill) is a hospital inpatient claim (11x), to which the
// admission and discharge rules apply.
func IsInpatient(facilityType string) bool { return facilityType == "11" }

// IsFinalFrequency reports whether a claim frequency (the third digit of
// the type of bill) ends a stay: 1 (admit through discharge), 4 (last
// interim claim), or "" (the default, 1).
func IsFinalFrequency(freq string) bool { return freq == "" || freq == "1" || freq == "4" }

// isSurgicalPCS reports whether an ICD-10-PCS code is in the Medical and
// Surgical section (its first character is 0).
func isSurgicalPCS(code string) bool {
	code = NormalizeICD10(code)
	return len(code) == 7 && code[0] == '0'
}

// validHHMM reports whether v is an hour as HHMM on a 24-hour clock.
func validHHMM(v string) bool { return len(v) == 4 && validTime([]byte(v)) }

// inpatient checks the 837I inpatient and coding data; institutional
// calls it once the basic institutional data is checked.
func (s *scrubber) inpatient(in *InstitutionalInfo) {
	f := fp("institutional", "")
	if v := in.AdmissionHour; v != "" {
		if !validHHMM(v) {
			s.add(RuleFormat, f.sub("admission_hour"), 0, "2300", "DTP", "DTP03", fmt.Sprintf("admission hour %q is not HHMM on a 24-hour clock", safeCode(v)))
		}
		if in.AdmissionDate.IsZero() && !IsInpatient(in.FacilityType) {
			// (An inpatient claim reports the missing date below.)
			s.add(RuleRequired, f.sub("admission_date"), 0, "2300", "DTP", "DTP03", "an admission hour needs the admission date (DTP*435)")
		}
	}
	if v := in.DischargeHour; v != "" && !validHHMM(v) {
		s.add(RuleFormat, f.sub("discharge_hour"), 0, "2300", "DTP", "DTP03", fmt.Sprintf("discharge hour %q is not HHMM on a 24-hour clock", safeCode(v)))
	}
	if IsInpatient(in.FacilityType) {
		tob := "type of bill " + safeCode(in.FacilityType+orDefault(s.c.Frequency, "1"))
		need := func(field, seg, el, what string) {
			s.add(RuleInpatient, f.sub(field), 0, "2300", seg, el, "an inpatient claim ("+tob+") requires "+what)
		}
		if in.AdmissionDate.IsZero() {
			need("admission_date", "DTP", "DTP03", "the admission date (DTP*435)")
		}
		if in.AdmissionHour == "" {
			need("admission_hour", "DTP", "DTP02", "the admission hour (DTP*435 as DT, CCYYMMDDHHMM)")
		}
		if in.AdmissionType == "" {
			need("admission_type", "CL1", "CL101", "the admission type (CL101)")
		}
		if in.AdmissionSource == "" {
			need("admission_source", "CL1", "CL102", "the admission source (CL102)")
		}
		if in.AdmittingDiagnosis == "" {
			need("admitting_diagnosis", "HI", "HI01-2", "the admitting diagnosis (HI*ABJ)")
		}
		if IsFinalFrequency(s.c.Frequency) && in.DischargeHour == "" {
			s.add(RuleInpatient, f.sub("discharge_hour"), 0, "2300", "DTP", "DTP03",
				"a final inpatient claim ("+tob+") requires the discharge hour (DTP*096)")
		}
	}
	s.presentOnAdmission(in)
	if in.DRG != "" && s.str(f.sub("drg"), 0, "2300", "HI01-2", in.DRG, false, 1, 30) && !validDRG(in.DRG) {
		s.add(RuleFormat, f.sub("drg"), 0, "2300", "HI", "HI01-2", fmt.Sprintf("DRG %q is not three or four letters or digits", safeCode(in.DRG)))
	}
	s.codeDates(in)
	s.operating(in)
}

func validDRG(v string) bool {
	if len(v) < 3 || len(v) > 4 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) && !isUpper(v[i]) {
			return false
		}
	}
	return true
}

// nubcCode reports whether v is a two-character NUBC code (occurrence,
// occurrence span and value codes: digits or capital letters).
func nubcCode(v string) bool {
	return len(v) == 2 && (isDigit(v[0]) || isUpper(v[0])) && (isDigit(v[1]) || isUpper(v[1]))
}

func (s *scrubber) presentOnAdmission(in *InstitutionalInfo) {
	if len(in.PresentOnAdmission) > len(s.c.Diagnoses) {
		s.add(RuleCode, fp("institutional.present_on_admission", ""), 0, "2300", "HI", "",
			fmt.Sprintf("%d present-on-admission indicators for %d diagnoses; give one per diagnosis, in the same order", len(in.PresentOnAdmission), len(s.c.Diagnoses)))
	}
	for i, v := range in.PresentOnAdmission {
		if v != "" && !inSorted(poaCodes, v) {
			el := "HI01-9"
			if i < len(s.c.Diagnoses) {
				el = instDxRef(s.c.Diagnoses, i)[:4] + "-9"
			}
			s.add(RuleCode, fa("institutional.present_on_admission", i), 0, "2300", "HI", el,
				fmt.Sprintf("present-on-admission indicator %q is not Y, N, U, W, or 1 or empty for an exempt code", safeCode(v)))
		}
	}
}

// codeDates checks the other procedures, occurrence spans, occurrences
// and value codes.
func (s *scrubber) codeDates(in *InstitutionalInfo) {
	max := func(name string, n int) {
		if n > maxRepeatedHICodesI {
			s.add(RuleDiagnosesMax, fp("institutional."+name, ""), 0, "2300", "HI", "", fmt.Sprintf("%d %s; at most %d can be sent", n, name, maxRepeatedHICodesI))
		}
	}
	max("other_procedures", len(in.OtherProcedures))
	max("occurrence_spans", len(in.OccurrenceSpans))
	max("occurrences", len(in.Occurrences))
	max("value_codes", len(in.ValueCodes))
	if len(in.OtherProcedures) > 0 && in.PrincipalProcedure == "" {
		s.add(RuleProcedureOrder, fp("institutional.principal_procedure", ""), 0, "2300", "HI", "HI01-2",
			"other procedures (HI*BBQ) need the principal procedure (HI*BBR)")
	}
	for k := range in.OtherProcedures {
		p := &in.OtherProcedures[k]
		f := fa("institutional.other_procedures", k)
		el := hiRefs[k%maxHICodesPerSeg]
		if s.str(f.sub("code"), 0, "2300", el, p.Code, true, 1, 30) && !ValidICD10PCS(NormalizeICD10(p.Code)) {
			s.add(RuleFormat, f.sub("code"), 0, "2300", "HI", el, "other procedure is not an ICD-10-PCS code (seven letters or digits)")
		}
		s.requiredDate(f.sub("date"), el[:4]+"-4", p.Date, true)
	}
	for k := range in.OccurrenceSpans {
		sp := &in.OccurrenceSpans[k]
		f := fa("institutional.occurrence_spans", k)
		el := hiRefs[k%maxHICodesPerSeg]
		s.nubc(f.sub("code"), el, sp.Code, "occurrence span code")
		okFrom := s.requiredDate(f.sub("from"), el[:4]+"-4", sp.From, false)
		okTo := s.requiredDate(f.sub("to"), el[:4]+"-4", sp.To, false)
		if okFrom && okTo && sp.To.Before(sp.From) {
			s.add(RuleDateOrder, f.sub("to"), 0, "2300", "HI", el[:4]+"-4", "occurrence span ends before it starts")
		}
	}
	for k := range in.Occurrences {
		o := &in.Occurrences[k]
		f := fa("institutional.occurrences", k)
		el := hiRefs[k%maxHICodesPerSeg]
		s.nubc(f.sub("code"), el, o.Code, "occurrence code")
		s.requiredDate(f.sub("date"), el[:4]+"-4", o.Date, false)
	}
	for k := range in.ValueCodes {
		v := &in.ValueCodes[k]
		f := fa("institutional.value_codes", k)
		el := hiRefs[k%maxHICodesPerSeg]
		s.nubc(f.sub("code"), el, v.Code, "value code")
		if v.Amount > maxAmount || v.Amount < -maxAmount {
			s.add(RuleLength, f.sub("amount"), 0, "2300", "HI", el[:4]+"-5", "value code amount "+v.Amount.String()+" exceeds 99999999.99")
		}
	}
}

// nubc checks a two-character NUBC code written to HIxx-2.
func (s *scrubber) nubc(f fld, el, v, what string) {
	if s.str(f, 0, "2300", el, v, true, 1, 30) && !nubcCode(v) {
		s.add(RuleFormat, f, 0, "2300", "HI", el, fmt.Sprintf("%s %q is not two letters or digits (NUBC)", what, safeCode(v)))
	}
}

// requiredDate checks a required date of an HI composite.
func (s *scrubber) requiredDate(f fld, el string, d x12.Date, notFuture bool) bool {
	if d.IsZero() {
		s.add(RuleRequired, f, 0, "2300", "HI", el, f.String()+" is required")
		return false
	}
	return s.date(f, 0, "2300", el, d, notFuture)
}

// operating checks the operating physicians (2310B, 2310C).
func (s *scrubber) operating(in *InstitutionalInfo) {
	if p := in.OperatingPhysician; p != nil {
		s.provider(fp("institutional.operating_physician", ""), "2310B", p, true, false, false)
	}
	if p := in.OtherOperatingPhysician; p != nil {
		s.provider(fp("institutional.other_operating_physician", ""), "2310C", p, true, false, false)
	}
	if in.OperatingPhysician != nil {
		return
	}
	surgical := isSurgicalPCS(in.PrincipalProcedure)
	for k := range in.OtherProcedures {
		surgical = surgical || isSurgicalPCS(in.OtherProcedures[k].Code)
	}
	if surgical {
		s.add(RuleOperatingRequired, fp("institutional.operating_physician", ""), 0, "2310B", "NM1", "",
			"a surgical procedure (ICD-10-PCS section 0) on the claim requires the operating physician (2310B)")
	}
}

// instDxRef names the HI element diagnosis i goes to on an 837I: the
// principal alone in HI*ABK, external causes in HI*ABN, the others in
// HI*ABF (two segments of 12).
func instDxRef(dx []string, i int) string {
	if i == 0 {
		return "HI01-2"
	}
	n := 0
	ext := IsExternalCause(dx[i])
	for k := 1; k < i; k++ {
		if IsExternalCause(dx[k]) == ext {
			n++
		}
	}
	return hiRefs[n%maxHICodesPerSeg]
}

// diagnosisLimitsI checks the 837I limits: 12 external causes, 24 other
// diagnoses.
func (s *scrubber) diagnosisLimitsI() {
	ext, other := 0, 0
	for _, d := range s.c.Diagnoses[1:] {
		if IsExternalCause(d) {
			ext++
		} else {
			other++
		}
	}
	if other > maxOtherDiagnosesI {
		s.add(RuleDiagnosesMax, fp("diagnoses", ""), 0, "2300", "HI", "", strconv.Itoa(other)+" other diagnoses; at most "+strconv.Itoa(maxOtherDiagnosesI)+" can be sent (HI*ABF)")
	}
	if ext > maxExternalCausesI {
		s.add(RuleDiagnosesMax, fp("diagnoses", ""), 0, "2300", "HI", "", strconv.Itoa(ext)+" external-cause codes; at most "+strconv.Itoa(maxExternalCausesI)+" can be sent (HI*ABN)")
	}
}
