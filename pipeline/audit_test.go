package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// openItem returns the one open work item of a claim.
func openItem(t *testing.T, h *pipelinetest.Harness, claimID int64) *pipeline.WorkItem {
	t.Helper()
	items, err := h.P.Queue(context.Background(), pipeline.WorkFilter{Status: pipeline.WorkOpen, ClaimID: claimID})
	if err != nil || len(items) != 1 {
		t.Fatalf("open items of claim %d: %+v, %v; want one", claimID, items, err)
	}
	return items[0]
}

func TestAuditOfChanges(t *testing.T) {
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	ctx := context.Background()
	item := openItem(t, h, cy.c3.ID)
	// Values that must never reach the audit trail: the new and old
	// content, and the subscriber's name.
	secrets := []string{"NEWMEMBER99", "ZELDA", "M" + cy.c2.EncounterID, "DOE", "PAT", "called the payer about"}

	tests := []struct {
		name string
		do   func() error
		want pipeline.AuditEntry // At is not compared; Detail is a part
	}{
		{"correction", func() error {
			_, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: cy.c2.ID, Actor: "ana", Note: "member ID from the card",
				Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEWMEMBER99"}, {Path: "subscriber.first_name", Value: "ZELDA"}}})
			return err
		}, pipeline.AuditEntry{Actor: "ana", Action: "claim.correction", ClaimID: cy.c2.ID,
			Detail: "version 2, ready; changed subscriber.first_name, subscriber.member_id"}},
		{"resubmission", func() error {
			_, err := h.P.Resubmit(ctx, cy.c3.ID, "bob", "enrollment fixed")
			return err
		}, pipeline.AuditEntry{Actor: "bob", Action: "claim.resubmission", ClaimID: cy.c3.ID, Detail: "version 2, ready"}},
		{"void", func() error {
			_, err := h.P.Void(ctx, cy.c1.ID, "ana", "billed twice")
			return err
		}, pipeline.AuditEntry{Actor: "ana", Action: "claim.void", ClaimID: cy.c1.ID, Detail: "version 2, ready"}},
		{"assign", func() error {
			_, err := h.P.AssignItem(ctx, item.ID, "bob", "ana")
			return err
		}, pipeline.AuditEntry{Actor: "ana", Action: "work_item.assign", ClaimID: cy.c3.ID, Object: fmt.Sprintf("work_item:%d", item.ID),
			Detail: "assigned to bob"}},
		{"unassign", func() error {
			_, err := h.P.AssignItem(ctx, item.ID, "", "bob")
			return err
		}, pipeline.AuditEntry{Actor: "bob", Action: "work_item.assign", ClaimID: cy.c3.ID, Object: fmt.Sprintf("work_item:%d", item.ID),
			Detail: "unassigned"}},
		{"resolve", func() error {
			_, err := h.P.ResolveItem(ctx, item.ID, "called the payer about DOE", "bob")
			return err
		}, pipeline.AuditEntry{Actor: "bob", Action: "work_item.resolve", ClaimID: cy.c3.ID, Object: fmt.Sprintf("work_item:%d", item.ID)}},
		{"view", func() error {
			d, err := h.P.ViewClaim(ctx, cy.c1.ID, "carol")
			if err == nil && d.ID != cy.c1.ID {
				err = fmt.Errorf("ViewClaim returned claim %d", d.ID)
			}
			return err
		}, pipeline.AuditEntry{Actor: "carol", Action: "claim.view", ClaimID: cy.c1.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := auditLog(t, h, pipeline.AuditFilter{})
			if err := tt.do(); err != nil {
				t.Fatal(err)
			}
			added := newEntries(t, h, before)
			if len(added) != 1 {
				t.Fatalf("audit %+v, want one entry", added)
			}
			got := *added[0]
			if got.Actor != tt.want.Actor || got.Action != tt.want.Action || got.ClaimID != tt.want.ClaimID ||
				got.Object != tt.want.Object || got.Detail != tt.want.Detail || !got.At.Equal(h.Now) {
				t.Errorf("audit entry %+v, want %+v at %v", got, tt.want, h.Now)
			}
		})
	}
	for _, e := range auditLog(t, h, pipeline.AuditFilter{}) {
		for _, s := range secrets {
			if strings.Contains(e.Detail, s) || strings.Contains(e.Object, s) {
				t.Errorf("audit entry %+v holds the value %q", e, s)
			}
		}
	}
}

func TestShowClaimIsNotAudited(t *testing.T) {
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	ctx := context.Background()
	if _, err := h.P.ShowClaim(ctx, cy.c1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.P.ViewClaim(ctx, cy.c1.ID, pipeline.SystemActor); err != nil {
		t.Fatal(err)
	}
	if _, err := h.P.ViewClaim(ctx, 999, "carol"); !errors.Is(err, pipeline.ErrNotFound) {
		t.Errorf("ViewClaim of no claim = %v, want ErrNotFound", err)
	}
	// Nor are changes the pipeline makes itself (no actor).
	if _, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: cy.c2.ID,
		Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEWMEMBER99"}}}); err != nil {
		t.Fatal(err)
	}
	if es := auditLog(t, h, pipeline.AuditFilter{}); len(es) != 0 {
		t.Errorf("audit %+v, want nothing", es)
	}
}

