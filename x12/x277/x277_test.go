package x277

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x12test"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func dump(v any) string { b, _ := json.Marshal(v); return string(b) }

func amtp(s string) *x12.Amount { a := x12.MustAmount(s); return &a }

func day(y, m, d int) x12.Date { return x12.Date{Year: y, Month: timeMonth(m), Day: d} }

func st(cat, status, entity, action, charge string) Status {
	s := Status{Codes: []StatusCode{{Category: cat, Status: status, Entity: entity}}, Date: day(2025, 10, 2), Action: action}
	if charge != "" {
		s.Charge = amtp(charge)
	}
	return s
}

// sampleAck is a clearinghouse 277CA for five claims of one batch:
// accepted, rejected (billing provider NPI, with the second status code in
// STC10), rejected through one line, received only (A1) and an unknown
// category.
func sampleAck() *Acknowledgment {
	rejected := st("A7", "21", "85", "U", "250")
	rejected.Codes = append(rejected.Codes, StatusCode{Category: "A7", Status: "562", Entity: "85"})
	rejected.Message = "BILLING PROVIDER NPI NOT ON FILE"
	return &Acknowledgment{
		SetControl: "0001", Reference: "B20251001", Date: day(2025, 10, 2), Time: "0830",
		Sources: []*Source{{
			Party: Party{Entity: "AY", EntityType: "2", LastName: "EXAMPLE CLEARINGHOUSE", IDQualifier: "46", ID: "CLEARINGHOUSE"},
			Trace: "RCPT0001", ReceiptDate: day(2025, 10, 1), ProcessDate: day(2025, 10, 2),
			Receivers: []*Receiver{{
				Party:    Party{Entity: "41", EntityType: "2", LastName: "ACME BILLING", IDQualifier: "46", ID: "ACMEBILL"},
				Trace:    "B20251001",
				Statuses: []Status{st("A1", "19", "PR", "WQ", "1045")},
				Summary:  Summary{AcceptedCount: "2", RejectedCount: "3", AcceptedAmount: amtp("395"), RejectedAmount: amtp("650")},
				Providers: []*Provider{{
					Party:    Party{Entity: "85", EntityType: "2", LastName: "ACME CLINIC", IDQualifier: "XX", ID: "1234567893"},
					Trace:    "PRV0001",
					Statuses: []Status{{Codes: []StatusCode{{Category: "A1", Status: "19"}}, Action: "WQ", Charge: amtp("1045")}},
					Summary:  Summary{AcceptedCount: "2", RejectedCount: "3"},
					Patients: []*Patient{
						{Party: Party{Entity: "QC", EntityType: "1", LastName: "PATIENT", FirstName: "TEST", IDQualifier: "MI", ID: "M0001"},
							Claims: []*Claim{
								{PatientControlNumber: "C1001-1", Statuses: []Status{st("A2", "20", "", "WQ", "200")}, PayerClaimNumber: "ICN0001",
									ClearinghouseTrace: "CH1001", ServiceFrom: day(2025, 9, 10),
									Lines: []*Line{{Procedure: Procedure{Qualifier: "HC", Code: "99214", Modifiers: []string{"25"}}, Charge: x12.MustAmount("150"),
										Units: "1", Statuses: []Status{st("A2", "20", "", "WQ", "")}, ControlNumber: "C1001-L1", ServiceFrom: day(2025, 9, 10)}}},
								{PatientControlNumber: "C1002-1", Statuses: []Status{rejected}, ServiceFrom: day(2025, 9, 10), ServiceTo: day(2025, 9, 12)},
							}},
						{Party: Party{Entity: "QC", EntityType: "1", LastName: "OTHER", FirstName: "TEST", MiddleName: "Q", Suffix: "JR", IDQualifier: "MI", ID: "M0002"},
							Claims: []*Claim{
								{PatientControlNumber: "C1003-1", Statuses: []Status{st("A2", "20", "", "WQ", "300")}, ServiceFrom: day(2025, 9, 11),
									Lines: []*Line{
										{Procedure: Procedure{Qualifier: "HC", Code: "93000"}, Charge: x12.MustAmount("100"), Statuses: []Status{st("A2", "20", "", "WQ", "")}, ControlNumber: "C1003-L1"},
										{Procedure: Procedure{Qualifier: "HC", Code: "36415"}, Charge: x12.MustAmount("200"), Statuses: []Status{st("A7", "454", "", "U", "")}, ControlNumber: "C1003-L2"},
									}},
								{PatientControlNumber: "C1004-1", Statuses: []Status{st("A1", "19", "PR", "WQ", "195")}, ServiceFrom: day(2025, 9, 11)},
								{PatientControlNumber: "C1005-1", Statuses: []Status{st("Q9", "20", "", "WQ", "100")}, ServiceFrom: day(2025, 9, 11)},
							}},
					},
				}},
			}},
		}},
	}
}

