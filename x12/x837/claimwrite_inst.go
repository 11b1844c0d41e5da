package x837

import "github.com/x12claims/claims/x12"

// The 837I claim segments of the inpatient and coding data: discharge
// hour, admission date and hour, diagnoses with their present-on-admission
// indicators (principal, external causes in HI*ABN, others), the DRG,
// other procedures, occurrence spans, occurrences, value codes and the
// operating physicians. claimI calls them in the TR3's segment order.

// IsExternalCause reports whether an ICD-10-CM code is an external cause
// of morbidity (chapter 20, V00-Y99). On an 837I these go in HI*ABN, not
// with the other diagnoses; they may not be the principal diagnosis.
func IsExternalCause(code string) bool {
	for i := 0; i < len(code); i++ {
		if code[i] != ' ' {
			return externalCauseLetter(code[i])
		}
	}
	return false
}

// externalCauseLetter reports whether an ICD-10-CM code starting with c is
// an external cause. It does not allocate.
func externalCauseLetter(c byte) bool {
	switch c {
	case 'V', 'W', 'X', 'Y', 'v', 'w', 'x', 'y':
		return true
	}
	return false
}

// Limits of the 837I HI segments.
const (
	maxOtherDiagnosesI  = 24 // HI*ABF: 2 segments of 12
	maxExternalCausesI  = 12 // HI*ABN: 1 segment
	maxHICodesPerSeg    = 12
	maxRepeatedHICodesI = 24 // HI*BBQ, BI, BH, BE: 2 segments of 12
)

// poaAt returns the present-on-admission indicator to send for diagnosis
// i: blank for exempt ("1") or none.
func poaAt(in *InstitutionalInfo, i int) string {
	if i >= len(in.PresentOnAdmission) {
		return ""
	}
	if v := in.PresentOnAdmission[i]; v != "1" {
		return v
	}
	return ""
}

// dxComposite writes one diagnosis composite with its POA indicator
// (HIxx-9) when there is one.
func (b *Builder) dxComposite(q, code, poa string) {
	if poa == "" {
		b.w.Composite(q, NormalizeICD10(code))
		return
	}
	b.w.Composite(q, NormalizeICD10(code), "", "", "", "", "", "", poa)
}

// dischargeHour writes DTP*096 (2300, before the statement dates).
func (b *Builder) dischargeHour(in *InstitutionalInfo) {
	if in.DischargeHour != "" {
		b.w.Segment("DTP", "096", "TM", in.DischargeHour)
	}
}

// admission writes DTP*435: date and hour (DT) when the hour is known,
// else the date (D8).
func (b *Builder) admission(in *InstitutionalInfo) {
	if in.AdmissionDate.IsZero() {
		return
	}
	d := b.dates(in.AdmissionDate, x12.Date{})
	if in.AdmissionHour != "" {
		b.w.Segment("DTP", "435", "DT", d+in.AdmissionHour)
		return
	}
	b.w.Segment("DTP", "435", "D8", d)
}

// principalDiagnosisI writes HI*ABK with its POA indicator.
func (b *Builder) principalDiagnosisI(c *Claim) {
	if len(c.Diagnoses) == 0 {
		return
	}
	b.w.Begin("HI")
	b.dxComposite("ABK", c.Diagnoses[0], poaAt(c.Institutional, 0))
	b.w.End()
}

// externalCausesI writes HI*ABN: the secondary diagnoses that are
// external causes, at most 12.
func (b *Builder) externalCausesI(c *Claim) {
	n := 0
	for i := 1; i < len(c.Diagnoses) && n < maxExternalCausesI; i++ {
		if !IsExternalCause(c.Diagnoses[i]) {
			continue
		}
		if n == 0 {
			b.w.Begin("HI")
		}
		b.dxComposite("ABN", c.Diagnoses[i], poaAt(c.Institutional, i))
		n++
	}
	if n > 0 {
		b.w.End()
	}
}

