package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// samples are fixtures we wrote: the writers' golden outputs of the
// response packages and three hand-written files.
var samples = []string{
	"../x835/testdata/sample.835",
	"../x999/testdata/sample.999",
	"../x277/testdata/sample.277",
	"testdata/sample.ta1",
	"testdata/sample.837",
	"testdata/sample.997",
}

func build(t *testing.T, path string) (*Report, []error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Build(f, filepath.Base(path))
}

func goldenCompare(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; got:\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	for _, path := range samples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			r, errs := build(t, path)
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			var text bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			goldenCompare(t, "testdata/"+filepath.Base(path)+".txt", text.Bytes())
			js, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			goldenCompare(t, "testdata/"+filepath.Base(path)+".json", append(js, '\n'))
		})
	}
}

// TestJSONTotals checks the documented JSON shape of each kind.
func TestJSONTotals(t *testing.T) {
	want := map[string]string{
		// 96.00 + 500.00 - 80.00 = 516.00 paid; PLB -4.50 + 20.00 = 15.50.
		"../x835/testdata/sample.835": `{"set":"835","control_number":"0001","totals":{"claim_count":3,"total_charge":"1100.00","total_paid":"516.00","payment_amount":"500.50","plb_total":"15.50"},"balancing_errors":[]}`,
		"../x999/testdata/sample.999": `{"set":"999","control_number":"0001","totals":{"sets_accepted":1,"sets_rejected":2}}`,
		"../x277/testdata/sample.277": `{"set":"277CA","control_number":"0001","totals":{"claim_count":5,"claims_accepted":1,"claims_rejected":2,"claims_pending":1,"claims_review":1}}`,
		"testdata/sample.ta1":         `{"set":"TA1","control_number":"000000101","totals":{"accepted":true,"code":"A","note":"000"}}`,
		"testdata/sample.997":         `{"set":"997","control_number":"0001","totals":{"sets_accepted":1,"sets_rejected":1}}`,
		// 200 + 75.50 = 275.50.
		"testdata/sample.837": `{"set":"837","control_number":"0001","totals":{"claim_count":2,"total_charge":"275.50"}}`,
	}
	for path, w := range want {
		r, errs := build(t, path)
		if len(errs) != 0 {
			t.Fatalf("%s: %v", path, errs)
		}
		got := shape(t, r.Sets[0])
		if got != w {
			t.Errorf("%s:\ngot  %s\nwant %s", path, got, w)
		}
	}
}

// shape returns the JSON of the documented keys of a set.
func shape(t *testing.T, s *Set) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("{")
	for i, k := range []string{"set", "control_number", "totals", "balancing_errors"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		if i > 0 {
			out.WriteString(",")
		}
		out.WriteString(`"` + k + `":` + string(v))
	}
	out.WriteString("}")
	return out.String()
}

// TestCorpus builds a report for every 835, 999, 277CA and TA1 of the
// shared corpus: none may have an error, and the 835 totals and balancing
// errors are those checked by hand in package x835's corpus test.
func TestCorpus(t *testing.T) {
	balancing := map[string]int{
		"LinuxForHealth-x12__tertiary-payment.835": 1, // line: 24599.00 - 1579.00 = 23020.00 vs SVC03 1766.50
		"azoner-pyx12__835_simple.txt":             1, // transaction: -510.25 + 977.94 = 467.69 vs BPR02 5950.21
		"moov-io-x12__sample2.txt":                 1, // claim: 4199.68 - 1201.68 = 2998.00 vs CLP04 4000.00
	}
	for _, dir := range []string{"835", "999", "277ca", "ta1"} {
		for _, f := range x12test.CorpusFiles(t, dir) {
			name := filepath.Base(f)
			r, errs := build(t, f)
			if len(errs) != 0 {
				t.Errorf("%s: %v", name, errs)
				continue
			}
			if len(r.Sets) == 0 {
				t.Errorf("%s: no sets", name)
			}
			n := 0
			for _, s := range r.Sets {
				if s.Totals == nil {
					t.Errorf("%s: set %s %s has no totals", name, s.Set, s.ControlNumber)
				}
				n += len(s.BalancingErrors)
			}
			if n != balancing[name] {
				t.Errorf("%s: %d balancing errors, want %d", name, n, balancing[name])
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~"
	tests := []struct {
		name, input, want string
		sentinel          error
	}{
		{"not X12", "this is not X12", "byte 0", x12.ErrNoISA},
		{"empty", "", "byte 0", x12.ErrNoISA},
		{"truncated", isa + "GS*HP*A*B*20251003*1200*1*X*005010X221A1~ST*835*0001~BPR*I*1*C*CHK", "no SE", x12.ErrMissingTrailer},
		{"segment outside a set", isa + "GS*HP*A*B*20251003*1200*1*X*005010X221A1~BPR*I*1*C*CHK~GE*0*1~IEA*1*000000001~", "outside a transaction set", x12.ErrUnexpectedSegment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, errs := Build(strings.NewReader(tt.input), "input")
			if r == nil {
				t.Fatal("nil report")
			}
			err := errors.Join(errs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.sentinel) {
				t.Errorf("errors %v, want %v containing %q", err, tt.sentinel, tt.want)
			}
			if len(r.Errors) != len(errs) {
				t.Errorf("report lists %d errors, Build returned %d", len(r.Errors), len(errs))
			}
			var xe *x12.Error
			if !errors.As(err, &xe) {
				t.Errorf("no positioned error in %v", err)
			}
		})
	}
}

// A set without a typed report is a notice, not an error.
func TestUnsupportedIsNotice(t *testing.T) {
	const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00401*000000001*0*P*:~"
	for _, in := range []string{
		isa + "GS*HS*A*B*20251003*1200*1*X*004010X092A1~ST*270*0001*004010X092A1~BHT*0022*13*1*20251003*1200~SE*3*0001~GE*1*1~IEA*1*000000001~",
		isa + "GS*BE*A*B*20251003*1200*1*X*005010X220A1~ST*834*0001*005010X220A1~BGN*00*1*20251003*1200~SE*3*0001~GE*1*1~IEA*1*000000001~",
	} {
		r, errs := Build(strings.NewReader(in), "input")
		if len(errs) != 0 || len(r.Errors) != 0 {
			t.Errorf("errors %v", errs)
		}
		if len(r.Notices) != 1 || !strings.Contains(r.Notices[0], ErrUnsupported.Error()) {
			t.Errorf("notices %q, want one about an unsupported set", r.Notices)
		}
	}
}
