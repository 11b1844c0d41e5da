package x837

import (
	"fmt"

	"github.com/x12claims/claims/x12"
)

func (s *scrubber) claim() {
	c := s.c
	maxPCN := s.opts.MaxPCN
	if maxPCN <= 0 {
		maxPCN = 20
	}
	if s.opts.PCNAssignedLater {
		// Checked by the caller, who assigns it.
	} else if s.str(fp("patient_control_number", ""), 0, "2300", "CLM01", c.PatientControlNumber, true, 1, 0) && len(c.PatientControlNumber) > maxPCN {
		s.add(RulePCNLength, fp("patient_control_number", ""), 0, "2300", "CLM", "CLM01",
			fmt.Sprintf("patient control number is %d characters; the limit is %d", len(c.PatientControlNumber), maxPCN))
	}
	freq := c.Frequency
	if freq == "" {
		freq = "1"
	}
	if s.inst() {
		s.code(fp("frequency", ""), 0, "2300", "CLM05-3", freq, true, institutionalFrequencies)
	} else {
		s.code(fp("frequency", ""), 0, "2300", "CLM05-3", freq, true, professionalFrequencies)
	}
	switch {
	case (freq == "7" || freq == "8") && c.PayerClaimNumber == "":
		s.add(RulePayerClaimNumber, fp("payer_claim_number", ""), 0, "2300", "REF", "REF02",
			fmt.Sprintf("frequency %s (%s) requires the payer's claim control number (REF*F8)", freq, freqName(freq)))
	case c.PayerClaimNumber != "" && freq != "7" && freq != "8":
		s.warn(RulePayerClaimNumber, fp("payer_claim_number", ""), 0, "2300", "REF", "REF02",
			fmt.Sprintf("payer claim number is sent only with frequency 7 or 8; it is ignored for frequency %s", freq))
	default:
		s.str(fp("payer_claim_number", ""), 0, "2300", "REF02", c.PayerClaimNumber, false, 1, 50)
	}
	if c.TotalCharge < 0 {
		s.add(RuleFormat, fp("total_charge", ""), 0, "2300", "CLM", "CLM02", "total charge "+c.TotalCharge.String()+" is negative")
	} else if c.TotalCharge > maxAmount {
		s.add(RuleLength, fp("total_charge", ""), 0, "2300", "CLM", "CLM02", "total charge "+c.TotalCharge.String()+" exceeds 99999999.99")
	}
	var sum x12.Amount
	for i := range c.Lines {
		sum += c.Lines[i].Charge
	}
	if len(c.Lines) > 0 && sum != c.TotalCharge {
		el := "CLM02"
		s.add(RuleOutOfBalance, fp("total_charge", ""), 0, "2300", "CLM", el,
			fmt.Sprintf("total charge %s does not equal the sum of the line charges %s", c.TotalCharge, sum))
	}
	if !s.inst() {
		if s.str(fp("place_of_service", ""), 0, "2300", "CLM05-1", c.PlaceOfService, true, 2, 2) && !ValidPlaceOfService(c.PlaceOfService) {
			s.add(RuleCode, fp("place_of_service", ""), 0, "2300", "CLM", "CLM05-1", fmt.Sprintf("place of service %q is not a CMS place of service code", safeCode(c.PlaceOfService)))
		}
		s.code(fp("provider_signature", ""), 0, "2300", "CLM06", c.ProviderSignature, false, []string{"N", "Y"})
	}
	s.code(fp("assignment", ""), 0, "2300", "CLM07", c.Assignment, false, []string{"A", "B", "C"})
	s.code(fp("benefits_assigned", ""), 0, "2300", "CLM08", c.BenefitsAssigned, false, []string{"N", "W", "Y"})
	s.code(fp("release_of_information", ""), 0, "2300", "CLM09", c.ReleaseOfInformation, false, []string{"I", "Y"})
	s.str(fp("prior_authorization", ""), 0, "2300", "REF02", c.PriorAuthorization, false, 1, 50)
	s.str(fp("medical_record_number", ""), 0, "2300", "REF02", c.MedicalRecordNumber, false, 1, 50)
	if !c.OnsetDate.IsZero() {
		if s.inst() {
			s.warn(RuleFormat, fp("onset_date", ""), 0, "2300", "DTP", "DTP03", "onset date is not sent on an institutional claim")
		} else if s.date(fp("onset_date", ""), 0, "2300", "DTP03", c.OnsetDate, true) {
			if last := s.lastServiceDate(); !last.IsZero() && c.OnsetDate.After(last) {
				s.add(RuleDateOrder, fp("onset_date", ""), 0, "2300", "DTP", "DTP03", "onset date is after the last service date")
			}
		}
	}
	s.diagnoses()
}

