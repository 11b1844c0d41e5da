package x835

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
)

// TestStream reads the sample claim by claim and checks that it gives
// the same claims, PLB and totals as Read.
func TestStream(t *testing.T) {
	data := sampleFile(t)
	all, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(x12.NewReader(bytes.NewReader(data)))
	if _, err := p.Next(); err != io.EOF {
		t.Fatalf("Next before NextRemittance: %v, want io.EOF", err)
	}
	rem, err := p.NextRemittance()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rem.Payment, all[0].Payment) || !reflect.DeepEqual(rem.Payer, all[0].Payer) || !reflect.DeepEqual(rem.Payee, all[0].Payee) {
		t.Errorf("header differs: %s", dump(rem))
	}
	var claims []*Claim
	for {
		c, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		claims = append(claims, c)
	}
	if !reflect.DeepEqual(claims, all[0].Claims) {
		t.Errorf("streamed claims differ:\n%s\n%s", dump(claims), dump(all[0].Claims))
	}
	if len(rem.Claims) != 0 {
		t.Errorf("streaming kept %d claims in the remittance", len(rem.Claims))
	}
	if !reflect.DeepEqual(rem.ProviderAdjustments, all[0].ProviderAdjustments) {
		t.Errorf("PLB differs")
	}
	if got, want := p.Totals(), all[0].Totals(); got != want {
		t.Errorf("Totals %+v, want %+v", got, want)
	}
	if e := p.Totals().Balance(rem.SetControl); e != nil {
		t.Errorf("Balance: %v", e)
	}
	if _, err := p.NextRemittance(); err != io.EOF {
		t.Errorf("NextRemittance at the end: %v, want io.EOF", err)
	}
}

const env = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROV           *251003*1200*^*00501*000000001*0*P*:~" +
	"GS*HP*PAYER*PROV*20251003*1200*1*X*005010X221A1~"

const header = "ST*835*0001~BPR*I*100*C*CHK************20251003~TRN*1*CHK1*1999999999~" +
	"N1*PR*PAYER~N3*1 ST~N4*CITY*ST*12345~PER*BL*EDI*TE*8005550100~N1*PE*CLINIC*XX*1234567893~"

// file wraps set segments in an envelope with the right counts.
func file(body string) string {
	n := strings.Count(body, "~")
	return env + body + "SE*" + itoa(n+1) + "*0001~GE*1*1~IEA*1*000000001~"
}

func itoa(n int) string { return x12.Amount(n * 100).X12() }

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantErr   string // substring of the joined error, "" for none
		sentinel  error
		warnings  []string
		claims    int
		balancing int
	}{
		{name: "clean", input: file(header + "LX*1~CLP*A1*1*100*100**12*ICN~NM1*QC*1*X*Y~"), claims: 1},
		{name: "PER*BL accepted and unknown segment skipped",
			input:    file(header + "LX*1~CLP*A1*1*100*100**12*ICN~NM1*QC*1*X*Y~ZZZ*1~"),
			warnings: []string{"segment ZZZ is not part of the 835 guide; skipped"}, claims: 1},
		{name: "SVC before CLP", input: file(header + "LX*1~SVC*HC:99213*100*100~CLP*A1*1*100*100**12*ICN~NM1*QC*1*X*Y~"),
			wantErr: "segment 12 (SVC), byte 318: SVC is not allowed in the header number loop (2000)", sentinel: ErrStructure, claims: 1},
		{name: "second BPR", input: file(header + "BPR*I*5*C*CHK~LX*1~CLP*A1*1*100*100**12*ICN~NM1*QC*1*X*Y~"),
			wantErr: "BPR is not allowed in the payee loop (1000B)", sentinel: ErrStructure, claims: 1},
		{name: "bad amount", input: file(header + "LX*1~CLP*A1*1*1O0*100**12*ICN~NM1*QC*1*X*Y~"),
			wantErr: "segment 12 (CLP) element 3", sentinel: x12.ErrBadAmount, claims: 1, balancing: 1},
		{name: "missing payee", input: file("ST*835*0001~BPR*I*0*C*NON************20251003~TRN*1*X*1999999999~N1*PR*PAYER~"),
			wantErr: "has no N1*PE", sentinel: ErrStructure},
		{name: "truncated", input: env + header + "LX*1~CLP*A1*1*100*90**12*ICN~NM1*QC*1*X*Y~SVC*HC:99213*100*9",
			wantErr: "no SE", sentinel: x12.ErrMissingTrailer, claims: 1, balancing: 3},
		{name: "out of balance parses fully", input: file(header + "LX*1~CLP*A1*1*100*90**12*ICN~NM1*QC*1*X*Y~SVC*HC:99213*100*90~CAS*CO*45*5~"),
			claims: 1, balancing: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rems, err := Read(strings.NewReader(tt.input))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case tt.sentinel != nil && !errors.Is(err, tt.sentinel):
				t.Errorf("error %v is not %v", err, tt.sentinel)
			}
			if tt.wantErr != "" {
				var xe *x12.Error
				if !errors.As(err, &xe) {
					t.Errorf("error %v carries no position", err)
				}
			}
			if len(rems) != 1 {
				t.Fatalf("got %d remittances", len(rems))
			}
			r := rems[0]
			if len(r.Claims) != tt.claims {
				t.Errorf("got %d claims, want %d", len(r.Claims), tt.claims)
			}
			var ws []string
			for _, w := range r.Warnings {
				ws = append(ws, w.Message)
			}
			if !reflect.DeepEqual(ws, tt.warnings) {
				t.Errorf("warnings %q, want %q", ws, tt.warnings)
			}
			if got := len(r.Balance()); got != tt.balancing {
				t.Errorf("%d balancing errors, want %d: %v", got, tt.balancing, r.Balance())
			}
		})
	}
}

