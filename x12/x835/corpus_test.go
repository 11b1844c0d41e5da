package x835

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/x12claims/claims/x12/x12test"
)

// balWant is an expected imbalance.
type balWant struct {
	Level            string
	Ordinal          int
	Stated, Computed string
}

type setWant struct {
	control  string
	claims   int
	charge   string // ΣCLP03
	paid     string // ΣCLP04
	payment  string // BPR02
	plb      string // ΣPLB
	balances []balWant
}

// corpusWant holds, for every 835 of the shared corpus, figures added up
// by hand from the file (arithmetic in the comments) and the balancing
// errors the file really contains, with the reason.
var corpusWant = map[string][]setWant{
	// 1 claim. Line: 541.00 - (OA-23 516.00 + OA-94 -9.00) = 34.00 = SVC03.
	// Claim: 541.00 - 507.00 = 34.00 = CLP04. BPR02 34.00 = 34.00 - 0.
	"LinuxForHealth-x12__cob-contractural-adjustment.835": {{"0001", 1, "541", "34", "34", "0", nil}},
	// CLP03 800 + 1200 = 2000; CLP04 450 + 495 = 945 = BPR02.
	// Claim 1: 800 - CO-A2 50 - PR-1 300 = 450. Claim 2: 1200 - 55 - (600 + 50) = 495.
	"LinuxForHealth-x12__managed-care.835": {{"112233", 2, "2000", "945", "945", "0", nil}},
	// CLP03 10323.64 + 751.50 = 11075.14; CLP04 912 + 310 = 1222 = BPR02.
	// Claim 1 (no lines): 10323.64 - OA-23 9411.64 = 912. Claim 2 lines:
	// 166.50 - 136.50 = 30; 585 - (PR-1 150 + PR-2 70 + CO-42 85) = 280;
	// claim 751.50 - 441.50 = 310.
	"LinuxForHealth-x12__secondary-payment.835": {{"1234", 2, "11075.14", "1222", "1222", "0", nil}},
	// "SVC*HC*24599.00*1766.50*187.50**1": the procedure code was put in
	// its own element, so SVC02 reads 24599.00 and SVC03 1766.50 (the
	// charge). Line: 24599.00 - OA-23 1579.00 = 23020.00, stated 1766.50:
	// a real line imbalance. Claim: 1766.50 - 1579.00 = 187.50 = CLP04.
	"LinuxForHealth-x12__tertiary-payment.835": {{"0001", 1, "1766.50", "187.50", "187.50", "0",
		[]balWant{{LevelLine, 1, "1766.50", "23020.00"}}}},
	// 3 denied lines: 500.04 + 127.80 + 287.55 = 915.39, all adjusted
	// away; CLP04 0 = BPR02 0.
	"azoner-pyx12__835_mult_loops.txt": {{"0001", 1, "915.39", "0", "0", "0", nil}},
	// A 4010 file. CLP03 -310 + 300 - 500.25 = -510.25; CLP04 -210 + 200
	// - 500.25 = -510.25; PLB -1008.10 + 24.21 + 5.95 = -977.94. Claims and
	// lines balance (-310 - -100 = -210; 300 - 100 = 200), but BPR02 is
	// 5950.21 while -510.25 - (-977.94) = 467.69: the sample's check amount
	// does not match its content.
	"azoner-pyx12__835_simple.txt": {{"40731", 3, "-510.25", "-510.25", "5950.21", "-977.94",
		[]balWant{{LevelTransaction, 0, "5950.21", "467.69"}}}},
	// CLP03 34.25 + 34 + 34.25 = 102.50; CLP04 34.25 + 0 + 11.50 = 45.75 = BPR02.
	// Claim 3: 34.25 - (CO-251 2.75 + CO-251 20) = 11.50.
	"keironstoddart-edi-835-parser__emedny_sample.txt": {{"1740", 3, "102.50", "45.75", "45.75", "0", nil}},
	// As managed-care: 800 + 1200 = 2000; 450 + 495 = 945.
	"kputnam-stupidedi__X221A1-pass-dollars-and-data-sent-separate.edi": {{"112233", 2, "2000", "945", "945", "0", nil}},
	// CLP03 211366.97 + 15000 = 226366.97; CLP04 138018.40 + 11980.33 =
	// 149998.73; PLB CV -1.27; BPR02 150000 = 149998.73 - (-1.27).
	"kputnam-stupidedi__X221A1-pass-dollars-and-data-sent-together.edi": {{"1234", 2, "226366.97", "149998.73", "150000", "-1.27", nil}},
	// 9 claims. CLP03 226+119+226+1145+348+226+179+129+221 = 2819;
	// CLP04 132+74+108+14+16.8+132+108+82+144 = 810.80 = BPR02.
	// E.g. claim 5: lines 125-125=0, 43-(33+10)=0, 180-(11.2+152)=16.8;
	// claim 348 - 331.2 = 16.8.
	"kputnam-stupidedi__X221A1-pass-multiple-claims-single-check.edi": {{"35681", 9, "2819", "810.80", "810.80", "0", nil}},
	// 541 - (516 - 9) = 34 at line and claim; BPR02 34.
	"kputnam-stupidedi__X221A1-pass-secondary-payment-with-higher-fee-schedule.edi": {{"0001", 1, "541", "34", "34", "0", nil}},
	// 1766.50 - OA-23 1579 = 187.50 at line and claim; BPR02 187.50.
	"kputnam-stupidedi__X221A1-pass-tertiary-payments.edi": {{"0001", 1, "1766.50", "187.50", "187.50", "0", nil}},
	// "CAS*PR*1*1199.68**2*2*4" is PR-1 1199.68 and PR-2 2.00 (quantity 4).
	// Line: 4199.68 - 1201.68 = 2998.00 = SVC03. Claim: 4199.68 - 1201.68 =
	// 2998.00 but CLP04 says 4000.00: a real claim imbalance (the payer
	// paid more than the line). BPR02 4000 = CLP04.
	"moov-io-x12__sample2.txt": {{"1736", 1, "4199.68", "4000", "4000", "0",
		[]balWant{{LevelClaim, 1, "4000", "2998"}}}},
	// Two interchanges with the same set. CLP03 137.48 + 2286.99 = 2424.47;
	// CLP04 0 + 1481.99 = 1481.99 = BPR02; claim 2: 2286.99 - PR-142 805 = 1481.99.
	"tastypackets-x12-parser__oneLine.edi": {
		{"1740", 2, "2424.47", "1481.99", "1481.99", "0", nil},
		{"1740", 2, "2424.47", "1481.99", "1481.99", "0", nil},
	},
	// Same data as emedny_sample.
	"tastypackets-x12-parser__profee.edi": {{"1740", 3, "102.50", "45.75", "45.75", "0", nil}},
}

