package x837

import "fmt"

func (s *scrubber) provider(field fld, loop string, p *Provider, person, org, taxonomy bool) {
	if s.str(field.sub("npi"), 0, loop, "NM109", p.NPI, true, 2, 80) {
		s.npi(field.sub("npi"), 0, loop, "NM109", p.NPI)
	}
	switch {
	case p.Organization != "" && !org:
		s.add(RulePersonOrOrganization, field.sub("organization"), 0, loop, "NM1", "NM102", field.String()+" must be a person here (last and first name, no organization)")
	case p.Organization == "" && !person:
		s.add(RulePersonOrOrganization, field.sub("organization"), 0, loop, "NM1", "NM102", field.String()+" must be an organization here")
	case p.Organization != "":
		s.str(field.sub("organization"), 0, loop, "NM103", p.Organization, true, 1, 60)
	default:
		s.str(field.sub("last_name"), 0, loop, "NM103", p.LastName, true, 1, 60)
		s.str(field.sub("first_name"), 0, loop, "NM104", p.FirstName, false, 1, 35)
		s.str(field.sub("middle_name"), 0, loop, "NM105", p.MiddleName, false, 1, 25)
	}
	if p.Taxonomy != "" {
		if !taxonomy {
			s.warn(RuleTaxonomy, field.sub("taxonomy"), 0, loop, "PRV", "PRV03", "taxonomy is not sent for "+field.String())
		} else if s.str(field.sub("taxonomy"), 0, loop, "PRV03", p.Taxonomy, false, 1, 50) && !ValidTaxonomy(p.Taxonomy) {
			s.add(RuleTaxonomy, field.sub("taxonomy"), 0, loop, "PRV", "PRV03", fmt.Sprintf("taxonomy %q is not a NUCC code (nine letters or digits then X)", safeCode(p.Taxonomy)))
		}
	}
}

func (s *scrubber) npi(field fld, line int, loop, el, v string) {
	switch {
	case len(v) != 10 || !allDigits(v) || (v[0] != '1' && v[0] != '2'):
		s.add(RuleNPIFormat, field, line, loop, "NM1", el, fmt.Sprintf("NPI %q is not ten digits starting with 1 or 2", safeCode(v)))
	case !ValidNPI(v):
		s.add(RuleNPICheckDigit, field, line, loop, "NM1", el, fmt.Sprintf("NPI %s fails the check digit (expected %d)", v, NPICheckDigit(v[:9])))
	}
}

func (s *scrubber) address(field fld, loop string, a *Address, zip9 bool) {
	s.str(field.sub("line1"), 0, loop, "N301", a.Line1, true, 1, 55)
	s.str(field.sub("line2"), 0, loop, "N302", a.Line2, false, 1, 55)
	s.str(field.sub("city"), 0, loop, "N401", a.City, true, 2, 30)
	if s.str(field.sub("state"), 0, loop, "N402", a.State, true, 2, 2) && !ValidState(a.State) {
		s.add(RuleCode, field.sub("state"), 0, loop, "N4", "N402", fmt.Sprintf("state %q is not a US state or Canadian province code", safeCode(a.State)))
	}
	if !s.str(field.sub("zip"), 0, loop, "N403", a.ZIP, true, 3, 15) {
		return
	}
	switch {
	case zip9 && !ValidZIP9(a.ZIP):
		s.add(RuleZIP9, field.sub("zip"), 0, loop, "N4", "N403", field.String()+" ZIP code must be nine digits (ZIP+4)")
	case !ValidZIP(a.ZIP):
		s.add(RuleZIP, field.sub("zip"), 0, loop, "N4", "N403", field.String()+" ZIP code must be five or nine digits")
	}
}

func (s *scrubber) providers() {
	c := s.c
	bp := &c.BillingProvider
	s.provider(fp("billing_provider", ""), "2010AA", bp, !s.inst(), true, true)
	if bp.Address == nil {
		s.add(RuleRequired, fp("billing_provider.address", ""), 0, "2010AA", "N3", "N301", "billing_provider.address is required")
	} else {
		s.address(fp("billing_provider.address", ""), "2010AA", bp.Address, true)
		if isPOBox(bp.Address.Line1) || isPOBox(bp.Address.Line2) {
			s.add(RuleFormat, fp("billing_provider.address.line1", ""), 0, "2010AA", "N3", "N301",
				"billing provider address must be a street address; send a PO box as the pay-to address")
		}
	}
	if s.str(fp("billing_provider.tin", ""), 0, "2010AA", "REF02", bp.TIN, true, 1, 50) && (len(bp.TIN) != 9 || !allDigits(bp.TIN)) {
		s.add(RuleFormat, fp("billing_provider.tin", ""), 0, "2010AA", "REF", "REF02", "billing provider tax ID must be nine digits without a hyphen")
	}
	tinType := bp.TINType
	if tinType != "" && tinType != "EI" && !(tinType == "SY" && !s.inst()) {
		s.add(RuleCode, fp("billing_provider.tin_type", ""), 0, "2010AA", "REF", "REF01", fmt.Sprintf("tin_type %q must be EI or (837P only) SY", safeCode(tinType)))
	}
	s.str(fp("billing_provider.contact_name", ""), 0, "2010AA", "PER02", bp.ContactName, false, 1, 60)
	if bp.Phone != "" && s.str(fp("billing_provider.phone", ""), 0, "2010AA", "PER04", bp.Phone, false, 1, 256) && (len(bp.Phone) != 10 || !allDigits(bp.Phone)) {
		s.add(RuleFormat, fp("billing_provider.phone", ""), 0, "2010AA", "PER", "PER04", "phone must be ten digits (area code and number)")
	}
	if c.PayToAddress != nil {
		s.address(fp("pay_to_address", ""), "2010AB", c.PayToAddress, false)
	}
	if p := c.RenderingProvider; p != nil {
		loop := "2310B"
		if s.inst() {
			loop = "2310D"
		}
		s.provider(fp("rendering_provider", ""), loop, p, true, !s.inst(), !s.inst())
	}
	if p := c.ReferringProvider; p != nil {
		loop := "2310A"
		if s.inst() {
			loop = "2310F"
		}
		s.provider(fp("referring_provider", ""), loop, p, true, false, false)
	}
	if f := c.ServiceFacility; f != nil {
		loop := "2310C"
		if s.inst() {
			loop = "2310E"
		}
		s.str(fp("service_facility.name", ""), 0, loop, "NM103", f.Name, true, 1, 60)
		if f.NPI != "" {
			s.npi(fp("service_facility.npi", ""), 0, loop, "NM109", f.NPI)
		}
		s.address(fp("service_facility.address", ""), loop, &f.Address, true)
	}
}

