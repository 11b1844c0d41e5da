package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestClaimPageLabelsWarnings: a claim accepted with a scrubber warning
// shows it on its page, labelled as a warning, and has no work item.
func TestClaimPageLabelsWarnings(t *testing.T) {
	e := newEnv(t)
	warned := encounter("E-ACC", "80.00") // the accepted patient, another visit
	warned.ID = "E-WARN"
	warned.PayerClaimNumber = "ICN-IGNORED" // ignored on an original claim: a warning
	in, err := e.P.Intake(context.Background(), encounters{warned})
	if err != nil || in.Held != 0 || len(in.Warned) != 1 {
		t.Fatalf("intake: %+v, %v", in, err)
	}
	id := e.H.ClaimOf("E-WARN").ID
	r := e.signedIn(billerUser).get(fmt.Sprintf("/claims/%d", id))
	wantStatus(t, r, http.StatusOK)
	i := strings.Index(r.Body, `id="warnings"`)
	if i < 0 {
		t.Fatalf("no warnings section on the claim page:\n%s", r.Body)
	}
	section := r.Body[i:]
	section = section[:strings.Index(section, "</section>")]
	for _, want := range []string{`<span class="badge held">warning</span> payer claim number is sent only with frequency 7 or 8`,
		"<code>payer-claim-number</code>", "field <code>payer_claim_number</code>", "do not hold the claim"} {
		if !strings.Contains(section, want) {
			t.Errorf("warnings section lacks %q:\n%s", want, section)
		}
	}
	if strings.Contains(r.Body, "What needs doing") {
		t.Error("a claim with only a warning shows something to do")
	}
	// A claim without warnings has no such section.
	r = e.signedIn(billerUser).get(fmt.Sprintf("/claims/%d", e.Paid.ID))
	if strings.Contains(r.Body, `id="warnings"`) {
		t.Error("a claim without warnings shows a warnings section")
	}
}
