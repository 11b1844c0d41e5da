package x837

import "fmt"

func (s *scrubber) lines() {
	c := s.c
	if len(c.Lines) == 0 {
		s.add(RuleRequired, fp("lines", ""), 0, "2400", "LX", "", "at least one service line is required")
		return
	}
	max := s.opts.MaxLines
	if max <= 0 {
		max = 50
		if s.inst() {
			max = 999
		}
	}
	if len(c.Lines) > max {
		s.add(RuleLinesMax, fp("lines", ""), 0, "2400", "LX", "", fmt.Sprintf("%d service lines; at most %d can be sent on one claim", len(c.Lines), max))
	}
	for i := range c.Lines {
		s.line(i, &c.Lines[i])
	}
}

func (s *scrubber) line(i int, l *Line) {
	n := i + 1
	f := fl(i, "")
	svc, chargeEl, unitsEl, basisEl := "SV1", "SV102", "SV104", "SV103"
	procEl := "SV101-2"
	if s.inst() {
		svc, chargeEl, unitsEl, basisEl, procEl = "SV2", "SV203", "SV205", "SV204", "SV202-2"
	}
	if l.ControlNumber != "" {
		if s.str(f.sub("control_number"), n, "2400", "REF02", l.ControlNumber, false, 1, 30) {
			for k := 0; k < i; k++ {
				if s.c.Lines[k].ControlNumber == l.ControlNumber {
					s.add(RuleLineControlDuplicate, f.sub("control_number"), n, "2400", "REF", "REF02",
						fmt.Sprintf("line control number %s is also used by line %d", l.ControlNumber, k+1))
					break
				}
			}
		}
	}
	if s.inst() {
		if s.str(f.sub("revenue_code"), n, "2400", "SV201", l.RevenueCode, true, 1, 48) && !ValidRevenueCode(l.RevenueCode) {
			s.add(RuleFormat, f.sub("revenue_code"), n, "2400", svc, "SV201", fmt.Sprintf("revenue code %q is not four digits", safeCode(l.RevenueCode)))
		}
		if l.Procedure != "" {
			s.procedure(f, n, procEl, l)
		}
		if len(l.DiagnosisPointers) > 0 {
			s.warn(RuleDiagnosisPointer, f.sub("diagnosis_pointers"), n, "2400", svc, "", "diagnosis pointers are not sent on an institutional claim")
		}
		if l.NonCoveredCharge < 0 || l.NonCoveredCharge > l.Charge {
			s.add(RuleFormat, f.sub("non_covered_charge"), n, "2400", svc, "SV207", "non-covered charge must be between zero and the line charge")
		}
	} else {
		s.procedure(f, n, procEl, l)
		s.pointers(f, n, l)
		if l.PlaceOfService != "" && !ValidPlaceOfService(l.PlaceOfService) {
			s.add(RuleCode, f.sub("place_of_service"), n, "2400", svc, "SV105", fmt.Sprintf("place of service %q is not a CMS place of service code", safeCode(l.PlaceOfService)))
		}
	}
	if l.Charge < 0 {
		s.add(RuleFormat, f.sub("charge"), n, "2400", svc, chargeEl, "line charge "+l.Charge.String()+" is negative; void and replace instead")
	} else if l.Charge > maxAmount {
		s.add(RuleLength, f.sub("charge"), n, "2400", svc, chargeEl, "line charge "+l.Charge.String()+" exceeds 99999999.99")
	}
	if l.Units == "" {
		s.add(RuleRequired, f.sub("units"), n, "2400", svc, unitsEl, "units are required")
	} else if !validUnits(l.Units) {
		s.add(RuleFormat, f.sub("units"), n, "2400", svc, unitsEl, fmt.Sprintf("units %q must be a positive number with at most 3 decimals and 8 digits", safeCode(l.Units)))
	}
	basis := []string{"MJ", "UN"}
	if s.inst() {
		basis = []string{"DA", "UN"}
	}
	s.code(f.sub("unit_basis"), n, "2400", basisEl, l.UnitBasis, false, basis)
	s.serviceDates(f, n, l)
}

