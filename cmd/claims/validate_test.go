package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/validate"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x999"
)

const testISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*ACMEBILL       *251003*1200*^*00501*000000101*0*T*:~"

// env835 wraps 835 set content (from BPR to before SE) in an envelope.
func env835(isa, body string) string {
	n := strings.Count(body, "~") + 2
	return isa + "GS*HP*PAYER*ACMEBILL*20251003*1200*101*X*005010X221A1~ST*835*0001~" + body +
		fmt.Sprintf("SE*%d*0001~GE*1*101~IEA*1*000000101~", n)
}

// balanced835 is a small 835 that balances at every level; payer is the
// payer name and pcn the claim's CLP01.
func balanced835(payer, pcn string) string {
	return "BPR*I*80*C*CHK************20251003~TRN*1*CHK1*1999999999~" +
		"N1*PR*" + payer + "~N3*1 PLAN WAY~N4*SPRINGFIELD*IL*62701~" +
		"N1*PE*ACME CLINIC*XX*1999999984~" +
		"LX*1~CLP*" + pcn + "*1*100*80**12*PCN1~" +
		"SVC*HC:99213*100*80~CAS*CO*45*20~"
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type validateOutput struct {
	File     string             `json:"file"`
	Valid    bool               `json:"valid"`
	Errors   int                `json:"errors"`
	Problems []validate.Problem `json:"problems"`
}

// findProblem returns the first problem with the rule, or nil.
func findProblem(out validateOutput, rule string) *validate.Problem {
	for i := range out.Problems {
		if out.Problems[i].Rule == rule {
			return &out.Problems[i]
		}
	}
	return nil
}

// ourWriters writes each response kind with our own writers, from the
// repository's samples read back with our parsers.
func ourWriters(t *testing.T) map[string]string {
	t.Helper()
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	isa := x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "PAYER", ReceiverQualifier: "ZZ", ReceiverID: "ACMEBILL",
		Date: "251003", Time: "1200", Version: "00501", ControlNumber: "000000007", AckRequested: "0", Usage: "T"}
	gs := x12.GroupHeader{SenderCode: "PAYER", ReceiverCode: "ACMEBILL", Date: "20251003", Time: "1200", ControlNumber: "7", Agency: "X"}
	out := map[string]string{}
	var b bytes.Buffer
	rems, err := x835.Read(bytes.NewReader(read("x12/x835/testdata/sample.835")))
	if err != nil {
		t.Fatal(err)
	}
	if err := x835.WriteInterchange(&b, isa, gs, rems...); err != nil {
		t.Fatal(err)
	}
	out["835"] = b.String()
	b.Reset()
	acks, err := x999.Read(bytes.NewReader(read("x12/x999/testdata/sample.999")))
	if err != nil {
		t.Fatal(err)
	}
	if err := x999.WriteInterchange(&b, isa, gs, acks...); err != nil {
		t.Fatal(err)
	}
	out["999"] = b.String()
	b.Reset()
	cas, err := x277.Read(bytes.NewReader(read("x12/x277/testdata/sample.277")))
	if err != nil {
		t.Fatal(err)
	}
	if err := x277.WriteInterchange(&b, isa, gs, cas...); err != nil {
		t.Fatal(err)
	}
	out["277CA"] = b.String()
	b.Reset()
	tas, err := ta1.Read(bytes.NewReader(read("x12/report/testdata/sample.ta1")))
	if err != nil {
		t.Fatal(err)
	}
	if err := ta1.WriteInterchange(&b, isa, tas...); err != nil {
		t.Fatal(err)
	}
	out["TA1"] = b.String()
	return out
}

// Every kind validates clean on the repository's samples and on files our
// own writers produce.
func TestValidateCleanFiles(t *testing.T) {
	files := map[string]string{}
	for _, p := range []string{"x12/x835/testdata/sample.835", "x12/x999/testdata/sample.999", "x12/x277/testdata/sample.277",
		"x12/report/testdata/sample.ta1", "x12/x837/testdata/professional.x12", "x12/x837/testdata/institutional.x12"} {
		files[p] = filepath.Join("..", "..", p)
	}
	for kind, content := range ourWriters(t) {
		files["written "+kind] = writeTemp(t, kind+".x12", content)
	}
	files["built 835"] = writeTemp(t, "b.835", env835(testISA, balanced835("EXAMPLE PLAN", "PCN1")))
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var out validateOutput
			runJSONCode(t, exitOK, &out, "validate", "--json", files[name])
			if !out.Valid || out.Errors != 0 {
				t.Errorf("not valid: %+v", out.Problems)
			}
			for _, p := range out.Problems {
				if p.Severity == validate.Error {
					t.Errorf("error: %s", p.Text())
				}
			}
		})
	}
}

