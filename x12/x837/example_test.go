package x837_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

func exampleClaim() *x837.Claim {
	addr := func(line, zip string) *x837.Address {
		return &x837.Address{Line1: line, City: "SPRINGFIELD", State: "IL", ZIP: zip}
	}
	return &x837.Claim{
		PatientControlNumber: "E42-1",
		TotalCharge:          x12.MustAmount("125"),
		PlaceOfService:       "11",
		Diagnoses:            []string{"J06.9"},
		BillingProvider: x837.Provider{NPI: "1234567893", Organization: "MAPLE CLINIC", TIN: "123456789",
			Address: addr("100 MAPLE STREET", "627011234")},
		Subscriber: x837.Subscriber{Person: x837.Person{LastName: "DOE", FirstName: "JAN", Gender: "F",
			BirthDate: x12.Date{Year: 1980, Month: time.May, Day: 1}, Address: addr("1 ELM COURT", "62704")},
			MemberID: "M123456"},
		Payer: x837.Payer{Name: "PRAIRIE HEALTH PLAN", ID: "PHP01"},
		Lines: []x837.Line{{ControlNumber: "E42-1-L1", Procedure: "99213", Charge: x12.MustAmount("125"), Units: "1",
			ServiceDate: x12.Date{Year: 2026, Month: time.March, Day: 2}, DiagnosisPointers: []int{1}}},
	}
}

// The scrubber names the encounter field and the X12 location of each
// problem.
func ExampleClaim_Validate() {
	c := exampleClaim()
	c.BillingProvider.NPI = "1234567890"
	c.Lines[0].DiagnosisPointers = []int{1, 2}
	for _, p := range c.Validate(x837.ValidateOptions{Today: x12.Date{Year: 2026, Month: time.March, Day: 15}}) {
		fmt.Printf("%s %s: %s\n", p.Rule, p.Field, p.Error())
	}
	// Output:
	// npi-check-digit billing_provider.npi: NPI 1234567890 fails the check digit (expected 3) (2010AA NM109)
	// diagnosis-pointer lines[0].diagnosis_pointers[1]: line 1: diagnosis pointer 2 has no diagnosis (2400 SV107-2)
}

// WriteFile writes one file and says where each claim went.
func ExampleWriteFile() {
	env := x837.Envelope{
		SenderQualifier: "ZZ", SenderID: "MAPLEBILLING", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE01",
		ISA13: "1001", GS06: "1001", BatchID: "B1001",
		Created:   time.Date(2026, time.March, 15, 9, 30, 0, 0, time.UTC),
		Submitter: x837.Submitter{Name: "MAPLE BILLING", ETIN: "MAPLEBILLING", Phone: "2175550123"},
		Receiver:  x837.Receiver{Name: "CLEARHOUSE ONE", ID: "CLEARHOUSE01"},
	}
	var buf bytes.Buffer
	res, err := x837.WriteFile(&buf, env, slices.Values([]*x837.Claim{exampleClaim()}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Claims {
		fmt.Printf("claim %s: set %s, segments %d-%d (CLM at %d)\n", c.PCN, c.ST02, c.SegFrom, c.SegTo, c.ClaimFrom)
	}
	segs := strings.Split(strings.TrimSuffix(buf.String(), "~"), "~")
	fmt.Println(segs[len(segs)-3])
	// Output:
	// claim E42-1: set 0001, segments 6-23 (CLM at 18)
	// SE*24*0001
}

// ValidateFile checks any 837 and positions each problem in the file.
func ExampleValidateFile() {
	var buf bytes.Buffer
	env := x837.Envelope{
		SenderQualifier: "ZZ", SenderID: "MAPLEBILLING", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE01",
		ISA13: "1001", GS06: "1001", BatchID: "B1001",
		Created:   time.Date(2026, time.March, 15, 9, 30, 0, 0, time.UTC),
		Submitter: x837.Submitter{Name: "MAPLE BILLING", ETIN: "MAPLEBILLING", Phone: "2175550123"},
		Receiver:  x837.Receiver{Name: "CLEARHOUSE ONE", ID: "CLEARHOUSE01"},
	}
	if _, err := x837.WriteFile(&buf, env, slices.Values([]*x837.Claim{exampleClaim()})); err != nil {
		fmt.Println(err)
		return
	}
	file := strings.Replace(buf.String(), "CLM*E42-1*125*", "CLM*E42-1*152*", 1)
	problems, err := x837.ValidateFile(strings.NewReader(file), x837.FileOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range problems {
		fmt.Println(p.Rule, p.Error())
	}
	// Output:
	// claim-out-of-balance segment 20 (CLM), set 0001 position 18: claim E42-1: total charge 152.00 does not equal the sum of the line charges 125.00 (2300 CLM02)
}
