package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/x12claims/claims/pipeline"
)

type queueData struct {
	List   *pipeline.Worklist
	Filter queueFilter
	// Query is the filter as a query string, for the pager and the
	// group links.
	Query string
	Users []string
}

// queueFilter is the queue page's query: none of it is patient data.
type queueFilter struct {
	Source, Category, Payer, Code, Assignee, Status string
	Age, Page                                       int
}

func (f queueFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"source": f.Source, "category": f.Category, "payer": f.Payer, "code": f.Code,
		"assignee": f.Assignee, "status": f.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Age > 0 {
		v.Set("age", strconv.Itoa(f.Age))
	}
	return v
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	f := queueFilter{Source: q.Get("source"), Category: q.Get("category"), Payer: q.Get("payer"), Code: q.Get("code"),
		Assignee: q.Get("assignee"), Status: q.Get("status")}
	f.Age, _ = strconv.Atoi(q.Get("age"))
	f.Page, _ = strconv.Atoi(q.Get("page"))
	assignee := f.Assignee
	if assignee == "me" {
		assignee = v.User
	}
	wl, err := s.p.Worklist(r.Context(), pipeline.WorklistQuery{Filter: pipeline.WorkFilter{
		Status: pipeline.WorkStatus(f.Status), Source: pipeline.WorkSource(f.Source), Category: f.Category,
		PayerID: f.Payer, Code: f.Code, Assignee: assignee}, MinAgeDays: max(f.Age, 0), Page: f.Page})
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	users, err := s.p.Users(r.Context())
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	d := queueData{List: wl, Filter: f, Query: f.values().Encode()}
	for _, u := range users {
		if !u.Disabled && u.Role.Can(pipeline.PermWork) {
			d.Users = append(d.Users, u.Name)
		}
	}
	v.Title, v.Nav, v.Data = "Work queue", "queue", d
	s.render(w, r, http.StatusOK, "queue", v)
}

// assign assigns the items checked on the queue to a user (none to
// unassign).
func (s *Server) assign(w http.ResponseWriter, r *http.Request, v *view) {
	ret := localPath(r.PostFormValue("return"))
	ids := r.PostForm["item"]
	if len(ids) == 0 {
		s.back(w, r, ret, "Tick the items to assign first.", true)
		return
	}
	user := r.PostFormValue("assignee")
	if user == "me" {
		user = v.User
	}
	var done int
	var errs []string
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, fmt.Sprintf("%q is not an item", raw))
			continue
		}
		if _, err := s.p.AssignItem(r.Context(), id, user, v.User); err != nil {
			errs = append(errs, fmt.Sprintf("item %d: %v", id, err))
			continue
		}
		done++
	}
	msg := fmt.Sprintf("%s assigned to %s.", plural(done, "item"), orWord(user, "nobody"))
	if len(errs) > 0 {
		msg += " Not done: " + strings.Join(errs, "; ")
	}
	s.back(w, r, ret, msg, len(errs) > 0)
}

// resolve closes an item by hand with a note.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request, v *view) {
	ret := localPath(r.PostFormValue("return"))
	id, ok := s.pathID(w, r, v, "item", "work item")
	if !ok {
		return
	}
	_, err := s.p.ResolveItem(r.Context(), id, r.PostFormValue("note"), v.User)
	if err != nil {
		s.backErr(w, r, v, ret, "Item not resolved: ", err)
		return
	}
	s.back(w, r, ret, fmt.Sprintf("Work item %d resolved.", id), false)
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}
