package x837

import (
	"fmt"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// The scrubber's rules for the fields of professional_extras.go. Each
// follows the TR3's usage notes: a situational element that is required
// in a situation is an error when missing there; a value the guide says
// not to send in a situation is a warning (the builder leaves it out or
// the payer ignores it).

// Rule identifiers of these fields (see problem.go for the others).
const (
	RuleNDC        = "ndc-format"         // an NDC is not 11 digits in the 5-4-2 format
	RuleCLIA       = "clia-format"        // a CLIA number is not ten characters NNDNNNNNNN
	RuleAccident   = "accident"           // CLM11 accident data incomplete (state, DTP*439)
	RuleAttachment = "attachment-control" // PWK without the attachment control number
	RuleAmbulance  = "ambulance"          // ambulance transport data incomplete
	RuleEPSDT      = "epsdt"              // EPSDT condition codes inconsistent
	RuleNotSent    = "not-sent"           // a field this claim kind or situation does not carry
)

// extras checks the claim's extra fields and those of every line.
func (s *scrubber) extras() {
	c := s.c
	s.relatedCauses()
	s.code(fp("delay_reason", ""), 0, "2300", "CLM20", c.DelayReason, false, delayReasonCodes)
	s.str(fp("referral_number", ""), 0, "2300", "REF02", c.ReferralNumber, false, 1, 50)
	if c.CLIANumber != "" {
		if s.inst() {
			s.warn(RuleNotSent, fp("clia_number", ""), 0, "2300", "REF", "REF02", "the CLIA number (REF*X4) is not sent on an institutional claim")
		} else {
			s.clia(fp("clia_number", ""), 0, "2300", c.CLIANumber)
		}
	}
	switch {
	case c.PatientPaid == 0:
	case s.inst():
		s.warn(RuleNotSent, fp("patient_paid", ""), 0, "2300", "AMT", "AMT02", "the patient amount paid (AMT*F5) is not sent on an institutional claim")
	case c.PatientPaid < 0:
		s.add(RuleFormat, fp("patient_paid", ""), 0, "2300", "AMT", "AMT02", "patient amount paid "+c.PatientPaid.String()+" is negative")
	case c.PatientPaid > c.TotalCharge:
		s.add(RuleFormat, fp("patient_paid", ""), 0, "2300", "AMT", "AMT02",
			fmt.Sprintf("patient amount paid %s exceeds the total charge %s", c.PatientPaid, c.TotalCharge))
	}
	s.attachments(fp("attachments", ""), 0, "2300", c.Attachments)
	if n := c.Note; n != nil {
		codes := claimNoteCodesP
		if s.inst() {
			codes = claimNoteCodesI
		}
		s.note(fp("note", ""), 0, "2300", n, codes)
	}
	s.extraDates()
	if e := c.EPSDT; e != nil {
		s.epsdt(e)
	}
	s.ambulance()
	if p := c.SupervisingProvider; p != nil {
		if s.inst() {
			s.warn(RuleNotSent, fp("supervising_provider", ""), 0, "2300", "NM1", "", "a supervising provider (2310D) is not sent on an institutional claim")
		} else {
			s.provider(fp("supervising_provider", ""), "2310D", p, true, false, false)
		}
	}
	if p := c.PrimaryCareProvider; p != nil {
		switch {
		case s.inst():
			s.warn(RuleNotSent, fp("primary_care_provider", ""), 0, "2310A", "NM1", "", "a primary care provider (NM1*P3) is not sent on an institutional claim")
		case c.ReferringProvider == nil:
			s.add(RuleRequired, fp("referring_provider", ""), 0, "2310A", "NM1", "NM101",
				"a primary care provider (the second 2310A, NM1*P3) is sent only after the referring provider (NM1*DN)")
		default:
			s.provider(fp("primary_care_provider", ""), "2310A", p, true, false, false)
		}
	}
	for i := range c.Lines {
		s.lineExtras(i, &c.Lines[i])
	}
}

// relatedCauses checks CLM11 and the accident date.
func (s *scrubber) relatedCauses() {
	c := s.c
	f := fp("related_causes", "")
	if len(c.RelatedCauses) > 0 && s.inst() {
		s.warn(RuleNotSent, f, 0, "2300", "CLM", "CLM11", "related causes (CLM11) are not sent on an institutional claim; use occurrence codes")
	}
	if len(c.RelatedCauses) > 2 {
		s.add(RuleLength, f, 0, "2300", "CLM", "CLM11", fmt.Sprintf("%d related causes; at most 2 can be sent", len(c.RelatedCauses)))
	}
	for k, rc := range c.RelatedCauses {
		el := "CLM11-" + strconv.Itoa(min(k, 1)+1)
		s.code(fa("related_causes", k), 0, "2300", el, rc, true, relatedCauseCodes)
		for j := 0; j < k; j++ {
			if c.RelatedCauses[j] == rc {
				s.add(RuleCode, fa("related_causes", k), 0, "2300", "CLM", el, fmt.Sprintf("related cause %q is repeated", safeCode(rc)))
				break
			}
		}
	}
	auto := c.hasCause("AA")
	if auto && !s.inst() {
		switch {
		case c.AutoAccidentState != "":
			s.code(fp("auto_accident_state", ""), 0, "2300", "CLM11-4", c.AutoAccidentState, false, stateCodes)
		case c.AutoAccidentCountry == "" || c.AutoAccidentCountry == "US" || c.AutoAccidentCountry == "CA":
			s.add(RuleAccident, fp("auto_accident_state", ""), 0, "2300", "CLM", "CLM11-4", "an auto accident (related cause AA) requires the state or province where it happened")
		}
		if v := c.AutoAccidentCountry; v != "" && (len(v) < 2 || len(v) > 3 || !allUpper(v)) {
			s.add(RuleFormat, fp("auto_accident_country", ""), 0, "2300", "CLM", "CLM11-5", fmt.Sprintf("country %q is not a two or three letter ISO 3166 code", safeCode(v)))
		}
	} else if c.AutoAccidentState != "" || c.AutoAccidentCountry != "" {
		s.warn(RuleNotSent, fp("auto_accident_state", ""), 0, "2300", "CLM", "CLM11-4", "the accident state and country are sent only with related cause AA (auto accident); they are ignored")
	}
	accident := auto || c.hasCause("OA")
	d := c.AccidentDate
	switch {
	case d.IsZero():
		if accident && !s.inst() {
			s.add(RuleAccident, fp("accident_date", ""), 0, "2300", "DTP", "DTP03", "an accident (related cause AA or OA) requires the accident date (DTP*439)")
		}
	case s.inst():
		s.warn(RuleNotSent, fp("accident_date", ""), 0, "2300", "DTP", "DTP03", "the accident date (DTP*439) is not sent on an institutional claim; use an occurrence code")
	default:
		if len(c.RelatedCauses) == 0 {
			s.warn(RuleAccident, fp("accident_date", ""), 0, "2300", "DTP", "DTP03", "an accident date without a related cause (AA, EM or OA)")
		}
		s.notAfterService(fp("accident_date", ""), "accident date", d)
	}
}

// notAfterService checks a 2300 date that cannot follow the services.
func (s *scrubber) notAfterService(f fld, what string, d x12.Date) {
	if !s.date(f, 0, "2300", "DTP03", d, true) {
		return
	}
	if last := s.lastServiceDate(); !last.IsZero() && d.After(last) {
		s.add(RuleDateOrder, f, 0, "2300", "DTP", "DTP03", what+" is after the last service date")
	}
}

// extraDates checks the initial treatment, last seen and disability dates.
func (s *scrubber) extraDates() {
	c := s.c
	if c.InitialTreatmentDate.IsZero() && c.LastSeenDate.IsZero() && c.DisabilityFrom.IsZero() && c.DisabilityTo.IsZero() {
		return
	}
	dates := []struct {
		name, what string
		d          x12.Date
	}{
		{"initial_treatment_date", "initial treatment date", c.InitialTreatmentDate},
		{"last_seen_date", "last seen date", c.LastSeenDate},
		{"disability_from", "disability start date", c.DisabilityFrom},
		{"disability_to", "disability end date", c.DisabilityTo},
	}
	for _, dt := range dates {
		if dt.d.IsZero() {
			continue
		}
		if s.inst() {
			s.warn(RuleNotSent, fp(dt.name, ""), 0, "2300", "DTP", "DTP03", "the "+dt.what+" is not sent on an institutional claim")
			continue
		}
		switch dt.name {
		case "disability_to":
			s.date(fp(dt.name, ""), 0, "2300", "DTP03", dt.d, false) // may lie ahead
		case "disability_from":
			s.date(fp(dt.name, ""), 0, "2300", "DTP03", dt.d, true)
		default:
			s.notAfterService(fp(dt.name, ""), dt.what, dt.d)
		}
	}
	if from, to := c.DisabilityFrom, c.DisabilityTo; !s.inst() && realDate(from) && realDate(to) && to.Before(from) {
		s.add(RuleDateOrder, fp("disability_to", ""), 0, "2300", "DTP", "DTP03", "disability end date is before the disability start date")
	}
}

// clia checks a CLIA number: ten characters, two digits, "D", seven
// digits.
func (s *scrubber) clia(f fld, line int, loop, v string) {
	if !s.str(f, line, loop, "REF02", v, false, 1, 50) {
		return
	}
	if !ValidCLIA(v) {
		s.add(RuleCLIA, f, line, loop, "REF", "REF02", fmt.Sprintf("CLIA number %q is not ten characters: two digits, the letter D, seven digits", safeCode(v)))
	}
}

// ValidCLIA reports whether v has the shape of a CLIA certificate number:
// ten characters, two digits, "D" and seven digits (e.g. 05D0987654).
func ValidCLIA(v string) bool {
	return len(v) == 10 && allDigits(v[:2]) && v[2] == 'D' && allDigits(v[3:])
}

func (s *scrubber) attachments(f fld, line int, loop string, atts []Attachment) {
	if len(atts) > 10 {
		s.add(RuleLength, f, line, loop, "PWK", "", fmt.Sprintf("%d attachments; at most 10 can be sent", len(atts)))
	}
	for k := range atts {
		a := &atts[k]
		af := fa(f.pre, k)
		if line > 0 {
			af = fla(line-1, "attachments", k)
		}
		s.code(af.sub("report_type"), line, loop, "PWK01", a.ReportType, true, attachmentTypeCodes)
		s.code(af.sub("transmission"), line, loop, "PWK02", a.Transmission, true, attachmentTransmissionCodes)
		if a.ControlNumber == "" {
			if a.Transmission != "AA" && inSorted(attachmentTransmissionCodes, a.Transmission) {
				s.add(RuleAttachment, af.sub("control_number"), line, loop, "PWK", "PWK06",
					fmt.Sprintf("an attachment sent by %s requires its attachment control number (PWK06)", safeCode(a.Transmission)))
			}
			continue
		}
		s.str(af.sub("control_number"), line, loop, "PWK06", a.ControlNumber, false, 2, 80)
	}
}

func (s *scrubber) note(f fld, line int, loop string, n *Note, codes []string) {
	s.code(f.sub("code"), line, loop, "NTE01", n.Code, true, codes)
	s.str(f.sub("text"), line, loop, "NTE02", n.Text, true, 1, 80)
}

func (s *scrubber) epsdt(e *EPSDTReferral) {
	f := fp("epsdt", "")
	if len(e.Conditions) == 0 {
		s.add(RuleRequired, f.sub("conditions"), 0, "2300", "CRC", "CRC03", "the EPSDT referral requires at least one condition indicator")
	}
	if len(e.Conditions) > 3 {
		s.add(RuleLength, f.sub("conditions"), 0, "2300", "CRC", "", fmt.Sprintf("%d EPSDT condition indicators; at most 3 can be sent", len(e.Conditions)))
	}
	for k, cond := range e.Conditions {
		el := "CRC0" + strconv.Itoa(min(k, 2)+3)
		cf := fa("epsdt.conditions", k)
		s.code(cf, 0, "2300", el, cond, true, epsdtConditionCodes)
		switch {
		case e.ReferralGiven && cond == "NU":
			s.add(RuleEPSDT, cf, 0, "2300", "CRC", el, "NU (no referral) cannot be sent when a referral was given")
		case !e.ReferralGiven && cond != "NU" && inSorted(epsdtConditionCodes, cond):
			s.add(RuleEPSDT, cf, 0, "2300", "CRC", el, fmt.Sprintf("without a referral the condition indicator must be NU, not %s", cond))
		}
	}
	if fi := s.c.Payer.FilingIndicator; fi != "MC" {
		s.warn(RuleEPSDT, f, 0, "2300", "CRC", "CRC01", "EPSDT is a Medicaid program, but the claim's filing indicator is not MC")
	}
}

// ambulanceCodes are the HCPCS ground and air ambulance transport codes
// (A0425 mileage to A0436 rotary-wing mileage): a claim with one of them
// is an ambulance claim.
func isAmbulanceCode(proc string) bool {
	return len(proc) == 5 && proc[:3] == "A04" && proc >= "A0425" && proc <= "A0436"
}

func (s *scrubber) ambulance() {
	c := s.c
	a := c.Ambulance
	ambLine := 0
	for i := range c.Lines {
		if isAmbulanceCode(c.Lines[i].Procedure) {
			ambLine = i + 1
			break
		}
	}
	if s.inst() {
		if a != nil {
			s.warn(RuleNotSent, fp("ambulance", ""), 0, "2300", "CR1", "", "ambulance transport (CR1, 2310E, 2310F) is not sent on an institutional claim")
		}
		return
	}
	if a == nil {
		if ambLine > 0 {
			s.add(RuleAmbulance, fp("ambulance", ""), 0, "2300", "CR1", "",
				fmt.Sprintf("line %d bills an ambulance transport (%s): the claim requires the ambulance transport information (CR1) and the pick-up and drop-off locations", ambLine, c.Lines[ambLine-1].Procedure))
		}
		return
	}
	f := fp("ambulance", "")
	s.transport(f, 0, "2300", &a.AmbulanceTransport)
	if len(a.Certifications) == 0 {
		s.warn(RuleAmbulance, f.sub("certifications"), 0, "2300", "CRC", "CRC01", "an ambulance claim should carry the ambulance certification (CRC*07)")
	}
	if l := a.PickUp; l == nil {
		s.add(RuleAmbulance, f.sub("pick_up"), 0, "2310E", "NM1", "", "an ambulance claim requires the pick-up location (2310E)")
	} else {
		if l.Name != "" {
			s.warn(RuleNotSent, fp("ambulance.pick_up.name", ""), 0, "2310E", "NM1", "NM103", "the pick-up location's name is not sent (2310E has no NM103)")
		}
		s.address(fp("ambulance.pick_up.address", ""), "2310E", &l.Address, false)
	}
	if l := a.DropOff; l == nil {
		s.add(RuleAmbulance, f.sub("drop_off"), 0, "2310F", "NM1", "", "an ambulance claim requires the drop-off location (2310F)")
	} else {
		s.str(fp("ambulance.drop_off.name", ""), 0, "2310F", "NM103", l.Name, false, 1, 60)
		s.address(fp("ambulance.drop_off.address", ""), "2310F", &l.Address, false)
	}
}

// transport checks CR1 and the CRC*07 certifications at claim level
// (line 0) or line level.
func (s *scrubber) transport(f fld, line int, loop string, a *AmbulanceTransport) {
	sub := func(leaf string) fld { return fp(f.String()+"."+leaf, "") }
	if a.PatientWeight != "" && !validDecimal(a.PatientWeight, 10) {
		s.add(RuleFormat, sub("patient_weight"), line, loop, "CR1", "CR102", fmt.Sprintf("patient weight %q must be a positive number of pounds", safeCode(a.PatientWeight)))
	}
	s.code(sub("transport_reason"), line, loop, "CR104", a.TransportReason, true, ambulanceReasonCodes)
	switch {
	case a.DistanceMiles == "":
		s.add(RuleRequired, sub("distance_miles"), line, loop, "CR1", "CR106", "the transport distance in miles (CR106) is required")
	case !validDecimal(a.DistanceMiles, 15):
		s.add(RuleFormat, sub("distance_miles"), line, loop, "CR1", "CR106", fmt.Sprintf("distance %q must be a positive number of miles", safeCode(a.DistanceMiles)))
	}
	s.str(sub("round_trip_purpose"), line, loop, "CR109", a.RoundTripPurpose, false, 1, 80)
	s.str(sub("stretcher_purpose"), line, loop, "CR110", a.StretcherPurpose, false, 1, 80)
	if len(a.Certifications) > 3 {
		s.add(RuleLength, sub("certifications"), line, loop, "CRC", "", fmt.Sprintf("%d ambulance certifications; at most 3 can be sent", len(a.Certifications)))
	}
	for k := range a.Certifications {
		cert := &a.Certifications[k]
		cf := f.String() + ".certifications[" + strconv.Itoa(k) + "].conditions"
		if len(cert.Conditions) == 0 {
			s.add(RuleRequired, fp(cf, ""), line, loop, "CRC", "CRC03", "an ambulance certification requires at least one condition code")
		}
		if len(cert.Conditions) > 5 {
			s.add(RuleLength, fp(cf, ""), line, loop, "CRC", "", fmt.Sprintf("%d condition codes; at most 5 can be sent", len(cert.Conditions)))
		}
		for j, cond := range cert.Conditions {
			s.code(fp(cf+"["+strconv.Itoa(j)+"]", ""), line, loop, "CRC0"+strconv.Itoa(min(j, 4)+3), cond, true, ambulanceConditionCodes)
		}
	}
}

// validDecimal reports whether v is a positive decimal (digits with at
// most one dot, not at the end) of at most maxLen characters.
func validDecimal(v string, maxLen int) bool {
	if v == "" || len(v) > maxLen || v[len(v)-1] == '.' {
		return false
	}
	dot, digits, nonZero := false, 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.' && !dot:
			dot = true
		case isDigit(c):
			digits++
			nonZero = nonZero || c != '0'
		default:
			return false
		}
	}
	return digits > 0 && nonZero
}

