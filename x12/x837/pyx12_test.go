package x837

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
)

// maxClaim is a professional claim at the guide's limits: 12 diagnoses,
// 50 lines, 4 modifiers and 4 pointers per line.
func maxClaim(t testing.TB) *Claim {
	t.Helper()
	c := loadClaims(t, "professional.json")[0]
	c.PatientControlNumber = "E1999-1-MAX"
	c.Diagnoses = strings.Fields("E11.9 I10 Z79.4 E78.5 J06.9 R05.9 M54.50 F41.1 G47.00 R07.9 N17.9 E11.65")
	c.Lines = c.Lines[:0]
	c.TotalCharge = 0
	for i := 1; i <= 50; i++ {
		l := Line{ControlNumber: fmt.Sprintf("E1999-L%d", i), Procedure: "97110", Modifiers: []string{"GP", "59", "KX", "XU"},
			Charge: x12.Amount(1000 + i), Units: "1", ServiceDate: day(2026, 2, 10), DiagnosisPointers: []int{i%12 + 1, 1, 2, 3}}
		if l.DiagnosisPointers[0] <= 3 {
			l.DiagnosisPointers[0] = 12
		}
		c.TotalCharge += l.Charge
		c.Lines = append(c.Lines, l)
	}
	return c
}

// generatedFiles returns the 837 files the builder makes for the pyx12
// check: the golden files and multi-set files with claims at the limits.
func generatedFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, name := range []string{"professional.x12", "institutional.x12", "professional_extras.x12", "institutional_extras.x12"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	for _, kind := range []Kind{Professional, Institutional} {
		fixture := "professional.json"
		if kind == Institutional {
			fixture = "institutional.json"
		}
		var claims []*Claim
		for round := 0; round < 3; round++ {
			for _, c := range loadClaims(t, fixture) {
				c.PatientControlNumber = fmt.Sprintf("%s-R%d", c.PatientControlNumber, round)
				claims = append(claims, c)
			}
		}
		if kind == Professional {
			claims = append(claims, maxClaim(t))
		}
		for _, c := range claims {
			if ps := c.Validate(ValidateOptions{Today: testToday}); len(ps) > 0 {
				t.Fatalf("%s: %s", c.PatientControlNumber, ps[0].Error())
			}
		}
		env := testEnvelope(kind)
		env.MaxClaimsPerSet = 4
		env.Newline = false
		var buf bytes.Buffer
		if _, err := WriteFile(&buf, env, slices.Values(claims)); err != nil {
			t.Fatal(err)
		}
		files[string(kind)+"-multiset.x12"] = buf.Bytes()
	}
	return files
}

// TestPyx12 runs the independent validator pyx12 on every file the
// builder generates; each must pass with no errors. pyx12 is not a
// project dependency: set CLAIMS_PYX12 to a python that can import it
// (e.g. /usr/local/bin/pyx12-python), or the test is skipped.
func TestPyx12(t *testing.T) {
	py := os.Getenv("CLAIMS_PYX12")
	if py == "" {
		t.Skip("CLAIMS_PYX12 is not set to a python with pyx12")
	}
	for name, data := range generatedFiles(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "input.x12"), data, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "-m", "pyx12.scripts.x12valid", "input.x12")
			cmd.Dir = dir
			out, _ := cmd.CombinedOutput() // x12valid's exit status does not reflect validity
			log := string(out)
			if !strings.Contains(log, "input.x12: OK") || strings.Contains(log, " ERROR ") || strings.Contains(log, "Traceback") {
				t.Errorf("pyx12 does not accept %s:\n%s", name, log)
			}
		})
	}
}

// TestGeneratedFilesValidate checks the same generated files with our own
// validator.
func TestGeneratedFilesValidate(t *testing.T) {
	for name, data := range generatedFiles(t) {
		ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("%s: %s [%s]", name, p.Error(), p.Rule)
		}
	}
}
