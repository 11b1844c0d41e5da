package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// errDone is returned by a Tx used after its transaction ended.
var errDone = errors.New("transaction already ended")

// Tx implements pipeline.Tx over a Conn. Adapters create one per
// transaction with NewTx, call Flush before committing and End when the
// transaction is over.
type Tx struct {
	c     Conn
	now   func() time.Time
	hints *IDHints
	done  bool
	// failed is set when a method failed after writing part of its
	// change; the transaction can then only roll back.
	failed error

	ids map[string]*idPool

	// Claims and remittances known to exist in this transaction: the
	// deferred rows that name others are checked before they are written.
	knownClaims, knownRemits map[int64]bool
	// Claims named by rows already written without a foreign key (the
	// submissions, on PostgreSQL) that the transaction did not know of
	// then: checked with the deferred rows' (checkRefs), before commit.
	unchecked []int64

	// Deferred rows, written by Flush.
	versions    []versionRow
	payments    []pipeline.ClaimPayment
	entries     []ledgerRow
	events      []pipeline.Event
	adjustments []pipeline.ProviderAdjustment
}

var _ pipeline.Tx = (*Tx)(nil)

// NewTx returns a Tx over c. now is the clock used for the timestamps the
// store fills in (creation and update times left zero by the caller);
// hints, shared by the transactions of a store, sizes ID reservations
// (nil: no hints).
func NewTx(c Conn, now func() time.Time, hints *IDHints) *Tx {
	return &Tx{c: c, now: now, hints: hints}
}

// End marks the transaction as over: later calls fail. It records how
// many IDs of each table the transaction used, as the next hint.
func (t *Tx) End() {
	if t.done {
		return
	}
	t.done = true
	if t.hints != nil {
		for table, p := range t.ids {
			t.hints.set(table, p.used)
		}
	}
}

// IDHints remembers how many IDs of each table the last transaction of a
// store used, so that the next one reserves that many at once (one round
// trip on PostgreSQL) rather than in growing blocks. It is safe for
// concurrent use; the zero value is ready.
type IDHints struct {
	mu sync.Mutex
	m  map[string]int
}

func (h *IDHints) get(table string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[table]
}

func (h *IDHints) set(table string, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = make(map[string]int)
	}
	h.m[table] = n
}

// Flush writes the deferred rows. Adapters call it before COMMIT.
func (t *Tx) Flush(ctx context.Context) error {
	if err := t.check(); err != nil {
		return err
	}
	return t.flush(ctx)
}

// fail records that a method failed after writing part of its change,
// and returns err. Every later call, and the commit, fails.
func (t *Tx) fail(err error) error {
	if t.failed == nil {
		t.failed = err
	}
	return err
}

func (t *Tx) flush(ctx context.Context) error {
	if err := t.flushVersions(ctx); err != nil {
		return err
	}
	if err := t.checkRefs(ctx); err != nil {
		return err
	}
	if len(t.payments) > 0 {
		if err := t.c.Insert(ctx, tablePayments, paymentRows(t.payments)); err != nil {
			return fmt.Errorf("write claim payments: %w", err)
		}
		t.payments = t.payments[:0]
	}
	if len(t.entries) > 0 {
		if err := t.c.Insert(ctx, tableEntries, entryRows(t.entries)); err != nil {
			return fmt.Errorf("write ledger entries: %w", err)
		}
		t.entries = t.entries[:0]
	}
	if len(t.events) > 0 {
		if err := t.c.Insert(ctx, tableEvents, eventRows(t.events)); err != nil {
			return fmt.Errorf("write claim events: %w", err)
		}
		t.events = t.events[:0]
	}
	if len(t.adjustments) > 0 {
		if err := t.c.Insert(ctx, tableAdjustments, adjustmentRows(t.adjustments)); err != nil {
			return fmt.Errorf("write provider adjustments: %w", err)
		}
		t.adjustments = t.adjustments[:0]
	}
	return nil
}

// checkRefs makes sure that the claims and remittances named by the
// deferred rows exist, as foreign keys would (see the schema for why
// those rows have none).
func (t *Tx) checkRefs(ctx context.Context) error {
	claims := make(map[int64]bool)
	remits := make(map[int64]bool)
	need := func(known map[int64]bool, want map[int64]bool, id int64) {
		if !known[id] {
			want[id] = true
		}
	}
	for i := range t.payments {
		need(t.knownClaims, claims, t.payments[i].ClaimID)
		need(t.knownRemits, remits, t.payments[i].RemittanceID)
	}
	for i := range t.entries {
		need(t.knownClaims, claims, t.entries[i].e.ClaimID)
	}
	for i := range t.events {
		need(t.knownClaims, claims, t.events[i].ClaimID)
	}
	for _, id := range t.unchecked {
		need(t.knownClaims, claims, id)
	}
	if err := t.checkExist(ctx, "claims", "claim", claims, &t.knownClaims); err != nil {
		return err
	}
	t.unchecked = t.unchecked[:0]
	return t.checkExist(ctx, "remittances", "remittance", remits, &t.knownRemits)
}

