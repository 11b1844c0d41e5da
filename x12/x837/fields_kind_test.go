package x837

import (
	"testing"

	"github.com/x12claims/claims/x12"
)

// withProfessionalOnly adds to an 837I claim the fields only the 837P
// carries (the scrubber warns that they are not sent; the builder leaves
// them out): their 837P loops are other loops on the 837I.
func withProfessionalOnly(c *Claim) {
	c.PlaceOfService = "11"
	c.SupervisingProvider = &Provider{NPI: "1284619032", LastName: "VOLLMER", FirstName: "HARRIET"}
	c.PrimaryCareProvider = &Provider{NPI: "1703528848", LastName: "ACHTERBERG", FirstName: "DESMOND"}
	c.Ambulance = &Ambulance{
		AmbulanceTransport: AmbulanceTransport{TransportReason: "A", DistanceMiles: "3"},
		PickUp:             &Location{Address: Address{Line1: "1 PICKUP RD", City: "DECATUR", State: "IL", ZIP: "62521"}},
		DropOff:            &Location{Name: "DROP", Address: Address{Line1: "2 DROPOFF RD", City: "DECATUR", State: "IL", ZIP: "62521"}},
	}
	c.Subscriber.InsuranceType = "12"
}

// TestFieldAtInstitutionalLoops checks that on an 837I a 999 position
// maps to the field the 837I writes there, not to an 837P-only field that
// the 837P writes in the loop of the same name (2310A primary care,
// 2310D supervising, 2310E pick-up, 2310F drop-off, CLM05-1 place of
// service).
func TestFieldAtInstitutionalLoops(t *testing.T) {
	for _, tt := range []struct {
		name          string
		loop, element string
		want          string
	}{
		{"attending NPI, not primary care", "2310A", "NM109", "institutional.attending_provider.npi"},
		{"rendering NPI, not supervising", "2310D", "NM109", "rendering_provider.npi"},
		{"service facility street, not pick-up", "2310E", "N301", "service_facility.address.line1"},
		{"referring NPI, not drop-off", "2310F", "NM109", "referring_provider.npi"},
		{"facility type, not place of service", "2300", "CLM05-1", "institutional.facility_type"},
		{"no SBR05 on the 837I", "2000B", "SBR05", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture(t, "institutional.json", 1)
			withProfessionalOnly(c)
			if got := FieldAt(c, tt.loop, tt.element); got != tt.want {
				t.Errorf("FieldAt(%s, %s) = %q, want %q", tt.loop, tt.element, got, tt.want)
			}
		})
	}
}

// TestDelimiterInUnsentField checks that a delimiter in a field the 837I
// does not send holds nothing back: the builder never writes it.
func TestDelimiterInUnsentField(t *testing.T) {
	c := fixture(t, "institutional.json", 1)
	withProfessionalOnly(c)
	c.SupervisingProvider.LastName = "VOLL*MER"
	c.Ambulance.DropOff.Name = "DROP~"
	for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
		if p.Rule == RuleDelimiter || p.Severity == SeverityError {
			t.Errorf("unexpected problem %s %s: %s", p.Rule, p.Field, p.Message)
		}
	}
	if f := unwritable(c, x12.DefaultDelimiters); f != "" {
		t.Errorf("unwritable = %q, want none", f)
	}
}
