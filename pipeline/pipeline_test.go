package pipeline

import (
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
)

func amt(s string) x12.Amount { return x12.MustAmount(s) }

func adj(group, reason, a string) x835.Adjustment {
	return x835.Adjustment{Group: group, Reason: reason, Amount: amt(a)}
}

func TestAdjudication(t *testing.T) {
	line := func(charge, paid string, as ...x835.Adjustment) *x835.Line {
		return &x835.Line{Procedure: x835.Procedure{Code: "99213"}, Charge: amt(charge), Paid: amt(paid), Adjustments: as}
	}
	tests := []struct {
		name    string
		claim   *x835.Claim
		want    ClaimState
		denials int
	}{
		{"paid in full", &x835.Claim{Status: "1", Lines: []*x835.Line{line("100", "100")}}, StatePaid, 0},
		{"contractual reduction", &x835.Claim{Status: "1", Lines: []*x835.Line{line("100", "80", adj("CO", "45", "20"))}}, StatePaid, 0},
		{"all to the deductible is not a denial", &x835.Claim{Status: "1", Lines: []*x835.Line{line("100", "0", adj("PR", "1", "100"))}}, StatePaid, 0},
		{"capitated $0 with CO-24 is a denial of the line", &x835.Claim{Status: "1", Lines: []*x835.Line{line("100", "0", adj("CO", "24", "100"))}}, StateDenied, 1},
		{"one of two lines denied", &x835.Claim{Status: "1", Lines: []*x835.Line{line("100", "100"), line("50", "0", adj("CO", "50", "50"))}}, StatePartiallyPaid, 1},
		{"CLP02 4 denies", &x835.Claim{Status: "4", Lines: []*x835.Line{line("100", "0", adj("CO", "50", "100"))}}, StateDenied, 1},
		{"CLP02 4 without lines", &x835.Claim{Status: "4", Charge: amt("100"), Adjustments: []x835.Adjustment{adj("CO", "29", "100")}}, StateDenied, 1},
		{"reversal", &x835.Claim{Status: "22"}, StateReversed, 0},
		{"forwarded: informational", &x835.Claim{Status: "23"}, "", 0},
		{"predetermination: informational", &x835.Claim{Status: "25"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, denials := adjudication(tt.claim)
			if got != tt.want || len(denials) < tt.denials || (tt.denials == 0 && len(denials) != 0) {
				t.Errorf("adjudication = %q with %d denial reasons, want %q with %d", got, len(denials), tt.want, tt.denials)
			}
		})
	}
}

func TestMatchLine(t *testing.T) {
	d := x12.Date{Year: 2026, Month: 11, Day: 2}
	claim := &Claim{Lines: []ClaimLine{
		{ID: 11, ControlNumber: "L1", Procedure: "99213", Charge: amt("100"), ServiceDate: d},
		{ID: 12, ControlNumber: "L2", Procedure: "36415", Charge: amt("20"), ServiceDate: d},
		{ID: 13, ControlNumber: "L3", Procedure: "36415", Charge: amt("20"), ServiceDate: d},
		{ID: 14, ControlNumber: "L4", RevenueCode: "0450", Charge: amt("300")},
	}}
	tests := []struct {
		name string
		line x835.Line
		want int64
	}{
		{"by REF*6R", x835.Line{ControlNumber: "L2", Procedure: x835.Procedure{Code: "99999"}}, 12},
		{"by code, date and charge", x835.Line{Procedure: x835.Procedure{Code: "99213"}, Charge: amt("100"), ServiceDate: d}, 11},
		{"by the original code the payer changed", x835.Line{Procedure: x835.Procedure{Code: "99212"}, Original: &x835.Procedure{Code: "99213"}, Charge: amt("100")}, 11},
		{"by revenue code (NU)", x835.Line{Procedure: x835.Procedure{Qualifier: "NU", Code: "0450"}, Charge: amt("300")}, 14},
		{"no match goes to claim level", x835.Line{Procedure: x835.Procedure{Code: "80053"}, Charge: amt("100")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchLine(claim.Lines, &tt.line, make([]bool, len(claim.Lines))); got != tt.want {
				t.Errorf("matchLine = %d, want %d", got, tt.want)
			}
		})
	}
	// Two identical lines without REF*6R pair off one by one.
	used := make([]bool, len(claim.Lines))
	l := &x835.Line{Procedure: x835.Procedure{Code: "36415"}, Charge: amt("20"), ServiceDate: d}
	if a, b := matchLine(claim.Lines, l, used), matchLine(claim.Lines, l, used); a != 12 || b != 13 {
		t.Errorf("identical lines matched %d and %d, want 12 and 13", a, b)
	}
}