func isPOBox(line string) bool {
	n := 0
	var b [8]byte
	for i := 0; i < len(line) && n < len(b); i++ {
		ch := line[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch == ' ' || ch == '.' {
			continue
		}
		b[n] = ch
		n++
	}
	s := string(b[:n])
	return len(s) >= 5 && (s[:5] == "POBOX" || (len(s) >= 8 && s[:8] == "POSTOFFI"))
}

func (s *scrubber) person(field fld, loop string, p *Person, needDemographics bool) {
	s.str(field.sub("last_name"), 0, loop, "NM103", p.LastName, true, 1, 60)
	s.str(field.sub("first_name"), 0, loop, "NM104", p.FirstName, false, 1, 35)
	s.str(field.sub("middle_name"), 0, loop, "NM105", p.MiddleName, false, 1, 25)
	s.str(field.sub("suffix"), 0, loop, "NM107", p.Suffix, false, 1, 10)
	if p.Address != nil {
		s.address(field.sub("address"), loop, p.Address, false)
	} else if needDemographics {
		s.add(RuleRequired, field.sub("address"), 0, loop, "N3", "N301", field.String()+".address is required")
	}
	if p.BirthDate.IsZero() {
		if needDemographics {
			s.add(RuleRequired, field.sub("birth_date"), 0, loop, "DMG", "DMG02", field.String()+".birth_date is required")
		}
	} else if s.date(field.sub("birth_date"), 0, loop, "DMG02", p.BirthDate, true) {
		for i := range s.c.Lines {
			if d := s.c.Lines[i].ServiceDate; !d.IsZero() && d.Before(p.BirthDate) {
				s.add(RuleDateOrder, field.sub("birth_date"), 0, loop, "DMG", "DMG02", field.String()+" birth date is after a service date")
				break
			}
		}
	}
	if p.Gender == "" {
		if needDemographics {
			s.add(RuleRequired, field.sub("gender"), 0, loop, "DMG", "DMG03", field.String()+".gender is required")
		}
	} else {
		s.code(field.sub("gender"), 0, loop, "DMG03", p.Gender, false, []string{"F", "M", "U"})
	}
}

func (s *scrubber) parties() {
	c := s.c
	sub := &c.Subscriber
	s.person(fp("subscriber", ""), "2010BA", &sub.Person, c.Patient == nil)
	s.str(fp("subscriber.member_id", ""), 0, "2010BA", "NM109", sub.MemberID, true, 2, 80)
	s.str(fp("subscriber.group_number", ""), 0, "2000B", "SBR03", sub.GroupNumber, false, 1, 50)
	s.str(fp("subscriber.group_name", ""), 0, "2000B", "SBR04", sub.GroupName, false, 1, 60)
	s.code(fp("subscriber.responsibility", ""), 0, "2000B", "SBR01", sub.Responsibility, false, responsibilityCodes)
	if r := sub.Responsibility; r != "" && r != "P" && inSorted(responsibilityCodes, r) && len(c.OtherCoverage) == 0 {
		s.warn(RuleCOB, fp("subscriber.responsibility", ""), 0, "2000B", "SBR", "SBR01",
			"a non-primary claim needs the other payers' adjudication (loops 2320/2330), which this claim does not carry")
	}
	if p := c.Patient; p != nil {
		if p.Relationship == "18" {
			s.add(RuleSameAsSubscriber, fp("patient.relationship", ""), 0, "2000C", "PAT", "PAT01",
				"relationship 18 (self) means the patient is the subscriber: leave patient empty")
		} else {
			s.code(fp("patient.relationship", ""), 0, "2000C", "PAT01", p.Relationship, true, relationshipCodes)
		}
		s.person(fp("patient", ""), "2010CA", &p.Person, true)
	}
	py := &c.Payer
	s.str(fp("payer.name", ""), 0, "2010BB", "NM103", py.Name, true, 1, 60)
	s.str(fp("payer.id", ""), 0, "2010BB", "NM109", py.ID, true, 2, 80)
	s.code(fp("payer.filing_indicator", ""), 0, "2000B", "SBR09", py.FilingIndicator, false, filingIndicators)
	if py.Address != nil {
		s.address(fp("payer.address", ""), "2010BB", py.Address, false)
	}
}
