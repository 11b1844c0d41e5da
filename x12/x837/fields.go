package x837

import (
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12"
)

// eachString calls visit for every string field of the claim that the
// builder may write, with its JSON path, its service line (1-based, or 0)
// and its X12 loop and element. It stops when visit returns false. The
// scrubber and the builder use it to agree on which values must be free
// of delimiter characters.
func eachString(c *Claim, visit func(f fld, line int, loop, el, v string) bool) {
	w := fieldWalk{visit: visit, inst: c.Kind == Institutional}
	w.claim(c)
	w.extras(c)
}

type fieldWalk struct {
	visit func(f fld, line int, loop, el, v string) bool
	inst  bool
	stop  bool
}

func (w *fieldWalk) v(f fld, line int, loop, el, v string) {
	if w.stop || v == "" {
		return
	}
	if !w.visit(f, line, loop, el, v) {
		w.stop = true
	}
}

func (w *fieldWalk) address(f fld, loop string, a *Address) {
	if a == nil {
		return
	}
	w.v(f.sub("line1"), 0, loop, "N301", a.Line1)
	w.v(f.sub("line2"), 0, loop, "N302", a.Line2)
	w.v(f.sub("city"), 0, loop, "N401", a.City)
	w.v(f.sub("state"), 0, loop, "N402", a.State)
	w.v(f.sub("zip"), 0, loop, "N403", a.ZIP)
}

func (w *fieldWalk) provider(pre, loop string, p *Provider) {
	if p == nil {
		return
	}
	w.v(fp(pre, "npi"), 0, loop, "NM109", p.NPI)
	w.v(fp(pre, "organization"), 0, loop, "NM103", p.Organization)
	w.v(fp(pre, "last_name"), 0, loop, "NM103", p.LastName)
	w.v(fp(pre, "first_name"), 0, loop, "NM104", p.FirstName)
	w.v(fp(pre, "middle_name"), 0, loop, "NM105", p.MiddleName)
	w.v(fp(pre, "taxonomy"), 0, loop, "PRV03", p.Taxonomy)
	w.v(fp(pre, "tin"), 0, loop, "REF02", p.TIN)
	w.v(fp(pre, "tin_type"), 0, loop, "REF01", p.TINType)
	w.v(fp(pre, "contact_name"), 0, loop, "PER02", p.ContactName)
	w.v(fp(pre, "phone"), 0, loop, "PER04", p.Phone)
	w.address(fp(pre, "address"), loop, p.Address)
}

func (w *fieldWalk) person(pre, loop string, p *Person) {
	w.v(fp(pre, "last_name"), 0, loop, "NM103", p.LastName)
	w.v(fp(pre, "first_name"), 0, loop, "NM104", p.FirstName)
	w.v(fp(pre, "middle_name"), 0, loop, "NM105", p.MiddleName)
	w.v(fp(pre, "suffix"), 0, loop, "NM107", p.Suffix)
	w.v(fp(pre, "gender"), 0, loop, "DMG03", p.Gender)
	w.address(fp(pre, "address"), loop, p.Address)
}

func (w *fieldWalk) pick(p, i string) string {
	if w.inst {
		return i
	}
	return p
}