func TestClaimEntriesBalance(t *testing.T) {
	claim := &Claim{ID: 1, Lines: []ClaimLine{{ID: 11, ControlNumber: "L1", Charge: amt("100")}, {ID: 12, ControlNumber: "L2", Charge: amt("50")}}}
	// CLP04 = ΣSVC03 − claim-level CAS: the claim-level adjustment comes
	// out of the line payments.
	c := &x835.Claim{Status: "1", Charge: amt("150"), Paid: amt("110"), Adjustments: []x835.Adjustment{adj("CO", "253", "10")},
		Lines: []*x835.Line{
			{ControlNumber: "L1", Charge: amt("100"), Paid: amt("80"), Adjustments: []x835.Adjustment{adj("CO", "45", "20")}},
			{ControlNumber: "L2", Charge: amt("50"), Paid: amt("40"), Adjustments: []x835.Adjustment{adj("PR", "2", "10")}},
		}}
	var b Balance
	b.Add(&LedgerEntry{Kind: EntryCharge, Charge: amt("150")})
	es := appendClaimEntries(nil, claim.ID, claim.Lines, c, false, time.Time{})
	for i := range es {
		b.Add(&es[i])
	}
	if b.Payments != c.Paid || b.Insurance() != 0 || b.PatientResp != amt("10") {
		t.Errorf("balance %+v: payments must equal CLP04 %s and nothing stay open", b, c.Paid)
	}
	// One entry per service line, one at claim level.
	if len(es) != 3 || es[0].LineID != 11 || es[1].LineID != 12 || es[2].LineID != 0 {
		t.Fatalf("entries %+v: want lines 11, 12 and claim level", es)
	}
	if es[2].Payment != amt("-10") || es[2].Adjusted() != amt("10") || es[1].PatientResp() != amt("10") {
		t.Errorf("claim-level entry %+v / line 2 entry %+v", es[2], es[1])
	}
}

func TestTransitions(t *testing.T) {
	legal := [][2]ClaimState{
		{StateHeld, StateReady}, {StateReady, StateBatched}, {StateBatched, StateSubmitted},
		{StateSubmitted, StateAckRejected}, {StateAckAccepted, StateAccepted}, {StateAccepted, StateRejected},
		{StateSubmitted, StatePaid}, {StatePaid, StateReversed}, {StateReversed, StatePaid}, {StateRejected, StateReady},
		// A replacement in flight: the payer reverses the original.
		{StateSubmitted, StateReversed}, {StateAccepted, StateReversed},
		// A void completed by the reversal; a correction of an
		// adjudicated claim, or of one accepted with a claim number.
		{StateAccepted, StateVoided}, {StatePaid, StateReady}, {StateDenied, StateHeld}, {StateAccepted, StateReady},
	}
	illegal := [][2]ClaimState{
		{StateHeld, StateSubmitted}, {StatePaid, StateAckRejected}, {StateRejected, StatePaid},
		{StateBatched, StatePaid}, {StateClosed, StatePaid}, {StateVoided, StateReady}, {StateVoided, StatePaid},
		{StateSubmitted, StateReady}, {StateBatched, StateReversed}, {StateHeld, StateVoided}, {StateAckAccepted, StateReady},
	}
	for _, m := range legal {
		if !CanMove(m[0], m[1]) {
			t.Errorf("%s -> %s should be legal", m[0], m[1])
		}
	}
	for _, m := range illegal {
		if CanMove(m[0], m[1]) {
			t.Errorf("%s -> %s should be illegal", m[0], m[1])
		}
	}
}

func TestAgingBuckets(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	at := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	bal := func(ins, pat string) Balance {
		return Balance{Charge: amt(ins) + amt(pat), PatientResp: amt(pat)}
	}
	a := ageBalances([]ClaimBalance{
		{ClaimID: 1, PayerID: "P1", PayerName: "One", FirstSubmittedAt: at(30), Balance: bal("10", "0")},
		{ClaimID: 2, PayerID: "P1", PayerName: "One", FirstSubmittedAt: at(31), Balance: bal("20", "5")},
		{ClaimID: 3, PayerID: "P2", PayerName: "Two", FirstSubmittedAt: at(121), Balance: bal("40", "0")},
		{ClaimID: 4, PayerID: "P2", PayerName: "Two", Balance: bal("99", "0")}, // never submitted: not a receivable
	}, now)
	if len(a.Rows) != 3 {
		t.Fatalf("rows %+v, want P1, P2 and patients", a.Rows)
	}
	if got := a.Rows[0].Buckets; got[0] != amt("10") || got[1] != amt("20") {
		t.Errorf("P1 buckets %v: 30 days is 0-30, 31 days is 31-60", got)
	}
	if got := a.Rows[1].Buckets[4]; got != amt("40") {
		t.Errorf("P2 over 120: %s", got)
	}
	if a.Rows[2].PayerID != "" || a.Rows[2].Buckets[1] != amt("5") {
		t.Errorf("patient row %+v", a.Rows[2])
	}
	if a.Total.Total != amt("75") {
		t.Errorf("total %s, want 75.00", a.Total.Total)
	}
}

func TestFileNameAndPCN(t *testing.T) {
	pt := &Partner{SenderID: "MY CLINIC*1", ReceiverID: "CH"}
	now := time.Date(2026, 11, 28, 21, 5, 9, 0, time.UTC)
	if got := fileName(pt, x837.Institutional, "000000042", now); got != "MYCLINIC1_20261128_000000042_837I.x12" {
		t.Errorf("default file name %q", got)
	}
	pt.FileName = "{receiver}-{time}-{isa13}.{kind}"
	if got := fileName(pt, x837.Professional, "000000042", now); got != "CH-210509-000000042.837P" {
		t.Errorf("pattern file name %q", got)
	}
	if got := PCN(123456789012, 3); got != "C123456789012-3" || len(got) > 17 {
		t.Errorf("PCN %q", got)
	}
}