// otherDiagnosesI writes HI*ABF: the secondary diagnoses that are not
// external causes, at most 24 in segments of 12.
func (b *Builder) otherDiagnosesI(c *Claim) {
	n := 0
	for i := 1; i < len(c.Diagnoses) && n < maxOtherDiagnosesI; i++ {
		if IsExternalCause(c.Diagnoses[i]) {
			continue
		}
		if n%maxHICodesPerSeg == 0 {
			if n > 0 {
				b.w.End()
			}
			b.w.Begin("HI")
		}
		b.dxComposite("ABF", c.Diagnoses[i], poaAt(c.Institutional, i))
		n++
	}
	if n > 0 {
		b.w.End()
	}
}

// drg writes HI*DR.
func (b *Builder) drg(in *InstitutionalInfo) {
	if in.DRG != "" {
		b.w.Begin("HI")
		b.w.Composite("DR", in.DRG)
		b.w.End()
	}
}

// hiList writes n composites in HI segments of 12, at most 24.
func (b *Builder) hiList(n int, composite func(k int)) {
	n = min(n, maxRepeatedHICodesI)
	for k := 0; k < n; k++ {
		if k%maxHICodesPerSeg == 0 {
			if k > 0 {
				b.w.End()
			}
			b.w.Begin("HI")
		}
		composite(k)
	}
	if n > 0 {
		b.w.End()
	}
}

// codesI writes the HI segments after the principal procedure: other
// procedures (BBQ), occurrence spans (BI), occurrences (BH) and value
// codes (BE), in the TR3's order.
func (b *Builder) codesI(in *InstitutionalInfo) {
	b.hiList(len(in.OtherProcedures), func(k int) {
		p := &in.OtherProcedures[k]
		b.w.Composite("BBQ", NormalizeICD10(p.Code), "D8", b.dates(p.Date, x12.Date{}))
	})
	b.hiList(len(in.OccurrenceSpans), func(k int) {
		s := &in.OccurrenceSpans[k]
		to := s.To
		if to.IsZero() {
			to = s.From
		}
		b.w.Composite("BI", s.Code, "RD8", b.dates(s.From, to))
	})
	b.hiList(len(in.Occurrences), func(k int) {
		o := &in.Occurrences[k]
		b.w.Composite("BH", o.Code, "D8", b.dates(o.Date, x12.Date{}))
	})
	b.hiList(len(in.ValueCodes), func(k int) {
		v := &in.ValueCodes[k]
		b.w.Composite("BE", v.Code, "", "", b.amount(v.Amount))
	})
}

// operatingI writes 2310B (operating physician) and 2310C (other
// operating physician). Both are people; neither loop has a PRV.
func (b *Builder) operatingI(in *InstitutionalInfo) {
	if p := in.OperatingPhysician; p != nil {
		b.name("72", p, false)
	}
	if p := in.OtherOperatingPhysician; p != nil {
		b.name("ZZ", p, false)
	}
}

// inpatient visits the string fields of the inpatient and coding data.
func (w *fieldWalk) inpatient(in *InstitutionalInfo) {
	w.v(fp("institutional", "admission_hour"), 0, "2300", "DTP03", in.AdmissionHour)
	w.v(fp("institutional", "discharge_hour"), 0, "2300", "DTP03", in.DischargeHour)
	w.v(fp("institutional", "drg"), 0, "2300", "HI01-2", in.DRG)
	for i, v := range in.PresentOnAdmission {
		w.v(fa("institutional.present_on_admission", i), 0, "2300", "HI01-9", v)
	}
	for k := range in.OtherProcedures {
		w.v(fa("institutional.other_procedures", k).sub("code"), 0, "2300", hiRefs[k%12], in.OtherProcedures[k].Code)
	}
	for k := range in.OccurrenceSpans {
		w.v(fa("institutional.occurrence_spans", k).sub("code"), 0, "2300", hiRefs[k%12], in.OccurrenceSpans[k].Code)
	}
	for k := range in.Occurrences {
		w.v(fa("institutional.occurrences", k).sub("code"), 0, "2300", hiRefs[k%12], in.Occurrences[k].Code)
	}
	for k := range in.ValueCodes {
		w.v(fa("institutional.value_codes", k).sub("code"), 0, "2300", hiRefs[k%12], in.ValueCodes[k].Code)
	}
	w.provider("institutional.operating_physician", "2310B", in.OperatingPhysician)
	w.provider("institutional.other_operating_physician", "2310C", in.OtherOperatingPhysician)
}