const maxAmount = x12.Amount(99999999_99)

func freqName(f string) string {
	switch f {
	case "7":
		return "replacement"
	case "8":
		return "void"
	}
	return "original"
}

func (s *scrubber) diagnoses() {
	c := s.c
	max := s.opts.MaxDiagnoses
	if max <= 0 {
		max = 12
		if s.inst() {
			max = 25
		}
	}
	if len(c.Diagnoses) == 0 {
		s.add(RuleRequired, fp("diagnoses", ""), 0, "2300", "HI", "HI01-2", "at least one diagnosis (the principal) is required")
		return
	}
	if s.inst() && s.opts.MaxDiagnoses <= 0 {
		s.diagnosisLimitsI()
	} else if len(c.Diagnoses) > max {
		s.add(RuleDiagnosesMax, fp("diagnoses", ""), 0, "2300", "HI", "", fmt.Sprintf("%d diagnoses; at most %d can be sent", len(c.Diagnoses), max))
	}
	for i, d := range c.Diagnoses {
		ref := hiRef(i)
		if s.inst() {
			ref = instDxRef(c.Diagnoses, i)
		}
		s.icd10(fa("diagnoses", i), "2300", ref, d)
	}
	if IsExternalCause(c.Diagnoses[0]) {
		s.add(RuleExternalCause, fa("diagnoses", 0), 0, "2300", "HI", "HI01-2",
			fmt.Sprintf("%q is an external-cause code (V00-Y99), which cannot be the principal diagnosis", safeCode(c.Diagnoses[0])))
	}
}

// hiRef names the HI element a diagnosis is written to.
func hiRef(i int) string {
	n := i % 12
	if i >= 12 {
		n = (i - 1) % 12 // 837I: the principal is alone in its HI; others fill 2 HI x 12
	}
	return hiRefs[n]
}

var hiRefs = [12]string{"HI01-2", "HI02-2", "HI03-2", "HI04-2", "HI05-2", "HI06-2", "HI07-2", "HI08-2", "HI09-2", "HI10-2", "HI11-2", "HI12-2"}

func (s *scrubber) icd10(field fld, loop, el, code string) {
	if !s.str(field, 0, loop, el, code, true, 1, 30) {
		return
	}
	if n := NormalizeICD10(code); !ValidICD10(n) {
		s.add(RuleICD10, field, 0, loop, "HI", el, fmt.Sprintf("%q is not an ICD-10-CM code (a letter, a digit, then up to five letters or digits)", safeCode(code)))
	}
}

func (s *scrubber) lastServiceDate() x12.Date {
	var last x12.Date
	for i := range s.c.Lines {
		l := &s.c.Lines[i]
		d := l.ServiceDate
		if !l.ServiceDateEnd.IsZero() {
			d = l.ServiceDateEnd
		}
		if d.After(last) {
			last = d
		}
	}
	return last
}

