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
	// ForUpdate is the clause that, appended to a SELECT, locks the rows
	// it returns until the transaction ends ("" when the transaction
	// already excludes other writers).
	ForUpdate() string
	// Time converts a timestamp into a query argument: nil for the zero
	// time, UTC at microsecond precision otherwise.
	Time(t time.Time) any
	// IsUniqueViolation reports whether err is a unique-constraint
	// violation.
	IsUniqueViolation(err error) bool

	// In returns the condition that col is one of vals (all int64 or all
	// string, at least one), with its parameters numbered from first, and
	// the arguments to bind for them.
	In(col string, first int, vals []any) (string, []any)
	// Values returns a FROM item, named v, holding rows (at least one, of
	// int64 and string values) in the columns cols, with its parameters
	// numbered from first, and the arguments to bind for them.
	Values(first int, cols []string, rows [][]any) (string, []any)
	// Chunk is the most values In, or rows Values, takes at once.
	Chunk() int
}

// InList is In as a list of parameters: "col IN ($first, ...)".
func InList(col string, first int, vals []any) (string, []any) {
	return col + " IN (" + placeholders(first, len(vals)) + ")", vals
}

// ValuesList is Values as a VALUES list of parameters, its columns
// renamed: "(SELECT column1 AS a, column2 AS b FROM (VALUES ($first,
// $first+1), ...)) AS v".
func ValuesList(first int, cols []string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString("(SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "column%d AS %s", i+1, c)
	}
	b.WriteString(" FROM (VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		b.WriteString(placeholders(first+len(args), len(r)))
		b.WriteByte(')')
		args = append(args, r...)
	}
	b.WriteString(")) AS v")
	return b.String(), args
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
	// Row stores the column values of row i into dst, which has one slot
	// per column of the table.
	Row(i int, dst []any)
}
