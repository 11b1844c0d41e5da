package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

type errorData struct {
	Status  int
	Message string
}

// render writes a page. It renders into a buffer first, so that a
// template error is a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t := s.pages[page]
	if t == nil {
		s.log.Error("no template", zap.String("page", page))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.Error("render", zap.String("page", page), zap.Error(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// fail shows an error page with a message for a person.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *view, status int, msg string) {
	if v == nil {
		v = &view{}
	}
	v.Title = http.StatusText(status)
	v.Data = errorData{Status: status, Message: msg}
	s.render(w, r, status, "error", v)
}

// failErr maps a pipeline error to a page: not found, conflict, or a
// server error (logged, not shown).
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, v *view, err error) {
	switch {
	case errors.Is(err, pipeline.ErrNotFound):
		s.fail(w, r, v, http.StatusNotFound, "There is no such record.")
	case errors.Is(err, pipeline.ErrConflict):
		s.fail(w, r, v, http.StatusConflict, "Someone or something changed this meanwhile: "+err.Error())
	case errors.Is(err, pipeline.ErrInvalid):
		s.fail(w, r, v, http.StatusBadRequest, err.Error())
	default:
		s.log.Error("page", zap.String("path", r.URL.Path), zap.Error(err))
		s.fail(w, r, v, http.StatusInternalServerError, "Something went wrong on the server. It was logged; try again.")
	}
}

// back redirects after a POST, with a flash message.
func (s *Server) back(w http.ResponseWriter, r *http.Request, to, msg string, isErr bool) {
	if msg != "" {
		s.setFlash(w, msg, isErr)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// backErr redirects after a POST the pipeline refused, saying why; a
// server error is a 500 page instead.
func (s *Server) backErr(w http.ResponseWriter, r *http.Request, v *view, to, prefix string, err error) {
	var ref *pipeline.Refusal
	switch {
	case errors.Is(err, pipeline.ErrNotFound):
		s.fail(w, r, v, http.StatusNotFound, "There is no such record.")
	case errors.Is(err, pipeline.ErrInvalid), errors.Is(err, pipeline.ErrConflict), errors.Is(err, pipeline.ErrBusy),
		errors.As(err, &ref):
		s.back(w, r, to, prefix+err.Error(), true)
	default:
		s.failErr(w, r, v, err)
	}
}

// pathID reads the positive integer path value name, or shows that
// there is no such record (what) and reports false.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, v *view, name, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, v, http.StatusNotFound, "There is no such "+what+".")
		return 0, false
	}
	return id, true
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"money":    money,
		"negative": func(a x12.Amount) bool { return a < 0 },
		"date":     func(d x12.Date) string { return formatDate(d.Time(), d.IsZero()) },
		"iso":      func(d x12.Date) string { return d.String() },
		"time":     func(t time.Time) string { return formatTime(t) },
		"isotime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ptime": func(t *time.Time) string {
			if t == nil {
				return "—"
			}
			return formatTime(*t)
		},
		"stateClass": stateClass,
		"stateWord":  func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") },
		"has":        slices.Contains[[]string],
		"add":        func(a, b int) int { return a + b },
		"list":       func(v ...int) []int { return v },
		"buckets":    func() []string { return bucketLabels[:] },
		"actions":    pipeline.AuditActions,
		"plural":     plural,
		"source":     func(s pipeline.WorkSource) string { return pipeline.SourceLabel(s) },
		"headline":   pipeline.Headline,
		"daysCls":    daysClass,
		"abs": func(n int) int {
			if n < 0 {
				return -n
			}
			return n
		},
	}
}

// money formats an amount with thousands separators: "1,234.50",
// "-12.00".
func money(a x12.Amount) string {
	s := a.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		return "-" + out
	}
	return out
}

func formatDate(t time.Time, zero bool) string {
	if zero {
		return "—"
	}
	return t.Format("Jan 2, 2006")
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("Jan 2, 2006 15:04")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// stateClass is the CSS class of a state badge: good, bad, held or
// neutral. The badge always has the state in words too.
func stateClass(state any) string {
	switch fmt.Sprint(state) {
	case "accepted", "ack_accepted", "paid", "partially_paid", "posted", "processed", "uploaded", "closed", "applied":
		return "good"
	case "rejected", "ack_rejected", "denied", "reversed", "failed", "out_of_balance", "quarantined":
		return "bad"
	case "held", "unapplied":
		return "held"
	}
	return "neutral"
}

// daysClass colours the days left to the timely-filing limit.
func daysClass(days int) string {
	switch {
	case days < 0:
		return "bad"
	case days <= 14:
		return "held"
	}
	return "neutral"
}
