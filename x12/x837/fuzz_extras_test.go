package x837

import (
	"bytes"
	"slices"
	"testing"

	"github.com/x12claims/claims/x12"
)

// extraSetters change one field of professional_extras.go in a claim of
// the extras fixtures, for FuzzScrubThenBuildExtras.
var extraSetters = []func(c *Claim, v string){
	func(c *Claim, v string) { c.RelatedCauses = append(c.RelatedCauses, v) },
	func(c *Claim, v string) { c.RelatedCauses = []string{v} },
	func(c *Claim, v string) { c.AutoAccidentState = v },
	func(c *Claim, v string) { c.AutoAccidentCountry = v },
	func(c *Claim, v string) { c.DelayReason = v },
	func(c *Claim, v string) { c.ReferralNumber = v },
	func(c *Claim, v string) { c.CLIANumber = v },
	func(c *Claim, v string) {
		if a, err := x12.ParseAmount([]byte(v)); err == nil {
			c.PatientPaid = a
		}
	},
	func(c *Claim, v string) {
		c.Attachments = append(c.Attachments, Attachment{ReportType: v, Transmission: "AA"})
	},
	func(c *Claim, v string) {
		c.Attachments = append(c.Attachments, Attachment{ReportType: "OZ", Transmission: v})
	},
	func(c *Claim, v string) {
		c.Attachments = append(c.Attachments, Attachment{ReportType: "OZ", Transmission: "FX", ControlNumber: v})
	},
	func(c *Claim, v string) { c.Note = &Note{Code: v, Text: "NOTE"} },
	func(c *Claim, v string) { c.Note = &Note{Code: "ADD", Text: v} },
	func(c *Claim, v string) {
		if d, err := x12.ParseDate([]byte(v)); err == nil {
			c.AccidentDate = d
		}
	},
	func(c *Claim, v string) {
		if d, err := x12.ParseDate([]byte(v)); err == nil {
			c.DisabilityTo = d
		}
	},
	func(c *Claim, v string) {
		c.EPSDT = &EPSDTReferral{ReferralGiven: len(v)%2 == 0, Conditions: []string{v}}
	},
	func(c *Claim, v string) {
		c.Ambulance = &Ambulance{AmbulanceTransport: AmbulanceTransport{TransportReason: "A", DistanceMiles: v},
			PickUp:  &Location{Address: Address{Line1: "1 A ST", City: "PEKIN", State: "IL", ZIP: "61554"}},
			DropOff: &Location{Address: Address{Line1: "2 B ST", City: "PEKIN", State: "IL", ZIP: "61554"}}}
	},
	func(c *Claim, v string) {
		if c.Ambulance != nil {
			c.Ambulance.PatientWeight = v
		}
	},
	func(c *Claim, v string) {
		if c.Ambulance != nil {
			c.Ambulance.Certifications = append(c.Ambulance.Certifications, AmbulanceCertification{Conditions: []string{v}})
		}
	},
	func(c *Claim, v string) {
		if c.Ambulance != nil && c.Ambulance.DropOff != nil {
			c.Ambulance.DropOff.Name = v
		}
	},
	func(c *Claim, v string) { c.SupervisingProvider = &Provider{NPI: v, LastName: "SUPER"} },
	func(c *Claim, v string) { c.Lines[0].Drug = &Drug{NDC: v, Quantity: "1", Unit: "UN"} },
	func(c *Claim, v string) { c.Lines[0].Drug = &Drug{NDC: "00409379501", Quantity: v, Unit: "ML"} },
	func(c *Claim, v string) { c.Lines[0].Drug = &Drug{NDC: "00409379501", Quantity: "1", Unit: v} },
	func(c *Claim, v string) {
		c.Lines[0].Drug = &Drug{NDC: "00409379501", Quantity: "1", Unit: "UN", PrescriptionNumber: v}
	},
	func(c *Claim, v string) { c.Lines[0].CLIANumber = v },
	func(c *Claim, v string) { c.Lines[0].Note = &Note{Code: v, Text: "LINE NOTE"} },
	func(c *Claim, v string) {
		c.Lines[0].Attachments = []Attachment{{ReportType: "OZ", Transmission: v, ControlNumber: "C1"}}
	},
	func(c *Claim, v string) {
		c.Lines[0].EPSDT, c.Lines[0].FamilyPlanning, c.Lines[0].Emergency = v != "", len(v) > 2, len(v) > 4
	},
	func(c *Claim, v string) {
		c.Lines[0].Ambulance = &AmbulanceTransport{TransportReason: v, DistanceMiles: "2"}
	},
	func(c *Claim, v string) { c.Lines[0].AmbulancePatients = len(v) },
	func(c *Claim, v string) {
		c.Lines[0].RenderingProvider = &Provider{NPI: "1667788990", LastName: "R", Taxonomy: v}
	},
	func(c *Claim, v string) { c.Lines[0].OrderingProvider = &Provider{NPI: v, LastName: "ORDER"} },
	func(c *Claim, v string) {
		c.Lines[0].OrderingProvider = &Provider{NPI: "1778899009", LastName: "ORDER", Address: &Address{Line1: "1 A ST", City: "PEKIN", State: "IL", ZIP: v}}
	},
	func(c *Claim, v string) { c.Lines[0].SupervisingProvider = &Provider{NPI: "1889900118", LastName: v} },
	func(c *Claim, v string) { c.Lines[0].Procedure = v },
}

// FuzzScrubThenBuildExtras is FuzzScrubThenBuild for the billing fields:
// a claim the scrubber passes builds into a file the file validator
// passes.
func FuzzScrubThenBuildExtras(f *testing.F) {
	f.Add(uint8(0), uint8(0), "OA", uint8(2), "ZZ")
	f.Add(uint8(2), uint8(23), "0409-3795-01", uint8(24), "0.5")
	f.Add(uint8(4), uint8(16), "12.5", uint8(18), "05")
	f.Add(uint8(6), uint8(15), "NU", uint8(31), "A0427")
	f.Add(uint8(1), uint8(11), "ALG", uint8(9), "FX")
	f.Fuzz(func(t *testing.T, which, s1 uint8, v1 string, s2 uint8, v2 string) {
		var c *Claim
		if which%4 == 3 {
			c = loadClaims(t, "institutional_extras.json")[0]
		} else {
			c = loadClaims(t, "professional_extras.json")[int(which%4)]
		}
		extraSetters[int(s1)%len(extraSetters)](c, v1)
		extraSetters[int(s2)%len(extraSetters)](c, v2)
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
