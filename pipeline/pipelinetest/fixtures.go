package pipelinetest

import (
	"context"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// Fixture times: nanoseconds and a non-UTC zone, which stores normalize
// to UTC microseconds.
var (
	t0 = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("EST", -5*3600))
	t1 = time.Date(2024, 6, 1, 12, 0, 0, 999999999, time.UTC)
	t2 = time.Date(1999, 12, 31, 23, 59, 59, 1000, time.FixedZone("CET", 3600))
)

// sampleData is claim content exercising most of x837.Claim's shapes:
// nested structs, nil and set pointers, dates, amounts, slices. All
// people and numbers are invented.
func sampleData(pcn string) x837.Claim {
	return x837.Claim{
		Kind:                 x837.Professional,
		PatientControlNumber: pcn,
		Frequency:            "1",
		TotalCharge:          x12.MustAmount("250.00"),
		PlaceOfService:       "11",
		PriorAuthorization:   "AUTH-1",
		OnsetDate:            x12.Date{Year: 2024, Month: 2, Day: 29},
		Diagnoses:            []string{"J02.9", "R50.9"},
		BillingProvider: x837.Provider{NPI: "1234567893", Organization: "Test Clinic", TIN: "123456789",
			Address: &x837.Address{Line1: "1 Test Way", City: "Testville", State: "TX", ZIP: "750010001"}},
		Subscriber: x837.Subscriber{
			Person:   x837.Person{LastName: "Doe", FirstName: "Pat", BirthDate: x12.Date{Year: 1980, Month: 1, Day: 31}, Gender: "U"},
			MemberID: "M000001",
		},
		Payer: x837.Payer{Name: "Test Payer", ID: "PAYER01", FilingIndicator: "CI"},
		Lines: []x837.Line{
			{Procedure: "99213", Modifiers: []string{"25"}, Charge: x12.MustAmount("150"), Units: "1",
				ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 1}, DiagnosisPointers: []int{1, 2}},
			{Procedure: "87880", Charge: x12.MustAmount("100"), Units: "1.5", ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 1},
				ServiceDateEnd: x12.Date{Year: 2024, Month: 3, Day: 2}, NonCoveredCharge: x12.MustAmount("-12.34")},
		},
	}
}

// sampleClaim is a claim in state s with two lines whose control
// numbers derive from enc (they are unique across claims).
func sampleClaim(enc string, s pipeline.ClaimState) *pipeline.Claim {
	return &pipeline.Claim{
		EncounterID:   enc,
		Kind:          x837.Professional,
		State:         s,
		PayerID:       "PAYER01",
		PayerName:     "Test Payer",
		Clearinghouse: "sim",
		TotalCharge:   x12.MustAmount("250.00"),
		Data:          sampleData(enc + "-1"),
		Lines: []pipeline.ClaimLine{
			{LineNo: 1, ControlNumber: enc + "-L1", Procedure: "99213", Modifiers: []string{"25", "59"},
				Charge: x12.MustAmount("150"), Units: "1", ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 1}},
			{LineNo: 2, ControlNumber: enc + "-L2", Procedure: "87880", RevenueCode: "0300",
				Charge: x12.MustAmount("100"), Units: "1.5", ServiceDate: x12.Date{Year: 2024, Month: 2, Day: 29}},
		},
		CreatedAt: t0,
	}
}

// createClaim inserts sampleClaim(enc, s) in its own transaction.
func createClaim(t *testing.T, s pipeline.Store, enc string, st pipeline.ClaimState) *pipeline.Claim {
	t.Helper()
	c := sampleClaim(enc, st)
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		must(t, "CreateClaim", tx.CreateClaim(ctx, c))
	})
	return c
}

// createRemittance inserts a posted remittance with the given trace.
func createRemittance(t *testing.T, s pipeline.Store, trace string) *pipeline.Remittance {
	t.Helper()
	r := &pipeline.Remittance{SetControl: "0001", PayerID: "PAYER01", PayerName: "Test Payer", Trace: trace,
		PaymentDate: x12.Date{Year: 2024, Month: 4, Day: 1}, Amount: x12.MustAmount("100"), Method: "ACH",
		State: pipeline.RemitPosted, CreatedAt: t1}
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		ok, err := tx.CreateRemittance(ctx, r)
		must(t, "CreateRemittance", err)
		if !ok {
			t.Fatalf("CreateRemittance(%s) did not insert", trace)
		}
	})
	return r
}

// firstVersion is the version CreateClaim stores for c: its number, kind
// original, by "intake", with the frequency ("1" when none) and REF*F8
// of c.Data.
func firstVersion(c *pipeline.Claim) pipeline.ClaimVersion {
	freq := c.Data.Frequency
	if freq == "" {
		freq = "1"
	}
	return pipeline.ClaimVersion{ClaimID: c.ID, Version: c.Version, Kind: pipeline.VersionOriginal, Frequency: freq,
		PayerClaimNumber: c.Data.PayerClaimNumber, Data: c.Data, TotalCharge: c.TotalCharge, Actor: "intake", CreatedAt: c.CreatedAt}
}

// after waits until the clock reads later than v at the precision stores
// keep, so that a time the store takes next is after v.
func after(v time.Time) {
	for !norm(time.Now()).After(v) {
		time.Sleep(time.Millisecond)
	}
}
