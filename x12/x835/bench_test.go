package x835

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/x12claims/claims/x12"
)

// realisticClaim is a typical professional claim payment: patient,
// insured and rendering provider names, statement dates, claim amounts and
// three service lines, each with a date, contractual and patient
// responsibility adjustments, a line item control number, the allowed
// amount and a remark code. It balances:
//
//	line 1: 185.00 - (CO-45 62.40 + PR-2 24.52) = 98.08
//	line 2:  65.00 - (CO-45 41.10 + PR-2  4.78) = 19.12
//	line 3:  42.00 - (CO-45 30.25 + PR-3  11.75) =  0.00
//	claim: 292.00 - 174.80 = 117.20
func realisticClaim(n int) *Claim {
	pcn := fmt.Sprintf("CL%07d-1", n)
	line := func(k int, code, mod string, charge, co, prGroup, pr, allowed string) *Line {
		l := &Line{Procedure: Procedure{Qualifier: "HC", Code: code}, Charge: amt(charge), Units: "1",
			ServiceDate: day(2025, 9, 10), ControlNumber: fmt.Sprintf("%s-L%d", pcn, k), Allowed: amtp(allowed),
			Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: amt(co)}, {Group: "PR", Reason: prGroup, Amount: amt(pr)}},
			Remarks:     []string{"N130"}}
		if mod != "" {
			l.Procedure.Modifiers = []string{mod}
		}
		l.Paid = l.Charge - amt(co) - amt(pr)
		return l
	}
	return &Claim{
		HeaderNumber: 1, PatientControlNumber: pcn, Status: "1", Charge: amt("292"), Paid: amt("117.20"),
		PatientResponsibility: amt("41.05"), FilingIndicator: "12", PayerClaimNumber: fmt.Sprintf("2025%011d", n),
		FacilityType: "11", Frequency: "1",
		Names: []Name{
			{Entity: "QC", EntityType: "1", LastName: "PATIENT", FirstName: "TEST", IDQualifier: "MI", ID: fmt.Sprintf("W%09d", n)},
			{Entity: "82", EntityType: "1", LastName: "DOCTOR", FirstName: "DANA", IDQualifier: "XX", ID: "1234567893"},
		},
		StatementFrom: day(2025, 9, 10), StatementTo: day(2025, 9, 10),
		Amounts: []Amount{{Qualifier: "AU", Amount: amt("159.45")}},
		Lines: []*Line{
			line(1, "99214", "25", "185", "62.40", "2", "24.52", "122.60"),
			line(2, "93000", "", "65", "41.10", "2", "4.78", "23.90"),
			line(3, "36415", "", "42", "30.25", "3", "11.75", "11.75"),
		},
	}
}

// bigFile builds an 835 of at least size bytes from realistic claims, in
// balanced transaction sets of 2000 claims (the payment header of the
// sample remittance, no PLB).
func bigFile(tb testing.TB, size int) []byte {
	tb.Helper()
	var rems []*Remittance
	total, n := 0, 0
	for set := 1; total < size; set++ {
		r := sampleRemittance()
		r.SetControl = fmt.Sprintf("%04d", set)
		r.Claims, r.Summaries, r.ProviderAdjustments = nil, nil, nil
		for i := 0; i < 2000; i++ {
			n++
			r.Claims = append(r.Claims, realisticClaim(n))
			total += 550 // about the size of one written claim; checked below
		}
		r.Payment.Amount = r.Totals().TotalPaid
		rems = append(rems, r)
	}
	var buf bytes.Buffer
	isa, gs := sampleEnvelope()
	if err := WriteInterchange(&buf, isa, gs, rems...); err != nil {
		tb.Fatal(err)
	}
	if buf.Len() < size {
		tb.Fatalf("built %d bytes, want %d", buf.Len(), size)
	}
	return buf.Bytes()
}

// BenchmarkReadAndBalance is typed 835 parsing plus balancing at all three
// levels on a file of at least 10 MB.
func BenchmarkReadAndBalance(b *testing.B) {
	data := bigFile(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, len(data))()
	for b.Loop() {
		rems, err := Read(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rems {
			if errs := r.Balance(); len(errs) != 0 {
				b.Fatalf("unbalanced: %v", errs[0])
			}
		}
	}
}

// BenchmarkStream is claim-by-claim typed parsing plus balancing at all
// three levels, reusing claim memory (Parser.ReuseClaims) as a posting
// job streaming a huge 835 would.
func BenchmarkStream(b *testing.B) { benchStream(b, true) }

// BenchmarkStreamNoReuse is BenchmarkStream with a new claim per call.
func BenchmarkStreamNoReuse(b *testing.B) { benchStream(b, false) }

func benchStream(b *testing.B, reuse bool) {
	data := bigFile(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, len(data))()
	for b.Loop() {
		p := NewParser(x12.NewReader(bytes.NewReader(data)))
		p.ReuseClaims = reuse
		for {
			rem, err := p.NextRemittance()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			for {
				c, err := p.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if errs := c.Balance(rem.SetControl); len(errs) != 0 {
					b.Fatal(errs[0])
				}
			}
			if e := p.Totals().Balance(rem.SetControl); e != nil {
				b.Fatal(e)
			}
		}
		if len(p.Errors()) != 0 {
			b.Fatal(p.Errors()[0])
		}
	}
}

func TestBigFileBalances(t *testing.T) {
	rems, err := Read(bytes.NewReader(bigFile(t, 1<<20)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rems {
		if errs := r.Balance(); len(errs) != 0 {
			t.Fatalf("set %s: %v", r.SetControl, errs[0])
		}
	}
}

// BenchmarkReaderOnly is the x12.Reader alone on the same file, the floor
// under the typed parser.
func BenchmarkReaderOnly(b *testing.B) {
	data := bigFile(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, len(data))()
	for b.Loop() {
		rd := x12.NewReader(bytes.NewReader(data))
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// reportCPU starts measuring the process CPU time (all threads, garbage
// collection included) and returns a function that reports throughput
// per CPU second as "cpu-MB/s". On a loaded machine wall-clock MB/s
// drops with the competition for the cores, while this figure does not.
func reportCPU(b *testing.B, size int) func() {
	start := cpuTime()
	return func() {
		if used := cpuTime() - start; used > 0 && b.N > 0 {
			b.ReportMetric(float64(size)*float64(b.N)/1e6/used.Seconds(), "cpu-MB/s")
		}
	}
}
