package clearinghousesim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x837"
)

// notEnrolledClaim is the sample encounter whose member is not enrolled.
const notEnrolledClaim = "ENC-20127"

// sampleEncounter is the encounter format of samples/README.md: an ID and
// the claim. (pipeline.Encounter is the same; the simulator does not
// depend on the pipeline.)
type sampleEncounter struct {
	ID string `json:"id"`
	x837.Claim
}

// readSamples loads samples/encounters.jsonl, or skips the test when the
// samples are not there.
func readSamples(t *testing.T) []*sampleEncounter {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "samples", "encounters.jsonl"))
	if err != nil {
		t.Skipf("samples not available: %v", err)
	}
	defer f.Close()
	var out []*sampleEncounter
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		e := new(sampleEncounter)
		if err := json.Unmarshal(line, e); err != nil {
			t.Fatalf("encounters.jsonl:%d: %v", n, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSampleEncounters builds the sample encounters into 837 files with
// x12/x837 (as the pipeline does, after its scrubber), answers them with
// the default configuration, and checks what the demo relies on: at
// least one claim rejected by the 277CA, at least one line denied, every
// 835 balanced. It logs the outcome of every claim.
func TestSampleEncounters(t *testing.T) {
	encs := readSamples(t)
	cfg := DefaultConfig(t.TempDir())
	cfg.Now = testNow
	r, err := NewResponder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[x837.Kind][]*x837.Claim{}
	var held []string
	for _, e := range encs {
		c := e.Claim
		c.PatientControlNumber = e.ID
		for i := range c.Lines {
			c.Lines[i].ControlNumber = fmt.Sprintf("%s-%d", e.ID, i+1)
		}
		if x837.HasErrors(c.Validate(x837.ValidateOptions{Today: x12.DateOf(testNow())})) {
			held = append(held, e.ID)
			continue
		}
		k := c.Kind
		if k == "" {
			k = x837.Professional
		}
		byKind[k] = append(byKind[k], &c)
	}
	n := 0
	for _, k := range []x837.Kind{x837.Professional, x837.Institutional} {
		claims := byKind[k]
		if len(claims) == 0 {
			continue
		}
		n++
		var buf bytes.Buffer
		env := x837.Envelope{
			Kind: k, SenderQualifier: "ZZ", SenderID: "CEDARVALLEY", ReceiverQualifier: "ZZ", ReceiverID: cfg.ID,
			ISA13: fmt.Sprint(200 + n), GS06: fmt.Sprint(200 + n), BatchID: fmt.Sprintf("SAMPLES-%d", n), Created: testNow(), Usage: "T",
			Submitter: x837.Submitter{Name: "CEDAR VALLEY MEDICAL GROUP PC", ETIN: "CEDARVALLEY", ContactName: "BILLING OFFICE", Phone: "9705550142"},
			Receiver:  x837.Receiver{Name: cfg.Name, ID: cfg.ID},
		}
		if _, err := x837.WriteFile(&buf, env, slices.Values(claims)); err != nil {
			t.Fatalf("build %s 837: %v", k, err)
		}
		drop(t, r, fmt.Sprintf("samples-%d-%s.x12", n, k), buf.String())
	}
	rep := respond(t, r)
	if rep.SetsRejected != 0 || rep.InterchangesRejected != 0 {
		t.Errorf("the 837s built from the samples were not accepted: %d sets, %d interchanges rejected", rep.SetsRejected, rep.InterchangesRejected)
	}
	if rep.ClaimsRejected == 0 {
		t.Error("no sample claim was rejected by the 277CA")
	}
	if rep.LinesDenied == 0 {
		t.Error("no sample line was denied")
	}
	pr := parseOutputs(t, r, rep)
	for _, rem := range pr.rems {
		checkRemittance(t, "835", rem)
	}
	if c := pr.claims[notEnrolledClaim]; c == nil || c.Verdict() != codes.Rejected {
		t.Errorf("%s: not rejected in the 277CA (%+v)", notEnrolledClaim, c)
	}
	t.Logf("held back by the scrubber: %v", held)
	for _, c := range rep.Claims {
		t.Logf("%-12s %-6s %-9s %-22s charge %8s allowed %8s paid %8s PR %8s denied lines %d",
			c.PCN, c.PayerID, c.Status, c.Reason, c.Charge, c.Allowed, c.Paid, c.PatientResp, c.LinesDenied)
	}
	t.Logf("files %d; claims accepted %d rejected %d paid %d denied %d; lines denied %d; remittances %d",
		rep.Files, rep.ClaimsAccepted, rep.ClaimsRejected, rep.ClaimsPaid, rep.ClaimsDenied, rep.LinesDenied, rep.Remittances)
	t.Logf("billed %s (accepted %s); allowed %s; contractual %s; patient %s; paid %s",
		rep.Billed, rep.BilledAccepted, rep.Allowed, rep.Contractual, rep.PatientResp, rep.Paid)
	t.Logf("outputs %v", rep.Outputs)
}