func TestBalanceErrorValues(t *testing.T) {
	rems, err := Read(strings.NewReader(file(header +
		"LX*1~CLP*A1*1*100*90**12*ICN~NM1*QC*1*X*Y~SVC*HC:99213*100*90~CAS*CO*45*5~")))
	if err != nil {
		t.Fatal(err)
	}
	got := rems[0].Balance()
	want := []*BalanceError{
		// line: 100 - 5 = 95, stated 90
		{Level: LevelLine, SetControl: "0001", ClaimOrdinal: 1, ClaimSegment: 10, PCN: "A1", LineSegment: 12,
			Rule: "SVC02 - sum(CAS) = SVC03", Stated: amt("90"), Computed: amt("95")},
		// claim: 100 - 0 - 5 = 95, stated 90
		{Level: LevelClaim, SetControl: "0001", ClaimOrdinal: 1, ClaimSegment: 10, PCN: "A1",
			Rule: "CLP03 - sum(claim CAS) - sum(line CAS) = CLP04", Stated: amt("90"), Computed: amt("95")},
		// transaction: 90 - 0 = 90, stated 100
		{Level: LevelTransaction, SetControl: "0001", Rule: "sum(CLP04) - sum(PLB) = BPR02", Stated: amt("100"), Computed: amt("90")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s\nwant %s", dump(got), dump(want))
	}
	if !errors.Is(got[0], ErrOutOfBalance) {
		t.Errorf("not ErrOutOfBalance")
	}
	if s := got[0].Error(); s != "835 set 0001 claim 1 (PCN A1) line at segment 12: line level out of balance: stated 90.00, computed 95.00 (difference -5.00)" {
		t.Errorf("Error() = %q", s)
	}
}

func TestNotX12(t *testing.T) {
	_, err := Read(strings.NewReader("hello, world"))
	if !errors.Is(err, x12.ErrNoISA) {
		t.Errorf("error %v, want ErrNoISA", err)
	}
	_, err = Read(strings.NewReader("ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~" +
		"GS*FA*A*B*20251003*1200*1*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK9*A*0*0*0~SE*4*0001~GE*1*1~IEA*1*000000001~"))
	if !errors.Is(err, ErrNoTransaction) {
		t.Errorf("a 999: error %v, want ErrNoTransaction", err)
	}
}

// TestProblemsAreBounded feeds thousands of bad segments: the errors and
// warnings kept stop at x12.MaxProblems.
func TestProblemsAreBounded(t *testing.T) {
	body := header + "LX*1~CLP*A1*1*100*100**12*ICN~NM1*QC*1*X*Y~" +
		strings.Repeat("ZZZ*1~", 3000) + strings.Repeat("N3*MISPLACED~", 3000)
	rems, err := Read(strings.NewReader(file(body)))
	var j interface{ Unwrap() []error }
	if !errors.As(err, &j) {
		t.Fatalf("error %v", err)
	}
	if n := len(j.Unwrap()); n != x12.MaxProblems {
		t.Errorf("%d errors kept, want %d", n, x12.MaxProblems)
	}
	if n := len(rems[0].Warnings); n != x12.MaxProblems {
		t.Errorf("%d warnings kept, want %d", n, x12.MaxProblems)
	}
}

// TestReuseClaims streams a large file with ReuseClaims and checks each
// claim, as it is returned, against the loaded one.
func TestReuseClaims(t *testing.T) {
	data := bigFile(t, 200<<10)
	all, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(x12.NewReader(bytes.NewReader(data)))
	p.ReuseClaims = true
	var prev *Claim
	for i := 0; ; i++ {
		_, err := p.NextRemittance()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; ; k++ {
			c, err := p.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if c == prev {
				t.Fatal("the claim returned last was returned again")
			}
			if got, want := dump(c), dump(all[i].Claims[k]); got != want {
				t.Fatalf("set %d claim %d differs:\n%s\n%s", i, k, got, want)
			}
			prev = c
		}
	}
}
