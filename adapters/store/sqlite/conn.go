package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// maxCachedStmts bounds the prepared-statement cache; statements past it
// (queries with a variable number of parameters) are prepared per use.
const maxCachedStmts = 256

// driverConn is what a transaction needs of the modernc.org/sqlite
// driver connection.
type driverConn interface {
	driver.ExecerContext
	driver.ConnPrepareContext
}

// driverStmt is what a transaction needs of a modernc.org/sqlite
// prepared statement.
type driverStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// conn is one transaction on the store's connection (sqlcore.Conn). It
// calls the driver connection directly, bypassing database/sql, and is
// only used inside the Raw callback that provides dc (see Store.runTx).
type conn struct {
	s    *Store
	dc   driverConn
	args sqlcore.Args        // reused argument buffer for Insert
	nv   []driver.NamedValue // reused driver argument buffer
	open []*rows             // rows not closed yet, closed when the transaction ends
}

var _ sqlcore.Conn = (*conn)(nil)

// newConn returns a transaction on the driver connection dc.
func newConn(s *Store, dc any) (*conn, error) {
	d, ok := dc.(driverConn)
	if !ok {
		return nil, fmt.Errorf("driver connection %T lacks ExecContext or PrepareContext", dc)
	}
	return &conn{s: s, dc: d}, nil
}

// detach ends c's use of the driver connection, which is only valid
// inside the Raw callback: a later call panics rather than use it.
func (c *conn) detach() { c.dc = nil }

// commit closes the rows left open and commits.
func (c *conn) commit(ctx context.Context) error {
	c.closeRows()
	_, err := c.dc.ExecContext(ctx, "COMMIT", nil)
	return err
}

// rollback closes the rows left open and ends the open transaction.
// SQLite may already have rolled it back (an interrupted statement does),
// which is not an error.
func (c *conn) rollback(ctx context.Context) error {
	c.closeRows()
	_, err := c.dc.ExecContext(context.WithoutCancel(ctx), "ROLLBACK", nil)
	if err != nil && !isNoTransaction(err) {
		return fmt.Errorf("sqlite store: rollback: %w", err)
	}
	return nil
}

// closeRows closes the rows left open, so that none outlives the
// transaction (and the callback that provides the driver connection).
func (c *conn) closeRows() {
	for len(c.open) > 0 {
		c.open[len(c.open)-1].Close()
	}
}

// stmt returns the prepared statement for q and whether the caller must
// close it after use.
func (c *conn) stmt(ctx context.Context, q string) (driverStmt, bool, error) {
	if st := c.s.stmts[q]; st != nil {
		return st, false, nil
	}
	ds, err := c.dc.PrepareContext(ctx, anonymous(q))
	if err != nil {
		return nil, false, err
	}
	st, ok := ds.(driverStmt)
	if !ok {
		ds.Close()
		return nil, false, fmt.Errorf("driver statement %T lacks ExecContext or QueryContext", ds)
	}
	if len(c.s.stmts) >= maxCachedStmts {
		return st, true, nil
	}
	c.s.stmts[q] = st
	return st, false, nil
}

// namedValues returns args as driver arguments, in c's buffer: the driver
// binds (copies) them before ExecContext or QueryContext returns, and the
// caller clears the buffer then.
func (c *conn) namedValues(args []any) ([]driver.NamedValue, error) {
	if cap(c.nv) < len(args) {
		c.nv = make([]driver.NamedValue, len(args))
	}
	nv := c.nv[:len(args)]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			clear(nv)
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv, nil
}

// driverValue converts a query argument into a value the driver binds, as
// database/sql does for a driver without its own converter.
func driverValue(v any) (driver.Value, error) {
	switch v := v.(type) {
	case nil, int64, string, bool, []byte, float64, time.Time:
		return v, nil
	case int:
		return int64(v), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

func (c *conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	if len(args) == 0 {
		// Possibly several statements (migrations): no preparation.
		res, err := c.dc.ExecContext(ctx, q, nil)
		if err != nil {
			return 0, err
		}
		if res == nil { // only comments: the driver ran nothing
			return 0, nil
		}
		return res.RowsAffected()
	}
	st, once, err := c.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	if once {
		defer st.Close()
	}
	nv, err := c.namedValues(args)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, nv)
	clear(nv)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c *conn) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	st, once, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	nv, err := c.namedValues(args)
	if err != nil {
		if once {
			st.Close()
		}
		return nil, err
	}
	dr, err := st.QueryContext(ctx, nv)
	clear(nv)
	if err != nil {
		if once {
			st.Close()
		}
		return nil, err
	}
	r := newRows(ctx, c, dr)
	if once {
		r.stmt = st
	}
	c.open = append(c.open, r)
	return r, nil
}

