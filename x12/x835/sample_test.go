package x835

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// amt parses a test constant.
func amt(s string) x12.Amount { return x12.MustAmount(s) }

func amtp(s string) *x12.Amount { a := amt(s); return &a }

func day(y int, m time.Month, d int) x12.Date { return x12.Date{Year: y, Month: m, Day: d} }

// sampleRemittance is a fictitious remittance that uses every part of the
// model: two LX loops, a TS3, claim and line CAS, all NM1 kinds, MIA and
// MOA, dates, AMT/QTY, a changed procedure, remark codes and PLB. It
// balances at every level:
//
//	claim 1 line 1: 150.00 - (CO-45 30.00 + PR-2 24.00) = 96.00
//	claim 1 line 2:  50.00 - (CO-45 10.00 + PR-1 40.00) =  0.00
//	claim 1: 200.00 - 0 (claim CAS) - 104.00 (line CAS) = 96.00
//	claim 2: 1000.00 - (CO-45 400.00 + PR-1 100.00) = 500.00
//	claim 3 (reversal of an earlier 80.00 payment): -100.00 - (-20.00) = -80.00
//	transaction: 96.00 + 500.00 - 80.00 - (PLB L6 -4.50 + WO 20.00) = 500.50
func sampleRemittance() *Remittance {
	return &Remittance{
		SetControl: "0001",
		Payment: Payment{
			Handling: "I", Amount: amt("500.50"), CreditDebit: "C", Method: "ACH", Format: "CCP",
			Date: day(2025, 10, 3), TraceType: "1", Trace: "EFT0000123", OriginatorID: "1999999999",
			Bank: &BankAccounts{SenderDFIQualifier: "01", SenderDFI: "999999992", SenderAccountQualifier: "DA",
				SenderAccount: "12345", PayerID: "1999999999", ReceiverDFIQualifier: "01", ReceiverDFI: "888888880",
				ReceiverAccountQualifier: "DA", ReceiverAccount: "98765"},
		},
		Refs:           []Ref{{Qualifier: "EV", Value: "ACMEBILL"}},
		ProductionDate: day(2025, 10, 1),
		Payer: Party{Name: "EXAMPLE HEALTH PLAN", IDQualifier: "XV", ID: "EXPLAN01",
			Address: &Address{Line1: "1 PLAN WAY", City: "SPRINGFIELD", State: "IL", ZIP: "62701"},
			Refs:    []Ref{{Qualifier: "2U", Value: "99999"}},
			Contacts: []Contact{
				{Function: "CX", Name: "CLAIMS", Numbers: []Ref{{Qualifier: "TE", Value: "8005550100"}}},
				{Function: "BL", Name: "EDI SUPPORT", Numbers: []Ref{{Qualifier: "TE", Value: "8005550101"}, {Qualifier: "EM", Value: "edi@example.org"}}},
				{Function: "IC", Numbers: []Ref{{Qualifier: "UR", Value: "www.example.org"}}},
			}},
		Payee: Party{Name: "ACME CLINIC", IDQualifier: "XX", ID: "1234567893",
			Refs: []Ref{{Qualifier: "TJ", Value: "123456789"}}},
		Summaries: []ProviderSummary{{HeaderNumber: 2, ProviderID: "1234567893", FacilityType: "13",
			FiscalDate: day(2025, 12, 31), ClaimCount: "1", TotalCharge: amt("1000")}},
		Claims: []*Claim{
			{
				Ordinal: 1, HeaderNumber: 1, PatientControlNumber: "C1001-1", Status: "1",
				Charge: amt("200"), Paid: amt("96"), PatientResponsibility: amt("64"), FilingIndicator: "12",
				PayerClaimNumber: "ICN0001", FacilityType: "11", Frequency: "1",
				Names: []Name{
					{Entity: "QC", EntityType: "1", LastName: "PATIENT", FirstName: "TEST", IDQualifier: "MI", ID: "M0001"},
					{Entity: "IL", EntityType: "1", LastName: "SUBSCRIBER", FirstName: "TEST", MiddleName: "Q", Suffix: "JR", IDQualifier: "MI", ID: "M0000"},
					{Entity: "74", EntityType: "1", LastName: "PATIENT", FirstName: "TESS"},
					{Entity: "82", EntityType: "1", LastName: "DOCTOR", FirstName: "DANA", IDQualifier: "XX", ID: "1234567893"},
				},
				Outpatient:        &Outpatient{Amounts: []Amount{{Qualifier: "MOA02", Amount: amt("10")}}},
				OutpatientRemarks: []string{"MA01", "N130"},
				Refs:              []Ref{{Qualifier: "EA", Value: "MRN77"}},
				StatementFrom:     day(2025, 9, 10), StatementTo: day(2025, 9, 10), ReceivedDate: day(2025, 9, 15),
				Contacts:   []Contact{{Function: "CX", Numbers: []Ref{{Qualifier: "TE", Value: "8005550102"}}}},
				Amounts:    []Amount{{Qualifier: "AU", Amount: amt("160")}},
				Quantities: []Quantity{{Qualifier: "CA", Quantity: "1"}},
				Lines: []*Line{
					{Procedure: Procedure{Qualifier: "HC", Code: "99214", Modifiers: []string{"25"}}, Charge: amt("150"), Paid: amt("96"),
						Units: "1", Original: &Procedure{Qualifier: "HC", Code: "99215", Description: "OFFICE VISIT"}, OriginalUnits: "1",
						ServiceDate:   day(2025, 9, 10),
						Adjustments:   []Adjustment{{Group: "CO", Reason: "45", Amount: amt("30")}, {Group: "PR", Reason: "2", Amount: amt("24")}},
						ControlNumber: "C1001-L1", Refs: []Ref{{Qualifier: "0K", Value: "POLICY9"}}, Allowed: amtp("120"),
						Remarks: []string{"N130"}},
					{Procedure: Procedure{Qualifier: "HC", Code: "36415"}, Charge: amt("50"), Paid: amt("0"), Units: "1",
						ServiceDate: day(2025, 9, 10), ServiceDateEnd: day(2025, 9, 11),
						Adjustments:   []Adjustment{{Group: "CO", Reason: "45", Amount: amt("10")}, {Group: "PR", Reason: "1", Amount: amt("40"), Quantity: "1"}},
						ControlNumber: "C1001-L2", Allowed: amtp("40"), Amounts: []Amount{{Qualifier: "KH", Amount: amt("0")}},
						Quantities: []Quantity{{Qualifier: "ZK", Quantity: "1"}}, RxRemarks: []string{"70"}},
				},
			},
			{
				Ordinal: 2, HeaderNumber: 2, PatientControlNumber: "C1002-1", Status: "19",
				Charge: amt("1000"), Paid: amt("500"), PatientResponsibility: amt("100"), FilingIndicator: "MA",
				PayerClaimNumber: "ICN0002", FacilityType: "13", Frequency: "1", DRG: "470", DRGWeight: "1.9", DischargeFraction: "1",
				Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: amt("400")}, {Group: "PR", Reason: "1", Amount: amt("100")}},
				Names: []Name{
					{Entity: "QC", EntityType: "1", LastName: "INPATIENT", FirstName: "TEST", IDQualifier: "MI", ID: "M0002"},
					{Entity: "TT", EntityType: "2", LastName: "MEDIGAP PLAN", IDQualifier: "PI", ID: "MG01"},
				},
				Inpatient:          &Inpatient{CoveredDays: "3", Amounts: []Amount{{Qualifier: "MIA04", Amount: amt("500")}}},
				InpatientRemarks:   []string{"MA18"},
				CoverageExpiration: day(2026, 1, 1),
			},
			{
				Ordinal: 3, HeaderNumber: 2, PatientControlNumber: "C0900-1", Status: "22",
				Charge: amt("-100"), Paid: amt("-80"), FilingIndicator: "12", PayerClaimNumber: "ICN0900",
				Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: amt("-20")}},
				Names:       []Name{{Entity: "QC", EntityType: "1", LastName: "OTHER", FirstName: "TEST", IDQualifier: "MI", ID: "M0003"}},
			},
		},
		ProviderAdjustments: []ProviderAdjustment{
			{ProviderID: "1234567893", FiscalDate: day(2025, 12, 31), Reason: "L6", Amount: amt("-4.50")},
			{ProviderID: "1234567893", FiscalDate: day(2025, 12, 31), Reason: "WO", Reference: "ICN0555", Amount: amt("20")},
		},
	}
}

func sampleEnvelope() (x12.InterchangeHeader, x12.GroupHeader) {
	return x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "EXPLAN01", ReceiverQualifier: "ZZ", ReceiverID: "ACMEBILL",
			Date: "251003", Time: "1200", ControlNumber: "000000101", Usage: "T"},
		x12.GroupHeader{SenderCode: "EXPLAN01", ReceiverCode: "ACMEBILL", Date: "20251003", Time: "1200", ControlNumber: "101"}
}

// sampleFile returns the sample remittance written as a whole file.
func sampleFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	isa, gs := sampleEnvelope()
	if err := WriteInterchange(&buf, isa, gs, sampleRemittance()); err != nil {
		t.Fatalf("WriteInterchange: %v", err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