func TestRefusedChangesAreNotAudited(t *testing.T) {
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	ctx := context.Background()
	item := openItem(t, h, cy.c2.ID)
	set := func(id int64, kv ...string) func() error {
		return func() error {
			req := pipeline.CorrectRequest{ClaimID: id, Actor: "ana"}
			for _, s := range kv {
				k, v, _ := strings.Cut(s, "=")
				req.Sets = append(req.Sets, pipeline.FieldSet{Path: k, Value: v})
			}
			_, err := h.P.Correct(ctx, req)
			return err
		}
	}
	tests := []struct {
		name  string
		do    func() error
		check func(error) bool
	}{
		{"a correction that changes nothing", set(cy.c2.ID, "subscriber.member_id=M"+cy.c2.EncounterID),
			func(err error) bool { return errors.Is(err, pipeline.ErrNoChange) }},
		{"a correction the scrubber refuses", set(cy.c2.ID, "billing_provider.npi=1234567890"),
			func(err error) bool { var se *pipeline.ScrubError; return errors.As(err, &se) }},
		{"a bad value", set(cy.c2.ID, "subscriber.birth_date=31/01/1980"),
			func(err error) bool { var fe *pipeline.FieldError; return errors.As(err, &fe) }},
		{"a field the pipeline owns", set(cy.c2.ID, "frequency=7"),
			func(err error) bool { var fe *pipeline.FieldError; return errors.As(err, &fe) }},
		{"a correction of a claim in flight", set(cy.c4.ID, "subscriber.member_id=NEWMEMBER99"),
			func(err error) bool { return errors.Is(err, pipeline.ErrInFlight) }},
		{"a correction of no claim", set(999, "subscriber.member_id=NEWMEMBER99"),
			func(err error) bool { return errors.Is(err, pipeline.ErrNotFound) }},
		{"a resubmission of a claim in flight", func() error { _, err := h.P.Resubmit(ctx, cy.c4.ID, "ana", ""); return err },
			func(err error) bool { return errors.Is(err, pipeline.ErrInFlight) }},
		{"a void of a claim never adjudicated", func() error { _, err := h.P.Void(ctx, cy.c2.ID, "ana", ""); return err },
			func(err error) bool { return errors.Is(err, pipeline.ErrNotAdjudicated) }},
		{"a resolution without a note", func() error { _, err := h.P.ResolveItem(ctx, item.ID, "  ", "ana"); return err },
			func(err error) bool { return errors.Is(err, pipeline.ErrInvalid) }},
		{"an assignment to a bad name", func() error { _, err := h.P.AssignItem(ctx, item.ID, "a\tb", "ana"); return err },
			func(err error) bool { return errors.Is(err, pipeline.ErrInvalid) }},
		{"an assignment of no item", func() error { _, err := h.P.AssignItem(ctx, 999, "bob", "ana"); return err },
			func(err error) bool { return errors.Is(err, pipeline.ErrNotFound) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || !tt.check(err) {
				t.Fatalf("error %v (%T) is not the refusal expected", err, err)
			}
			if es := auditLog(t, h, pipeline.AuditFilter{}); len(es) != 0 {
				t.Errorf("a refused change audited %+v", es)
			}
		})
	}
	for _, c := range []*pipeline.Claim{cy.c1, cy.c2, cy.c3, cy.c4} {
		if v := h.Claim(c.ID).Version; v != 1 {
			t.Errorf("claim %s is at version %d after refusals, want 1", c.EncounterID, v)
		}
	}
}

// TestAuditRollsBackWithTheChange shows that the audit entry and the
// change it records are one transaction: when a later step of the change
// fails, the entry goes too; when the entry cannot be written, the
// change does not happen.
func TestAuditRollsBackWithTheChange(t *testing.T) {
	fs := pipelinetest.NewFaultStore(openStore(t))
	h := newHarnessOver(t, fs, nil)
	cy := runCycle(t, h)
	ctx := context.Background()
	item := openItem(t, h, cy.c2.ID)
	boom := errors.New("injected failure")
	correct := func() error {
		_, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: cy.c2.ID, Actor: "ana",
			Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEWMEMBER99"}}})
		return err
	}
	tests := []struct {
		name, fail string
		do         func() error
		unchanged  func() bool
	}{
		{"a correction failing after its audit", "CloseWorkItems", correct,
			func() bool { c := h.Claim(cy.c2.ID); return c.Version == 1 && c.Data.Subscriber.MemberID == "ME2" }},
		{"a correction whose audit fails", "Audit", correct,
			func() bool { c := h.Claim(cy.c2.ID); return c.Version == 1 && c.Data.Subscriber.MemberID == "ME2" }},
		{"a void whose audit fails", "Audit", func() error { _, err := h.P.Void(ctx, cy.c1.ID, "ana", "twice"); return err },
			func() bool { return h.Claim(cy.c1.ID).Version == 1 }},
		{"an assignment whose audit fails", "Audit", func() error { _, err := h.P.AssignItem(ctx, item.ID, "bob", "ana"); return err },
			func() bool { return openItem(t, h, cy.c2.ID).Assignee == "" }},
		{"a new user whose audit fails", "Audit", func() error { return h.P.AddUser(ctx, "dave", pipeline.RoleBiller, anaPassword, "root") },
			func() bool { us, err := h.P.Users(ctx); return err == nil && len(us) == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs.Fail(tt.fail, boom)
			err := tt.do()
			fs.Fail(tt.fail, nil)
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want the injected failure", err)
			}
			if es := auditLog(t, h, pipeline.AuditFilter{}); len(es) != 0 {
				t.Errorf("the failed change left audit entries %+v", es)
			}
			if !tt.unchanged() {
				t.Error("the failed change was kept")
			}
		})
	}
	// Without the failure the same correction goes through, audited once.
	if err := correct(); err != nil {
		t.Fatal(err)
	}
	if es := auditLog(t, h, pipeline.AuditFilter{}); len(es) != 1 || es[0].Action != "claim.correction" {
		t.Errorf("audit %+v, want the one correction", es)
	}
}

