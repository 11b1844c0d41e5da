package x837

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
)

var cobFixtures = []struct {
	fixture, golden string
	kind            Kind
}{
	{"cob_professional.json", "cob_professional.x12", Professional},
	{"cob_institutional.json", "cob_institutional.x12", Institutional},
}

// TestCOBGoldenFiles builds the COB fixtures (a primary claim that lists
// the secondary coverage, and secondary claims with the primary's
// adjudication, with and without line detail), compares them with the
// golden files, and validates the output with the file validator.
func TestCOBGoldenFiles(t *testing.T) {
	for _, tc := range cobFixtures {
		t.Run(tc.golden, func(t *testing.T) {
			claims := loadClaims(t, tc.fixture)
			for _, c := range claims {
				for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
					t.Errorf("%s: %s [%s]", c.PatientControlNumber, p.Error(), p.Rule)
				}
			}
			var buf bytes.Buffer
			if _, err := WriteFile(&buf, testEnvelope(tc.kind), slices.Values(claims)); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, buf.Bytes())
			ps, err := ValidateFile(bytes.NewReader(buf.Bytes()), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				t.Errorf("file validator: %s [%s]", p.Error(), p.Rule)
			}
		})
	}
}

// TestCOBSegments checks the loops of the secondary claim segment by
// segment: the 2320 (SBR, CAS, AMT*D, OI), 2330A, 2330B with REF*F8,
// and a 2430 (SVD, CAS, DTP*573) after each line.
func TestCOBSegments(t *testing.T) {
	claims := loadClaims(t, "cob_professional.json")
	var buf bytes.Buffer
	if _, err := WriteFile(&buf, testEnvelope(Professional), slices.Values(claims[1:])); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"HL*1**20*1~",
		"SBR*S**LK-5521******CI~",
		"SBR*P*18*GRP7788******CI~\nCAS*OA*94*2~\nAMT*D*133~\nOI***Y***Y~\nNM1*IL*1*QUINTERO*ALMA****MI*XQA100200300~\nN3*12 ELM COURT~\nN4*SPRINGFIELD*IL*62704~\nNM1*PR*2*PRAIRIE HEALTH PLAN*****PI*PHP01~\nREF*F8*PHP26071000123~\nLX*1~",
		"REF*6R*E3001-1-L1~\nSVD*PHP01*120*HC:99214:25**1~\nCAS*CO*45*30~\nCAS*PR*2*30~\nDTP*573*D8*20260302~\nLX*2~",
		"SVD*PHP01*0*HC:82947:QW**1~\nCAS*PR*1*40*1~\nDTP*573*D8*20260302~\nSE*",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks\n%s\ngot:\n%s", want, got)
		}
	}
	if strings.Contains(got, "DTP*573*D8*20260302~\nREF*F8") {
		t.Error("2330B DTP*573 written although the lines carry their own")
	}
}

// TestCOBClaimLevelOnly checks the 2330B DTP*573 of an adjudication
// without line detail.
// TestSubscriberInsuranceType: SBR05 of 2000B on an 837P to Medicare as
// secondary payer; not used in the 837I.
func TestSubscriberInsuranceType(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		index   int
		kind    Kind
		want    string
	}{
		{"cob_professional.json", 1, Professional, "SBR*S**LK-5521**12****MB~"},
		{"cob_institutional.json", 0, Institutional, "SBR*S*18*******MC~"},
	} {
		c := loadClaims(t, tc.fixture)[tc.index]
		c.Subscriber.InsuranceType = "12"
		if c.Kind == Professional {
			c.Payer.FilingIndicator = "MB"
		}
		if ps := c.Validate(ValidateOptions{Today: testToday}); len(ps) > 0 {
			t.Errorf("%s: %v", tc.fixture, ps)
		}
		var buf bytes.Buffer
		if _, err := WriteFile(&buf, testEnvelope(tc.kind), slices.Values([]*Claim{c})); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tc.want) {
			t.Errorf("%s: output lacks %s", tc.fixture, tc.want)
		}
		c.Subscriber.InsuranceType = "99"
		if ps := c.Validate(ValidateOptions{Today: testToday}); tc.kind == Professional && (len(ps) != 1 || ps[0].Field != "subscriber.insurance_type") {
			t.Errorf("%s: insurance type 99: %v", tc.fixture, ps)
		}
	}
}

