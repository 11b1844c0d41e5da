package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Queue returns the work items that match f, oldest first.
func (p *Pipeline) Queue(ctx context.Context, f WorkFilter) ([]*WorkItem, error) {
	if f.Source != "" && !validSource(f.Source) {
		return nil, invalid("queue: unknown source %q (one of %s)", f.Source, sourceList())
	}
	switch f.Status {
	case "", WorkOpen, WorkClosed:
	default:
		return nil, invalid("queue: unknown status %q (open or closed)", f.Status)
	}
	var items []*WorkItem
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		items, err = tx.WorkItems(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return items, nil
}

func validSource(s WorkSource) bool {
	for _, v := range workSources() {
		if v == s {
			return true
		}
	}
	return false
}

func sourceList() string {
	srcs := workSources()
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// AssignItem assigns an open work item to user (an empty user unassigns
// it). It returns ErrNotFound for an unknown item, and refuses a closed
// one with ErrConflict.
func (p *Pipeline) AssignItem(ctx context.Context, id int64, user, actor string) (*WorkItem, error) {
	user = strings.TrimSpace(user)
	if err := checkName("user", user, true); err != nil {
		return nil, err
	}
	var w *WorkItem
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if w, err = tx.GetWorkItem(ctx, id); err != nil {
			return err
		}
		if w.Status != WorkOpen {
			return fmt.Errorf("work item %d is closed; it cannot be assigned: %w", id, ErrConflict)
		}
		w.Assignee = user
		if err := tx.UpdateWorkItem(ctx, w); err != nil {
			return err
		}
		what := "assigned to " + user
		if user == "" {
			what = "unassigned"
		}
		if err := p.audit(ctx, tx, actor, "work_item.assign", w.ClaimID, fmt.Sprintf("work_item:%d", w.ID), what); err != nil {
			return err
		}
		if w.ClaimID == 0 {
			return nil
		}
		return tx.AddEvent(ctx, Event{ClaimID: w.ClaimID, At: p.now(), Kind: "work-item", Actor: actor,
			Detail: fmt.Sprintf("work item %d (%s) %s", w.ID, w.Source, what)})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// ResolveItem closes an open work item by hand with a note (required),
// for a cause the pipeline cannot see go away: a payer called, a file
// that was not ours. It returns ErrNotFound for an unknown item, and
// refuses a closed one with ErrConflict.
func (p *Pipeline) ResolveItem(ctx context.Context, id int64, note, actor string) (*WorkItem, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, invalid("resolve: a note saying what was done is required")
	}
	if actor == "" {
		return nil, invalid("resolve: who resolves the item is required")
	}
	var w *WorkItem
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if w, err = tx.GetWorkItem(ctx, id); err != nil {
			return err
		}
		if w.Status != WorkOpen {
			return fmt.Errorf("work item %d was already closed by %s on %s: %w", id, w.ClosedBy, w.ClosedAt.Format(time.DateOnly), ErrConflict)
		}
		w.Status, w.ClosedAt, w.ClosedBy, w.Note = WorkClosed, p.now(), actor, note
		if err := tx.UpdateWorkItem(ctx, w); err != nil {
			return err
		}
		if err := p.audit(ctx, tx, actor, "work_item.resolve", w.ClaimID, fmt.Sprintf("work_item:%d", w.ID), ""); err != nil {
			return err
		}
		if w.ClaimID == 0 {
			return nil
		}
		return tx.AddEvent(ctx, Event{ClaimID: w.ClaimID, At: p.now(), Kind: "work-item", Actor: actor,
			Detail: fmt.Sprintf("work item %d (%s) resolved: %s", w.ID, w.Source, note)})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// AttentionListed is how many of the work items a run left for a person
// its report lists (SubmitReport, CollectReport); it counts them all.
const AttentionListed = 100

// attention returns the first AttentionListed open work items opened or
// changed since start, what a run left for a person, and how many there
// are: in memory, a run's report stays the same size whatever the
// night's volume.
func (p *Pipeline) attention(ctx context.Context, since time.Time) ([]*WorkItem, int, error) {
	var items []*WorkItem
	var total int
	err := p.store.InTx(ctx, func(tx Tx) error {
		f := WorkFilter{Status: WorkOpen, UpdatedSince: since}
		var err error
		if total, err = tx.CountWorkItems(ctx, f); err != nil || total == 0 {
			return err
		}
		f.Limit = AttentionListed
		items, err = tx.WorkItems(ctx, f)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("work items of this run: %w", err)
	}
	return items, total, nil
}

// checkName refuses a user name with control characters or spaces at
// its ends, or longer than 64 characters.
func checkName(what, s string, empty bool) error {
	if s == "" && empty {
		return nil
	}
	if s == "" || len(s) > 64 || s != strings.TrimSpace(s) || controlAt(s) >= 0 {
		return invalid("%s %q: 1 to 64 characters, no control characters, no spaces at the ends", what, printable(s))
	}
	return nil
}

// MarshalJSON writes a work item with snake_case keys: its references
// are null when not set, closed_at is null while it is open.
func (w *WorkItem) MarshalJSON() ([]byte, error) {
	type view struct {
		ID            int64      `json:"id"`
		Key           string     `json:"key"`
		Source        WorkSource `json:"source"`
		Code          string     `json:"code"`
		Category      string     `json:"category"`
		Text          string     `json:"text"`
		Reasons       []Reason   `json:"reasons"`
		ClaimID       *int64     `json:"claim_id"`
		Version       int        `json:"version,omitempty"`
		EncounterID   string     `json:"encounter_id,omitempty"`
		BatchID       *int64     `json:"batch_id,omitempty"`
		RemittanceID  *int64     `json:"remittance_id,omitempty"`
		InboundFileID *int64     `json:"file_id,omitempty"`
		Segment       int        `json:"segment,omitempty"`
		PayerID       string     `json:"payer_id,omitempty"`
		Status        WorkStatus `json:"status"`
		Assignee      string     `json:"assignee"`
		OpenedAt      time.Time  `json:"opened_at"`
		UpdatedAt     time.Time  `json:"updated_at"`
		ClosedAt      *time.Time `json:"closed_at"`
		ClosedBy      string     `json:"closed_by,omitempty"`
		Note          string     `json:"note,omitempty"`
	}
	ref := func(v int64) *int64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	v := view{ID: w.ID, Key: w.Key, Source: w.Source, Code: w.Code, Category: w.Category, Text: w.Summary, Reasons: w.Reasons,
		ClaimID: ref(w.ClaimID), Version: w.Version, EncounterID: w.EncounterID, BatchID: ref(w.BatchID),
		RemittanceID: ref(w.RemittanceID), InboundFileID: ref(w.InboundFileID), Segment: w.Segment, PayerID: w.PayerID,
		Status: w.Status, Assignee: w.Assignee, OpenedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, ClosedBy: w.ClosedBy, Note: w.Note}
	if v.Reasons == nil {
		v.Reasons = []Reason{}
	}
	if !w.ClosedAt.IsZero() {
		t := w.ClosedAt
		v.ClosedAt = &t
	}
	return json.Marshal(v)
}

// Item returns one work item, or ErrNotFound.
func (p *Pipeline) Item(ctx context.Context, id int64) (*WorkItem, error) {
	var w *WorkItem
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		w, err = tx.GetWorkItem(ctx, id)
		return err
	})
	return w, err
}
