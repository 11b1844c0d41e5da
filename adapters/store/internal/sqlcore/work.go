package sqlcore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// AddWorkItem implements pipeline.WorkTx. It sets w.ID and fills zero
// creation and update times from the clock.
func (t *Tx) AddWorkItem(ctx context.Context, w *pipeline.WorkItem) error {
	if err := t.check(); err != nil {
		return err
	}
	reasons, err := jsonArg(w.Reasons)
	if err != nil {
		return fmt.Errorf("add work item: %w", err)
	}
	w.CreatedAt = t.stamp(w.CreatedAt)
	if w.UpdatedAt.IsZero() {
		w.UpdatedAt = w.CreatedAt
	}
	w.UpdatedAt = NormTime(w.UpdatedAt)
	var id int64
	err = t.queryRow(ctx, `INSERT INTO work_items (source, claim_id, encounter_id, remittance_id,
inbound_file_id, category, summary, reasons, status, assignee, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		[]any{string(w.Source), w.ClaimID, w.EncounterID, w.RemittanceID, w.InboundFileID, w.Category,
			w.Summary, reasons, string(w.Status), w.Assignee, t.c.Time(w.CreatedAt), t.c.Time(w.UpdatedAt)}, &id)
	if err != nil {
		return fmt.Errorf("add work item (%s): %w", w.Source, err)
	}
	w.ID = id
	return nil
}

// WorkItems implements pipeline.WorkTx. A Limit of zero or less means no
// limit.
func (t *Tx) WorkItems(ctx context.Context, f pipeline.WorkFilter) ([]*pipeline.WorkItem, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := `SELECT id, source, claim_id, encounter_id, remittance_id, inbound_file_id, category, summary,
reasons, status, assignee, created_at, updated_at FROM work_items WHERE 1 = 1`
	var args []any
	if f.Status != "" {
		args = append(args, string(f.Status))
		q += " AND status = $" + strconv.Itoa(len(args))
	}
	if f.Source != "" {
		args = append(args, string(f.Source))
		q += " AND source = $" + strconv.Itoa(len(args))
	}
	if f.ClaimID != 0 {
		args = append(args, f.ClaimID)
		q += " AND claim_id = $" + strconv.Itoa(len(args))
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		args = append(args, int64(f.Limit))
		q += " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("work items: %w", err)
	}
	defer rows.Close()
	var out []*pipeline.WorkItem
	for rows.Next() {
		var w pipeline.WorkItem
		var source, status string
		if err := rows.Scan(&w.ID, &source, &w.ClaimID, &w.EncounterID, &w.RemittanceID, &w.InboundFileID,
			&w.Category, &w.Summary, jsonDest{&w.Reasons}, &status, &w.Assignee,
			timeDest{&w.CreatedAt}, timeDest{&w.UpdatedAt}); err != nil {
			return nil, fmt.Errorf("work items: %w", err)
		}
		w.Source, w.Status = pipeline.WorkSource(source), pipeline.WorkStatus(status)
		out = append(out, &w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("work items: %w", err)
	}
	return out, nil
}

// UpdateWorkItem implements pipeline.WorkTx: it saves the status and
// assignee and sets w.UpdatedAt from the clock. It returns
// pipeline.ErrNotFound when there is no such item.
func (t *Tx) UpdateWorkItem(ctx context.Context, w *pipeline.WorkItem) error {
	if err := t.check(); err != nil {
		return err
	}
	now := t.stamp(time.Time{})
	n, err := t.c.Exec(ctx, "UPDATE work_items SET status = $2, assignee = $3, updated_at = $4 WHERE id = $1",
		w.ID, string(w.Status), w.Assignee, t.c.Time(now))
	if err != nil {
		return fmt.Errorf("update work item %d: %w", w.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("update work item %d: %w", w.ID, pipeline.ErrNotFound)
	}
	w.UpdatedAt = now
	return nil
}
