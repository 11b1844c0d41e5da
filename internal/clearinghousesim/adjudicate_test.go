package clearinghousesim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

func amt(s string) x12.Amount { return x12.MustAmount(s) }

func TestShareRoundsHalfUp(t *testing.T) {
	tests := []struct {
		a    string
		rate BasisPoints
		want string
	}{
		{"10.03", Percent(20), "2.01"}, // 2.006 → 2.01
		{"10.02", Percent(20), "2.00"}, // 2.004 → 2.00
		{"0.05", Percent(50), "0.03"},  // 0.025 → 0.03 (half up)
		{"0.15", Percent(10), "0.02"},  // 0.015 → 0.02
		{"0.14", Percent(10), "0.01"},  // 0.014 → 0.01
		{"100.05", Percent(70), "70.04"},
		{"-0.05", Percent(50), "-0.03"}, // half away from zero
		{"99.99", 0, "0"},
		{"99.99", 10000, "99.99"},
		{"99.99", 12000, "99.99"}, // clamped to 100 %
		{"99.99", -5, "0"},        // clamped to 0 %
		{"1.00", 1, "0"},          // 0.0001 → 0
		{"50.00", 1, "0.01"},      // 0.005 → 0.01
	}
	for _, tt := range tests {
		if got := Share(amt(tt.a), tt.rate); got != amt(tt.want) {
			t.Errorf("Share(%s, %v) = %s, want %s", tt.a, tt.rate, got, tt.want)
		}
	}
}

func TestBasisPointsString(t *testing.T) {
	for bp, want := range map[BasisPoints]string{2000: "20%", 6250: "62.5%", 1: "0.01%", 0: "0%", 10000: "100%"} {
		if got := bp.String(); got != want {
			t.Errorf("BasisPoints(%d).String() = %q, want %q", int(bp), got, want)
		}
	}
}

