package x837

import (
	"slices"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// The file validator's coordination-of-benefits rules: each earlier
// payer's adjudication balances against the claim, per line (SV102 or
// SV203 − Σ 2430 CAS = SVD02) and per claim (CLM02 − Σ 2320 CAS − Σ 2430
// CAS of that payer = AMT*D), and every 2430 names a payer of a 2330B.
// The state is one claim's; it is reset at each CLM.

type cobFile struct {
	// own is SBR01 of the claim's subscriber loop (2000B): the place of
	// the payer the claim goes to.
	own    string
	payers []cobPayer
	// byPayer sums the 2430 CAS of the claim by SVD01.
	byPayer map[string]*cobSum
	svd     cobLine // the open 2430
	charge  x12.Amount
	chargOK bool
}

type cobPayer struct {
	sbrPos  x12.Position
	seq     string // SBR01
	dtp573  bool   // 2330B DTP*573
	id      string
	amtPos  x12.Position
	amtD    x12.Amount
	hasAmt  bool
	ok      bool // every amount of the 2320 parsed
	claimAd x12.Amount
}

type cobSum struct {
	sum   x12.Amount
	ok    bool
	first x12.Position
	line  int
}

type cobLine struct {
	open     bool
	pos      x12.Position
	line     int
	payer    string
	paid     x12.Amount
	cas      x12.Amount
	ok       bool
	charge   x12.Amount
	chargeOK bool
}

func (v *fileValidator) cobReset() {
	k := &v.cob
	// own stays: it belongs to the subscriber loop, which claims share.
	k.payers = k.payers[:0]
	clear(k.byPayer)
	k.svd = cobLine{}
	k.charge, k.chargOK = 0, false
}

// cobSegment follows the segments the COB rules need.
func (v *fileValidator) cobSegment(s *x12.Segment, loop string) {
	k := &v.cob
	if s.ID() == "SBR" && loop == "2000B" {
		k.own = string(truncate(s.Element(1), 2))
	}
	if !v.c.open {
		return
	}
	switch s.ID() {
	case "SBR":
		if loop == "2320" {
			k.payers = append(k.payers, cobPayer{ok: true, sbrPos: v.pos, seq: string(truncate(s.Element(1), 2))})
		}
	case "DTP":
		if loop == "2330B" && string(s.Element(1)) == "573" && len(k.payers) > 0 {
			k.payers[len(k.payers)-1].dtp573 = true
		}
	case "AMT":
		if loop == "2320" && string(s.Element(1)) == "D" && len(k.payers) > 0 {
			p := &k.payers[len(k.payers)-1]
			a, err := x12.ParseAmount(s.Element(2))
			p.amtD, p.hasAmt, p.amtPos = a, true, v.pos
			p.ok = p.ok && err == nil
		}
	case "CAS":
		sum, ok := casSum(s)
		switch {
		case loop == "2320" && len(k.payers) > 0:
			p := &k.payers[len(k.payers)-1]
			p.claimAd += sum
			p.ok = p.ok && ok
		case loop == "2430" && k.svd.open:
			k.svd.cas += sum
			k.svd.ok = k.svd.ok && ok
		}
	case "NM1":
		if loop == "2330B" && string(s.Element(1)) == "PR" && len(k.payers) > 0 {
			k.payers[len(k.payers)-1].id = string(truncate(s.Element(9), 80))
		}
	case "LX":
		v.cobLineEnd()
		k.charge, k.chargOK = 0, false
	case "SV1", "SV2":
		el := 2
		if s.ID() == "SV2" {
			el = 3
		}
		a, err := x12.ParseAmount(s.Element(el))
		k.charge, k.chargOK = a, err == nil
	case "SVD":
		v.cobLineEnd()
		a, err := x12.ParseAmount(s.Element(2))
		k.svd = cobLine{open: true, pos: v.pos, line: v.c.lines, payer: string(truncate(s.Element(1), 80)),
			paid: a, ok: err == nil, charge: k.charge, chargeOK: k.chargOK}
	}
}

// casSum adds the amounts of a CAS segment (CAS03, 06, ... 18).
func casSum(s *x12.Segment) (x12.Amount, bool) {
	var sum x12.Amount
	for el := 3; el <= 18 && el <= s.Len(); el += 3 {
		if !s.Has(el) {
			continue
		}
		a, err := x12.ParseAmount(s.Element(el))
		if err != nil {
			return 0, false
		}
		sum += a
	}
	return sum, true
}

// cobLineEnd checks the open 2430 against its line and adds its
// adjustments to its payer's.
func (v *fileValidator) cobLineEnd() {
	k := &v.cob
	l := &k.svd
	if !l.open {
		return
	}
	l.open = false
	if l.ok && l.chargeOK && l.charge-l.cas != l.paid {
		v.emit(Problem{Rule: RuleCOBBalance, Loop: "2430", Segment: "SVD", Element: "SVD02", Pos: l.pos, SetControl: v.st02,
			Claim: v.c.pcn, Line: l.line,
			Message: "line paid " + l.paid.String() + " (SVD02) does not balance: the line charge " + l.charge.String() +
				" less the line adjustments " + l.cas.String() + " is " + (l.charge - l.cas).String()})
	}
	if k.byPayer == nil {
		k.byPayer = make(map[string]*cobSum)
	}
	sum := k.byPayer[l.payer]
	if sum == nil {
		if len(k.byPayer) >= 100 {
			return // far more payers than the guide allows (10): stop counting
		}
		sum = &cobSum{ok: true, first: l.pos, line: l.line}
		k.byPayer[l.payer] = sum
	}
	sum.sum += l.cas
	sum.ok = sum.ok && l.ok
}

// cobEnd checks the claim's balance for each earlier payer, at the end
// of the claim.
func (v *fileValidator) cobEnd() {
	v.cobLineEnd()
	c, k := &v.c, &v.cob
	ids := make(map[string]bool, len(k.payers))
	own := orDefault(k.own, "P")
	for i := range k.payers {
		p := &k.payers[i]
		ids[p.id] = true
		v.cobOrder(i, own)
		earlier := SequenceRank(p.seq) < SequenceRank(own)
		switch {
		case !p.hasAmt && earlier && k.own != "U":
			v.problemAt(p.sbrPos, SeverityError, RuleCOB, "2320", "SBR", "SBR01", c.pcn,
				"the claim goes to the "+k.own+" payer (2000B SBR01), so the earlier "+p.seq+" payer's paid amount (AMT*D) and adjustments are required")
		case p.hasAmt && k.byPayer[p.id] == nil && !p.dtp573:
			v.problemAt(p.amtPos, SeverityError, RuleCOB, "2330B", "DTP", "DTP03", c.pcn,
				"payer "+strconv.Quote(p.id)+" adjudicated the claim without line detail (no 2430): its 2330B needs the adjudication date (DTP*573)")
		}
		if !p.hasAmt || !p.ok || !c.clmOK {
			continue
		}
		lines := x12.Amount(0)
		msg := "paid " + p.amtD.String() + " (AMT*D) does not balance: the claim charge " + c.clm02.String() +
			" less the claim adjustments " + p.claimAd.String()
		if s := k.byPayer[p.id]; s != nil {
			if !s.ok {
				continue
			}
			lines = s.sum
			msg += " and the line adjustments " + lines.String()
		}
		if want := c.clm02 - p.claimAd - lines; want != p.amtD {
			v.problemAt(p.amtPos, SeverityError, RuleCOBBalance, "2320", "AMT", "AMT02", c.pcn,
				msg+" of payer "+strconv.Quote(p.id)+" is "+want.String())
		}
	}
	var stray []string
	for id := range k.byPayer {
		if !ids[id] {
			stray = append(stray, id)
		}
	}
	slices.Sort(stray)
	for _, id := range stray {
		if s := k.byPayer[id]; s != nil {
			v.emit(Problem{Rule: RuleCOBPayer, Loop: "2430", Segment: "SVD", Element: "SVD01", Pos: s.first, SetControl: v.st02,
				Claim: c.pcn, Line: s.line,
				Message: "SVD01 " + strconv.Quote(id) + " names no other payer of the claim (2330B NM109)"})
		}
	}
}

// cobOrder checks the payer responsibility sequence (SBR01) of the i-th
// 2320 against the claim's own (2000B) and the earlier 2320s: each payer
// has its own place, as the scrubber's cob-order rule says.
func (v *fileValidator) cobOrder(i int, own string) {
	k := &v.cob
	seq := k.payers[i].seq
	if seq == "" || seq == "U" {
		return
	}
	msg := ""
	if seq == own {
		msg = "SBR01 " + strconv.Quote(seq) + " is the claim's own payer's sequence (2000B SBR01); each payer has its own place"
	} else {
		for j := range k.payers[:i] {
			if k.payers[j].seq == seq {
				msg = "SBR01 " + strconv.Quote(seq) + " is also an earlier other payer's (2320 SBR01)"
				break
			}
		}
	}
	if msg != "" {
		v.problemAt(k.payers[i].sbrPos, SeverityError, RuleCOBOrder, "2320", "SBR", "SBR01", v.c.pcn, msg)
	}
}
