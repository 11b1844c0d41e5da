package x837

import "github.com/x12claims/claims/x12"

// Kind is the type of claim: professional (837P) or institutional (837I).
type Kind string

// The claim kinds and the implementation guides they are built to.
const (
	Professional  Kind = "professional"  // 837P, 005010X222A1
	Institutional Kind = "institutional" // 837I, 005010X223A2
)

// Guide returns the implementation guide (GS08/ST03) for the kind.
func (k Kind) Guide() string {
	if k == Institutional {
		return GuideInstitutional
	}
	return GuideProfessional
}

// The implementation guide identifiers.
const (
	GuideProfessional  = "005010X222A1"
	GuideInstitutional = "005010X223A2"
)

// Claim is one health care claim with everything needed to place it in an
// 837: its parties, diagnoses and service lines. JSON field names are the
// encounter format documented in samples/README.md, and validation
// problems name fields by these JSON paths (for example
// "lines[2].diagnosis_pointers[1]").
//
// Amounts are exact (x12.Amount, cents); dates are calendar dates.
type Claim struct {
	Kind Kind `json:"kind,omitempty"` // default professional

	// PatientControlNumber is CLM01. The pipeline assigns it per
	// submission (claim ID plus a resubmission suffix); at most 20
	// characters.
	PatientControlNumber string `json:"patient_control_number,omitempty"`
	// Frequency is CLM05-3: "1" original, "7" replacement, "8" void.
	Frequency string `json:"frequency,omitempty"`
	// PayerClaimNumber is the payer's claim control number (REF*F8),
	// required for frequency 7 and 8.
	PayerClaimNumber string `json:"payer_claim_number,omitempty"`
	// TotalCharge is the stated total (CLM02). It must equal the sum of
	// the line charges.
	TotalCharge x12.Amount `json:"total_charge"`
	// PlaceOfService is the two-digit CMS place of service (837P CLM05-1).
	PlaceOfService string `json:"place_of_service,omitempty"`
	// PriorAuthorization is REF*G1.
	PriorAuthorization string `json:"prior_authorization,omitempty"`
	// MedicalRecordNumber is REF*EA.
	MedicalRecordNumber string `json:"medical_record_number,omitempty"`
	// ProviderSignature is CLM06 (837P): "Y" (default) or "N".
	ProviderSignature string `json:"provider_signature,omitempty"`
	// Assignment is CLM07: "A" assigned (default), "B", "C".
	Assignment string `json:"assignment,omitempty"`
	// BenefitsAssigned is CLM08: "Y" (default), "N", "W".
	BenefitsAssigned string `json:"benefits_assigned,omitempty"`
	// ReleaseOfInformation is CLM09: "Y" (default) or "I".
	ReleaseOfInformation string `json:"release_of_information,omitempty"`
	// OnsetDate is DTP*431 (837P), when known.
	OnsetDate x12.Date `json:"onset_date,omitzero"`

	// Diagnoses are ICD-10-CM codes, principal first, at most 12 (837P).
	// They may be written with or without the dot; the dot is never sent.
	Diagnoses []string `json:"diagnoses"`

	BillingProvider   Provider   `json:"billing_provider"`
	PayToAddress      *Address   `json:"pay_to_address,omitempty"`
	Subscriber        Subscriber `json:"subscriber"`
	Patient           *Patient   `json:"patient,omitempty"` // nil when the patient is the subscriber
	Payer             Payer      `json:"payer"`
	RenderingProvider *Provider  `json:"rendering_provider,omitempty"`
	ReferringProvider *Provider  `json:"referring_provider,omitempty"`
	ServiceFacility   *Facility  `json:"service_facility,omitempty"`

	// Institutional holds the 837I-only claim data.
	Institutional *InstitutionalInfo `json:"institutional,omitempty"`

	Lines []Line `json:"lines"`

	// The 837P fields practices bill with (professional_extras.go);
	// those marked "also 837I" are sent on institutional claims too.

	// RelatedCauses are CLM11-1 and CLM11-2: AA auto accident, EM
	// employment, OA other accident (at most two).
	RelatedCauses []string `json:"related_causes,omitempty"`
	// AutoAccidentState is CLM11-4, required with AA; AutoAccidentCountry
	// is CLM11-5, for an accident outside the United States.
	AutoAccidentState   string `json:"auto_accident_state,omitempty"`
	AutoAccidentCountry string `json:"auto_accident_country,omitempty"`
	// AccidentDate is DTP*439, required with AA or OA.
	AccidentDate x12.Date `json:"accident_date,omitzero"`
	// DelayReason is CLM20 (1-11, 15) for a claim sent late (also 837I).
	DelayReason string `json:"delay_reason,omitempty"`
	// ReferralNumber is REF*9F (also 837I).
	ReferralNumber string `json:"referral_number,omitempty"`
	// CLIANumber is REF*X4, the laboratory's ten-character CLIA number.
	CLIANumber string `json:"clia_number,omitempty"`
	// PatientPaid is AMT*F5, what the patient paid toward this claim.
	PatientPaid x12.Amount `json:"patient_paid,omitzero"`
	// Attachments are PWK (at most 10; also 837I).
	Attachments []Attachment `json:"attachments,omitempty"`
	// Note is the claim note NTE (also 837I, with its own codes).
	Note *Note `json:"note,omitempty"`
	// InitialTreatmentDate is DTP*454 and LastSeenDate DTP*304.
	InitialTreatmentDate x12.Date `json:"initial_treatment_date,omitzero"`
	LastSeenDate         x12.Date `json:"last_seen_date,omitzero"`
	// DisabilityFrom and DisabilityTo are the disability dates: DTP*314
	// (both), DTP*360 (from only) or DTP*361 (to only).
	DisabilityFrom x12.Date `json:"disability_from,omitzero"`
	DisabilityTo   x12.Date `json:"disability_to,omitzero"`
	// EPSDT is the EPSDT referral, CRC*ZZ (also 837I).
	EPSDT *EPSDTReferral `json:"epsdt,omitempty"`
	// Ambulance is the ambulance transport: CR1, CRC*07, and the pick-up
	// (2310E) and drop-off (2310F) locations.
	Ambulance *Ambulance `json:"ambulance,omitempty"`
	// SupervisingProvider is 2310D (NM1*DQ), a person.
	SupervisingProvider *Provider `json:"supervising_provider,omitempty"`
	// PrimaryCareProvider is the second 2310A (NM1*P3): the primary care
	// provider whose referral started the chain, sent only with the
	// referring provider.
	PrimaryCareProvider *Provider `json:"primary_care_provider,omitempty"`
	// OtherCoverage lists the patient's other payers (loops 2320, 2330A
	// and 2330B), with the adjudication of each earlier payer on a claim
	// to a later one. See OtherCoverage.
	OtherCoverage []OtherCoverage `json:"other_coverage,omitempty"`
}

