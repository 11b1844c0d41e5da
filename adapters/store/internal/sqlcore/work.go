package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/pipeline"
)

const workCols = `id, item_key, source, code, category, summary, reasons, claim_id, version, encounter_id,
batch_id, remittance_id, inbound_file_id, segment, payer_id, status, assignee, created_at, updated_at,
closed_at, closed_by, note`

// OpenWorkItem implements pipeline.WorkTx. A zero CreatedAt is the
// clock's time. An item with a key updates the open item of that key
// when there is one. When two transactions open the same key at once
// (PostgreSQL), the partial unique index on open keys makes the second
// wait for the first and fail its insert; it then updates the item the
// first one opened, inside a savepoint, so that its own transaction goes
// on.
func (t *Tx) OpenWorkItem(ctx context.Context, w *pipeline.WorkItem) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	reasons, err := jsonArg(w.Reasons)
	if err != nil {
		return false, fmt.Errorf("open work item: %w", err)
	}
	w.Status = pipeline.WorkOpen
	w.CreatedAt = t.stamp(w.CreatedAt)
	now := t.stamp(time.Time{})
	if w.Key == "" {
		return true, t.insertWorkItem(ctx, w, reasons, now)
	}
	if ok, err := t.updateOpenItem(ctx, w, reasons, now); ok || err != nil {
		return false, err
	}
	if _, err := t.c.Exec(ctx, "SAVEPOINT open_work_item"); err != nil {
		return false, t.fail(fmt.Errorf("open work item %s: %w", w.Key, err))
	}
	err = t.insertWorkItem(ctx, w, reasons, now)
	if err != nil && t.c.IsUniqueViolation(err) {
		if _, rerr := t.c.Exec(ctx, "ROLLBACK TO SAVEPOINT open_work_item"); rerr != nil {
			return false, t.fail(fmt.Errorf("open work item %s: %w", w.Key, rerr))
		}
		ok, uerr := t.updateOpenItem(ctx, w, reasons, now)
		if uerr == nil && !ok {
			uerr = fmt.Errorf("open work item %s: opened and closed meanwhile: %w", w.Key, pipeline.ErrConflict)
		}
		if _, rerr := t.c.Exec(ctx, "RELEASE SAVEPOINT open_work_item"); rerr != nil {
			return false, t.fail(fmt.Errorf("open work item %s: %w", w.Key, rerr))
		}
		return false, uerr
	}
	if _, rerr := t.c.Exec(ctx, "RELEASE SAVEPOINT open_work_item"); rerr != nil && err == nil {
		return false, t.fail(fmt.Errorf("open work item %s: %w", w.Key, rerr))
	}
	return err == nil, err
}