func (s *scrubber) institutional() {
	in := s.c.Institutional
	if in == nil {
		s.add(RuleRequired, fp("institutional", ""), 0, "2300", "CL1", "", "institutional claim data (type of bill, statement dates, patient status) is required")
		return
	}
	f := fp("institutional", "")
	if s.str(f.sub("facility_type"), 0, "2300", "CLM05-1", in.FacilityType, true, 2, 2) && !allDigits(in.FacilityType) {
		s.add(RuleFormat, f.sub("facility_type"), 0, "2300", "CLM", "CLM05-1", "facility type must be the first two digits of the type of bill")
	}
	from, to := in.StatementFrom, in.StatementTo
	okFrom, okTo := false, false
	if from.IsZero() {
		s.add(RuleRequired, f.sub("statement_from"), 0, "2300", "DTP", "DTP03", "statement from date (DTP*434) is required")
	} else {
		okFrom = s.date(f.sub("statement_from"), 0, "2300", "DTP03", from, true)
	}
	if to.IsZero() {
		s.add(RuleRequired, f.sub("statement_to"), 0, "2300", "DTP", "DTP03", "statement to date (DTP*434) is required")
	} else {
		okTo = s.date(f.sub("statement_to"), 0, "2300", "DTP03", to, true)
	}
	if okFrom && okTo && to.Before(from) {
		s.add(RuleDateOrder, f.sub("statement_to"), 0, "2300", "DTP", "DTP03", "statement to date is before the statement from date")
	}
	if !in.AdmissionDate.IsZero() && s.date(f.sub("admission_date"), 0, "2300", "DTP03", in.AdmissionDate, true) && okTo && in.AdmissionDate.After(to) {
		s.add(RuleDateOrder, f.sub("admission_date"), 0, "2300", "DTP", "DTP03", "admission date is after the statement to date")
	}
	if in.AdmissionType != "" && (len(in.AdmissionType) != 1 || !allDigits(in.AdmissionType)) {
		s.add(RuleFormat, f.sub("admission_type"), 0, "2300", "CL1", "CL101", "admission type must be one digit (NUBC)")
	}
	if in.AdmissionSource != "" && (len(in.AdmissionSource) != 1 || !(isDigit(in.AdmissionSource[0]) || isUpper(in.AdmissionSource[0]))) {
		s.add(RuleFormat, f.sub("admission_source"), 0, "2300", "CL1", "CL102", "admission source must be one character (NUBC)")
	}
	if s.str(f.sub("patient_status"), 0, "2300", "CL103", in.PatientStatus, true, 1, 2) && (len(in.PatientStatus) != 2 || !allDigits(in.PatientStatus) || in.PatientStatus == "00") {
		s.add(RuleFormat, f.sub("patient_status"), 0, "2300", "CL1", "CL103", fmt.Sprintf("patient status %q is not a two-digit NUBC discharge status", safeCode(in.PatientStatus)))
	}
	if in.AdmittingDiagnosis != "" {
		s.icd10(f.sub("admitting_diagnosis"), "2300", "HI01-2", in.AdmittingDiagnosis)
	}
	if len(in.ReasonForVisit) > 3 {
		s.add(RuleDiagnosesMax, f.sub("reason_for_visit"), 0, "2300", "HI", "", "at most three reasons for visit can be sent")
	}
	for i, d := range in.ReasonForVisit {
		s.icd10(fa("institutional.reason_for_visit", i), "2300", hiRefs[i%12], d)
	}
	if in.PrincipalProcedure != "" {
		if s.str(f.sub("principal_procedure"), 0, "2300", "HI01-2", in.PrincipalProcedure, true, 1, 30) && !ValidICD10PCS(NormalizeICD10(in.PrincipalProcedure)) {
			s.add(RuleFormat, f.sub("principal_procedure"), 0, "2300", "HI", "HI01-2", "principal procedure is not an ICD-10-PCS code (seven letters or digits)")
		}
		if in.PrincipalProcedureDate.IsZero() {
			s.add(RuleRequired, f.sub("principal_procedure_date"), 0, "2300", "HI", "HI01-4", "principal procedure date is required with the procedure")
		} else {
			s.date(f.sub("principal_procedure_date"), 0, "2300", "HI01-4", in.PrincipalProcedureDate, true)
		}
	}
	if len(in.ConditionCodes) > 24 {
		s.add(RuleDiagnosesMax, f.sub("condition_codes"), 0, "2300", "HI", "", "at most 24 condition codes can be sent")
	}
	for i, cc := range in.ConditionCodes {
		field := fa("institutional.condition_codes", i)
		if s.str(field, 0, "2300", "HI01-2", cc, true, 1, 30) && (len(cc) != 2 || !(isDigit(cc[0]) || isUpper(cc[0])) || !(isDigit(cc[1]) || isUpper(cc[1]))) {
			s.add(RuleFormat, field, 0, "2300", "HI", "HI01-2", fmt.Sprintf("condition code %q is not two letters or digits", safeCode(cc)))
		}
	}
	s.inpatient(in)
	if in.AttendingProvider == nil {
		s.add(RuleAttendingRequired, f.sub("attending_provider"), 0, "2310A", "NM1", "", "an institutional claim needs an attending provider")
	} else {
		s.provider(fp("institutional.attending_provider", ""), "2310A", in.AttendingProvider, true, false, true)
	}
}
