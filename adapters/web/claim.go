package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

type claimData struct {
	Claim    *pipeline.ClaimDetail
	Form     *pipeline.CorrectionForm
	Segments []pipeline.SegmentBlock
	Open     []*pipeline.WorkItem
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "claim")
	if !ok {
		return
	}
	d, form, ok := s.claimAndForm(w, r, v, id)
	if !ok {
		return
	}
	segs, err := s.p.ClaimSegments(r.Context(), id)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	cd := claimData{Claim: d, Form: form, Segments: segs}
	for _, it := range d.WorkItems {
		if it.Status == pipeline.WorkOpen {
			cd.Open = append(cd.Open, it)
		}
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("Claim %d", id), "queue", cd
	s.render(w, r, http.StatusOK, "claim", v)
}

// claimAndForm reads a claim for the person signed in (which audits the
// view) and its correction form, or shows why it cannot.
func (s *Server) claimAndForm(w http.ResponseWriter, r *http.Request, v *view, id int64) (*pipeline.ClaimDetail, *pipeline.CorrectionForm, bool) {
	d, err := s.p.ViewClaim(r.Context(), id, v.User)
	if err != nil {
		s.failErr(w, r, v, err)
		return nil, nil, false
	}
	form, err := s.p.CorrectionForm(r.Context(), id)
	if err != nil {
		s.failErr(w, r, v, err)
		return nil, nil, false
	}
	return d, form, true
}

// correctData is the correction form with what was submitted and what
// the pipeline said about it.
type correctData struct {
	Claim  *pipeline.ClaimDetail
	Form   *pipeline.CorrectionForm
	Groups []fieldGroup
	Note   string
	// Problems are those of no field on the form; Error is a refusal.
	Problems []pipeline.Reason
	Error    string
}

type fieldGroup struct {
	Name   string
	Fields []formField
}

type formField struct {
	pipeline.FormField
	ID       string // the input's HTML id
	Problems []pipeline.Reason
}

func (s *Server) correctForm(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "claim")
	if !ok {
		return
	}
	s.showCorrect(w, r, v, id, http.StatusOK, nil, nil, "", "")
}

// showCorrect renders the correction form, with submitted values and
// problems when a save was refused.
func (s *Server) showCorrect(w http.ResponseWriter, r *http.Request, v *view, id int64, status int,
	values map[string]string, problems []pipeline.Reason, note, refusal string) {
	d, form, ok := s.claimAndForm(w, r, v, id)
	if !ok {
		return
	}
	cd := correctData{Claim: d, Form: form, Note: note, Error: refusal}
	if problems == nil {
		// Before a save, mark the fields the open work items point at.
		for _, it := range d.WorkItems {
			if it.Status != pipeline.WorkOpen {
				continue
			}
			for i, r := range it.Reasons {
				if r.Field == "" {
					continue
				}
				if i == 0 {
					r.Text = pipeline.Headline(it)
				}
				problems = append(problems, r)
			}
		}
	}
	placed := map[int]bool{}
	for i, f := range form.Fields {
		ff := formField{FormField: f, ID: "f" + strconv.Itoa(i)}
		if val, ok := values[f.Path]; ok {
			ff.Value = val
		}
		for j, p := range problems {
			if p.Field == f.Path || strings.HasPrefix(p.Field, f.Path+"[") {
				ff.Problems = append(ff.Problems, p)
				placed[j] = true
			}
		}
		if n := len(cd.Groups); n == 0 || cd.Groups[n-1].Name != f.Group {
			cd.Groups = append(cd.Groups, fieldGroup{Name: f.Group})
		}
		g := &cd.Groups[len(cd.Groups)-1]
		g.Fields = append(g.Fields, ff)
	}
	for j, p := range problems {
		if !placed[j] {
			cd.Problems = append(cd.Problems, p)
		}
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("Correct claim %d", id), "queue", cd
	s.render(w, r, status, "correct", v)
}

// correct saves a correction: the pipeline scrubs it and, when clean,
// queues the new version; otherwise the form comes back with each
// problem beside its field.
func (s *Server) correct(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "claim")
	if !ok {
		return
	}
	form, err := s.p.CorrectionForm(r.Context(), id)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	base, err := strconv.Atoi(r.PostFormValue("base"))
	if err != nil || base <= 0 {
		s.fail(w, r, v, http.StatusBadRequest, "The form has no version; reload it.")
		return
	}
	values := map[string]string{}
	for _, f := range form.Fields {
		if vals, ok := r.PostForm["field:"+f.Path]; ok && len(vals) > 0 {
			values[f.Path] = vals[0]
		}
	}
	// The form said what the fields were at version base; compare
	// against that version's values, not a later one.
	if base != form.Version {
		s.showCorrect(w, r, v, id, http.StatusConflict, values, nil, r.PostFormValue("note"),
			fmt.Sprintf("Someone saved version %d of this claim while you were editing version %d. Your values are below; check them against the new version and save again.", form.Version, base))
		return
	}
	note := r.PostFormValue("note")
	sets, err := form.Changes(values)
	var rev *pipeline.Revision
	if err == nil {
		rev, err = s.p.Correct(r.Context(), pipeline.CorrectRequest{ClaimID: id, Base: base, Sets: sets, Actor: v.User, Note: note})
	}
	var se *pipeline.ScrubError
	var fe *pipeline.FieldError
	var ref *pipeline.Refusal
	switch {
	case err == nil:
		s.back(w, r, fmt.Sprintf("/claims/%d", id), revisionDone(rev, "corrected"), false)
	case errors.As(err, &se):
		s.showCorrect(w, r, v, id, http.StatusUnprocessableEntity, values, se.Problems, note,
			"Nothing was saved: the corrected claim does not pass the scrubber. Fix the fields marked below.")
	case errors.As(err, &fe):
		s.showCorrect(w, r, v, id, http.StatusUnprocessableEntity, values,
			[]pipeline.Reason{{Field: fe.Path, Text: fe.Err.Error()}}, note, "Nothing was saved: a value is not valid.")
	case errors.As(err, &ref), errors.Is(err, pipeline.ErrConflict), errors.Is(err, pipeline.ErrInvalid):
		s.showCorrect(w, r, v, id, http.StatusConflict, values, nil, note, "Nothing was saved: "+err.Error())
	default:
		s.failErr(w, r, v, err)
	}
}

