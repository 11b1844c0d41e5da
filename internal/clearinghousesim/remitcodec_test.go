package clearinghousesim

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// TestRemitRoundTrip: a remit read back is the claim stored, as JSON
// would give it back, in the compact form when the claim fits it and in
// JSON otherwise; a remit stored as JSON (by a state made before the
// compact form) still reads.
func TestRemitRoundTrip(t *testing.T) {
	allowed := amt("80.00")
	paid := &x835.Claim{
		PatientControlNumber: "PCN-1", Status: "1", Charge: amt("100.00"), Paid: amt("60.00"),
		PatientResponsibility: amt("20.00"), FilingIndicator: "CI", PayerClaimNumber: "2633200000001",
		FacilityType: "11", Frequency: "1", ReceivedDate: x12.Date{Year: 2026, Month: 11, Day: 28},
		Names: []x835.Name{
			{Entity: "QC", EntityType: "1", LastName: "DOE", FirstName: "JANE"},
			{Entity: "IL", EntityType: "1", LastName: "DOE", FirstName: "JOHN", IDQualifier: "MI", ID: "M123"},
		},
		Lines: []*x835.Line{
			{Procedure: x835.Procedure{Qualifier: "HC", Code: "99213", Modifiers: []string{"25", "59"}}, Charge: amt("100.00"),
				Paid: amt("60.00"), Units: "2", ServiceDate: x12.Date{Year: 2026, Month: 11, Day: 1},
				ServiceDateEnd: x12.Date{Year: 2026, Month: 11, Day: 2}, ControlNumber: "L1", Allowed: &allowed,
				Adjustments: []x835.Adjustment{{Group: "CO", Reason: "45", Amount: amt("20.00")}, {Group: "PR", Reason: "1", Amount: amt("20.00"), Quantity: "1"}}},
			{Procedure: x835.Procedure{Qualifier: "NU", Code: "0450"}, Charge: amt("0.00"), RevenueCode: "0450",
				Adjustments: []x835.Adjustment{{Group: "CO", Reason: "97", Amount: amt("0.00")}}, Remarks: []string{"M15"}},
		},
	}
	reversal := *paid
	reversal.Status, reversal.Charge, reversal.Paid = "22", -paid.Charge, -paid.Paid
	reversal.Adjustments = []x835.Adjustment{{Group: "OA", Reason: "23", Amount: amt("-5.00")}}
	withDRG := *paid
	withDRG.DRG = "470"
	tests := []struct {
		name    string
		claim   *x835.Claim
		compact bool
	}{
		{"paid claim", paid, true},
		{"reversal", &reversal, true},
		{"empty claim", &x835.Claim{}, true},
		{"claim with a field the compact form leaves out", &withDRG, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := encodeRemit(tt.claim)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(b) > 0 && b[0] == compactRemit; got != tt.compact {
				t.Fatalf("compact form %v, want %v", got, tt.compact)
			}
			js, err := json.Marshal(tt.claim)
			if err != nil {
				t.Fatal(err)
			}
			var want x835.Claim
			if err := json.Unmarshal(js, &want); err != nil {
				t.Fatal(err)
			}
			for _, stored := range [][]byte{b, js} {
				var got x835.Claim
				if err := decodeRemit(stored, &got); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(&got, &want) {
					t.Errorf("read back %+v\nwant %+v", got, want)
				}
			}
		})
	}
}

// TestRemitsRoundTrip: a payables row's claims read back in order, one
// claim stored alone and several as a batch (holding a JSON one too); a
// damaged batch is an error.
func TestRemitsRoundTrip(t *testing.T) {
	one := &x835.Claim{PatientControlNumber: "A", Status: "1", Charge: amt("10.00")}
	two := &x835.Claim{PatientControlNumber: "B", Status: "22", Charge: amt("-20.00"), DRG: "470"}
	three := &x835.Claim{PatientControlNumber: "C", Status: "4"}
	for _, tt := range []struct {
		name   string
		claims []*x835.Claim
	}{
		{"one claim", []*x835.Claim{one}},
		{"a batch", []*x835.Claim{one, two, three}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ps []payable
			for _, c := range tt.claims {
				ps = append(ps, payable{claim: c})
			}
			b, err := encodeRemits(ps)
			if err != nil {
				t.Fatal(err)
			}
			if got := b[0] == remitBatch; got != (len(ps) > 1) {
				t.Errorf("stored as a batch %v, want %v", got, len(ps) > 1)
			}
			var got []*x835.Claim
			if err := decodeRemits(b, func(oc *x835.Claim) { got = append(got, oc) }); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.claims) {
				t.Errorf("read back %+v, want %+v", got, tt.claims)
			}
			if len(ps) > 1 {
				for name, bad := range map[string][]byte{"truncated": b[:len(b)-2], "padded": append(b[:len(b):len(b)], 1)} {
					if err := decodeRemits(bad, func(*x835.Claim) {}); err == nil {
						t.Errorf("%s batch: no error", name)
					}
				}
			}
		})
	}
}

// TestDecodeRemitRejectsDamage: a truncated or padded compact remit is an
// error, not a claim with missing parts.
func TestDecodeRemitRejectsDamage(t *testing.T) {
	b, err := encodeRemit(&x835.Claim{PatientControlNumber: "PCN-1", Lines: []*x835.Line{{ControlNumber: "L1"}}})
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{"truncated": b[:len(b)-3], "padded": append(b[:len(b):len(b)], 0)} {
		var oc x835.Claim
		if err := decodeRemit(bad, &oc); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestCompactRemitCoversModel fails when x835.Claim, Line, Name,
// Adjustment or Procedure change: compactable and encodeRemit must then
// be looked at again, so that no field is dropped silently.
func TestCompactRemitCoversModel(t *testing.T) {
	for _, tt := range []struct {
		typ    reflect.Type
		fields int
	}{
		{reflect.TypeFor[x835.Claim](), 30},
		{reflect.TypeFor[x835.Line](), 18},
		{reflect.TypeFor[x835.Name](), 8},
		{reflect.TypeFor[x835.Adjustment](), 4},
		{reflect.TypeFor[x835.Procedure](), 4},
	} {
		if got := tt.typ.NumField(); got != tt.fields {
			t.Errorf("%s has %d fields, the compact remit was written for %d", tt.typ, got, tt.fields)
		}
	}
}
