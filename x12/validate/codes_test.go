package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x997"
	"github.com/x12claims/claims/x12/x999"
)

const testISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*ACMEBILL       *251003*1200*^*00501*000000101*0*T*:~"

// wrap puts set content (after ST, before SE) in an envelope: functional
// identifier fid, set id st and guide.
func wrap(fid, st, guide, body string) string {
	n := strings.Count(body, "~") + 2
	stSeg := "ST*" + st + "*0001"
	if guide != "" {
		stSeg += "*" + guide
	}
	return testISA + "GS*" + fid + "*PAYER*ACMEBILL*20251003*1200*101*X*" + guide + "~" + stSeg + "~" + body +
		fmt.Sprintf("SE*%d*0001~GE*1*101~IEA*1*000000101~", n)
}

func ack999(ik3, ik4, ik5, ak9 string) string {
	return wrap("FA", "999", "005010X231A1", "AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~"+
		"IK3*"+ik3+"~IK4*"+ik4+"~IK5*"+ik5+"~AK9*"+ak9+"~")
}

func ack997(ak3, ak4, ak5, ak9 string) string {
	body := "AK1*HC*1~AK2*837*0001~AK3*" + ak3 + "~AK4*" + ak4 + "~AK5*" + ak5 + "~AK9*" + ak9 + "~"
	n := strings.Count(body, "~") + 2
	return testISA + "GS*FA*PAYER*ACMEBILL*20251003*1200*101*X*004010~ST*997*0001~" + body +
		fmt.Sprintf("SE*%d*0001~GE*1*101~IEA*1*000000101~", n)
}

const stcHead = "BHT*0085*08*CA1*20251003*1200*TH~HL*1**20*1~NM1*PR*2*PAYER*****PI*12345~TRN*1*0~DTP*050*D8*20251003~DTP*009*D8*20251003~" +
	"HL*2*1*21*1~NM1*41*2*ACME*****46*ACMEBILL~TRN*2*1~STC*A1:19:PR*20251003*WQ*100~QTY*90*1~AMT*YU*100~" +
	"HL*3*2*19*1~NM1*85*2*ACME CLINIC*****XX*1999999984~TRN*1*0~REF*TJ*123456789~QTY*QA*1~AMT*YU*100~" +
	"HL*4*3*PT~NM1*QC*1*DOE*JANE****MI*M1~TRN*2*PCN1~"

func ack277(stc string) string {
	return wrap("HN", "277", "005010X214", stcHead+"STC*"+stc+"~REF*1K*PAYER1~DTP*472*D8*20251001~")
}

func remit(clp02, cas, lq string) string {
	return wrap("HP", "835", "005010X221A1", "BPR*I*80*C*CHK************20251003~TRN*1*CHK1*1999999999~"+
		"N1*PR*PAYER~N3*1 PLAN WAY~N4*SPRINGFIELD*IL*62701~N1*PE*ACME CLINIC*XX*1999999984~"+
		"LX*1~CLP*PCN1*"+clp02+"*100*80**12*PCN1~SVC*HC:99213*100*80~CAS*"+cas+"~LQ*"+lq+"~")
}