func envelope() (x12.InterchangeHeader, x12.GroupHeader) {
	return x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "CLEARINGHOUSE", ReceiverQualifier: "ZZ", ReceiverID: "ACMEBILL",
			Date: "251002", Time: "0830", ControlNumber: "000000301", Usage: "T"},
		x12.GroupHeader{SenderCode: "CLEARINGHOUSE", ReceiverCode: "ACMEBILL", Date: "20251002", Time: "0830", ControlNumber: "301"}
}

func sampleFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	isa, gs := envelope()
	if err := WriteInterchange(&buf, isa, gs, sampleAck()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteGolden(t *testing.T) {
	got := sampleFile(t)
	path := "testdata/sample.277"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n%s", path, got)
	}
}

func clearPositions(a *Acknowledgment) {
	a.ISA13, a.GS06, a.SenderID, a.ReceiverID, a.Version = "", "", "", "", ""
	clear := func(sts []Status) {
		for i := range sts {
			sts[i].Segment = 0
		}
	}
	for _, s := range a.Sources {
		for _, r := range s.Receivers {
			clear(r.Statuses)
			for _, p := range r.Providers {
				clear(p.Statuses)
				for _, pt := range p.Patients {
					for _, c := range pt.Claims {
						c.Segment = 0
						clear(c.Statuses)
						for _, l := range c.Lines {
							l.Segment = 0
							clear(l.Statuses)
						}
					}
				}
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	acks, err := Read(bytes.NewReader(sampleFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 || len(acks[0].Warnings) != 0 {
		t.Fatalf("%d acks, warnings %v", len(acks), acks[0].Warnings)
	}
	got := acks[0]
	clearPositions(got)
	if want := sampleAck(); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip differs\ngot:  %s\nwant: %s", dump(got), dump(want))
	}
}

func TestVerdicts(t *testing.T) {
	a := sampleAck()
	var got []string
	for _, c := range a.Claims() {
		got = append(got, c.PatientControlNumber+" "+c.Verdict().String())
	}
	want := []string{"C1001-1 accepted", "C1002-1 rejected", "C1003-1 rejected", "C1004-1 pending", "C1005-1 review"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts %q, want %q", got, want)
	}
	if c := a.Counts(); c != (Counts{Claims: 5, Accepted: 1, Rejected: 2, Pending: 1, Review: 1}) {
		t.Errorf("Counts %+v", c)
	}
	one := func(cat, action string) []Status {
		return []Status{{Codes: []StatusCode{{Category: cat, Status: "20"}}, Action: action}}
	}
	tests := []struct {
		name string
		sts  [][]Status
		want codes.Verdict
	}{
		{"A1 is not acceptance", [][]Status{one("A1", "WQ")}, codes.Pending},
		{"A2 accepted", [][]Status{one("A2", "WQ")}, codes.Accepted},
		{"A2 with action U is rejected", [][]Status{one("A2", "U")}, codes.Rejected},
		{"A3 rejected", [][]Status{one("A3", "")}, codes.Rejected},
		{"STC11 rejects", [][]Status{{{Codes: []StatusCode{{Category: "A2", Status: "20"}, {Category: "A1", Status: "19"}, {Category: "A8", Status: "21"}}}}}, codes.Rejected},
		{"line rejects", [][]Status{one("A2", "WQ"), one("A6", "")}, codes.Rejected},
		{"unknown is review", [][]Status{one("A2", "WQ"), one("ZZ", "")}, codes.Review},
		{"exception is review", [][]Status{one("E0", "")}, codes.Review},
		{"no status is review", nil, codes.Review},
		{"A1 then A2 accepted", [][]Status{one("A1", "WQ"), one("A2", "WQ")}, codes.Accepted},
	}
	for _, tt := range tests {
		if got := Verdict(tt.sts...); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCorpus(t *testing.T) {
	files := x12test.CorpusFiles(t, "277ca")
	if len(files) != 1 || filepath.Base(files[0]) != "imsweb-x12-parser__x12_277CA_accepted.txt" {
		t.Fatalf("corpus changed: %v (add expectations)", files)
	}
	fh, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	acks, err := Read(fh)
	if err != nil {
		t.Fatal(err)
	}
	a := acks[0]
	// One claim: TRN*2*5781, STC*A2:20*20110311*WQ*125, REF*1K; the
	// receiver's batch status STC*A1:20 is not a claim.
	if c := a.Counts(); c != (Counts{Claims: 1, Accepted: 1}) {
		t.Errorf("Counts %+v", c)
	}
	c := a.Claims()[0]
	if c.PatientControlNumber != "5781" || c.PayerClaimNumber != "1107000000014420" || c.Statuses[0].Charge.String() != "125.00" {
		t.Errorf("claim %s", dump(c))
	}
	r := a.Sources[0].Receivers[0]
	if r.Trace != "000000674" || r.Statuses[0].Codes[0] != (StatusCode{Category: "A1", Status: "20"}) || r.AcceptedCount != "1" {
		t.Errorf("receiver %s", dump(r))
	}
	if p := a.Sources[0].Receivers[0].Providers[0]; p.Party.ID != "1234567890" || p.Trace != "1107000000000135FF" {
		t.Errorf("provider %s", dump(p))
	}
}

func TestProblems(t *testing.T) {
	const env = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~GS*HN*A*B*20251003*1200*1*X*005010X214~"
	wrap := func(body string) string {
		n := strings.Count(body, "~") + 1
		return env + body + "SE*" + x12.Amount(n*100).X12() + "*0001~GE*1*1~IEA*1*000000001~"
	}
	head := "ST*277*0001*005010X214~BHT*0085*08*R1*20251003*1200*TH~HL*1**20*1~NM1*AY*2*CH*****46*CH~HL*2*1*21*1~NM1*41*2*SUB*****46*SUB~HL*3*2*19*1~NM1*85*2*PROV*****XX*1234567893~"
	tests := []struct {
		name, input, wantErr string
		sentinel             error
	}{
		{"STC before TRN in 2000D", wrap(head + "HL*4*3*PT~NM1*QC*1*P*Q****MI*1~STC*A2:20*20251003*WQ*1~"), "STC is not allowed in the patient level (2000D)", ErrStructure},
		{"wrong parent", wrap(head + "HL*4*1*PT~NM1*QC*1*P*Q****MI*1~TRN*2*C1~STC*A2:20*20251003*WQ*1~"), "HL02 parent \"1\"", ErrStructure},
		{"SVC charge not a number", wrap(head + "HL*4*3*PT~NM1*QC*1*P*Q****MI*1~TRN*2*C1~STC*A2:20*20251003*WQ*1~SVC*HC:99213*X~"), "SVC02 \"X\"", x12.ErrBadAmount},
		{"truncated", env + head + "HL*4*3*PT~NM1*QC*1*P*Q****MI*1~TRN*2*C1~STC*A2:20", "no SE", x12.ErrMissingTrailer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v, want %v containing %q", err, tt.sentinel, tt.wantErr)
			}
		})
	}
}