// insertSQL returns sqlcore.InsertSQL(t, n), built once per store.
func (s *Store) insertSQL(t *sqlcore.Table, n int) string {
	k := insertKey{t, n}
	q, ok := s.inserts[k]
	if !ok {
		q = sqlcore.InsertSQL(t, n)
		s.inserts[k] = q
	}
	return q
}

type insertKey struct {
	t *sqlcore.Table
	n int
}

func (c *conn) Insert(ctx context.Context, t *sqlcore.Table, src sqlcore.RowSource) error {
	c.args.TimeArg = c.Time
	return sqlcore.InsertRows(t, src, &c.args, func(n int) string { return c.s.insertSQL(t, n) },
		func(q string, args []any) error {
			_, err := c.Exec(ctx, q, args...)
			return err
		})
}

// ReserveIDs takes n values from the table's row in id_counters. The
// transaction holds the write lock, so no one else takes them meanwhile;
// if it rolls back, so does the counter.
func (c *conn) ReserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	first, err := c.reserveCounted(ctx, table, n)
	if errors.Is(err, sql.ErrNoRows) {
		first, err = c.reserveAfterMax(ctx, table)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids, nil
}

// reserveCounted takes n IDs from the table's row in id_counters, and
// returns the first; sql.ErrNoRows when it has none.
func (c *conn) reserveCounted(ctx context.Context, table string, n int) (int64, error) {
	r, err := c.Query(ctx, "UPDATE id_counters SET next = next + $2 WHERE name = $1 RETURNING next - $2", table, int64(n))
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if !r.Next() {
		return 0, fmt.Errorf("no id counter for %s: %w", table, errors.Join(r.Err(), sql.ErrNoRows))
	}
	var first int64
	if err := r.Scan(&first); err != nil {
		return 0, err
	}
	return first, nil
}

// reserveAfterMax returns the ID after the table's highest, for a table
// without a counter (claims, submissions): safe because every transaction
// holds the database's write lock, provided the caller inserts the IDs
// before it reserves more of that table (sqlcore's CreateClaims and
// CreateSubmissions do; its pooling reserve must not be used for such a
// table).
func (c *conn) reserveAfterMax(ctx context.Context, table string) (int64, error) {
	r, err := c.Query(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+table)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if !r.Next() {
		return 0, fmt.Errorf("highest id of %s: %w", table, errors.Join(r.Err(), sql.ErrNoRows))
	}
	var first int64
	if err := r.Scan(&first); err != nil {
		return 0, err
	}
	return first, nil
}

// Lock is a no-op: every transaction holds the database write lock.
func (c *conn) Lock(context.Context, string) error { return nil }

func (c *conn) Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return sqlcore.NormTime(t).Format(sqlcore.TimeText)
}

func (c *conn) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func (c *conn) IsForeignKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// anonymous returns q with its parameters $1, $2, ... $n written as ?,
// when they appear in that order, once each; otherwise q. SQLite binds
// anonymous parameters in constant time but looks numbered ones up in a
// list, which makes binding a statement with hundreds of parameters (a
// long IN list, a multi-row INSERT) quadratic.
func anonymous(q string) string {
	var b strings.Builder
	next := 1
	for i := 0; i < len(q); i++ {
		if q[i] != '$' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		if q[i+1:j] != strconv.Itoa(next) {
			return q
		}
		b.WriteByte('?')
		next++
		i = j - 1
	}
	return b.String()
}

// isNoTransaction reports whether err says no transaction is open.
func isNoTransaction(err error) bool {
	return strings.Contains(err.Error(), "no transaction is active")
}

// In is a list of parameters (sqlcore.InList).
func (c *conn) In(col string, first int, vals []any) (string, []any) {
	return sqlcore.InList(col, first, vals)
}

// Values is a VALUES list of parameters (sqlcore.ValuesList).
func (c *conn) Values(first int, cols []string, columns []any) (string, []any) {
	return sqlcore.ValuesList(first, cols, columns)
}

// Chunk keeps statements well under SQLite's 32766 parameters.
func (c *conn) Chunk() int { return 500 }
