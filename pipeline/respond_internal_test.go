package pipeline

import (
	"reflect"
	"testing"

	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x837"
	"github.com/x12claims/claims/x12/x999"
)

func TestStatusField(t *testing.T) {
	tests := []struct{ status, entity, want string }{
		{"164", "IL", "subscriber.member_id"},
		{"153", "IL", "subscriber.member_id"},
		{"164", "QC", ""},
		{"164", "85", ""},
		{"562", "85", "billing_provider.npi"},
		{"562", "82", "rendering_provider.npi"},
		{"562", "DN", "referring_provider.npi"},
		{"562", "77", "service_facility.npi"},
		{"562", "IL", ""},
		{"562", "PR", ""},
		{"158", "QC", "patient.birth_date"},
		{"158", "IL", "subscriber.birth_date"},
		{"158", "85", ""},
		{"157", "QC", "patient.gender"},
		{"128", "85", "billing_provider.tin"},
		{"128", "82", ""},
		{"145", "82", "rendering_provider.taxonomy"},
		{"145", "77", ""}, // a service facility has no taxonomy
		{"21", "IL", ""},
		{"164", "", ""},
		{"", "IL", ""},
		{"164", "ZZ", ""},
	}
	for _, tt := range tests {
		if got := statusField(tt.status, tt.entity); got != tt.want {
			t.Errorf("statusField(%q, %q) = %q, want %q", tt.status, tt.entity, got, tt.want)
		}
	}
}

// TestStatusFieldIsAField: every field statusField names is one a
// correction can set.
func TestStatusFieldIsAField(t *testing.T) {
	values := map[string]string{"birth_date": "2000-01-31", "gender": "F"}
	for _, entity := range []string{"IL", "QC", "85", "82", "DN", "PR", "77", "71", "40"} {
		for _, status := range []string{"21", "128", "145", "153", "157", "158", "164", "562"} {
			f := statusField(status, entity)
			if f == "" {
				continue
			}
			v := "1234567893"
			for leaf, lv := range values {
				if len(f) > len(leaf) && f[len(f)-len(leaf):] == leaf {
					v = lv
				}
			}
			if err := SetField(&Encounter{}, f, v); err != nil {
				t.Errorf("statusField(%q, %q) = %q, which is no encounter field: %v", status, entity, f, err)
			}
		}
	}
}

func TestStatusReasonsCarryField(t *testing.T) {
	sts := []x277.Status{{Codes: []x277.StatusCode{{Category: "A7", Status: "164", Entity: "IL"}, {Category: "A7", Status: "21"}},
		Message: "CHECK THE CARD"}}
	lines := []*x277.Line{
		{Procedure: x277.Procedure{Code: "99213"}, ControlNumber: "L1",
			Statuses: []x277.Status{{Codes: []x277.StatusCode{{Category: "A7", Status: "562", Entity: "82"}}}}},
		{Procedure: x277.Procedure{Code: "36415"}, ControlNumber: "L2",
			Statuses: []x277.Status{{Codes: []x277.StatusCode{{Category: "A2", Status: "20"}}}}},
	}
	rs := statusReasons(sts, lines)
	var got [][3]string
	for _, r := range rs {
		got = append(got, [3]string{r.Code, r.Field, r.Location})
	}
	want := [][3]string{
		{"A7:164:IL", "subscriber.member_id", "2200D STC"},
		{"A7:21", "", "2200D STC"},
		{"", "", "2200D STC"},
		{"A7:562:82", "rendering_provider.npi", "2220D line 99213 (REF*FJ L1)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons %v\nwant %v", got, want)
	}
}

func TestReasons999Field(t *testing.T) {
	data := &x837.Claim{Kind: x837.Professional, Subscriber: x837.Subscriber{MemberID: "M1", Person: x837.Person{LastName: "DOE"}},
		Payer:           x837.Payer{ID: "P1", Name: "PAYER"},
		BillingProvider: x837.Provider{NPI: "1234567893", Organization: "CLINIC"},
		Lines:           []x837.Line{{Procedure: "99213"}, {Procedure: "36415"}}}
	sub := &Submission{PCN: "C1-1", SegFrom: 6, SegTo: 30}
	s := &x999.SetResponse{Control: "0001", Status: "R", Errors: []string{"5"}, Segments: []x999.SegmentError{
		{SegmentID: "NM1", Position: 14, Loop: "2010BA", Code: "8", Elements: []x999.ElementError{{Position: 9, Reference: "67", Code: "4"}}},
		{SegmentID: "NM1", Position: 20, Loop: "2010BB", Elements: []x999.ElementError{{Position: 9, Reference: "67", Code: "7"}, {Position: 3, Reference: "1035", Code: "4"}}},
		{SegmentID: "SV1", Position: 25, Loop: "2400", Elements: []x999.ElementError{{Position: 1, Reference: "C003", Code: "7"}}},
		{SegmentID: "NM1", Position: 40, Loop: "2010BA", Elements: []x999.ElementError{{Position: 9, Reference: "67", Code: "4"}}}, // another claim's
		{SegmentID: "XX1", Position: 12, Loop: "9999", Elements: []x999.ElementError{{Position: 1, Reference: "1", Code: "1"}}},
	}}
	type r struct{ code, field string }
	var got []r
	for _, x := range reasons999(s, sub, data) {
		got = append(got, r{x.Code, x.Field})
	}
	want := []r{{"IK5-5", ""}, {"IK3-8", ""}, {"IK4-4", "subscriber.member_id"},
		{"IK4-7", "payer.id"}, {"IK4-4", "payer.name"},
		{"IK4-7", ""}, // SV101 of two lines: which one is not known
		{"IK4-1", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons %v\nwant %v", got, want)
	}
	// Without the claim's content the reasons name no field.
	for _, x := range reasons999(s, sub, nil) {
		if x.Field != "" {
			t.Errorf("reason %+v names a field without the claim", x)
		}
	}
	// A segment error outside the range that names the claim's CLM01 is
	// the claim's; one inside that names another's is not.
	s2 := &x999.SetResponse{Control: "0001", Status: "R", Segments: []x999.SegmentError{
		{SegmentID: "NM1", Position: 99, Loop: "2010BA", BusinessUnit: &x999.BusinessUnit{Name: "CLM01", Reference: "C1-1"},
			Elements: []x999.ElementError{{Position: 9, Reference: "67", Code: "4"}}},
		{SegmentID: "NM1", Position: 10, Loop: "2010BA", BusinessUnit: &x999.BusinessUnit{Name: "CLM01", Reference: "C2-1"},
			Elements: []x999.ElementError{{Position: 9, Reference: "67", Code: "4"}}},
	}}
	got = nil
	for _, x := range reasons999(s2, sub, data) {
		got = append(got, r{x.Code, x.Field})
	}
	if want := []r{{"IK4-4", "subscriber.member_id"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("reasons by CLM01 %v, want %v", got, want)
	}
}
