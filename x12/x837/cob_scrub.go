package x837

import (
	"fmt"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Rule identifiers of coordination of benefits (scrubber and file
// validator). Stable, like the others.
const (
	RuleCOBBalance  = "cob-out-of-balance" // an earlier payer's adjudication does not balance against the claim
	RuleCOBOrder    = "cob-order"          // payer responsibility sequences repeat or clash with the claim's own
	RuleCOBLine     = "cob-line"           // a line adjudication names no service line, or one twice
	RuleCOBPayer    = "cob-payer"          // a 2430 SVD01 names no other payer of the claim (2330B NM109), or two of them
	RuleCOBAdjGroup = "cob-adjustment"     // an adjustment group or reason code is missing or not valid
)

// The code lists of 2320 SBR.
var (
	// otherRelationshipCodes are 2320 SBR02 values (PAT01 plus 18 self).
	otherRelationshipCodes = []string{"01", "18", "19", "20", "21", "39", "40", "53", "G8"}
	// insuranceTypes are 2320 SBR05 values (837P).
	insuranceTypes = []string{"12", "13", "14", "15", "16", "41", "42", "43", "47"}
)

// SequenceRank orders payer responsibility sequence codes (SBR01): P, S,
// T, then A to H (the fourth to eleventh payer); U (unknown) and anything
// else rank last.
func SequenceRank(code string) int {
	switch code {
	case "P":
		return 1
	case "S":
		return 2
	case "T":
		return 3
	}
	if len(code) == 1 && code[0] >= 'A' && code[0] <= 'H' {
		return 4 + int(code[0]-'A')
	}
	return 99
}

// otherCoverage checks the other coverages (2320/2330A/2330B) and, for
// each earlier payer's adjudication, its codes, dates, lines and balance.
func (s *scrubber) otherCoverage() {
	c := s.c
	own := orDefault(c.Subscriber.Responsibility, "P")
	if len(c.OtherCoverage) > 10 {
		s.add(RuleLength, fp("other_coverage", ""), 0, "2320", "SBR", "",
			fmt.Sprintf("other_coverage has %d entries; an 837 carries at most 10 other payers (loop 2320)", len(c.OtherCoverage)))
	}
	if !s.inst() {
		s.code(fp("subscriber", "insurance_type"), 0, "2000B", "SBR05", c.Subscriber.InsuranceType, false, insuranceTypes)
	}
	seen := map[string]int{}
	for i := range c.OtherCoverage {
		o := &c.OtherCoverage[i]
		pre := "other_coverage[" + strconv.Itoa(i) + "]"
		f := func(leaf string) fld { return fp(pre, leaf) }
		s.code(f("responsibility"), 0, "2320", "SBR01", o.Responsibility, true, responsibilityCodes)
		if r := o.Responsibility; r != "" {
			if r == own && r != "U" {
				s.add(RuleCOBOrder, f("responsibility"), 0, "2320", "SBR", "SBR01",
					fmt.Sprintf("%s is %q, the claim's own payer's sequence (subscriber.responsibility); each payer has its own place", f("responsibility"), r))
			} else if prev, dup := seen[r]; dup && r != "U" {
				s.add(RuleCOBOrder, f("responsibility"), 0, "2320", "SBR", "SBR01",
					fmt.Sprintf("%s %q is also other_coverage[%d]'s", f("responsibility"), r, prev))
			}
			seen[r] = i
		}
		s.code(f("relationship"), 0, "2320", "SBR02", o.Relationship, true, otherRelationshipCodes)
		s.str(f("group_number"), 0, "2320", "SBR03", o.GroupNumber, false, 1, 50)
		s.str(f("group_name"), 0, "2320", "SBR04", o.GroupName, false, 1, 60)
		if !s.inst() {
			s.code(f("insurance_type"), 0, "2320", "SBR05", o.InsuranceType, false, insuranceTypes)
		}
		s.code(f("filing_indicator"), 0, "2320", "SBR09", o.FilingIndicator, true, filingIndicators)
		s.person(fp(pre+".subscriber", ""), "2330A", &o.Subscriber.Person, false)
		s.str(fp(pre+".subscriber", "member_id"), 0, "2330A", "NM109", o.Subscriber.MemberID, true, 2, 80)
		s.str(fp(pre+".payer", "name"), 0, "2330B", "NM103", o.Payer.Name, true, 1, 60)
		s.str(fp(pre+".payer", "id"), 0, "2330B", "NM109", o.Payer.ID, true, 2, 80)
		if o.Payer.Address != nil {
			s.address(fp(pre+".payer", "address"), "2330B", o.Payer.Address, false)
		}
		// A 2430 names its payer by SVD01 = 2330B NM109: with two
		// adjudicating payers of one ID, a line adjudication belongs to
		// either (and the file validator balances both against it).
		for prev := range c.OtherCoverage[:i] {
			p := &c.OtherCoverage[prev]
			if o.Payer.ID != "" && p.Payer.ID == o.Payer.ID && sharedLineAdjudications(o, p) {
				s.add(RuleCOBPayer, fp(pre+".payer", "id"), 0, "2330B", "NM1", "NM109",
					fmt.Sprintf("%s.payer.id %q is also other_coverage[%d]'s, and a line adjudication (2430 SVD01) names its payer only by this ID: give each other payer its own ID", pre, safeCode(o.Payer.ID), prev))
				break
			}
		}
		if o.Adjudication != nil {
			s.adjudication(pre+".adjudication", o)
		} else if own != "U" && o.Responsibility != "" && SequenceRank(o.Responsibility) < SequenceRank(own) {
			s.add(RuleCOB, f("adjudication"), 0, "2320", "AMT", "AMT02",
				fmt.Sprintf("the claim goes to the %s payer (subscriber.responsibility), so the earlier %s payer's adjudication (%s) is required", own, o.Responsibility, f("adjudication")))
		}
	}
}

// sharedLineAdjudications reports whether two coverages both carry an
// adjudication and either adjudicated service lines (2430).
func sharedLineAdjudications(a, b *OtherCoverage) bool {
	return a.Adjudication != nil && b.Adjudication != nil &&
		(len(a.Adjudication.Lines) > 0 || len(b.Adjudication.Lines) > 0)
}

// adjudication checks one earlier payer's adjudication and its balance.
func (s *scrubber) adjudication(pre string, o *OtherCoverage) {
	c, a := s.c, o.Adjudication
	if a.Date.IsZero() {
		s.add(RuleRequired, fp(pre, "date"), 0, "2330B", "DTP", "DTP03", pre+".date (the adjudication or payment date, DTP*573) is required")
	} else {
		s.date(fp(pre, "date"), 0, "2330B", "DTP03", a.Date, true)
	}
	s.str(fp(pre, "payer_claim_number"), 0, "2330B", "REF02", a.PayerClaimNumber, false, 1, 50)
	s.adjustments(pre+".adjustments", 0, "2320", a.Adjustments)
	lineCAS := x12.Amount(0)
	done := map[int]int{}
	for k := range a.Lines {
		la := &a.Lines[k]
		lp := pre + ".lines[" + strconv.Itoa(k) + "]"
		if la.Line < 1 || la.Line > len(c.Lines) {
			s.add(RuleCOBLine, fp(lp, "line"), 0, "2430", "SVD", "",
				fmt.Sprintf("%s.line is %d; the claim has %d service line(s)", lp, la.Line, len(c.Lines)))
			continue
		}
		if prev, dup := done[la.Line]; dup {
			s.add(RuleCOBLine, fp(lp, "line"), la.Line, "2430", "SVD", "",
				fmt.Sprintf("line %d is adjudicated twice by this payer (also %s.lines[%d])", la.Line, pre, prev))
			continue
		}
		done[la.Line] = k
		if la.Procedure != "" && !ValidProcedureCode(la.Procedure) {
			s.add(RuleCode, fp(lp, "procedure"), la.Line, "2430", "SVD", "SVD03-2",
				fmt.Sprintf("%s %q is not a CPT or HCPCS code", lp+".procedure", safeCode(la.Procedure)))
		}
		if len(la.Modifiers) > 4 {
			s.add(RuleLength, fp(lp, "modifiers"), la.Line, "2430", "SVD", "SVD03-6", lp+".modifiers has more than four modifiers")
		}
		if !la.Date.IsZero() {
			s.date(fp(lp, "date"), la.Line, "2430", "DTP03", la.Date, true)
		}
		s.adjustments(lp+".adjustments", la.Line, "2430", la.Adjustments)
		sum := SumCAS(la.Adjustments)
		lineCAS += sum
		charge := c.Lines[la.Line-1].Charge
		if charge-sum != la.Paid {
			s.add(RuleCOBBalance, fp(lp, "paid"), la.Line, "2430", "SVD", "SVD02",
				fmt.Sprintf("line paid %s does not balance: the line charge %s less the line adjustments %s is %s", la.Paid, charge, sum, charge-sum))
		}
	}
	claimCAS := SumCAS(a.Adjustments)
	if want := c.TotalCharge - claimCAS - lineCAS; want != a.Paid {
		msg := fmt.Sprintf("paid %s (AMT*D) does not balance: the claim charge %s less the claim adjustments %s", a.Paid, c.TotalCharge, claimCAS)
		if len(a.Lines) > 0 {
			msg += fmt.Sprintf(" and the line adjustments %s", lineCAS)
		}
		s.add(RuleCOBBalance, fp(pre, "paid"), 0, "2320", "AMT", "AMT02", msg+fmt.Sprintf(" is %s", want))
	}
}

// adjustments checks CAS group and reason codes.
func (s *scrubber) adjustments(pre string, line int, loop string, as []CAS) {
	for j := range as {
		a := &as[j]
		p := pre + "[" + strconv.Itoa(j) + "]"
		switch {
		case a.Group == "":
			s.add(RuleCOBAdjGroup, fp(p, "group"), line, loop, "CAS", "CAS01", p+".group is required")
		case !inSorted(casGroups, a.Group):
			s.add(RuleCOBAdjGroup, fp(p, "group"), line, loop, "CAS", "CAS01",
				fmt.Sprintf("%s.group %q is not CO, CR, OA, PI or PR", p, safeCode(a.Group)))
		}
		if a.Reason == "" || len(a.Reason) > 5 {
			s.add(RuleCOBAdjGroup, fp(p, "reason"), line, loop, "CAS", "CAS02",
				fmt.Sprintf("%s.reason must be a claim adjustment reason code (1 to 5 characters)", p))
		}
		if a.Quantity != "" {
			if _, err := x12.ParseAmount([]byte(a.Quantity)); err != nil {
				s.add(RuleFormat, fp(p, "quantity"), line, loop, "CAS", "CAS04", p+".quantity is not a number")
			}
		}
	}
}