func TestParseUnits(t *testing.T) {
	tests := []struct {
		in     string
		want   Units
		ok     bool
		format string
	}{
		{"1", 1000, true, "1"},
		{"2.5", 2500, true, "2.5"},
		{".125", 125, true, "0.125"},
		{"4.000", 4000, true, "4"},
		{"10.10", 10100, true, "10.1"},
		{"1.2345", 0, false, ""},
		{"-1", 0, false, ""},
		{"", 0, false, ""},
		{".", 0, false, ""},
		{"1.2.3", 0, false, ""},
		{"1e3", 0, false, ""},
		{"1234567890123456", 0, false, ""},
	}
	for _, tt := range tests {
		got, ok := ParseUnits([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseUnits(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			continue
		}
		if ok && got.String() != tt.format {
			t.Errorf("Units(%d).String() = %q, want %q", got, got.String(), tt.format)
		}
	}
}

// testPayer is a payer with round figures, for adjudication tests.
func testPayer() *Payer {
	return &Payer{
		ID: "P1", Name: "Test Payer", FilingIndicator: "CI",
		FeeSchedule:    map[string]x12.Amount{"99213": amt("80.00"), "J3301": amt("1.85"), "90999": amt("500")},
		DefaultAllowed: Percent(60),
		Coinsurance:    Percent(20),
		NotCovered:     []string{"97110"},
	}
}

type lineIn struct {
	code   string
	charge string
	units  string
}

func testClaim(pcn string, lines ...lineIn) *Claim {
	c := &Claim{PCN: pcn, Subscriber: Party{Person: true, LastName: "DOE", FirstName: "JO", ID: "M1"}, PayerID: "P1"}
	for i, l := range lines {
		u, ok := ParseUnits([]byte(l.units))
		if !ok {
			panic("bad units " + l.units)
		}
		c.Lines = append(c.Lines, &Line{Number: i + 1, Qualifier: "HC", Procedure: l.code, Charge: amt(l.charge), Units: u,
			From: x12.Date{Year: 2026, Month: 11, Day: 2}, ControlNumber: fmt.Sprintf("%s-%d", pcn, i+1)})
		c.Charge += amt(l.charge)
	}
	return c
}

// casText renders a line's adjustments as "CO-45 20.00, PR-2 16.00".
func casText(l *x835.Line) string {
	var parts []string
	for _, a := range l.Adjustments {
		parts = append(parts, a.Group+"-"+a.Reason+" "+a.Amount.String())
	}
	return strings.Join(parts, ", ")
}

func TestAdjudicateLines(t *testing.T) {
	tests := []struct {
		name      string
		line      lineIn
		deduct    string
		wantPaid  string
		wantAllow string // "" when the line is denied
		wantCAS   string
		wantLeft  string
		wantLQ    string
	}{
		{name: "fee schedule", line: lineIn{"99213", "135.00", "1"}, deduct: "0",
			wantPaid: "64.00", wantAllow: "80.00", wantCAS: "CO-45 55.00, PR-2 16.00", wantLeft: "0"},
		{name: "fee per unit", line: lineIn{"J3301", "72.00", "4"}, deduct: "0",
			wantPaid: "5.92", wantAllow: "7.40", wantCAS: "CO-45 64.60, PR-2 1.48", wantLeft: "0"},
		{name: "fractional units round half up", line: lineIn{"J3301", "72.00", "0.5"}, deduct: "0",
			// 1.85 × 0.5 = 0.925 → 0.93; 20 % = 0.186 → 0.19
			wantPaid: "0.74", wantAllow: "0.93", wantCAS: "CO-45 71.07, PR-2 0.19", wantLeft: "0"},
		{name: "default percentage of charge", line: lineIn{"99499", "100.05", "1"}, deduct: "0",
			// 60 % of 100.05 = 60.03; 20 % = 12.006 → 12.01
			wantPaid: "48.02", wantAllow: "60.03", wantCAS: "CO-45 40.02, PR-2 12.01", wantLeft: "0"},
		{name: "fee above charge is capped at the charge", line: lineIn{"90999", "120.00", "1"}, deduct: "0",
			wantPaid: "96.00", wantAllow: "120.00", wantCAS: "PR-2 24.00", wantLeft: "0"},
		{name: "deductible takes all", line: lineIn{"99213", "135.00", "1"}, deduct: "200.00",
			wantPaid: "0", wantAllow: "80.00", wantCAS: "CO-45 55.00, PR-1 80.00", wantLeft: "120.00"},
		{name: "deductible takes part", line: lineIn{"99213", "135.00", "1"}, deduct: "30.00",
			// coinsurance on 50.00 = 10.00
			wantPaid: "40.00", wantAllow: "80.00", wantCAS: "CO-45 55.00, PR-1 30.00, PR-2 10.00", wantLeft: "0"},
		{name: "coinsurance rounding", line: lineIn{"99499", "10.03", "1"}, deduct: "0",
			// 60 % of 10.03 = 6.018 → 6.02; 20 % of 6.02 = 1.204 → 1.20
			wantPaid: "4.82", wantAllow: "6.02", wantCAS: "CO-45 4.01, PR-2 1.20", wantLeft: "0"},
		{name: "not covered", line: lineIn{"97110", "204.00", "3"}, deduct: "100.00",
			wantPaid: "0", wantAllow: "", wantCAS: "CO-50 204.00", wantLeft: "100.00", wantLQ: "N386"},
		{name: "zero charge", line: lineIn{"99213", "0", "1"}, deduct: "10.00",
			wantPaid: "0", wantAllow: "0", wantCAS: "", wantLeft: "10.00"},
	}
	p := testPayer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			left := amt(tt.deduct)
			c := Adjudicate(p, testClaim("C1", tt.line), &left)
			l := c.Lines[0]
			if l.Paid != amt(tt.wantPaid) {
				t.Errorf("paid = %s, want %s", l.Paid, tt.wantPaid)
			}
			switch {
			case tt.wantAllow == "" && l.Allowed != nil:
				t.Errorf("allowed = %s, want none (denied)", *l.Allowed)
			case tt.wantAllow != "" && (l.Allowed == nil || *l.Allowed != amt(tt.wantAllow)):
				t.Errorf("allowed = %v, want %s", l.Allowed, tt.wantAllow)
			}
			if got := casText(l); got != tt.wantCAS {
				t.Errorf("CAS = %q, want %q", got, tt.wantCAS)
			}
			if left != amt(tt.wantLeft) {
				t.Errorf("deductible left = %s, want %s", left, tt.wantLeft)
			}
			if got := strings.Join(l.Remarks, ","); got != tt.wantLQ {
				t.Errorf("remarks = %q, want %q", got, tt.wantLQ)
			}
			if errs := c.Balance("0001"); len(errs) > 0 {
				t.Errorf("claim does not balance: %v", errs)
			}
		})
	}
}

