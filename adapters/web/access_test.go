package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/web"
)

// TestRoles: each page needs its role's permission.
func TestRoles(t *testing.T) {
	e := newEnv(t)
	clients := map[string]*client{adminUser: e.signedIn(adminUser), managerUser: e.signedIn(managerUser), billerUser: e.signedIn(billerUser)}
	claim := fmt.Sprintf("/claims/%d", e.Rejected.ID)
	remit := fmt.Sprintf("/remits/%d", e.Remit)
	cases := []struct {
		path                   string
		biller, manager, admin int
	}{
		{"/queue", 200, 200, 200},
		{claim, 200, 200, 200},
		{claim + "/correct", 200, 200, 200},
		{"/remits", 403, 200, 200},
		{remit, 403, 200, 200},
		{"/ar", 403, 200, 200},
		{"/ar.csv", 403, 200, 200},
		{"/batches", 403, 200, 200},
		{"/audit", 403, 200, 200},
		{"/users", 403, 403, 200},
	}
	for _, tc := range cases {
		for user, want := range map[string]int{billerUser: tc.biller, managerUser: tc.manager, adminUser: tc.admin} {
			r := clients[user].get(tc.path)
			if r.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", user, tc.path, r.StatusCode, want)
			}
			if want == http.StatusForbidden && !strings.Contains(r.Body, "does not give access") {
				t.Errorf("%s GET %s: the 403 page does not say why:\n%.400s", user, tc.path, r.Body)
			}
		}
	}
	// A form of a role above one's own, with the right token: refused,
	// nothing changed.
	before := e.snapshot()
	b := clients[billerUser]
	b.get("/queue")
	for _, rt := range postRoutes(e) {
		if !strings.HasPrefix(rt.pattern, "/remits") && !strings.HasPrefix(rt.pattern, "/batches") &&
			!strings.HasPrefix(rt.pattern, "/inbound") && !strings.HasPrefix(rt.pattern, "/users") {
			continue
		}
		wantStatus(t, b.submit(rt.path, rt.form), http.StatusForbidden)
	}
	m := clients[managerUser]
	m.get("/queue")
	wantStatus(t, m.submit("/users", url.Values{"name": {"sneaky"}, "role": {"admin"}, "new_password": {"a-long-enough-password"}}), http.StatusForbidden)
	wantStatus(t, m.submit("/users/"+managerUser, url.Values{"role": {"admin"}}), http.StatusForbidden)
	if after := e.snapshot(); after != before {
		t.Errorf("refused forms changed something:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The navigation offers only what the role may open.
	for user, hidden := range map[string][]string{billerUser: {`href="/remits"`, `href="/audit"`, `href="/users"`}, managerUser: {`href="/users"`}} {
		page := clients[user].get("/queue").Body
		for _, h := range hidden {
			if strings.Contains(page, h) {
				t.Errorf("%s's queue page links to %s", user, h)
			}
		}
	}
	// A change of role or a disabled user counts at once, in the
	// sessions already open.
	a := clients[adminUser]
	a.get("/users")
	wantRedirect(t, a.submit("/users/"+managerUser, url.Values{"role": {"biller"}}), "/users")
	wantStatus(t, m.get("/audit"), http.StatusForbidden)
	wantStatus(t, m.get("/queue"), http.StatusOK)
	a.get("/users")
	wantRedirect(t, a.submit("/users/"+billerUser, url.Values{"role": {"biller"}, "disabled": {"yes"}}), "/users")
	wantRedirect(t, b.get("/queue"), "/login?next=%2Fqueue")
	if r := newClient(t, e.Handler).tryLogin(billerUser, password); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d", r.StatusCode)
	}
	// An admin cannot lock themselves out.
	a.get("/users")
	r := a.submit("/users/"+adminUser, url.Values{"role": {"biller"}})
	wantRedirect(t, r, "/users")
	if page := a.follow(r); !strings.Contains(page.Body, "flash bad") {
		t.Errorf("an admin demoting themselves is not refused:\n%.1500s", page.Body)
	}
	wantStatus(t, a.get("/users"), http.StatusOK)
}

