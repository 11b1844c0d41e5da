package pipeline

import (
	"testing"

	"github.com/x12claims/claims/x12/x837"
)

// TestSetFieldExtras checks that corrections reach the 837P billing
// fields, including the nested ambulance and drug objects they create.
func TestSetFieldExtras(t *testing.T) {
	enc := &Encounter{ID: "E1", Claim: x837.Claim{Lines: []x837.Line{{Procedure: "J3301"}}}}
	for _, tc := range []struct{ path, value string }{
		{"lines[0].drug.ndc", "00003-0293-05"},
		{"lines[0].drug.unit", "ML"},
		{"lines[0].epsdt", "true"},
		{"lines[0].ambulance_patients", "2"},
		{"lines[0].ordering_provider.npi", "1778899009"},
		{"related_causes", "AA, EM"},
		{"clia_number", "14D0987654"},
		{"patient_paid", "12.50"},
		{"accident_date", "2026-09-01"},
		{"attachments[0].report_type", "OZ"},
		{"ambulance.transport_reason", "A"},
		{"ambulance.certifications[0].conditions", "01, 04"},
		{"ambulance.drop_off.address.city", "Millbrook"},
		{"epsdt.referral_given", "true"},
	} {
		if err := SetField(enc, tc.path, tc.value); err != nil {
			t.Errorf("SetField(%s): %v", tc.path, err)
		}
	}
	l := enc.Lines[0]
	switch {
	case l.Drug == nil || l.Drug.NDC != "00003-0293-05" || l.Drug.Unit != "ML":
		t.Errorf("drug = %+v", l.Drug)
	case !l.EPSDT || l.AmbulancePatients != 2 || l.OrderingProvider == nil:
		t.Errorf("line = %+v", l)
	case len(enc.RelatedCauses) != 2 || enc.CLIANumber != "14D0987654" || enc.PatientPaid != 1250 || enc.AccidentDate.Day != 1:
		t.Errorf("claim fields = %v %q %v %v", enc.RelatedCauses, enc.CLIANumber, enc.PatientPaid, enc.AccidentDate)
	case len(enc.Attachments) != 1 || enc.Attachments[0].ReportType != "OZ":
		t.Errorf("attachments = %+v", enc.Attachments)
	case enc.Ambulance == nil || enc.Ambulance.TransportReason != "A" || len(enc.Ambulance.Certifications) != 1 ||
		len(enc.Ambulance.Certifications[0].Conditions) != 2 || enc.Ambulance.DropOff == nil || enc.Ambulance.DropOff.Address.City != "Millbrook":
		t.Errorf("ambulance = %+v", enc.Ambulance)
	case enc.EPSDT == nil || !enc.EPSDT.ReferralGiven:
		t.Errorf("epsdt = %+v", enc.EPSDT)
	}
}
