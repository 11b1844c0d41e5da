package x837

import (
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12"
)

// The fields practices bill with beyond the basic claim: NDC drug data,
// CLIA numbers, accident causes, referral numbers, the supervising,
// ordering and line rendering providers, attachments, notes, the
// patient's payment, the delay reason, EPSDT, ambulance transport and
// the treatment dates. This file holds their types and how the builder
// writes them; scrub_extras.go checks them and rules_extras.go checks
// them in files.

// Attachment is a PWK segment: supplemental information sent apart from
// the claim (claim level in 2300, line level in 2400).
type Attachment struct {
	// ReportType is PWK01, the kind of document (e.g. "OZ" support
	// data for claim, "09" progress report, "B4" referral form).
	ReportType string `json:"report_type"`
	// Transmission is PWK02: AA available on request at the provider's
	// site, BM by mail, EL electronically only, EM e-mail, FT file
	// transfer, FX fax.
	Transmission string `json:"transmission"`
	// ControlNumber is PWK06 (with PWK05 "AC"), the attachment control
	// number that ties the claim to the document; required unless
	// Transmission is AA.
	ControlNumber string `json:"control_number,omitempty"`
}

// Note is an NTE segment: a reference code (NTE01) and free text (NTE02,
// at most 80 characters). The 837P claim note takes ADD, CER, DCP, DGN
// or TPO; the 837P line note ADD or DCP; the 837I claim note ALG, DCP,
// DGN, DME, MED, NTR, ODT, RHB, RLH, RNH, SET, SFM, SPT, UPI, or ADD (the
// billing note).
type Note struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Drug is the drug identification loop 2410: the National Drug Code of
// the drug or vaccine billed on the line and the quantity dispensed.
type Drug struct {
	// NDC is LIN03 (LIN02 "N4"): the 11-digit NDC in the 5-4-2 format,
	// written as 11 digits or with hyphens. A hyphenated 10-digit NDC
	// (4-4-2, 5-3-2 or 5-4-1) is padded to 5-4-2.
	NDC string `json:"ndc"`
	// Quantity is CTP04, the number of units of the drug (a positive
	// decimal); Unit is CTP05-1: F2 international unit, GR gram, ME
	// milligram, ML milliliter, UN unit.
	Quantity string `json:"quantity"`
	Unit     string `json:"unit"`
	// PrescriptionNumber is REF*XZ, the pharmacy prescription number;
	// LinkSequenceNumber is REF*VY, which links the ingredients of a
	// compound drug. At most one of them is sent.
	PrescriptionNumber string `json:"prescription_number,omitempty"`
	LinkSequenceNumber string `json:"link_sequence_number,omitempty"`
}

// EPSDTReferral is CRC*ZZ in 2300: whether an Early and Periodic
// Screening, Diagnosis and Treatment screening led to a referral.
type EPSDTReferral struct {
	// ReferralGiven is CRC02: Y when a referral was given, else N.
	ReferralGiven bool `json:"referral_given"`
	// Conditions are CRC03-CRC05: AV available (patient refused
	// referral), S2 under treatment, ST new services requested; NU (not
	// used) when no referral was given.
	Conditions []string `json:"conditions"`
}

// AmbulanceTransport is the ambulance transport information CR1 and the
// ambulance certification CRC*07, at claim level (2300) or for one line
// (2400) when the line's differs.
type AmbulanceTransport struct {
	// PatientWeight is CR102 in pounds (CR101 "LB"), when needed to
	// justify the level of transport.
	PatientWeight string `json:"patient_weight,omitempty"`
	// TransportReason is CR104: A nearest facility, B benefit of a
	// preferred physician, C nearness of family, D specialist or
	// specialised equipment, E rehabilitation facility.
	TransportReason string `json:"transport_reason"`
	// DistanceMiles is CR106 (CR105 "DH"), the distance in miles.
	DistanceMiles string `json:"distance_miles"`
	// RoundTripPurpose is CR109, required for a round trip;
	// StretcherPurpose is CR110, required when a stretcher was used.
	RoundTripPurpose string `json:"round_trip_purpose,omitempty"`
	StretcherPurpose string `json:"stretcher_purpose,omitempty"`
	// Certifications are CRC*07 (at most three).
	Certifications []AmbulanceCertification `json:"certifications,omitempty"`
}

