package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/x12claims/claims/x12"
)

// runJSON runs the CLI, wants exit 0 and decodes its JSON output.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	runJSONCode(t, exitOK, v, args...)
}

// runJSONCode runs the CLI, wants the exit code, checks that every key
// of its JSON output is snake_case and decodes it into v.
func runJSONCode(t *testing.T, code int, v any, args ...string) {
	t.Helper()
	out, errs, got := runCLI(args...)
	if got != code {
		t.Fatalf("claims %v: exit %d, want %d\nstderr: %s", args, got, code, errs)
	}
	checkSnakeCase(t, args, out)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("claims %v: output is not JSON: %v\n%s", args, err, out)
	}
}

// runCLI runs the CLI and returns its outputs and exit code.
func runCLI(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, nil, &out, &errb)
	return out.String(), errb.String(), code
}

var snakeKey = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)

// checkSnakeCase fails the test unless every object key in the JSON text
// is snake_case (no Go field names).
func checkSnakeCase(t *testing.T, args []string, text string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return // reported by the caller
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if !snakeKey.MatchString(k) {
					t.Errorf("claims %v: JSON key %q at %s is not snake_case", args, k, path)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("$", v)
}

// TestDemoEndToEnd runs the whole loop twice on one folder: encounters →
// scrub → 837 → SFTP upload (pinned host key) → simulator 999/277CA/835 →
// SFTP pickup → posting. The first run's figures must agree with what the
// simulator wrote; the second must submit and post nothing.
func TestDemoEndToEnd(t *testing.T) {
	dir := t.TempDir()
	var first demoSummary
	runJSON(t, &first, "demo", "--once", "--json", "--dir", dir)

	sim := first.Clearinghouse
	checks := []struct {
		name      string
		got, want any
	}{
		{"claims held (3 invalid samples)", first.ClaimsHeld, 3},
		{"claims submitted = claims the clearinghouse read", first.ClaimsSubmitted, sim.ClaimsAccepted + sim.ClaimsRejected},
		{"amount billed = clearinghouse billed", first.AmountBilled, sim.Billed},
		{"claims rejected = 277CA rejections", first.ClaimsRejected, sim.ClaimsRejected},
		{"claims accepted = 277CA acceptances", first.ClaimsAccepted, sim.ClaimsAccepted},
		{"claims paid = 835 claims not denied", first.ClaimsPaid, sim.ClaimsPaid},
		{"claims denied = 835 CLP02 4", first.ClaimsDenied, sim.ClaimsDenied},
		{"amount paid = clearinghouse paid", first.AmountPaid, sim.Paid},
		{"payments posted = 835 sets written", first.PaymentsPosted, sim.Remittances},
		{"files uploaded", first.FilesUploaded, 2},
		{"files collected = files written", first.FilesCollected, len(sim.Outputs)},
		// Every cent billed is paid, adjusted by contract, or still
		// owed (by the payer of a rejected claim, or by patients).
		{"AR = billed - paid - contractual", first.AROutstanding, sim.Billed - sim.Paid - sim.Contractual},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("first run: %s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if first.ClaimsSubmitted == 0 || first.ClaimsPaid == 0 || first.AmountPaid <= 0 {
		t.Errorf("first run did nothing: %+v", first)
	}
	if first.ClaimsRejected+first.ClaimsDenied == 0 || sim.LinesDenied == 0 {
		t.Errorf("the work queue must get a rejection and a denied line: rejected %d, denied %d, lines denied %d",
			first.ClaimsRejected, first.ClaimsDenied, sim.LinesDenied)
	}
	// Held (3) + rejected (1) + one claim with a denied line.
	if want := first.ClaimsHeld + first.ClaimsRejected + 1; first.WorkQueueOpen != want {
		t.Errorf("open work items: got %d, want %d", first.WorkQueueOpen, want)
	}

	var second demoSummary
	runJSON(t, &second, "demo", "--once", "--json", "--dir", dir)
	zero := []struct {
		name string
		got  int
	}{
		{"claims submitted", second.ClaimsSubmitted}, {"claims held", second.ClaimsHeld},
		{"payments posted", second.PaymentsPosted}, {"files uploaded", second.FilesUploaded},
		{"files collected", second.FilesCollected}, {"claims paid", second.ClaimsPaid},
		{"clearinghouse files", second.Clearinghouse.Files},
	}
	for _, z := range zero {
		if z.got != 0 {
			t.Errorf("second run: %s = %d, want 0", z.name, z.got)
		}
	}
	if second.AmountPaid != 0 || second.AmountBilled != 0 {
		t.Errorf("second run moved money: billed %s, paid %s", second.AmountBilled, second.AmountPaid)
	}
	if second.AROutstanding != first.AROutstanding || second.WorkQueueOpen != first.WorkQueueOpen {
		t.Errorf("second run changed standing figures: AR %s → %s, work items %d → %d",
			first.AROutstanding, second.AROutstanding, first.WorkQueueOpen, second.WorkQueueOpen)
	}
	if first.AROutstanding <= x12.Amount(0) {
		t.Errorf("AR outstanding %s, want > 0", first.AROutstanding)
	}
}