// TestSessionIdle: a session ends after the idle limit without a
// request; each request starts the limit again.
func TestSessionIdle(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn(billerUser)
	// Each request within the limit keeps the session and extends it:
	// 3 × 14 minutes is well past 15 minutes after signing in.
	for i := range 3 {
		e.Clock.Advance(idle - time.Minute)
		if r := c.get("/queue"); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d, %v after the last one: %d to %q", i+1, idle-time.Minute, r.StatusCode, r.Header.Get("Location"))
		}
	}
	// Exactly the limit is still within it.
	e.Clock.Advance(idle)
	wantStatus(t, c.get("/queue"), http.StatusOK)
	// Past the limit: the session ended.
	e.Clock.Advance(idle + time.Second)
	r := c.get("/queue")
	wantRedirect(t, r, "/login?next=%2Fqueue")
	cleared := false
	for _, ck := range r.Cookies() {
		if ck.Name == "claims_session" && ck.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("the expired session's cookie was not cleared: %v", r.Header["Set-Cookie"])
	}
	// And it stays ended, even right away and for a POST.
	wantRedirect(t, c.get("/queue"), "/login?next=%2Fqueue")
	before := e.snapshot()
	wantRedirect(t, c.submit(fmt.Sprintf("/queue/%d/resolve", e.HeldItem.ID), url.Values{"note": {"late"}}), "/login")
	if after := e.snapshot(); after != before {
		t.Errorf("a POST of an expired session changed something:\n%s\n%s", before, after)
	}
	// The sign-in page says why when the page sent the browser there.
	if r := c.get("/login?idle=1"); !strings.Contains(r.Body, "without activity") {
		t.Errorf("the sign-in page after an idle sign-out does not say so:\n%.600s", r.Body)
	}
	// The page tells the browser to leave at the same time.
	c2 := e.signedIn(billerUser)
	if page := c2.get("/queue").Body; !strings.Contains(page, fmt.Sprintf(`content="%d;url=/login?idle=1"`, int(idle.Seconds()))) {
		t.Errorf("the page does not leave for the sign-in page after %v", idle)
	}
}

// getRoutes are the UI's GET pages with sample IDs.
func getRoutes(e *env) []string {
	return []string{
		"/queue",
		"/queue?source=277ca&payer=PAYER01",
		fmt.Sprintf("/claims/%d", e.Rejected.ID),
		fmt.Sprintf("/claims/%d/correct", e.Rejected.ID),
		"/claims/999999",
		"/remits",
		fmt.Sprintf("/remits/%d", e.Remit),
		"/ar",
		"/ar.csv",
		"/batches",
		"/audit",
		"/audit?user=" + adminUser,
		"/users",
	}
}

