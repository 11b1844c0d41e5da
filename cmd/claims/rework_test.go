package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/samples"
	"github.com/x12claims/claims/x12"
)

// queueJSON is the JSON of "claims queue".
type queueJSON struct {
	Items []struct {
		ID       int64   `json:"id"`
		ClaimID  *int64  `json:"claim_id"`
		Source   string  `json:"source"`
		Code     string  `json:"code"`
		Text     string  `json:"text"`
		Status   string  `json:"status"`
		OpenedAt string  `json:"opened_at"`
		ClosedAt *string `json:"closed_at"`
	} `json:"items"`
}

// claimJSON is the part of "claims claim show --json" the tests read.
type claimJSON struct {
	ID      int64      `json:"id"`
	State   string     `json:"state"`
	Balance x12.Amount `json:"balance"`
	Detail  struct {
		Insurance x12.Amount `json:"insurance"`
		Patient   x12.Amount `json:"patient"`
	} `json:"balance_detail"`
	Events   []json.RawMessage `json:"events"`
	Versions []struct {
		Version   int    `json:"version"`
		PCN       string `json:"patient_control_number"`
		Frequency string `json:"frequency"`
		State     string `json:"state"`
	} `json:"versions"`
}

// TestReworkLoopCLI runs the loop a billing specialist runs: the demo,
// the 277CA rejection in the queue, a correction, the demo again (the new
// version is accepted and paid, the item closed), and receivables that
// equal the ledger.
func TestReworkLoopCLI(t *testing.T) {
	dir := t.TempDir()
	var first demoSummary
	runJSON(t, &first, "demo", "--once", "--json", "--dir", dir)

	var q queueJSON
	runJSON(t, &q, "queue", "--json", "--dir", dir, "--source", "277ca")
	if len(q.Items) != 1 || q.Items[0].ClaimID == nil || q.Items[0].Code != "A7:164:IL" || q.Items[0].Status != "open" ||
		q.Items[0].ClosedAt != nil || q.Items[0].Text == "" || q.Items[0].OpenedAt == "" {
		t.Fatalf("queue: %+v, want the one 277CA rejection, open", q.Items)
	}
	item, claim := q.Items[0].ID, *q.Items[0].ClaimID
	ref := strconv.FormatInt(claim, 10)

	var rev pipeline.Revision
	runJSON(t, &rev, "claim", "correct", ref, "--set", "subscriber.member_id=MHP123456789", "--dir", dir, "--json", "--user", "ana")
	if rev.Version != 2 || rev.Frequency != "1" || rev.State != pipeline.StateReady {
		t.Fatalf("correct: %+v, want version 2 queued as a new original", rev)
	}

	var second demoSummary
	runJSON(t, &second, "demo", "--once", "--json", "--dir", dir)
	if second.ClaimsSubmitted != 1 || second.ClaimsAccepted != 1 || second.ClaimsPaid != 1 || second.AmountPaid <= 0 {
		t.Errorf("second demo: submitted %d, accepted %d, paid %d (%s); want the corrected claim sent, accepted and paid",
			second.ClaimsSubmitted, second.ClaimsAccepted, second.ClaimsPaid, second.AmountPaid)
	}
	var c claimJSON
	runJSON(t, &c, "claim", "show", pipeline.PCN(claim, 2), "--json", "--dir", dir)
	if c.ID != claim || c.State != "paid" || len(c.Versions) != 2 || c.Versions[0].State != "rejected" ||
		c.Versions[1].PCN != pipeline.PCN(claim, 2) || c.Versions[1].Frequency != "1" || c.Versions[1].State != "paid" || len(c.Events) < 8 {
		t.Errorf("claim show: %+v", c)
	}
	runJSON(t, &q, "queue", "--json", "--dir", dir, "--status", "closed")
	closed := false
	for _, it := range q.Items {
		closed = closed || it.ID == item && it.ClosedAt != nil
	}
	if !closed {
		t.Errorf("work item %d is not closed: %+v", item, q.Items)
	}

	// The receivables equal the ledger: the sum of every claim's open
	// balance, insurance and patient.
	var sum x12.Amount
	for id := int64(1); ; id++ {
		out, _, code := runCLI("claim", "show", strconv.FormatInt(id, 10), "--json", "--dir", dir)
		if code != exitOK {
			break
		}
		var cj claimJSON
		if err := json.Unmarshal([]byte(out), &cj); err != nil {
			t.Fatal(err)
		}
		if cj.Balance != cj.Detail.Insurance+cj.Detail.Patient {
			t.Errorf("claim %d: balance %s, detail %+v", id, cj.Balance, cj.Detail)
		}
		sum += cj.Balance
	}
	var ar pipeline.Aging
	runJSON(t, &ar, "ar", "--json", "--dir", dir)
	if second.AROutstanding != sum || ar.Total.Total != sum || sum <= 0 {
		t.Errorf("ar_outstanding %s, ar %s; the claims' ledger sums to %s", second.AROutstanding, ar.Total.Total, sum)
	}
	for _, args := range [][]string{{"batch", "list"}, {"remit", "list"}, {"remit", "show", "1"}, {"inbound", "list"}, {"queue", "show", strconv.FormatInt(item, 10)}} {
		var v any
		runJSON(t, &v, append(args, "--json", "--dir", dir)...)
	}
}