func TestAdjudicateClaims(t *testing.T) {
	p := testPayer()
	tests := []struct {
		name       string
		claim      *Claim
		wantStatus string
		wantPaid   string
		wantPR     string
	}{
		{"processed", testClaim("A", lineIn{"99213", "135", "1"}, lineIn{"97110", "68", "1"}), "1", "64.00", "16.00"},
		{"every line denied", testClaim("B", lineIn{"97110", "68", "1"}, lineIn{"97110", "136", "2"}), "4", "0", "0"},
		{"zero pay is not a denial", testClaim("C", lineIn{"99213", "0", "1"}), "1", "0", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var left x12.Amount
			c := Adjudicate(p, tt.claim, &left)
			if c.Status != tt.wantStatus || c.Paid != amt(tt.wantPaid) || c.PatientResponsibility != amt(tt.wantPR) {
				t.Errorf("CLP02/04/05 = %s/%s/%s, want %s/%s/%s", c.Status, c.Paid, c.PatientResponsibility,
					tt.wantStatus, tt.wantPaid, tt.wantPR)
			}
			if c.Charge != tt.claim.Charge || c.PatientControlNumber != tt.claim.PCN || c.FilingIndicator != "12" {
				t.Errorf("CLP01/03/06 = %s/%s/%s", c.PatientControlNumber, c.Charge, c.FilingIndicator)
			}
			if errs := c.Balance("0001"); len(errs) > 0 {
				t.Errorf("claim does not balance: %v", errs)
			}
		})
	}
}

// TestDeductibleSpansClaims adjudicates two claims of one member in order:
// the first uses part of the deductible, the second the rest.
func TestDeductibleSpansClaims(t *testing.T) {
	p := testPayer()
	left := amt("100.00")
	first := Adjudicate(p, testClaim("A", lineIn{"99213", "135", "1"}), &left)
	second := Adjudicate(p, testClaim("B", lineIn{"99213", "135", "1"}, lineIn{"99213", "135", "1"}), &left)
	third := Adjudicate(p, testClaim("C", lineIn{"99213", "135", "1"}), &left)
	got := []string{casText(first.Lines[0]), casText(second.Lines[0]), casText(second.Lines[1]), casText(third.Lines[0])}
	want := []string{
		"CO-45 55.00, PR-1 80.00",
		"CO-45 55.00, PR-1 20.00, PR-2 12.00",
		"CO-45 55.00, PR-2 16.00",
		"CO-45 55.00, PR-2 16.00",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: CAS = %q, want %q", i+1, got[i], want[i])
		}
	}
	if left != 0 {
		t.Errorf("deductible left = %s, want 0", left)
	}
	if first.Paid != 0 || second.Paid != amt("112.00") || first.PatientResponsibility != amt("80.00") {
		t.Errorf("paid %s and %s, PR %s; want 0, 112.00, 80.00", first.Paid, second.Paid, first.PatientResponsibility)
	}
}

func TestAdjudicateNames(t *testing.T) {
	p := testPayer()
	self := testClaim("A", lineIn{"99213", "135", "1"})
	c := Adjudicate(p, self, nil)
	if len(c.Names) != 1 || c.Names[0].Entity != "QC" || c.Names[0].ID != "M1" || c.Names[0].IDQualifier != "MI" {
		t.Errorf("self: names = %+v, want one QC with the member ID", c.Names)
	}
	dep := testClaim("B", lineIn{"99213", "135", "1"})
	dep.Patient = &Party{Person: true, LastName: "DOE", FirstName: "KID"}
	c = Adjudicate(p, dep, nil)
	if len(c.Names) != 2 || c.Names[0].Entity != "QC" || c.Names[0].ID != "" || c.Names[1].Entity != "IL" || c.Names[1].ID != "M1" {
		t.Errorf("dependent: names = %+v, want QC without ID then IL with the member ID", c.Names)
	}
	if Adjudicate(nil, dep, nil) != nil || Adjudicate(p, nil, nil) != nil {
		t.Error("Adjudicate with a nil payer or claim should return nil")
	}
}

