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
}
