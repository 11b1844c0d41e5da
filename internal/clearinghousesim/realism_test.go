package clearinghousesim

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
)

// TestRealisticAnswers runs the fixture through payers configured for
// each realistic behaviour and looks for its mark in the responses. Every
// 835 must balance at line, claim and transaction level.
func TestRealisticAnswers(t *testing.T) {
	larkspur := func(mut func(p *Payer)) func(c *Config) {
		return func(c *Config) {
			for i := range c.Payers {
				mut(&c.Payers[i])
			}
		}
	}
	tests := []struct {
		name string
		mut  func(*Config)
		want []string // segments (prefixes) that must appear
		kind string   // the ack kind, default 999
	}{
		{"copay", larkspur(func(p *Payer) { p.Copays = map[string]x12.Amount{"99213": x12.MustAmount("25.00")} }), []string{"CAS*PR*2*", "*3*25~"}, ""},
		{"timely filing", larkspur(func(p *Payer) { p.TimelyFilingDays = 1 }), []string{"CAS*CO*29*", "CLP*PCN1001*4*"}, ""},
		{"bundling", larkspur(func(p *Payer) { p.Bundles = map[string][]string{"36415": {"99213", "99214", "99215", "99393"}} }), []string{"CAS*CO*97*", "LQ*HE*M15"}, ""},
		{"missing information", larkspur(func(p *Payer) { p.MissingInfo = 10000 }), []string{"CAS*CO*16*", "LQ*HE*M51", "LQ*HE*MA130"}, ""},
		{"interest", larkspur(func(p *Payer) { p.Interest = 10000 }), []string{"PLB*1647293053*20261231*L6:"}, ""},
		{"recoupment", larkspur(func(p *Payer) { p.Recoupment = 10000 }), []string{"PLB*1647293053*20261231*WO:"}, ""},
		{"subscriber not found", func(c *Config) { c.Rejections.SubscriberNotFound = 10000 }, []string{"STC*A7:164:IL*20261128*U*", "*A7:33~"}, ""},
		{"NPI not on file", func(c *Config) { c.Rejections.NPINotOnFile = 10000 }, []string{"STC*A7:21:85*20261128*U*", "*A7:562:85~"}, ""},
		{"diagnosis invalid", func(c *Config) { c.Rejections.DiagnosisInvalid = 10000 }, []string{"STC*A7:21*20261128*U*", "*A7:255~"}, ""},
		{"997", func(c *Config) { c.AckFormat = "997" }, []string{"*00401*000000001*0*T*:~", "GS*FA*CLAIMSIM*CEDARVALLEY*20261128*1430*1*X*004010~", "ST*997*0001~", "AK1*HC*101~", "AK2*837*0001~", "AK5*A", "AK9*A*1*1*1"}, "997"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newResponder(t, tt.mut)
			defer r.Close()
			drop(t, r, "in.x12", fixture(t, "basic.x12"))
			rep := respond(t, r)
			kind := tt.kind
			if kind == "" {
				kind = "999"
			}
			if k := kinds(rep.Outputs); len(k) == 0 || k[0] != kind {
				t.Fatalf("outputs = %v, want a %s first", rep.Outputs, kind)
			}
			var all strings.Builder
			for _, n := range rep.Outputs {
				all.Write(output(t, r, n))
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("no %q in the responses", w)
				}
			}
			checkBalanced(t, parseOutputs(t, r, rep))
		})
	}
}

func checkBalanced(t *testing.T, p parsed) {
	t.Helper()
	for _, rem := range p.rems {
		for _, e := range rem.Balance() {
			t.Errorf("835 out of balance: %v", e)
		}
	}
}