// TestCorrectBadInput checks that every bad correction says why, exits
// non-zero and changes nothing.
func TestCorrectBadInput(t *testing.T) {
	dir := t.TempDir()
	var sum demoSummary
	runJSON(t, &sum, "demo", "--once", "--json", "--dir", dir)
	var q queueJSON
	runJSON(t, &q, "queue", "--json", "--dir", dir, "--source", "277ca")
	rejected := strconv.FormatInt(*q.Items[0].ClaimID, 10)
	runJSON(t, &q, "queue", "--json", "--dir", dir, "--source", "835_denial")
	denied := strconv.FormatInt(*q.Items[0].ClaimID, 10)

	// A claim in flight: submitted from a configuration, not yet answered.
	cfg, _ := localConfig(t)
	var sub pipeline.SubmitReport
	runJSONCode(t, exitAttention, &sub, "submit", "--config", cfg, "--json")

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown path", []string{"claim", "correct", rejected, "--set", "subscriber.member_idd=X", "--dir", dir}, exitFailure, "unknown field"},
		{"not PATH=VALUE", []string{"claim", "correct", rejected, "--set", "subscriber.member_id", "--dir", dir}, exitFailure, "want PATH=VALUE"},
		{"a field the pipeline owns", []string{"claim", "correct", rejected, "--set", "frequency=7", "--dir", dir}, exitFailure, "cannot be corrected"},
		{"a bad amount", []string{"claim", "correct", rejected, "--set", "lines[0].charge=12.345", "--dir", dir}, exitFailure, "lines[0].charge"},
		{"a value that fails the scrubber", []string{"claim", "correct", rejected, "--set", "billing_provider.npi=1234567890", "--dir", dir}, exitAttention, "billing_provider.npi"},
		{"nothing changed", []string{"claim", "correct", rejected, "--set", "subscriber.member_id=MHP000000000", "--dir", dir}, exitFailure, "changes nothing"},
		{"no changes given", []string{"claim", "correct", rejected, "--dir", dir}, exitFailure, "exactly one"},
		{"a claim in flight", []string{"claim", "correct", "1", "--set", "subscriber.member_id=X", "--config", cfg}, exitFailure, "no 277CA yet"},
		{"void never adjudicated", []string{"claim", "void", rejected, "--dir", dir}, exitFailure, "never adjudicated"},
		{"unknown claim", []string{"claim", "correct", "C9999-1", "--set", "subscriber.member_id=X", "--dir", dir}, exitFailure, "not found"},
		{"unknown claim ID", []string{"claim", "show", "9999", "--dir", dir}, exitFailure, "not found"},
		{"unknown item", []string{"queue", "resolve", "9999", "--note", "x", "--dir", dir}, exitFailure, "not found"},
		{"resolve without a note", []string{"queue", "resolve", "1", "--dir", dir}, exitFailure, "note"},
		{"bad item ID", []string{"queue", "assign", "abc", "ana", "--dir", dir}, exitFailure, "positive number"},
		{"unknown source", []string{"queue", "--source", "fax", "--dir", dir}, exitFailure, "unknown source"},
		{"retry a batch that did not fail", []string{"batch", "retry", "1", "--dir", dir}, exitFailure, "not failed"},
		{"apply with nothing unapplied", []string{"remit", "apply", "1", denied, "--dir", dir}, exitFailure, "no unapplied payment"},
		{"from a file that is not an encounter", []string{"claim", "correct", rejected, "--from-file", cfg, "--dir", dir}, exitFailure, "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := showClaim(t, dir, rejected)
			out, errs, code := runCLI(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out, errs)
			}
			if !strings.Contains(out+errs, tt.want) {
				t.Errorf("output does not say %q:\nstdout %s\nstderr %s", tt.want, out, errs)
			}
			if after := showClaim(t, dir, rejected); after != before {
				t.Errorf("the claim changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// showClaim returns a claim's JSON, to compare before and after.
func showClaim(t *testing.T, dir, ref string) string {
	t.Helper()
	out, errs, code := runCLI("claim", "show", ref, "--json", "--dir", dir)
	if code != exitOK {
		t.Fatalf("claim show %s: exit %d: %s", ref, code, errs)
	}
	return out
}

// localConfig writes a configuration that submits the JSON Lines
// samples to a clearinghouse simulator's folders, through the local-folder
// transport, and returns its path and the simulator's root (nothing
// answers the files unless a test runs a Responder there).
func localConfig(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	incoming := filepath.Join(dir, "incoming")
	sim := filepath.Join(dir, "clearinghouse")
	for _, d := range []string{incoming, filepath.Join(sim, clearinghousesim.InboundDir), filepath.Join(sim, clearinghousesim.OutboundDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	data, err := fs.ReadFile(samples.Files, "encounters.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(incoming, "today.jsonl"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{
		"dir":        filepath.Join(dir, "work"),
		"encounters": []string{filepath.Join(incoming, "*.jsonl")},
		"log":        map[string]string{"level": "error"},
		"clearinghouses": []any{map[string]any{
			"name":          "claimsim",
			"isa":           map[string]string{"sender_qualifier": "ZZ", "sender_id": "CEDARVALLEYMG", "receiver_qualifier": "ZZ", "receiver_id": "CLAIMSIM", "usage": "T"},
			"submitter":     map[string]string{"name": "Cedar Valley Medical Group", "phone": "3035550100"},
			"receiver_name": "X12 Claims Simulator Clearinghouse",
			"transport": map[string]any{"type": "localdir", "localdir": map[string]any{
				"upload_dir": filepath.Join(sim, clearinghousesim.InboundDir), "response_dir": filepath.Join(sim, clearinghousesim.OutboundDir),
				"after_pickup": "delete", "patterns": []string{"*.999", "*.277CA", "*.835", "*.TA1"},
				"settle": "0s"}}, // the simulator writes whole files at once
		}},
	}
	b, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "claims.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, sim
}