// updateOpenItem updates the open item of w.Key with w, and reports
// whether there was one.
func (t *Tx) updateOpenItem(ctx context.Context, w *pipeline.WorkItem, reasons string, now time.Time) (bool, error) {
	var id int64
	var assignee, note string
	var opened time.Time
	err := t.queryRow(ctx, `UPDATE work_items SET source = $2, code = $3, category = $4, summary = $5,
reasons = $6, claim_id = $7, version = $8, encounter_id = $9, batch_id = $10, remittance_id = $11,
inbound_file_id = $12, segment = $13, payer_id = $14, updated_at = $15
WHERE item_key = $1 AND status = 'open' AND item_key <> '' RETURNING id, assignee, note, created_at`,
		[]any{w.Key, string(w.Source), w.Code, w.Category, w.Summary, reasons, w.ClaimID, int64(w.Version),
			w.EncounterID, w.BatchID, w.RemittanceID, w.InboundFileID, int64(w.Segment), w.PayerID, t.c.Time(now)},
		&id, &assignee, &note, timeDest{&opened})
	switch {
	case errors.Is(err, errNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("open work item %s: %w", w.Key, err)
	}
	w.ID, w.Assignee, w.Note, w.CreatedAt, w.UpdatedAt = id, assignee, note, opened, now
	return true, nil
}

// insertWorkItem inserts w as a new open item.
func (t *Tx) insertWorkItem(ctx context.Context, w *pipeline.WorkItem, reasons string, now time.Time) error {
	var id int64
	err := t.queryRow(ctx, `INSERT INTO work_items (item_key, source, code, category, summary, reasons, claim_id,
version, encounter_id, batch_id, remittance_id, inbound_file_id, segment, payer_id, status, assignee,
created_at, updated_at, closed_at, closed_by, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15, $16, $17, NULL, '', $18) RETURNING id`,
		[]any{w.Key, string(w.Source), w.Code, w.Category, w.Summary, reasons, w.ClaimID, int64(w.Version),
			w.EncounterID, w.BatchID, w.RemittanceID, w.InboundFileID, int64(w.Segment), w.PayerID, w.Assignee,
			t.c.Time(w.CreatedAt), t.c.Time(now), w.Note}, &id)
	if err != nil {
		if t.c.IsUniqueViolation(err) {
			return err
		}
		return fmt.Errorf("open work item (%s): %w", w.Source, err)
	}
	w.ID, w.UpdatedAt, w.ClosedAt, w.ClosedBy = id, now, time.Time{}, ""
	return nil
}

// CloseWorkItems implements pipeline.WorkTx.
func (t *Tx) CloseWorkItems(ctx context.Context, key, by, note string) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	if key == "" {
		return 0, nil
	}
	now := t.c.Time(t.stamp(time.Time{}))
	n, err := t.c.Exec(ctx, `UPDATE work_items SET status = 'closed', closed_at = $2, updated_at = $2,
closed_by = $3, note = $4 WHERE item_key = $1 AND status = 'open' AND item_key <> ''`, key, now, by, note)
	if err != nil {
		return 0, fmt.Errorf("close work items %s: %w", key, err)
	}
	return int(n), nil
}

// GetWorkItem implements pipeline.WorkTx.
func (t *Tx) GetWorkItem(ctx context.Context, id int64) (*pipeline.WorkItem, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	items, err := t.workItems(ctx, "SELECT "+workCols+" FROM work_items WHERE id = $1", id)
	if err != nil {
		return nil, fmt.Errorf("get work item %d: %w", id, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("get work item %d: %w", id, pipeline.ErrNotFound)
	}
	return items[0], nil
}

// WorkItems implements pipeline.WorkTx. A Limit of zero or less means no
// limit.
func (t *Tx) WorkItems(ctx context.Context, f pipeline.WorkFilter) ([]*pipeline.WorkItem, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	where, args := t.workWhere(f, "")
	q := "SELECT " + workCols + " FROM work_items WHERE " + where + " ORDER BY id"
	if f.Limit > 0 {
		args = append(args, int64(f.Limit))
		q += " LIMIT $" + strconv.Itoa(len(args))
	}
	items, err := t.workItems(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("work items: %w", err)
	}
	return items, nil
}

// workWhere returns the condition of f on work_items, its columns
// qualified by prefix ("" or "w."), and its arguments, numbered from 1.
func (t *Tx) workWhere(f pipeline.WorkFilter, prefix string) (string, []any) {
	where := "1 = 1"
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + prefix + cond + " $" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		add("status =", string(f.Status))
	}
	if f.Source != "" {
		add("source =", string(f.Source))
	}
	if f.ClaimID != 0 {
		add("claim_id =", f.ClaimID)
	}
	if f.PayerID != "" {
		add("payer_id =", f.PayerID)
	}
	if f.Assignee != "" {
		add("assignee =", f.Assignee)
	}
	if f.Key != "" {
		// item_key <> '' lets the planner use the index of open keys.
		where += " AND " + prefix + "item_key <> ''"
		add("item_key =", f.Key)
	}
	if f.Code != "" {
		add("code =", f.Code)
	}
	if f.Category != "" {
		add("category =", f.Category)
	}
	if !f.UpdatedSince.IsZero() {
		add("updated_at >=", t.c.Time(f.UpdatedSince))
	}
	if !f.OpenedBefore.IsZero() {
		add("created_at <", t.c.Time(f.OpenedBefore))
	}
	return where, args
}