// Address is a postal address. ZIP is 5 or 9 digits (9 are required for
// the billing provider and the service facility).
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	State string `json:"state"`
	ZIP   string `json:"zip"`
}

// Person is a named individual.
type Person struct {
	LastName   string   `json:"last_name"`
	FirstName  string   `json:"first_name,omitempty"`
	MiddleName string   `json:"middle_name,omitempty"`
	Suffix     string   `json:"suffix,omitempty"`
	BirthDate  x12.Date `json:"birth_date,omitzero"`
	Gender     string   `json:"gender,omitempty"` // M, F or U
	Address    *Address `json:"address,omitempty"`
}

// Subscriber is the insured person (2010BA) and their coverage (SBR).
type Subscriber struct {
	Person
	// MemberID is the payer's member identifier (NM109, qualifier MI).
	MemberID string `json:"member_id"`
	// GroupNumber is SBR03; GroupName is SBR04 (sent only without a
	// group number).
	GroupNumber string `json:"group_number,omitempty"`
	GroupName   string `json:"group_name,omitempty"`
	// Responsibility is SBR01: P primary (default), S secondary, T
	// tertiary.
	Responsibility string `json:"responsibility,omitempty"`
	// InsuranceType is SBR05 (837P only): required when the payer is
	// Medicare and Medicare is not the primary payer (12 working aged,
	// 13 ESRD, 14 no-fault, 15 workers' compensation, 16 PHS, 41 black
	// lung, 42 VA, 43 disability, 47 other liability).
	InsuranceType string `json:"insurance_type,omitempty"`
}

// Patient is the patient when they are not the subscriber (2000C/2010CA).
type Patient struct {
	Person
	// Relationship is PAT01, the patient's relationship to the
	// subscriber: 01 spouse, 19 child, 20 employee, 21 unknown, 39 organ
	// donor, 40 cadaver donor, 53 life partner, G8 other.
	Relationship string `json:"relationship"`
}

// Payer is the destination payer (2010BB).
type Payer struct {
	Name string `json:"name"`
	ID   string `json:"id"` // payer identifier (NM109, qualifier PI)
	// FilingIndicator is SBR09, the claim filing indicator: CI
	// commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross, HM HMO,
	// ... (default CI).
	FilingIndicator string   `json:"filing_indicator,omitempty"`
	Address         *Address `json:"address,omitempty"`
}

