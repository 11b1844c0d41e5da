package x837

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12/x12test"
)

// corpusCase is one row of the comparison with pyx12 (COMPARISON.md).
type corpusCase struct {
	// pyx12 is pyx12 3.1.0's verdict from the corpus PROVENANCE.md.
	pyx12 string
	// same are our rules for the reasons pyx12 gives; they must be
	// among ours.
	same []string
	// want is exactly the set of our error rules for the file.
	want []string
}

// The comparison table. Rule sets are sorted. A pyx12 verdict other than
// OK must come with at least one error of ours.
var corpusTable = map[string]corpusCase{
	"837p/Inteligenz-X12Parser__Example1_HealthInsurance.txt": {"crash (BOM)", []string{RuleBOM},
		[]string{RuleBOM, RuleCode, RuleGuide, RuleNPIFormat, RuleTaxonomy, RuleZIP9}},
	"837p/Inteligenz-X12Parser__Example3_COB.txt": {"crash (BOM)", []string{RuleBOM},
		[]string{RuleBOM, RuleCode, RuleElementNotUsed, RuleGuide, RuleNPICheckDigit, RuleSegmentUnexpected, RuleZIP9}},
	"837p/Inteligenz-X12Parser__Spec_4.1.1_PatientIsSubscriber.txt": {"crash (BOM)", []string{RuleBOM},
		[]string{RuleBOM, RuleCode, RuleDateInvalid, RuleGuide, RuleLength}},
	"837p/LinuxForHealth-x12__demo.ambulance.example5.837": {"no map (X222A2)", []string{RuleGuide},
		[]string{RuleCode, RuleGuide, RuleNPICheckDigit, RuleRequired}},
	"837p/LinuxForHealth-x12__demo.cob.example3.B.837": {"no map (X222A2)", []string{RuleGuide},
		[]string{RuleCode, RuleGuide, RuleNPICheckDigit, RuleZIP9, RuleZIP}},
	"837p/LinuxForHealth-x12__demo.example11.837": {"no map (X222A2)", []string{RuleGuide},
		[]string{RuleCode, RuleGuide, RuleLength, RuleNPICheckDigit, RuleNPIFormat, RuleRequired, RuleSegmentMissing}},
	"837p/LinuxForHealth-x12__demo.example7.837": {"no map (X222A2)", []string{RuleGuide},
		[]string{RuleCode, RuleGuide, RuleNPIFormat, RuleZIP9}},
	"837p/UHIN-x12-parser-library__837.edi": {"OK", nil, nil},
	"837p/azoner-pyx12__simple_837p.txt":    {"OK", nil, []string{RuleCode, RuleGuide}},
	"837p/imsweb-x12-parser__x12_many_claims.txt": {"ERRORS 9018",
		[]string{RuleCount, RuleCode, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleRequired},
		[]string{RuleOutOfBalance, RuleCode, RuleCount, RuleHLChildCode, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleNPICheckDigit, RuleRequired, RuleZIP9}},
	"837p/imsweb-x12-parser__x12_multiple_gs.txt": {"ERRORS 63",
		[]string{RuleCount, RuleCode, RuleDuplicateControl, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleRequired},
		[]string{RuleOutOfBalance, RuleCode, RuleDuplicateControl, RuleCount, RuleHLChildCode, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleNPICheckDigit, RuleRequired, RuleZIP9}},
	"837p/imsweb-x12-parser__x12_multiple_st.txt": {"ERRORS 42",
		[]string{RuleCount, RuleCode, RuleDuplicateControl, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleRequired},
		[]string{RuleOutOfBalance, RuleCode, RuleDuplicateControl, RuleCount, RuleHLChildCode, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleNPICheckDigit, RuleRequired, RuleZIP9}},
	"837p/imsweb-x12-parser__x12_no_errors.txt": {"ERRORS 19",
		[]string{RuleCount, RuleCode, RuleHLSequence, RuleLength, RuleRequired},
		[]string{RuleOutOfBalance, RuleCode, RuleCount, RuleHLChildCode, RuleHLSequence, RuleLength, RuleNPICheckDigit, RuleRequired, RuleZIP9}},
	"837p/imsweb-x12-parser__x12_valid.txt": {"ERRORS 20",
		[]string{RuleCount, RuleCode, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleRequired},
		[]string{RuleOutOfBalance, RuleCode, RuleCount, RuleHLChildCode, RuleHLParent, RuleHLSequence, RuleLength, RuleLXSequence, RuleNPICheckDigit, RuleRequired, RuleZIP9}},
	"837p/imsweb-x12-parser__x12_writer_test.txt": {"ERRORS 2", []string{RuleCount, RuleTrailingSeparator},
		[]string{RuleOutOfBalance, RuleCount, RuleHLChildCode, RuleNPICheckDigit, RuleTrailingSeparator, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-COB-claim-from-billing-provider-to-payer-a.edi": {"OK", nil,
		[]string{RuleNPICheckDigit, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-COB-claim-from-billing-provider-to-payer-b.edi": {"OK", nil,
		[]string{RuleNPICheckDigit, RuleZIP9, RuleZIP}},
	"837p/kputnam-stupidedi__X222A1-pass-ambulance.edi":                                 {"OK", nil, []string{RuleNPICheckDigit}},
	"837p/kputnam-stupidedi__X222A1-pass-anesthesia.edi":                                {"OK", nil, []string{RuleNPICheckDigit, RuleNPIFormat, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-chiropractic.edi":                              {"OK", nil, []string{RuleNPICheckDigit, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-commercial-health-insurance.edi":               {"OK", nil, []string{RuleNPIFormat, RuleTaxonomy, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-drug-administered-in-the-physician-office.edi": {"OK", nil, []string{RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-encounter.edi":                                 {"OK", nil, []string{RuleNPIFormat, RuleTaxonomy, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-home-infusion-therapy-pharmacy-(adjudicated-with-NDC-in-loop-2410).edi": {"OK", nil,
		[]string{RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-medicare-secondary-payer-COB.edi":  {"OK", nil, []string{RuleNPIFormat, RuleZIP9}},
	"837p/kputnam-stupidedi__X222A1-pass-out-of-network-repriced-claim.edi": {"OK", nil, []string{RuleNPICheckDigit}},
	"837p/kputnam-stupidedi__X222A1-pass-ppo-repriced-claim.edi":            {"OK", nil, []string{RuleNPICheckDigit, RuleNPIFormat}},
	// pyx12 matches PWK*CT*AD to the first 2400 PWK (claim attachments),
	// whose PWK02 list lacks AD; it is the DME certificate PWK, which
	// allows AD. We flag the file for other reasons.
	"837p/kputnam-stupidedi__X222A1-pass-wheelchair.edi": {"ERRORS 1", nil,
		[]string{RuleNPICheckDigit, RuleNPIFormat, RuleZIP9}},
	"837p/moov-io-x12__example_5010_837p_sample.txt": {"OK", nil, []string{RuleDiagnosisPointer, RuleNPIFormat, RuleZIP9}},
	// pyx12 cannot read a newline segment terminator; we can, and flag
	// the pre-HIPAA guide and the incomplete sets.
	"837p/xlate-staedi__sample837-small.edi": {"not X12", nil,
		[]string{RuleCode, RuleGuide, RuleHLChildCode, RuleLoopMissing}},
	"837i/Inteligenz-X12Parser__Spec_3.1.4_OutOfNetworkRepricedClaim.txt": {"crash (BOM)", []string{RuleBOM},
		[]string{RuleBOM, RuleCode, RuleElementNotUsed, RuleGuideMismatch, RuleGuide, RuleLength, RuleNPICheckDigit, RuleRequired, RuleSegmentMissing}},
	"837i/Inteligenz-X12Parser__Spec_4.1.1_InstitutionalClaim.txt": {"crash (BOM)", []string{RuleBOM},
		[]string{RuleBOM, RuleCode, RuleGuide}},
	"837i/LinuxForHealth-x12__institutional-claim.837i": {"no map (X223A3)", []string{RuleGuide},
		[]string{RuleCode, RuleElementNotUsed, RuleGuide, RuleNPIFormat, RuleTaxonomy, RuleZIP9}},
	"837i/LinuxForHealth-x12__institutional.837": {"no map (004010X096A1)", []string{RuleGuide},
		[]string{RuleCode, RuleGuide}},
	"837i/LinuxForHealth-x12__ppo-repriced-claim.837i": {"no map (X223A3)", []string{RuleGuide},
		[]string{RuleCode, RuleElementNotUsed, RuleGuide, RuleLength, RuleNPICheckDigit, RuleNPIFormat, RuleRequired, RuleSegmentMissing}},
	"837i/azoner-pyx12__simple_837i.txt": {"OK", nil, []string{RuleCode, RuleGuide}},
	"837i/kputnam-stupidedi__X223A2-pass-837-institutional-claim.edi": {"ERRORS 2", []string{RuleDateInvalid, RuleZIP9},
		[]string{RuleDateInvalid, RuleNPIFormat, RuleTaxonomy, RuleZIP9}},
	"837i/kputnam-stupidedi__X223A2-pass-out-of-network-repriced-claim.edi": {"OK", nil, []string{RuleNPICheckDigit}},
	"837i/kputnam-stupidedi__X223A2-pass-ppo-repriced-claim.edi":            {"OK", nil, []string{RuleNPICheckDigit, RuleNPIFormat}},
	"837i/kputnam-stupidedi__X223A2-pass-two-claims-for-the-same-provider.edi": {"ERRORS 1", []string{RuleZIP9},
		[]string{RuleNPICheckDigit, RuleNPIFormat, RuleTaxonomy, RuleZIP9}},
}

// TestCorpusComparison validates every 837P and 837I of the shared
// corpus and compares with the table: we flag every file pyx12 flags, for
// the same reasons where pyx12 gives them, and more (out-of-balance
// claims, NPI check digits, impossible dates, nine-digit ZIP codes).
func TestCorpusComparison(t *testing.T) {
	seen := map[string]bool{}
	for _, sub := range []string{"837p", "837i"} {
		for _, path := range x12test.CorpusFiles(t, sub) {
			key := sub + "/" + filepath.Base(path)
			seen[key] = true
			t.Run(key, func(t *testing.T) {
				tc, ok := corpusTable[key]
				if !ok {
					t.Fatalf("%s is not in the comparison table", key)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				ps, err := ValidateFile(f, FileOptions{Today: testToday, MaxProblems: 1 << 20})
				if err != nil {
					t.Fatal(err)
				}
				got := errorRules(ps)
				if !slices.Equal(got, sorted(tc.want)) {
					t.Errorf("error rules\n got %v\nwant %v", got, sorted(tc.want))
				}
				if tc.pyx12 != "OK" && len(got) == 0 {
					t.Errorf("pyx12 says %s but we found nothing", tc.pyx12)
				}
				for _, r := range tc.same {
					if !slices.Contains(got, r) {
						t.Errorf("pyx12's reason %s is not among ours", r)
					}
				}
			})
		}
	}
	for key := range corpusTable {
		if !seen[key] {
			t.Errorf("table row %s has no corpus file", key)
		}
	}
}

func errorRules(ps []Problem) []string {
	set := map[string]bool{}
	for _, p := range ps {
		if p.Severity == SeverityError {
			set[p.Rule] = true
		}
	}
	var out []string
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// TestCorpusNeverPanics runs the validator over every corpus file,
// whatever its transaction set: bad input gives problems, not panics.
func TestCorpusNeverPanics(t *testing.T) {
	for _, sub := range []string{"835", "837d", "999", "277ca", "ta1", "other", "malformed"} {
		for _, path := range x12test.CorpusFiles(t, sub) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ValidateFile(strings.NewReader(string(data)), FileOptions{Today: testToday}); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
	}
}