// workRowCols selects a work item's summary (w) and its claim's payer
// name and earliest active service date (c, when it has one).
const workRowCols = `w.id, w.source, w.category, w.code, w.claim_id, w.payer_id, w.assignee,
COALESCE(c.payer_name, ''), COALESCE(c.service_date, '')`

// WorkRows implements pipeline.WorkTx in one query.
func (t *Tx) WorkRows(ctx context.Context, f pipeline.WorkFilter) ([]pipeline.WorkRow, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	where, args := t.workWhere(f, "w.")
	rows, err := t.c.Query(ctx, "SELECT "+workRowCols+`
FROM work_items w LEFT JOIN claims c ON c.id = w.claim_id AND w.claim_id <> 0
WHERE `+where+" ORDER BY w.id", args...)
	if err != nil {
		return nil, fmt.Errorf("work rows: %w", err)
	}
	defer rows.Close()
	var out []pipeline.WorkRow
	for rows.Next() {
		w := &pipeline.WorkItem{}
		r := pipeline.WorkRow{Item: w}
		var source string
		if err := rows.Scan(&w.ID, &source, &w.Category, &w.Code, &w.ClaimID, &w.PayerID, &w.Assignee,
			&r.PayerName, dateDest{&r.ServiceDate}); err != nil {
			return nil, fmt.Errorf("work rows: %w", err)
		}
		w.Source = pipeline.WorkSource(source)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("work rows: %w", err)
	}
	return out, nil
}

// qualify prefixes each name of a comma-separated column list.
func qualify(prefix, cols string) string {
	names := strings.Split(cols, ",")
	for i, n := range names {
		names[i] = prefix + strings.TrimSpace(n)
	}
	return strings.Join(names, ", ")
}

func (t *Tx) workItems(ctx context.Context, q string, args ...any) ([]*pipeline.WorkItem, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.WorkItem
	for rows.Next() {
		w, err := scanWorkItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// scanWorkItem scans the workCols of a row, then its columns after them
// into more.
func scanWorkItem(rows Rows, more ...any) (*pipeline.WorkItem, error) {
	var w pipeline.WorkItem
	var source, status string
	var version, segment int64
	dest := append([]any{&w.ID, &w.Key, &source, &w.Code, &w.Category, &w.Summary, jsonDest{&w.Reasons},
		&w.ClaimID, &version, &w.EncounterID, &w.BatchID, &w.RemittanceID, &w.InboundFileID, &segment,
		&w.PayerID, &status, &w.Assignee, timeDest{&w.CreatedAt}, timeDest{&w.UpdatedAt},
		timeDest{&w.ClosedAt}, &w.ClosedBy, &w.Note}, more...)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	w.Source, w.Status = pipeline.WorkSource(source), pipeline.WorkStatus(status)
	w.Version, w.Segment = int(version), int(segment)
	return &w, nil
}

// UpdateWorkItem implements pipeline.WorkTx.
func (t *Tx) UpdateWorkItem(ctx context.Context, w *pipeline.WorkItem) error {
	if err := t.check(); err != nil {
		return err
	}
	now := t.stamp(time.Time{})
	w.ClosedAt = NormTime(w.ClosedAt)
	n, err := t.c.Exec(ctx, `UPDATE work_items SET status = $2, assignee = $3, note = $4, closed_at = $5,
closed_by = $6, updated_at = $7 WHERE id = $1`,
		w.ID, string(w.Status), w.Assignee, w.Note, t.c.Time(w.ClosedAt), w.ClosedBy, t.c.Time(now))
	if err != nil {
		if t.c.IsUniqueViolation(err) {
			// PostgreSQL aborts the transaction on the violation: on
			// both stores it can only roll back, as in OpenWorkItem.
			return t.fail(fmt.Errorf("update work item %d: another open item has its key %s: %w", w.ID, w.Key, pipeline.ErrConflict))
		}
		return fmt.Errorf("update work item %d: %w", w.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("update work item %d: %w", w.ID, pipeline.ErrNotFound)
	}
	w.UpdatedAt = now
	return nil
}
