package pipeline

import (
	"slices"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// EntryKind is what made a receivables ledger entry.
type EntryKind string

// The ledger entry kinds.
const (
	EntryCharge         EntryKind = "charge"          // the line was billed (at its first submission)
	EntryInsurance      EntryKind = "insurance"       // an 835 claim payment (CLP) or its reversal
	EntryPatientPayment EntryKind = "patient_payment" // the patient paid
	EntryWriteOff       EntryKind = "write_off"       // the practice wrote the balance off
)

// Adjustment is one claim adjustment (835 CAS) in a ledger entry: its
// group code, its reason code (CARC) and the amount. CO (contractual), OA
// (other) and PI (payer-initiated) adjust the balance away; PR moves it
// to the patient's responsibility (deductible, coinsurance, copay).
type Adjustment struct {
	Group  string
	Reason string
	Amount x12.Amount
}

// PatientResp reports whether the adjustment moves the amount to the
// patient (group PR).
func (a Adjustment) PatientResp() bool { return a.Group == "PR" }

// LedgerEntry is one append-only receivables entry: what one event did to
// one claim line (or to the claim as a whole, when LineID is 0). The
// events are the charge, each 835 claim payment or reversal (one entry
// per service line it pays, plus one at claim level for claim-level
// adjustments), a patient payment and a write-off. The amounts are the
// entry's legs; an entry touches only the legs of its kind. Reversals
// post the legs they reverse negated.
type LedgerEntry struct {
	ID           int64
	ClaimID      int64
	LineID       int64
	RemittanceID int64 // 0 when not from a remittance
	ClaimPayment int64 // the ClaimPayment that posted it, if any
	Kind         EntryKind

	Charge         x12.Amount   // billed for the line
	Payment        x12.Amount   // insurance payment (SVC03, or CLP04 at claim level)
	Adjustments    []Adjustment // CAS, in the order the payer sent them
	PatientPayment x12.Amount   // paid by the patient
	WriteOff       x12.Amount   // written off by the practice

	Reversal bool
	At       time.Time
	Memo     string
}

// Adjusted returns the CO, OA and PI adjustments of the entry.
func (e *LedgerEntry) Adjusted() x12.Amount {
	var sum x12.Amount
	for _, a := range e.Adjustments {
		if !a.PatientResp() {
			sum += a.Amount
		}
	}
	return sum
}

// PatientResp returns what the entry moves to the patient (PR).
func (e *LedgerEntry) PatientResp() x12.Amount {
	var sum x12.Amount
	for _, a := range e.Adjustments {
		if a.PatientResp() {
			sum += a.Amount
		}
	}
	return sum
}

// Empty reports whether the entry changes nothing.
func (e *LedgerEntry) Empty() bool {
	if e.Charge != 0 || e.Payment != 0 || e.PatientPayment != 0 || e.WriteOff != 0 {
		return false
	}
	for _, a := range e.Adjustments {
		if a.Amount != 0 {
			return false
		}
	}
	return true
}

// Balance is the derived state of a line or claim: charge = payments +
// adjustments + patient responsibility + write-offs + insurance balance.
type Balance struct {
	Charge          x12.Amount
	Payments        x12.Amount
	Adjustments     x12.Amount // CO, OA and PI
	PatientResp     x12.Amount // PR
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
func (b *Balance) Add(e *LedgerEntry) {
	b.Charge += e.Charge
	b.Payments += e.Payment
	b.PatientPayments += e.PatientPayment
	b.WriteOffs += e.WriteOff
	for _, a := range e.Adjustments {
		if a.PatientResp() {
			b.PatientResp += a.Amount
		} else {
			b.Adjustments += a.Amount
		}
	}
}

// RemitState is the outcome of ingesting one 835 transaction set.
type RemitState string

// The remittance states.
const (
	RemitPosted    RemitState = "posted"    // every claim payment posted (or kept as unapplied cash)
	RemitHeld      RemitState = "held"      // out of balance or unmatched; nothing posted
	RemitDuplicate RemitState = "duplicate" // the same payment was posted before; nothing posted
	// RemitPosting is a balanced remittance whose claim payments are
	// being posted in bounded transactions (Progress of them so far): a
	// run stopped part way leaves it so, and the next run resumes it.
	RemitPosting RemitState = "posting"
)

// Remittance is one 835 transaction set: one payment (BPR/TRN). It is
// identified by payer, trace number, payment date and amount, and posts at
// most once.
type Remittance struct {
	ID            int64
	InboundFileID int64
	FileSet       int    // position of the transaction set in its file, from 1 (0: not recorded)
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
	// Progress counts the claim payments (CLPs) of the set handled so
	// far, in order: posted or kept as unapplied cash (for a duplicate,
	// noted). Posting resumes after them.
	Progress int
}

// UnappliedPayment is an 835 claim payment (CLP) of a posted remittance
// that matched no claim we sent: unapplied cash, kept per payer and check
// until a person applies it to the right claim (Pipeline.ApplyPayment).
type UnappliedPayment struct {
	ID           int64
	RemittanceID int64
	Ordinal      int // position of the CLP in its set
	Segment      int // of the CLP, in its set
	// PCN is CLP01 as the payer sent it.
	PCN              string
	Status           string // CLP02
	PayerClaimNumber string // CLP07
	Charge           x12.Amount
	Paid             x12.Amount // CLP04: the cash
	PatientResp      x12.Amount
	// Claim is the whole CLP loop, to post when it is applied.
	Claim     *x835.Claim
	Reason    string
	CreatedAt time.Time
	// AppliedClaimID is the claim it was applied to (0 while open).
	AppliedClaimID int64
	AppliedAt      time.Time
	AppliedBy      string
}

// Open reports whether the payment still waits to be applied.
func (u *UnappliedPayment) Open() bool { return u.AppliedClaimID == 0 }

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

// rebillEntries returns the charge entries that bring the ledger's
// billed charge of each line of a claim to what lines bill: the
// difference on each line in lines, and the whole charge back off every
// other line that has one (lines a correction removed; all of them, for
// a void). bals are the lines' balances before.
func rebillEntries(claimID int64, lines []ClaimLine, bals map[int64]Balance, at time.Time, memo string) []LedgerEntry {
	var es []LedgerEntry
	billed := make(map[int64]bool, len(lines))
	for _, l := range lines {
		billed[l.ID] = true
		if d := l.Charge - bals[l.ID].Charge; d != 0 {
			es = append(es, LedgerEntry{ClaimID: claimID, LineID: l.ID, Kind: EntryCharge, Charge: d, At: at, Memo: memo})
		}
	}
	ids := make([]int64, 0, len(bals))
	for id := range bals {
		if !billed[id] && bals[id].Charge != 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		es = append(es, LedgerEntry{ClaimID: claimID, LineID: id, Kind: EntryCharge, Charge: -bals[id].Charge, At: at, Memo: memo})
	}
	return es
}
