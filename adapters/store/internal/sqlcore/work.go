package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// CountWorkItems implements pipeline.WorkTx.
func (t *Tx) CountWorkItems(ctx context.Context, f pipeline.WorkFilter) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	where, args := t.workWhere(f, "")
	var n int64
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM work_items WHERE "+where, args, &n); err != nil {
		return 0, fmt.Errorf("count work items: %w", err)
	}
	return int(n), nil
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

// The batch forms of OpenWorkItem and CloseWorkItems, for posting a
// chunk of an 835 in a few statements (on PostgreSQL every statement is
// a round trip).

// workInsertRows bounds the rows of one multi-row INSERT into
// work_items: at 18 parameters a row, it stays far below both
// databases' parameter limits.
const workInsertRows = 500

// OpenWorkItems implements pipeline.WorkTx: OpenWorkItem for each item,
// in a few statements. One query finds the keys that have an open item,
// each then updated as OpenWorkItem updates it (one statement each: a
// claim denied again while its item is open); multi-row INSERTs open the
// others. An insert whose key another transaction opened meanwhile
// (PostgreSQL) does nothing, and the item it met is updated instead, as
// OpenWorkItem does in its savepoint. Keys must be non-empty and
// distinct: otherwise it returns an error and opens nothing.
func (t *Tx) OpenWorkItems(ctx context.Context, ws []*pipeline.WorkItem) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(ws) == 0 {
		return nil
	}
	reasons := make([]string, len(ws))
	keys := make([]any, len(ws))
	seen := make(map[string]bool, len(ws))
	for i, w := range ws {
		if w.Key == "" {
			return fmt.Errorf("open work items: item %d (%s) has no key", i, w.Source)
		}
		if seen[w.Key] {
			return fmt.Errorf("open work items: key %s appears twice", w.Key)
		}
		seen[w.Key] = true
		keys[i] = w.Key
		r, err := jsonArg(w.Reasons)
		if err != nil {
			return fmt.Errorf("open work items: %s: %w", w.Key, err)
		}
		reasons[i] = r
	}
	open, err := t.openKeys(ctx, keys)
	if err != nil {
		return fmt.Errorf("open work items: %w", err)
	}
	now := t.stamp(time.Time{})
	var fresh []int // the items to insert
	for i, w := range ws {
		w.Status = pipeline.WorkOpen
		w.CreatedAt = t.stamp(w.CreatedAt)
		if !open[w.Key] {
			fresh = append(fresh, i)
			continue
		}
		ok, err := t.updateOpenItem(ctx, w, reasons[i], now)
		if err != nil {
			return t.fail(err)
		}
		if !ok { // closed meanwhile
			fresh = append(fresh, i)
		}
	}
	for start := 0; start < len(fresh); start += workInsertRows {
		if err := t.insertWorkItems(ctx, ws, reasons, fresh[start:min(start+workInsertRows, len(fresh))], now); err != nil {
			return t.fail(err)
		}
	}
	return nil
}

// openKeys returns which of keys have an open work item.
func (t *Tx) openKeys(ctx context.Context, keys []any) (map[string]bool, error) {
	open := make(map[string]bool)
	chunk := t.c.Chunk()
	for start := 0; start < len(keys); start += chunk {
		in, args := t.c.In("item_key", 1, keys[start:min(start+chunk, len(keys))])
		rows, err := t.c.Query(ctx, "SELECT item_key FROM work_items WHERE status = 'open' AND "+in, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			open[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return open, nil
}

// insertWorkItems inserts the items ws[i] for i in idx as new open
// items, in one statement; an item whose key has an open item by now is
// updated instead (see OpenWorkItems).
func (t *Tx) insertWorkItems(ctx context.Context, ws []*pipeline.WorkItem, reasons []string, idx []int, now time.Time) error {
	var b strings.Builder
	b.WriteString(`INSERT INTO work_items (item_key, source, code, category, summary, reasons, claim_id,
version, encounter_id, batch_id, remittance_id, inbound_file_id, segment, payer_id, status, assignee,
created_at, updated_at, closed_at, closed_by, note) VALUES `)
	const cols = 18
	args := make([]any, 0, cols*len(idx))
	byKey := make(map[string]*pipeline.WorkItem, len(idx))
	for n, i := range idx {
		w := ws[i]
		byKey[w.Key] = w
		if n > 0 {
			b.WriteString(", ")
		}
		p := len(args) + 1
		fmt.Fprintf(&b, "(%s, 'open', $%d, $%d, $%d, NULL, '', $%d)", placeholders(p, 14), p+14, p+15, p+16, p+17)
		args = append(args, w.Key, string(w.Source), w.Code, w.Category, w.Summary, reasons[i], w.ClaimID, int64(w.Version),
			w.EncounterID, w.BatchID, w.RemittanceID, w.InboundFileID, int64(w.Segment), w.PayerID, w.Assignee,
			t.c.Time(w.CreatedAt), t.c.Time(now), w.Note)
	}
	b.WriteString(" ON CONFLICT (item_key) WHERE status = 'open' AND item_key <> '' DO NOTHING RETURNING id, item_key")
	rows, err := t.c.Query(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("open work items: %w", err)
	}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return fmt.Errorf("open work items: %w", err)
		}
		w := byKey[key]
		if w == nil {
			rows.Close()
			return fmt.Errorf("open work items: inserted an item of key %s, which was not asked for", key)
		}
		w.ID, w.UpdatedAt, w.ClosedAt, w.ClosedBy = id, now, time.Time{}, ""
		delete(byKey, key)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open work items: %w", err)
	}
	for _, i := range idx { // in order: those opened meanwhile by another transaction
		w := ws[i]
		if byKey[w.Key] == nil {
			continue
		}
		ok, err := t.updateOpenItem(ctx, w, reasons[i], now)
		if err == nil && !ok {
			err = fmt.Errorf("open work item %s: opened and closed meanwhile: %w", w.Key, pipeline.ErrConflict)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// CloseWorkItemsByKey implements pipeline.WorkTx: CloseWorkItems for
// each key of notes, with its note, in one statement per Chunk of keys.
// It returns how many items it closed.
func (t *Tx) CloseWorkItemsByKey(ctx context.Context, notes map[string]string, by string) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	keys := make([]string, 0, len(notes))
	for k := range notes {
		if k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	now := t.c.Time(t.stamp(time.Time{}))
	closed := 0
	chunk := t.c.Chunk()
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		vals := make([]string, len(part))
		for i, k := range part {
			vals[i] = notes[k]
		}
		from, args := t.c.Values(3, []string{"k", "note"}, []any{part, vals})
		n, err := t.c.Exec(ctx, "UPDATE work_items SET status = 'closed', closed_at = $1, updated_at = $1, closed_by = $2, note = v.note FROM "+
			from+" WHERE work_items.item_key = v.k AND work_items.status = 'open' AND work_items.item_key <> ''", append([]any{now, by}, args...)...)
		if err != nil {
			return closed, t.fail(fmt.Errorf("close work items: %w", err))
		}
		closed += int(n)
	}
	return closed, nil
}
