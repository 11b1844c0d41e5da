package x277

import (
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
)

// Guide is the implementation guide of the 277CA.
const Guide = "005010X214"

// Acknowledgment is one 277CA transaction set.
type Acknowledgment struct {
	// Envelope.
	ISA13      string `json:"isa13,omitempty"`
	GS06       string `json:"gs06,omitempty"`
	SetControl string `json:"control_number"` // ST02
	SenderID   string `json:"sender_id,omitempty"`
	ReceiverID string `json:"receiver_id,omitempty"`
	Version    string `json:"version,omitempty"` // ST03 or GS08

	Reference string   `json:"reference"`      // BHT03, the originator's transaction id
	Date      x12.Date `json:"date"`           // BHT04
	Time      string   `json:"time,omitempty"` // BHT05

	Sources []*Source `json:"sources"`

	// Warnings are problems that did not stop parsing.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Party is an NM1 of the hierarchy.
type Party struct {
	Entity      string `json:"entity"`                // NM101: AY, PR, 41, 85, QC
	EntityType  string `json:"entity_type,omitempty"` // NM102: 1 person, 2 non-person
	LastName    string `json:"last_name,omitempty"`   // or organization name
	FirstName   string `json:"first_name,omitempty"`
	MiddleName  string `json:"middle_name,omitempty"`
	Suffix      string `json:"suffix,omitempty"` // NM107
	IDQualifier string `json:"id_qualifier,omitempty"`
	ID          string `json:"id,omitempty"`
}

// Source is the 2000A information source: the clearinghouse (NM1*AY) or
// payer (NM1*PR) that produced the acknowledgment.
type Source struct {
	Party       Party       `json:"party"`
	Trace       string      `json:"trace,omitempty"`       // 2200A TRN02
	ReceiptDate x12.Date    `json:"receipt_date,omitzero"` // DTP*050
	ProcessDate x12.Date    `json:"process_date,omitzero"` // DTP*009
	Receivers   []*Receiver `json:"receivers"`
}

// Receiver is the 2000B information receiver: the submitter of the 837.
type Receiver struct {
	Party Party  `json:"party"`
	Trace string `json:"trace,omitempty"` // 2200B TRN02, the claim transaction batch number
	// Statuses are the batch-level STC segments.
	Statuses []Status `json:"statuses,omitempty"`
	Summary
	Providers []*Provider `json:"providers"`
}

// Summary holds the accepted and rejected counts and amounts of a 2200B
// or 2200C loop (QTY*90/QA, QTY*AA/QC, AMT*YU, AMT*YY), when sent.
type Summary struct {
	AcceptedCount  string      `json:"accepted_count,omitempty"`
	RejectedCount  string      `json:"rejected_count,omitempty"`
	AcceptedAmount *x12.Amount `json:"accepted_amount,omitempty"`
	RejectedAmount *x12.Amount `json:"rejected_amount,omitempty"`
}

// Provider is the 2000C billing provider of service.
type Provider struct {
	Party Party  `json:"party"`
	Trace string `json:"trace,omitempty"` // 2200C TRN02
	// Statuses are the provider-level STC segments: a rejection here
	// concerns the billing provider itself.
	Statuses    []Status `json:"statuses,omitempty"`
	SecondaryID *Ref     `json:"secondary_id,omitempty"` // 2200C REF
	Summary
	Patients []*Patient `json:"patients"`
}

// Patient is the 2000D patient with the claim acknowledgments.
type Patient struct {
	Party  Party    `json:"party"`
	Claims []*Claim `json:"claims"`
}

// Ref is a REF segment: qualifier and value.
type Ref struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Claim is the 2200D loop: the acknowledgment of one claim.
type Claim struct {
	Segment int `json:"segment,omitempty"` // position of its TRN in the set (ST = 1)
	// PatientControlNumber is TRN02, CLM01 exactly as submitted.
	PatientControlNumber string   `json:"patient_control_number"`
	Statuses             []Status `json:"statuses"`
	PayerClaimNumber     string   `json:"payer_claim_number,omitempty"`  // REF*1K
	ClearinghouseTrace   string   `json:"clearinghouse_trace,omitempty"` // REF*D9
	BillType             string   `json:"bill_type,omitempty"`           // REF*BLT
	ServiceFrom          x12.Date `json:"service_from,omitzero"`         // DTP*472
	ServiceTo            x12.Date `json:"service_to,omitzero"`           // end of an RD8 range
	Lines                []*Line  `json:"lines,omitempty"`
}

// Procedure is the SVC01 composite.
type Procedure struct {
	Qualifier string   `json:"qualifier"`
	Code      string   `json:"code"`
	Modifiers []string `json:"modifiers,omitempty"`
}

// Line is the 2220D loop: the acknowledgment of one service line.
type Line struct {
	Segment       int        `json:"segment,omitempty"`      // position of its SVC (ST = 1)
	Procedure     Procedure  `json:"procedure"`              // SVC01
	Charge        x12.Amount `json:"charge"`                 // SVC02
	RevenueCode   string     `json:"revenue_code,omitempty"` // SVC04
	Units         string     `json:"units,omitempty"`        // SVC07
	Statuses      []Status   `json:"statuses"`
	ControlNumber string     `json:"control_number,omitempty"` // REF*FJ, the REF*6R we sent
	Prescription  string     `json:"prescription,omitempty"`   // REF*XZ
	ServiceFrom   x12.Date   `json:"service_from,omitzero"`    // DTP*472
	ServiceTo     x12.Date   `json:"service_to,omitzero"`
}

// Status is one STC segment.
type Status struct {
	Segment int `json:"segment,omitempty"` // position in the set (ST = 1)
	// Codes are the STC01, STC10 and STC11 composites present, in order.
	Codes   []StatusCode `json:"codes"`
	Date    x12.Date     `json:"date,omitzero"`     // STC02
	Action  string       `json:"action,omitempty"`  // STC03: WQ accept, U reject
	Charge  *x12.Amount  `json:"charge,omitempty"`  // STC04
	Message string       `json:"message,omitempty"` // STC12
}

// StatusCode is one health care claim status composite.
type StatusCode struct {
	Category string `json:"category"`         // -1, element 507, e.g. "A7"
	Status   string `json:"status"`           // -2, element 508, e.g. "562"
	Entity   string `json:"entity,omitempty"` // -3, element 98, e.g. "85"
}

// Warning is a problem found while parsing that did not stop it (see
// x12.Warning).
type Warning = x12.Warning

// Verdict combines STC segments by the rule of primer §7.3: Rejected if
// any composite's category is rejecting or any STC03 is U; else Review if
// any category is unknown or an exception; else Accepted if any is
// accepting; else Pending if any is pending (A0, A1); else Informational
// if any is informational; no status at all is Review. It never returns
// Accepted for a category it does not know.
func Verdict(sts ...[]Status) codes.Verdict {
	var review, accepted, pending, info, seen bool
	for _, list := range sts {
		for _, s := range list {
			if s.Action == "U" {
				return codes.Rejected
			}
			for _, c := range s.Codes {
				seen = true
				switch codes.CategoryVerdict(c.Category) {
				case codes.Rejected:
					return codes.Rejected
				case codes.Accepted:
					accepted = true
				case codes.Pending:
					pending = true
				case codes.Informational:
					info = true
				default: // Review, Exception
					review = true
				}
			}
		}
	}
	switch {
	case !seen || review:
		return codes.Review
	case accepted:
		return codes.Accepted
	case pending:
		return codes.Pending
	case info:
		return codes.Informational
	}
	return codes.Review
}

// Verdict returns the claim's verdict from its own STCs and those of all
// its lines: one rejected line rejects the claim.
func (c *Claim) Verdict() codes.Verdict {
	sts := [][]Status{c.Statuses}
	for _, l := range c.Lines {
		sts = append(sts, l.Statuses)
	}
	return Verdict(sts...)
}

// Verdict returns the line's verdict from its STCs.
func (l *Line) Verdict() codes.Verdict { return Verdict(l.Statuses) }

// Verdict returns the billing provider level verdict from its 2200C STCs
// (Review when it has none).
func (p *Provider) Verdict() codes.Verdict { return Verdict(p.Statuses) }

// Claims returns every claim of the acknowledgment in file order.
func (a *Acknowledgment) Claims() []*Claim {
	var out []*Claim
	for _, s := range a.Sources {
		for _, r := range s.Receivers {
			for _, p := range r.Providers {
				for _, pt := range p.Patients {
					out = append(out, pt.Claims...)
				}
			}
		}
	}
	return out
}

// Counts are the claim verdicts of an acknowledgment.
type Counts struct {
	Claims   int `json:"claim_count"`
	Accepted int `json:"claims_accepted"`
	Rejected int `json:"claims_rejected"`
	Pending  int `json:"claims_pending"` // pending or informational
	Review   int `json:"claims_review"`  // unknown or exception categories
}

// Counts tallies the verdicts of all claims.
func (a *Acknowledgment) Counts() Counts {
	var c Counts
	for _, cl := range a.Claims() {
		c.Claims++
		switch cl.Verdict() {
		case codes.Accepted:
			c.Accepted++
		case codes.Rejected:
			c.Rejected++
		case codes.Pending, codes.Informational:
			c.Pending++
		default:
			c.Review++
		}
	}
	return c
}