// Provider is a billing, rendering, referring or attending provider.
// Organizations set Organization; individuals set LastName and FirstName.
type Provider struct {
	NPI          string   `json:"npi"`
	Organization string   `json:"organization,omitempty"`
	LastName     string   `json:"last_name,omitempty"`
	FirstName    string   `json:"first_name,omitempty"`
	MiddleName   string   `json:"middle_name,omitempty"`
	Taxonomy     string   `json:"taxonomy,omitempty"` // NUCC code, 10 characters
	TIN          string   `json:"tin,omitempty"`      // billing provider tax ID, 9 digits
	TINType      string   `json:"tin_type,omitempty"` // "EI" employer ID (default) or "SY" SSN
	Address      *Address `json:"address,omitempty"`
	ContactName  string   `json:"contact_name,omitempty"`
	Phone        string   `json:"phone,omitempty"` // ten digits
}

// IsPerson reports whether the provider is an individual (NM102 = 1).
func (p *Provider) IsPerson() bool { return p.Organization == "" }

// Facility is the service facility location (2310C in 837P, 2310E in
// 837I).
type Facility struct {
	Name    string  `json:"name"`
	NPI     string  `json:"npi,omitempty"`
	Address Address `json:"address"`
}

// InstitutionalInfo is the claim data used only by the 837I.
type InstitutionalInfo struct {
	// FacilityType is CLM05-1, the first two digits of the type of bill
	// (e.g. "13" hospital outpatient); the third digit is the claim's
	// Frequency.
	FacilityType string `json:"facility_type"`
	// StatementFrom and StatementTo are DTP*434 (required).
	StatementFrom x12.Date `json:"statement_from"`
	StatementTo   x12.Date `json:"statement_to"`
	// AdmissionDate is DTP*435 (inpatient).
	AdmissionDate x12.Date `json:"admission_date,omitzero"`
	// AdmissionType, AdmissionSource and PatientStatus are CL101-CL103
	// (NUBC codes; patient status is required).
	AdmissionType   string `json:"admission_type,omitempty"`
	AdmissionSource string `json:"admission_source,omitempty"`
	PatientStatus   string `json:"patient_status"`
	// AdmittingDiagnosis is HI*ABJ; ReasonForVisit is HI*APR (up to 3).
	AdmittingDiagnosis string   `json:"admitting_diagnosis,omitempty"`
	ReasonForVisit     []string `json:"reason_for_visit,omitempty"`
	// PrincipalProcedure is HI*BBR (ICD-10-PCS) with its date.
	PrincipalProcedure     string   `json:"principal_procedure,omitempty"`
	PrincipalProcedureDate x12.Date `json:"principal_procedure_date,omitzero"`
	// ConditionCodes are HI*BG.
	ConditionCodes []string `json:"condition_codes,omitempty"`
	// AttendingProvider is 2310A (NM1*71).
	AttendingProvider *Provider `json:"attending_provider,omitempty"`

	// The fields below are the inpatient and coding data of issue 18;
	// inpatient.go documents their rules.

	// AdmissionHour is the admission hour, HHMM (24-hour clock). With it,
	// DTP*435 is sent as date and time (DTP02 DT); it is required on an
	// inpatient claim (type of bill 11x).
	AdmissionHour string `json:"admission_hour,omitempty"`
	// DischargeHour is DTP*096 (DTP02 TM), HHMM; required on a final
	// inpatient claim (type of bill 111 or 114).
	DischargeHour string `json:"discharge_hour,omitempty"`
	// PresentOnAdmission holds the present-on-admission indicator of each
	// diagnosis, in the order of Claim.Diagnoses (HIxx-9 of ABK, ABF and
	// ABN): Y, N, U, W, or "" or "1" for a code exempt from POA reporting
	// (sent blank). Shorter than Diagnoses means blank for the rest.
	PresentOnAdmission []string `json:"present_on_admission,omitempty"`
	// DRG is the diagnosis related group (HI*DR), three or four letters or
	// digits (an MS-DRG is three digits).
	DRG string `json:"drg,omitempty"`
	// OtherProcedures are ICD-10-PCS procedures besides the principal one
	// (HI*BBQ with their dates), at most 24; they need the principal.
	OtherProcedures []CodeDate `json:"other_procedures,omitempty"`
	// OccurrenceSpans are NUBC occurrence span codes with their date
	// ranges (HI*BI), at most 24.
	OccurrenceSpans []CodeSpan `json:"occurrence_spans,omitempty"`
	// Occurrences are NUBC occurrence codes with their dates (HI*BH), at
	// most 24.
	Occurrences []CodeDate `json:"occurrences,omitempty"`
	// ValueCodes are NUBC value codes with their amounts (HI*BE), at most
	// 24.
	ValueCodes []ValueCode `json:"value_codes,omitempty"`
	// OperatingPhysician is 2310B (NM1*72), required when a surgical
	// procedure (PrincipalProcedure) is on the claim; a person.
	OperatingPhysician *Provider `json:"operating_physician,omitempty"`
	// OtherOperatingPhysician is 2310C (NM1*ZZ); a person.
	OtherOperatingPhysician *Provider `json:"other_operating_physician,omitempty"`
}

