package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/x12claims/claims/adapters/web"
)

// wantSecurityHeaders checks the headers every response carries, and
// no-store on every HTML page.
func wantSecurityHeaders(t *testing.T, r *response) {
	t.Helper()
	what := r.Request.Method + " " + r.Request.URL.RequestURI()
	h := r.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
		"form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "*") {
		t.Errorf("%s: Content-Security-Policy %q allows too much", what, csp)
	}
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"X-Content-Type-Options": "nosniff"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s %q, want %q", what, k, got, want)
		}
	}
	// A page (HTML other than a redirect's note) and the CSV are not
	// kept by the browser or a proxy.
	ct := h.Get("Content-Type")
	if (strings.HasPrefix(ct, "text/html") && r.StatusCode/100 != 3) || strings.HasPrefix(ct, "text/csv") {
		if cc := h.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s (%d, %s): Cache-Control %q, want no-store", what, r.StatusCode, ct, cc)
		}
	}
}

// TestSecurityHeaders checks the headers on every page, signed in or
// not, and on error pages, redirects and static files.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn(adminUser)
	var pages int
	for _, p := range append(getRoutes(e), "/", "/nope", "/claims/abc", fmt.Sprintf("/claims/%d", e.Held.ID),
		fmt.Sprintf("/claims/%d/correct", e.Held.ID), "/static/app.css", "/static/app.js", "/static/icon.svg", "/static/nope.js",
		"/queue?source=bogus") {
		r := c.get(p)
		wantSecurityHeaders(t, r)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && r.StatusCode == http.StatusOK {
			pages++
		}
	}
	if pages < 10 {
		t.Errorf("only %d HTML pages checked", pages)
	}
	// Form answers: a refused token, a 422, a 409, a redirect.
	claim := fmt.Sprintf("/claims/%d", e.Rejected.ID)
	wantSecurityHeaders(t, c.post("/queue/assign", url.Values{"item": {"1"}}))
	c.get(claim + "/correct")
	wantSecurityHeaders(t, c.submit(claim+"/correct", url.Values{"base": {"1"}, "field:subscriber.birth_date": {"1976-13-40"}}))
	wantSecurityHeaders(t, c.submit(claim+"/correct", url.Values{"base": {"7"}, "field:subscriber.member_id": {"QX1"}}))
	wantSecurityHeaders(t, c.submit("/queue/assign", url.Values{"item": {fmt.Sprint(e.HeldItem.ID)}}))
	// Signed out: the sign-in page, its refusals and the redirects.
	o := newClient(t, e.Handler)
	for _, p := range []string{"/queue", "/login", "/login?idle=1", "/logout", "/static/app.css"} {
		wantSecurityHeaders(t, o.get(p))
	}
	wantSecurityHeaders(t, o.post("/login", url.Values{"username": {adminUser}}))
	wantSecurityHeaders(t, o.tryLogin(adminUser, "wrong password!"))
	// HSTS only over TLS.
	if h := c.get("/queue").Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("Strict-Transport-Security %q without Config.Secure", h)
	}
	s := newClientAt(t, e.server(func(c *web.Config) { c.Secure = true }), "https://claims.test")
	if h := s.get("/login").Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("Strict-Transport-Security %q with Config.Secure", h)
	}
}

// TestCookieFlags: the session cookie (and the others) are HttpOnly and
// SameSite=Strict, and Secure exactly when Config.Secure.
func TestCookieFlags(t *testing.T) {
	e := newEnv(t)
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("secure=%v", secure), func(t *testing.T) {
			base := "http://claims.test"
			if secure {
				base = "https://claims.test"
			}
			c := newClientAt(t, e.server(func(c *web.Config) { c.Secure = secure }), base)
			seen := map[string]bool{}
			check := func(r *response) {
				t.Helper()
				for _, ck := range r.Cookies() {
					seen[ck.Name] = true
					if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure != secure {
						t.Errorf("%s %s: cookie %s: HttpOnly %v, SameSite %v, Secure %v; want true, Strict, %v (%s)",
							r.Request.Method, r.Request.URL.Path, ck.Name, ck.HttpOnly, ck.SameSite, ck.Secure, secure, ck.Raw)
					}
				}
			}
			check(c.get("/login"))
			r := c.submit("/login", url.Values{"username": {billerUser}, "password": {password}})
			wantRedirect(t, r, "/queue")
			check(r)
			var session *http.Cookie
			for _, ck := range r.Cookies() {
				if ck.Name == "claims_session" {
					session = ck
				}
			}
			if session == nil || session.Value == "" || session.Path != "/" {
				t.Fatalf("no session cookie for the whole site: %v", r.Header["Set-Cookie"])
			}
			check(c.get("/queue"))
			r = c.submit("/queue/assign", url.Values{"item": {fmt.Sprint(e.HeldItem.ID)}, "assignee": {"me"}})
			check(r) // the flash
			check(c.follow(r))
			check(c.submit("/logout", nil))
			for _, name := range []string{"claims_login", "claims_session", "claims_flash"} {
				if !seen[name] {
					t.Errorf("cookie %s never set", name)
				}
			}
		})
	}
}