// TestNoSessionRedirectsToLogin: every page, and every unknown path,
// sends a browser without a session to the sign-in page, with the page
// asked for in next; a POST without a session does nothing.
func TestNoSessionRedirectsToLogin(t *testing.T) {
	e := newEnv(t)
	pages := append(getRoutes(e), "/no/such/page", "/claims/abc", "/claims/1/history", "/queue/", "/.env", "/users/ada")
	for _, p := range pages {
		for name, cookie := range map[string]string{"no cookie": "", "unknown session": "bm90LWEtc2Vzc2lvbg"} {
			c := newClient(t, e.Handler)
			if cookie != "" {
				u, _ := url.Parse(c.base)
				c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "claims_session", Value: cookie, Path: "/"}})
			}
			r := c.get(p)
			wantRedirect(t, r, "/login?next="+url.QueryEscape(p))
			// Signing in from there lands on the page asked for.
			if name == "no cookie" && !strings.Contains(p, "no/such") {
				login := c.follow(r)
				if login.StatusCode != http.StatusOK || hiddenNext(t, login) != p {
					t.Errorf("the sign-in page for %s does not keep it in next:\n%.800s", p, login.Body)
				}
			}
		}
	}
	// The root goes to the queue, which goes to the sign-in page.
	c := newClient(t, e.Handler)
	wantRedirect(t, c.get("/"), "/queue")
	// The sign-in page and the static files need no session.
	for _, p := range []string{"/login", "/static/app.css", "/static/app.js", "/static/icon.svg"} {
		wantStatus(t, c.get(p), http.StatusOK)
	}

	// POSTs without a session: to the sign-in page (no next: a POST
	// cannot be replayed by a redirect), nothing changed.
	before := e.snapshot()
	for _, rt := range postRoutes(e) {
		if rt.path == "" || rt.pattern == "/logout" {
			continue
		}
		for _, token := range []string{"", strings.Repeat("a", 64)} {
			f := url.Values{"csrf_token": {token}}
			for k, v := range rt.form {
				f[k] = v
			}
			wantRedirect(t, newClient(t, e.Handler).post(rt.path, f), "/login")
		}
	}
	wantRedirect(t, newClient(t, e.Handler).post("/logout", nil), "/login?signed_out=1")
	wantRedirect(t, newClient(t, e.Handler).post("/no/such/form", nil), "/login")
	if after := e.snapshot(); after != before {
		t.Errorf("POSTs without a session changed something:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestLoginRateLimit: LoginBurst attempts at once per user name and per
// client address, then one per LoginEvery.
func TestLoginRateLimit(t *testing.T) {
	const burst, every = 3, time.Minute
	e := newEnv(t)
	limited := func() http.Handler {
		return e.server(func(c *web.Config) { c.LoginBurst, c.LoginEvery = burst, every })
	}
	attempt := func(c *client, user, pass string) *response {
		t.Helper()
		return c.tryLogin(user, pass)
	}

	t.Run("per user name", func(t *testing.T) {
		h := limited()
		for i := range burst {
			// From a different address each time: only the name counts.
			c := newClient(t, h)
			c.Addr = fmt.Sprintf("198.51.100.%d:5000", i+1)
			wantStatus(t, attempt(c, billerUser, "wrong password!"), http.StatusUnauthorized)
		}
		c := newClient(t, h)
		c.Addr = "198.51.100.99:5000"
		r := attempt(c, billerUser, password)
		wantStatus(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Too many sign-in attempts") {
			t.Errorf("the 429 does not say when to try again: %v\n%.600s", r.Header, r.Body)
		}
		// The name in other letter case is the same name.
		wantStatus(t, attempt(c, strings.ToUpper(billerUser), password), http.StatusTooManyRequests)
		// Another user is not limited.
		wantRedirect(t, attempt(newClient(t, h), managerUser, password), "/queue")
		// It recovers after LoginEvery: one more attempt, then limited
		// again; a success gives its attempt back.
		e.Clock.Advance(every)
		wantRedirect(t, attempt(c, billerUser, password), "/queue")
		wantStatus(t, attempt(newClient(t, h), billerUser, "wrong password!"), http.StatusUnauthorized)
		wantStatus(t, attempt(newClient(t, h), billerUser, password), http.StatusTooManyRequests)
	})

	t.Run("successes do not count", func(t *testing.T) {
		h := limited()
		for range 4 * burst {
			wantRedirect(t, attempt(newClient(t, h), managerUser, password), "/queue")
		}
	})

	t.Run("per client address", func(t *testing.T) {
		h := limited()
		c := newClient(t, h)
		c.Addr = "203.0.113.7:1111"
		for i := range 4 * burst { // an address gets four times a name's attempts
			c.Addr = fmt.Sprintf("203.0.113.7:%d", 1111+i) // another port, the same address
			wantStatus(t, attempt(c, fmt.Sprintf("nobody%d", i), "wrong password!"), http.StatusUnauthorized)
		}
		wantStatus(t, attempt(c, "somebody-else", "wrong password!"), http.StatusTooManyRequests)
		// Even the right password of a real user.
		wantStatus(t, attempt(c, adminUser, password), http.StatusTooManyRequests)
		// Another address is not limited.
		o := newClient(t, h)
		o.Addr = "203.0.113.8:1111"
		wantRedirect(t, attempt(o, adminUser, password), "/queue")
		e.Clock.Advance(every / 4)
		wantRedirect(t, attempt(c, adminUser, password), "/queue")
	})

	t.Run("defaults", func(t *testing.T) {
		h := e.server(nil) // 5 at once, then one a minute
		c := newClient(t, h)
		for range 5 {
			wantStatus(t, attempt(c, "nobody", "wrong password!"), http.StatusUnauthorized)
		}
		wantStatus(t, attempt(c, "nobody", "wrong password!"), http.StatusTooManyRequests)
		e.Clock.Advance(time.Minute)
		wantStatus(t, attempt(c, "nobody", "wrong password!"), http.StatusUnauthorized)
	})
}

// TestLoginNextStaysOnSite: next sends the browser only to a page of
// this site.
func TestLoginNextStaysOnSite(t *testing.T) {
	e := newEnv(t)
	// Many sign-ins of one user: the rate limit is not under test.
	e.Handler = e.server(func(c *web.Config) { c.LoginBurst = 1000 })
	claim := fmt.Sprintf("/claims/%d", e.Rejected.ID)
	cases := []struct{ next, want string }{
		{"//evil.example", "/queue"},
		{"//evil.example/queue", "/queue"},
		{"https://evil.example", "/queue"},
		{"https://evil.example/queue", "/queue"},
		{"http:evil.example", "/queue"},
		{"/\\evil.example", "/queue"},
		{"\\\\evil.example", "/queue"},
		{"/\t/evil.example", "/queue"},
		{"/\n/evil.example", "/queue"},
		{"/\r\n/evil.example", "/queue"},
		{" //evil.example", "/queue"},
		{"javascript:alert(1)", "/queue"},
		{"evil.example", "/queue"},
		{"", "/queue"},
		{"/login", "/queue"},
		{"/logout", "/queue"},
		{claim, claim},
		{"/queue?source=277ca", "/queue?source=277ca"},
	}
	for _, tc := range cases {
		// Through the sign-in page's hidden field.
		c := newClient(t, e.Handler)
		page := c.get("/login?next=" + url.QueryEscape(tc.next))
		r := c.submit("/login", url.Values{"username": {adminUser}, "password": {password}, "next": {hiddenNext(t, page)}})
		wantRedirect(t, r, tc.want)
		// Posted as is, past the page.
		c = newClient(t, e.Handler)
		c.get("/login")
		r = c.submit("/login", url.Values{"username": {adminUser}, "password": {password}, "next": {tc.next}})
		wantRedirect(t, r, tc.want)
		// Already signed in: the sign-in page sends on at once.
		wantRedirect(t, c.get("/login?next="+url.QueryEscape(tc.next)), tc.want)
	}
	// The return of the queue's forms is checked the same way.
	c := e.signedIn(billerUser)
	for _, ret := range []string{"//evil.example", "https://evil.example", "/\t/evil.example"} {
		r := c.submit("/queue/assign", url.Values{"item": {fmt.Sprint(e.HeldItem.ID)}, "assignee": {"me"}, "return": {ret}})
		wantRedirect(t, r, "/queue")
	}
}

var nextHidden = regexp.MustCompile(`name="next" value="([^"]*)"`)

// hiddenNext is the next field of a sign-in page, as a browser posts it.
func hiddenNext(t *testing.T, r *response) string {
	t.Helper()
	m := nextHidden.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no next field on the sign-in page:\n%.600s", r.Body)
	}
	return html.UnescapeString(m[1])
}
