package pipeline

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

func TestFrequencyFor(t *testing.T) {
	tests := []struct {
		name          string
		claim         Claim
		kind          VersionKind
		wantF, wantF8 string
	}{
		{"original", Claim{}, VersionOriginal, "1", ""},
		{"original the practice sent as a replacement", Claim{}, VersionOriginal, "7", "ICN9"},
		{"correction after a rejection before adjudication", Claim{State: StateRejected}, VersionCorrection, "1", ""},
		{"correction after adjudication", Claim{State: StatePaid, PayerClaimNumber: "ICN1"}, VersionCorrection, "7", "ICN1"},
		{"resubmission of a claim accepted with a claim number", Claim{State: StateAccepted, PayerClaimNumber: "ICN2"}, VersionResubmission, "7", "ICN2"},
		{"void", Claim{State: StateDenied, PayerClaimNumber: "ICN3"}, VersionVoid, "8", "ICN3"},
		{"correction of a replacement the practice sent", Claim{VersionKind: VersionOriginal, Data: x837.Claim{Frequency: "7", PayerClaimNumber: "ICN4"}}, VersionCorrection, "7", "ICN4"},
		{"correction of a version the pipeline sent as 7, once its number was dropped", Claim{VersionKind: VersionCorrection, Data: x837.Claim{Frequency: "7", PayerClaimNumber: "ICN5"}}, VersionCorrection, "1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := &x837.Claim{}
			if tt.kind == VersionOriginal && tt.wantF == "7" {
				data.Frequency, data.PayerClaimNumber = "7", "ICN9"
			}
			f, f8 := frequencyFor(&tt.claim, tt.kind, data)
			if f != tt.wantF || f8 != tt.wantF8 {
				t.Errorf("frequencyFor = %q, %q; want %q, %q", f, f8, tt.wantF, tt.wantF8)
			}
		})
	}
}

func TestCheckPath(t *testing.T) {
	for path, refused := range map[string]bool{
		"frequency": true, "payer_claim_number": true, "patient_control_number": true, "id": true,
		"lines[3].control_number": true, "subscriber.member_id": false, "payer.id": false, "lines[0].charge": false,
	} {
		if got := checkPath(path) != nil; got != refused {
			t.Errorf("checkPath(%q) refused = %v, want %v", path, got, refused)
		}
	}
}

func TestContentChangesAndMerge(t *testing.T) {
	cur := x837.Claim{Frequency: "7", PayerClaimNumber: "ICN", PatientControlNumber: "C1-1",
		Subscriber: x837.Subscriber{MemberID: "A"},
		Lines:      []x837.Line{{ControlNumber: "L1", Procedure: "99213"}, {ControlNumber: "L2", Procedure: "36415"}}}
	// The encounter as the practice sends it: no pipeline fields.
	next := x837.Claim{Subscriber: x837.Subscriber{MemberID: "B"},
		Lines: []x837.Line{{Procedure: "99214"}, {Procedure: "36415"}, {Procedure: "85025"}}}
	if got := contentChanges(cur, mergeContent(cur, next)); !reflect.DeepEqual(got, []string{"lines[0].procedure", "lines[2]", "subscriber.member_id"}) {
		t.Errorf("changes %v", got)
	}
	merged := mergeContent(cur, next)
	if merged.Lines[0].ControlNumber != "L1" || merged.Lines[1].ControlNumber != "L2" || merged.Lines[2].ControlNumber != "" {
		t.Errorf("control numbers %q %q %q: want L1, L2 kept by position and a new line unnumbered",
			merged.Lines[0].ControlNumber, merged.Lines[1].ControlNumber, merged.Lines[2].ControlNumber)
	}
	if got := contentChanges(cur, cur); got != nil {
		t.Errorf("no change gives %v", got)
	}
}

func TestRebillEntries(t *testing.T) {
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	bals := map[int64]Balance{
		11: {Charge: x12.MustAmount("100")},
		12: {Charge: x12.MustAmount("50")},
		13: {Charge: x12.MustAmount("20")},
		0:  {Payments: x12.MustAmount("5")},
	}
	lines := []ClaimLine{{ID: 11, Charge: x12.MustAmount("120")}, {ID: 12, Charge: x12.MustAmount("50")}, {ID: 14, Charge: x12.MustAmount("30")}}
	es := rebillEntries(1, lines, bals, at, "m")
	got := map[int64]x12.Amount{}
	for _, e := range es {
		if e.Kind != EntryCharge || e.ClaimID != 1 {
			t.Errorf("entry %+v", e)
		}
		got[e.LineID] = e.Charge
	}
	want := map[int64]x12.Amount{11: x12.MustAmount("20"), 13: x12.MustAmount("-20"), 14: x12.MustAmount("30")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rebill %v, want %v (line 12 unchanged, 13 removed, 14 new)", got, want)
	}
	void := rebillEntries(1, nil, bals, at, "void")
	var total x12.Amount
	for _, e := range void {
		total += e.Charge
	}
	if total != x12.MustAmount("-170") || len(void) != 3 {
		t.Errorf("a void takes back every charge: %d entries, %s", len(void), total)
	}
}

func TestAddressedToUs(t *testing.T) {
	pt := &Partner{Name: "ch", SenderID: "US", ReceiverID: "CH", Usage: "P", ResponseSenders: []string{"CH2"}}
	isa := func(from, to, usage string) envelope {
		return envelope{isa: x12.InterchangeHeader{SenderID: from, ReceiverID: to, Usage: usage}, seg: 1}
	}
	gs := func(from, to string) envelope {
		return envelope{gs: &x12.GroupHeader{SenderCode: from, ReceiverCode: to}, seg: 2, offset: 106}
	}
	tests := []struct {
		name  string
		envs  []envelope
		codes []string
	}{
		{"ours", []envelope{isa("CH", "US", "P"), gs("PAYER1", "US")}, nil},
		{"another sender the clearinghouse uses", []envelope{isa("CH2", "US", "P")}, nil},
		{"a stranger to someone else", []envelope{isa("EVILSENDER", "OTHERPRACTICE", "P"), gs("X", "OTHERPRACTICE")},
			[]string{"unknown-sender", "not-for-us", "not-for-us"}},
		{"a test file under production", []envelope{isa("CH", "US", "T")}, []string{"usage-mismatch"}},
		{"a NUL in ISA06", []envelope{isa("C\x00H", "US", "P")}, []string{"control-character", "unknown-sender"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var codes []string
			for _, r := range addressedToUs(&fileScan{envelopes: tt.envs}, pt) {
				codes = append(codes, r.Code)
				if r.Location == "" {
					t.Errorf("reason without a position: %+v", r)
				}
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("problems %v, want %v", codes, tt.codes)
			}
		})
	}
}
