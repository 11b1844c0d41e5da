package sqlcore

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Rows is the result of a query, as both database/sql and pgx provide it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Conn is one open database transaction, as an adapter provides it to Tx.
// It is used by one goroutine at a time.
type Conn interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query. The caller closes the rows.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// Insert writes rows into table, all at once or in chunks.
	Insert(ctx context.Context, table *Table, rows RowSource) error
	// ReserveIDs returns n new, increasing, never used values for the id
	// column of table. Values reserved and not inserted may be lost or,
	// where the database allows it, handed out again by a later
	// transaction.
	ReserveIDs(ctx context.Context, table string, n int) ([]int64, error)
	// Lock takes an exclusive lock on key until the transaction ends.
	Lock(ctx context.Context, key string) error
	// Time converts a timestamp into a query argument: nil for the zero
	// time, UTC at microsecond precision otherwise.
	Time(t time.Time) any
	// IsUniqueViolation reports whether err is a unique-constraint
	// violation.
	IsUniqueViolation(err error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key
	// violation.
	IsForeignKeyViolation(err error) bool

	// In returns the condition that col is one of vals (all int64 or all
	// string, at least one), with its parameters numbered from first, and
	// the arguments to bind for them.
	In(col string, first int, vals []any) (string, []any)
	// Values returns a FROM item, named v, holding the rows of columns
	// (one per name in cols, each a []int64 or a []string, all of the
	// same length, at least one), with its parameters numbered from
	// first, and the arguments to bind for them.
	Values(first int, cols []string, columns []any) (string, []any)
	// Chunk is the most values In, or rows Values, takes at once.
	Chunk() int
}

// Query is one statement of a batch, with its arguments.
type Query struct {
	SQL  string
	Args []any
}

// Batcher is a Conn that can send several queries at once: PostgreSQL
// pipelines them, and the client reads one result while the server runs
// the next.
type Batcher interface {
	// QueryBatch sends qs and passes the rows of each, in order, to
	// each, which must not close them. It stops at the first error.
	QueryBatch(ctx context.Context, qs []Query, each func(i int, rows Rows) error) error
}

// queryEach runs qs in order and passes the rows of each to each: in one
// batch when c is a Batcher, otherwise one query after the other.
func queryEach(ctx context.Context, c Conn, qs []Query, each func(i int, rows Rows) error) error {
	if b, ok := c.(Batcher); ok {
		return b.QueryBatch(ctx, qs, each)
	}
	for i, q := range qs {
		rows, err := c.Query(ctx, q.SQL, q.Args...)
		if err != nil {
			return err
		}
		err = each(i, rows)
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// InList is In as a list of parameters: "col IN ($first, ...)".
func InList(col string, first int, vals []any) (string, []any) {
	return col + " IN (" + placeholders(first, len(vals)) + ")", vals
}

// ValuesList is Values as a VALUES list of parameters, its columns
// renamed: "(SELECT column1 AS a, column2 AS b FROM (VALUES ($first,
// $first+1), ...)) AS v".
func ValuesList(first int, cols []string, columns []any) (string, []any) {
	var b strings.Builder
	b.WriteString("(SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "column%d AS %s", i+1, c)
	}
	b.WriteString(" FROM (VALUES ")
	n := columnLen(columns[0])
	args := make([]any, 0, n*len(cols))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		b.WriteString(placeholders(first+len(args), len(cols)))
		b.WriteByte(')')
		for _, col := range columns {
			switch col := col.(type) {
			case []int64:
				args = append(args, col[i])
			case []string:
				args = append(args, col[i])
			}
		}
	}
	b.WriteString(")) AS v")
	return b.String(), args
}

// columnLen is the length of a Values column: a []int64 or a []string.
func columnLen(col any) int {
	switch col := col.(type) {
	case []int64:
		return len(col)
	case []string:
		return len(col)
	}
	panic(fmt.Sprintf("sqlcore: a Values column is a []int64 or a []string, not %T", col))
}

// Table names a table and the columns a RowSource fills, in order.
type Table struct {
	Name string
	Cols []string
}

// RowSource yields rows for Conn.Insert.
type RowSource interface {
	// Len is the number of rows.
	Len() int
	// WriteRow writes the values of row i to w, one call per column of
	// the table, in order.
	WriteRow(i int, w RowWriter)
}

// RowWriter takes the values of one row, column by column. Its typed
// methods let an adapter encode rows without boxing each value in an
// interface (PostgreSQL's binary COPY); Args collects them as query
// arguments.
type RowWriter interface {
	// Int writes an integer (a BIGINT column).
	Int(v int64)
	// Text writes a string (a TEXT column).
	Text(s string)
	// JSON writes a JSON document held as text (a TEXT column on both
	// stores).
	JSON(s string)
	// Bytes writes bytes (BYTEA on PostgreSQL, BLOB on SQLite); nil is
	// NULL.
	Bytes(b []byte)
	// Bool writes a boolean.
	Bool(v bool)
	// Time writes a timestamp; the zero time is NULL.
	Time(t time.Time)
}

// Args is a RowWriter that collects values as query arguments, for
// inserting with parameters.
type Args struct {
	// Vals holds the values written, in order.
	Vals []any
	// TimeArg converts a timestamp into an argument (Conn.Time).
	TimeArg func(time.Time) any
}

var _ RowWriter = (*Args)(nil)

func (a *Args) Int(v int64)      { a.Vals = append(a.Vals, v) }
func (a *Args) Text(s string)    { a.Vals = append(a.Vals, s) }
func (a *Args) JSON(s string)    { a.Vals = append(a.Vals, s) }
func (a *Args) Bytes(b []byte)   { a.Vals = append(a.Vals, b) }
func (a *Args) Bool(v bool)      { a.Vals = append(a.Vals, v) }
func (a *Args) Time(t time.Time) { a.Vals = append(a.Vals, a.TimeArg(t)) }

// InsertRows inserts src into t with multi-row INSERT statements of the
// sizes InsertChunks gives, for adapters that bind parameters. a collects
// each statement's values; its buffer is kept for the next call, its
// values are not. sql returns the statement for n rows (InsertSQL, which
// adapters cache) and exec runs it.
func InsertRows(t *Table, src RowSource, a *Args, sql func(n int) string, exec func(q string, args []any) error) error {
	defer func() {
		clear(a.Vals[:cap(a.Vals)])
		a.Vals = a.Vals[:0]
	}()
	row := 0
	for _, size := range InsertChunks(src.Len()) {
		a.Vals = a.Vals[:0]
		for i := range size {
			src.WriteRow(row+i, a)
		}
		if len(a.Vals) != size*len(t.Cols) {
			return fmt.Errorf("insert into %s: %d values for %d rows of %d columns", t.Name, len(a.Vals), size, len(t.Cols))
		}
		if err := exec(sql(size), a.Vals); err != nil {
			return err
		}
		row += size
	}
	return nil
}