func allUpper(v string) bool {
	for i := 0; i < len(v); i++ {
		if !isUpper(v[i]) {
			return false
		}
	}
	return true
}

// lineExtras checks the extra fields of line i.
func (s *scrubber) lineExtras(i int, l *Line) {
	n := i + 1
	c := s.c
	if d := l.Drug; d != nil {
		s.drug(i, d)
	} else if !s.inst() && c.Payer.FilingIndicator == "MC" && len(l.Procedure) == 5 && l.Procedure[0] == 'J' {
		s.warn(RuleNDC, fl(i, "drug"), n, "2410", "LIN", "LIN03", fmt.Sprintf("Medicaid requires the NDC (drug.ndc) for the drug billed as %s", safeCode(l.Procedure)))
	}
	if !l.hasExtras() {
		return
	}
	if l.CLIANumber != "" {
		if s.inst() {
			s.warn(RuleNotSent, fl(i, "clia_number"), n, "2400", "REF", "REF02", "the CLIA number (REF*X4) is not sent on an institutional claim")
		} else {
			s.clia(fl(i, "clia_number"), n, "2400", l.CLIANumber)
		}
	}
	s.attachments(fl(i, "attachments"), n, "2400", l.Attachments)
	if nt := l.Note; nt != nil {
		if s.inst() {
			s.warn(RuleNotSent, fl(i, "note"), n, "2400", "NTE", "", "a line note is not sent on an institutional claim")
		} else {
			s.note(fl(i, "note"), n, "2400", nt, lineNoteCodesP)
		}
	}
	if s.inst() {
		if l.Emergency || l.EPSDT || l.FamilyPlanning {
			s.warn(RuleNotSent, fl(i, "epsdt"), n, "2400", "SV2", "", "the emergency, EPSDT and family planning indicators are not sent on an institutional claim")
		}
		if l.Ambulance != nil || l.AmbulancePatients != 0 || l.RenderingProvider != nil || l.SupervisingProvider != nil || l.OrderingProvider != nil {
			s.warn(RuleNotSent, fl(i, ""), n, "2400", "", "", "line ambulance data and line providers are not sent on an institutional claim")
		}
		if l.PriorAuthorization != "" || l.ReferralNumber != "" {
			s.warn(RuleNotSent, fl(i, "prior_authorization"), n, "2400", "REF", "REF02", "a line prior authorization or referral number is not sent on an institutional claim")
		}
		return
	}
	s.str(fl(i, "prior_authorization"), n, "2400", "REF02", l.PriorAuthorization, false, 1, 50)
	s.str(fl(i, "referral_number"), n, "2400", "REF02", l.ReferralNumber, false, 1, 50)
	if (l.EPSDT || l.FamilyPlanning) && c.Payer.FilingIndicator != "MC" {
		s.warn(RuleEPSDT, fl(i, "epsdt"), n, "2400", "SV1", "SV111", "the EPSDT and family planning indicators are for Medicaid claims (filing indicator MC)")
	}
	if a := l.Ambulance; a != nil {
		if c.Ambulance == nil {
			s.add(RuleAmbulance, fl(i, "ambulance"), n, "2400", "CR1", "", "line ambulance data requires the claim's ambulance transport information")
		}
		s.transport(fl(i, "ambulance"), n, "2400", a)
	}
	switch p := l.AmbulancePatients; {
	case p < 0 || p > 99:
		s.add(RuleFormat, fl(i, "ambulance_patients"), n, "2400", "QTY", "QTY02", "the ambulance patient count must be between 2 and 99")
	case p == 1:
		s.warn(RuleNotSent, fl(i, "ambulance_patients"), n, "2400", "QTY", "QTY02", "the ambulance patient count (QTY*PT) is sent only when more than one patient was transported")
	}
	s.lineProvider(n, fl(i, "rendering_provider"), "2420A", l.RenderingProvider, true, true)
	s.lineProvider(n, fl(i, "supervising_provider"), "2420D", l.SupervisingProvider, false, false)
	s.lineProvider(n, fl(i, "ordering_provider"), "2420E", l.OrderingProvider, false, false)
	if p := l.OrderingProvider; p != nil && p.Address != nil {
		s.atLine(n, func() { s.address(fl(i, "ordering_provider.address"), "2420E", p.Address, false) })
	}
}