func TestValidateProblems(t *testing.T) {
	claimOff := strings.Replace(balanced835("EXAMPLE PLAN", "PCN1"), "CLP*PCN1*1*100*80", "CLP*PCN1*1*100*85", 1)
	claimOff = strings.Replace(claimOff, "SVC*HC:99213*100*80", "SVC*HC:99213*100*85", 1)
	claimOff = strings.Replace(claimOff, "CAS*CO*45*20", "CAS*CO*45*15", 1)           // the line balances: 100 - 15 = 85
	claimOff = strings.Replace(claimOff, "CLP*PCN1*1*100*85", "CLP*PCN1*1*100*90", 1) // the claim does not (85, stated 90), nor BPR02 80
	tests := []struct {
		name    string
		content string
		code    int
		// want maps a rule to the segment ID and element it must be at.
		want map[string]string
	}{
		{"835 claim and transaction imbalance", env835(testISA, claimOff), exitAttention,
			map[string]string{validate.RuleBalanceClaim: "CLP04", validate.RuleBalanceTransaction: "BPR02"}},
		{"835 two CAS groups balance", env835(testISA, strings.Replace(balanced835("P", "PCN1"), "CAS*CO*45*20", "CAS*CO*45*10~CAS*PR*1*10", 1)), exitOK, nil},
		{"ISA time 3339", env835(strings.Replace(testISA, "*1200*", "*3339*", 1), balanced835("P", "PCN1")), exitAttention,
			map[string]string{validate.RuleTime: "ISA10"}},
		{"ISA impossible date", env835(strings.Replace(testISA, "*251003*", "*250230*", 1), balanced835("P", "PCN1")), exitAttention,
			map[string]string{validate.RuleDate: "ISA09"}},
		{"ISA width", env835(strings.Replace(testISA, "ACMEBILL       *", "ACMEBILL*", 1), balanced835("P", "PCN1")), exitAttention,
			map[string]string{validate.RuleISAWidth: "ISA08"}},
		{"GS time", strings.Replace(env835(testISA, balanced835("P", "PCN1")), "*20251003*1200*101*", "*20251003*2460*101*", 1), exitAttention,
			map[string]string{validate.RuleTime: "GS05"}},
		{"999 structure", testISA + "GS*FA*A*B*20251003*1200*1*X*005010X231A1~ST*999*0001*005010X231A1~IK5*A~AK9*A*1*1*1~SE*4*0001~GE*1*1~IEA*1*000000101~", exitAttention,
			map[string]string{validate.RuleStructure: ""}},
		{"TA1 missing code", testISA + "TA1*000000101*251003*1200**000~IEA*0*000000101~", exitAttention,
			map[string]string{validate.RuleStructure: "TA104"}},
		{"4010 997 clean", strings.Replace(testISA, "00501", "00401", 1) + "GS*FA*A*B*20251003*1200*1*X*004010~ST*997*0001~AK1*HC*1~AK9*A*1*1*1~SE*4*0001~GE*1*1~IEA*1*000000101~", exitOK,
			nil},
		{"4010 997 malformed", strings.Replace(testISA, "00501", "00401", 1) + "GS*FA*A*B*20251003*1200*1*X*004010~ST*997*0001~AK9*A*1*1*1~SE*3*0001~GE*1*1~IEA*1*000000101~", exitAttention,
			map[string]string{validate.RuleStructure: ""}},
		{"834 notice", testISA + "GS*BE*A*B*20251003*1200*1*X*005010X220A1~ST*834*0001*005010X220A1~BGN*00*1*20251003*1200~SE*3*0001~GE*1*1~IEA*1*000000101~", exitOK,
			map[string]string{validate.RuleNoRules: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "f.x12", tt.content)
			var out validateOutput
			runJSONCode(t, tt.code, &out, "validate", "--json", p)
			for rule, el := range tt.want {
				prob := findProblem(out, rule)
				if prob == nil {
					t.Errorf("no %s problem in %+v", rule, out.Problems)
					continue
				}
				if el != "" && prob.Element != el {
					t.Errorf("%s at %q, want %s: %+v", rule, prob.Element, el, prob)
				}
				if prob.Position.Segment == 0 && prob.Position.Byte == 0 {
					t.Errorf("%s has no position: %+v", rule, prob)
				}
				if el != "" && prob.Position.SegmentID != el[:len(el)-2] {
					t.Errorf("%s at segment %q, want %s", rule, prob.Position.SegmentID, el[:len(el)-2])
				}
			}
			// The text form names the same problems with positions.
			_, stderr, code := runCLI("validate", p)
			if code != tt.code {
				t.Errorf("text: exit %d, want %d", code, tt.code)
			}
			for rule := range tt.want {
				if !strings.Contains(stderr, rule+"]") {
					t.Errorf("text output lacks %s:\n%s", rule, stderr)
				}
			}
		})
	}
}