// CodeDate is a code with the date it applies to: an ICD-10-PCS procedure
// (HI*BBQ) or a NUBC occurrence code (HI*BH).
type CodeDate struct {
	Code string   `json:"code"`
	Date x12.Date `json:"date"`
}

// CodeSpan is a NUBC occurrence span code with its first and last day
// (HI*BI, RD8).
type CodeSpan struct {
	Code string   `json:"code"`
	From x12.Date `json:"from"`
	To   x12.Date `json:"to"`
}

// ValueCode is a NUBC value code with its amount (HI*BE, HIxx-5).
type ValueCode struct {
	Code   string     `json:"code"`
	Amount x12.Amount `json:"amount"`
}

// Line is one service line (2400).
type Line struct {
	// ControlNumber is the line item control number (REF*6R), unique per
	// line; the pipeline assigns it.
	ControlNumber string `json:"control_number,omitempty"`
	// Procedure is the CPT/HCPCS code (SV101-2 or SV202-2).
	Procedure string `json:"procedure,omitempty"`
	// Modifiers are up to four procedure modifiers.
	Modifiers []string `json:"modifiers,omitempty"`
	// Description is SV101-7, for unlisted codes.
	Description string `json:"description,omitempty"`
	// RevenueCode is the NUBC revenue code (837I SV201, required there).
	RevenueCode string     `json:"revenue_code,omitempty"`
	Charge      x12.Amount `json:"charge"`
	// Units is the quantity as a decimal (up to 3 decimals).
	Units string `json:"units"`
	// UnitBasis is SV103/SV204: "UN" units (default), "MJ" minutes
	// (837P anesthesia) or "DA" days (837I).
	UnitBasis   string   `json:"unit_basis,omitempty"`
	ServiceDate x12.Date `json:"service_date"`
	// ServiceDateEnd, when set, makes the service date a range (RD8).
	ServiceDateEnd x12.Date `json:"service_date_end,omitzero"`
	// DiagnosisPointers are 1-based positions in Claim.Diagnoses (SV107),
	// at most four, primary first.
	DiagnosisPointers []int `json:"diagnosis_pointers,omitempty"`
	// PlaceOfService is SV105, only when it differs from the claim's.
	PlaceOfService string `json:"place_of_service,omitempty"`
	// NonCoveredCharge is SV207 (837I).
	NonCoveredCharge x12.Amount `json:"non_covered_charge,omitzero"`

	// The line fields of professional_extras.go.

	// Drug is the NDC of a drug or vaccine, loop 2410 (also 837I).
	Drug *Drug `json:"drug,omitempty"`
	// CLIANumber is the line's REF*X4, when the line's laboratory differs
	// from the claim's.
	CLIANumber string `json:"clia_number,omitempty"`
	// Attachments are the line's PWK (at most 10; also 837I).
	Attachments []Attachment `json:"attachments,omitempty"`
	// Note is the line note NTE: ADD or DCP.
	Note *Note `json:"note,omitempty"`
	// Emergency, EPSDT and FamilyPlanning are SV109, SV111 and SV112
	// ("Y" when true).
	Emergency      bool `json:"emergency,omitempty"`
	EPSDT          bool `json:"epsdt,omitempty"`
	FamilyPlanning bool `json:"family_planning,omitempty"`
	// Ambulance is the line's CR1 and CRC*07, when they differ from the
	// claim's; AmbulancePatients is QTY*PT, sent when more than one
	// patient rode in the vehicle.
	Ambulance         *AmbulanceTransport `json:"ambulance,omitempty"`
	AmbulancePatients int                 `json:"ambulance_patients,omitempty"`
	// RenderingProvider (2420A), SupervisingProvider (2420D) and
	// OrderingProvider (2420E) are the line's providers, sent when they
	// differ from the claim's.
	RenderingProvider   *Provider `json:"rendering_provider,omitempty"`
	SupervisingProvider *Provider `json:"supervising_provider,omitempty"`
	OrderingProvider    *Provider `json:"ordering_provider,omitempty"`
	// PriorAuthorization (REF*G1) and ReferralNumber (REF*9F) are the
	// line's, sent when they differ from the claim's (837P).
	PriorAuthorization string `json:"prior_authorization,omitempty"`
	ReferralNumber     string `json:"referral_number,omitempty"`
}
