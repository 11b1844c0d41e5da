package encounters

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// The sample encounters that samples/README.md lists as special. Keep the
// README and these lists in step.
var (
	// held by the scrubber: what is wrong with each.
	sampleHeld = map[string]string{
		"ENC-20128": "missing member id",
		"ENC-20129": "bad NPI check digit",
		"ENC-20130": "total does not equal the lines",
	}
	sampleNotEnrolled = "ENC-20127" // member MHP000000000: 277CA rejection
	sampleDenied97110 = "ENC-20109" // 97110 to Blue Harbor Health: CO-50
)

func readSample(t *testing.T, name string) []*pipeline.Encounter {
	t.Helper()
	src, closer, err := Open(filepath.Join("..", "..", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	var out []*pipeline.Encounter
	for enc, err := range src.Encounters(t.Context()) {
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		out = append(out, enc)
	}
	return out
}

// TestSamplesReadCleanly reads both sample files fully: their invalid
// encounters are business-invalid, never malformed.
func TestSamplesReadCleanly(t *testing.T) {
	jsonl := readSample(t, "encounters.jsonl")
	csv := readSample(t, "encounters.csv")
	if len(jsonl) < 27 {
		t.Errorf("encounters.jsonl: %d encounters, want at least 27", len(jsonl))
	}
	if len(csv) < 6 {
		t.Errorf("encounters.csv: %d encounters, want at least 6", len(csv))
	}
	ids := map[string]bool{}
	for _, e := range jsonl {
		ids[e.ID] = true
	}
	for _, e := range csv {
		if ids[e.ID] {
			t.Errorf("encounter %s is in both sample files", e.ID)
		}
	}
	inst := 0
	for _, e := range jsonl {
		if e.Kind == x837.Institutional {
			inst++
		}
	}
	if inst != 2 {
		t.Errorf("encounters.jsonl: %d institutional encounters, want 2", inst)
	}
}

// TestSamplesBusinessRules checks the documented cases: exactly the held
// encounters break the scrubber's basic rules, and the simulator cases
// are where the README says.
func TestSamplesBusinessRules(t *testing.T) {
	all := append(readSample(t, "encounters.jsonl"), readSample(t, "encounters.csv")...)
	var gotHeld []string
	payers := map[string]bool{}
	for _, e := range all {
		payers[e.Payer.Name+"/"+e.Payer.ID] = true
		problems := sampleProblems(e)
		if len(problems) > 0 {
			gotHeld = append(gotHeld, e.ID)
		}
		if want, held := sampleHeld[e.ID]; held {
			if len(problems) != 1 || problems[0] != want {
				t.Errorf("%s: got problems %q, want just %q", e.ID, problems, want)
			}
		} else if len(problems) > 0 {
			t.Errorf("%s: unexpected problems %q", e.ID, problems)
		}
	}
	var wantHeld []string
	for id := range sampleHeld {
		wantHeld = append(wantHeld, id)
	}
	slices.Sort(gotHeld)
	slices.Sort(wantHeld)
	if !slices.Equal(gotHeld, wantHeld) {
		t.Errorf("held encounters: got %q, want %q", gotHeld, wantHeld)
	}
	if len(payers) != 3 {
		t.Errorf("got payers %v, want 3", payers)
	}

	var notEnrolled, denied []string
	for _, e := range all {
		if e.Subscriber.MemberID == "MHP000000000" {
			notEnrolled = append(notEnrolled, e.ID)
		}
		if e.Payer.Name == "Blue Harbor Health" && slices.ContainsFunc(e.Lines, func(l x837.Line) bool { return l.Procedure == "97110" }) {
			denied = append(denied, e.ID)
		}
	}
	if !slices.Equal(notEnrolled, []string{sampleNotEnrolled}) {
		t.Errorf("member MHP000000000: got %q, want %q", notEnrolled, sampleNotEnrolled)
	}
	if !slices.Equal(denied, []string{sampleDenied97110}) {
		t.Errorf("97110 to Blue Harbor: got %q, want %q", denied, sampleDenied97110)
	}
}

// sampleProblems applies a few of the scrubber's rules, enough to tell
// the held samples from the clean ones.
func sampleProblems(e *pipeline.Encounter) []string {
	var out []string
	if e.Subscriber.MemberID == "" {
		out = append(out, "missing member id")
	}
	npis := []string{e.BillingProvider.NPI}
	for _, p := range []*x837.Provider{e.RenderingProvider, e.ReferringProvider} {
		if p != nil {
			npis = append(npis, p.NPI)
		}
	}
	if e.ServiceFacility != nil {
		npis = append(npis, e.ServiceFacility.NPI)
	}
	if e.Institutional != nil && e.Institutional.AttendingProvider != nil {
		npis = append(npis, e.Institutional.AttendingProvider.NPI)
	}
	if slices.ContainsFunc(npis, func(n string) bool { return !validNPI(n) }) {
		out = append(out, "bad NPI check digit")
	}
	var sum x12.Amount
	for _, l := range e.Lines {
		sum += l.Charge
	}
	if sum != e.TotalCharge {
		out = append(out, "total does not equal the lines")
	}

	// Rules every sample keeps, held or not.
	first, last := x12.Date{Year: 2026, Month: time.September, Day: 1}, x12.Date{Year: 2026, Month: time.November, Day: 27}
	for i, l := range e.Lines {
		if l.ServiceDate.Before(first) || l.ServiceDate.After(last) {
			out = append(out, "line date out of range")
		}
		for _, p := range l.DiagnosisPointers {
			if p < 1 || p > len(e.Diagnoses) {
				out = append(out, "bad pointer on line "+strconv.Itoa(i))
			}
		}
		if len(l.Modifiers) > 4 || len(l.DiagnosisPointers) > 4 {
			out = append(out, "too many modifiers or pointers")
		}
		if e.Kind == x837.Institutional && l.RevenueCode == "" {
			out = append(out, "institutional line without revenue code")
		}
	}
	if len(e.Diagnoses) == 0 || len(e.Diagnoses) > 12 {
		out = append(out, "diagnosis count")
	}
	if e.BillingProvider.Address == nil || len(e.BillingProvider.Address.ZIP) != 9 {
		out = append(out, "billing ZIP not 9 digits")
	}
	if e.ServiceFacility != nil && len(e.ServiceFacility.Address.ZIP) != 9 {
		out = append(out, "facility ZIP not 9 digits")
	}
	if e.Patient == nil && e.Subscriber.Address == nil || e.Patient != nil && e.Patient.Address == nil {
		out = append(out, "patient address missing")
	}
	if e.Frequency != "1" || strings.TrimSpace(e.Payer.ID) == "" {
		out = append(out, "frequency or payer")
	}
	return out
}

// validNPI checks an NPI's Luhn check digit with the 80840 prefix.
func validNPI(npi string) bool {
	if len(npi) != 10 || npi[0] != '1' && npi[0] != '2' {
		return false
	}
	sum := 24 // the Luhn sum of the doubled-and-added prefix 80840
	for i := 8; i >= 0; i-- {
		c := npi[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if (8-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return npi[9] >= '0' && npi[9] <= '9' && (10-sum%10)%10 == int(npi[9]-'0')
}

func TestValidNPI(t *testing.T) {
	for npi, want := range map[string]bool{"1234567893": true, "1234567894": false, "123456789": false, "3234567893": false, "12345678x3": false} {
		if got := validNPI(npi); got != want {
			t.Errorf("validNPI(%q) = %v, want %v", npi, got, want)
		}
	}
}

// TestReadmeExamples reads the JSON Lines and CSV examples of
// samples/README.md, so the documentation stays true.
func TestReadmeExamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "samples", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, kind := range []string{"json", "csv"} {
		_, rest, ok := strings.Cut(string(data), "\n```"+kind+"\n")
		if !ok {
			t.Fatalf("no %s example in the README", kind)
		}
		block, _, _ := strings.Cut(rest, "```")
		blocks[kind] = block
	}
	tests := []struct {
		name string
		src  pipeline.EncounterSource
		want []string
	}{
		{"json", NewJSONL("README.md", strings.NewReader(blocks["json"])), []string{"ENC-1"}},
		{"csv", NewCSV("README.md", strings.NewReader(blocks["csv"])), []string{"ENC-1", "ENC-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(t, tt.src)
			if s := summaries(got); !slices.Equal(s, tt.want) {
				t.Fatalf("got %q, want %q; errors %v", s, tt.want, errorsOf(got))
			}
			for _, r := range got {
				if tt.name != "json" {
					break // the CSV example is cut down to a few columns
				}
				if problems := sampleProblems(r.enc); len(problems) > 0 {
					t.Errorf("%s: %q", r.enc.ID, problems)
				}
			}
		})
	}
}
