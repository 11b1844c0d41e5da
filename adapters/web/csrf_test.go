package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// postRoute is a POST route of the UI with a form it takes.
type postRoute struct {
	pattern string // as registered in routes()
	path    string
	form    url.Values
}

// postRoutes returns every POST route with a form that works on the
// env's fixture (or that the pipeline refuses with a message, which is
// also a redirect). Logout comes last: it ends the session.
func postRoutes(e *env) []postRoute {
	batch, file := e.batchAndFile()
	return []postRoute{
		{"/queue/assign", "/queue/assign", url.Values{"item": {fmt.Sprint(e.HeldItem.ID)}, "assignee": {"me"}, "return": {"/queue"}}},
		{"/queue/{item}/resolve", fmt.Sprintf("/queue/%d/resolve", e.HeldItem.ID), url.Values{"note": {"fixed by hand"}, "return": {"/queue"}}},
		{"/claims/{id}/correct", fmt.Sprintf("/claims/%d/correct", e.Rejected.ID),
			url.Values{"base": {"1"}, "field:subscriber.member_id": {"QX7781299"}, "note": {"member ID from the card"}}},
		{"/claims/{id}/resubmit", fmt.Sprintf("/claims/%d/resubmit", e.Paid.ID), url.Values{"note": {"payer asked"}}},
		{"/claims/{id}/void", fmt.Sprintf("/claims/%d/void", e.Paid.ID), url.Values{"note": {"duplicate"}, "confirm": {"yes"}}},
		{"/jobs/submit", "/jobs/submit", url.Values{"return": {"/queue"}}},
		{"/jobs/collect", "/jobs/collect", url.Values{"return": {"/queue"}}},
		{"/remits/{id}/apply", fmt.Sprintf("/remits/%d/apply", e.Remit), url.Values{"claim": {fmt.Sprint(e.Accepted.ID)}, "which": {"1"}}},
		{"/batches/{id}/retry", fmt.Sprintf("/batches/%d/retry", batch), nil},
		{"/inbound/{id}/retry", fmt.Sprintf("/inbound/%d/retry", file), nil},
		{"/users", "/users", url.Values{"name": {"newbie"}, "role": {"biller"}, "new_password": {"a-long-enough-password"}}},
		{"/users/{name}", "/users/" + billerUser, url.Values{"role": {"manager"}}},
		{"/login", "", nil}, // TestLoginPOSTNeedsLoginToken
		{"/logout", "/logout", nil},
	}
}

// registeredPOSTs reads the POST patterns that routes() registers.
func registeredPOSTs(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("server.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`"POST (/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1])
	}
	if len(out) < 10 {
		t.Fatalf("found only %d POST routes in server.go: %v", len(out), out)
	}
	sort.Strings(out)
	return out
}

func TestPostRoutesListed(t *testing.T) {
	e := newEnv(t)
	have := map[string]bool{}
	for _, r := range postRoutes(e) {
		have[r.pattern] = true
	}
	for _, p := range registeredPOSTs(t) {
		if !have[p] {
			t.Errorf("POST %s is registered in routes() but not in postRoutes: add it so its CSRF check is tested", p)
		}
	}
}

