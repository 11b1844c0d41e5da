package clearinghousesim

import (
	"slices"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// The adjustment reasons and remark the simulator uses.
const (
	reasonDeductible    = "1"     // PR-1
	reasonCoinsurance   = "2"     // PR-2
	reasonCopay         = "3"     // PR-3
	reasonMissingInfo   = "16"    // CO-16, missing information or billing error (needs a remark)
	reasonTimelyFiling  = "29"    // CO-29, the time limit for filing has expired
	reasonFeeSchedule   = "45"    // CO-45, charge above the fee schedule
	reasonNotCovered    = "50"    // CO-50, not covered / not medically necessary
	reasonBundled       = "97"    // CO-97, included in another service (bundled)
	remarkNotCovered    = "N386"  // LQ*HE, decision based on a national coverage determination
	remarkBundled       = "M15"   // separately billed services bundled
	remarkProcedure     = "M51"   // procedure code missing, incomplete or invalid
	remarkUnprocessable = "MA130" // incomplete or invalid information: submit a new claim
)

// adjOptions are the facts Adjudicate does not know by itself.
type adjOptions struct {
	today       x12.Date // the day the claim arrived; zero skips timely filing
	missingInfo bool     // the seed chose this claim for a CO-16 denial
}

// Adjudicate prices one claim that the payer accepted and returns its 835
// claim payment (2100 loop with its 2110 service lines). remaining is the
// member's remaining deductible; the deductible this claim uses is taken
// from it. The caller sets PayerClaimNumber and any dates.
//
// Per line, in the claim's order:
//
//   - A procedure bundled into another one billed on the claim
//     (p.Bundles) is denied: CO-97 for the whole charge, remark M15.
//   - A procedure in p.NotCovered is denied: CO-50 for the whole charge,
//     remark N386, nothing paid, no allowed amount.
//   - Otherwise allowed = p.FeeSchedule[procedure] × units (rounded half
//     up to the cent), or p.DefaultAllowed of the charge when the
//     procedure has no fee, capped at the charge. CO-45 = charge − allowed.
//   - Deductible (PR-1) = min(remaining, allowed); remaining decreases.
//   - Copay (PR-3) = min(p.Copays[procedure], allowed − deductible).
//   - Coinsurance (PR-2) = p.Coinsurance of (allowed − deductible −
//     copay), rounded half up to the cent (see Share).
//   - Paid = allowed − deductible − copay − coinsurance.
//
// CLP06 is the claim's filing indicator (or p.FilingIndicator) as the 835
// allows it (see remitFiling).
// Zero adjustments are left out. The claim status (CLP02) is 4 (denied)
// when every line is denied and 1 (processed as primary) otherwise;
// CLP03 is the claim charge, CLP04 the sum of line payments and CLP05 the
// sum of PR adjustments. Every line, the claim and hence any transaction
// built from such claims balance. Adjudicate never fails; a nil payer or
// claim yields nil.
func Adjudicate(p *Payer, c *Claim, remaining *x12.Amount) *x835.Claim {
	return adjudicate(p, c, remaining, adjOptions{})
}

// adjudicate is Adjudicate with the payer's denials that depend on more
// than the claim: timely filing (opts.today) and a random CO-16
// (opts.missingInfo); see Payer.
func adjudicate(p *Payer, c *Claim, remaining *x12.Amount, opts adjOptions) *x835.Claim {
	if p == nil || c == nil {
		return nil
	}
	var zero x12.Amount
	if remaining == nil {
		remaining = &zero
	}
	out := &x835.Claim{
		PatientControlNumber: c.PCN,
		Charge:               c.Charge,
		FilingIndicator:      c.Filing,
		FacilityType:         c.FacilityCode,
		Frequency:            c.Frequency,
	}
	if out.FilingIndicator == "" {
		out.FilingIndicator = p.FilingIndicator
	}
	out.FilingIndicator = remitFiling(out.FilingIndicator)
	out.Names = claimNames(c)
	denied := 0
	deny := denial{}
	if from, _ := c.serviceDates(); p.TimelyFilingDays > 0 && !opts.today.IsZero() && !from.IsZero() &&
		from.Time().AddDate(0, 0, p.TimelyFilingDays).Before(opts.today.Time()) {
		deny = denial{reason: reasonTimelyFiling}
	} else if opts.missingInfo {
		deny = denial{reason: reasonMissingInfo, remarks: []string{remarkProcedure, remarkUnprocessable}}
	}
	for _, l := range c.Lines {
		var ol *x835.Line
		switch {
		case deny.reason != "":
			ol = deniedLine(l, deny)
		case bundledInto(p, c, l):
			ol = deniedLine(l, denial{reason: reasonBundled, remarks: []string{remarkBundled}})
		default:
			ol = adjudicateLine(p, l, remaining)
		}
		if ol.Allowed == nil {
			denied++
		}
		out.Paid += ol.Paid
		for _, a := range ol.Adjustments {
			if a.Group == "PR" {
				out.PatientResponsibility += a.Amount
			}
		}
		out.Lines = append(out.Lines, ol)
	}
	out.Status = "1"
	if len(c.Lines) > 0 && denied == len(c.Lines) {
		out.Status = "4"
	}
	return out
}

// denial is a contractual denial of a whole line.
type denial struct {
	reason  string
	remarks []string
}

// bundledInto reports whether the line's procedure is bundled into
// another procedure billed on the same claim.
func bundledInto(p *Payer, c *Claim, l *Line) bool {
	primaries := p.Bundles[l.Procedure]
	if len(primaries) == 0 {
		return false
	}
	for _, o := range c.Lines {
		if o != l && slices.Contains(primaries, o.Procedure) {
			return true
		}
	}
	return false
}

// deniedLine denies the whole charge of a line with a CO reason.
func deniedLine(l *Line, d denial) *x835.Line {
	ol := lineBase(l)
	ol.Adjustments = []x835.Adjustment{{Group: "CO", Reason: d.reason, Amount: l.Charge}}
	ol.Remarks = slices.Clone(d.remarks)
	return ol
}

func lineBase(l *Line) *x835.Line {
	ol := &x835.Line{
		Procedure:     svcProcedure(l),
		Charge:        l.Charge,
		ServiceDate:   l.From,
		ControlNumber: l.ControlNumber,
	}
	if l.Qualifier != "" && l.RevenueCode != "" {
		ol.RevenueCode = l.RevenueCode
	}
	if l.Units != 1000 {
		ol.Units = l.Units.String()
	}
	if !l.To.IsZero() && l.To != l.From {
		ol.ServiceDateEnd = l.To
	}
	return ol
}

// adjudicateLine prices one line; see Adjudicate.
func adjudicateLine(p *Payer, l *Line, remaining *x12.Amount) *x835.Line {
	if slices.Contains(p.NotCovered, l.Procedure) {
		return deniedLine(l, denial{reason: reasonNotCovered, remarks: []string{remarkNotCovered}})
	}
	ol := lineBase(l)
	allowed := Share(l.Charge, p.DefaultAllowed)
	if fee, ok := p.FeeSchedule[l.Procedure]; ok && l.Procedure != "" {
		allowed = l.Units.times(fee)
	}
	allowed = min(allowed, l.Charge)
	allowed = max(allowed, 0)
	ded := min(*remaining, allowed)
	ded = max(ded, 0)
	*remaining -= ded
	copay := min(max(p.Copays[l.Procedure], 0), allowed-ded)
	coins := Share(allowed-ded-copay, p.Coinsurance)
	ol.Paid = allowed - ded - copay - coins
	ol.Allowed = &allowed
	add := func(group, reason string, amt x12.Amount) {
		if amt != 0 {
			ol.Adjustments = append(ol.Adjustments, x835.Adjustment{Group: group, Reason: reason, Amount: amt})
		}
	}
	add("CO", reasonFeeSchedule, l.Charge-allowed)
	add("PR", reasonDeductible, ded)
	add("PR", reasonCoinsurance, coins)
	add("PR", reasonCopay, copay)
	return ol
}

// remitFiling maps a claim filing indicator (837 SBR09) to one the 835
// allows in CLP06: the codes both know stay; commercial (CI) and Blue
// Cross Blue Shield (BL) plans are reported as PPO (12); anything else as
// mutually defined (ZZ).
func remitFiling(code string) string {
	switch code {
	case "12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC":
		return code
	case "CI", "BL":
		return "12"
	}
	return "ZZ"
}

// svcProcedure is SVC01: the submitted procedure, or the revenue code
// (qualifier NU) for an institutional line without one.
func svcProcedure(l *Line) x835.Procedure {
	if l.Qualifier == "" || l.Procedure == "" {
		return x835.Procedure{Qualifier: "NU", Code: l.RevenueCode}
	}
	return x835.Procedure{Qualifier: l.Qualifier, Code: l.Procedure, Modifiers: slices.Clone(l.Modifiers)}
}

// claimNames returns the 2100 NM1 segments: the patient (QC), and the
// insured (IL) when the patient is a dependent.
func claimNames(c *Claim) []x835.Name {
	sub := c.Subscriber
	qual := c.subscriberQual
	if qual == "" {
		qual = "MI"
	}
	if c.Patient == nil {
		return []x835.Name{{Entity: "QC", EntityType: "1", LastName: sub.LastName, FirstName: sub.FirstName,
			IDQualifier: qual, ID: sub.ID}}
	}
	pt := c.Patient
	entity := "1"
	if !sub.Person {
		entity = "2"
	}
	return []x835.Name{
		{Entity: "QC", EntityType: "1", LastName: pt.LastName, FirstName: pt.FirstName},
		{Entity: "IL", EntityType: entity, LastName: sub.LastName, FirstName: sub.FirstName, IDQualifier: qual, ID: sub.ID},
	}
}
