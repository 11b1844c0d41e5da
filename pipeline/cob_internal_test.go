package pipeline

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

func TestNextCoverage(t *testing.T) {
	cov := func(seq string, adjudicated bool) x837.OtherCoverage {
		o := x837.OtherCoverage{Responsibility: seq}
		if adjudicated {
			o.Adjudication = &x837.Adjudication{}
		}
		return o
	}
	tests := []struct {
		name string
		own  string
		covs []x837.OtherCoverage
		want int
	}{
		{"none", "P", nil, -1},
		{"the secondary", "", []x837.OtherCoverage{cov("S", false)}, 0},
		{"the earliest after the payer", "P", []x837.OtherCoverage{cov("T", false), cov("S", false)}, 1},
		{"after a secondary, the tertiary", "S", []x837.OtherCoverage{cov("P", true), cov("T", false)}, 1},
		{"nothing after the tertiary", "T", []x837.OtherCoverage{cov("P", true), cov("S", true)}, -1},
		{"an adjudicated coverage is not billed again", "P", []x837.OtherCoverage{cov("S", true)}, -1},
		{"unknown order is never billed by itself", "P", []x837.OtherCoverage{cov("U", false)}, -1},
		{"fourth payer", "T", []x837.OtherCoverage{cov("B", false), cov("A", false)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &x837.Claim{Subscriber: x837.Subscriber{Responsibility: tt.own}, OtherCoverage: tt.covs}
			if got := nextCoverage(d); got != tt.want {
				t.Errorf("nextCoverage = %d, want %d", got, tt.want)
			}
		})
	}
	for _, tt := range []struct{ in, want string }{{"", "S"}, {"P", "S"}, {"S", "T"}, {"T", "A"}, {"A", "B"}, {"G", "H"}, {"H", "U"}, {"U", "U"}} {
		if got := nextSequence(tt.in); got != tt.want {
			t.Errorf("nextSequence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSecondaryContent checks who becomes the subscriber and the patient
// of the claim to the next payer, and that the current payer becomes an
// other coverage with its adjudication. The adjudication is given, so no
// store is read.
func TestSecondaryContent(t *testing.T) {
	alma := x837.Person{LastName: "QUINTERO", FirstName: "ALMA", BirthDate: x12.Date{Year: 1968, Month: 4, Day: 12}, Gender: "F",
		Address: &x837.Address{Line1: "12 ELM", City: "SPRINGFIELD", State: "IL", ZIP: "62704"}}
	rafael := x837.Person{LastName: "QUINTERO", FirstName: "RAFAEL"}
	kid := x837.Person{LastName: "QUINTERO", FirstName: "LUZ", BirthDate: x12.Date{Year: 2015, Month: 5, Day: 5}, Gender: "F",
		Address: alma.Address}
	adj := &x837.Adjudication{Paid: x12.MustAmount("100"), Date: x12.Date{Year: 2026, Month: 3, Day: 2},
		Adjustments: []x837.CAS{{Group: "CO", Reason: "45", Amount: x12.MustAmount("50")}}}
	base := func() x837.Claim {
		return x837.Claim{Kind: x837.Professional, PlaceOfService: "11", TotalCharge: x12.MustAmount("150"), Diagnoses: []string{"E119"},
			BillingProvider: x837.Provider{NPI: "1234567893", Organization: "CLINIC", TIN: "123456789",
				Address: &x837.Address{Line1: "1 MAIN", City: "SPRINGFIELD", State: "IL", ZIP: "627011234"}},
			Subscriber: x837.Subscriber{Person: alma, MemberID: "PRIM1", GroupNumber: "G1", Responsibility: "P"},
			Payer:      x837.Payer{Name: "PRIMARY PLAN", ID: "PP1", FilingIndicator: "CI"},
			Lines: []x837.Line{{Procedure: "99213", Charge: x12.MustAmount("150"), Units: "1",
				ServiceDate: x12.Date{Year: 2026, Month: 2, Day: 10}, DiagnosisPointers: []int{1}}},
		}
	}
	tests := []struct {
		name    string
		claim   func() x837.Claim
		wantSub string // the new subscriber's first name
		wantPat string // the new patient's first name, "" when the subscriber
		wantRel string // SBR02 of the primary's 2320
		wantErr string // a COBError reason code
	}{
		{"self on both", func() x837.Claim {
			c := base()
			c.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Relationship: "18", FilingIndicator: "CI",
				Subscriber: x837.OtherSubscriber{Person: x837.Person{LastName: "QUINTERO", FirstName: "ALMA"}, MemberID: "SEC1"},
				Payer:      x837.OtherPayer{Name: "SECOND", ID: "SP2"}}}
			return c
		}, "ALMA", "", "18", ""},
		{"the spouse's plan", func() x837.Claim {
			c := base()
			c.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Relationship: "01", FilingIndicator: "MB", InsuranceType: "12",
				Subscriber: x837.OtherSubscriber{Person: rafael, MemberID: "SEC1"}, Payer: x837.OtherPayer{Name: "SECOND", ID: "SP2"}}}
			return c
		}, "RAFAEL", "ALMA", "18", ""},
		{"a child on the mother's primary and the father's secondary", func() x837.Claim {
			c := base()
			c.Patient = &x837.Patient{Person: kid, Relationship: "19"}
			c.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Relationship: "19", FilingIndicator: "CI",
				Subscriber: x837.OtherSubscriber{Person: rafael, MemberID: "SEC1"}, Payer: x837.OtherPayer{Name: "SECOND", ID: "SP2"}}}
			return c
		}, "RAFAEL", "LUZ", "19", ""},
		{"incomplete coverage", func() x837.Claim {
			c := base()
			c.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Relationship: "18",
				Payer: x837.OtherPayer{Name: "SECOND", ID: "SP2"}}} // no member ID
			return c
		}, "", "", "", x837.RuleRequired},
	}
	p := &Pipeline{now: func() time.Time { return time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC) }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Claim{ID: 7, PayerID: "PP1", Data: tt.claim()}
			next, err := p.secondaryContent(context.Background(), nil, c, SecondaryRequest{ClaimID: 7, Adjudication: adj})
			if tt.wantErr != "" {
				var ce *COBError
				if !errors.As(err, &ce) || ce.Reasons[0].Code != tt.wantErr {
					t.Fatalf("err %v, want a COBError %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if next.Payer.ID != "SP2" || next.Subscriber.Responsibility != "S" || next.Subscriber.MemberID != "SEC1" || next.Frequency != "1" {
				t.Errorf("payer %s, SBR01 %s, member %s, frequency %s", next.Payer.ID, next.Subscriber.Responsibility, next.Subscriber.MemberID, next.Frequency)
			}
			if want := tt.claim().OtherCoverage[0]; next.Subscriber.InsuranceType != want.InsuranceType || next.Payer.FilingIndicator != want.FilingIndicator {
				t.Errorf("SBR05 %q, SBR09 %q; want the coverage's %q, %q", next.Subscriber.InsuranceType, next.Payer.FilingIndicator, want.InsuranceType, want.FilingIndicator)
			}
			if next.Subscriber.FirstName != tt.wantSub {
				t.Errorf("subscriber %s, want %s", next.Subscriber.FirstName, tt.wantSub)
			}
			switch {
			case tt.wantPat == "" && next.Patient != nil:
				t.Errorf("patient %+v, want the subscriber", next.Patient)
			case tt.wantPat != "" && (next.Patient == nil || next.Patient.FirstName != tt.wantPat):
				t.Errorf("patient %+v, want %s", next.Patient, tt.wantPat)
			}
			if len(next.OtherCoverage) != 1 {
				t.Fatalf("other coverage %+v", next.OtherCoverage)
			}
			o := next.OtherCoverage[0]
			if o.Responsibility != "P" || o.Relationship != tt.wantRel || o.Payer.ID != "PP1" || o.Subscriber.MemberID != "PRIM1" ||
				o.GroupNumber != "G1" || o.Adjudication != adj {
				t.Errorf("the primary's 2320: %+v", o)
			}
			if ps := next.Validate(x837.ValidateOptions{PCNAssignedLater: true}); x837.HasErrors(ps) {
				t.Errorf("the secondary does not pass the scrubber: %v", ps)
			}
			if c.Data.Payer.ID != "PP1" || c.Data.OtherCoverage[0].Adjudication != nil {
				t.Error("the claim's content was changed")
			}
		})
	}
}

