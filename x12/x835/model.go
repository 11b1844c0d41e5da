package x835

import "github.com/x12claims/claims/x12"

// Guide is the implementation guide of the 835.
const Guide = "005010X221A1"

// Remittance is one 835 transaction set: one payment (BPR/TRN) with its
// payer, payee, claims and provider-level adjustments.
type Remittance struct {
	// Envelope.
	ISA13      string `json:"isa13"`
	GS06       string `json:"gs06"`
	SetControl string `json:"control_number"` // ST02
	SenderID   string `json:"sender_id"`      // ISA06
	ReceiverID string `json:"receiver_id"`    // ISA08

	Payment Payment  `json:"payment"`
	Payer   Party    `json:"payer"`
	Payee   Party    `json:"payee"`
	Claims  []*Claim `json:"claims"`
	// ProviderAdjustments are the PLB adjustments, one per reason/amount
	// pair.
	ProviderAdjustments []ProviderAdjustment `json:"provider_adjustments,omitempty"`
	// ProductionDate is DTM*405.
	ProductionDate x12.Date `json:"production_date,omitzero"`

	// Added by the response-sets engineer (additive).

	// Version is GS08 of the group the set came in ("005010X221A1").
	Version string `json:"version,omitempty"`
	// Currency is CUR02 when the payer sent a CUR segment (non-USD).
	Currency string `json:"currency,omitempty"`
	// Refs are the header REF segments: EV receiver id, F2 version.
	Refs []Ref `json:"refs,omitempty"`
	// Summaries are the TS3 provider summaries, one per LX header that
	// has one.
	Summaries []ProviderSummary `json:"summaries,omitempty"`
	// Warnings are problems that did not stop parsing: segments the guide
	// does not know, envelope count mismatches, unparsable informational
	// values. They never change the amounts.
	Warnings []Warning `json:"warnings,omitempty"`
}

// ProviderSummary is a TS3 segment of a 2000 header (LX) loop.
type ProviderSummary struct {
	HeaderNumber int        `json:"header_number"` // LX01 of the loop
	ProviderID   string     `json:"provider_id"`   // TS301
	FacilityType string     `json:"facility_type"` // TS302
	FiscalDate   x12.Date   `json:"fiscal_date"`   // TS303
	ClaimCount   string     `json:"claim_count"`   // TS304
	TotalCharge  x12.Amount `json:"total_charge"`  // TS305
}

// Warning is a problem found while parsing that did not stop it (see
// x12.Warning).
type Warning = x12.Warning

// Quantity is a QTY segment: qualifier and quantity (not money).
type Quantity struct {
	Qualifier string `json:"qualifier"`
	Quantity  string `json:"quantity"`
}

// Inpatient is the MIA segment without its remark codes (those are in
// Claim.InpatientRemarks).
type Inpatient struct {
	CoveredDays             string `json:"covered_days"`                        // MIA01
	LifetimePsychiatricDays string `json:"lifetime_psychiatric_days,omitempty"` // MIA03
	CostReportDays          string `json:"cost_report_days,omitempty"`          // MIA15
	// Amounts are the monetary elements present, each qualified by its
	// element name ("MIA04" claim DRG amount, ...).
	Amounts []Amount `json:"amounts,omitempty"`
}

// Outpatient is the MOA segment without its remark codes (those are in
// Claim.OutpatientRemarks).
type Outpatient struct {
	ReimbursementRate string `json:"reimbursement_rate,omitempty"` // MOA01, a rate, not money
	// Amounts are the monetary elements present ("MOA02" HCPCS payable,
	// "MOA08" ESRD payment, "MOA09" non-payable professional component).
	Amounts []Amount `json:"amounts,omitempty"`
}

// Payment is the BPR and TRN of a remittance.
type Payment struct {
	Handling               string     `json:"handling"`                          // BPR01: C, D, H, I, P, U, X
	Amount                 x12.Amount `json:"amount"`                            // BPR02, total actual provider payment
	CreditDebit            string     `json:"credit_debit"`                      // BPR03: C or D
	Method                 string     `json:"method"`                            // BPR04: ACH, BOP, CHK, FWT, NON
	Format                 string     `json:"format,omitempty"`                  // BPR05: CCP, CTX
	Date                   x12.Date   `json:"date"`                              // BPR16
	TraceType              string     `json:"trace_type"`                        // TRN01
	Trace                  string     `json:"trace"`                             // TRN02: check or EFT trace number
	OriginatorID           string     `json:"originator_id"`                     // TRN03: 1 + payer TIN
	OriginatorSupplemental string     `json:"originator_supplemental,omitempty"` // TRN04
	// Bank holds BPR06 to BPR15 (sender and receiver DFI and accounts),
	// present for electronic payments.
	Bank *BankAccounts `json:"bank,omitempty"`
}

