package x837

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
)

// fixture returns a deep copy of claim i of a fixture file.
func fixture(t *testing.T, name string, i int) *Claim {
	t.Helper()
	claims := loadClaims(t, name)
	data, err := json.Marshal(claims[i])
	if err != nil {
		t.Fatal(err)
	}
	var c Claim
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

type want struct {
	rule, field string
	line        int
}

func day(y int, m time.Month, d int) x12.Date { return x12.Date{Year: y, Month: m, Day: d} }

func TestValidate(t *testing.T) {
	const (
		prof = "professional.json"
		inst = "institutional.json"
	)
	for _, tc := range []struct {
		name    string
		fixture string
		index   int
		mutate  func(c *Claim)
		want    []want
	}{
		{"clean self", prof, 0, func(c *Claim) {}, nil},
		{"clean dependent replacement", prof, 1, func(c *Claim) {}, nil},
		{"clean institutional outpatient", inst, 0, func(c *Claim) {}, nil},
		{"clean institutional inpatient", inst, 1, func(c *Claim) {}, nil},
		{"out of balance", prof, 0, func(c *Claim) { c.TotalCharge = x12.MustAmount("250") },
			[]want{{RuleOutOfBalance, "total_charge", 0}}},
		{"npi check digit", prof, 0, func(c *Claim) { c.BillingProvider.NPI = "1234567890" },
			[]want{{RuleNPICheckDigit, "billing_provider.npi", 0}}},
		{"npi format", prof, 0, func(c *Claim) { c.RenderingProvider.NPI = "9876543210" },
			[]want{{RuleNPIFormat, "rendering_provider.npi", 0}}},
		{"taxonomy", prof, 0, func(c *Claim) { c.BillingProvider.Taxonomy = "207Q0000X" },
			[]want{{RuleTaxonomy, "billing_provider.taxonomy", 0}}},
		{"billing zip 5", prof, 0, func(c *Claim) { c.BillingProvider.Address.ZIP = "62701" },
			[]want{{RuleZIP9, "billing_provider.address.zip", 0}}},
		{"facility zip 5", prof, 1, func(c *Claim) { c.ServiceFacility.Address.ZIP = "62704" },
			[]want{{RuleZIP9, "service_facility.address.zip", 0}}},
		{"subscriber zip", prof, 0, func(c *Claim) { c.Subscriber.Address.ZIP = "6270" },
			[]want{{RuleZIP, "subscriber.address.zip", 0}}},
		{"icd9 code", prof, 0, func(c *Claim) { c.Diagnoses[1] = "401.9" },
			[]want{{RuleICD10, "diagnoses[1]", 0}}},
		{"13 diagnoses", prof, 0, func(c *Claim) {
			c.Diagnoses = strings.Fields("E119 I10 Z794 E785 J069 R059 M5450 F411 G4700 R079 N179 E1165 I214")
		}, []want{{RuleDiagnosesMax, "diagnoses", 0}}},
		{"no diagnosis", prof, 0, func(c *Claim) { c.Diagnoses = nil },
			[]want{{RuleRequired, "diagnoses", 0}, {RuleDiagnosisPointer, "lines[0].diagnosis_pointers[0]", 1},
				{RuleDiagnosisPointer, "lines[0].diagnosis_pointers[1]", 2 - 1}, {RuleDiagnosisPointer, "lines[1].diagnosis_pointers[0]", 2},
				{RuleDiagnosisPointer, "lines[2].diagnosis_pointers[0]", 3}, {RuleDiagnosisPointer, "lines[2].diagnosis_pointers[1]", 3}}},
		{"pointer without diagnosis", prof, 0, func(c *Claim) { c.Lines[1].DiagnosisPointers = []int{1, 4} },
			[]want{{RuleDiagnosisPointer, "lines[1].diagnosis_pointers[1]", 2}}},
		{"pointer out of range", prof, 0, func(c *Claim) { c.Lines[0].DiagnosisPointers = []int{13} },
			[]want{{RuleDiagnosisPointer, "lines[0].diagnosis_pointers[0]", 1}}},
		{"pointer repeated", prof, 0, func(c *Claim) { c.Lines[0].DiagnosisPointers = []int{1, 1} },
			[]want{{RuleDiagnosisPointer, "lines[0].diagnosis_pointers[1]", 1}}},
		{"five pointers", prof, 0, func(c *Claim) { c.Lines[0].DiagnosisPointers = []int{1, 2, 3, 1, 2} },
			[]want{{RuleLength, "lines[0].diagnosis_pointers", 1}, {RuleDiagnosisPointer, "lines[0].diagnosis_pointers[3]", 1},
				{RuleDiagnosisPointer, "lines[0].diagnosis_pointers[4]", 1}}},
		{"no pointer", prof, 0, func(c *Claim) { c.Lines[2].DiagnosisPointers = nil },
			[]want{{RuleRequired, "lines[2].diagnosis_pointers", 3}}},
		{"51 lines", prof, 3, func(c *Claim) {
			for len(c.Lines) < 51 {
				l := c.Lines[1]
				l.ControlNumber = fmt.Sprintf("E1004-1-L%d", len(c.Lines)+1)
				c.Lines = append(c.Lines, l)
			}
			c.TotalCharge = x12.MustAmount("3200") // 200 + 50 * 60
		}, []want{{RuleLinesMax, "lines", 0}}},
		{"future service date", prof, 0, func(c *Claim) { c.Lines[0].ServiceDate = day(2026, time.April, 1) },
			[]want{{RuleDateFuture, "lines[0].service_date", 1}}},
		{"impossible date", prof, 0, func(c *Claim) { c.Lines[2].ServiceDate = day(2026, time.February, 30) },
			[]want{{RuleDateInvalid, "lines[2].service_date", 3}}},
		{"range backwards", prof, 1, func(c *Claim) { c.Lines[2].ServiceDateEnd = day(2026, time.January, 1) },
			[]want{{RuleDateOrder, "lines[2].service_date_end", 3}}},
		{"onset after service", prof, 0, func(c *Claim) { c.OnsetDate = day(2026, time.March, 1) },
			[]want{{RuleDateOrder, "onset_date", 0}}},
		{"born after service", prof, 0, func(c *Claim) { c.Subscriber.BirthDate = day(2026, time.March, 1) },
			[]want{{RuleDateOrder, "subscriber.birth_date", 0}}},
		{"born in the future", prof, 0, func(c *Claim) { c.Subscriber.BirthDate = day(2027, time.March, 1) },
			[]want{{RuleDateFuture, "subscriber.birth_date", 0}}},
		{"replacement without F8", prof, 1, func(c *Claim) { c.PayerClaimNumber = "" },
			[]want{{RulePayerClaimNumber, "payer_claim_number", 0}}},
		{"void without F8", prof, 2, func(c *Claim) { c.PayerClaimNumber = "" },
			[]want{{RulePayerClaimNumber, "payer_claim_number", 0}}},
		{"F8 on original", prof, 0, func(c *Claim) { c.PayerClaimNumber = "X1" },
			[]want{{RulePayerClaimNumber, "payer_claim_number", 0}}},
		{"frequency code", prof, 0, func(c *Claim) { c.Frequency = "3" },
			[]want{{RuleCode, "frequency", 0}}},
		{"delimiter in name", prof, 0, func(c *Claim) { c.Subscriber.LastName = "O*QUINTERO" },
			[]want{{RuleDelimiter, "subscriber.last_name", 0}}},
		{"delimiter in line", prof, 0, func(c *Claim) { c.Lines[1].Description = "TUBE:RED" },
			[]want{{RuleDelimiter, "lines[1].description", 2}}},
		{"control character", prof, 0, func(c *Claim) { c.BillingProvider.Address.Line1 = "100 MAPLE\tSTREET" },
			[]want{{RuleInvalidCharacter, "billing_provider.address.line1", 0}}},
		{"pcn too long", prof, 0, func(c *Claim) { c.PatientControlNumber = "E1001-1-ABCDEFGHIJKLM" },
			[]want{{RulePCNLength, "patient_control_number", 0}}},
		{"member id missing", prof, 0, func(c *Claim) { c.Subscriber.MemberID = "" },
			[]want{{RuleRequired, "subscriber.member_id", 0}}},
		{"name too long", prof, 0, func(c *Claim) { c.Payer.Name = strings.Repeat("A", 61) },
			[]want{{RuleLength, "payer.name", 0}}},
		{"place of service", prof, 0, func(c *Claim) { c.PlaceOfService = "30" },
			[]want{{RuleCode, "place_of_service", 0}}},
		{"state", prof, 0, func(c *Claim) { c.Subscriber.Address.State = "XX" },
			[]want{{RuleCode, "subscriber.address.state", 0}}},
		{"gender", prof, 0, func(c *Claim) { c.Subscriber.Gender = "X" },
			[]want{{RuleCode, "subscriber.gender", 0}}},
		{"patient is self", prof, 1, func(c *Claim) { c.Patient.Relationship = "18" },
			[]want{{RuleSameAsSubscriber, "patient.relationship", 0}}},
		{"patient address missing", prof, 1, func(c *Claim) { c.Patient.Address = nil },
			[]want{{RuleRequired, "patient.address", 0}}},
		{"subscriber demographics missing", prof, 0, func(c *Claim) { c.Subscriber.BirthDate = x12.Date{}; c.Subscriber.Gender = "" },
			[]want{{RuleRequired, "subscriber.birth_date", 0}, {RuleRequired, "subscriber.gender", 0}}},
		{"duplicate control number", prof, 0, func(c *Claim) { c.Lines[1].ControlNumber = c.Lines[0].ControlNumber },
			[]want{{RuleLineControlDuplicate, "lines[1].control_number", 2}}},
		{"five modifiers", prof, 0, func(c *Claim) { c.Lines[0].Modifiers = []string{"25", "59", "LT", "RT", "GT"} },
			[]want{{RuleLength, "lines[0].modifiers", 1}}},
		{"bad modifier", prof, 0, func(c *Claim) { c.Lines[0].Modifiers = []string{"2"} },
			[]want{{RuleLength, "lines[0].modifiers[0]", 1}}},
		{"procedure", prof, 0, func(c *Claim) { c.Lines[0].Procedure = "9921" },
			[]want{{RuleFormat, "lines[0].procedure", 1}}},
		{"units", prof, 0, func(c *Claim) { c.Lines[0].Units = "0" },
			[]want{{RuleFormat, "lines[0].units", 1}}},
		{"negative charge", prof, 0, func(c *Claim) {
			c.Lines[1].Charge = x12.MustAmount("-25")
			c.TotalCharge = x12.MustAmount("195")
		}, []want{{RuleFormat, "lines[1].charge", 2}}},
		{"po box billing address", prof, 0, func(c *Claim) { c.BillingProvider.Address.Line1 = "P.O. Box 12" },
			[]want{{RuleFormat, "billing_provider.address.line1", 0}}},
		{"tin", prof, 0, func(c *Claim) { c.BillingProvider.TIN = "12-3456789" },
			[]want{{RuleFormat, "billing_provider.tin", 0}}},
		{"referring organization", prof, 0, func(c *Claim) { c.ReferringProvider.Organization = "GROUP" },
			[]want{{RulePersonOrOrganization, "referring_provider.organization", 0}}},
		{"unknown kind", prof, 0, func(c *Claim) { c.Kind = "dental" },
			[]want{{RuleUnsupportedKind, "kind", 0}}},
		{"attending missing", inst, 0, func(c *Claim) { c.Institutional.AttendingProvider = nil },
			[]want{{RuleAttendingRequired, "institutional.attending_provider", 0}}},
		{"attending npi", inst, 0, func(c *Claim) { c.Institutional.AttendingProvider.NPI = "1333444555" },
			[]want{{RuleNPICheckDigit, "institutional.attending_provider.npi", 0}}},
		{"statement backwards", inst, 1, func(c *Claim) { c.Institutional.StatementTo = day(2026, time.January, 4) },
			[]want{{RuleDateOrder, "institutional.statement_to", 0}, {RuleDateOrder, "institutional.admission_date", 0},
				{RuleDateOrder, "lines[1].service_date", 2}, {RuleDateOrder, "lines[2].service_date", 3}}},
		{"service outside statement", inst, 0, func(c *Claim) { c.Lines[2].ServiceDate = day(2026, time.February, 4) },
			[]want{{RuleDateOrder, "lines[2].service_date", 3}}},
		{"patient status", inst, 0, func(c *Claim) { c.Institutional.PatientStatus = "00" },
			[]want{{RuleFormat, "institutional.patient_status", 0}}},
		{"revenue code", inst, 0, func(c *Claim) { c.Lines[0].RevenueCode = "450" },
			[]want{{RuleFormat, "lines[0].revenue_code", 1}}},
		{"institutional data missing", inst, 0, func(c *Claim) { c.Institutional = nil },
			[]want{{RuleRequired, "institutional", 0}}},
		{"institutional billing person", inst, 0, func(c *Claim) {
			c.BillingProvider.Organization, c.BillingProvider.LastName = "", "BRIGID"
		}, []want{{RulePersonOrOrganization, "billing_provider.organization", 0}}},
		{"principal procedure", inst, 1, func(c *Claim) { c.Institutional.PrincipalProcedure = "02703" },
			[]want{{RuleFormat, "institutional.principal_procedure", 0}}},
		{"reason for visit", inst, 0, func(c *Claim) { c.Institutional.ReasonForVisit = []string{"R07.9", "786.50"} },
			[]want{{RuleICD10, "institutional.reason_for_visit[1]", 0}}},
		{"25 diagnoses on 837I", inst, 1, func(c *Claim) {
			for len(c.Diagnoses) < 26 {
				c.Diagnoses = append(c.Diagnoses, "Z9911")
			}
		}, []want{{RuleDiagnosesMax, "diagnoses", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fixture(t, tc.fixture, tc.index)
			tc.mutate(c)
			before, _ := json.Marshal(c)
			got := c.Validate(ValidateOptions{Today: testToday})
			after, _ := json.Marshal(c)
			if string(before) != string(after) {
				t.Error("Validate changed the claim")
			}
			var gotW []want
			for _, p := range got {
				gotW = append(gotW, want{p.Rule, p.Field, p.Line})
			}
			if fmt.Sprint(gotW) != fmt.Sprint(tc.want) {
				var msgs []string
				for _, p := range got {
					msgs = append(msgs, p.Rule+": "+p.Error())
				}
				t.Errorf("problems:\n got %v\nwant %v\n%s", gotW, tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

func TestProblemError(t *testing.T) {
	c := fixture(t, "professional.json", 0)
	c.Lines[1].DiagnosisPointers = []int{4}
	ps := c.Validate(ValidateOptions{Today: testToday})
	if len(ps) != 1 {
		t.Fatalf("got %d problems, want 1: %v", len(ps), ps)
	}
	if got, want := ps[0].Error(), "line 2: diagnosis pointer 4 has no diagnosis (2400 SV107-1)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := ps[0].Location(), "2400 SV107-1"; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
}

// TestValidateNoPHI checks that messages never quote names, member IDs,
// birth dates or addresses, even when those fields are the problem.
func TestValidateNoPHI(t *testing.T) {
	c := fixture(t, "professional.json", 1)
	c.Subscriber.LastName = "BRAN*NIGAN"
	c.Subscriber.MemberID = "XQA5556:66777"
	c.Patient.FirstName = strings.Repeat("NELL", 10)
	c.Patient.Address.Line1 = "48 BIRCH~LANE"
	c.Patient.BirthDate = day(2027, time.June, 2)
	ps := c.Validate(ValidateOptions{Today: testToday})
	if len(ps) < 5 {
		t.Fatalf("got %d problems, want at least 5", len(ps))
	}
	for _, p := range ps {
		for _, phi := range []string{"BRAN", "XQA", "NELL", "BIRCH", "2027", "20270602"} {
			if strings.Contains(p.Error(), phi) {
				t.Errorf("message quotes PHI %q: %s", phi, p.Error())
			}
		}
	}
}

func TestValidateTodayZeroSkipsFuture(t *testing.T) {
	c := fixture(t, "professional.json", 0)
	c.Lines[0].ServiceDate = day(2099, time.January, 1)
	c.Lines[1].ServiceDate = day(2099, time.January, 1)
	c.Lines[2].ServiceDate = day(2099, time.January, 1)
	if ps := c.Validate(ValidateOptions{}); len(ps) != 0 {
		t.Errorf("with no Today, got %v", ps)
	}
}