func (s *scrubber) procedure(f fld, n int, el string, l *Line) {
	svc := segOf(el)
	if s.str(f.sub("procedure"), n, "2400", el, l.Procedure, true, 1, 48) && !ValidProcedureCode(l.Procedure) {
		s.add(RuleFormat, f.sub("procedure"), n, "2400", svc, el, fmt.Sprintf("procedure %q is not a CPT or HCPCS code (five letters or digits)", safeCode(l.Procedure)))
	}
	if len(l.Modifiers) > 4 {
		s.add(RuleLength, f.sub("modifiers"), n, "2400", svc, "", fmt.Sprintf("%d modifiers; at most 4 can be sent", len(l.Modifiers)))
	}
	refs := &procRefs[0]
	if s.inst() {
		refs = &procRefs[1]
	}
	for k, m := range l.Modifiers {
		field := fla(n-1, "modifiers", k)
		mel := refs[min(k, 3)+2]
		if s.str(field, n, "2400", mel, m, true, 2, 2) && (!(isDigit(m[0]) || isUpper(m[0])) || !(isDigit(m[1]) || isUpper(m[1]))) {
			s.add(RuleFormat, field, n, "2400", svc, mel, fmt.Sprintf("modifier %q is not two letters or digits", safeCode(m)))
		}
	}
	s.str(f.sub("description"), n, "2400", refs[6], l.Description, false, 1, 80)
}

// Element references of the procedure and pointer composites.
var (
	procRefs = [2][7]string{
		{"SV101-1", "SV101-2", "SV101-3", "SV101-4", "SV101-5", "SV101-6", "SV101-7"},
		{"SV202-1", "SV202-2", "SV202-3", "SV202-4", "SV202-5", "SV202-6", "SV202-7"},
	}
	pointerRefs = [4]string{"SV107-1", "SV107-2", "SV107-3", "SV107-4"}
)

func (s *scrubber) pointers(f fld, n int, l *Line) {
	if len(l.DiagnosisPointers) == 0 {
		s.add(RuleRequired, f.sub("diagnosis_pointers"), n, "2400", "SV1", "SV107-1", "at least one diagnosis pointer is required")
		return
	}
	if len(l.DiagnosisPointers) > 4 {
		s.add(RuleLength, f.sub("diagnosis_pointers"), n, "2400", "SV1", "SV107", fmt.Sprintf("%d diagnosis pointers; at most 4 can be sent", len(l.DiagnosisPointers)))
	}
	for k, p := range l.DiagnosisPointers {
		field := fla(n-1, "diagnosis_pointers", k)
		el := pointerRefs[min(k, 3)]
		switch {
		case p < 1 || p > 12:
			s.add(RuleDiagnosisPointer, field, n, "2400", "SV1", el, fmt.Sprintf("diagnosis pointer %d is not between 1 and 12", p))
		case p > len(s.c.Diagnoses):
			s.add(RuleDiagnosisPointer, field, n, "2400", "SV1", el, fmt.Sprintf("diagnosis pointer %d has no diagnosis", p))
		}
		for j := 0; j < k; j++ {
			if l.DiagnosisPointers[j] == p {
				s.add(RuleDiagnosisPointer, field, n, "2400", "SV1", el, fmt.Sprintf("diagnosis pointer %d is repeated", p))
				break
			}
		}
	}
}

func (s *scrubber) serviceDates(f fld, n int, l *Line) {
	if l.ServiceDate.IsZero() {
		if !s.inst() {
			s.add(RuleRequired, f.sub("service_date"), n, "2400", "DTP", "DTP03", "service date (DTP*472) is required")
		}
		if !l.ServiceDateEnd.IsZero() {
			s.add(RuleRequired, f.sub("service_date"), n, "2400", "DTP", "DTP03", "service date end is set without a service date")
		}
		return
	}
	ok := s.date(f.sub("service_date"), n, "2400", "DTP03", l.ServiceDate, true)
	end := l.ServiceDate
	if !l.ServiceDateEnd.IsZero() {
		if s.date(f.sub("service_date_end"), n, "2400", "DTP03", l.ServiceDateEnd, true) && ok && l.ServiceDateEnd.Before(l.ServiceDate) {
			s.add(RuleDateOrder, f.sub("service_date_end"), n, "2400", "DTP", "DTP03", "service end date is before the service date")
		}
		end = l.ServiceDateEnd
	}
	if in := s.c.Institutional; ok && s.inst() && in != nil && realDate(in.StatementFrom) && realDate(in.StatementTo) {
		if l.ServiceDate.Before(in.StatementFrom) || end.After(in.StatementTo) {
			s.add(RuleDateOrder, f.sub("service_date"), n, "2400", "DTP", "DTP03", "service date is outside the statement period")
		}
	}
}

// validUnits reports whether u is a positive decimal with at most three
// decimals and eight digits in all.
func validUnits(u string) bool {
	digits, decimals, dot, nonZero := 0, 0, false, false
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case isDigit(c):
			digits++
			if dot {
				decimals++
			}
			if c != '0' {
				nonZero = true
			}
		default:
			return false
		}
	}
	return digits > 0 && digits <= 8 && decimals <= 3 && nonZero && u[len(u)-1] != '.'
}