func TestCorpus(t *testing.T) {
	for _, f := range x12test.CorpusFiles(t, "835") {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want, ok := corpusWant[name]
			if !ok {
				t.Fatalf("no expected figures for %s: add them to corpusWant", name)
			}
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			rems, err := Read(fh)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(rems) != len(want) {
				t.Fatalf("got %d sets, want %d", len(rems), len(want))
			}
			for i, r := range rems {
				w := want[i]
				got := r.Totals()
				wantT := Totals{ClaimCount: w.claims, TotalCharge: amt(w.charge), TotalPaid: amt(w.paid),
					PaymentAmount: amt(w.payment), PLBTotal: amt(w.plb)}
				if r.SetControl != w.control {
					t.Errorf("set %d: control %q, want %q", i, r.SetControl, w.control)
				}
				if got != wantT {
					t.Errorf("set %d: totals %+v, want %+v", i, got, wantT)
				}
				var gotB []balWant
				for _, b := range r.Balance() {
					gotB = append(gotB, balWant{b.Level, b.ClaimOrdinal, b.Stated.String(), b.Computed.String()})
				}
				var wantB []balWant
				for _, b := range w.balances {
					wantB = append(wantB, balWant{b.Level, b.Ordinal, amt(b.Stated).String(), amt(b.Computed).String()})
				}
				if !reflect.DeepEqual(gotB, wantB) {
					t.Errorf("set %d: balancing errors %v, want %v", i, gotB, wantB)
				}
			}
		})
	}
}
