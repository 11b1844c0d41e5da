package pipeline

import (
	"time"

	"github.com/x12claims/claims/x12"
)

// EntryKind is the kind of a receivables ledger entry.
type EntryKind string

// The ledger entry kinds. Amounts are positive in normal use; reversals
// post the same kinds with negated amounts.
const (
	EntryCharge         EntryKind = "charge"          // what was billed for the line
	EntryPayment        EntryKind = "payment"         // insurance payment (SVC03 / CLP04)
	EntryAdjustment     EntryKind = "adjustment"      // CO, OA or PI adjustment (Group, Reason)
	EntryPatientResp    EntryKind = "patient_resp"    // PR: moved to patient responsibility
	EntryPatientPayment EntryKind = "patient_payment" // paid by the patient
	EntryWriteOff       EntryKind = "write_off"       // written off by the practice
)

// LedgerEntry is one append-only receivables entry for a claim line (or
// the claim, when LineID is 0).
type LedgerEntry struct {
	ID           int64
	ClaimID      int64
	LineID       int64
	RemittanceID int64 // 0 when not from a remittance
	ClaimPayment int64 // the ClaimPayment that posted it, if any
	Kind         EntryKind
	Group        string // CAS group code: CO, OA, PI, PR
	Reason       string // CARC
	Amount       x12.Amount
	Reversal     bool
	At           time.Time
	Memo         string
}

// Balance is the derived state of a line or claim: charge = payments +
// adjustments + patient responsibility + insurance balance.
type Balance struct {
	Charge          x12.Amount
	Payments        x12.Amount
	Adjustments     x12.Amount
	PatientResp     x12.Amount
	PatientPayments x12.Amount
	WriteOffs       x12.Amount
}

// Insurance returns what is still expected from the payer.
func (b Balance) Insurance() x12.Amount {
	return b.Charge - b.Payments - b.Adjustments - b.PatientResp - b.WriteOffs
}

// Patient returns what is still owed by the patient.
func (b Balance) Patient() x12.Amount { return b.PatientResp - b.PatientPayments }

// Add accumulates an entry into the balance.
func (b *Balance) Add(e LedgerEntry) {
	switch e.Kind {
	case EntryCharge:
		b.Charge += e.Amount
	case EntryPayment:
		b.Payments += e.Amount
	case EntryAdjustment:
		b.Adjustments += e.Amount
	case EntryPatientResp:
		b.PatientResp += e.Amount
	case EntryPatientPayment:
		b.PatientPayments += e.Amount
	case EntryWriteOff:
		b.WriteOffs += e.Amount
	}
}

// RemitState is the outcome of ingesting one 835 transaction set.
type RemitState string

// The remittance states.
const (
	RemitPosted RemitState = "posted" // all claims posted in one transaction
	RemitHeld   RemitState = "held"   // out of balance or unmatched; nothing posted
)

// Remittance is one 835 transaction set: one payment (BPR/TRN). It is
// identified by payer, trace number, payment date and amount, and posts at
// most once.
type Remittance struct {
	ID            int64
	InboundFileID int64
	SetControl    string // ST02
	PayerID       string // TRN03, N1*PR N104 or REF*2U
	PayerName     string
	Trace         string // TRN02
	PaymentDate   x12.Date
	Amount        x12.Amount // BPR02
	Method        string     // BPR04
	State         RemitState
	Reason        string // why it is held
	CreatedAt     time.Time
}

// ClaimPayment is one posted 835 claim (CLP) against a claim submission.
type ClaimPayment struct {
	ID               int64
	RemittanceID     int64
	ClaimID          int64
	SubmissionID     int64
	Ordinal          int    // position of the CLP in its set
	Status           string // CLP02
	Charge           x12.Amount
	Paid             x12.Amount
	PatientResp      x12.Amount
	PayerClaimNumber string // CLP07
	// Outcome is the claim state this payment produced.
	Outcome ClaimState
	// ReversedBy is the ClaimPayment that reversed this one, if any.
	ReversedBy int64
}

// ProviderAdjustment is one PLB adjustment, kept on a provider-level
// ledger keyed by the remittance. A positive amount reduces the payment.
type ProviderAdjustment struct {
	ID           int64
	RemittanceID int64
	ProviderID   string // PLB01
	FiscalDate   x12.Date
	Reason       string // PLB03-1
	Reference    string // PLB03-2
	Amount       x12.Amount
}