// TestReplacementAndVoid: a replacement (CLM05-3 = 7) with REF*F8 is
// answered with the reversal of the earlier payment (CLP02 22, amounts
// negated) and a new payment; a void (8) with a reversal only; a
// replacement of a claim the payer never saw is rejected (A4:35).
func TestReplacementAndVoid(t *testing.T) {
	r := newResponder(t, nil)
	defer r.Close()
	base := fixture(t, "basic.x12")
	drop(t, r, "a.x12", base)
	first := parseOutputs(t, r, respond(t, r))
	icn := first.claims["PCN1001"].PayerClaimNumber
	if icn == "" {
		t.Fatal("PCN1001 has no payer claim number")
	}
	resend := func(name, isa13, freq, ref string) parsed {
		s := strings.ReplaceAll(base, "000000101", isa13)
		s = replace(t, s, "CLM*PCN1001*324***11:B:1*Y*A*Y*Y~", "CLM*PCN1001*324***11:B:"+freq+"*Y*A*Y*Y~"+ref)
		if ref != "" {
			s = replace(t, s, "SE*222*0001", "SE*223*0001")
		}
		drop(t, r, name, s)
		rep := respond(t, r)
		p := parseOutputs(t, r, rep)
		checkBalanced(t, p)
		return p
	}
	p := resend("b.x12", "000000102", "7", "REF*F8*"+icn+"~")
	var clp []string
	for _, rem := range p.rems {
		for _, c := range rem.Claims {
			if c.PatientControlNumber == "PCN1001" {
				clp = append(clp, c.Status+" "+c.Charge.String()+" "+c.Paid.String())
			}
		}
	}
	if len(clp) != 2 || clp[0] != "22 -324.00 -47.20" || clp[1] != "1 324.00 47.20" {
		t.Errorf("replacement answered with %v, want the reversal then the new payment", clp)
	}
	// The other claims of the file are duplicates: the replacement alone
	// reaches the 835.
	if c := p.claims["PCN1002"]; c == nil || !strings.Contains(c.Statuses[0].Codes[0].Category+":"+c.Statuses[0].Codes[0].Status, "A7:54") {
		t.Errorf("PCN1002 sent again was not rejected as a duplicate")
	}
	p = resend("c.x12", "000000103", "8", "")
	clp = nil
	for _, rem := range p.rems {
		for _, c := range rem.Claims {
			clp = append(clp, c.PatientControlNumber+" "+c.Status+" "+c.Paid.String())
		}
		if len(rem.ProviderAdjustments) != 1 || rem.ProviderAdjustments[0].Reason != "FB" || rem.Payment.Amount != 0 {
			t.Errorf("a void-only payment needs a forwarding balance and BPR02 0: %+v %+v", rem.ProviderAdjustments, rem.Payment)
		}
	}
	if len(clp) != 1 || clp[0] != "PCN1001 22 -47.20" {
		t.Errorf("void answered with %v, want the reversal of the replacement only", clp)
	}
	p = resend("d.x12", "000000104", "7", "REF*F8*2633299999999~")
	if c := p.claims["PCN1001"]; c == nil || c.Statuses[0].Codes[0].Category != "A4" {
		t.Errorf("a replacement of an unknown claim was not rejected A4:35")
	}
}

// TestPaymentsGroupedByPayerAndDate: claims of several 837s that a payer
// pays on the same day come in one 835 per payer, one payment (check or
// EFT) per billing provider; a later payment date gets its own 835.
func TestPaymentsGroupedByPayerAndDate(t *testing.T) {
	clk := &testClock{t: testNow()} // 14:30
	r := newResponder(t, func(c *Config) {
		c.Now = clk.now
		c.BatchPayments = true
		c.Timing = Timing{Ack: time.Minute, ClaimAck: time.Hour, Remit: 48 * time.Hour}
	})
	defer r.Close()
	base := fixture(t, "basic.x12")
	file := func(name, isa13, pcn string) {
		drop(t, r, name, strings.ReplaceAll(strings.ReplaceAll(base, "000000101", isa13), "PCN", pcn))
		respond(t, r)
	}
	file("a.x12", "000000101", "PCN")
	clk.advance(time.Hour) // 15:30, same payment date
	file("b.x12", "000000102", "QCN")
	clk.advance(12 * time.Hour) // 03:30 the next day: a later payment date
	file("c.x12", "000000103", "RCN")
	clk.advance(36 * time.Hour) // the first payment date, 15:30
	rep := respond(t, r)
	if got := kinds(rep.Outputs); !slices.Equal(got, []string{"835", "835", "835"}) {
		t.Fatalf("first payment run: %v, want one 835 per payer", rep.Outputs)
	}
	p := parseOutputs(t, r, rep)
	checkBalanced(t, p)
	pcns := map[string]bool{}
	for _, rem := range p.rems {
		if rem.Payment.Date != x12.DateOf(testNow().Add(48*time.Hour)) {
			t.Errorf("BPR16 = %s", rem.Payment.Date)
		}
		for _, c := range rem.Claims {
			pcns[c.PatientControlNumber[:3]] = true
		}
	}
	if !pcns["PCN"] || !pcns["QCN"] || pcns["RCN"] {
		t.Errorf("claims paid in the first run: %v, want those of a.x12 and b.x12 only", pcns)
	}
	clk.advance(13 * time.Hour)
	if rep := respond(t, r); len(kinds(rep.Outputs)) != 3 {
		t.Errorf("second payment run: %v", rep.Outputs)
	}
	if n, _, _ := r.Pending(context.Background()); n != 0 {
		t.Errorf("%d still pending", n)
	}
}
