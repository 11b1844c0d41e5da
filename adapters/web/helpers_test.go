package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"iter"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/crypto/bcrypt"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/adapters/web"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// The test users, one of each role, all with the same password.
const (
	adminUser   = "ada"
	managerUser = "max"
	billerUser  = "bea"
	password    = "correct-horse-battery"
	// idle is the session idle limit of the pipeline and the server.
	idle = 15 * time.Minute
)

// clock is the injected clock of the pipeline and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// patient is the made-up patient of a fixture claim: every value is
// patient data that must never be in a URL or a log line.
type patient struct {
	Last, First, Member string
	Birth               x12.Date
	Line1, City, ZIP    string
}

// env is a real pipeline on a SQLite store with claims in the work
// queue, users of each role, and the web UI over it.
type env struct {
	t     testing.TB
	H     *pipelinetest.Harness
	P     *pipeline.Pipeline
	Clock *clock
	Logs  *observer.ObservedLogs
	Log   *zap.Logger
	// The fixture claims: held by the scrubber, rejected by the 277CA
	// (A7:164:IL), paid with a patient share, accepted and waiting.
	Held, Rejected, Paid, Accepted *pipeline.Claim
	// HeldItem and RejectedItem are their open work items.
	HeldItem, RejectedItem *pipeline.WorkItem
	// Remit is the remittance with an unapplied payment.
	Remit int64
	// Patients are the fixture claims' patients.
	Patients []patient
	// Handler is the web UI with the default test configuration.
	Handler *web.Server
}

// The fixture claims' patients, by encounter ID.
var fixturePatients = map[string]patient{
	"E-REJ":  {"QUINTANILLA", "ROSALIND", "QX7781234", x12.Date{Year: 1976, Month: 4, Day: 23}, "4417 Juniper Hollow Rd", "Marblehead", "01945"},
	"E-PAID": {"VANTERPOOL", "OSWALDO", "VZ5510987", x12.Date{Year: 1958, Month: 9, Day: 17}, "88 Kestrel Bluff Ln", "Wapakoneta", "45895"},
	"E-ACC":  {"HALVORSEN", "BIRGITTA", "HB3346120", x12.Date{Year: 1991, Month: 12, Day: 5}, "2 Saltmarsh Crescent", "Ogunquit", "03907"},
	"E-HELD": {"MBEKI-ARCHER", "THADDEUS", "MT9024417", x12.Date{Year: 1964, Month: 2, Day: 29}, "730 Larkspur Terrace", "Kalispell", "59901"},
}

// encounter is pipelinetest.Encounter with the fixture patient of id.
func encounter(id string, charges ...string) *pipeline.Encounter {
	e := pipelinetest.Encounter(id, charges...)
	pt := fixturePatients[id]
	s := &e.Claim.Subscriber
	s.LastName, s.FirstName, s.BirthDate, s.MemberID = pt.Last, pt.First, pt.Birth, pt.Member
	s.Address.Line1, s.Address.City, s.Address.ZIP = pt.Line1, pt.City, pt.ZIP
	return e
}

type encounters []*pipeline.Encounter

