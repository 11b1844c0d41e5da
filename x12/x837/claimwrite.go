package x837

import (
	"strconv"

	"github.com/x12claims/claims/x12"
)

// name writes an NM1 for a provider with its NPI.
func (b *Builder) name(entity string, p *Provider, forceOrg bool) {
	if p.Organization != "" || forceOrg {
		org := p.Organization
		if org == "" {
			org = p.LastName
		}
		b.w.Segment("NM1", entity, "2", org, "", "", "", "", "XX", p.NPI)
		return
	}
	b.w.Segment("NM1", entity, "1", p.LastName, p.FirstName, p.MiddleName, "", "", "XX", p.NPI)
}

func (b *Builder) addr(a *Address) {
	if a == nil {
		return
	}
	b.w.Segment("N3", a.Line1, a.Line2)
	b.w.Segment("N4", a.City, a.State, a.ZIP)
}

func (b *Builder) dmg(p *Person) {
	if p.BirthDate.IsZero() && p.Gender == "" {
		return
	}
	dob := ""
	if !p.BirthDate.IsZero() {
		dob = b.dates(p.BirthDate, x12.Date{})
	}
	b.w.Segment("DMG", "D8", dob, orDefault(p.Gender, "U"))
}

func (b *Builder) amount(a x12.Amount) string {
	b.buf = a.AppendX12(b.buf[:0])
	return string(b.buf)
}

func (b *Builder) dtp(qual string, from, to x12.Date) {
	if to.IsZero() || to == from {
		b.w.Segment("DTP", qual, "D8", b.dates(from, x12.Date{}))
		return
	}
	b.w.Segment("DTP", qual, "RD8", b.dates(from, to))
}

// dates formats CCYYMMDD, or CCYYMMDD-CCYYMMDD when to is set.
func (b *Builder) dates(from, to x12.Date) string {
	b.buf = appendDate(b.buf[:0], from)
	if !to.IsZero() {
		b.buf = append(b.buf, '-')
		b.buf = appendDate(b.buf, to)
	}
	return string(b.buf)
}

func appendDate(buf []byte, d x12.Date) []byte {
	y, m, day := d.Year, int(d.Month), d.Day
	return append(buf, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		byte('0'+m/10), byte('0'+m%10), byte('0'+day/10), byte('0'+day%10))
}

// claimRefs writes the 2300 REF segments: 9F, G1, F8 (frequency 7/8
// only), X4 (837P), EA.
func (b *Builder) claimRefs(c *Claim) {
	if c.ReferralNumber != "" {
		b.w.Segment("REF", "9F", c.ReferralNumber)
	}
	if c.PriorAuthorization != "" {
		b.w.Segment("REF", "G1", c.PriorAuthorization)
	}
	if f := c.Frequency; (f == "7" || f == "8") && c.PayerClaimNumber != "" {
		b.w.Segment("REF", "F8", c.PayerClaimNumber)
	}
	if c.CLIANumber != "" && c.Kind != Institutional {
		b.w.Segment("REF", "X4", c.CLIANumber)
	}
	if c.MedicalRecordNumber != "" {
		b.w.Segment("REF", "EA", c.MedicalRecordNumber)
	}
}

// diagnosisHI writes HI segments of up to 12 codes with the first code's
// qualifier first and the other qualifier after it.
func (b *Builder) diagnosisHI(codes []string, first, other string) {
	for i := 0; i < len(codes); i += 12 {
		end := min(i+12, len(codes))
		b.w.Begin("HI")
		for k := i; k < end; k++ {
			q := other
			if k == 0 {
				q = first
			}
			b.w.Composite(q, NormalizeICD10(codes[k]))
		}
		b.w.End()
	}
}

func (b *Builder) claimP(c *Claim) {
	w := b.w
	w.Begin("CLM")
	w.Element(c.PatientControlNumber)
	w.Element(b.amount(c.TotalCharge))
	w.Element("")
	w.Element("")
	w.Composite(c.PlaceOfService, "B", orDefault(c.Frequency, "1"))
	w.Element(orDefault(c.ProviderSignature, "Y"))
	w.Element(orDefault(c.Assignment, "A"))
	w.Element(orDefault(c.BenefitsAssigned, "Y"))
	w.Element(orDefault(c.ReleaseOfInformation, "Y"))
	b.clmTail(c, false)
	w.End()
	if !c.OnsetDate.IsZero() {
		b.dtp("431", c.OnsetDate, x12.Date{})
	}
	b.claimDatesP(c)
	b.claimBeforeRefs(c, false)
	b.claimRefs(c)
	b.claimAfterRefs(c, false)
	if len(c.Diagnoses) > 0 {
		b.diagnosisHI(c.Diagnoses[:min(len(c.Diagnoses), 12)], "ABK", "ABF")
	}
	if p := c.ReferringProvider; p != nil {
		b.name("DN", p, false)
		b.primaryCare(c)
	}
	if p := c.RenderingProvider; p != nil && p.NPI != c.BillingProvider.NPI {
		b.name("82", p, false)
		if p.Taxonomy != "" {
			w.Segment("PRV", "PE", "PXC", p.Taxonomy)
		}
	}
	b.facility(c)
	b.claimProvidersP(c)
	b.otherSubscribers(c)
	for i := range c.Lines {
		l := &c.Lines[i]
		w.Segment("LX", strconv.Itoa(i+1))
		w.Begin("SV1")
		b.procedure(l)
		w.Element(b.amount(l.Charge))
		w.Element(orDefault(l.UnitBasis, "UN"))
		w.Element(l.Units)
		if l.PlaceOfService != c.PlaceOfService {
			w.Element(l.PlaceOfService)
		} else {
			w.Element("")
		}
		w.Element("")
		b.pointers(l.DiagnosisPointers)
		b.sv1Tail(l)
		w.End()
		b.lineBeforeDates(l, false)
		if !l.ServiceDate.IsZero() {
			b.dtp("472", l.ServiceDate, l.ServiceDateEnd)
		}
		b.lineBeforeControl(c, l)
		if l.ControlNumber != "" {
			w.Segment("REF", "6R", l.ControlNumber)
		}
		b.lineAfterControl(c, l, false)
		b.lineAdjudications(c, i+1)
	}
}

