package postgres

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
)

// COPY in PostgreSQL's binary format (see "Binary Format" under COPY in
// the PostgreSQL manual): a header, then per row a 16-bit field count and
// per field a 32-bit length (-1 for NULL) and the value in the type's
// binary send format, then a trailer of -1.
//
// pgx's CopyFrom takes each row as a []any and plans the encoding of
// every value through its type map; for the tens of thousands of values
// of a posting that boxing, planning and garbage cost more client time
// than the rows take to send. copyReader encodes a sqlcore.RowSource
// directly, column by column, without allocating per value.

// copyHeader is the signature, the flags (none) and the length of the
// header extension (none).
const copyHeader = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// pgEpoch is the origin of PostgreSQL timestamps, in Unix microseconds.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// copyWriter appends one row's fields to b (sqlcore.RowWriter). The
// column types it writes are those of the store's schema: BIGINT, TEXT
// (JSON documents too, migration 0014), BYTEA, BOOLEAN and TIMESTAMPTZ.
type copyWriter struct {
	b      []byte
	fields int // written since the count was reset
}

var _ sqlcore.RowWriter = (*copyWriter)(nil)

func (w *copyWriter) Int(v int64) {
	w.b = binary.BigEndian.AppendUint32(w.b, 8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(v))
	w.fields++
}

func (w *copyWriter) Text(s string) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(s)))
	w.b = append(w.b, s...)
	w.fields++
}

// JSON writes a JSON document into a TEXT column.
func (w *copyWriter) JSON(s string) { w.Text(s) }

// Bytes writes a BYTEA value as its raw bytes, or NULL for nil.
func (w *copyWriter) Bytes(b []byte) {
	w.fields++
	if b == nil {
		w.b = binary.BigEndian.AppendUint32(w.b, 0xffffffff)
		return
	}
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(b)))
	w.b = append(w.b, b...)
}

func (w *copyWriter) Bool(v bool) {
	var c byte
	if v {
		c = 1
	}
	w.b = append(w.b, 0, 0, 0, 1, c)
	w.fields++
}

// Time writes microseconds since 2000-01-01 UTC, or NULL for the zero
// time.
func (w *copyWriter) Time(t time.Time) {
	w.fields++
	if t.IsZero() {
		w.b = binary.BigEndian.AppendUint32(w.b, 0xffffffff)
		return
	}
	w.b = binary.BigEndian.AppendUint32(w.b, 8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(t.UnixMicro()-pgEpoch))
}

// copyReader is the binary COPY stream of a RowSource's rows, encoded as
// it is read: pgconn reads it in 64 KiB pieces on its own goroutine while
// the server takes in the previous ones.
type copyReader struct {
	table *sqlcore.Table
	src   sqlcore.RowSource
	next  int // the next row to encode
	w     copyWriter
	off   int  // w.b[off:] is encoded and not read yet
	done  bool // the trailer is encoded
}

func newCopyReader(t *sqlcore.Table, src sqlcore.RowSource, buf []byte) *copyReader {
	r := &copyReader{table: t, src: src, w: copyWriter{b: buf[:0]}}
	r.w.b = append(r.w.b, copyHeader...)
	return r
}

func (r *copyReader) Read(p []byte) (int, error) {
	if r.off > 0 {
		r.w.b = r.w.b[:copy(r.w.b, r.w.b[r.off:])]
		r.off = 0
	}
	for len(r.w.b) < len(p) && !r.done {
		if r.next == r.src.Len() {
			r.w.b = append(r.w.b, 0xff, 0xff)
			r.done = true
			break
		}
		r.w.b = binary.BigEndian.AppendUint16(r.w.b, uint16(len(r.table.Cols)))
		r.w.fields = 0
		r.src.WriteRow(r.next, &r.w)
		if r.w.fields != len(r.table.Cols) {
			return 0, fmt.Errorf("copy into %s: row %d has %d values for %d columns", r.table.Name, r.next, r.w.fields, len(r.table.Cols))
		}
		r.next++
	}
	n := copy(p, r.w.b)
	r.off = n
	if n == 0 && r.done {
		return 0, io.EOF
	}
	return n, nil
}

// copySQL is the COPY statement for t.
func copySQL(t *sqlcore.Table) string {
	cols := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	return "COPY " + pgx.Identifier{t.Name}.Sanitize() + " (" + strings.Join(cols, ", ") + ") FROM STDIN (FORMAT binary)"
}
