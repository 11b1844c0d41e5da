package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/x12claims/claims/pipeline"
)

// Cookie names.
const (
	sessionCookie = "claims_session"
	loginCookie   = "claims_login" // the sign-in form's double-submit CSRF token
	flashCookie   = "claims_flash"
)

// handler is a page handler for a signed-in user.
type handler func(w http.ResponseWriter, r *http.Request, v *view)

// view is what every page template gets: who is signed in, the CSRF
// token for its forms, the flash message, and the page's own Data.
type view struct {
	Title       string
	Nav         string
	User        string
	Role        pipeline.Role
	CSRF        string
	Flash       string
	FlashError  bool
	IdleSeconds int
	CanWork     bool
	CanFinance  bool
	CanAudit    bool
	CanAdmin    bool
	CanRunJobs  bool
	Data        any
}

// session returns the request's session, or pipeline.ErrNoSession.
func (s *Server) session(r *http.Request) (*pipeline.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, pipeline.ErrNoSession
	}
	return s.p.Session(r.Context(), c.Value)
}

// authed wraps a page: no session redirects to /login, a role without the
// permission is refused with 403, and a POST without the session's CSRF
// token is refused with 403.
func (s *Server) authed(perm pipeline.Permission, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			s.toLogin(w, r)
			return
		}
		sess, err := s.p.Session(r.Context(), c.Value)
		if errors.Is(err, pipeline.ErrNoSession) {
			s.clearCookie(w, sessionCookie)
			s.toLogin(w, r)
			return
		}
		if err != nil {
			s.log.Error("session", zap.Error(err))
			http.Error(w, "The session store is not available.", http.StatusInternalServerError)
			return
		}
		if rec, ok := w.(*statusRecorder); ok {
			rec.user = sess.User
		}
		v := &view{User: sess.User, Role: sess.Role, CSRF: csrfToken(c.Value), IdleSeconds: int(s.idle.Seconds()),
			CanWork: sess.Role.Can(pipeline.PermWork), CanFinance: sess.Role.Can(pipeline.PermFinance),
			CanAudit: sess.Role.Can(pipeline.PermAudit), CanAdmin: sess.Role.Can(pipeline.PermAdminUsers)}
		v.CanRunJobs = s.jobs != nil && v.CanWork
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf_token"), v.CSRF) {
			s.fail(w, r, v, http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
			return
		}
		if !sess.Role.Can(perm) {
			s.fail(w, r, v, http.StatusForbidden, "Your role ("+string(sess.Role)+") does not give access to this page.")
			return
		}
		v.Flash, v.FlashError = s.takeFlash(w, r)
		h(w, r, v)
	})
}

// csrfToken derives a session's CSRF token from its session token: the
// store keeps neither.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("csrf:" + session))
	return hex.EncodeToString(sum[:])
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// toLogin redirects to the sign-in page, keeping the page asked for.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath keeps next only when it is a path on this site. Control
// characters are refused: browsers drop tabs and newlines from a
// Location, so "/\t/evil.example" would go to //evil.example.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < ' ' || r == 0x7f }) ||
		strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/logout") {
		return "/queue"
	}
	return next
}

type loginData struct {
	Next    string
	Notice  string
	Error   string
	Name    string
	LoginID string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.session(r); err == nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	d := loginData{Next: localPath(r.URL.Query().Get("next"))}
	if r.URL.Query().Has("signed_out") {
		d.Notice = "You are signed out."
	}
	if r.URL.Query().Has("idle") {
		d.Notice = "You were signed out after " + s.idle.String() + " without activity."
	}
	s.renderLogin(w, r, http.StatusOK, d)
}

