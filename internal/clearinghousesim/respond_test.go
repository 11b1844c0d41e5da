package clearinghousesim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x999"
)

// TestGolden answers the fixture 837 and compares every response file and
// the report with testdata/golden/basic. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	r := newResponder(t, nil)
	drop(t, r, "basic.x12", fixture(t, "basic.x12"))
	rep := respond(t, r)
	wantOut := []string{"basic.999", "basic.277CA", "LRK60_000000003.835", "BHH47_000000004.835", "SKMD0_000000005.835"}
	if !slices.Equal(rep.Outputs, wantOut) {
		t.Fatalf("outputs = %v, want %v", rep.Outputs, wantOut)
	}
	dir := filepath.Join("testdata", "golden", "basic")
	files := map[string][]byte{}
	for _, name := range rep.Outputs {
		files[name] = output(t, r, name)
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	files["report.json"] = append(js, '\n')
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, got := range files {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (run go test -update to create the golden files)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", name, firstDiff(got, want))
		}
	}
}

// firstDiff shows the first segment where got and want differ.
func firstDiff(got, want []byte) string {
	g := strings.Split(string(got), "~")
	w := strings.Split(string(want), "~")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return "got:  " + strings.TrimSpace(a) + "\nwant: " + strings.TrimSpace(b)
		}
	}
	return "(same segments, different bytes)"
}