// BankAccounts are BPR06 to BPR15.
type BankAccounts struct {
	SenderDFIQualifier       string `json:"sender_dfi_qualifier,omitempty"`       // BPR06: 01, 04
	SenderDFI                string `json:"sender_dfi,omitempty"`                 // BPR07
	SenderAccountQualifier   string `json:"sender_account_qualifier,omitempty"`   // BPR08: DA
	SenderAccount            string `json:"sender_account,omitempty"`             // BPR09
	PayerID                  string `json:"payer_id,omitempty"`                   // BPR10
	PayerSupplemental        string `json:"payer_supplemental,omitempty"`         // BPR11
	ReceiverDFIQualifier     string `json:"receiver_dfi_qualifier,omitempty"`     // BPR12
	ReceiverDFI              string `json:"receiver_dfi,omitempty"`               // BPR13
	ReceiverAccountQualifier string `json:"receiver_account_qualifier,omitempty"` // BPR14: DA, SG
	ReceiverAccount          string `json:"receiver_account,omitempty"`           // BPR15
}

// Party is the payer (1000A) or payee (1000B).
type Party struct {
	Name        string   `json:"name"`
	IDQualifier string   `json:"id_qualifier,omitempty"` // N103
	ID          string   `json:"id,omitempty"`           // N104
	Address     *Address `json:"address,omitempty"`
	// Refs are the REF segments of the loop (e.g. 2U additional payer id,
	// TJ payee TIN).
	Refs     []Ref     `json:"refs,omitempty"`
	Contacts []Contact `json:"contacts,omitempty"` // PER (CX, BL, IC)
}

// Address is N3/N4.
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	State string `json:"state,omitempty"`
	ZIP   string `json:"zip,omitempty"`
}

// Ref is a REF segment: qualifier and value.
type Ref struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Contact is a PER segment.
type Contact struct {
	Function string `json:"function"` // PER01: CX, BL, IC
	Name     string `json:"name,omitempty"`
	Numbers  []Ref  `json:"numbers,omitempty"` // qualifier (TE, EM, UR, FX, EX) and number
}

// Name is an NM1 segment of the claim loop.
type Name struct {
	Entity      string `json:"entity"` // NM101: QC, IL, 74, 82, TT, PR, GB
	LastName    string `json:"last_name,omitempty"`
	FirstName   string `json:"first_name,omitempty"`
	MiddleName  string `json:"middle_name,omitempty"`
	IDQualifier string `json:"id_qualifier,omitempty"`
	ID          string `json:"id,omitempty"`
	EntityType  string `json:"entity_type,omitempty"` // NM102: 1 person, 2 non-person
	Suffix      string `json:"suffix,omitempty"`      // NM107
}

// Adjustment is one CAS group/reason/amount triple. A positive amount
// reduces the payment.
type Adjustment struct {
	Group    string     `json:"group"`  // CO, OA, PI, PR
	Reason   string     `json:"reason"` // CARC
	Amount   x12.Amount `json:"amount"`
	Quantity string     `json:"quantity,omitempty"`
}

