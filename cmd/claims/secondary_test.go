package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// TestSecondaryCLI builds a secondary claim for a claim the demo's payer
// paid, with coverage the encounter did not list, and checks the refusals:
// each says why, exits non-zero and changes nothing.
func TestSecondaryCLI(t *testing.T) {
	dir := t.TempDir()
	var sum demoSummary
	runJSON(t, &sum, "demo", "--once", "--json", "--dir", dir)
	paid := ""
	for id := int64(1); paid == ""; id++ {
		out, _, code := runCLI("claim", "show", strconv.FormatInt(id, 10), "--json", "--dir", dir)
		if code != exitOK {
			t.Fatal("no paid claim in the demo")
		}
		var c claimJSON
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatal(err)
		}
		if c.State == "paid" && len(c.Versions) == 1 {
			paid = strconv.FormatInt(id, 10)
		}
	}
	files := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	coverage := write("coverage.json", `{"relationship":"18","filing_indicator":"MC",
		"subscriber":{"last_name":"RIVERA","member_id":"MCD1234567"},"payer":{"name":"STATE MEDICAID","id":"SKMCD"}}`)
	unknown := write("unknown.json", `{"relationship":"18","filing":"MC"}`)
	twoObjects := write("two.json", `{"paid":"1.00"} {"paid":"2.00"}`)
	unbalanced := write("adj.json", `{"paid":"0.01","date":"2026-01-05"}`)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no coverage after the payer", []string{"secondary", "build", paid, "--dir", dir}, exitAttention, "no further coverage"},
		{"unknown claim", []string{"secondary", "build", "9999", "--dir", dir}, exitFailure, "not found"},
		{"unknown field in the coverage", []string{"secondary", "build", paid, "--coverage", unknown, "--dir", dir}, exitFailure, `unknown field "filing"`},
		{"two objects", []string{"secondary", "build", paid, "--adjudication", twoObjects, "--dir", dir}, exitFailure, "one JSON object expected"},
		{"missing file", []string{"secondary", "build", paid, "--adjudication", filepath.Join(files, "none.json"), "--dir", dir}, exitFailure, "no such file"},
		{"an adjudication that does not balance", []string{"secondary", "build", paid, "--coverage", coverage, "--adjudication", unbalanced, "--dir", dir},
			exitAttention, "other_coverage[0].adjudication.paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := showClaim(t, dir, paid)
			out, errs, code := runCLI(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out, errs)
			}
			if !strings.Contains(out+errs, tt.want) {
				t.Errorf("output does not say %q:\nstdout %s\nstderr %s", tt.want, out, errs)
			}
			if after := showClaim(t, dir, paid); after != before {
				t.Errorf("the claim changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	var rev pipeline.Revision
	runJSON(t, &rev, "secondary", "build", paid, "--coverage", coverage, "--dir", dir, "--json", "--user", "ana")
	if rev.Kind != pipeline.VersionSecondary || rev.Version != 2 || rev.State != pipeline.StateReady || rev.Frequency != "1" {
		t.Fatalf("secondary build: %+v", rev)
	}
	var c claimJSON
	runJSON(t, &c, "claim", "show", paid, "--json", "--dir", dir)
	if c.State != "ready" || len(c.Versions) != 2 {
		t.Errorf("claim after the build: %+v", c)
	}
}