func (b *Builder) procedure(l *Line) {
	var parts [7]string
	parts[0], parts[1] = "HC", l.Procedure
	for k := 0; k < len(l.Modifiers) && k < 4; k++ {
		parts[2+k] = l.Modifiers[k]
	}
	parts[6] = l.Description
	b.w.Composite(parts[:]...)
}

func (b *Builder) pointers(ps []int) {
	var parts [4]string
	n := min(len(ps), 4)
	for k := 0; k < n; k++ {
		parts[k] = strconv.Itoa(ps[k])
	}
	b.w.Composite(parts[:n]...)
}

// facility writes the service facility loop when the service location
// differs from the billing provider's address.
func (b *Builder) facility(c *Claim) {
	f := c.ServiceFacility
	if f == nil {
		return
	}
	if bp := c.BillingProvider.Address; bp != nil && eqAddr(bp, &f.Address) && (f.NPI == "" || f.NPI == c.BillingProvider.NPI) {
		return
	}
	if f.NPI != "" {
		b.w.Segment("NM1", "77", "2", f.Name, "", "", "", "", "XX", f.NPI)
	} else {
		b.w.Segment("NM1", "77", "2", f.Name)
	}
	b.addr(&f.Address)
}

func (b *Builder) claimI(c *Claim) {
	w := b.w
	in := c.Institutional
	w.Begin("CLM")
	w.Element(c.PatientControlNumber)
	w.Element(b.amount(c.TotalCharge))
	w.Element("")
	w.Element("")
	w.Composite(in.FacilityType, "A", orDefault(c.Frequency, "1"))
	w.Element("")
	w.Element(orDefault(c.Assignment, "A"))
	w.Element(orDefault(c.BenefitsAssigned, "Y"))
	w.Element(orDefault(c.ReleaseOfInformation, "Y"))
	b.clmTail(c, true)
	w.End()
	b.dischargeHour(in)
	w.Segment("DTP", "434", "RD8", b.dates(in.StatementFrom, in.StatementTo))
	b.admission(in)
	w.Segment("CL1", in.AdmissionType, in.AdmissionSource, in.PatientStatus)
	b.claimBeforeRefs(c, true)
	b.claimRefs(c)
	b.claimAfterRefs(c, true)
	b.principalDiagnosisI(c)
	if in.AdmittingDiagnosis != "" {
		w.Begin("HI")
		w.Composite("ABJ", NormalizeICD10(in.AdmittingDiagnosis))
		w.End()
	}
	if n := min(len(in.ReasonForVisit), 3); n > 0 {
		w.Begin("HI")
		for _, r := range in.ReasonForVisit[:n] {
			w.Composite("APR", NormalizeICD10(r))
		}
		w.End()
	}
	b.externalCausesI(c)
	b.drg(in)
	b.otherDiagnosesI(c)
	if in.PrincipalProcedure != "" {
		w.Begin("HI")
		w.Composite("BBR", NormalizeICD10(in.PrincipalProcedure), "D8", b.dates(in.PrincipalProcedureDate, x12.Date{}))
		w.End()
	}
	b.codesI(in)
	if len(in.ConditionCodes) > 0 {
		codes := in.ConditionCodes[:min(len(in.ConditionCodes), 24)]
		for i := 0; i < len(codes); i += 12 {
			w.Begin("HI")
			for _, cc := range codes[i:min(i+12, len(codes))] {
				w.Composite("BG", cc)
			}
			w.End()
		}
	}
	if p := in.AttendingProvider; p != nil {
		b.name("71", p, false)
		if p.Taxonomy != "" {
			w.Segment("PRV", "AT", "PXC", p.Taxonomy)
		}
	}
	b.operatingI(in)
	if p := c.RenderingProvider; p != nil && (in.AttendingProvider == nil || p.NPI != in.AttendingProvider.NPI) {
		b.name("82", p, false)
	}
	b.facility(c)
	if p := c.ReferringProvider; p != nil {
		b.name("DN", p, false)
	}
	b.otherSubscribers(c)
	for i := range c.Lines {
		l := &c.Lines[i]
		w.Segment("LX", strconv.Itoa(i+1))
		w.Begin("SV2")
		w.Element(l.RevenueCode)
		if l.Procedure != "" {
			b.procedure(l)
		} else {
			w.Element("")
		}
		w.Element(b.amount(l.Charge))
		w.Element(orDefault(l.UnitBasis, "UN"))
		w.Element(l.Units)
		w.Element("")
		if l.NonCoveredCharge != 0 {
			w.Element(b.amount(l.NonCoveredCharge))
		}
		w.End()
		b.lineBeforeDates(l, true)
		if !l.ServiceDate.IsZero() {
			b.dtp("472", l.ServiceDate, l.ServiceDateEnd)
		}
		if l.ControlNumber != "" {
			w.Segment("REF", "6R", l.ControlNumber)
		}
		b.lineAfterControl(c, l, true)
		b.lineAdjudications(c, i+1)
	}
}
