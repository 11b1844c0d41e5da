package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
)

// copyThreshold is the number of rows from which Insert uses COPY rather
// than multi-row INSERT statements.
const copyThreshold = 32

// conn is one transaction (sqlcore.Conn).
type conn struct {
	s       *Store
	tx      pgx.Tx
	args    sqlcore.Args // reused argument buffer for Insert
	copyBuf []byte       // reused COPY buffer for Insert
}

var (
	_ sqlcore.Conn      = (*conn)(nil)
	_ sqlcore.Batcher   = (*conn)(nil)
	_ sqlcore.RowLocker = (*conn)(nil)
)

// RowLockSkip implements sqlcore.RowLocker: instances taking work units
// at once pass over each other's rows instead of waiting for them.
func (c *conn) RowLockSkip() string { return " FOR UPDATE SKIP LOCKED" }

func (c *conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	ct, err := c.tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return ct.RowsAffected(), nil
}

func (c *conn) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	return c.tx.Query(ctx, q, args...)
}

// QueryBatch implements sqlcore.Batcher with a pgx batch: one round
// trip, and each result decoded while the server runs the next query.
func (c *conn) QueryBatch(ctx context.Context, qs []sqlcore.Query, each func(int, sqlcore.Rows) error) error {
	var b pgx.Batch
	for _, q := range qs {
		b.Queue(q.SQL, q.Args...)
	}
	br := c.tx.SendBatch(ctx, &b)
	for i := range qs {
		rows, err := br.Query()
		if err == nil {
			err = each(i, rows)
			rows.Close()
		}
		if err != nil {
			return errors.Join(err, br.Close())
		}
	}
	return br.Close()
}

// Insert writes rows with COPY, from copyThreshold rows on, and with
// multi-row INSERT statements below that.
func (c *conn) Insert(ctx context.Context, t *sqlcore.Table, src sqlcore.RowSource) error {
	if src.Len() >= copyThreshold {
		r := newCopyReader(t, src, c.copyBuf)
		if _, err := c.tx.Conn().PgConn().CopyFrom(ctx, r, c.s.copySQL(t)); err != nil {
			// pgconn may not have waited for its reading goroutine:
			// leave it the buffer.
			return err
		}
		c.copyBuf = r.w.b[:0]
		return nil
	}
	c.args.TimeArg = c.Time
	return sqlcore.InsertRows(t, src, &c.args, func(n int) string { return c.s.insertSQL(t, n) },
		func(q string, args []any) error {
			_, err := c.tx.Exec(ctx, q, args...)
			return err
		})
}

// insertSQL returns sqlcore.InsertSQL(t, n), built once per store.
func (s *Store) insertSQL(t *sqlcore.Table, n int) string {
	k := insertKey{t, n}
	if q, ok := s.inserts.Load(k); ok {
		return q.(string)
	}
	q := sqlcore.InsertSQL(t, n)
	s.inserts.Store(k, q)
	return q
}

// copySQL returns the COPY statement for t, built once per store.
func (s *Store) copySQL(t *sqlcore.Table) string {
	k := insertKey{t, 0}
	if q, ok := s.inserts.Load(k); ok {
		return q.(string)
	}
	q := copySQL(t)
	s.inserts.Store(k, q)
	return q
}

// insertKey keys the statements of insertSQL (n rows) and copySQL (n = 0).
type insertKey struct {
	t *sqlcore.Table
	n int
}

// ReserveIDs takes n values of the table's identity sequence. A sequence
// that steps by k (migration 0005 sets 1000 for the tables written in
// bulk) hands out a block of k IDs per nextval: its value and the k-1
// after it, so that n IDs cost n/k nextvals. Values not inserted are lost
// (gaps in IDs), never handed out twice.
func (c *conn) ReserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	var step int64
	var starts []int64
	err := c.tx.QueryRow(ctx, `WITH s AS MATERIALIZED (
    SELECT q.seqrelid AS seq, q.seqincrement AS step FROM pg_sequence q
    WHERE q.seqrelid = pg_get_serial_sequence($1, 'id')::regclass)
SELECT s.step, array_agg(nextval(s.seq)) FROM s, generate_series(1, ($2 + s.step - 1) / s.step) GROUP BY s.step`,
		table, int64(n)).Scan(&step, &starts)
	if err != nil {
		return nil, err
	}
	if step < 1 {
		return nil, fmt.Errorf("the id sequence of %s steps by %d", table, step)
	}
	slices.Sort(starts)
	ids := make([]int64, 0, n)
	for _, v := range starts {
		for k := int64(0); k < step && len(ids) < n; k++ {
			ids = append(ids, v+k)
		}
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserved %d ids of %s, want %d", len(ids), table, n)
	}
	return ids, nil
}

// Lock takes a transaction-scoped advisory lock on the key within the
// current schema.
func (c *conn) Lock(ctx context.Context, key string) error {
	_, err := c.tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(COALESCE(current_schema(), '') || ' ' || $1, 0))", key)
	return err
}

func (c *conn) Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return sqlcore.NormTime(t)
}

func (c *conn) IsUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

func (c *conn) IsForeignKeyViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// In is "col = ANY($first)" with one array: one prepared statement
// whatever the number of values, where a list of parameters would make
// PostgreSQL parse and plan a new statement of hundreds of parameters.
func (c *conn) In(col string, first int, vals []any) (string, []any) {
	return fmt.Sprintf("%s = ANY($%d)", col, first), []any{column(len(vals), func(i int) any { return vals[i] })}
}

// Values is unnest over one array per column.
func (c *conn) Values(first int, cols []string, columns []any) (string, []any) {
	var b strings.Builder
	b.WriteString("unnest(")
	for j := range cols {
		if j > 0 {
			b.WriteString(", ")
		}
		typ := "text"
		if _, ok := columns[j].([]int64); ok {
			typ = "bigint"
		}
		fmt.Fprintf(&b, "$%d::%s[]", first+j, typ)
	}
	fmt.Fprintf(&b, ") AS v(%s)", strings.Join(cols, ", "))
	return b.String(), columns
}

// Chunk bounds the arrays In and Values send.
func (c *conn) Chunk() int { return 10000 }

// column gathers the n values at(0) … at(n-1), all int64 or all string,
// into a []int64 or a []string.
func column(n int, at func(int) any) any {
	if n > 0 {
		if _, ok := at(0).(int64); ok {
			out := make([]int64, n)
			for i := range out {
				out[i] = at(i).(int64)
			}
			return out
		}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = at(i).(string)
	}
	return out
}