// TestAdjudicatePayerRules: copays, bundling, timely filing and the
// random CO-16, with exact figures; every claim balances.
func TestAdjudicatePayerRules(t *testing.T) {
	nov2 := x12.Date{Year: 2026, Month: 11, Day: 2}
	tests := []struct {
		name       string
		payer      func(p *Payer)
		opts       adjOptions
		deduct     string
		lines      []lineIn
		wantStatus string
		wantCAS    []string // per line
		wantLQ     []string // per line, joined
		wantPaid   string
	}{
		{"copay then coinsurance", func(p *Payer) { p.Copays = map[string]x12.Amount{"99213": amt("25.00")} }, adjOptions{}, "10.00",
			[]lineIn{{"99213", "100", "1"}}, "1", []string{"CO-45 20.00, PR-1 10.00, PR-2 9.00, PR-3 25.00"}, []string{""}, "36.00"},
		{"copay above what is left", func(p *Payer) { p.Copays = map[string]x12.Amount{"99213": amt("90.00")} }, adjOptions{}, "",
			[]lineIn{{"99213", "100", "1"}}, "1", []string{"CO-45 20.00, PR-3 80.00"}, []string{""}, "0.00"},
		{"bundled into a billed visit", func(p *Payer) { p.Bundles = map[string][]string{"36415": {"99213"}} }, adjOptions{}, "",
			[]lineIn{{"99213", "100", "1"}, {"36415", "25", "1"}}, "1",
			[]string{"CO-45 20.00, PR-2 16.00", "CO-97 25.00"}, []string{"", "M15"}, "64.00"},
		{"bundle without its primary", func(p *Payer) { p.Bundles = map[string][]string{"36415": {"99214"}} }, adjOptions{}, "",
			[]lineIn{{"99213", "100", "1"}, {"36415", "25", "1"}}, "1",
			[]string{"CO-45 20.00, PR-2 16.00", "CO-45 10.00, PR-2 3.00"}, []string{"", ""}, "76.00"},
		{"timely filing", func(p *Payer) { p.TimelyFilingDays = 20 }, adjOptions{today: x12.Date{Year: 2026, Month: 11, Day: 23}}, "50.00",
			[]lineIn{{"99213", "100", "1"}, {"J3301", "10", "4"}}, "4", []string{"CO-29 100.00", "CO-29 10.00"}, []string{"", ""}, "0.00"},
		{"filed in time", func(p *Payer) { p.TimelyFilingDays = 20 }, adjOptions{today: x12.Date{Year: 2026, Month: 11, Day: 22}}, "",
			[]lineIn{{"99213", "100", "1"}}, "1", []string{"CO-45 20.00, PR-2 16.00"}, []string{""}, "64.00"},
		{"missing information", nil, adjOptions{missingInfo: true}, "",
			[]lineIn{{"99213", "100", "1"}}, "4", []string{"CO-16 100.00"}, []string{"M51 MA130"}, "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPayer()
			if tt.payer != nil {
				tt.payer(p)
			}
			left := amt("0")
			if tt.deduct != "" {
				left = amt(tt.deduct)
			}
			c := testClaim("C1", tt.lines...)
			for _, l := range c.Lines {
				l.From = nov2
			}
			oc := adjudicate(p, c, &left, tt.opts)
			if oc.Status != tt.wantStatus || oc.Paid != amt(tt.wantPaid) {
				t.Errorf("CLP02/04 = %s/%s, want %s/%s", oc.Status, oc.Paid, tt.wantStatus, tt.wantPaid)
			}
			for i, l := range oc.Lines {
				if got := casText(l); got != tt.wantCAS[i] {
					t.Errorf("line %d CAS = %q, want %q", i+1, got, tt.wantCAS[i])
				}
				if got := strings.Join(l.Remarks, " "); got != tt.wantLQ[i] {
					t.Errorf("line %d LQ = %q, want %q", i+1, got, tt.wantLQ[i])
				}
			}
			if errs := oc.Balance("0001"); len(errs) > 0 {
				t.Errorf("out of balance: %v", errs)
			}
		})
	}
}
