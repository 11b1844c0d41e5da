package x837

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
)

// The fixtures with the fields of professional_extras.go, built to golden
// files like the basic ones.
var extrasFixtures = []struct {
	fixture, golden string
	kind            Kind
}{
	{"professional_extras.json", "professional_extras.x12", Professional},
	{"institutional_extras.json", "institutional_extras.x12", Institutional},
}

func TestGoldenFilesExtras(t *testing.T) {
	for _, tc := range extrasFixtures {
		t.Run(tc.golden, func(t *testing.T) {
			claims := loadClaims(t, tc.fixture)
			for _, c := range claims {
				for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
					t.Errorf("%s: %s [%s]", c.PatientControlNumber, p.Error(), p.Rule)
				}
			}
			var buf bytes.Buffer
			res, err := WriteFile(&buf, testEnvelope(tc.kind), slices.Values(claims))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, buf.Bytes())
			refs, _ := json.MarshalIndent(res, "", "  ")
			golden(t, strings.TrimSuffix(tc.golden, ".x12")+".result.json", append(refs, '\n'))
			ps, err := ValidateFile(bytes.NewReader(buf.Bytes()), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				t.Errorf("ValidateFile: %s [%s]", p.Error(), p.Rule)
			}
		})
	}
}

func TestValidateExtras(t *testing.T) {
	const (
		prof = "professional_extras.json"
		inst = "institutional_extras.json"
	)
	warn := func(rule, field string, line int) want { return want{rule + " (warning)", field, line} }
	for _, tc := range []struct {
		name    string
		fixture string
		index   int
		mutate  func(c *Claim)
		want    []want
	}{
		{"clean accident", prof, 0, func(c *Claim) {}, nil},
		{"clean epsdt", prof, 1, func(c *Claim) {}, nil},
		{"clean ambulance", prof, 2, func(c *Claim) {}, nil},
		{"clean institutional", inst, 0, func(c *Claim) {}, nil},

		// CLM11 and DTP*439.
		{"related cause code", prof, 0, func(c *Claim) { c.RelatedCauses[1] = "XX" },
			[]want{{RuleCode, "related_causes[1]", 0}}},
		{"related cause repeated", prof, 0, func(c *Claim) { c.RelatedCauses[1] = "AA" },
			[]want{{RuleCode, "related_causes[1]", 0}}},
		{"three related causes", prof, 0, func(c *Claim) { c.RelatedCauses = append(c.RelatedCauses, "OA") },
			[]want{{RuleLength, "related_causes", 0}}},
		{"auto accident without state", prof, 0, func(c *Claim) { c.AutoAccidentState = "" },
			[]want{{RuleAccident, "auto_accident_state", 0}}},
		{"auto accident abroad", prof, 0, func(c *Claim) { c.AutoAccidentState, c.AutoAccidentCountry = "", "MEX" }, nil},
		{"auto accident bad state", prof, 0, func(c *Claim) { c.AutoAccidentState = "QQ" },
			[]want{{RuleCode, "auto_accident_state", 0}}},
		{"auto accident bad country", prof, 0, func(c *Claim) { c.AutoAccidentCountry = "mexico" },
			[]want{{RuleFormat, "auto_accident_country", 0}}},
		{"state without auto accident", prof, 0, func(c *Claim) { c.RelatedCauses = []string{"EM"} },
			[]want{warn(RuleNotSent, "auto_accident_state", 0)}},
		{"accident without date", prof, 2, func(c *Claim) { c.AccidentDate = x12.Date{} },
			[]want{{RuleAccident, "accident_date", 0}}},
		{"employment without date", prof, 0, func(c *Claim) {
			c.RelatedCauses, c.AutoAccidentState, c.AccidentDate = []string{"EM"}, "", x12.Date{}
		}, nil},
		{"accident date without cause", prof, 0, func(c *Claim) { c.RelatedCauses, c.AutoAccidentState = nil, "" },
			[]want{warn(RuleAccident, "accident_date", 0)}},
		{"accident after service", prof, 0, func(c *Claim) { c.AccidentDate = day(2026, time.February, 11) },
			[]want{{RuleDateOrder, "accident_date", 0}}},
		{"accident in the future", prof, 0, func(c *Claim) { c.AccidentDate = day(2026, time.April, 1) },
			[]want{{RuleDateFuture, "accident_date", 0}}},

		// CLM20, REF*9F, REF*X4, AMT*F5.
		{"delay reason", prof, 0, func(c *Claim) { c.DelayReason = "12" },
			[]want{{RuleCode, "delay_reason", 0}}},
		{"referral too long", prof, 0, func(c *Claim) { c.ReferralNumber = strings.Repeat("R", 51) },
			[]want{{RuleLength, "referral_number", 0}}},
		{"clia short", prof, 0, func(c *Claim) { c.CLIANumber = "14D098765" },
			[]want{{RuleCLIA, "clia_number", 0}}},
		{"clia shape", prof, 0, func(c *Claim) { c.CLIANumber = "14X0987654" },
			[]want{{RuleCLIA, "clia_number", 0}}},
		{"line prior authorization too long", prof, 0, func(c *Claim) { c.Lines[2].PriorAuthorization = strings.Repeat("P", 51) },
			[]want{{RuleLength, "lines[2].prior_authorization", 3}}},
		{"institutional line referral", inst, 0, func(c *Claim) { c.Lines[1].ReferralNumber = "R1" },
			[]want{warn(RuleNotSent, "lines[1].prior_authorization", 2)}},
		{"line clia", prof, 0, func(c *Claim) { c.Lines[3].CLIANumber = "140123456D" },
			[]want{{RuleCLIA, "lines[3].clia_number", 4}}},
		{"patient paid negative", prof, 0, func(c *Claim) { c.PatientPaid = x12.MustAmount("-5") },
			[]want{{RuleFormat, "patient_paid", 0}}},
		{"patient paid over charge", prof, 0, func(c *Claim) { c.PatientPaid = x12.MustAmount("500") },
			[]want{{RuleFormat, "patient_paid", 0}}},

		// PWK and NTE.
		{"attachment type", prof, 0, func(c *Claim) { c.Attachments[0].ReportType = "ZZ" },
			[]want{{RuleCode, "attachments[0].report_type", 0}}},
		{"attachment transmission", prof, 0, func(c *Claim) { c.Attachments[1].Transmission = "XX" },
			[]want{{RuleCode, "attachments[1].transmission", 0}}},
		{"attachment control missing", prof, 0, func(c *Claim) { c.Attachments[0].ControlNumber = "" },
			[]want{{RuleAttachment, "attachments[0].control_number", 0}}},
		{"line attachment control missing", prof, 0, func(c *Claim) { c.Lines[2].Attachments[0].ControlNumber = "" },
			[]want{{RuleAttachment, "lines[2].attachments[0].control_number", 3}}},
		{"attachment control short", prof, 0, func(c *Claim) { c.Attachments[0].ControlNumber = "A" },
			[]want{{RuleLength, "attachments[0].control_number", 0}}},
		{"eleven attachments", prof, 0, func(c *Claim) {
			for len(c.Attachments) < 11 {
				c.Attachments = append(c.Attachments, Attachment{ReportType: "OZ", Transmission: "AA"})
			}
		}, []want{{RuleLength, "attachments", 0}}},
		{"claim note code", prof, 0, func(c *Claim) { c.Note.Code = "ALG" },
			[]want{{RuleCode, "note.code", 0}}},
		{"claim note too long", prof, 0, func(c *Claim) { c.Note.Text = strings.Repeat("N", 81) },
			[]want{{RuleLength, "note.text", 0}}},
		{"line note code", prof, 0, func(c *Claim) { c.Lines[0].Note.Code = "CER" },
			[]want{{RuleCode, "lines[0].note.code", 1}}},
		{"line note empty", prof, 0, func(c *Claim) { c.Lines[0].Note.Text = "" },
			[]want{{RuleRequired, "lines[0].note.text", 1}}},
		{"note delimiter", prof, 0, func(c *Claim) { c.Note.Text = "A*B" },
			[]want{{RuleDelimiter, "note.text", 0}}},

		// Dates.
		{"last seen after service", prof, 0, func(c *Claim) { c.LastSeenDate = day(2026, time.March, 1) },
			[]want{{RuleDateOrder, "last_seen_date", 0}}},
		{"initial treatment impossible", prof, 0, func(c *Claim) { c.InitialTreatmentDate = day(2026, time.February, 30) },
			[]want{{RuleDateInvalid, "initial_treatment_date", 0}}},
		{"disability backwards", prof, 0, func(c *Claim) { c.DisabilityTo = day(2026, time.January, 1) },
			[]want{{RuleDateOrder, "disability_to", 0}}},
		{"disability to in the future", prof, 0, func(c *Claim) { c.DisabilityFrom, c.DisabilityTo = x12.Date{}, day(2026, time.June, 1) }, nil},

		// NDC.
		{"ndc ten digits", prof, 0, func(c *Claim) { c.Lines[1].Drug.NDC = "0409379501" },
			[]want{{RuleNDC, "lines[1].drug.ndc", 2}}},
		{"ndc bad layout", prof, 0, func(c *Claim) { c.Lines[1].Drug.NDC = "040-93795-01" },
			[]want{{RuleNDC, "lines[1].drug.ndc", 2}}},
		{"ndc letters", prof, 0, func(c *Claim) { c.Lines[1].Drug.NDC = "0040937950A" },
			[]want{{RuleNDC, "lines[1].drug.ndc", 2}}},
		{"ndc missing", prof, 0, func(c *Claim) { c.Lines[1].Drug.NDC = "" },
			[]want{{RuleRequired, "lines[1].drug.ndc", 2}}},
		{"drug quantity zero", prof, 0, func(c *Claim) { c.Lines[1].Drug.Quantity = "0" },
			[]want{{RuleFormat, "lines[1].drug.quantity", 2}}},
		{"drug quantity trailing dot", prof, 0, func(c *Claim) { c.Lines[1].Drug.Quantity = "2." },
			[]want{{RuleFormat, "lines[1].drug.quantity", 2}}},
		{"units trailing dot (pyx12 rejects it)", prof, 0, func(c *Claim) { c.Lines[1].Units = "2." },
			[]want{{RuleFormat, "lines[1].units", 2}}},
		{"drug quantity missing", prof, 0, func(c *Claim) { c.Lines[1].Drug.Quantity = "" },
			[]want{{RuleRequired, "lines[1].drug.quantity", 2}}},
		{"drug unit", prof, 0, func(c *Claim) { c.Lines[1].Drug.Unit = "MG" },
			[]want{{RuleCode, "lines[1].drug.unit", 2}}},
		{"drug unit missing", prof, 0, func(c *Claim) { c.Lines[1].Drug.Unit = "" },
			[]want{{RuleRequired, "lines[1].drug.unit", 2}}},
		{"drug two references", prof, 0, func(c *Claim) { c.Lines[1].Drug.LinkSequenceNumber = "1" },
			[]want{{RuleFormat, "lines[1].drug", 2}}},
		{"medicaid j-code without ndc", prof, 1, func(c *Claim) { c.Lines[1].Procedure, c.Lines[1].Drug = "J3301", nil },
			[]want{warn(RuleNDC, "lines[1].drug", 2)}},

		// Providers.
		{"primary care without referring", prof, 0, func(c *Claim) {
			c.PrimaryCareProvider = &Provider{NPI: "1506070808", LastName: "PCP", FirstName: "PAT"}
			c.ReferringProvider = nil
		}, []want{{RuleRequired, "referring_provider", 0}}},
		{"primary care organization", prof, 0, func(c *Claim) {
			c.PrimaryCareProvider = &Provider{NPI: "1506070808", Organization: "CLINIC"}
		}, []want{{RulePersonOrOrganization, "primary_care_provider.organization", 0}}},
		{"supervising npi", prof, 0, func(c *Claim) { c.SupervisingProvider.NPI = "1556677881" },
			[]want{{RuleNPICheckDigit, "supervising_provider.npi", 0}}},
		{"supervising organization", prof, 0, func(c *Claim) { c.SupervisingProvider.Organization = "GROUP" },
			[]want{{RulePersonOrOrganization, "supervising_provider.organization", 0}}},
		{"line rendering npi", prof, 0, func(c *Claim) { c.Lines[2].RenderingProvider.NPI = "1667788991" },
			[]want{{RuleNPICheckDigit, "lines[2].rendering_provider.npi", 3}}},
		{"line rendering taxonomy", prof, 0, func(c *Claim) { c.Lines[2].RenderingProvider.Taxonomy = "2085R0202" },
			[]want{{RuleTaxonomy, "lines[2].rendering_provider.taxonomy", 3}}},
		{"ordering without name", prof, 0, func(c *Claim) { c.Lines[3].OrderingProvider.LastName = "" },
			[]want{{RuleRequired, "lines[3].ordering_provider.last_name", 4}}},
		{"ordering zip", prof, 0, func(c *Claim) { c.Lines[3].OrderingProvider.Address.ZIP = "6270" },
			[]want{{RuleZIP, "lines[3].ordering_provider.address.zip", 4}}},
		{"line supervising organization", prof, 0, func(c *Claim) { c.Lines[3].SupervisingProvider.Organization = "LAB" },
			[]want{{RulePersonOrOrganization, "lines[3].supervising_provider.organization", 4}}},

		// EPSDT.
		{"epsdt no referral with code", prof, 1, func(c *Claim) { c.EPSDT.ReferralGiven = false },
			[]want{{RuleEPSDT, "epsdt.conditions[0]", 0}, {RuleEPSDT, "epsdt.conditions[1]", 0}}},
		{"epsdt referral with NU", prof, 1, func(c *Claim) { c.EPSDT.Conditions = []string{"NU"} },
			[]want{{RuleEPSDT, "epsdt.conditions[0]", 0}}},
		{"epsdt no referral NU", prof, 1, func(c *Claim) { c.EPSDT = &EPSDTReferral{Conditions: []string{"NU"}} }, nil},
		{"epsdt no condition", prof, 1, func(c *Claim) { c.EPSDT.Conditions = nil },
			[]want{{RuleRequired, "epsdt.conditions", 0}}},
		{"epsdt bad condition", prof, 1, func(c *Claim) { c.EPSDT.Conditions[1] = "XX" },
			[]want{{RuleCode, "epsdt.conditions[1]", 0}}},
		{"epsdt four conditions", prof, 1, func(c *Claim) { c.EPSDT.Conditions = []string{"ST", "S2", "AV", "ST"} },
			[]want{{RuleLength, "epsdt.conditions", 0}}},
		{"epsdt not medicaid", prof, 1, func(c *Claim) { c.Payer.FilingIndicator = "CI" },
			[]want{warn(RuleEPSDT, "epsdt", 0), warn(RuleEPSDT, "lines[0].epsdt", 1), warn(RuleEPSDT, "lines[1].epsdt", 2), warn(RuleEPSDT, "lines[2].epsdt", 3)}},

		// Ambulance.
		{"ambulance code without CR1", prof, 2, func(c *Claim) { c.Ambulance = nil; c.Lines[1].Ambulance = nil },
			[]want{{RuleAmbulance, "ambulance", 0}}},
		{"ambulance without pick-up", prof, 2, func(c *Claim) { c.Ambulance.PickUp = nil },
			[]want{{RuleAmbulance, "ambulance.pick_up", 0}}},
		{"ambulance without drop-off", prof, 2, func(c *Claim) { c.Ambulance.DropOff = nil },
			[]want{{RuleAmbulance, "ambulance.drop_off", 0}}},
		{"ambulance pick-up name", prof, 2, func(c *Claim) { c.Ambulance.PickUp.Name = "HOME" },
			[]want{warn(RuleNotSent, "ambulance.pick_up.name", 0)}},
		{"ambulance pick-up city", prof, 2, func(c *Claim) { c.Ambulance.PickUp.Address.City = "" },
			[]want{{RuleRequired, "ambulance.pick_up.address.city", 0}}},
		{"ambulance reason", prof, 2, func(c *Claim) { c.Ambulance.TransportReason = "F" },
			[]want{{RuleCode, "ambulance.transport_reason", 0}}},
		{"ambulance reason missing", prof, 2, func(c *Claim) { c.Ambulance.TransportReason = "" },
			[]want{{RuleRequired, "ambulance.transport_reason", 0}}},
		{"ambulance distance", prof, 2, func(c *Claim) { c.Ambulance.DistanceMiles = "12 miles" },
			[]want{{RuleFormat, "ambulance.distance_miles", 0}}},
		{"ambulance distance missing", prof, 2, func(c *Claim) { c.Ambulance.DistanceMiles = "" },
			[]want{{RuleRequired, "ambulance.distance_miles", 0}}},
		{"ambulance weight", prof, 2, func(c *Claim) { c.Ambulance.PatientWeight = "-1" },
			[]want{{RuleFormat, "ambulance.patient_weight", 0}}},
		{"ambulance certification code", prof, 2, func(c *Claim) { c.Ambulance.Certifications[0].Conditions[2] = "02" },
			[]want{{RuleCode, "ambulance.certifications[0].conditions[2]", 0}}},
		{"ambulance certification empty", prof, 2, func(c *Claim) { c.Ambulance.Certifications[0].Conditions = nil },
			[]want{{RuleRequired, "ambulance.certifications[0].conditions", 0}}},
		{"ambulance without certification", prof, 2, func(c *Claim) { c.Ambulance.Certifications = nil },
			[]want{warn(RuleAmbulance, "ambulance.certifications", 0)}},
		{"line ambulance reason", prof, 2, func(c *Claim) { c.Lines[1].Ambulance.TransportReason = "Z" },
			[]want{{RuleCode, "lines[1].ambulance.transport_reason", 2}}},
		{"line ambulance certification", prof, 2, func(c *Claim) { c.Lines[1].Ambulance.Certifications[0].Conditions[0] = "99" },
			[]want{{RuleCode, "lines[1].ambulance.certifications[0].conditions[0]", 2}}},
		{"line ambulance without claim's", prof, 0, func(c *Claim) {
			c.Lines[0].Ambulance = &AmbulanceTransport{TransportReason: "A", DistanceMiles: "3"}
		}, []want{{RuleAmbulance, "lines[0].ambulance", 1}}},
		{"one ambulance patient", prof, 2, func(c *Claim) { c.Lines[0].AmbulancePatients = 1 },
			[]want{warn(RuleNotSent, "lines[0].ambulance_patients", 1)}},
		{"negative ambulance patients", prof, 2, func(c *Claim) { c.Lines[0].AmbulancePatients = -2 },
			[]want{{RuleFormat, "lines[0].ambulance_patients", 1}}},
		{"a busload of ambulance patients", prof, 2, func(c *Claim) { c.Lines[0].AmbulancePatients = 1 << 60 },
			[]want{{RuleFormat, "lines[0].ambulance_patients", 1}}},

		// Institutional.
		{"institutional note code", inst, 0, func(c *Claim) { c.Note.Code = "CER" },
			[]want{{RuleCode, "note.code", 0}}},
		{"institutional ndc", inst, 0, func(c *Claim) { c.Lines[3].Drug.NDC = "123" },
			[]want{{RuleNDC, "lines[3].drug.ndc", 4}}},
		{"institutional clia", inst, 0, func(c *Claim) { c.CLIANumber = "14D0987654" },
			[]want{warn(RuleNotSent, "clia_number", 0)}},
		{"institutional related causes", inst, 0, func(c *Claim) { c.RelatedCauses = []string{"OA"} },
			[]want{warn(RuleNotSent, "related_causes", 0)}},
		{"institutional ambulance", inst, 0, func(c *Claim) { c.Ambulance = &Ambulance{} },
			[]want{warn(RuleNotSent, "ambulance", 0)}},
		{"institutional patient paid", inst, 0, func(c *Claim) { c.PatientPaid = x12.MustAmount("10") },
			[]want{warn(RuleNotSent, "patient_paid", 0)}},
		{"institutional line note", inst, 0, func(c *Claim) { c.Lines[0].Note = &Note{Code: "ADD", Text: "X"} },
			[]want{warn(RuleNotSent, "lines[0].note", 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fixture(t, tc.fixture, tc.index)
			tc.mutate(c)
			var got []want
			for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
				rule := p.Rule
				if p.Severity == SeverityWarning {
					rule += " (warning)"
				}
				got = append(got, want{rule, p.Field, p.Line})
				if p.Location() == "" {
					t.Errorf("%s has no X12 location", p.Error())
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				var msgs []string
				for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
					msgs = append(msgs, p.Error())
				}
				t.Errorf("problems:\n got %v\nwant %v\n%s", got, tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

func TestNormalizeNDC(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"00409379501", "00409379501", true},
		{"00409-3795-01", "00409379501", true},
		{"0409-3795-01", "00409379501", true}, // 4-4-2
		{"12345-678-90", "12345067890", true}, // 5-3-2
		{"12345-6789-1", "12345678901", true}, // 5-4-1
		{"0409379501", "", false},             // 10 digits without hyphens: ambiguous
		{"409-3795-01", "", false},            // two digits short
		{"12345-67890-1", "", false},
		{"12345-6789", "", false},
		{"1234A-6789-01", "", false},
		{"", "", false},
	} {
		got, ok := NormalizeNDC(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("NormalizeNDC(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestValidCLIA(t *testing.T) {
	for v, want := range map[string]bool{
		"14D0987654": true, "05D2087654": true, "14d0987654": false, "14D098765": false,
		"14D09876543": false, "A4D0987654": false, "": false,
	} {
		if got := ValidCLIA(v); got != want {
			t.Errorf("ValidCLIA(%q) = %v", v, got)
		}
	}
}

func TestValidateFileExtras(t *testing.T) {
	const p, i = "professional_extras.x12", "institutional_extras.x12"
	for _, tc := range []struct {
		name  string
		file  string
		edits []string
		want  []fileProblem
	}{
		{"clia", p, []string{"REF*X4*14D0987654", "REF*X4*14D098765"},
			[]fileProblem{{RuleCLIA, 33, "E3001-1", 0}}},
		{"line clia", p, []string{"REF*X4*14D0123456", "REF*X4*1400123456"},
			[]fileProblem{{RuleCLIA, 66, "E3001-1", 4}}},
		{"ndc hyphens", p, []string{"LIN**N4*00409379501", "LIN**N4*00409-3795-01"},
			[]fileProblem{{RuleNDC, 50, "E3001-1", 2}}},
		{"ndc ten digits", i, []string{"LIN**N4*12345067890", "LIN**N4*1234567890"},
			[]fileProblem{{RuleNDC, 52, "H3001-1", 4}}},
		{"drug quantity zero", p, []string{"CTP****2*ML", "CTP****0*ML"},
			[]fileProblem{{RuleFormat, 51, "E3001-1", 2}}},
		{"drug quantity trailing dot", p, []string{"CTP****2*ML", "CTP****2.*ML"},
			[]fileProblem{{RuleFormat, 51, "E3001-1", 2}}},
		{"drug unit", p, []string{"CTP****2*ML", "CTP****2*MG"},
			[]fileProblem{{RuleCode, 51, "E3001-1", 2}}},
		{"pwk without control", p, []string{"PWK*OZ*FX***AC*ATT-3001-A", "PWK*OZ*FX"},
			[]fileProblem{{RuleAttachment, 28, "E3001-1", 0}}},
		{"line pwk without control", p, []string{"PWK*RR*EL***AC*ATT-3001-L3", "PWK*RR*EL"},
			[]fileProblem{{RuleAttachment, 55, "E3001-1", 3}}},
		{"pwk report type", p, []string{"PWK*09*AA", "PWK*ZZ*AA"},
			[]fileProblem{{RuleCode, 29, "E3001-1", 0}}},
		{"auto accident without state", p, []string{"AA:EM::IL", "AA:EM"},
			[]fileProblem{{RuleAccident, 22, "E3001-1", 0}}},
		{"related cause code", p, []string{"AA:EM::IL", "AA:XX::IL"},
			[]fileProblem{{RuleCode, 22, "E3001-1", 0}}},
		{"accident without date", p, []string{"DTP*439*D8*20260212~\n", "", "SE*132*", "SE*131*"},
			[]fileProblem{{RuleAccident, 112, "E3003-1", 0}}},
		{"delay reason", p, []string{"*********7~", "*********16~"},
			[]fileProblem{{RuleCode, 22, "E3001-1", 0}}},
		{"epsdt NU with referral", p, []string{"CRC*ZZ*Y*ST*S2", "CRC*ZZ*Y*NU"},
			[]fileProblem{{RuleEPSDT, 82, "E3002-1", 0}}},
		{"epsdt code without referral", p, []string{"CRC*ZZ*Y*ST*S2", "CRC*ZZ*N*ST"},
			[]fileProblem{{RuleEPSDT, 82, "E3002-1", 0}}},
		{"ambulance without CR1", p, []string{"CR1*LB*130**A*DH*12.5****HIP FRACTURE, UNABLE TO SIT~\n", "", "SE*132*", "SE*131*"},
			[]fileProblem{{RuleAmbulance, 112, "E3003-1", 0}}},
		{"ambulance without pick-up", p, []string{"NM1*PW*2~\nN3*9 WILLOW LANE~\nN4*SPRINGFIELD*IL*62707~\n", "", "SE*132*", "SE*129*"},
			[]fileProblem{{RuleAmbulance, 112, "E3003-1", 0}}},
		{"ambulance without drop-off", p, []string{"NM1*45*2*SPRINGFIELD GENERAL HOSPITAL~\nN3*800 E CARPENTER ST~\nN4*SPRINGFIELD*IL*627690001~\n", "", "SE*132*", "SE*129*"},
			[]fileProblem{{RuleAmbulance, 112, "E3003-1", 0}}},
		{"ambulance reason", p, []string{"CR1*LB*130**A*", "CR1*LB*130**Q*"},
			[]fileProblem{{RuleCode, 114, "E3003-1", 0}}},
		{"ambulance certification code", p, []string{"CRC*07*Y*01*04*09", "CRC*07*Y*01*04*02"},
			[]fileProblem{{RuleCode, 115, "E3003-1", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, tc.file, tc.edits...)
			ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			var got []fileProblem
			for _, p := range ps {
				if p.Severity == SeverityError {
					got = append(got, fileProblem{p.Rule, p.Pos.Segment, p.Claim, p.Line})
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				var msgs []string
				for _, p := range ps {
					msgs = append(msgs, p.Rule+": "+p.Error())
				}
				t.Errorf("problems:\n got %v\nwant %v\n%s", got, tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestValidateFileOnePatientWarns checks that QTY*PT with one patient is
// a warning, not an error.
func TestValidateFileOnePatientWarns(t *testing.T) {
	data := edit(t, "professional_extras.x12", "QTY*PT*2", "QTY*PT*1")
	ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Rule != RuleNotSent || ps[0].Severity != SeverityWarning || ps[0].Pos.Segment != 126 {
		t.Errorf("got %v, want one not-sent warning at segment 126", ps)
	}
}

// TestFieldAtExtras checks that a 999 error on a billing field maps back
// to its encounter field.
func TestFieldAtExtras(t *testing.T) {
	const prof = "professional_extras.json"
	for _, tt := range []struct {
		name          string
		claim         int
		loop, element string
		want          string
	}{
		{"NDC of the only drug line", 0, "2410", "LIN03", "lines[1].drug.ndc"},
		{"drug unit", 0, "2410", "CTP05-1", "lines[1].drug.unit"},
		{"auto accident state", 0, "2300", "CLM11-4", "auto_accident_state"},
		{"delay reason", 0, "2300", "CLM20", "delay_reason"},
		{"claim note text", 0, "2300", "NTE02", "note.text"},
		{"supervising NPI", 0, "2310D", "NM109", "supervising_provider.npi"},
		{"line rendering NPI", 0, "2420A", "NM109", "lines[2].rendering_provider.npi"},
		{"ordering ZIP", 0, "2420E", "N403", "lines[3].ordering_provider.address.zip"},
		{"two claim attachments: ambiguous", 0, "2300", "PWK01", ""},
		{"EPSDT condition", 1, "2300", "CRC04", "epsdt.conditions[1]"},
		{"ambulance distance: claim and line", 2, "2300", "CR106", "ambulance.distance_miles"},
		{"drop-off city", 2, "2310F", "N401", "ambulance.drop_off.address.city"},
		{"pick-up street", 2, "2310E", "N301", "ambulance.pick_up.address.line1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture(t, prof, tt.claim)
			if got := FieldAt(c, tt.loop, tt.element); got != tt.want {
				t.Errorf("FieldAt(%s, %s) = %q, want %q", tt.loop, tt.element, got, tt.want)
			}
		})
	}
}

// TestLineHasExtras checks hasExtras against the Line fields that follow
// NonCoveredCharge (those of professional_extras.go): each, set alone,
// makes a line have extras.
func TestLineHasExtras(t *testing.T) {
	if (&Line{Procedure: "99213", Charge: 100, Units: "1"}).hasExtras() {
		t.Fatal("a plain line has extras")
	}
	typ := reflect.TypeFor[Line]()
	last, _ := typ.FieldByName("NonCoveredCharge")
	n := 0
	for i := last.Index[0] + 1; i < typ.NumField(); i++ {
		var l Line
		f := reflect.ValueOf(&l).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("X")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int:
			f.SetInt(2)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		default:
			t.Fatalf("field %s: kind %s not handled", typ.Field(i).Name, f.Kind())
		}
		if !l.hasExtras() {
			t.Errorf("a line with only %s set has no extras", typ.Field(i).Name)
		}
		n++
	}
	if n < 14 {
		t.Errorf("%d extra line fields, want at least 14", n)
	}
}
