package x837

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestValidateGoldenFilesClean(t *testing.T) {
	for _, name := range []string{"professional.x12", "institutional.x12"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ps, err := ValidateFile(f, FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				t.Errorf("%s [%s]", p.Error(), p.Rule)
			}
		})
	}
}

// fileProblem is what a file test expects: the rule, the segment's
// ordinal in the file, and the claim and line it is in.
type fileProblem struct {
	rule    string
	segment int
	claim   string
	line    int
}

func (p fileProblem) String() string {
	return fmt.Sprintf("{%s seg %d %s line %d}", p.rule, p.segment, p.claim, p.line)
}

// edit applies replacements to a golden file; each old text must occur.
func edit(t *testing.T, name string, pairs ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%q not in %s", pairs[i], name)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func TestValidateFileRules(t *testing.T) {
	const p, i = "professional.x12", "institutional.x12"
	fiftyOneLines := func() []string {
		var b strings.Builder
		for n := 4; n <= 51; n++ {
			fmt.Fprintf(&b, "LX*%d~\nSV1*HC:82947*0*UN*1***1~\nDTP*472*D8*20260210~\n", n)
		}
		return []string{"REF*6R*E1001-1-L3~\n", "REF*6R*E1001-1-L3~\n" + b.String()}
	}
	for _, tc := range []struct {
		name  string
		file  string
		edits []string
		want  []fileProblem
	}{
		{"out of balance", p, []string{"CLM*E1001-1*245*", "CLM*E1001-1*254*"},
			[]fileProblem{{RuleOutOfBalance, 22, "E1001-1", 0}}},
		{"npi check digit", p, []string{"XX*1045678905", "XX*1045678900"},
			[]fileProblem{{RuleNPICheckDigit, 27, "E1001-1", 0}}},
		{"npi format", p, []string{"XX*1234567893~", "XX*9234567893~"},
			[]fileProblem{{RuleNPIFormat, 10, "", 0}}},
		{"future date", p, []string{"DTP*472*D8*20260210~\nREF*6R*E1001-1-L2", "DTP*472*D8*20990210~\nREF*6R*E1001-1-L2"},
			[]fileProblem{{RuleDateFuture, 35, "E1001-1", 2}}},
		{"impossible date", p, []string{"DTP*472*D8*20260210~\nREF*6R*E1001-1-L2", "DTP*472*D8*20260230~\nREF*6R*E1001-1-L2"},
			[]fileProblem{{RuleDateInvalid, 35, "E1001-1", 2}}},
		{"range backwards", p, []string{"RD8*20260113-20260114", "RD8*20260114-20260113"},
			[]fileProblem{{RuleDateOrder, 69, "E1002-2", 3}}},
		{"service before birth", p, []string{"DMG*D8*20150602*F", "DMG*D8*20260115*F"},
			[]fileProblem{{RuleDateOrder, 61, "E1002-2", 1}, {RuleDateOrder, 65, "E1002-2", 2}, {RuleDateOrder, 69, "E1002-2", 3}}},
		{"pointer without diagnosis", p, []string{"SV1*HC:36415*25*UN*1***1~", "SV1*HC:36415*25*UN*1***1:4~"},
			[]fileProblem{{RuleDiagnosisPointer, 34, "E1001-1", 2}}},
		{"replacement without F8", p, []string{"REF*F8*PHP2026011500123~\n", ""},
			[]fileProblem{{RulePayerClaimNumber, 51, "E1002-2", 0}, {RuleCount, 106, "", 0}}},
		{"hl sequence and parent", p, []string{"HL*3*1*22*1~", "HL*4*1*22*1~", "HL*4*3*23*0~", "HL*5*3*23*0~"},
			[]fileProblem{{RuleHLSequence, 41, "", 0}, {RuleHLSequence, 45, "", 0}, {RuleHLParent, 45, "", 0},
				{RuleHLChildCode, 41, "", 0}}},
		{"hl child code", p, []string{"HL*2*1*22*0~", "HL*2*1*22*1~"},
			[]fileProblem{{RuleHLChildCode, 15, "", 0}}},
		{"lx sequence", p, []string{"LX*2~\nSV1*HC:36415", "LX*3~\nSV1*HC:36415"},
			[]fileProblem{{RuleLXSequence, 33, "E1001-1", 2}}},
		{"trailing separator", p, []string{"REF*G1*PA2026-0042~", "REF*G1*PA2026-0042*~"},
			[]fileProblem{{RuleTrailingSeparator, 24, "E1001-1", 0}}},
		{"missing N3", p, []string{"N3*100 MAPLE STREET~\n", ""},
			[]fileProblem{{RuleSegmentMissing, 11, "", 0}, {RuleCount, 106, "", 0}}},
		{"unknown segment", p, []string{"REF*G1*PA2026-0042~", "REF*G1*PA2026-0042~\nZZZ*1~"},
			[]fileProblem{{RuleSegmentUnexpected, 25, "E1001-1", 0}, {RuleCount, 108, "", 0}}},
		{"out of order", p, []string{"DTP*431*D8*20260201~\nREF*G1*PA2026-0042~", "REF*G1*PA2026-0042~\nDTP*431*D8*20260201~"},
			[]fileProblem{{RuleSegmentUnexpected, 24, "E1001-1", 0}}},
		{"bad qualifier", p, []string{"REF*G1*PA2026-0042~", "REF*ZZ*PA2026-0042~"},
			[]fileProblem{{RuleCode, 24, "E1001-1", 0}}},
		{"bad code value", p, []string{"11:B:1*Y*A*Y*Y", "11:X:1*Y*A*Y*Y"},
			[]fileProblem{{RuleCode, 22, "E1001-1", 0}}},
		{"element not used", p, []string{"NM1*PR*2*PRAIRIE HEALTH PLAN*****PI*PHP01~", "NM1*PR*2*PRAIRIE HEALTH PLAN***X**PI*PHP01~"},
			[]fileProblem{{RuleElementNotUsed, 21, "", 0}}},
		{"required element", p, []string{"SBR*P*18*GRP7788******CI~", "SBR**18*GRP7788******CI~"},
			[]fileProblem{{RuleRequired, 16, "", 0}}},
		{"syntax rule", p, []string{"NM1*DN*1*LINDQVIST*MARTA****XX*1122334455~", "NM1*DN*1*LINDQVIST*MARTA****XX~"},
			[]fileProblem{{RuleSyntax, 26, "E1001-1", 0}}},
		{"length", p, []string{"CLM*E1001-1*245***11", "CLM*E1001-1*245***111"},
			[]fileProblem{{RuleLength, 22, "E1001-1", 0}, {RuleCode, 22, "E1001-1", 0}}},
		{"set count", p, []string{"SE*105*0001~", "SE*104*0001~"},
			[]fileProblem{{RuleCount, 107, "", 0}}},
		{"billing zip", p, []string{"N4*SPRINGFIELD*IL*627011234~", "N4*SPRINGFIELD*IL*62701~"},
			[]fileProblem{{RuleZIP9, 12, "", 0}}},
		{"facility zip", p, []string{"N4*SPRINGFIELD*IL*627040001~", "N4*SPRINGFIELD*IL*62704~"},
			[]fileProblem{{RuleZIP9, 58, "E1002-2", 0}}},
		{"taxonomy", p, []string{"PRV*BI*PXC*207Q00000X", "PRV*BI*PXC*207Q00000Y"},
			[]fileProblem{{RuleTaxonomy, 9, "", 0}}},
		{"icd10 with dot", p, []string{"HI*ABK:E119*", "HI*ABK:E11.9*"},
			[]fileProblem{{RuleICD10, 25, "E1001-1", 0}}},
		{"duplicate line control", p, []string{"REF*6R*E1001-1-L2", "REF*6R*E1001-1-L1"},
			[]fileProblem{{RuleLineControlDuplicate, 36, "E1001-1", 2}}},
		{"pcn length", p, []string{"CLM*E1003-2*", "CLM*E1003-2-0123456789ABCD*"},
			[]fileProblem{{RulePCNLength, 71, "E1003-2-0123456789ABCD", 0}}},
		{"51 lines", p, append(fiftyOneLines(), "SE*105*0001~", "SE*249*0001~"),
			[]fileProblem{{RuleLinesMax, 182, "E1001-1", 51}}},
		{"duplicate ST02", p, []string{"SE*105*0001~\n", "SE*105*0001~\nST*837*0001*005010X222A1~\nSE*2*0001~\n", "GE*1*42~", "GE*2*42~"},
			[]fileProblem{{RuleDuplicateControl, 108, "", 0}, {RuleSegmentMissing, 109, "", 0}, {RuleLoopMissing, 109, "", 0},
				{RuleLoopMissing, 109, "", 0}, {RuleLoopMissing, 109, "", 0}}},
		{"guide", p, []string{"*005010X222A1~\nST*837*0001*005010X222A1~", "*005010X222A2~\nST*837*0001*005010X222A2~"},
			[]fileProblem{{RuleCode, 2, "", 0}, {RuleGuide, 3, "", 0}}},
		{"institutional statement range", i, []string{"DTP*434*RD8*20260203-20260203", "DTP*434*D8*20260203"},
			[]fileProblem{{RuleCode, 23, "H2001-1", 0}}},
		{"institutional line outside statement", i, []string{"DTP*472*D8*20260106", "DTP*472*D8*20260110"},
			[]fileProblem{{RuleDateOrder, 81, "H2002-3", 2}}},
		{"institutional out of balance", i, []string{"SV2*0730*HC:93005*215.75", "SV2*0730*HC:93005*215.7"},
			[]fileProblem{{RuleOutOfBalance, 22, "H2001-1", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, tc.file, tc.edits...)
			ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			var got []fileProblem
			for _, p := range ps {
				if p.Severity == SeverityError {
					got = append(got, fileProblem{p.Rule, p.Pos.Segment, p.Claim, p.Line})
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				var msgs []string
				for _, p := range ps {
					msgs = append(msgs, p.Rule+": "+p.Error())
				}
				t.Errorf("problems:\n got %v\nwant %v\n%s", got, tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestValidateFileGuideMismatch checks that ST03 decides the guide when it
// differs from GS08: the professional file is then checked as an 837I.
func TestValidateFileGuideMismatch(t *testing.T) {
	data := edit(t, "professional.x12", "ST*837*0001*005010X222A1~", "ST*837*0001*005010X223A2~")
	ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 10 || ps[0].Rule != RuleGuideMismatch || ps[1].Rule != RuleCode || ps[1].Element != "CLM05-2" {
		t.Errorf("got %d problems starting %v, want guide-mismatch then CLM05-2 code (checked as 837I)", len(ps), ps[:min(2, len(ps))])
	}
	for _, p := range ps {
		if p.Rule == RuleOutOfBalance {
			t.Errorf("out of balance reported for lines whose SV1 was not understood: %s", p.Error())
		}
	}
}

func TestValidateFileNotX12(t *testing.T) {
	for _, in := range []string{"", "hello, world", "ISA*00*short~", "\xef\xbb\xbfGS*HC~"} {
		ps, err := ValidateFile(strings.NewReader(in), FileOptions{})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(ps) != 1 || ps[0].Rule != RuleNotX12 {
			t.Errorf("%q: got %v, want one %s problem", in, ps, RuleNotX12)
		}
	}
}

func TestValidateFileBOM(t *testing.T) {
	data := append([]byte("\xef\xbb\xbf"), edit(t, "professional.x12")...)
	ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Rule != RuleBOM {
		t.Errorf("got %v, want one %s problem", ps, RuleBOM)
	}
}

func TestValidateFileReadError(t *testing.T) {
	data := edit(t, "professional.x12")
	r := iotest.TimeoutReader(bytes.NewReader(data[:200]))
	_, err := ValidateFile(iotest.OneByteReader(r), FileOptions{})
	if err == nil {
		t.Fatal("no error from a failing reader")
	}
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("error %v does not wrap the reader's error", err)
	}
}

func TestValidateFileMaxProblems(t *testing.T) {
	data := edit(t, "professional.x12", "XX*1234567893", "XX*1234567890")
	data = bytes.ReplaceAll(data, []byte("XX*1045678905"), []byte("XX*1045678900"))
	ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday, MaxProblems: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[2].Rule != RuleTooManyProblemsInFile {
		t.Errorf("got %d problems ending %v, want 2 and %s", len(ps), ps[len(ps)-1].Rule, RuleTooManyProblemsInFile)
	}
}

func TestValidateFileNoPHI(t *testing.T) {
	data := edit(t, "professional.x12",
		"NM1*IL*1*QUINTERO*ALMA****MI*XQA100200300~", "NM1*IL*1*QUINTEROQUINTEROQUINTEROQUINTEROQUINTEROQUINTEROQUINTERO*ALMA****MI*XQA100200300*X~",
		"DMG*D8*19680412*F~", "DMG*D8*19680432*F~",
		"N3*12 ELM COURT~", "N3*12 ELM COURT*~")
	ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 3 {
		t.Fatalf("got %d problems, want at least 3", len(ps))
	}
	for _, p := range ps {
		for _, phi := range []string{"QUINTERO", "ALMA", "XQA", "19680", "ELM"} {
			if strings.Contains(p.Error(), phi) {
				t.Errorf("message quotes PHI %q: %s", phi, p.Error())
			}
		}
	}
}