// lineProvider checks a line-level provider loop.
func (s *scrubber) lineProvider(n int, f fld, loop string, p *Provider, org, taxonomy bool) {
	if p == nil {
		return
	}
	s.atLine(n, func() { s.provider(f, loop, p, true, org, taxonomy) })
}

// atLine runs check and sets the service line of the problems it adds.
func (s *scrubber) atLine(n int, check func()) {
	from := len(s.out)
	check()
	for k := from; k < len(s.out); k++ {
		s.out[k].Line = n
	}
}

func (s *scrubber) drug(i int, d *Drug) {
	n := i + 1
	f := fl(i, "drug")
	sub := func(leaf string) fld { return fl(i, "drug."+leaf) }
	if d.NDC == "" {
		s.add(RuleRequired, sub("ndc"), n, "2410", "LIN", "LIN03", "the drug's NDC is required")
	} else if _, ok := NormalizeNDC(d.NDC); !ok && badChar(d.NDC, s.opts.Delimiters) < 0 {
		s.add(RuleNDC, sub("ndc"), n, "2410", "LIN", "LIN03",
			fmt.Sprintf("NDC %q is not 11 digits in the 5-4-2 format (e.g. 00006404741 or 00006-4047-41)", safeCode(d.NDC)))
	}
	switch {
	case d.Quantity == "":
		s.add(RuleRequired, sub("quantity"), n, "2410", "CTP", "CTP04", "the drug quantity (CTP04) is required")
	case !validDecimal(d.Quantity, 15):
		s.add(RuleFormat, sub("quantity"), n, "2410", "CTP", "CTP04", fmt.Sprintf("drug quantity %q must be a positive number", safeCode(d.Quantity)))
	}
	s.code(sub("unit"), n, "2410", "CTP05-1", d.Unit, true, drugUnitCodes)
	if d.PrescriptionNumber != "" && d.LinkSequenceNumber != "" {
		s.add(RuleFormat, f, n, "2410", "REF", "REF01", "send either the prescription number (XZ) or the link sequence number (VY), not both")
	}
	s.str(sub("prescription_number"), n, "2410", "REF02", d.PrescriptionNumber, false, 1, 50)
	s.str(sub("link_sequence_number"), n, "2410", "REF02", d.LinkSequenceNumber, false, 1, 50)
}