func (s *Server) resubmit(w http.ResponseWriter, r *http.Request, v *view) {
	s.sameContent(w, r, v, "resubmitted", s.p.Resubmit)
}

func (s *Server) void(w http.ResponseWriter, r *http.Request, v *view) {
	if r.PostFormValue("confirm") != "yes" {
		s.back(w, r, "/claims/"+r.PathValue("id"), "Tick the box to confirm the void.", true)
		return
	}
	s.sameContent(w, r, v, "voided", s.p.Void)
}

func (s *Server) sameContent(w http.ResponseWriter, r *http.Request, v *view, done string,
	op func(ctx context.Context, id int64, actor, note string) (*pipeline.Revision, error)) {
	id, ok := s.pathID(w, r, v, "id", "claim")
	if !ok {
		return
	}
	to := fmt.Sprintf("/claims/%d", id)
	rev, err := op(r.Context(), id, v.User, r.PostFormValue("note"))
	if err != nil {
		s.backErr(w, r, v, to, "Nothing was changed: ", err)
		return
	}
	s.back(w, r, to, revisionDone(rev, done), false)
}

// revisionDone says what a new version became.
func revisionDone(rev *pipeline.Revision, done string) string {
	if rev.State == pipeline.StateHeld {
		return fmt.Sprintf("Claim %d %s: version %d is held; see its work item.", rev.ClaimID, done, rev.Version)
	}
	return fmt.Sprintf("Claim %d %s: version %d goes out as %s (frequency %s) at the next submit.",
		rev.ClaimID, done, rev.Version, rev.PCN, rev.Frequency)
}

// submitNow runs the submit job.
func (s *Server) submitNow(w http.ResponseWriter, r *http.Request, v *view) {
	ret := localPath(r.PostFormValue("return"))
	if s.jobs == nil {
		s.back(w, r, ret, "Jobs are run by the daemon on this server.", true)
		return
	}
	if err := s.p.Audit(r.Context(), v.User, "job.submit", "", ""); err != nil {
		s.failErr(w, r, v, err)
		return
	}
	rep, err := s.jobs.Submit(r.Context())
	if errors.Is(err, pipeline.ErrBusy) {
		s.back(w, r, ret, "A submit is already running; try again when it is done.", true)
		return
	}
	msg := fmt.Sprintf("Submit done: %s sent in %s.", plural(rep.Upload.ClaimsSent, "claim"), plural(rep.Upload.Uploaded, "file"))
	if rep.Build.Held > 0 {
		msg += fmt.Sprintf(" %s held by the scrubber.", plural(rep.Build.Held, "claim"))
	}
	if err != nil {
		s.log.Warn("submit now", zap.Error(err))
		msg += " Some of it failed: " + err.Error()
	}
	s.back(w, r, ret, msg, err != nil)
}

// collectNow runs the collect job.
func (s *Server) collectNow(w http.ResponseWriter, r *http.Request, v *view) {
	ret := localPath(r.PostFormValue("return"))
	if s.jobs == nil {
		s.back(w, r, ret, "Jobs are run by the daemon on this server.", true)
		return
	}
	if err := s.p.Audit(r.Context(), v.User, "job.collect", "", ""); err != nil {
		s.failErr(w, r, v, err)
		return
	}
	rep, err := s.jobs.Collect(r.Context())
	if errors.Is(err, pipeline.ErrBusy) {
		s.back(w, r, ret, "A collect is already running; try again when it is done.", true)
		return
	}
	rs := rep.Responses
	msg := fmt.Sprintf("Collect done: %s; %d accepted, %d rejected, %d paid, %d denied.", plural(rep.Collected, "file"),
		rs.ClaimsAccepted, rs.ClaimsRejected, rs.ClaimsPaid, rs.ClaimsDenied)
	if err != nil {
		s.log.Warn("collect now", zap.Error(err))
		msg += " Some of it failed: " + err.Error()
	}
	s.back(w, r, ret, msg, err != nil)
}