func TestCOBClaimLevelOnly(t *testing.T) {
	claims := loadClaims(t, "cob_institutional.json")
	var buf bytes.Buffer
	if _, err := WriteFile(&buf, testEnvelope(Institutional), slices.Values(claims[:1])); err != nil {
		t.Fatal(err)
	}
	want := "CAS*CO*45*203.25~\nCAS*PR*1*180~\nAMT*D*1100~\nOI***Y***Y~\nNM1*IL*1*PELLETIER*GRACE*A***MI*1EG4TE5MK72~\nNM1*PR*2*MEDICARE PART A*****PI*MCRA1~\nDTP*573*D8*20260301~\nREF*F8*21126700012345~"
	if got := buf.String(); !strings.Contains(got, want) || strings.Contains(got, "SVD*") {
		t.Errorf("output lacks\n%s\nor has an SVD; got:\n%s", want, got)
	}
}

func TestCASSegments(t *testing.T) {
	var as []CAS
	for i := 1; i <= 7; i++ {
		as = append(as, CAS{Group: "CO", Reason: "45", Amount: x12.Amount(i * 100)})
	}
	as = append(as, CAS{Group: "PR", Reason: "1", Amount: 500}, CAS{Group: "OA", Reason: "23", Amount: 0})
	var buf bytes.Buffer
	b, err := NewBuilder(&buf, testEnvelope(Professional))
	if err != nil {
		t.Fatal(err)
	}
	b.cas(as)
	if err := b.w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "CAS*CO*45*1**45*2**45*3**45*4**45*5**45*6~\nCAS*CO*45*7~\nCAS*PR*1*5~\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// secondaryClaim returns the professional secondary claim of the
// fixtures, changed by mutate.
func secondaryClaim(t *testing.T, mutate func(c *Claim)) *Claim {
	t.Helper()
	c := loadClaims(t, "cob_professional.json")[1]
	mutate(c)
	return c
}

func TestCOBScrubRules(t *testing.T) {
	adj := func(c *Claim) *Adjudication { return c.OtherCoverage[0].Adjudication }
	for _, tc := range []struct {
		name   string
		mutate func(c *Claim)
		want   []string // "rule field location"
	}{
		{"line out of balance", func(c *Claim) {
			adj(c).Lines[0].Paid = x12.MustAmount("119.00")
			adj(c).Paid = x12.MustAmount("132.00")
		},
			[]string{"cob-out-of-balance other_coverage[0].adjudication.lines[0].paid 2430 SVD02",
				"cob-out-of-balance other_coverage[0].adjudication.paid 2320 AMT02"}},
		{"claim out of balance", func(c *Claim) { adj(c).Paid = x12.MustAmount("135.00") },
			[]string{"cob-out-of-balance other_coverage[0].adjudication.paid 2320 AMT02"}},
		{"claim level only out of balance", func(c *Claim) { adj(c).Lines = nil },
			[]string{"cob-out-of-balance other_coverage[0].adjudication.paid 2320 AMT02"}},
		{"bad group and reason", func(c *Claim) {
			adj(c).Adjustments[0].Group = "XX"
			adj(c).Lines[0].Adjustments[1].Reason = ""
		}, []string{"cob-adjustment other_coverage[0].adjudication.adjustments[0].group 2320 CAS01",
			"cob-adjustment other_coverage[0].adjudication.lines[0].adjustments[1].reason 2430 CAS02"}},
		{"line twice and out of range", func(c *Claim) {
			adj(c).Lines[1].Line = 1
			adj(c).Lines[2].Line = 9
		}, []string{"cob-line other_coverage[0].adjudication.lines[1].line 2430 SVD",
			"cob-line other_coverage[0].adjudication.lines[2].line 2430 SVD",
			"cob-out-of-balance other_coverage[0].adjudication.paid 2320 AMT02"}},
		{"missing date", func(c *Claim) { adj(c).Date = x12.Date{} },
			[]string{"required other_coverage[0].adjudication.date 2330B DTP03"}},
		{"future date", func(c *Claim) { adj(c).Lines[0].Date = x12.Date{Year: 2027, Month: 1, Day: 1} },
			[]string{"date-future other_coverage[0].adjudication.lines[0].date 2430 DTP03"}},
		{"secondary without the primary's adjudication", func(c *Claim) { c.OtherCoverage[0].Adjudication = nil },
			[]string{"cob-missing other_coverage[0].adjudication 2320 AMT02"}},
		{"same sequence as the claim", func(c *Claim) { c.OtherCoverage[0].Responsibility = "S" },
			[]string{"cob-order other_coverage[0].responsibility 2320 SBR01"}},
		{"two primaries", func(c *Claim) {
			o := c.OtherCoverage[0]
			o.Adjudication = nil
			c.OtherCoverage = append(c.OtherCoverage, o)
		}, []string{"cob-order other_coverage[1].responsibility 2320 SBR01",
			"cob-missing other_coverage[1].adjudication 2320 AMT02"}},
		{"missing other subscriber and payer", func(c *Claim) {
			c.OtherCoverage[0].Subscriber.MemberID = ""
			c.OtherCoverage[0].Payer.ID = ""
			c.OtherCoverage[0].Relationship = "99"
			c.OtherCoverage[0].FilingIndicator = ""
		}, []string{"code other_coverage[0].relationship 2320 SBR02",
			"required other_coverage[0].filing_indicator 2320 SBR09",
			"required other_coverage[0].subscriber.member_id 2330A NM109",
			"required other_coverage[0].payer.id 2330B NM109"}},
		{"two adjudicating payers of one ID (2430 SVD01 cannot tell them apart)", func(c *Claim) {
			c.Subscriber.Responsibility = "T"
			o := c.OtherCoverage[0]
			o.Responsibility = "S"
			c.OtherCoverage = append(c.OtherCoverage, o)
		}, []string{"cob-payer other_coverage[1].payer.id 2330B NM109"}},
		{"the same ID thrice, the first without adjudication", func(c *Claim) {
			c.Subscriber.Responsibility = "A"
			o := c.OtherCoverage[0]
			first := o
			first.Responsibility, first.Adjudication = "U", nil
			second, third := o, o
			second.Responsibility, third.Responsibility = "S", "T"
			c.OtherCoverage = []OtherCoverage{first, o, second, third}
		}, []string{"cob-payer other_coverage[2].payer.id 2330B NM109", "cob-payer other_coverage[3].payer.id 2330B NM109"}},
		{"a second coverage of the same ID without adjudication", func(c *Claim) {
			c.Subscriber.Responsibility = "U"
			o := c.OtherCoverage[0]
			o.Responsibility, o.Adjudication = "T", nil
			c.OtherCoverage = append(c.OtherCoverage, o)
		}, nil},
		{"eleven other payers", func(c *Claim) {
			for _, seq := range []string{"T", "A", "B", "C", "D", "E", "F", "G", "H", "U"} {
				o := c.OtherCoverage[0]
				o.Responsibility, o.Adjudication = seq, nil
				c.OtherCoverage = append(c.OtherCoverage, o)
			}
		}, []string{"length other_coverage 2320 SBR"}},
		{"delimiter in a reason", func(c *Claim) { adj(c).Lines[1].Adjustments[0].Reason = "4*5" },
			[]string{"delimiter-in-data other_coverage[0].adjudication.lines[1].adjustments[0].reason 2430 CAS02"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := secondaryClaim(t, tc.mutate)
			var got []string
			for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
				got = append(got, p.Rule+" "+p.Field+" "+p.Location())
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestCOBScrubberWarnsOnlyWithoutCoverage: the warning about a
// non-primary claim without other-payer loops is gone when they are
// there.
func TestCOBScrubberWarnsOnlyWithoutCoverage(t *testing.T) {
	c := secondaryClaim(t, func(c *Claim) { c.OtherCoverage = nil })
	ps := c.Validate(ValidateOptions{Today: testToday})
	if len(ps) != 1 || ps[0].Rule != RuleCOB || ps[0].Severity != SeverityWarning {
		t.Errorf("got %v, want one cob-missing warning", ps)
	}
}

func TestCOBFileRules(t *testing.T) {
	const p, i = "cob_professional.x12", "cob_institutional.x12"
	for _, tc := range []struct {
		name  string
		file  string
		edits []string
		want  []fileProblem
	}{
		// The claim balance counts adjustments, not SVD02: a wrong line
		// paid amount is a line problem only.
		{"line paid out of balance", p, []string{"SVD*PHP01*15*", "SVD*PHP01*16*"},
			[]fileProblem{{RuleCOBBalance, 85, "E3001-2", 2}}},
		{"AMT*D out of balance", p, []string{"AMT*D*133~", "AMT*D*130~"},
			[]fileProblem{{RuleCOBBalance, 66, "E3001-2", 0}}},
		{"claim CAS changed", p, []string{"CAS*OA*94*2~", "CAS*OA*94*3~"},
			[]fileProblem{{RuleCOBBalance, 66, "E3001-2", 0}}},
		{"line CAS changed", p, []string{"CAS*PR*2*5~", "CAS*PR*2*6~"},
			[]fileProblem{{RuleCOBBalance, 85, "E3001-2", 2}, {RuleCOBBalance, 66, "E3001-2", 0}}},
		// Line 3's adjustments leave PHP01's sum, so its AMT*D is off too.
		{"SVD01 names no 2330B", p, []string{"SVD*PHP01*0*", "SVD*PHP09*0*"},
			[]fileProblem{{RuleCOBBalance, 66, "E3001-2", 0}, {RuleCOBPayer, 93, "E3001-2", 3}}},
		// The scrubber's cob-order: the earlier payer in the claim's own
		// place, or two other payers in one place.
		{"2320 in the claim's own place", p, []string{"SBR*P*18*GRP7788******CI~\nCAS", "SBR*S*18*GRP7788******CI~\nCAS"},
			[]fileProblem{{RuleCOBOrder, 64, "E3001-2", 0}}},
		{"two 2320s in one place", i, []string{"REF*F8*21126700012345~\nLX*1~",
			"REF*F8*21126700012345~\nSBR*P*18*******MA~\nOI***Y***Y~\nNM1*IL*1*PELLETIER*GRACE****MI*X2~\nNM1*PR*2*OTHER*****PI*OTH2~\nLX*1~",
			"SE*100*", "SE*104*"},
			[]fileProblem{{RuleCOBOrder, 41, "H3001-2", 0}, {RuleCOB, 41, "H3001-2", 0}}},
		{"837I claim level out of balance", i, []string{"AMT*D*1100~", "AMT*D*1000~"},
			[]fileProblem{{RuleCOBBalance, 35, "H3001-2", 0}}},
		{"837I line out of balance", i, []string{"SVD*MCRA1*150*", "SVD*MCRA1*151*"},
			[]fileProblem{{RuleCOBBalance, 84, "H3002-2", 2}}},
		// A secondary claim whose primary 2320 lacks AMT*D.
		{"earlier payer without AMT*D", p, []string{"AMT*D*133~\n", "", "SE*94*", "SE*93*"},
			[]fileProblem{{RuleCOB, 64, "E3001-2", 0}}},
		// Claim-level adjudication only, without the 2330B date.
		{"no DTP*573 without line detail", i, []string{"DTP*573*D8*20260301~\nREF*F8", "REF*F8", "SE*100*", "SE*99*"},
			[]fileProblem{{RuleCOB, 35, "H3001-2", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, tc.file, tc.edits...)
			ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			var got []fileProblem
			for _, p := range ps {
				got = append(got, fileProblem{p.Rule, p.Pos.Segment, p.Claim, p.Line})
				if !strings.Contains(p.Error(), "segment ") {
					t.Errorf("problem without its position: %s", p.Error())
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
				for _, p := range ps {
					t.Log(p.Error())
				}
			}
		})
	}
}

func TestCOBJSONRoundTrip(t *testing.T) {
	c := loadClaims(t, "cob_professional.json")[1]
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Claim
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got, want := back.OtherCoverage[0].Adjudication.Lines[2].Adjustments[0].Quantity, "1"; got != want {
		t.Errorf("quantity %q, want %q", got, want)
	}
	if !back.Adjudicated() {
		t.Error("Adjudicated() = false")
	}
}

// TestCOBCorpusExample checks the balancing rules on the TR3's own COB
// example (stupidedi's copy in the shared corpus): it balances as sent
// (TestCorpusComparison finds no cob-* problem in it), and an AMT*D or an
// SVD02 one cent off is found at its segment.
func TestCOBCorpusExample(t *testing.T) {
	path := filepath.Join(x12test.CorpusDir(t, "837p"), "kputnam-stupidedi__X222A1-pass-COB-claim-from-billing-provider-to-payer-b.edi")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus file: %v", err)
	}
	s := strings.NewReplacer("AMT*D*39.15~", "AMT*D*39.16~", "SVD*999996666*15*", "SVD*999996666*14*").Replace(string(data))
	ps, err := ValidateFile(strings.NewReader(s), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	var got []fileProblem
	for _, p := range ps {
		if strings.HasPrefix(p.Rule, "cob-") {
			got = append(got, fileProblem{p.Rule, p.Pos.Segment, p.Claim, p.Line})
		}
	}
	want := []fileProblem{{RuleCOBBalance, 57, "26407789", 2}, {RuleCOBBalance, 41, "26407789", 0}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// FuzzCOBScrubThenBuild changes the adjudication of a secondary claim;
// whatever the scrubber passes must build, and the file validator must
// find no COB problem in it: the two agree on the balancing rules.
func FuzzCOBScrubThenBuild(f *testing.F) {
	f.Add(uint8(1), uint8(0), int64(12000), uint8(0), "CO", "45", int64(3000))
	f.Add(uint8(1), uint8(2), int64(0), uint8(1), "PR", "1", int64(4000))
	f.Add(uint8(3), uint8(1), int64(15100), uint8(0), "OA", "23", int64(-100))
	f.Add(uint8(2), uint8(0), int64(110000), uint8(2), "XX", "", int64(0))
	f.Fuzz(func(t *testing.T, which, line uint8, paid int64, adjIdx uint8, group, reason string, amount int64) {
		var c *Claim
		kind := Professional
		switch which % 3 {
		case 0:
			c = loadClaims(t, "cob_institutional.json")[0]
			kind = Institutional
		case 1:
			c = loadClaims(t, "cob_professional.json")[1]
		default:
			c = loadClaims(t, "cob_institutional.json")[1]
			kind = Institutional
		}
		a := c.OtherCoverage[0].Adjudication
		cas := &a.Adjustments
		if len(a.Lines) > 0 {
			la := &a.Lines[int(line)%len(a.Lines)]
			la.Paid = x12.Amount(paid)
			if line >= 200 {
				la.Line = int(line) - 200
			}
			cas = &la.Adjustments
		} else {
			a.Paid = x12.Amount(paid)
		}
		adj := CAS{Group: group, Reason: reason, Amount: x12.Amount(amount)}
		if k := int(adjIdx); k < len(*cas) {
			(*cas)[k] = adj
		} else {
			*cas = append(*cas, adj)
		}
		if HasErrors(c.Validate(ValidateOptions{Today: testToday})) {
			return
		}
		var buf bytes.Buffer
		if _, err := WriteFile(&buf, testEnvelope(kind), slices.Values([]*Claim{c})); err != nil {
			t.Fatalf("a claim the scrubber passed does not build: %v", err)
		}
		ps, err := ValidateFile(bytes.NewReader(buf.Bytes()), FileOptions{Today: testToday})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if strings.HasPrefix(p.Rule, "cob-") || p.Rule == RuleCOB {
				t.Errorf("the scrubber passed it, the file validator says: %s\n%s", p.Error(), buf.String())
			}
		}
	})
}