func TestCodes(t *testing.T) {
	good999 := ack999("CLM*22**8", "2*1028*7*X", "R*5", "R*1*1*0")
	tests := []struct {
		name     string
		file     string
		element  string   // the problem's Element; "" = no code problem
		severity Severity // of that problem
	}{
		{"999 clean", good999, "", ""},
		{"IK304 unknown", ack999("CLM*22**99", "2*1028*7*X", "R*5", "R*1*1*0"), "IK304", Error},
		{"IK403 unknown", ack999("CLM*22**8", "2*1028*77*X", "R*5", "R*1*1*0"), "IK403", Error},
		{"IK402 not a number", ack999("CLM*22**8", "2*CLM*7*X", "R*5", "R*1*1*0"), "IK402", Error},
		{"IK301 not a segment ID", ack999("C-M*22**8", "2*1028*7*X", "R*5", "R*1*1*0"), "IK301", Error},
		{"IK501 P is for AK901 only", ack999("CLM*22**8", "2*1028*7*X", "P*5", "R*1*1*0"), "IK501", Error},
		{"IK501 unknown", ack999("CLM*22**8", "2*1028*7*X", "Q*5", "R*1*1*0"), "IK501", Error},
		{"IK503 unknown", ack999("CLM*22**8", "2*1028*7*X", "R*5*ZZ", "R*1*1*0"), "IK503", Error},
		{"AK901 P allowed", ack999("CLM*22**8", "2*1028*7*X", "R*5", "P*1*1*0"), "", ""},
		{"AK901 unknown", ack999("CLM*22**8", "2*1028*7*X", "R*5", "Z*1*1*0"), "AK901", Error},
		{"AK905 unknown", ack999("CLM*22**8", "2*1028*7*X", "R*5", "R*1*1*0*99"), "AK905", Error},
		{"997 clean", ack997("CLM*22**8", "2*1028*7", "R*5", "R*1*1*0"), "", ""},
		{"AK304 unknown", ack997("CLM*22**X", "2*1028*7", "R*5", "R*1*1*0"), "AK304", Error},
		{"AK403 unknown", ack997("CLM*22**8", "2*1028*Q", "R*5", "R*1*1*0"), "AK403", Error},
		{"277CA clean", ack277("A2:20:PR*20251003*WQ*100"), "", ""},
		{"STC01-1 not in our table", ack277("Q9:20:PR*20251003*WQ*100"), "STC01-1", Warning},
		{"STC01-3 not in our table", ack277("A2:20:Q9*20251003*WQ*100"), "STC01-3", Warning},
		{"835 clean", remit("1", "CO*45*20", "HE*N130"), "", ""},
		{"CLP02 unknown", remit("9", "CO*45*20", "HE*N130"), "CLP02", Error},
		{"CAS01 unknown", remit("1", "XX*45*20", "HE*N130"), "CAS01", Error},
		{"CAS02 unknown", remit("1", "CO*ZZZ*20", "HE*N130"), "CAS02", Error},
		{"CAS05 unknown", remit("1", "CO*45*10**ZZZ*10", "HE*N130"), "CAS05", Error},
		{"LQ02 RARC not in our table", remit("1", "CO*45*20", "HE*ZZ999"), "LQ02", Warning},
		{"LQ02 not a RARC when LQ01 is RX", remit("1", "CO*45*20", "RX*ZZ999"), "", ""},
		{"TA104 unknown", testISA + "TA1*000000001*251003*1200*Q*000~IEA*0*000000101~", "TA104", Error},
		{"TA105 unknown", testISA + "TA1*000000001*251003*1200*R*999~IEA*0*000000101~", "TA105", Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, err := File([]byte(tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var found *Problem
			for i, p := range probs {
				if p.Rule == RuleCode {
					if found != nil || tt.element == "" {
						t.Errorf("unexpected code problem: %s", p.Text())
						continue
					}
					found = &probs[i]
				}
			}
			if tt.element == "" {
				return
			}
			if found == nil {
				t.Fatalf("no code problem; got %v", probs)
			}
			if found.Element != tt.element || found.Severity != tt.severity {
				t.Errorf("got %s %s, want %s %s: %s", found.Element, found.Severity, tt.element, tt.severity, found.Text())
			}
			// The byte offset points at the element's value.
			id, _, _ := strings.Cut(tt.element, "-")
			off := found.Position.Byte
			if off <= 0 || off >= int64(len(tt.file)) {
				t.Fatalf("byte %d outside the file", off)
			}
			seg := tt.file[:off]
			if i := strings.LastIndexByte(seg, '~'); i >= 0 {
				seg = seg[i+1:]
			}
			wantPrefix := id[:len(id)-2] + "*"
			if !strings.HasPrefix(seg, wantPrefix) || !strings.HasSuffix(seg, "*") && !strings.HasSuffix(seg, ":") {
				t.Errorf("byte %d is not at the start of %s: text before it %q", off, tt.element, seg)
			}
		})
	}
}

// Every typed parser says "nothing of my kind here" with an error that
// matches both its own ErrNoTransaction and x12's.
func TestNoTransaction(t *testing.T) {
	notMine := []byte(remit("1", "CO*45*20", "HE*N130")) // an 835
	ack := []byte(ack999("CLM*22**8", "2*1028*7*X", "R*5", "R*1*1*0"))
	read := func(f func(io.Reader) error, data []byte) error { return f(bytes.NewReader(data)) }
	tests := []struct {
		name string
		err  error
		own  error
	}{
		{"x835", read(func(r io.Reader) error { _, err := x835.Read(r); return err }, ack), x835.ErrNoTransaction},
		{"x999", read(func(r io.Reader) error { _, err := x999.Read(r); return err }, notMine), x999.ErrNoTransaction},
		{"x997", read(func(r io.Reader) error { _, err := x997.Read(r); return err }, notMine), x997.ErrNoTransaction},
		{"x277", read(func(r io.Reader) error { _, err := x277.Read(r); return err }, notMine), x277.ErrNoTransaction},
		{"ta1", read(func(r io.Reader) error { _, err := ta1.Read(r); return err }, notMine), ta1.ErrNoTransaction},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.own) || !errors.Is(tt.err, x12.ErrNoTransaction) {
			t.Errorf("%s: %v does not match its ErrNoTransaction and x12's", tt.name, tt.err)
		}
		if errors.Is(tt.own, x12.ErrStructure) {
			t.Errorf("%s: ErrNoTransaction matches ErrStructure", tt.name)
		}
	}
	for name, e := range map[string]error{"x835": x835.ErrStructure, "x999": x999.ErrStructure, "x997": x997.ErrStructure, "x277": x277.ErrStructure} {
		if e != x12.ErrStructure {
			t.Errorf("%s.ErrStructure is not x12.ErrStructure", name)
		}
	}
}