// AmbulanceCertification is one CRC*07 segment: the condition codes
// (CRC03-CRC07: 01 admitted to a hospital, 04 moved by stretcher, 05
// unconscious or in shock, 06 emergency, 07 physically restrained, 08
// visible haemorrhaging, 09 medically necessary service, 12 bed confined
// before and after) and whether they apply (CRC02).
type AmbulanceCertification struct {
	Applies    bool     `json:"applies"`
	Conditions []string `json:"conditions"`
}

// Ambulance is the claim's ambulance transport with the pick-up (2310E)
// and drop-off (2310F) locations, which an ambulance claim requires.
type Ambulance struct {
	AmbulanceTransport
	PickUp  *Location `json:"pick_up,omitempty"`
	DropOff *Location `json:"drop_off,omitempty"`
}

// Location is an ambulance pick-up or drop-off place. Name is sent for
// the drop-off only (2310F NM103).
type Location struct {
	Name    string  `json:"name,omitempty"`
	Address Address `json:"address"`
}

// Code lists of the new fields (sorted).
var (
	relatedCauseCodes   = []string{"AA", "EM", "OA"}
	delayReasonCodes    = []string{"1", "10", "11", "15", "2", "3", "4", "5", "6", "7", "8", "9"}
	attachmentTypeCodes = []string{"03", "04", "05", "06", "07", "08", "09", "10", "11", "13", "15", "21",
		"A3", "A4", "AM", "AS", "B2", "B3", "B4", "BR", "BS", "BT", "CB", "CK", "CT", "D2", "DA", "DB",
		"DG", "DJ", "DS", "EB", "HC", "HR", "I5", "IR", "LA", "M1", "MT", "NN", "OB", "OC", "OD", "OE",
		"OX", "OZ", "P4", "P5", "PE", "PN", "PO", "PQ", "PY", "PZ", "RB", "RR", "RT", "RX", "SG", "V5", "XP"}
	attachmentTransmissionCodes = []string{"AA", "BM", "EL", "EM", "FT", "FX"}
	claimNoteCodesP             = []string{"ADD", "CER", "DCP", "DGN", "TPO"}
	claimNoteCodesI             = []string{"ADD", "ALG", "DCP", "DGN", "DME", "MED", "NTR", "ODT", "RHB", "RLH", "RNH", "SET", "SFM", "SPT", "UPI"}
	lineNoteCodesP              = []string{"ADD", "DCP"}
	drugUnitCodes               = []string{"F2", "GR", "ME", "ML", "UN"}
	epsdtConditionCodes         = []string{"AV", "NU", "S2", "ST"}
	ambulanceReasonCodes        = []string{"A", "B", "C", "D", "E"}
	ambulanceConditionCodes     = []string{"01", "04", "05", "06", "07", "08", "09", "12"}
)

// NormalizeNDC returns the 11-digit (5-4-2) form of an NDC written as 11
// digits or with hyphens in the 5-4-2, 4-4-2, 5-3-2 or 5-4-1 layout, and
// whether it could.
func NormalizeNDC(ndc string) (string, bool) {
	if !strings.Contains(ndc, "-") {
		return ndc, len(ndc) == 11 && allDigits(ndc)
	}
	parts := strings.Split(ndc, "-")
	if len(parts) != 3 {
		return ndc, false
	}
	want := [3]int{5, 4, 2}
	var b strings.Builder
	for i, p := range parts {
		if p == "" || !allDigits(p) || len(p) > want[i] || len(p) < want[i]-1 {
			return ndc, false
		}
		b.WriteString(strings.Repeat("0", want[i]-len(p)))
		b.WriteString(p)
	}
	if len(ndc)-len("--") < 10 {
		return ndc, false // two parts short: 9 digits is no NDC layout
	}
	return b.String(), true
}

// hasExtras reports whether the line has any field of this file, so that
// the checks of the common plain line can stop early. Keep it in step with
// the fields.
func (l *Line) hasExtras() bool {
	return l.Drug != nil || l.CLIANumber != "" || len(l.Attachments) > 0 || l.Note != nil ||
		l.Emergency || l.EPSDT || l.FamilyPlanning || l.Ambulance != nil || l.AmbulancePatients != 0 ||
		l.RenderingProvider != nil || l.SupervisingProvider != nil || l.OrderingProvider != nil ||
		l.PriorAuthorization != "" || l.ReferralNumber != ""
}

// hasCause reports whether the claim lists the related cause code.
func (c *Claim) hasCause(code string) bool {
	for _, rc := range c.RelatedCauses {
		if rc == code {
			return true
		}
	}
	return false
}