// renderLogin shows the sign-in form with a fresh double-submit token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	tok, err := randomToken()
	if err != nil {
		http.Error(w, "no randomness", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	d.LoginID = tok
	s.render(w, r, status, "login", &view{Title: "Sign in", Data: d})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf_token"), c.Value) {
		s.render(w, r, http.StatusForbidden, "error", &view{Title: "Forbidden", Data: errorData{Status: http.StatusForbidden,
			Message: "This sign-in form has expired or did not come from this site. Reload the sign-in page and try again."}})
		return
	}
	name, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	d := loginData{Next: localPath(r.PostFormValue("next")), Name: name}
	now := s.now()
	giveBack, ok := s.attempts.take(name, clientAddr(r), now)
	if !ok {
		d.Error = "Too many sign-in attempts. Wait a minute and try again."
		w.Header().Set("Retry-After", "60")
		s.renderLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	token, sess, err := s.p.Login(r.Context(), name, password)
	if err == nil {
		giveBack()
	}
	if errors.Is(err, pipeline.ErrBadLogin) {
		d.Error = "The user name or password is not right."
		s.renderLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	if err != nil {
		s.log.Error("login", zap.Error(err))
		d.Error = "Signing in failed on the server; try again."
		s.renderLogin(w, r, http.StatusInternalServerError, d)
		return
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.user = sess.User
	}
	s.clearCookie(w, loginCookie)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// logout ends the session. GET works too, so that /logout can be
// bookmarked: the SameSite=Strict cookie is not sent from other sites.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf_token"), csrfToken(c.Value)) {
			s.fail(w, r, nil, http.StatusForbidden, "This form has expired or did not come from this site.")
			return
		}
		if err := s.p.Logout(r.Context(), c.Value); err != nil {
			s.log.Error("logout", zap.Error(err))
		}
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	path := "/"
	if name == loginCookie {
		path = "/login"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode})
}

// setFlash leaves a message (never patient data) for the next page.
func (s *Server) setFlash(w http.ResponseWriter, msg string, isErr bool) {
	kind := "ok:"
	if isErr {
		kind = "err:"
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(kind + msg)),
		Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: 60})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) (string, bool) {
	c, err := r.Cookie(flashCookie)
	if err != nil || r.Method != http.MethodGet {
		return "", false
	}
	s.clearCookie(w, flashCookie)
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return "", false
	}
	msg, isErr := strings.CutPrefix(string(b), "err:")
	if !isErr {
		msg = strings.TrimPrefix(msg, "ok:")
	}
	return msg, isErr
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter limits sign-in attempts per key: a token bucket each.
type limiter struct {
	mu      sync.Mutex
	burst   int
	every   time.Duration
	buckets map[string]*rate.Limiter
}

// maxBuckets bounds the limiter's memory: past it, the buckets that are
// full again are dropped (and all of them, should none be).
const maxBuckets = 10000

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: burst, every: every, buckets: map[string]*rate.Limiter{}}
}

// take reserves an attempt for key, or reports false (reserving
// nothing) when the key has none left.
func (l *limiter) take(key string, now time.Time) (*rate.Reservation, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() || r.DelayFrom(now) > 0 {
		r.CancelAt(now)
		return nil, false
	}
	return r, true
}

func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		l.buckets = map[string]*rate.Limiter{}
	}
}

// attempts limits sign-in attempts per user name and per client address.
// A sign-in that succeeds gives its attempts back, so only failures add
// up; an address gets addrFactor times a name's attempts, for offices
// behind one address.
type attempts struct {
	byName, byAddr *limiter
}

const addrFactor = 4

func newAttempts(burst int, every time.Duration) *attempts {
	return &attempts{byName: newLimiter(burst, every), byAddr: newLimiter(addrFactor*burst, every/addrFactor)}
}

// take reserves an attempt for the name and the address, or reports
// false when either has none left. give returns both, after a success.
func (a *attempts) take(name, addr string, now time.Time) (give func(), ok bool) {
	rn, ok := a.byName.take(strings.ToLower(name), now)
	if !ok {
		return nil, false
	}
	ra, ok := a.byAddr.take(addr, now)
	if !ok {
		rn.CancelAt(now)
		return nil, false
	}
	return func() { rn.CancelAt(now); ra.CancelAt(now) }, true
}
