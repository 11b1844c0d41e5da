package x837

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/x12claims/claims/x12"
)

// FuzzValidateFile feeds arbitrary bytes to the file validator: it must
// never panic or fail, and every problem must name a rule and say what is
// wrong.
func FuzzValidateFile(f *testing.F) {
	for _, name := range []string{"professional.x12", "institutional.x12", "professional_extras.x12", "institutional_extras.x12"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday, MaxProblems: 500})
		if err != nil {
			t.Fatalf("error from an in-memory reader: %v", err)
		}
		for _, p := range ps {
			if p.Rule == "" || p.Message == "" {
				t.Fatalf("problem without rule or message: %+v", p)
			}
			_ = p.Error()
		}
	})
}

// setters change one string field of a claim, for FuzzScrubThenBuild.
var setters = []func(c *Claim, v string){
	func(c *Claim, v string) { c.PatientControlNumber = v },
	func(c *Claim, v string) { c.Frequency = v },
	func(c *Claim, v string) { c.PayerClaimNumber = v },
	func(c *Claim, v string) { c.PlaceOfService = v },
	func(c *Claim, v string) { c.PriorAuthorization = v },
	func(c *Claim, v string) { c.MedicalRecordNumber = v },
	func(c *Claim, v string) { c.Assignment = v },
	func(c *Claim, v string) { c.Diagnoses[0] = v },
	func(c *Claim, v string) { c.Diagnoses = append(c.Diagnoses, v) },
	func(c *Claim, v string) { c.BillingProvider.NPI = v },
	func(c *Claim, v string) { c.BillingProvider.Organization = v },
	func(c *Claim, v string) { c.BillingProvider.LastName = v },
	func(c *Claim, v string) { c.BillingProvider.Taxonomy = v },
	func(c *Claim, v string) { c.BillingProvider.TIN = v },
	func(c *Claim, v string) { c.BillingProvider.Phone = v },
	func(c *Claim, v string) { c.BillingProvider.Address.Line1 = v },
	func(c *Claim, v string) { c.BillingProvider.Address.City = v },
	func(c *Claim, v string) { c.BillingProvider.Address.State = v },
	func(c *Claim, v string) { c.BillingProvider.Address.ZIP = v },
	func(c *Claim, v string) {
		c.PayToAddress = &Address{Line1: v, City: "PEORIA", State: "IL", ZIP: "61602"}
	},
	func(c *Claim, v string) { c.Subscriber.LastName = v },
	func(c *Claim, v string) { c.Subscriber.FirstName = v },
	func(c *Claim, v string) { c.Subscriber.MemberID = v },
	func(c *Claim, v string) { c.Subscriber.GroupNumber = v },
	func(c *Claim, v string) { c.Subscriber.GroupName = v },
	func(c *Claim, v string) { c.Subscriber.Gender = v },
	func(c *Claim, v string) { c.Subscriber.Responsibility = v },
	func(c *Claim, v string) { c.Payer.Name = v },
	func(c *Claim, v string) { c.Payer.ID = v },
	func(c *Claim, v string) { c.Payer.FilingIndicator = v },
	func(c *Claim, v string) {
		c.Patient = &Patient{Person: Person{LastName: v, BirthDate: day(2010, 1, 1), Gender: "F",
			Address: &Address{Line1: "1 A ST", City: "PEKIN", State: "IL", ZIP: "61554"}}, Relationship: "19"}
	},
	func(c *Claim, v string) {
		if c.Patient != nil {
			c.Patient.Relationship = v
		}
	},
	func(c *Claim, v string) { c.RenderingProvider = &Provider{NPI: v, LastName: "RENDER", FirstName: "R"} },
	func(c *Claim, v string) { c.ReferringProvider = &Provider{NPI: "1122334455", LastName: v} },
	func(c *Claim, v string) {
		c.ServiceFacility = &Facility{Name: "SITE", NPI: "1987654328", Address: Address{Line1: "2 B ST", City: "PEKIN", State: "IL", ZIP: v}}
	},
	func(c *Claim, v string) { c.Lines[0].ControlNumber = v },
	func(c *Claim, v string) { c.Lines[0].Procedure = v },
	func(c *Claim, v string) { c.Lines[0].Modifiers = append(c.Lines[0].Modifiers, v) },
	func(c *Claim, v string) { c.Lines[0].Description = v },
	func(c *Claim, v string) { c.Lines[0].RevenueCode = v },
	func(c *Claim, v string) { c.Lines[0].Units = v },
	func(c *Claim, v string) { c.Lines[0].UnitBasis = v },
	func(c *Claim, v string) { c.Lines[0].PlaceOfService = v },
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.FacilityType = v
		}
	},
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.PatientStatus = v
		}
	},
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.AdmissionType = v
		}
	},
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.AdmittingDiagnosis = v
		}
	},
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.PrincipalProcedure = v
			c.Institutional.PrincipalProcedureDate = day(2026, 1, 6)
		}
	},
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.ConditionCodes = append(c.Institutional.ConditionCodes, v)
		}
	},
	func(c *Claim, v string) {
		if c.Institutional != nil {
			c.Institutional.ReasonForVisit = append(c.Institutional.ReasonForVisit, v)
		}
	},
}

// FuzzScrubThenBuild checks the promise between the scrubber and the
// builder: a claim the scrubber passes builds into a file the file
// validator passes. Each input changes two fields of a fixture claim.
func FuzzScrubThenBuild(f *testing.F) {
	f.Add(uint8(0), uint8(9), "1234567893", uint8(18), "627011234", int64(0), uint8(1))
	f.Add(uint8(1), uint8(7), "E11.9", uint8(36), "99213", int64(100), uint8(2))
	f.Add(uint8(4), uint8(1), "7", uint8(2), "PAYER123", int64(-1), uint8(0))
	f.Add(uint8(2), uint8(44), "01", uint8(40), "0450", int64(5), uint8(4))
	f.Fuzz(func(t *testing.T, which, s1 uint8, v1 string, s2 uint8, v2 string, charge int64, ptr uint8) {
		var c *Claim
		if which%2 == 0 {
			c = loadClaims(t, "professional.json")[int(which/2)%4]
		} else {
			c = loadClaims(t, "institutional.json")[int(which/2)%3]
		}
		setters[int(s1)%len(setters)](c, v1)
		setters[int(s2)%len(setters)](c, v2)
		if charge != 0 {
			c.Lines[0].Charge = x12.Amount(charge)
		}
		if ptr != 0 && len(c.Lines[0].DiagnosisPointers) > 0 {
			c.Lines[0].DiagnosisPointers[0] = int(ptr)
		}
		if HasErrors(c.Validate(ValidateOptions{Today: testToday})) {
			return
		}
		kind := c.Kind
		if kind == "" {
			kind = Professional
		}
		var buf bytes.Buffer
		if _, err := WriteFile(&buf, testEnvelope(kind), slices.Values([]*Claim{c})); err != nil {
			t.Fatalf("scrubbed claim does not build: %v", err)
		}
		ps, err := ValidateFile(bytes.NewReader(buf.Bytes()), FileOptions{Today: testToday})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Severity == SeverityError {
				t.Errorf("scrubbed claim builds into a file with %s: %s\n%s", p.Rule, p.Error(), buf.Bytes())
			}
		}
	})
}
