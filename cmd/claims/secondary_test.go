package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// TestSecondaryCLI builds a secondary claim for a claim the demo's payer
// paid, with coverage the encounter did not list, and checks the refusals
// (each says why, exits non-zero and changes nothing); the next demo run
// sends it through SFTP to the simulated clearinghouse, whose 835 for the
// secondary payer posts to the same claim.
func TestSecondaryCLI(t *testing.T) {
	dir := t.TempDir()
	var sum demoSummary
	runJSON(t, &sum, "demo", "--once", "--json", "--dir", dir)
	paid, payer := "", ""
	for id := int64(1); paid == ""; id++ {
		out, _, code := runCLI("claim", "show", strconv.FormatInt(id, 10), "--json", "--dir", dir)
		if code != exitOK {
			t.Fatal("no paid claim in the demo")
		}
		var c claimJSON
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatal(err)
		}
		var p struct {
			PayerID string `json:"payer_id"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		if c.State == "paid" && len(c.Versions) == 1 {
			paid, payer = strconv.FormatInt(id, 10), p.PayerID
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
	// The secondary is another payer the simulated clearinghouse knows.
	second := clearinghousesim.PayerBlueHarbor
	if payer == second {
		second = clearinghousesim.PayerLarkspur
	}
	coverage := write("coverage.json", `{"relationship":"18","filing_indicator":"CI",
		"subscriber":{"last_name":"RIVERA","member_id":"SEC1234567"},"payer":{"name":"SECOND PLAN","id":"`+second+`"}}`)
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

	// show: what build would send, changing nothing.
	before := showClaim(t, dir, paid)
	var preview struct {
		PayerID       string `json:"payer_id"`
		OtherCoverage []struct {
			Responsibility string `json:"responsibility"`
			Payer          struct {
				ID string `json:"id"`
			} `json:"payer"`
			Adjudication *struct {
				Paid  x12.Amount `json:"paid"`
				Lines []struct {
					Line int `json:"line"`
				} `json:"lines"`
			} `json:"adjudication"`
		} `json:"other_coverage"`
	}
	runJSON(t, &preview, "secondary", "show", paid, "--coverage", coverage, "--dir", dir, "--json")
	if preview.PayerID != second || len(preview.OtherCoverage) != 1 || preview.OtherCoverage[0].Payer.ID != payer ||
		preview.OtherCoverage[0].Responsibility != "P" || preview.OtherCoverage[0].Adjudication == nil ||
		preview.OtherCoverage[0].Adjudication.Paid <= 0 || len(preview.OtherCoverage[0].Adjudication.Lines) == 0 {
		t.Fatalf("secondary show: %+v", preview)
	}
	out, errs, code := runCLI("secondary", "show", paid, "--coverage", coverage, "--dir", dir)
	if code != exitOK || !strings.Contains(out, "(AMT*D)") || !strings.Contains(out, "PAID (SVD02)") || strings.Contains(out, "RIVERA") {
		t.Errorf("secondary show: exit %d\n%s%s", code, out, errs)
	}
	if after := showClaim(t, dir, paid); after != before {
		t.Error("secondary show changed the claim")
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

	// The next run sends it; the simulated clearinghouse answers for the
	// secondary payer, and its 835 posts to the same claim.
	var next demoSummary
	runJSON(t, &next, "demo", "--once", "--json", "--dir", dir)
	if next.ClaimsSubmitted != 1 || next.ClaimsAccepted != 1 {
		t.Errorf("second demo: submitted %d, accepted %d; want the secondary claim sent and accepted", next.ClaimsSubmitted, next.ClaimsAccepted)
	}
	runJSON(t, &c, "claim", "show", paid, "--json", "--dir", dir)
	// The secondary's 835 adjudicates the whole charge; the offsets keep
	// the insurance balance at zero and leave its PR to the patient.
	if c.State != "paid" || c.Detail.Insurance != 0 || c.Detail.Patient < 0 || c.Balance != c.Detail.Patient {
		t.Errorf("after the secondary's answer: %s, balance %s, insurance %s, patient %s; want paid with the patient's part only",
			c.State, c.Balance, c.Detail.Insurance, c.Detail.Patient)
	}
}
