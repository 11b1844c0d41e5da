package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

// patientData lists the fixture patients' data in the forms it could
// take: names, member IDs, birth dates (ISO and X12) and addresses.
func patientData(ps []patient, more ...string) []string {
	out := append([]string(nil), more...)
	for _, p := range ps {
		out = append(out, p.Last, p.First, p.Member, p.Birth.String(), strings.ReplaceAll(p.Birth.String(), "-", ""),
			p.Line1, p.City, p.ZIP, url.QueryEscape(p.Line1), strings.ReplaceAll(p.Line1, " ", "%20"))
	}
	return out
}

// leaks returns the patient data that s holds, in any letter case.
func leaks(s string, data []string) []string {
	var found []string
	ls := strings.ToLower(s)
	for _, d := range data {
		if strings.Contains(ls, strings.ToLower(d)) {
			found = append(found, d)
		}
	}
	return found
}

// TestNoPatientDataInURLsOrLogs runs a billing specialist's whole
// session and checks that no request URL, no Location and no log line
// holds patient data.
func TestNoPatientDataInURLsOrLogs(t *testing.T) {
	e := newEnv(t)
	const newMember = "QX7781299"
	data := patientData(e.Patients, newMember, "1976-13-40")
	if e.H.Claim(e.Rejected.ID).Data.Subscriber.LastName != e.Patients[0].Last {
		t.Fatal("the fixture claims do not carry the fixture patients")
	}
	// The fixture pages show the patient data (so a leak could happen).
	c := newClient(t, e.Handler)
	claim := fmt.Sprintf("/claims/%d", e.Rejected.ID)

	step := func(r *response, want int) *response {
		t.Helper()
		wantStatus(t, r, want)
		return r
	}
	r := step(c.get(claim), http.StatusSeeOther)
	login := step(c.follow(r), http.StatusOK)
	r = step(c.submit("/login", url.Values{"username": {managerUser}, "password": {password}, "next": {hiddenNext(t, login)}}), http.StatusSeeOther)
	page := step(c.follow(r), http.StatusOK)
	if len(leaks(page.Body, data)) == 0 {
		t.Fatal("the claim page shows no patient data: the test would prove nothing")
	}
	for _, q := range []string{"/queue", "/queue?source=277ca", "/queue?source=scrubber&category=claim+data",
		"/queue?payer=PAYER01&code=A7:164:IL&assignee=me&age=1", "/queue?status=closed", "/queue?page=2"} {
		step(c.get(q), http.StatusOK)
	}
	step(c.get(claim+"/correct"), http.StatusOK)
	// A bad value, then a good one.
	bad := url.Values{"base": {"1"}, "field:subscriber.birth_date": {"1976-13-40"}, "note": {"birth date from the card"}}
	step(c.submit(claim+"/correct", bad), http.StatusUnprocessableEntity)
	good := url.Values{"base": {"1"}, "field:subscriber.member_id": {newMember}, "note": {"member ID from the card"}}
	step(c.follow(step(c.submit(claim+"/correct", good), http.StatusSeeOther)), http.StatusOK)
	// Resubmit the paid claim, assign and resolve the held one's item.
	paid := fmt.Sprintf("/claims/%d", e.Paid.ID)
	step(c.get(paid), http.StatusOK)
	step(c.follow(step(c.submit(paid+"/resubmit", url.Values{"note": {"payer asked"}}), http.StatusSeeOther)), http.StatusOK)
	// Send it and collect (nothing comes back yet).
	for _, job := range []string{"/jobs/submit", "/jobs/collect"} {
		step(c.follow(step(c.submit(job, url.Values{"return": {paid}}), http.StatusSeeOther)), http.StatusOK)
	}
	step(c.get("/queue?source=scrubber"), http.StatusOK)
	item := fmt.Sprint(e.HeldItem.ID)
	step(c.follow(step(c.submit("/queue/assign", url.Values{"item": {item}, "assignee": {"me"}, "return": {"/queue?source=scrubber"}}),
		http.StatusSeeOther)), http.StatusOK)
	step(c.follow(step(c.submit("/queue/"+item+"/resolve", url.Values{"note": {"NPI fixed with the payer"}, "return": {"/queue"}}),
		http.StatusSeeOther)), http.StatusOK)
	// The manager's pages.
	for _, p := range []string{"/remits", fmt.Sprintf("/remits/%d", e.Remit), "/ar", "/ar.csv", "/batches", "/audit",
		fmt.Sprintf("/audit?claim=%d", e.Rejected.ID), "/audit?action=claim."} {
		step(c.get(p), http.StatusOK)
	}
	// A mistyped claim page, an unknown page.
	step(c.get("/claims/999999"), http.StatusNotFound)
	step(c.get("/nope"), http.StatusNotFound)
	// Someone types a patient's name into a URL: the log has the route,
	// not the path. (Outside the client, whose URLs must hold none.)
	for _, typed := range []string{"/claims/" + e.Patients[0].Last, "/nope/" + e.Patients[0].Last} {
		e.Handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, typed, nil))
	}
	step(c.follow(step(c.submit("/logout", nil), http.StatusSeeOther)), http.StatusOK)
	step(c.get(claim), http.StatusSeeOther)

	if len(c.URLs) < 30 || len(c.Locations) < 8 {
		t.Fatalf("the session made only %d requests and %d redirects", len(c.URLs), len(c.Locations))
	}
	for _, u := range c.URLs {
		if l := leaks(u, data); l != nil {
			t.Errorf("request URL %s holds patient data %q", u, l)
		}
	}
	for _, loc := range c.Locations {
		if l := leaks(loc, data); l != nil {
			t.Errorf("Location %s holds patient data %q", loc, l)
		}
	}

	entries := e.Logs.AllUntimed()
	if len(entries) < len(c.URLs) {
		t.Errorf("%d log entries for %d requests: every request is logged", len(entries), len(c.URLs))
	}
	for _, en := range entries {
		line := en.Message + " " + en.LoggerName + " " + en.Caller.String() + " " + en.Stack
		for _, f := range en.Context {
			switch f.Type {
			case zapcore.DurationType, zapcore.Int64Type, zapcore.Int32Type, zapcore.Float64Type, zapcore.TimeType:
				continue // numbers: a ZIP code could show in a duration's digits by chance
			}
			enc := zapcore.NewMapObjectEncoder()
			f.AddTo(enc)
			line += fmt.Sprintf(" %s=%v", f.Key, enc.Fields[f.Key])
		}
		if l := leaks(line, data); l != nil {
			t.Errorf("log line %q holds patient data %q", line, l)
		}
	}
	// The request log has the route, not the path or the query string,
	// and the signed-in user.
	var sawUser bool
	for _, en := range entries {
		m := en.ContextMap()
		if _, ok := m["path"]; ok {
			t.Errorf("a log line has the path: %v", m)
		}
		if p, _ := m["route"].(string); strings.Contains(p, "?") {
			t.Errorf("a log line has a query string: %v", m)
		}
		if m["user"] == managerUser {
			sawUser = true
		}
	}
	if !sawUser {
		t.Error("no log line names the signed-in user")
	}
}