func (es encounters) Encounters(context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// harnessJobs runs submit and collect on the harness's in-memory
// clearinghouse.
type harnessJobs struct{ p *pipeline.Pipeline }

func (j harnessJobs) Submit(ctx context.Context) (pipeline.SubmitReport, error) {
	return j.p.Submit(ctx)
}
func (j harnessJobs) Collect(ctx context.Context) (pipeline.CollectReport, error) {
	return j.p.Collect(ctx)
}

// newHarness returns a harness over a fresh SQLite store, with the
// clock c, a 15 minute session idle limit and cheap password hashes.
func newHarness(t testing.TB, c *clock) *pipelinetest.Harness {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return pipelinetest.NewHarnessWith(t, store, func(o *pipeline.Options) {
		o.Now, o.SessionIdle, o.PasswordCost = c.Now, idle, bcrypt.MinCost
	})
}

// newEnv builds the fixture: four claims through intake, submit and
// the clearinghouse's answers (999, 277CA, 835), an 835 with a payment
// for no known claim, and the users.
func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	h := newHarness(t, c)
	e := &env{t: t, H: h, P: h.P, Clock: c}

	cs := h.Submit(encounter("E-REJ", "100.00", "20.50"), encounter("E-PAID", "1234.56"), encounter("E-ACC", "2500.00"))
	e.Rejected, e.Paid, e.Accepted = cs["E-REJ"], cs["E-PAID"], cs["E-ACC"]
	h.Deliver("b1.999", h.File999(e.Rejected, "A"))
	h.Deliver("b1.277", h.File277([]*pipeline.Claim{e.Rejected, e.Paid, e.Accepted}, map[int64]bool{e.Rejected.ID: true}))
	paid := pipelinetest.CLP(e.Paid, "1", pipelinetest.Line{Paid: "1000.00", Adj: []x835.Adjustment{
		pipelinetest.Adj("CO", "45", "200.00"), pipelinetest.Adj("PR", "1", "34.56")}})
	stranger := &x835.Claim{PatientControlNumber: "C99999-1", Status: "1", Charge: x12.MustAmount("300.00"),
		Paid: x12.MustAmount("250.00"), FilingIndicator: "CI", PayerClaimNumber: "ICN-STRANGER",
		Adjustments: []x835.Adjustment{pipelinetest.Adj("CO", "45", "50.00")}}
	pay := x12.Date{Year: 2026, Month: 11, Day: 19}
	h.Deliver("r1.835", h.File835(pipelinetest.Remit("T1001", pay, []*x835.Claim{paid}),
		pipelinetest.Remit("T1002", pay, []*x835.Claim{stranger})))

	held := encounter("E-HELD", "75.00")
	held.Claim.BillingProvider.NPI = "1234567890" // fails the NPI check digit
	in, err := h.P.Intake(ctx, encounters{held})
	if err != nil || in.Held != 1 {
		t.Fatalf("intake of the held encounter: %+v, %v", in, err)
	}
	e.Held = h.ClaimOf("E-HELD")
	e.Rejected, e.Paid, e.Accepted = h.Claim(e.Rejected.ID), h.Claim(e.Paid.ID), h.Claim(e.Accepted.ID)
	for _, want := range []struct {
		c  *pipeline.Claim
		st pipeline.ClaimState
	}{{e.Held, pipeline.StateHeld}, {e.Rejected, pipeline.StateRejected}, {e.Paid, pipeline.StatePartiallyPaid},
		{e.Accepted, pipeline.StateAccepted}} {
		if want.c.State != want.st && !(want.st == pipeline.StatePartiallyPaid && want.c.State == pipeline.StatePaid) {
			t.Fatalf("fixture claim %d (%s) is %s, want %s", want.c.ID, want.c.EncounterID, want.c.State, want.st)
		}
	}
	if items := h.Work(pipeline.SourceScrubber); len(items) != 1 {
		t.Fatalf("scrubber items: %+v", items)
	} else {
		e.HeldItem = items[0]
	}
	if items := h.Work(pipeline.Source277CA); len(items) != 1 {
		t.Fatalf("277CA items: %+v", items)
	} else {
		e.RejectedItem = items[0]
	}
	rs, err := h.P.Remittances(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.UnappliedCount > 0 {
			e.Remit = r.ID
		}
	}
	if e.Remit == 0 {
		t.Fatalf("no remittance with an unapplied payment: %+v", rs)
	}
	for _, id := range []string{"E-REJ", "E-PAID", "E-ACC", "E-HELD"} {
		e.Patients = append(e.Patients, fixturePatients[id])
	}

	for _, u := range []struct {
		name string
		role pipeline.Role
	}{{adminUser, pipeline.RoleAdmin}, {managerUser, pipeline.RoleManager}, {billerUser, pipeline.RoleBiller}} {
		if err := h.P.AddUser(ctx, u.name, u.role, password, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	core, logs := observer.New(zapcore.DebugLevel)
	e.Logs, e.Log = logs, zap.New(core)
	e.Handler = e.server(nil)
	return e
}

// server returns a new web UI over the env's pipeline (with its own
// rate limiter), its configuration changed by edit (nil: none).
func (e *env) server(edit func(*web.Config)) *web.Server {
	e.t.Helper()
	cfg := web.Config{Pipeline: e.P, Jobs: harnessJobs{e.P}, Log: e.Log, Idle: idle, Now: e.Clock.Now}
	if edit != nil {
		edit(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// batchAndFile returns the ID of a batch and of a response file.
func (e *env) batchAndFile() (batch, file int64) {
	e.t.Helper()
	ctx := context.Background()
	bs, err := e.P.Batches(ctx, 0)
	if err != nil || len(bs) == 0 {
		e.t.Fatalf("batches: %v, %v", bs, err)
	}
	fs, err := e.P.RecentInbound(ctx, 10)
	if err != nil || len(fs) == 0 {
		e.t.Fatalf("inbound files: %v, %v", fs, err)
	}
	return bs[0].ID, fs[0].ID
}

// snapshot describes what the UI's forms can change: the claims, the
// work items, the users, the audit trail, the batches and the files.
func (e *env) snapshot() string {
	e.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, id := range []int64{e.Held.ID, e.Rejected.ID, e.Paid.ID, e.Accepted.ID} {
		c := e.H.Claim(id)
		fmt.Fprintf(&b, "claim %d v%d %s %s\n", c.ID, c.Version, c.State, c.Data.Subscriber.MemberID)
	}
	for _, st := range []pipeline.WorkStatus{pipeline.WorkOpen, pipeline.WorkClosed} {
		items, err := e.P.Queue(ctx, pipeline.WorkFilter{Status: st})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, it := range items {
			fmt.Fprintf(&b, "item %d %s %s %q %q\n", it.ID, it.Status, it.Source, it.Assignee, it.Note)
		}
	}
	us, err := e.P.Users(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range us {
		fmt.Fprintf(&b, "user %s %s %v\n", u.Name, u.Role, u.Disabled)
	}
	es, err := e.P.AuditLog(ctx, pipeline.AuditFilter{Limit: 10000})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range es {
		switch a.Action {
		case "login", "logout", "login.failed", "logout.idle", "claim.view":
			continue // signing in and out, and looking, change nothing
		}
		fmt.Fprintf(&b, "audit %s %s %d %s\n", a.Actor, a.Action, a.ClaimID, a.Object)
	}
	bs, err := e.P.Batches(ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, x := range bs {
		fmt.Fprintf(&b, "batch %d %s\n", x.ID, x.State)
	}
	fs, err := e.P.RecentInbound(ctx, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range fs {
		fmt.Fprintf(&b, "file %d %s\n", f.ID, f.State)
	}
	return b.String()
}

// openItems returns the IDs of the open work items, sorted.
func (e *env) openItems() []int64 {
	e.t.Helper()
	items, err := e.P.Queue(context.Background(), pipeline.WorkFilter{Status: pipeline.WorkOpen})
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// client is a browser: it keeps cookies, does not follow redirects,
// remembers the CSRF token of the last page, and records every URL it
// asked for and every Location it got.
type client struct {
	t    testing.TB
	h    http.Handler
	base string
	// Addr is the client's address (the request's RemoteAddr).
	Addr string
	hc   *http.Client
	// CSRF is the csrf_token of the last page that had one.
	CSRF string
	// URLs and Locations are every request URL and Location header.
	URLs, Locations []string
	// last is the last response the handler gave.
	last *http.Response
}

// clients numbers the clients: each has its own address, so that the
// sign-in rate limit per address counts one client's attempts only.
var clients atomic.Int64

// newClient returns a client of h at http://claims.test.
func newClient(t testing.TB, h http.Handler) *client {
	return newClientAt(t, h, "http://claims.test")
}

// newClientAt returns a client of h at base (https:// sends Secure
// cookies).
func newClientAt(t testing.TB, h http.Handler, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	n := clients.Add(1)
	c := &client{t: t, h: h, base: base, Addr: fmt.Sprintf("10.%d.%d.%d:40000", n>>16&255, n>>8&255, n&255)}
	c.hc = &http.Client{Jar: jar, Transport: handlerTransport{c},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// handlerTransport serves a client's requests with its handler, in
// process, as the server would receive them.
type handlerTransport struct{ c *client }

func (tr handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	sr := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host = "", ""
	sr.URL = &u
	sr.Host = r.URL.Host
	sr.RequestURI = u.RequestURI()
	sr.RemoteAddr = tr.c.Addr
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	tr.c.h.ServeHTTP(rec, sr)
	res := rec.Result()
	res.Request = r
	tr.c.last = res
	tr.c.URLs = append(tr.c.URLs, r.URL.String())
	if loc := res.Header.Get("Location"); loc != "" {
		tr.c.Locations = append(tr.c.Locations, loc)
	}
	return res, nil
}

// response is an HTTP response with its body read.
type response struct {
	*http.Response
	Body string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	c.last = nil
	res, err := c.hc.Do(req)
	if err != nil && c.last != nil && c.last.StatusCode/100 == 3 {
		// A Location the client cannot parse (a browser may): the test
		// looks at it.
		res, err = c.last, nil
	}
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &response{Response: res, Body: string(b)}
	if m := csrfField.FindStringSubmatch(r.Body); m != nil {
		c.CSRF = html.UnescapeString(m[1])
	}
	return r
}

// get asks for a path ("/queue?source=277ca").
func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post posts a form as is (add csrf_token to it, or use submit).
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// submit posts a form with the CSRF token of the last page.
func (c *client) submit(path string, form url.Values) *response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", c.CSRF)
	return c.post(path, f)
}

// follow gets the Location of a redirect.
func (c *client) follow(r *response) *response {
	c.t.Helper()
	loc := r.Header.Get("Location")
	if loc == "" {
		c.t.Fatalf("%s %s: %d without a Location", r.Request.Method, r.Request.URL, r.StatusCode)
	}
	return c.get(loc)
}

// tryLogin gets the sign-in page (for its token and cookie) and posts
// the sign-in form.
func (c *client) tryLogin(user, pass string) *response {
	c.t.Helper()
	if r := c.get("/login"); r.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /login: %d", r.StatusCode)
	}
	return c.submit("/login", url.Values{"username": {user}, "password": {pass}})
}

// login signs in and fails the test unless it worked.
func (c *client) login(user string) {
	c.t.Helper()
	r := c.tryLogin(user, password)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/queue" {
		c.t.Fatalf("sign in as %s: %d to %q\n%s", user, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	// A page of the session, for its CSRF token.
	if r := c.get("/queue"); r.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /queue after signing in as %s: %d", user, r.StatusCode)
	}
}

// signedIn returns a client of the env's server, signed in as user.
func (e *env) signedIn(user string) *client {
	e.t.Helper()
	c := newClient(e.t, e.Handler)
	c.login(user)
	return c
}

// wantStatus checks a response's status.
func wantStatus(t testing.TB, r *response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Errorf("%s %s: status %d, want %d; Location %q\n%.600s", r.Request.Method, r.Request.URL.RequestURI(), r.StatusCode, want,
			r.Header.Get("Location"), r.Body)
	}
}

// wantRedirect checks a 303 and its Location.
func wantRedirect(t testing.TB, r *response, location string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != location {
		t.Errorf("%s %s: %d to %q, want 303 to %q\n%.600s", r.Request.Method, r.Request.URL.RequestURI(), r.StatusCode,
			r.Header.Get("Location"), location, r.Body)
	}
}