// clmTail writes CLM10 to CLM20 (related causes and the delay reason)
// before the CLM segment ends. The 837I has no CLM11.
func (b *Builder) clmTail(c *Claim, inst bool) {
	w := b.w
	causes := !inst && len(c.RelatedCauses) > 0
	if !causes && c.DelayReason == "" {
		return
	}
	w.Element("") // CLM10
	if causes {
		var parts [5]string
		copy(parts[:2], c.RelatedCauses)
		if c.hasCause("AA") {
			parts[3], parts[4] = c.AutoAccidentState, c.AutoAccidentCountry
		}
		w.Composite(parts[:]...)
	} else {
		w.Element("")
	}
	if c.DelayReason != "" {
		for range 8 { // CLM12-CLM19
			w.Element("")
		}
		w.Element(c.DelayReason)
	}
}

// claimDatesP writes the 2300 DTP segments that follow DTP*431 on an
// 837P, in the guide's order: 454, 304, 439, then the disability dates.
func (b *Builder) claimDatesP(c *Claim) {
	if !c.InitialTreatmentDate.IsZero() {
		b.dtp("454", c.InitialTreatmentDate, x12.Date{})
	}
	if !c.LastSeenDate.IsZero() {
		b.dtp("304", c.LastSeenDate, x12.Date{})
	}
	if !c.AccidentDate.IsZero() {
		b.dtp("439", c.AccidentDate, x12.Date{})
	}
	from, to := c.DisabilityFrom, c.DisabilityTo
	switch {
	case !from.IsZero() && !to.IsZero():
		b.w.Segment("DTP", "314", "RD8", b.dates(from, to))
	case !from.IsZero():
		b.dtp("360", from, x12.Date{})
	case !to.IsZero():
		b.dtp("361", to, x12.Date{})
	}
}

// pwk writes attachment PWK segments (at most 10).
func (b *Builder) pwk(atts []Attachment) {
	for i := range atts[:min(len(atts), 10)] {
		a := &atts[i]
		if a.ControlNumber != "" {
			b.w.Segment("PWK", a.ReportType, a.Transmission, "", "", "AC", a.ControlNumber)
		} else {
			b.w.Segment("PWK", a.ReportType, a.Transmission)
		}
	}
}

// claimBeforeRefs writes the 2300 segments between the DTPs and the REFs:
// PWK, and on an 837P AMT*F5.
func (b *Builder) claimBeforeRefs(c *Claim, inst bool) {
	b.pwk(c.Attachments)
	if !inst && c.PatientPaid > 0 {
		b.w.Segment("AMT", "F5", b.amount(c.PatientPaid))
	}
}

// claimAfterRefs writes the 2300 segments between the REFs and the HI
// segments: NTE, and on an 837P CR1 and CRC*07; then CRC*ZZ.
func (b *Builder) claimAfterRefs(c *Claim, inst bool) {
	if n := c.Note; n != nil {
		b.w.Segment("NTE", n.Code, n.Text)
	}
	if a := c.Ambulance; a != nil && !inst {
		b.cr1(&a.AmbulanceTransport)
		b.ambulanceCRC(a.Certifications)
	}
	if e := c.EPSDT; e != nil {
		b.w.Begin("CRC")
		b.w.Element("ZZ")
		b.w.Element(yn(e.ReferralGiven))
		for _, cond := range e.Conditions[:min(len(e.Conditions), 3)] {
			b.w.Element(cond)
		}
		b.w.End()
	}
}

func (b *Builder) cr1(a *AmbulanceTransport) {
	unit := ""
	if a.PatientWeight != "" {
		unit = "LB"
	}
	b.w.Segment("CR1", unit, a.PatientWeight, "", a.TransportReason, "DH", a.DistanceMiles, "", "", a.RoundTripPurpose, a.StretcherPurpose)
}

func (b *Builder) ambulanceCRC(certs []AmbulanceCertification) {
	for i := range certs[:min(len(certs), 3)] {
		cert := &certs[i]
		b.w.Begin("CRC")
		b.w.Element("07")
		b.w.Element(yn(cert.Applies))
		for _, cond := range cert.Conditions[:min(len(cert.Conditions), 5)] {
			b.w.Element(cond)
		}
		b.w.End()
	}
}

func yn(v bool) string {
	if v {
		return "Y"
	}
	return "N"
}

// primaryCare writes the second 837P 2310A, the primary care provider
// (NM1*P3), after the referring provider.
func (b *Builder) primaryCare(c *Claim) {
	if p := c.PrimaryCareProvider; p != nil {
		b.name("P3", p, false)
	}
}