func (w *fieldWalk) claim(c *Claim) {
	w.v(fp("patient_control_number", ""), 0, "2300", "CLM01", c.PatientControlNumber)
	w.v(fp("frequency", ""), 0, "2300", "CLM05-3", c.Frequency)
	w.v(fp("payer_claim_number", ""), 0, "2300", "REF02", c.PayerClaimNumber)
	if !w.inst { // the 837I writes neither
		w.v(fp("place_of_service", ""), 0, "2300", "CLM05-1", c.PlaceOfService)
		w.v(fp("provider_signature", ""), 0, "2300", "CLM06", c.ProviderSignature)
	}
	w.v(fp("prior_authorization", ""), 0, "2300", "REF02", c.PriorAuthorization)
	w.v(fp("medical_record_number", ""), 0, "2300", "REF02", c.MedicalRecordNumber)
	w.v(fp("assignment", ""), 0, "2300", "CLM07", c.Assignment)
	w.v(fp("benefits_assigned", ""), 0, "2300", "CLM08", c.BenefitsAssigned)
	w.v(fp("release_of_information", ""), 0, "2300", "CLM09", c.ReleaseOfInformation)
	for i, d := range c.Diagnoses {
		ref := hiRef(i)
		if w.inst {
			ref = instDxRef(c.Diagnoses, i)
		}
		w.v(fa("diagnoses", i), 0, "2300", ref, d)
	}
	w.provider("billing_provider", "2010AA", &c.BillingProvider)
	w.address(fp("pay_to_address", ""), "2010AB", c.PayToAddress)
	s := &c.Subscriber
	w.person("subscriber", "2010BA", &s.Person)
	w.v(fp("subscriber", "member_id"), 0, "2010BA", "NM109", s.MemberID)
	w.v(fp("subscriber", "group_number"), 0, "2000B", "SBR03", s.GroupNumber)
	w.v(fp("subscriber", "group_name"), 0, "2000B", "SBR04", s.GroupName)
	w.v(fp("subscriber", "responsibility"), 0, "2000B", "SBR01", s.Responsibility)
	if p := c.Patient; p != nil {
		w.person("patient", "2010CA", &p.Person)
		w.v(fp("patient", "relationship"), 0, "2000C", "PAT01", p.Relationship)
	}
	w.v(fp("payer", "name"), 0, "2010BB", "NM103", c.Payer.Name)
	w.v(fp("payer", "id"), 0, "2010BB", "NM109", c.Payer.ID)
	w.v(fp("payer", "filing_indicator"), 0, "2000B", "SBR09", c.Payer.FilingIndicator)
	w.address(fp("payer", "address"), "2010BB", c.Payer.Address)
	w.provider("rendering_provider", w.pick("2310B", "2310D"), c.RenderingProvider)
	w.provider("referring_provider", w.pick("2310A", "2310F"), c.ReferringProvider)
	if f := c.ServiceFacility; f != nil {
		loop := w.pick("2310C", "2310E")
		w.v(fp("service_facility", "name"), 0, loop, "NM103", f.Name)
		w.v(fp("service_facility", "npi"), 0, loop, "NM109", f.NPI)
		w.address(fp("service_facility", "address"), loop, &f.Address)
	}
	if in := c.Institutional; in != nil && w.inst {
		w.v(fp("institutional", "facility_type"), 0, "2300", "CLM05-1", in.FacilityType)
		w.v(fp("institutional", "admission_type"), 0, "2300", "CL101", in.AdmissionType)
		w.v(fp("institutional", "admission_source"), 0, "2300", "CL102", in.AdmissionSource)
		w.v(fp("institutional", "patient_status"), 0, "2300", "CL103", in.PatientStatus)
		w.v(fp("institutional", "admitting_diagnosis"), 0, "2300", "HI01-2", in.AdmittingDiagnosis)
		w.v(fp("institutional", "principal_procedure"), 0, "2300", "HI01-2", in.PrincipalProcedure)
		for i, r := range in.ReasonForVisit {
			w.v(fa("institutional.reason_for_visit", i), 0, "2300", hiRefs[i%12], r)
		}
		for i, cc := range in.ConditionCodes {
			w.v(fa("institutional.condition_codes", i), 0, "2300", hiRefs[i%12], cc)
		}
		w.provider("institutional.attending_provider", "2310A", in.AttendingProvider)
		w.inpatient(in)
	}
	refs := &procRefs[0]
	if w.inst {
		refs = &procRefs[1]
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		n := i + 1
		w.v(fl(i, "control_number"), n, "2400", "REF02", l.ControlNumber)
		w.v(fl(i, "procedure"), n, "2400", refs[1], l.Procedure)
		for k, m := range l.Modifiers {
			w.v(fla(i, "modifiers", k), n, "2400", refs[min(k, 3)+2], m)
		}
		w.v(fl(i, "description"), n, "2400", refs[6], l.Description)
		w.v(fl(i, "revenue_code"), n, "2400", "SV201", l.RevenueCode)
		w.v(fl(i, "units"), n, "2400", w.pick("SV104", "SV205"), l.Units)
		w.v(fl(i, "unit_basis"), n, "2400", w.pick("SV103", "SV204"), l.UnitBasis)
		if !w.inst {
			w.v(fl(i, "place_of_service"), n, "2400", "SV105", l.PlaceOfService)
		}
		if w.stop {
			return
		}
	}
	w.otherCoverage(c)
}

// delimiters reports every value that contains a delimiter or control
// character: the writer would refuse it.
func (s *scrubber) delimiters() {
	d := s.opts.Delimiters
	eachString(s.c, func(f fld, line int, loop, el, v string) bool {
		i := badChar(v, d)
		if i < 0 {
			return true
		}
		ch := v[i]
		if ch < 0x20 || ch >= 0x7f {
			s.add(RuleInvalidCharacter, f, line, loop, segOf(el), el,
				f.String()+" contains a control or non-ASCII character (character "+strconv.Itoa(i+1)+")")
		} else {
			s.add(RuleDelimiter, f, line, loop, segOf(el), el,
				f.String()+" contains the delimiter "+strconv.QuoteRune(rune(ch))+" (character "+strconv.Itoa(i+1)+"); remove it")
		}
		return true
	})
}

// unwritable returns the JSON path of the first claim field that contains
// a delimiter or control character, or "".
func unwritable(c *Claim, d x12.Delimiters) string {
	var found fld
	bad := false
	eachString(c, func(f fld, _ int, _, _, v string) bool {
		if badChar(v, d) >= 0 {
			found, bad = f, true
			return false
		}
		return true
	})
	if !bad {
		return ""
	}
	return found.String()
}

// badChar returns the index of the first delimiter or control character
// in v, or -1.
func badChar(v string, d x12.Delimiters) int {
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch == d.Element || ch == d.Component || ch == d.Segment || (d.Repetition != 0 && ch == d.Repetition) || ch < 0x20 || ch >= 0x7f {
			return i
		}
	}
	return -1
}

// FieldAt returns the JSON path of the claim field written to element
// (such as "NM109", or "CLM05-3" for a component) of a segment in loop
// (such as "2010BA"), for mapping a 999's IK3/IK4 back to the encounter
// field. It returns "" when no field of the claim is written there, or
// when several are (the same element in each service line, say).
func FieldAt(c *Claim, loop, element string) string {
	found := ""
	many := false
	eachString(c, func(f fld, _ int, l, el, _ string) bool {
		if l != loop || (el != element && !strings.HasPrefix(el, element+"-")) {
			return true
		}
		if p := f.String(); found == "" {
			found = p
		} else if p != found {
			many = true
			return false
		}
		return true
	})
	if many {
		return ""
	}
	return found
}