// The claim and transaction imbalances are both reported, at their
// segments, and the line imbalance at the SVC.
func TestValidate835Levels(t *testing.T) {
	body := strings.Replace(balanced835("P", "PCN1"), "SVC*HC:99213*100*80", "SVC*HC:99213*100*70", 1)
	p := writeTemp(t, "f.835", env835(testISA, body))
	var out validateOutput
	runJSONCode(t, exitAttention, &out, "validate", "--json", p)
	if prob := findProblem(out, validate.RuleBalanceLine); prob == nil || prob.Position.SegmentID != "SVC" || prob.Position.SetSegment == 0 {
		t.Errorf("line imbalance: %+v", out.Problems)
	}
	body = strings.Replace(balanced835("P", "PCN1"), "CLP*PCN1*1*100*80", "CLP*PCN1*1*100*90", 1)
	p = writeTemp(t, "g.835", env835(testISA, body))
	out = validateOutput{}
	runJSONCode(t, exitAttention, &out, "validate", "--json", p)
	c, tr := findProblem(out, validate.RuleBalanceClaim), findProblem(out, validate.RuleBalanceTransaction)
	if c == nil || tr == nil {
		t.Fatalf("want claim and transaction imbalances: %+v", out.Problems)
	}
	if c.Position.SegmentID != "CLP" || c.Position.Element != 4 || tr.Position.SegmentID != "BPR" || tr.Position.Element != 2 {
		t.Errorf("positions: claim %+v, transaction %+v", c.Position, tr.Position)
	}
	if c.Claim != "PCN1" || out.Errors != 2 {
		t.Errorf("claim %q, errors %d", c.Claim, out.Errors)
	}
}

func TestParseEnvelopeAndNotices(t *testing.T) {
	tests := []struct {
		name, content string
		code          int
		stderr        string
		stdout        string // besides the structure
	}{
		{"ISA time 3339", env835(strings.Replace(testISA, "*1200*", "*3339*", 1), balanced835("P", "PCN1")), exitAttention, "ISA10 \"3339\" is not a real time", ""},
		{"ISA impossible date", env835(strings.Replace(testISA, "*251003*", "*251332*", 1), balanced835("P", "PCN1")), exitAttention, "ISA09 \"251332\" is not a real date", ""},
		{"4010 997", strings.Replace(testISA, "00501", "00401", 1) + "GS*FA*A*B*20251003*1200*1*X*004010~ST*997*0001~AK1*HC*1~AK9*A*1*1*1~SE*4*0001~GE*1*1~IEA*1*000000101~", exitOK, "", "997 functional acknowledgment, set 0001: for group HC 1"},
		{"834", testISA + "GS*BE*A*B*20251003*1200*1*X*005010X220A1~ST*834*0001*005010X220A1~BGN*00*1*20251003*1200~SE*3*0001~GE*1*1~IEA*1*000000101~", exitOK, "notice: ", ""},
		{"clean 835", env835(testISA, balanced835("P", "PCN1")), exitOK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "f.x12", tt.content)
			out, stderr, code := runCLI("parse", p)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if tt.stderr == "" && stderr != "" || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want %q", stderr, tt.stderr)
			}
			if !strings.Contains(out, "ISA") || !strings.Contains(out, tt.stdout) {
				t.Errorf("no structure or no %q shown:\n%s", tt.stdout, out)
			}
		})
	}
}

// File content reaches the terminal with its control characters escaped.
func TestSafeOutputOfFileContent(t *testing.T) {
	evil := "EVIL\x1b[2JPLAN\x1b]0;pwned\x07X\x00Y\u202eZ"
	// The payer name is shown by parse; the PCN also by validate, in the
	// imbalance it makes.
	body := strings.Replace(balanced835(evil, "PCN"+evil), "CLP*PCN"+evil+"*1*100*80", "CLP*PCN"+evil+"*1*100*90", 1)
	p := writeTemp(t, "evil.835", env835(testISA, body))
	for _, args := range [][]string{{"parse", p}, {"validate", p}} {
		out, stderr, _ := runCLI(args...)
		all := out + stderr
		for _, raw := range []string{"\x1b", "\x07", "\x00", "\u202e"} {
			if strings.Contains(all, raw) {
				t.Errorf("claims %s: output holds %q raw", args[0], raw)
			}
		}
		for _, esc := range []string{`\x1b[2J`, `\x1b]0;pwned\a`, `\x00`, `\u202e`} {
			if !strings.Contains(all, esc) {
				t.Errorf("claims %s: output lacks %s:\n%s%s", args[0], esc, out, stderr)
			}
		}
	}
	// JSON escapes on its own.
	out, _, _ := runCLI("parse", "--json", p)
	if strings.ContainsAny(out, "\x1b\x07\x00") {
		t.Error("parse --json holds raw control characters")
	}
}

func TestSafeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"Müller Ünal 東京", "Müller Ünal 東京"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
		{"nul\x00", `nul\x00`},
		{"tab\tline\n", `tab\tline\n`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"zw\u200bj", `zw\u200bj`},
		{"c1\u009b", `c1\u009b`},
		{"bad\xffutf8", `bad\xffutf8`},
		{`back\slash`, `back\slash`},
	}
	for _, tt := range tests {
		if got := safeText(tt.in); got != tt.want {
			t.Errorf("safeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var b bytes.Buffer
	w := newSafeWriter(&b)
	for _, part := range []string{"a\tb\x1b", "c\nd\xe2\x80", "\xaee\n", "tail\x00"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "a\tb\\x1bc\nd\\u202ee\ntail\\x00"; b.String() != want {
		t.Errorf("safeWriter wrote %q, want %q", b.String(), want)
	}
}