// walkExtras visits the string fields of professional_extras.go for
// eachString.
func (w *fieldWalk) extras(c *Claim) {
	// The fields the 837I does not carry are not visited on it: the
	// builder leaves them out, and the 837P loops they go in (2310A,
	// 2310D, 2310E, 2310F, 2420A...) are other loops on the 837I.
	prof := !w.inst
	if prof {
		for k, rc := range c.RelatedCauses {
			w.v(fa("related_causes", k), 0, "2300", "CLM11-"+strconv.Itoa(min(k, 1)+1), rc)
		}
		w.v(fp("auto_accident_state", ""), 0, "2300", "CLM11-4", c.AutoAccidentState)
		w.v(fp("auto_accident_country", ""), 0, "2300", "CLM11-5", c.AutoAccidentCountry)
		w.v(fp("clia_number", ""), 0, "2300", "REF02", c.CLIANumber)
	}
	w.v(fp("delay_reason", ""), 0, "2300", "CLM20", c.DelayReason)
	w.v(fp("referral_number", ""), 0, "2300", "REF02", c.ReferralNumber)
	w.attachments("attachments", 0, "2300", c.Attachments)
	w.note(fp("note", ""), 0, "2300", c.Note)
	if e := c.EPSDT; e != nil {
		for k, cond := range e.Conditions {
			w.v(fa("epsdt.conditions", k), 0, "2300", "CRC0"+strconv.Itoa(min(k, 2)+3), cond)
		}
	}
	if a := c.Ambulance; a != nil && prof {
		w.transport("ambulance", 0, "2300", &a.AmbulanceTransport)
		if l := a.PickUp; l != nil {
			w.address(fp("ambulance.pick_up.address", ""), "2310E", &l.Address)
		}
		if l := a.DropOff; l != nil {
			w.v(fp("ambulance.drop_off.name", ""), 0, "2310F", "NM103", l.Name)
			w.address(fp("ambulance.drop_off.address", ""), "2310F", &l.Address)
		}
	}
	if prof {
		w.provider("supervising_provider", "2310D", c.SupervisingProvider)
		if c.ReferringProvider != nil { // written only after NM1*DN
			w.provider("primary_care_provider", "2310A", c.PrimaryCareProvider)
		}
	}
	for i := range c.Lines {
		if w.stop {
			return
		}
		l := &c.Lines[i]
		if !l.hasExtras() {
			continue
		}
		n := i + 1
		if d := l.Drug; d != nil {
			w.v(fl(i, "drug.ndc"), n, "2410", "LIN03", d.NDC)
			w.v(fl(i, "drug.quantity"), n, "2410", "CTP04", d.Quantity)
			w.v(fl(i, "drug.unit"), n, "2410", "CTP05-1", d.Unit)
			w.v(fl(i, "drug.prescription_number"), n, "2410", "REF02", d.PrescriptionNumber)
			w.v(fl(i, "drug.link_sequence_number"), n, "2410", "REF02", d.LinkSequenceNumber)
		}
		if len(l.Attachments) > 0 {
			w.attachments("lines["+strconv.Itoa(i)+"].attachments", n, "2400", l.Attachments)
		}
		if !prof {
			continue
		}
		w.v(fl(i, "clia_number"), n, "2400", "REF02", l.CLIANumber)
		w.v(fl(i, "prior_authorization"), n, "2400", "REF02", l.PriorAuthorization)
		w.v(fl(i, "referral_number"), n, "2400", "REF02", l.ReferralNumber)
		w.note(fl(i, "note"), n, "2400", l.Note)
		if a := l.Ambulance; a != nil {
			w.transport("lines["+strconv.Itoa(i)+"].ambulance", n, "2400", a)
		}
		if l.RenderingProvider != nil || l.SupervisingProvider != nil || l.OrderingProvider != nil {
			pre := "lines[" + strconv.Itoa(i) + "]."
			w.provider(pre+"rendering_provider", "2420A", l.RenderingProvider)
			w.provider(pre+"supervising_provider", "2420D", l.SupervisingProvider)
			w.provider(pre+"ordering_provider", "2420E", l.OrderingProvider)
		}
	}
}