// claimProvidersP writes the 837P loops after the service facility:
// 2310D supervising provider, 2310E ambulance pick-up and 2310F drop-off.
func (b *Builder) claimProvidersP(c *Claim) {
	if p := c.SupervisingProvider; p != nil {
		b.name("DQ", p, false)
	}
	if a := c.Ambulance; a != nil {
		if l := a.PickUp; l != nil {
			b.w.Segment("NM1", "PW", "2")
			b.addr(&l.Address)
		}
		if l := a.DropOff; l != nil {
			b.w.Segment("NM1", "45", "2", l.Name)
			b.addr(&l.Address)
		}
	}
}

// sv1Tail writes SV108 to SV112 (emergency, EPSDT, family planning)
// before the SV1 segment ends.
func (b *Builder) sv1Tail(l *Line) {
	if !l.Emergency && !l.EPSDT && !l.FamilyPlanning {
		return
	}
	w := b.w
	w.Element("") // SV108
	w.Element(yesFlag(l.Emergency))
	w.Element("") // SV110
	w.Element(yesFlag(l.EPSDT))
	w.Element(yesFlag(l.FamilyPlanning))
}

func yesFlag(v bool) string {
	if v {
		return "Y"
	}
	return ""
}

// lineBeforeDates writes the 2400 segments between the service segment
// and DTP*472: PWK, and on an 837P CR1 and CRC*07.
func (b *Builder) lineBeforeDates(l *Line, inst bool) {
	b.pwk(l.Attachments)
	if a := l.Ambulance; a != nil && !inst {
		b.cr1(a)
		b.ambulanceCRC(a.Certifications)
	}
}

// lineBeforeControl writes the 837P 2400 segments between DTP*472 and
// REF*6R: QTY*PT when more than one patient was transported, and the
// line's REF*G1 when it differs from the claim's.
func (b *Builder) lineBeforeControl(c *Claim, l *Line) {
	if l.AmbulancePatients > 1 {
		b.w.Segment("QTY", "PT", strconv.Itoa(l.AmbulancePatients))
	}
	if l.PriorAuthorization != "" && l.PriorAuthorization != c.PriorAuthorization {
		b.w.Segment("REF", "G1", l.PriorAuthorization)
	}
}

// lineAfterControl writes the 2400 segments after REF*6R: on an 837P
// REF*X4, REF*9F and NTE; then the drug loop 2410; then on an 837P the
// line provider loops 2420A, 2420D and 2420E.
func (b *Builder) lineAfterControl(c *Claim, l *Line, inst bool) {
	w := b.w
	if !inst {
		if l.CLIANumber != "" && l.CLIANumber != c.CLIANumber {
			w.Segment("REF", "X4", l.CLIANumber)
		}
		if l.ReferralNumber != "" && l.ReferralNumber != c.ReferralNumber {
			w.Segment("REF", "9F", l.ReferralNumber)
		}
		if n := l.Note; n != nil {
			w.Segment("NTE", n.Code, n.Text)
		}
	}
	if d := l.Drug; d != nil {
		ndc, _ := NormalizeNDC(d.NDC)
		w.Segment("LIN", "", "N4", ndc)
		w.Segment("CTP", "", "", "", d.Quantity, d.Unit)
		switch {
		case d.PrescriptionNumber != "":
			w.Segment("REF", "XZ", d.PrescriptionNumber)
		case d.LinkSequenceNumber != "":
			w.Segment("REF", "VY", d.LinkSequenceNumber)
		}
	}
	if inst {
		return
	}
	if p := l.RenderingProvider; p != nil && p.NPI != claimRenderingNPI(c) {
		b.name("82", p, false)
		if p.Taxonomy != "" {
			w.Segment("PRV", "PE", "PXC", p.Taxonomy)
		}
	}
	if p := l.SupervisingProvider; p != nil && (c.SupervisingProvider == nil || p.NPI != c.SupervisingProvider.NPI) {
		b.name("DQ", p, false)
	}
	if p := l.OrderingProvider; p != nil {
		b.name("DK", p, false)
		b.addr(p.Address)
	}
}

// claimRenderingNPI is the NPI of the provider who rendered the claim's
// services: the rendering provider, or the billing provider without one.
func claimRenderingNPI(c *Claim) string {
	if c.RenderingProvider != nil {
		return c.RenderingProvider.NPI
	}
	return c.BillingProvider.NPI
}
