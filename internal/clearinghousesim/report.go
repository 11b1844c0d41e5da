package clearinghousesim

import (
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// ClaimStatus is what became of one submitted claim.
type ClaimStatus string

// The outcomes of a claim.
const (
	// ClaimUnreadable: the file could not be read as X12 (TA1 R); the
	// claim is not named because nothing in the file could be read.
	ClaimUnreadable ClaimStatus = "unreadable"
	// ClaimAckRejected: the claim's interchange (TA1) or transaction set
	// (999) was rejected, so it was never looked at.
	ClaimAckRejected ClaimStatus = "ack_rejected"
	// ClaimRejected: the 277CA rejected the claim.
	ClaimRejected ClaimStatus = "rejected"
	// ClaimPaid: the claim was adjudicated (835 CLP02 = 1); it may still
	// pay nothing, e.g. when the deductible takes it all.
	ClaimPaid ClaimStatus = "paid"
	// ClaimDenied: every line was denied (835 CLP02 = 4).
	ClaimDenied ClaimStatus = "denied"
	// ClaimReversed: an earlier payment was reversed (835 CLP02 = 22)
	// because a replacement (7) or void (8) came for it; PCN is the
	// replacement's, PayerClaimNumber the reversed claim's.
	ClaimReversed ClaimStatus = "reversed"
)

// ClaimResult is the outcome of one claim, named by its patient control
// number (CLM01), never by patient data.
type ClaimResult struct {
	File             string      `json:"file"`              // the 837 file's base name
	Ordinal          int         `json:"ordinal,omitempty"` // position of the claim in the file (1-based)
	PCN              string      `json:"pcn,omitempty"`
	PayerID          string      `json:"payer_id,omitempty"`
	Status           ClaimStatus `json:"status"`
	Reason           string      `json:"reason,omitempty"`             // e.g. "277CA A7:164:IL", "999 IK5 R 4"
	PayerClaimNumber string      `json:"payer_claim_number,omitempty"` // CLP07 / REF*1K
	Charge           x12.Amount  `json:"charge"`
	Allowed          x12.Amount  `json:"allowed"`
	Paid             x12.Amount  `json:"paid"`
	PatientResp      x12.Amount  `json:"patient_responsibility"`
	LinesDenied      int         `json:"lines_denied,omitempty"`
}

// Report counts what Respond did, so that a demo can check its own
// figures against what the simulator wrote. Amounts are exact cents.
type Report struct {
	Files                int `json:"files"`                 // 837 files handled (moved to processed/)
	Interchanges         int `json:"interchanges"`          // ISA..IEA read (a file that is not X12 counts as one)
	InterchangesRejected int `json:"interchanges_rejected"` // TA1 R
	SetsAccepted         int `json:"sets_accepted"`         // 999 IK5 A
	SetsRejected         int `json:"sets_rejected"`         // 999 IK5 R, or in a rejected group
	ClaimsAccepted       int `json:"claims_accepted"`       // 277CA A2
	ClaimsRejected       int `json:"claims_rejected"`       // 277CA A3/A7
	ClaimsPaid           int `json:"claims_paid"`           // 835 CLP02 = 1
	ClaimsDenied         int `json:"claims_denied"`         // 835 CLP02 = 4
	LinesDenied          int `json:"lines_denied"`          // 835 lines denied (CO-50)
	Remittances          int `json:"remittances"`           // 835 transaction sets (payments)
	ClaimsReversed       int `json:"claims_reversed"`       // 835 CLP02 = 22

	Billed         x12.Amount `json:"billed"`          // CLM02 of every claim that reached the 277CA
	BilledAccepted x12.Amount `json:"billed_accepted"` // CLM02 of the claims the 277CA accepted (= Σ CLP03)
	Allowed        x12.Amount `json:"allowed"`         // Σ AMT*B6
	Contractual    x12.Amount `json:"contractual"`     // Σ CO adjustments
	PatientResp    x12.Amount `json:"patient_resp"`    // Σ PR adjustments (= Σ CLP05)
	Paid           x12.Amount `json:"paid"`            // Σ CLP04, reversals included (negative)
	// ProviderAdjustments is Σ PLB amounts (Σ BPR02 = Paid − this).
	ProviderAdjustments x12.Amount `json:"provider_adjustments"`

	// Outputs are the response files written, in the order written.
	Outputs []string `json:"outputs"`
	// Claims are the claim outcomes, in file and claim order.
	Claims []ClaimResult `json:"claims"`
}

// add835Claim counts one adjudicated claim.
func (r *Report) add835Claim(file string, c *Claim, oc *x835.Claim) {
	res := ClaimResult{File: file, Ordinal: c.Ordinal, PCN: c.PCN, PayerID: c.PayerID, Status: ClaimPaid, PayerClaimNumber: oc.PayerClaimNumber,
		Charge: oc.Charge, Paid: oc.Paid, PatientResp: oc.PatientResponsibility}
	if oc.Status == "4" {
		res.Status = ClaimDenied
		r.ClaimsDenied++
	} else {
		r.ClaimsPaid++
	}
	for _, l := range oc.Lines {
		if l.Allowed == nil {
			res.LinesDenied++
		} else {
			res.Allowed += *l.Allowed
		}
		for _, a := range l.Adjustments {
			if a.Group == "CO" {
				r.Contractual += a.Amount
			}
		}
	}
	r.LinesDenied += res.LinesDenied
	r.Allowed += res.Allowed
	r.PatientResp += oc.PatientResponsibility
	r.Paid += oc.Paid
	r.Claims = append(r.Claims, res)
}

// addReversal counts one reversal.
func (r *Report) addReversal(file string, c *Claim, oc *x835.Claim) {
	r.ClaimsReversed++
	r.Paid += oc.Paid
	r.PatientResp += oc.PatientResponsibility
	for _, l := range oc.Lines {
		for _, a := range l.Adjustments {
			if a.Group == "CO" {
				r.Contractual += a.Amount
			}
		}
	}
	r.Claims = append(r.Claims, ClaimResult{File: file, Ordinal: c.Ordinal, PCN: c.PCN, PayerID: c.PayerID, Status: ClaimReversed,
		PayerClaimNumber: oc.PayerClaimNumber, Charge: oc.Charge, Paid: oc.Paid, PatientResp: oc.PatientResponsibility})
}

// merge adds o's counts and lists to r.
func (r *Report) merge(o *Report) {
	r.Files += o.Files
	r.Interchanges += o.Interchanges
	r.InterchangesRejected += o.InterchangesRejected
	r.SetsAccepted += o.SetsAccepted
	r.SetsRejected += o.SetsRejected
	r.ClaimsAccepted += o.ClaimsAccepted
	r.ClaimsRejected += o.ClaimsRejected
	r.ClaimsPaid += o.ClaimsPaid
	r.ClaimsDenied += o.ClaimsDenied
	r.LinesDenied += o.LinesDenied
	r.Remittances += o.Remittances
	r.ClaimsReversed += o.ClaimsReversed
	r.ProviderAdjustments += o.ProviderAdjustments
	r.Billed += o.Billed
	r.BilledAccepted += o.BilledAccepted
	r.Allowed += o.Allowed
	r.Contractual += o.Contractual
	r.PatientResp += o.PatientResp
	r.Paid += o.Paid
	r.Outputs = append(r.Outputs, o.Outputs...)
	r.Claims = append(r.Claims, o.Claims...)
}