// TestFixtureOutcome pins the business decisions on the fixture,
// independently of the golden files.
func TestFixtureOutcome(t *testing.T) {
	r := newResponder(t, nil)
	drop(t, r, "basic.x12", fixture(t, "basic.x12"))
	rep := respond(t, r)
	got := map[string]string{}
	for _, c := range rep.Claims {
		got[c.PCN] = string(c.Status) + " " + c.Reason
	}
	want := map[string]string{
		"PCN1001": "paid ", "PCN1002": "paid ", "PCN1003": "denied ", "PCN1004": "paid ", "PCN1005": "paid ",
		"PCN1006": "rejected 277CA A7:164:IL", "PCN1007": "rejected 277CA A3:116", "PCN1008": "paid ",
		"PCN1009": "paid ", "PCN1010": "rejected 277CA A7:187", "PCN2001": "paid ", "PCN2002": "paid ",
	}
	for pcn, w := range want {
		if got[pcn] != w {
			t.Errorf("%s: %q, want %q", pcn, got[pcn], w)
		}
	}
	if rep.ClaimsAccepted != 9 || rep.ClaimsRejected != 3 || rep.ClaimsDenied != 1 || rep.LinesDenied != 2 || rep.Remittances != 5 {
		t.Errorf("counts = %+v", rep)
	}

	// What the pipeline's parsers make of the responses.
	pr := parseOutputs(t, r, rep)
	for pcn, w := range want {
		c := pr.claims[pcn]
		if c == nil {
			t.Errorf("%s missing from the 277CA", pcn)
			continue
		}
		wantVerdict := codes.Accepted
		if strings.HasPrefix(w, "rejected") {
			wantVerdict = codes.Rejected
		}
		if v := c.Verdict(); v != wantVerdict {
			t.Errorf("%s: 277CA verdict %v, want %v", pcn, v, wantVerdict)
		}
		if (wantVerdict == codes.Accepted) != (c.PayerClaimNumber != "") {
			t.Errorf("%s: REF*1K %q", pcn, c.PayerClaimNumber)
		}
	}
	if l := pr.claims["PCN1010"].Lines; len(l) != 2 || l[0].ControlNumber != "PCN1010-1" || l[0].Verdict() != codes.Rejected {
		t.Errorf("PCN1010 rejected lines = %+v", l)
	}
	if len(pr.acks) != 1 || pr.acks[0].Status != "A" || len(pr.acks[0].Sets) != 1 || !pr.acks[0].Sets[0].Accepted() {
		t.Errorf("999 = %+v", pr.acks)
	}
	ack := segments(t, output(t, r, "basic.277CA"))
	for _, want := range []string{
		"STC*A7:164:IL*20261128*U*160", "STC*A3:116*20261128*U*135", "STC*A7:187*20261128*U*210",
		"STC*A2:20*20261128*WQ*324", "TRN*2*PCN1001", "REF*1K*2633200000001", "REF*FJ*PCN1010-1",
		"QTY*90*9", "QTY*AA*3", "AMT*YU*2195.05", "AMT*YY*505",
	} {
		if !slices.Contains(ack, want) {
			t.Errorf("277CA has no %q", want)
		}
	}
	// The 835s hold exactly the accepted claims, balanced at every
	// level, and agree with the report.
	var paid, patient, charge x12.Amount
	var pcns []string
	for _, name := range rep.Outputs {
		if !strings.HasSuffix(name, ".835") {
			continue
		}
		rems, err := x835.Read(bytes.NewReader(output(t, r, name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, rem := range rems {
			checkRemittance(t, name, rem)
			paid += rem.Payment.Amount
			for _, c := range rem.Claims {
				patient += c.PatientResponsibility
				charge += c.Charge
				pcns = append(pcns, c.PatientControlNumber)
			}
		}
	}
	slices.Sort(pcns)
	wantPCNs := []string{"PCN1001", "PCN1002", "PCN1003", "PCN1004", "PCN1005", "PCN1008", "PCN1009", "PCN2001", "PCN2002"}
	if !slices.Equal(pcns, wantPCNs) {
		t.Errorf("835 claims = %v, want %v", pcns, wantPCNs)
	}
	if paid != rep.Paid || patient != rep.PatientResp || charge != rep.BilledAccepted {
		t.Errorf("835 totals paid %s PR %s charge %s; report says %s, %s, %s", paid, patient, charge, rep.Paid, rep.PatientResp, rep.BilledAccepted)
	}
	if rep.Allowed+rep.Contractual != rep.BilledAccepted || rep.Paid+rep.PatientResp != rep.Allowed {
		t.Errorf("report does not add up: allowed %s + CO %s vs billed %s; paid %s + PR %s vs allowed %s",
			rep.Allowed, rep.Contractual, rep.BilledAccepted, rep.Paid, rep.PatientResp, rep.Allowed)
	}
}

// checkRemittance checks one parsed 835 set: the three balancing levels
// (x835's own check), CLP05 = ΣPR, the denial status and the trace.
func checkRemittance(t *testing.T, file string, rem *x835.Remittance) {
	t.Helper()
	for _, e := range rem.Balance() {
		t.Errorf("%s: %v", file, e)
	}
	for _, w := range rem.Warnings {
		t.Errorf("%s: parser warning: %s", file, w.Message)
	}
	for _, c := range rem.Claims {
		var pr x12.Amount
		denied := 0
		for _, l := range c.Lines {
			for _, a := range l.Adjustments {
				if a.Group == "PR" {
					pr += a.Amount
				}
				if a.Group == "CO" && a.Reason == "50" {
					denied++
					if a.Amount != l.Charge || l.Paid != 0 || !slices.Contains(l.Remarks, "N386") {
						t.Errorf("%s: %s denied line: CO-50 %s of charge %s paid %s remarks %v", file, c.PatientControlNumber, a.Amount, l.Charge, l.Paid, l.Remarks)
					}
				}
			}
			if l.ControlNumber == "" || l.ServiceDate.IsZero() {
				t.Errorf("%s: %s line without REF*6R or DTM*472", file, c.PatientControlNumber)
			}
		}
		if pr != c.PatientResponsibility {
			t.Errorf("%s: %s CLP05 = %s, ΣPR = %s", file, c.PatientControlNumber, c.PatientResponsibility, pr)
		}
		if (denied == len(c.Lines)) != (c.Status == "4") {
			t.Errorf("%s: %s CLP02 = %s with %d of %d lines denied", file, c.PatientControlNumber, c.Status, denied, len(c.Lines))
		}
		if c.PayerClaimNumber == "" {
			t.Errorf("%s: %s has no CLP07", file, c.PatientControlNumber)
		}
	}
	if !strings.HasPrefix(rem.Payment.OriginatorID, "1") || len(rem.Payment.OriginatorID) != 10 || rem.Payment.Trace == "" {
		t.Errorf("%s: TRN = %q %q", file, rem.Payment.Trace, rem.Payment.OriginatorID)
	}
	if rem.Payee.IDQualifier != "XX" || rem.Payee.ID == "" || len(rem.Payer.Contacts) == 0 || rem.Payer.Contacts[0].Function != "BL" {
		t.Errorf("%s: payer/payee = %+v / %+v", file, rem.Payer, rem.Payee)
	}
}

// TestEnvelopeErrors feeds broken variants of the fixture and checks
// which responses come back and what they say.
func TestEnvelopeErrors(t *testing.T) {
	base := fixture(t, "basic.x12")
	st := strings.Index(base, "ST*837")
	se := strings.Index(base, "GE*1*101")
	setText := base[st:se]
	tests := []struct {
		name      string
		input     func(t *testing.T) string
		wantKinds []string
		wantSegs  []string // segments (prefixes) one of the outputs must hold
		wantSets  [2]int   // accepted, rejected
	}{
		{
			name:      "SE01 count wrong",
			input:     func(t *testing.T) string { return replace(t, base, "SE*222*0001", "SE*221*0001") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"AK2*837*0001*005010X222A1", "IK5*R*4", "AK9*R*1*1*0"},
			wantSets:  [2]int{0, 1},
		},
		{
			name:      "SE02 differs from ST02",
			input:     func(t *testing.T) string { return replace(t, base, "SE*222*0001", "SE*222*0009") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"IK5*R*3", "AK9*R*1*1*0"},
			wantSets:  [2]int{0, 1},
		},
		{
			name: "second set bad: partial acceptance",
			input: func(t *testing.T) string {
				second := strings.ReplaceAll(setText, "*0001", "*0002")
				second = replace(t, second, "SE*222*0002", "SE*5*0002")
				second = strings.ReplaceAll(second, "PCN", "QCN")
				s := strings.Replace(base, "GE*1*101", second+"GE*2*101", 1)
				return s
			},
			wantKinds: []string{"999", "277CA", "835", "835", "835"},
			wantSegs:  []string{"AK2*837*0001*005010X222A1", "IK5*A", "AK2*837*0002*005010X222A1", "IK5*R*4", "AK9*P*2*2*1"},
			wantSets:  [2]int{1, 1},
		},
		{
			name:      "GE01 count wrong rejects the group",
			input:     func(t *testing.T) string { return replace(t, base, "GE*1*101", "GE*2*101") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"AK1*HC*101*005010X222A1", "AK9*R*2*1*0*5"},
			wantSets:  [2]int{0, 1},
		},
		{
			name:      "GE02 differs from GS06",
			input:     func(t *testing.T) string { return replace(t, base, "GE*1*101", "GE*1*102") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"AK9*R*1*1*0*4"},
			wantSets:  [2]int{0, 1},
		},
		{
			// Trailer counts and control numbers are read as x12 reads
			// them: surrounding spaces do not make them differ.
			name: "trailers with spaces match their headers",
			input: func(t *testing.T) string {
				s := replace(t, base, "SE*222*0001", "SE* 222*0001 ")
				s = replace(t, s, "GE*1*101", "GE*1 * 101")
				return replace(t, s, "IEA*1*000000101", "IEA*1*000000101 ")
			},
			wantKinds: []string{"999", "277CA", "835", "835", "835"},
			wantSegs:  []string{"AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"},
			wantSets:  [2]int{1, 0},
		},
		{
			name:      "GE02 with spaces still differs from GS06",
			input:     func(t *testing.T) string { return replace(t, base, "GE*1*101", "GE*1* 102 ") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"AK9*R*1*1*0*4"},
			wantSets:  [2]int{0, 1},
		},
		{
			name:      "unsupported guide",
			input:     func(t *testing.T) string { return strings.ReplaceAll(base, "005010X222A1", "004010X098A1") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"AK9*R*1*1*0*2"},
			wantSets:  [2]int{0, 1},
		},
		{
			name:      "malformed claim charge",
			input:     func(t *testing.T) string { return replace(t, base, "CLM*PCN1002*276*", "CLM*PCN1002*27X*") },
			wantKinds: []string{"999"},
			wantSegs:  []string{"IK3*CLM*", "CTX*CLM01:PCN1002", "IK4*2*782*6*27X", "IK5*R*5"},
			wantSets:  [2]int{0, 1},
		},
		{
			name: "unknown segment ID",
			input: func(t *testing.T) string {
				s := replace(t, base, "HI*ABK:E119*ABF:I10~", "HI*ABK:E119*ABF:I10~\nzz*1~")
				return replace(t, s, "SE*222*0001", "SE*223*0001")
			},
			wantKinds: []string{"999"},
			wantSegs:  []string{"IK3*ZZ*21**1", "IK5*R*5"},
			wantSets:  [2]int{0, 1},
		},
		{
			name: "line without SV1",
			input: func(t *testing.T) string {
				s := replace(t, base, "SV1*HC:99214*195*UN*1***1~", "")
				return replace(t, s, "SE*222*0001", "SE*221*0001")
			},
			wantKinds: []string{"999"},
			wantSegs:  []string{"IK3*SV1*21*2400*3", "CTX*CLM01:PCN1001", "IK5*R*I5"},
			wantSets:  [2]int{0, 1},
		},
		{
			name:      "not X12",
			input:     func(t *testing.T) string { return "hello, this is not an 837\n" },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000000*261128*1430*R*022"},
		},
		{
			name:      "empty file",
			input:     func(t *testing.T) string { return "" },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000000*261128*1430*R*022"},
		},
		{
			name:      "IEA02 differs from ISA13",
			input:     func(t *testing.T) string { return replace(t, base, "IEA*1*000000101", "IEA*1*000000102") },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000101*261120*0930*R*001"},
		},
		{
			name:      "IEA01 count wrong",
			input:     func(t *testing.T) string { return replace(t, base, "IEA*1*000000101", "IEA*3*000000101") },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000101*261120*0930*R*021"},
		},
		{
			name:      "missing IEA",
			input:     func(t *testing.T) string { return replace(t, base, "IEA*1*000000101~", "") },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000101*261120*0930*R*023"},
		},
		{
			name:      "bad usage indicator",
			input:     func(t *testing.T) string { return replace(t, base, "*000000101*0*T*:~", "*000000101*0*X*:~") },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000101*261120*0930*R*020"},
		},
		{
			name:      "bad interchange date",
			input:     func(t *testing.T) string { return replace(t, base, "*261120*0930*^", "*261320*0930*^") },
			wantKinds: []string{"TA1"},
			wantSegs:  []string{"TA1*000000101*261128*0930*R*014"},
		},
		{
			name:      "ack requested",
			input:     func(t *testing.T) string { return replace(t, base, "*000000101*0*T*:~", "*000000101*1*T*:~") },
			wantKinds: []string{"TA1", "999", "277CA", "835", "835", "835"},
			wantSegs:  []string{"TA1*000000101*261120*0930*A*000", "IK5*A"},
			wantSets:  [2]int{1, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newResponder(t, nil)
			drop(t, r, "in.x12", tt.input(t))
			rep := respond(t, r)
			if got := kinds(rep.Outputs); !slices.Equal(got, tt.wantKinds) {
				t.Fatalf("outputs = %v, want kinds %v", rep.Outputs, tt.wantKinds)
			}
			var all []string
			for _, name := range rep.Outputs {
				all = append(all, segments(t, output(t, r, name))...)
			}
			pr := parseOutputs(t, r, rep)
			for _, a := range pr.acks {
				acc, rej := a.Counts()
				if acc != tt.wantSets[0] || rej != tt.wantSets[1] && len(a.GroupErrors) == 0 {
					t.Errorf("999 counts accepted %d rejected %d, want %v", acc, rej, tt.wantSets)
				}
			}
			for _, a := range pr.ta1s {
				if a.Rejected() != (tt.wantSets == [2]int{}) {
					t.Errorf("TA1 %+v", a)
				}
			}
			for _, w := range tt.wantSegs {
				if !hasSegment(all, w) {
					t.Errorf("no segment %q in:\n%s", w, strings.Join(all, "\n"))
				}
			}
			if rep.SetsAccepted != tt.wantSets[0] || rep.SetsRejected != tt.wantSets[1] {
				t.Errorf("sets accepted/rejected = %d/%d, want %d/%d", rep.SetsAccepted, rep.SetsRejected, tt.wantSets[0], tt.wantSets[1])
			}
			if tt.wantKinds[0] == "TA1" && len(tt.wantKinds) == 1 && rep.InterchangesRejected != 1 {
				t.Errorf("interchanges rejected = %d, want 1", rep.InterchangesRejected)
			}
			if rep.Files != 1 {
				t.Errorf("files = %d, want 1", rep.Files)
			}
			if _, err := os.Stat(filepath.Join(r.Root(), ProcessedDir, "in.x12")); err != nil {
				t.Errorf("837 not moved to processed: %v", err)
			}
			// Claims of rejected sets are reported, and never accepted.
			for _, c := range rep.Claims {
				if strings.HasPrefix(c.PCN, "QCN") && c.Status != ClaimAckRejected {
					t.Errorf("claim %s of the rejected set: %s", c.PCN, c.Status)
				}
			}
		})
	}
}

func TestDuplicateInterchangeIsRejected(t *testing.T) {
	r := newResponder(t, nil)
	base := fixture(t, "basic.x12")
	drop(t, r, "a.x12", base)
	drop(t, r, "b.x12", base)
	rep := respond(t, r)
	if got := kinds(rep.Outputs); !slices.Equal(got, []string{"999", "277CA", "TA1", "835", "835", "835"}) {
		t.Fatalf("outputs = %v", rep.Outputs)
	}
	if !hasSegment(segments(t, output(t, r, "b.TA1")), "TA1*000000101*261120*0930*R*025") {
		t.Error("second copy not rejected as a duplicate (025)")
	}
	// A new ISA13 from the same sender passes the envelope, but the same
	// claims again are duplicates (277CA A7:54): nothing is paid twice.
	drop(t, r, "c.x12", strings.ReplaceAll(base, "000000101", "000000102"))
	rep = respond(t, r)
	if got := kinds(rep.Outputs); !slices.Equal(got, []string{"999", "277CA"}) {
		t.Fatalf("outputs = %v", rep.Outputs)
	}
	if rep.ClaimsAccepted != 0 || !strings.Contains(string(output(t, r, "c.277CA")), "STC*A7:54*") {
		t.Errorf("claims sent again were not rejected as duplicates: %+v", rep)
	}
}

func TestUnknownReceiver(t *testing.T) {
	r := newResponder(t, func(c *Config) { c.ReceiverIDs = []string{"SOMEONEELSE"} })
	drop(t, r, "in.x12", fixture(t, "basic.x12"))
	rep := respond(t, r)
	if !slices.Equal(rep.Outputs, []string{"in.TA1"}) || !hasSegment(segments(t, output(t, r, "in.TA1")), "TA1*000000101*261120*0930*R*009") {
		t.Fatalf("outputs = %v, want in.TA1 with note 009", rep.Outputs)
	}
}

// TestDeterministic answers the same files on two fresh simulators and
// expects byte-identical responses.
func TestDeterministic(t *testing.T) {
	base := fixture(t, "basic.x12")
	run := func() map[string][]byte {
		r := newResponder(t, nil)
		drop(t, r, "1.x12", base)
		drop(t, r, "2.x12", "garbage")
		drop(t, r, "3.x12", strings.ReplaceAll(replace(t, base, "SE*222*0001", "SE*2*0001"), "000000101", "000000103"))
		drop(t, r, "4.x12", strings.ReplaceAll(base, "000000101", "000000104"))
		rep := respond(t, r)
		out := map[string][]byte{}
		for _, n := range rep.Outputs {
			out[n] = output(t, r, n)
		}
		js, _ := json.Marshal(rep)
		out["report"] = js
		return out
	}
	a, b := run(), run()
	if len(a) != len(b) {
		t.Fatalf("%d outputs, then %d", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs between runs", name)
		}
	}
}

func TestFileHandling(t *testing.T) {
	r := newResponder(t, nil)
	base := fixture(t, "basic.x12")
	drop(t, r, "upload.x12.part", base)
	drop(t, r, ".hidden.x12", base)
	if err := os.Mkdir(filepath.Join(r.Root(), InboundDir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	rep := respond(t, r)
	if rep.Files != 0 || len(rep.Outputs) != 0 {
		t.Fatalf("partial and hidden files were answered: %+v", rep)
	}
	// A name already taken gets a suffix, in outbound/ and processed/.
	drop(t, r, "b.x12", base)
	respond(t, r)
	drop(t, r, "b.x12", strings.ReplaceAll(base, "000000101", "000000102"))
	rep = respond(t, r)
	if !slices.Equal(rep.Outputs[:2], []string{"b-2.999", "b-2.277CA"}) {
		t.Errorf("outputs = %v, want b-2.999 and b-2.277CA first", rep.Outputs)
	}
	for _, n := range []string{"b.x12", "b-2.x12"} {
		if _, err := os.Stat(filepath.Join(r.Root(), ProcessedDir, n)); err != nil {
			t.Errorf("processed/%s: %v", n, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(r.Root(), OutboundDir))
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for _, name := range rep.Outputs {
		fi, err := os.Stat(filepath.Join(r.Root(), OutboundDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
		if m := fi.ModTime().Unix(); m <= last {
			t.Errorf("%s modified at %d, not after the previous response (%d)", name, m, last)
		} else {
			last = m
		}
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	for _, d := range []string{InboundDir, OutboundDir, ProcessedDir} {
		fi, err := os.Stat(filepath.Join(r.Root(), d))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v mode %v, want 0700", d, err, fi.Mode().Perm())
		}
	}
}

// TestWriteFailureLeavesNoTrace makes the outbound folder unusable: the
// 837 is taken in (its answers are recorded), no response and no
// temporary file is left, and once the folder is back the responses are
// exactly those of a run that never failed.
func TestWriteFailureLeavesNoTrace(t *testing.T) {
	r := newResponder(t, nil)
	base := fixture(t, "basic.x12")
	drop(t, r, "in.x12", base)
	out := filepath.Join(r.Root(), OutboundDir)
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, nil, 0o600); err != nil { // a file where the folder should be
		t.Fatal(err)
	}
	_, err := r.Respond(context.Background())
	if err == nil {
		t.Fatal("Respond succeeded with no outbound folder; want an error")
	}
	if strings.Contains(err.Error(), "OKAFOR") || strings.Contains(err.Error(), "MHP") {
		t.Errorf("error carries PHI: %v", err)
	}
	if n, _, err := r.Pending(context.Background()); err != nil || n != 5 {
		t.Fatalf("pending responses = %d, %v; want 5", n, err)
	}
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	rep := respond(t, r)
	if rep.Files != 0 {
		t.Fatalf("the 837 was answered again: %+v", rep)
	}
	fresh := newResponder(t, nil)
	drop(t, fresh, "in.x12", base)
	want := respond(t, fresh)
	got, _ := os.ReadDir(out)
	if len(got) != len(want.Outputs) {
		t.Fatalf("outbound holds %d files after recovery, want %v", len(got), want.Outputs)
	}
	for _, n := range want.Outputs {
		if !bytes.Equal(output(t, r, n), output(t, fresh, n)) {
			t.Errorf("%s differs from a run that never failed", n)
		}
	}
}

func TestRespondStopsOnCancel(t *testing.T) {
	r := newResponder(t, nil)
	drop(t, r, "in.x12", fixture(t, "basic.x12"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Respond(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Respond = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(r.Root(), InboundDir, "in.x12")); err != nil {
		t.Fatalf("837 was handled after cancel: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (&Config{}).Validate(); err == nil {
		t.Fatal("empty config validated")
	}
	good := DefaultConfig("/tmp/x")
	if err := good.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	tests := []struct {
		name  string
		mut   func(*Config)
		field string
	}{
		{"no root", func(c *Config) { c.Root = "" }, "Root"},
		{"long id", func(c *Config) { c.ID = "ABCDEFGHIJKLMNOP" }, "ID"},
		{"delimiter in id", func(c *Config) { c.ID = "A*B" }, "ID"},
		{"duplicate payer", func(c *Config) { c.Payers = append(c.Payers, c.Payers[0]) }, "Payers[3].ID"},
		{"bad tin", func(c *Config) { c.Payers[0].TIN = "12" }, "Payers[0].TIN"},
		{"ach without bank", func(c *Config) { c.Payers[1].Bank = nil }, "Payers[1].Bank"},
		{"bad method", func(c *Config) { c.Payers[0].Method = "WIRE" }, "Payers[0].Method"},
		{"coinsurance over 100%", func(c *Config) { c.Payers[0].Coinsurance = 10001 }, "Payers[0].Coinsurance"},
		{"negative fee", func(c *Config) { c.Payers[0].FeeSchedule["99213"] = -1 }, "Payers[0].FeeSchedule"},
		{"negative deductible", func(c *Config) { c.Payers[0].Deductibles["MHP482913056"] = -1 }, "Payers[0].Deductibles"},
		{"no payers", func(c *Config) { c.Payers = nil }, "Payers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig("/tmp/x")
			tt.mut(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tt.field)
			}
			if strings.Contains(err.Error(), "MHP482913056") {
				t.Errorf("error names a member ID: %v", err)
			}
		})
	}
}

// TestResponsesReadBack checks that every response of the fixture reads
// back as sound X12 (envelopes, counts, control numbers) with the
// guides' identifiers.
func TestResponsesReadBack(t *testing.T) {
	r := newResponder(t, func(c *Config) { c.FirstControlNumber = 500 })
	drop(t, r, "in.x12", replace(t, fixture(t, "basic.x12"), "*000000101*0*T*:~", "*000000101*1*T*:~"))
	rep := respond(t, r)
	wantGuide := map[string]string{"999": x999.Guide, "277CA": x277.Guide, "835": x835.Guide}
	for _, name := range rep.Outputs {
		rd := x12.NewReader(bytes.NewReader(output(t, r, name)))
		for {
			_, err := rd.Next()
			if err != nil {
				if err.Error() != "EOF" {
					t.Errorf("%s: %v", name, err)
				}
				break
			}
		}
		if errs := rd.Errors(); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
		isa := rd.Interchange()
		if isa.SenderID != "CLAIMSIM" || isa.ReceiverID != "CEDARVALLEY" || isa.Usage != "T" {
			t.Errorf("%s: ISA %+v", name, isa)
		}
		if n, ok := x12.ParseNumber(isa.ControlNumber); !ok || n < 500 {
			t.Errorf("%s: ISA13 %q, want from 500 up", name, isa.ControlNumber)
		}
		if g := wantGuide[strings.TrimPrefix(filepath.Ext(name), ".")]; g != "" && rd.Group().Version != g {
			t.Errorf("%s: GS08 %q, want %q", name, rd.Group().Version, g)
		}
	}
}

// TestLogsCarryNoPHI answers the fixture with a logger and checks that no
// name or member ID of the fixture reaches the log.
func TestLogsCarryNoPHI(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	r := newResponder(t, func(c *Config) { c.Logger = zap.New(core) })
	drop(t, r, "basic.x12", fixture(t, "basic.x12"))
	drop(t, r, "bad.x12", "garbage")
	respond(t, r)
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, e := range logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + fmt.Sprint(v)
		}
		for _, phi := range []string{"OKAFOR", "BEATRIX", "MHP482913056", "MHP000000000", "ALMENDAREZ", "XHB"} {
			if strings.Contains(line, phi) {
				t.Errorf("log line carries PHI %q: %s", phi, line)
			}
		}
	}
}