// Claim is one claim payment (2100 CLP loop) with its service lines.
type Claim struct {
	// Ordinal is the position of the CLP in its transaction set (1-based)
	// and Segment the CLP's segment position (ST = 1).
	Ordinal int `json:"ordinal"`
	Segment int `json:"segment"`

	PatientControlNumber  string     `json:"patient_control_number"`       // CLP01
	Status                string     `json:"status"`                       // CLP02
	Charge                x12.Amount `json:"charge"`                       // CLP03
	Paid                  x12.Amount `json:"paid"`                         // CLP04
	PatientResponsibility x12.Amount `json:"patient_responsibility"`       // CLP05
	FilingIndicator       string     `json:"filing_indicator,omitempty"`   // CLP06
	PayerClaimNumber      string     `json:"payer_claim_number,omitempty"` // CLP07
	FacilityType          string     `json:"facility_type,omitempty"`      // CLP08
	Frequency             string     `json:"frequency,omitempty"`          // CLP09
	DRG                   string     `json:"drg,omitempty"`                // CLP11
	DRGWeight             string     `json:"drg_weight,omitempty"`         // CLP12
	DischargeFraction     string     `json:"discharge_fraction,omitempty"` // CLP13
	// HeaderNumber is LX01 of the 2000 loop the claim is in (0 if none).
	HeaderNumber int `json:"header_number,omitempty"`
	// Inpatient and Outpatient are MIA and MOA without remark codes.
	Inpatient  *Inpatient  `json:"inpatient,omitempty"`
	Outpatient *Outpatient `json:"outpatient,omitempty"`
	// CoverageExpiration is DTM*036.
	CoverageExpiration x12.Date `json:"coverage_expiration,omitzero"`
	// Contacts are claim PER*CX segments.
	Contacts   []Contact  `json:"contacts,omitempty"`
	Quantities []Quantity `json:"quantities,omitempty"` // QTY (informational)

	Adjustments []Adjustment `json:"adjustments,omitempty"` // claim-level CAS
	Names       []Name       `json:"names,omitempty"`       // NM1 QC, IL, 74, 82, TT, PR, GB
	// InpatientRemarks and OutpatientRemarks are the remark codes of MIA
	// and MOA.
	InpatientRemarks  []string `json:"inpatient_remarks,omitempty"`
	OutpatientRemarks []string `json:"outpatient_remarks,omitempty"`
	Refs              []Ref    `json:"refs,omitempty"`
	StatementFrom     x12.Date `json:"statement_from,omitzero"` // DTM*232
	StatementTo       x12.Date `json:"statement_to,omitzero"`   // DTM*233
	ReceivedDate      x12.Date `json:"received_date,omitzero"`  // DTM*050
	Amounts           []Amount `json:"amounts,omitempty"`       // AMT (informational)

	Lines []*Line `json:"lines,omitempty"`
}

// Amount is an AMT segment: qualifier and amount.
type Amount struct {
	Qualifier string     `json:"qualifier"`
	Amount    x12.Amount `json:"amount"`
}

// Procedure is a composite procedure identifier (SVC01 or SVC06).
type Procedure struct {
	Qualifier string   `json:"qualifier"` // HC, AD, ER, HP, IV, N4, NU, WK ...
	Code      string   `json:"code"`
	Modifiers []string `json:"modifiers,omitempty"`
	// Description is SVC06-7, the procedure description (original
	// procedure only).
	Description string `json:"description,omitempty"`
}

// Line is one service payment (2110 SVC loop).
type Line struct {
	Segment     int        `json:"segment"`                // SVC's segment position (ST = 1)
	Procedure   Procedure  `json:"procedure"`              // SVC01
	Charge      x12.Amount `json:"charge"`                 // SVC02
	Paid        x12.Amount `json:"paid"`                   // SVC03
	RevenueCode string     `json:"revenue_code,omitempty"` // SVC04
	Units       string     `json:"units,omitempty"`        // SVC05
	// Original is SVC06, the submitted procedure when the payer changed it.
	Original       *Procedure   `json:"original,omitempty"`
	OriginalUnits  string       `json:"original_units,omitempty"`  // SVC07
	ServiceDate    x12.Date     `json:"service_date,omitzero"`     // DTM*472 or 150
	ServiceDateEnd x12.Date     `json:"service_date_end,omitzero"` // DTM*151
	Adjustments    []Adjustment `json:"adjustments,omitempty"`
	// ControlNumber is REF*6R, the line item control number we sent.
	ControlNumber string      `json:"control_number,omitempty"`
	Refs          []Ref       `json:"refs,omitempty"`
	Allowed       *x12.Amount `json:"allowed,omitempty"` // AMT*B6
	Amounts       []Amount    `json:"amounts,omitempty"`
	Remarks       []string    `json:"remarks,omitempty"` // LQ*HE remark codes
	// RxRemarks are LQ*RX NCPDP reject/payment codes.
	RxRemarks  []string   `json:"rx_remarks,omitempty"`
	Quantities []Quantity `json:"quantities,omitempty"` // QTY (informational)
}

// ProviderAdjustment is one PLB reason/amount pair. A positive amount
// reduces the payment; a negative one increases it.
type ProviderAdjustment struct {
	ProviderID string     `json:"provider_id"`         // PLB01
	FiscalDate x12.Date   `json:"fiscal_date"`         // PLB02
	Reason     string     `json:"reason"`              // PLB03-1
	Reference  string     `json:"reference,omitempty"` // PLB03-2
	Amount     x12.Amount `json:"amount"`
}
