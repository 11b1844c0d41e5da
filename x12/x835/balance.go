package x835

import (
	"errors"
	"fmt"

	"github.com/x12claims/claims/x12"
)

// ErrOutOfBalance is the cause of every *BalanceError.
var ErrOutOfBalance = errors.New("out of balance")

// The balancing levels of a BalanceError.
const (
	LevelLine        = "line"        // SVC02 − ΣCAS = SVC03
	LevelClaim       = "claim"       // CLP03 − Σclaim CAS − Σline CAS = CLP04
	LevelTransaction = "transaction" // ΣCLP04 − ΣPLB = BPR02
)

// BalanceError is one imbalance: the figure the payer stated and the one
// computed from the other amounts by the balancing rule of its level. It
// names the set, claim (by ordinal and patient control number) and line
// (by segment position), never the patient.
type BalanceError struct {
	Level      string `json:"level"`       // LevelLine, LevelClaim or LevelTransaction
	SetControl string `json:"set_control"` // ST02
	// ClaimOrdinal is the claim's position in the set (1-based) and
	// ClaimSegment its CLP's segment position; zero at transaction level.
	ClaimOrdinal int    `json:"claim_ordinal,omitempty"`
	ClaimSegment int    `json:"claim_segment,omitempty"`
	PCN          string `json:"pcn,omitempty"` // CLP01
	// LineSegment is the SVC's segment position (ST = 1); zero above line
	// level.
	LineSegment int        `json:"line_segment,omitempty"`
	Rule        string     `json:"rule"`     // the rule, e.g. "SVC02 - sum(CAS) = SVC03"
	Stated      x12.Amount `json:"stated"`   // SVC03, CLP04 or BPR02 as sent
	Computed    x12.Amount `json:"computed"` // what the rule gives
}

// Error describes the imbalance with both figures.
func (e *BalanceError) Error() string {
	var where string
	switch e.Level {
	case LevelLine:
		where = fmt.Sprintf("835 set %s claim %d (PCN %s) line at segment %d", e.SetControl, e.ClaimOrdinal, e.PCN, e.LineSegment)
	case LevelClaim:
		where = fmt.Sprintf("835 set %s claim %d (PCN %s) at segment %d", e.SetControl, e.ClaimOrdinal, e.PCN, e.ClaimSegment)
	default:
		where = "835 set " + e.SetControl
	}
	return fmt.Sprintf("%s: %s level %s: stated %s, computed %s (difference %s)",
		where, e.Level, ErrOutOfBalance, e.Stated, e.Computed, e.Stated-e.Computed)
}

// Unwrap returns ErrOutOfBalance.
func (e *BalanceError) Unwrap() error { return ErrOutOfBalance }

// Totals are the sums of one 835 transaction set.
type Totals struct {
	ClaimCount    int        `json:"claim_count"`
	TotalCharge   x12.Amount `json:"total_charge"`   // ΣCLP03
	TotalPaid     x12.Amount `json:"total_paid"`     // ΣCLP04
	PaymentAmount x12.Amount `json:"payment_amount"` // BPR02
	PLBTotal      x12.Amount `json:"plb_total"`      // ΣPLB amounts; positive reduces the payment
}

// Totals returns the sums of the remittance's claims and PLB adjustments.
func (r *Remittance) Totals() Totals {
	t := Totals{ClaimCount: len(r.Claims), PaymentAmount: r.Payment.Amount}
	for _, c := range r.Claims {
		t.TotalCharge += c.Charge
		t.TotalPaid += c.Paid
	}
	for _, a := range r.ProviderAdjustments {
		t.PLBTotal += a.Amount
	}
	return t
}

// Balance checks the transaction level, BPR02 = ΣCLP04 − ΣPLB, and
// returns nil when it holds.
func (t Totals) Balance(setControl string) *BalanceError {
	computed := t.TotalPaid - t.PLBTotal
	if computed == t.PaymentAmount {
		return nil
	}
	return &BalanceError{Level: LevelTransaction, SetControl: setControl,
		Rule: "sum(CLP04) - sum(PLB) = BPR02", Stated: t.PaymentAmount, Computed: computed}
}

// Balance checks every line, every claim and the transaction, in that
// order, and returns the imbalances (nil when the remittance balances).
// It never changes the remittance.
func (r *Remittance) Balance() []*BalanceError {
	var out []*BalanceError
	for _, c := range r.Claims {
		out = append(out, c.Balance(r.SetControl)...)
	}
	if e := r.Totals().Balance(r.SetControl); e != nil {
		out = append(out, e)
	}
	return out
}

// Balance checks the claim's lines (SVC02 − ΣCAS = SVC03) and the claim
// (CLP03 − Σclaim CAS − Σline CAS = CLP04) and returns the imbalances.
// CAS quantities, AMT and QTY take no part. setControl is the ST02 to
// name in the errors.
func (c *Claim) Balance(setControl string) []*BalanceError {
	var out []*BalanceError
	adj := sumAdjustments(c.Adjustments)
	for _, l := range c.Lines {
		la := sumAdjustments(l.Adjustments)
		adj += la
		if computed := l.Charge - la; computed != l.Paid {
			out = append(out, &BalanceError{Level: LevelLine, SetControl: setControl, ClaimOrdinal: c.Ordinal,
				ClaimSegment: c.Segment, PCN: c.PatientControlNumber, LineSegment: l.Segment,
				Rule: "SVC02 - sum(CAS) = SVC03", Stated: l.Paid, Computed: computed})
		}
	}
	if computed := c.Charge - adj; computed != c.Paid {
		out = append(out, &BalanceError{Level: LevelClaim, SetControl: setControl, ClaimOrdinal: c.Ordinal,
			ClaimSegment: c.Segment, PCN: c.PatientControlNumber,
			Rule: "CLP03 - sum(claim CAS) - sum(line CAS) = CLP04", Stated: c.Paid, Computed: computed})
	}
	return out
}

func sumAdjustments(as []Adjustment) x12.Amount {
	var s x12.Amount
	for _, a := range as {
		s += a.Amount
	}
	return s
}
