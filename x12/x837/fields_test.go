package x837

import "testing"

func TestFieldAt(t *testing.T) {
	const (
		prof = "professional.json"
		inst = "institutional.json"
	)
	// Professional claim 0 (E1001) has three lines, a prior
	// authorization, rendering and referring providers; claim 1 (E1002)
	// a patient, a payer claim number and a service facility; claim 2
	// (E1003) one line without modifiers.
	tests := []struct {
		name          string
		file          string
		claim         int
		edit          func(*Claim)
		loop, element string
		want          string
	}{
		{"subscriber member ID", prof, 0, nil, "2010BA", "NM109", "subscriber.member_id"},
		{"subscriber last name", prof, 0, nil, "2010BA", "NM103", "subscriber.last_name"},
		{"payer ID", prof, 0, nil, "2010BB", "NM109", "payer.id"},
		{"payer name", prof, 0, nil, "2010BB", "NM103", "payer.name"},
		{"billing provider NPI", prof, 0, nil, "2010AA", "NM109", "billing_provider.npi"},
		{"billing provider tax ID", prof, 0, nil, "2010AA", "REF02", "billing_provider.tin"},
		{"rendering provider NPI (837P 2310B)", prof, 0, nil, "2310B", "NM109", "rendering_provider.npi"},
		{"referring provider NPI (837P 2310A)", prof, 0, nil, "2310A", "NM109", "referring_provider.npi"},
		{"group number", prof, 0, nil, "2000B", "SBR03", "subscriber.group_number"},
		{"patient last name", prof, 1, nil, "2010CA", "NM103", "patient.last_name"},
		{"service facility NPI", prof, 1, nil, "2310C", "NM109", "service_facility.npi"},
		{"one 2300 REF set", prof, 0, nil, "2300", "REF02", "prior_authorization"},
		{"two 2300 REF set: ambiguous", prof, 0, func(c *Claim) { c.MedicalRecordNumber = "MRN-1" }, "2300", "REF02", ""},
		{"REF*F8 and a prior authorization: ambiguous", prof, 1, func(c *Claim) { c.PriorAuthorization = "PA" }, "2300", "REF02", ""},
		{"a component", prof, 0, nil, "2300", "CLM05-3", "frequency"},
		{"an element of several components: ambiguous", prof, 0, nil, "2300", "CLM05", ""},
		{"the only line's procedure", prof, 2, nil, "2400", "SV101", "lines[0].procedure"},
		{"the only line's procedure component", prof, 2, nil, "2400", "SV101-2", "lines[0].procedure"},
		{"SV101 of a line with a modifier: ambiguous", prof, 2, func(c *Claim) { c.Lines[0].Modifiers = []string{"25"} }, "2400", "SV101", ""},
		{"a modifier component", prof, 2, func(c *Claim) { c.Lines[0].Modifiers = []string{"25"} }, "2400", "SV101-3", "lines[0].modifiers[0]"},
		{"SV101 with three lines: ambiguous", prof, 0, nil, "2400", "SV101", ""},
		{"SV101-2 with three lines: ambiguous", prof, 0, nil, "2400", "SV101-2", ""},
		{"a first diagnosis", prof, 0, nil, "2300", "HI01", "diagnoses[0]"},
		{"unknown loop", prof, 0, nil, "9999", "NM109", ""},
		{"empty loop", prof, 0, nil, "", "NM109", ""},
		{"an element no field is written to", prof, 0, nil, "2010BA", "NM108", ""},
		{"a field left empty", prof, 0, func(c *Claim) { c.Subscriber.MemberID = "" }, "2010BA", "NM109", ""},
		{"an element prefix is not an element", prof, 0, nil, "2010BA", "NM10", ""},
		{"837I attending NPI (2310A)", inst, 0, nil, "2310A", "NM109", "institutional.attending_provider.npi"},
		{"837I revenue code of one line", inst, 0, func(c *Claim) { c.Lines = c.Lines[:1] }, "2400", "SV201", "lines[0].revenue_code"},
		{"837I procedure of one line", inst, 0, func(c *Claim) { c.Lines = c.Lines[:1]; c.Lines[0].Modifiers = nil }, "2400", "SV202", "lines[0].procedure"},
		{"837I units of four lines: ambiguous", inst, 0, nil, "2400", "SV205", ""},
		{"837I HI01 is several codes: ambiguous", inst, 0, nil, "2300", "HI01", ""},
		{"837I patient status", inst, 0, nil, "2300", "CL103", "institutional.patient_status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture(t, tt.file, tt.claim)
			if tt.edit != nil {
				tt.edit(c)
			}
			if got := FieldAt(c, tt.loop, tt.element); got != tt.want {
				t.Errorf("FieldAt(%s, %s) = %q, want %q", tt.loop, tt.element, got, tt.want)
			}
		})
	}
}