func TestAuditLogFilters(t *testing.T) {
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	ctx := context.Background()
	for i := range 105 {
		if err := h.P.Audit(ctx, "ops", "job.submit", "", fmt.Sprint("run ", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Not audited: no actor, or the pipeline itself.
	for _, actor := range []string{"", pipeline.SystemActor} {
		if err := h.P.Audit(ctx, actor, "job.submit", "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.P.Audit(ctx, "ops", "workXitem.odd", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.P.ViewClaim(ctx, cy.c1.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.P.ViewClaim(ctx, cy.c2.ID, "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: cy.c2.ID, Actor: "ana",
		Sets: []pipeline.FieldSet{{Path: "subscriber.member_id", Value: "NEWMEMBER99"}}}); err != nil {
		t.Fatal(err)
	}
	item := openItem(t, h, cy.c3.ID)
	if _, err := h.P.AssignItem(ctx, item.ID, "ana", "bob"); err != nil {
		t.Fatal(err)
	}
	all, err := h.P.AuditLog(ctx, pipeline.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 110 {
		t.Fatalf("%d entries, want 110", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Fatalf("entries not newest first: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	mid := all[50].ID
	tests := []struct {
		name    string
		f       pipeline.AuditFilter
		n       int
		matches func(*pipeline.AuditEntry) bool
	}{
		{"no limit means 100", pipeline.AuditFilter{}, 100, nil},
		{"a limit", pipeline.AuditFilter{Limit: 3}, 3, nil},
		{"a negative limit means 100", pipeline.AuditFilter{Limit: -1}, 100, nil},
		{"by actor", pipeline.AuditFilter{Actor: "ana"}, 2, func(e *pipeline.AuditEntry) bool { return e.Actor == "ana" }},
		{"by an unknown actor", pipeline.AuditFilter{Actor: "nobody"}, 0, nil},
		{"by claim", pipeline.AuditFilter{ClaimID: cy.c2.ID}, 2, func(e *pipeline.AuditEntry) bool { return e.ClaimID == cy.c2.ID }},
		{"by claim, of a work item", pipeline.AuditFilter{ClaimID: cy.c3.ID}, 1, func(e *pipeline.AuditEntry) bool { return e.Action == "work_item.assign" }},
		{"by action prefix", pipeline.AuditFilter{Action: "claim."}, 3, func(e *pipeline.AuditEntry) bool { return strings.HasPrefix(e.Action, "claim.") }},
		{"by whole action", pipeline.AuditFilter{Action: "claim.view"}, 2, func(e *pipeline.AuditEntry) bool { return e.Action == "claim.view" }},
		{"an underscore is no wildcard", pipeline.AuditFilter{Action: "work_item."}, 1, func(e *pipeline.AuditEntry) bool { return e.Action == "work_item.assign" }},
		{"the prefix is case-sensitive", pipeline.AuditFilter{Action: "CLAIM."}, 0, nil},
		{"actor and action", pipeline.AuditFilter{Actor: "ana", Action: "claim.view"}, 1,
			func(e *pipeline.AuditEntry) bool { return e.Actor == "ana" && e.ClaimID == cy.c2.ID }},
		{"before an ID", pipeline.AuditFilter{BeforeID: mid, Limit: 1000}, len(all) - 51, func(e *pipeline.AuditEntry) bool { return e.ID < mid }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.P.AuditLog(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.n {
				t.Errorf("%d entries, want %d", len(got), tt.n)
			}
			for i, e := range got {
				if tt.matches != nil && !tt.matches(e) {
					t.Errorf("entry %+v does not match the filter", e)
				}
				if i > 0 && e.ID >= got[i-1].ID {
					t.Errorf("entries not newest first")
				}
			}
			if tt.f == (pipeline.AuditFilter{}) && len(got) > 0 && got[0].ID != all[0].ID {
				t.Errorf("the first entry is %d, want the newest, %d", got[0].ID, all[0].ID)
			}
		})
	}
}
