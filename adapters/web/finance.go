package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/x12claims/claims/pipeline"
)

func (s *Server) remits(w http.ResponseWriter, r *http.Request, v *view) {
	rs, err := s.p.Remittances(r.Context(), 200)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	v.Title, v.Nav, v.Data = "Remittances", "remits", rs
	s.render(w, r, http.StatusOK, "remits", v)
}

func (s *Server) remit(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "remittance")
	if !ok {
		return
	}
	d, err := s.p.Remittance(r.Context(), id)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("Remittance %d", id), "remits", d
	s.render(w, r, http.StatusOK, "remit", v)
}

// applyPayment applies an unapplied payment of a remittance to the claim
// the manager names.
func (s *Server) applyPayment(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "remittance")
	if !ok {
		return
	}
	to := fmt.Sprintf("/remits/%d", id)
	claim, err := s.p.ResolveClaim(r.Context(), r.PostFormValue("claim"))
	if errors.Is(err, pipeline.ErrNotFound) {
		s.back(w, r, to, fmt.Sprintf("Not applied: there is no claim %q; give its number (12) or its claim number (C12-2).",
			r.PostFormValue("claim")), true)
		return
	}
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	pv, err := s.p.ApplyPayment(r.Context(), id, claim, r.PostFormValue("which"), v.User)
	if errors.Is(err, pipeline.ErrNotFound) {
		// The payment was applied meanwhile (a second click, say).
		s.back(w, r, to, "Not applied: "+err.Error(), true)
		return
	}
	if err != nil {
		s.backErr(w, r, v, to, "Not applied: ", err)
		return
	}
	s.back(w, r, to, fmt.Sprintf("Payment of %s applied to claim %d.", money(pv.Paid), claim), false)
}

func (s *Server) aging(w http.ResponseWriter, r *http.Request, v *view) {
	a, err := s.p.ARAging(r.Context())
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	v.Title, v.Nav, v.Data = "Accounts receivable", "ar", agingData{Aging: a, Chart: agingChart(a)}
	s.render(w, r, http.StatusOK, "ar", v)
}

type agingData struct {
	Aging pipeline.Aging
	Chart chart
}

// agingCSV is the aging table as CSV.
func (s *Server) agingCSV(w http.ResponseWriter, r *http.Request, v *view) {
	a, err := s.p.ARAging(r.Context())
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ar-aging-%s.csv"`, a.AsOf))
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"payer_id", "payer_name", "days_0_30", "days_31_60", "days_61_90", "days_91_120", "days_over_120", "total"}) //nolint:errcheck // checked by Flush
	for _, row := range append(a.Rows, a.Total) {
		rec := []string{row.PayerID, row.PayerName}
		for _, b := range row.Buckets {
			rec = append(rec, b.String())
		}
		rec = append(rec, row.Total.String())
		cw.Write(rec) //nolint:errcheck // checked by Flush
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Sugar().Warnf("ar.csv: %v", err)
	}
}

type batchesData struct {
	Batches []pipeline.BatchView
	Inbound []*pipeline.InboundFile
}

func (s *Server) batches(w http.ResponseWriter, r *http.Request, v *view) {
	bs, err := s.p.BatchOverview(r.Context(), 100)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	in, err := s.p.RecentInbound(r.Context(), 100)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	v.Title, v.Nav, v.Data = "Files", "batches", batchesData{Batches: bs, Inbound: in}
	s.render(w, r, http.StatusOK, "batches", v)
}

func (s *Server) retryBatch(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "batch")
	if !ok {
		return
	}
	b, err := s.p.RetryBatch(r.Context(), id, v.User)
	if err != nil {
		s.backErr(w, r, v, "/batches", "Not retried: ", err)
		return
	}
	s.back(w, r, "/batches", fmt.Sprintf("Batch %d (%s) will be uploaded again at the next submit.", b.ID, b.FileName), false)
}

func (s *Server) retryInbound(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := s.pathID(w, r, v, "id", "file")
	if !ok {
		return
	}
	f, err := s.p.RetryInbound(r.Context(), id, v.User)
	if err != nil {
		s.backErr(w, r, v, "/batches", "Not retried: ", err)
		return
	}
	s.back(w, r, "/batches", fmt.Sprintf("File %s will be applied again at the next collect.", f.Name), false)
}

type auditData struct {
	Entries []*pipeline.AuditEntry
	Actor   string
	Claim   string
	Action  string
	// Older is the ID to page back from, 0 at the end.
	Older int64
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	d := auditData{Actor: q.Get("user"), Claim: q.Get("claim"), Action: q.Get("action")}
	f := pipeline.AuditFilter{Actor: d.Actor, Action: d.Action, Limit: 100}
	if d.Claim != "" {
		id, err := s.p.ResolveClaim(r.Context(), d.Claim)
		if err != nil {
			s.fail(w, r, v, http.StatusBadRequest, fmt.Sprintf("No claim %q: give its number (12) or its claim number (C12-2).", d.Claim))
			return
		}
		f.ClaimID = id
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.BeforeID = b
	}
	es, err := s.p.AuditLog(r.Context(), f)
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	d.Entries = es
	if len(es) == f.Limit {
		d.Older = es[len(es)-1].ID
	}
	v.Title, v.Nav, v.Data = "Audit trail", "audit", d
	s.render(w, r, http.StatusOK, "audit", v)
}

type usersData struct {
	Users []*pipeline.User
	Roles []pipeline.Role
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, v *view) {
	us, err := s.p.Users(r.Context())
	if err != nil {
		s.failErr(w, r, v, err)
		return
	}
	v.Title, v.Nav, v.Data = "Users", "users", usersData{Users: us, Roles: pipeline.Roles()}
	s.render(w, r, http.StatusOK, "users", v)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, v *view) {
	name := r.PostFormValue("name")
	role, err := pipeline.ParseRole(r.PostFormValue("role"))
	if err == nil {
		err = s.p.AddUser(r.Context(), name, role, r.PostFormValue("new_password"), v.User)
	}
	if err != nil {
		s.backErr(w, r, v, "/users", "User not added: ", err)
		return
	}
	s.back(w, r, "/users", fmt.Sprintf("User %s added as %s.", name, role), false)
}

func (s *Server) changeUser(w http.ResponseWriter, r *http.Request, v *view) {
	name := r.PathValue("name")
	role, err := pipeline.ParseRole(r.PostFormValue("role"))
	disabled := r.PostFormValue("disabled") == "yes"
	if err == nil {
		err = s.p.SetUser(r.Context(), name, role, disabled, v.User)
	}
	if err != nil {
		s.backErr(w, r, v, "/users", "User not changed: ", err)
		return
	}
	s.back(w, r, "/users", fmt.Sprintf("User %s saved.", name), false)
}