// TestOtherCoverageFieldPaths: a correction can set other coverage
// fields by path, and the changes are listed by path.
func TestOtherCoverageFieldPaths(t *testing.T) {
	enc := &Encounter{ID: "E1", Claim: x837.Claim{OtherCoverage: []x837.OtherCoverage{{Responsibility: "S", Relationship: "18",
		Subscriber: x837.OtherSubscriber{MemberID: "OLD"}, Payer: x837.OtherPayer{Name: "SECOND", ID: "SP2"}}}}}
	next := *enc
	next.OtherCoverage = append([]x837.OtherCoverage(nil), enc.OtherCoverage...)
	for _, set := range []FieldSet{{"other_coverage[0].subscriber.member_id", "NEW"}, {"other_coverage[0].filing_indicator", "MC"}} {
		if err := SetField(&next, set.Path, set.Value); err != nil {
			t.Fatalf("SetField %s: %v", set.Path, err)
		}
	}
	if got := next.OtherCoverage[0]; got.Subscriber.MemberID != "NEW" || got.FilingIndicator != "MC" || enc.OtherCoverage[0].Subscriber.MemberID != "OLD" {
		t.Errorf("after SetField: %+v (original %+v)", got, enc.OtherCoverage[0])
	}
	got := ChangedFields(enc, &next)
	want := []string{"other_coverage[0].filing_indicator", "other_coverage[0].subscriber.member_id"}
	if !slices.Equal(got, want) {
		t.Errorf("ChangedFields = %q, want %q", got, want)
	}
	if err := SetField(&next, "other_coverage[0].adjudication.paid", "12.345"); err == nil {
		t.Error("a bad amount was set")
	}
}
