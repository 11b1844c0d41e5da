package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
)

// rows reads a query's result from the driver (sqlcore.Rows), converting
// values as database/sql's Scan does for the destinations the store
// scans into (see scanValue). Like database/sql's rows, they close
// themselves after the last row or an error, and end with the query's
// context: Next returns false once it is done.
type rows struct {
	c    *conn
	dr   driver.Rows
	ctx  context.Context
	done <-chan struct{} // ctx.Done(), nil when ctx never ends
	vals []driver.Value  // the current row
	stmt driverStmt      // a one-off statement, closed with the rows
	row  bool            // vals holds a row
	// closed: the driver rows are closed; err: why the rows ended early.
	closed bool
	err    error
}

var _ sqlcore.Rows = (*rows)(nil)

func newRows(ctx context.Context, c *conn, dr driver.Rows) *rows {
	return &rows{c: c, dr: dr, ctx: ctx, done: ctx.Done(), vals: make([]driver.Value, len(dr.Columns()))}
}

func (r *rows) Next() bool {
	r.row = false
	if r.closed {
		return false
	}
	select {
	case <-r.done:
		r.err = r.ctx.Err()
		r.Close()
		return false
	default:
	}
	if err := r.dr.Next(r.vals); err != nil {
		if err != io.EOF {
			r.err = err
		}
		r.Close()
		return false
	}
	r.row = true
	return true
}

func (r *rows) Scan(dest ...any) error {
	switch {
	case r.err != nil:
		return r.err
	case !r.row:
		return errors.New("scan: no row (Next not called, or it returned false)")
	case len(dest) != len(r.vals):
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.vals))
	}
	for i, v := range r.vals {
		if err := scanValue(dest[i], v); err != nil {
			return fmt.Errorf("scan column %d (%s): %w", i, r.dr.Columns()[i], err)
		}
	}
	return nil
}

// Err returns the error that ended the rows early, or that closing them
// returned.
func (r *rows) Err() error { return r.err }

func (r *rows) Close() {
	if r.closed {
		return
	}
	r.closed, r.row = true, false
	clear(r.vals)
	if err := r.dr.Close(); err != nil && r.err == nil {
		r.err = err
	}
	if r.stmt != nil {
		r.stmt.Close()
		r.stmt = nil
	}
	if i := slices.Index(r.c.open, r); i >= 0 {
		r.c.open = slices.Delete(r.c.open, i, i+1)
	}
}

// errNilPtr is the error of a nil destination pointer.
var errNilPtr = errors.New("destination pointer is nil")

// scanValue stores src, a value of the driver (int64, float64, string,
// []byte, time.Time or nil), into dest, one of the destination types the
// store scans into, with the conversions of database/sql's Scan: NULL
// only into *[]byte, *any or a sql.Scanner; a number into *string as its
// text; text into *int64 or *int when it parses; 0 or 1 (or text that
// strconv.ParseBool accepts) into *bool. Bytes are copied: the driver
// may reuse its buffer. Another destination type is an error.
func scanValue(dest any, src driver.Value) error {
	switch d := dest.(type) {
	case *int64:
		if v, ok := src.(int64); ok {
			return set(d, v)
		}
		v, err := parseInt(src, "int64", 64)
		if err != nil {
			return err
		}
		return set(d, v)
	case *int:
		if v, ok := src.(int64); ok && int64(int(v)) == v {
			return set(d, int(v))
		}
		v, err := parseInt(src, "int", strconv.IntSize)
		if err != nil {
			return err
		}
		return set(d, int(v))
	case *string:
		switch v := src.(type) {
		case string:
			return set(d, v)
		case []byte:
			return set(d, string(v))
		case time.Time:
			return set(d, v.Format(time.RFC3339Nano))
		case int64, float64, bool:
			return set(d, asString(v))
		case nil:
			return errors.New("converting NULL to string is unsupported")
		}
	case *[]byte:
		switch v := src.(type) {
		case nil:
			return set(d, nil)
		case []byte:
			return set(d, bytes.Clone(v))
		case string:
			return set(d, []byte(v))
		case time.Time:
			return set(d, v.AppendFormat(nil, time.RFC3339Nano))
		case int64, float64, bool:
			return set(d, []byte(asString(v)))
		}
	case *bool:
		switch v := src.(type) {
		case bool:
			return set(d, v)
		case int64:
			if v == 0 || v == 1 {
				return set(d, v == 1)
			}
		}
		v, err := driver.Bool.ConvertValue(src)
		if err != nil {
			return err
		}
		return set(d, v.(bool))
	case *any:
		if v, ok := src.([]byte); ok {
			return set(d, any(bytes.Clone(v)))
		}
		return set(d, any(src))
	case sql.Scanner:
		return d.Scan(src)
	default:
		return fmt.Errorf("unsupported destination type %T", dest)
	}
	return fmt.Errorf("unsupported conversion of %T into %T", src, dest)
}

// set stores v into *d.
func set[T any](d *T, v T) error {
	if d == nil {
		return errNilPtr
	}
	*d = v
	return nil
}

// parseInt converts src into an integer of the given bits through its
// text, as database/sql does (a whole float64 parses; 1.5 does not).
func parseInt(src driver.Value, kind string, bits int) (int64, error) {
	if src == nil {
		return 0, fmt.Errorf("converting NULL to %s is unsupported", kind)
	}
	s := asString(src)
	v, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok {
			err = ne.Err
		}
		return 0, fmt.Errorf("converting driver.Value type %T (%q) to a %s: %w", src, s, kind, err)
	}
	return v, nil
}

// asString is the text of a driver value, as database/sql makes it.
func asString(src driver.Value) string {
	switch v := src.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(src)
}