// TestPOSTNeedsCSRFToken posts every form of the UI without a token and
// with a wrong one (403, nothing changed), then with the right one
// (303, not to the sign-in page).
func TestPOSTNeedsCSRFToken(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn(adminUser)
	for _, rt := range postRoutes(e) {
		if rt.path == "" {
			continue
		}
		t.Run(rt.pattern, func(t *testing.T) {
			before := e.snapshot()
			for _, tok := range []struct {
				name  string
				token []string
			}{{"no token", nil}, {"empty token", []string{""}}, {"wrong token", []string{strings.Repeat("0", 64)}},
				{"altered token", []string{"x" + c.CSRF[1:]}}} {
				f := url.Values{}
				for k, v := range rt.form {
					f[k] = v
				}
				if tok.token != nil {
					f["csrf_token"] = tok.token
				}
				r := c.post(rt.path, f)
				if r.StatusCode != http.StatusForbidden {
					t.Errorf("%s: status %d, want 403 (Location %q)", tok.name, r.StatusCode, r.Header.Get("Location"))
				}
				if after := e.snapshot(); after != before {
					t.Fatalf("%s: the POST changed something:\nbefore:\n%s\nafter:\n%s", tok.name, before, after)
				}
			}
			// The token in a query string is not the form's either.
			r := c.post(rt.path+"?csrf_token="+url.QueryEscape(c.CSRF), rt.form)
			wantStatus(t, r, http.StatusForbidden)

			r = c.submit(rt.path, rt.form)
			wantStatus(t, r, http.StatusSeeOther)
			loc := r.Header.Get("Location")
			if rt.pattern == "/logout" {
				if loc != "/login?signed_out=1" {
					t.Errorf("logout went to %q", loc)
				}
			} else if strings.HasPrefix(loc, "/login") {
				t.Errorf("a POST with the right token went to %q", loc)
			}
			if rt.pattern != "/logout" {
				// The next page, for the flash and a fresh token.
				if next := c.follow(r); next.StatusCode != http.StatusOK {
					t.Errorf("after the POST, %s: %d", loc, next.StatusCode)
				}
			}
		})
	}
	// Some of the POSTs acted.
	if got := e.H.Claim(e.Rejected.ID); got.Version != 2 || got.Data.Subscriber.MemberID != "QX7781299" {
		t.Errorf("after the correction: claim version %d, member %q", got.Version, got.Data.Subscriber.MemberID)
	}
	us, _ := e.P.Users(t.Context())
	var names []string
	for _, u := range us {
		names = append(names, u.Name+":"+string(u.Role))
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "newbie:biller") || !strings.Contains(got, billerUser+":manager") {
		t.Errorf("users after the POSTs: %s", got)
	}
	if items, _ := e.P.Queue(t.Context(), pipeline.WorkFilter{Status: pipeline.WorkClosed, Source: pipeline.SourceScrubber}); len(items) != 1 ||
		items[0].Note != "fixed by hand" || items[0].Assignee != adminUser {
		t.Errorf("the held claim's item after assign and resolve: %+v", items)
	}
	// Signed out: the session is gone.
	wantRedirect(t, c.get("/queue"), "/login?next=%2Fqueue")
}

// TestLoginPOSTNeedsLoginToken: the sign-in form needs its
// double-submit cookie and the same token in the form.
func TestLoginPOSTNeedsLoginToken(t *testing.T) {
	e := newEnv(t)
	creds := url.Values{"username": {managerUser}, "password": {password}}
	with := func(token string) url.Values {
		f := url.Values{"csrf_token": {token}}
		for k, v := range creds {
			f[k] = v
		}
		return f
	}
	// No cookie: a token made up, or one from another browser's page.
	other := newClient(t, e.Handler)
	other.get("/login")
	for name, form := range map[string]url.Values{"no token": creds, "made-up token": with("abc"),
		"another browser's token": with(other.CSRF)} {
		c := newClient(t, e.Handler)
		wantStatus(t, c.post("/login", form), http.StatusForbidden)
		if c.get("/queue").StatusCode != http.StatusSeeOther {
			t.Errorf("%s: signed in without the login cookie", name)
		}
	}
	// With the cookie: no token, a wrong one.
	c := newClient(t, e.Handler)
	c.get("/login")
	for name, form := range map[string]url.Values{"no token": creds, "empty token": with(""), "wrong token": with(c.CSRF + "x")} {
		wantStatus(t, c.post("/login", form), http.StatusForbidden)
		if c.get("/queue").StatusCode != http.StatusSeeOther {
			t.Errorf("%s: signed in with a wrong token", name)
		}
	}
	// The right token signs in.
	c.get("/login")
	r := c.submit("/login", creds)
	wantRedirect(t, r, "/queue")
	wantStatus(t, c.get("/queue"), http.StatusOK)
	// No failed attempt was even counted: the refusals came first.
	es, err := e.P.AuditLog(t.Context(), pipeline.AuditFilter{Action: "login"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range es {
		if a.Action == "login.failed" {
			t.Errorf("a refused sign-in form was tried: %+v", a)
		}
	}
}
