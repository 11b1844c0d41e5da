package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Jobs runs the pipeline's jobs by hand ("submit now", "collect now").
// The implementation decides what a job is (the demo's collect first
// lets its clearinghouse answer) and holds the job's lock.
type Jobs interface {
	Submit(ctx context.Context) (pipeline.SubmitReport, error)
	Collect(ctx context.Context) (pipeline.CollectReport, error)
}

// Config configures the web UI.
type Config struct {
	Pipeline *pipeline.Pipeline
	// Jobs runs submit and collect by hand; nil hides those actions.
	Jobs Jobs
	Log  *zap.Logger
	// Secure marks the session cookie Secure: set it when the server
	// (or a proxy in front of it) serves TLS.
	Secure bool
	// Idle is how long a session lasts without a request; it must match
	// the pipeline's (pipeline.Options.SessionIdle). Default 15 minutes.
	Idle time.Duration
	// LoginBurst and LoginEvery limit failed sign-in attempts per user
	// name: LoginBurst at once, then one per LoginEvery (defaults 5 and
	// one minute). A client address gets four times as many.
	LoginBurst int
	LoginEvery time.Duration
	// Now is the clock of the rate limiter (default time.Now).
	Now func() time.Time
}

// Server is the web UI's HTTP handler.
type Server struct {
	p        *pipeline.Pipeline
	jobs     Jobs
	log      *zap.Logger
	secure   bool
	idle     time.Duration
	now      func() time.Time
	pages    map[string]*template.Template
	attempts *attempts
	mux      *http.ServeMux
}

// New returns the web UI's handler.
func New(c Config) (*Server, error) {
	if c.Pipeline == nil {
		return nil, errors.New("web: no pipeline")
	}
	s := &Server{p: c.Pipeline, jobs: c.Jobs, log: c.Log, secure: c.Secure, idle: c.Idle, now: c.Now}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.idle <= 0 {
		s.idle = pipeline.DefaultSessionIdle
	}
	if s.now == nil {
		s.now = time.Now
	}
	burst, every := c.LoginBurst, c.LoginEvery
	if burst <= 0 {
		burst = 5
	}
	if every <= 0 {
		every = time.Minute
	}
	s.attempts = newAttempts(burst, every)
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// ServeHTTP serves the UI with its security headers and request log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	h := rec.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(rec, r)
	// The log has the route, not the path (which anyone can type
	// anything into), with its numeric IDs; no query string, no form.
	fields := []zap.Field{zap.String("method", r.Method), zap.String("route", r.Pattern),
		zap.Int("status", rec.status), zap.Duration("took", time.Since(start)), zap.String("user", rec.user)}
	for _, name := range []string{"id", "item"} {
		if id, err := strconv.ParseInt(r.PathValue(name), 10, 64); err == nil {
			fields = append(fields, zap.Int64(name, id))
		}
	}
	s.log.Info("request", fields...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	user   string
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// routes registers the pages: each names the permission it needs.
func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("GET /logout", s.logout)
	m.HandleFunc("POST /logout", s.logout)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/queue", http.StatusSeeOther) })

	page := func(pattern string, perm pipeline.Permission, h handler) {
		m.Handle(pattern, s.authed(perm, h))
	}
	page("GET /queue", pipeline.PermWork, s.queue)
	page("POST /queue/assign", pipeline.PermWork, s.assign)
	page("POST /queue/{item}/resolve", pipeline.PermWork, s.resolve)
	page("GET /claims/{id}", pipeline.PermWork, s.claim)
	page("GET /claims/{id}/correct", pipeline.PermWork, s.correctForm)
	page("POST /claims/{id}/correct", pipeline.PermWork, s.correct)
	page("POST /claims/{id}/resubmit", pipeline.PermWork, s.resubmit)
	page("POST /claims/{id}/void", pipeline.PermWork, s.void)
	page("POST /jobs/submit", pipeline.PermWork, s.submitNow)
	page("POST /jobs/collect", pipeline.PermWork, s.collectNow)
	page("GET /remits", pipeline.PermFinance, s.remits)
	page("GET /remits/{id}", pipeline.PermFinance, s.remit)
	page("POST /remits/{id}/apply", pipeline.PermFinance, s.applyPayment)
	page("GET /ar", pipeline.PermFinance, s.aging)
	page("GET /ar.csv", pipeline.PermFinance, s.agingCSV)
	page("GET /batches", pipeline.PermFinance, s.batches)
	page("POST /batches/{id}/retry", pipeline.PermFinance, s.retryBatch)
	page("POST /inbound/{id}/retry", pipeline.PermFinance, s.retryInbound)
	page("GET /audit", pipeline.PermAudit, s.audit)
	page("GET /users", pipeline.PermAdminUsers, s.users)
	page("POST /users", pipeline.PermAdminUsers, s.addUser)
	page("POST /users/{name}", pipeline.PermAdminUsers, s.changeUser)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.session(r); err != nil {
			s.toLogin(w, r)
			return
		}
		s.fail(w, r, nil, http.StatusNotFound, "There is no such page.")
	})
	s.mux = m
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}