func (w *fieldWalk) attachments(pre string, line int, loop string, atts []Attachment) {
	for k := range atts {
		a := &atts[k]
		f := fa(pre, k)
		w.v(f.sub("report_type"), line, loop, "PWK01", a.ReportType)
		w.v(f.sub("transmission"), line, loop, "PWK02", a.Transmission)
		w.v(f.sub("control_number"), line, loop, "PWK06", a.ControlNumber)
	}
}

func (w *fieldWalk) note(f fld, line int, loop string, n *Note) {
	if n == nil {
		return
	}
	w.v(f.sub("code"), line, loop, "NTE01", n.Code)
	w.v(f.sub("text"), line, loop, "NTE02", n.Text)
}

func (w *fieldWalk) transport(pre string, line int, loop string, a *AmbulanceTransport) {
	w.v(fp(pre, "patient_weight"), line, loop, "CR102", a.PatientWeight)
	w.v(fp(pre, "transport_reason"), line, loop, "CR104", a.TransportReason)
	w.v(fp(pre, "distance_miles"), line, loop, "CR106", a.DistanceMiles)
	w.v(fp(pre, "round_trip_purpose"), line, loop, "CR109", a.RoundTripPurpose)
	w.v(fp(pre, "stretcher_purpose"), line, loop, "CR110", a.StretcherPurpose)
	for k := range a.Certifications {
		for j, cond := range a.Certifications[k].Conditions {
			w.v(fp(pre+".certifications["+strconv.Itoa(k)+"].conditions["+strconv.Itoa(j)+"]", ""), line, loop, "CRC0"+strconv.Itoa(min(j, 4)+3), cond)
		}
	}
}