// checkExist fails unless every ID in want is in table, and adds them to
// known.
func (t *Tx) checkExist(ctx context.Context, table, what string, want map[int64]bool, known *map[int64]bool) error {
	if len(want) == 0 {
		return nil
	}
	ids := make([]any, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	chunk := t.c.Chunk()
	for start := 0; start < len(ids); start += chunk {
		in, args := t.c.In("id", 1, ids[start:min(start+chunk, len(ids))])
		rows, err := t.c.Query(ctx, "SELECT id FROM "+table+" WHERE "+in, args...)
		if err != nil {
			return fmt.Errorf("check %s IDs: %w", what, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("check %s IDs: %w", what, err)
			}
			delete(want, id)
			t.know(known, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("check %s IDs: %w", what, err)
		}
	}
	for id := range want {
		return fmt.Errorf("rows name %s %d, which does not exist: %w", what, id, pipeline.ErrNotFound)
	}
	return nil
}

// know records that a claim or remittance exists.
func (t *Tx) know(known *map[int64]bool, id int64) {
	if *known == nil {
		*known = make(map[int64]bool)
	}
	(*known)[id] = true
}

// flushVersions writes the deferred claim versions, which reads of
// claims need. (Reads of claims do not flush the ledger rows: posting
// reads a claim per CLP, and those rows are best written together.)
func (t *Tx) flushVersions(ctx context.Context) error {
	if len(t.versions) == 0 {
		return nil
	}
	if err := t.c.Insert(ctx, tableVersions, versionRows(t.versions)); err != nil {
		return fmt.Errorf("write claim versions: %w", err)
	}
	t.versions = t.versions[:0]
	return nil
}

// check is called first by every method: it fails once the transaction
// ended.
func (t *Tx) check() error {
	if t.done {
		return errDone
	}
	if t.failed != nil {
		return fmt.Errorf("transaction must roll back: an earlier call failed part way: %w", t.failed)
	}
	return nil
}

// stamp returns v normalized, or the clock's time when v is zero.
func (t *Tx) stamp(v time.Time) time.Time {
	if v.IsZero() {
		v = t.now()
	}
	return NormTime(v)
}

// idPool hands out reserved IDs of one table, reserving more, in blocks
// growing from 16 to 4096, when it runs out. On PostgreSQL the IDs left
// at the end of a transaction are gaps; a transaction that uses n IDs of
// a table reserves at most about 4n.
type idPool struct {
	ids  []int64
	next int // block size of the next reservation
	used int // IDs handed out
}

// reserve returns n new IDs of table.
func (t *Tx) reserve(ctx context.Context, table string, n int) ([]int64, error) {
	if t.ids == nil {
		t.ids = make(map[string]*idPool)
	}
	p := t.ids[table]
	if p == nil {
		p = &idPool{next: 16}
		if t.hints != nil {
			p.next = min(max(p.next, t.hints.get(table)), 4096)
		}
		t.ids[table] = p
	}
	if len(p.ids) < n {
		want := max(n-len(p.ids), p.next)
		got, err := t.c.ReserveIDs(ctx, table, want)
		if err != nil {
			return nil, fmt.Errorf("reserve %s ids: %w", table, err)
		}
		if len(got) != want {
			return nil, fmt.Errorf("reserve %s ids: got %d, want %d", table, len(got), want)
		}
		p.ids = append(p.ids, got...)
		p.next = min(4*want, 4096)
	}
	out := p.ids[:n:n]
	p.ids = p.ids[n:]
	p.used += n
	return out, nil
}

// queryRow runs a query expected to return at most one row and scans it.
// It returns errNoRows when there is none.
func (t *Tx) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	rows, err := t.c.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

var errNoRows = errors.New("no rows")

// notFound turns errNoRows into pipeline.ErrNotFound, with context.
func notFound(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("%s: %w", msg, pipeline.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// exists reports whether a row with that id exists in table.
func (t *Tx) exists(ctx context.Context, table string, id int64) (bool, error) {
	var one int
	err := t.queryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = $1", []any{id}, &one)
	if errors.Is(err, errNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Lock implements pipeline.Tx.
func (t *Tx) Lock(ctx context.Context, key string) error {
	if err := t.check(); err != nil {
		return err
	}
	if err := t.c.Lock(ctx, key); err != nil {
		return fmt.Errorf("lock %q: %w", key, err)
	}
	return nil
}

// NextSequence implements pipeline.Tx. The value is taken inside the
// transaction: when it rolls back, the value is handed out again, so a
// committed sequence has no gaps.
func (t *Tx) NextSequence(ctx context.Context, name string) (int64, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	var v int64
	err := t.queryRow(ctx, `INSERT INTO sequences (name, value) VALUES ($1, 1)
ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1
RETURNING value`, []any{name}, &v)
	if err != nil {
		return 0, fmt.Errorf("next value of sequence %q: %w", name, err)
	}
	return v, nil
}

// NextSequences implements pipeline.Tx: n values of the sequence in one
// statement, the last of which it returns.
func (t *Tx) NextSequences(ctx context.Context, name string, n int) (int64, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("next %d values of sequence %q: want at least 1", n, name)
	}
	var v int64
	err := t.queryRow(ctx, `INSERT INTO sequences (name, value) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value = sequences.value + excluded.value
RETURNING value`, []any{name, int64(n)}, &v)
	if err != nil {
		return 0, fmt.Errorf("next %d values of sequence %q: %w", n, name, err)
	}
	return v, nil
}
