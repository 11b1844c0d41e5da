package postgres

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
)

// rowsFunc is a RowSource of n rows written by write.
type rowsFunc struct {
	n     int
	write func(i int, w sqlcore.RowWriter)
}

func (r rowsFunc) Len() int                            { return r.n }
func (r rowsFunc) WriteRow(i int, w sqlcore.RowWriter) { r.write(i, w) }

var copyTable = &sqlcore.Table{Name: "t", Cols: []string{"i", "s", "j", "by", "b", "at"}}

func copyRows(n int) rowsFunc {
	at := time.Date(2026, 11, 28, 12, 30, 45, 123456000, time.UTC)
	return rowsFunc{n, func(i int, w sqlcore.RowWriter) {
		w.Int(int64(i) - 2)
		w.Text(strings.Repeat("é", i%7))
		w.JSON(`{"n":1}`)
		if i%2 == 0 {
			w.Bytes(nil)
		} else {
			w.Bytes([]byte{0, 'a'})
		}
		w.Bool(i%2 == 1)
		if i%3 == 0 {
			w.Time(time.Time{})
		} else {
			w.Time(at)
		}
	}}
}

// TestCopyEncoding checks the binary COPY stream of two rows byte by
// byte, against the format in the PostgreSQL manual.
func TestCopyEncoding(t *testing.T) {
	got, err := io.ReadAll(newCopyReader(copyTable, copyRows(2), nil))
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	be := binary.BigEndian
	want = append(want, "PGCOPY\n\xff\r\n\x00"...)
	want = be.AppendUint32(want, 0) // flags
	want = be.AppendUint32(want, 0) // header extension
	// Row 0: -2, "", {"n":1} (TEXT), NULL, false, NULL.
	want = be.AppendUint16(want, 6)
	want = be.AppendUint32(want, 8)
	want = be.AppendUint64(want, 0xfffffffffffffffe)
	want = be.AppendUint32(want, 0)
	want = be.AppendUint32(want, 7)
	want = append(want, `{"n":1}`...)
	want = append(want, 0xff, 0xff, 0xff, 0xff)
	want = append(want, 0, 0, 0, 1, 0)
	want = append(want, 0xff, 0xff, 0xff, 0xff)
	// Row 1: -1, "é", {"n":1}, 00 61, true, 2026-11-28 12:30:45.123456 UTC.
	want = be.AppendUint16(want, 6)
	want = be.AppendUint32(want, 8)
	want = be.AppendUint64(want, 0xffffffffffffffff)
	want = be.AppendUint32(want, 2)
	want = append(want, "é"...)
	want = be.AppendUint32(want, 7)
	want = append(want, `{"n":1}`...)
	want = be.AppendUint32(want, 2)
	want = append(want, 0, 'a')
	want = append(want, 0, 0, 0, 1, 1)
	want = be.AppendUint32(want, 8)
	// Microseconds from 2000-01-01 00:00:00 UTC: 9828 days and 45,045.123456 s.
	want = be.AppendUint64(want, uint64((9828*86400+45045)*1_000_000+123456))
	want = append(want, 0xff, 0xff) // trailer
	if !bytes.Equal(got, want) {
		t.Errorf("stream differs:\n got %x\nwant %x", got, want)
	}
}

// TestCopyReaderPieces reads the same stream in pieces of every size
// from 1 to 70 bytes, and in pgconn's 64 KiB: rows that straddle reads
// come out whole.
func TestCopyReaderPieces(t *testing.T) {
	src := copyRows(500)
	whole, err := io.ReadAll(newCopyReader(copyTable, src, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range append(seq(1, 70), 65531) {
		r := newCopyReader(copyTable, src, make([]byte, 0, 16))
		var got []byte
		p := make([]byte, size)
		for {
			n, err := r.Read(p)
			got = append(got, p[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			if n == 0 {
				t.Fatalf("size %d: empty read before EOF", size)
			}
		}
		if !bytes.Equal(got, whole) {
			t.Fatalf("size %d: stream of %d bytes differs from the whole read (%d bytes)", size, len(got), len(whole))
		}
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestCopyReaderFieldCount refuses a row with fewer values than the
// table has columns, naming the table and row.
func TestCopyReaderFieldCount(t *testing.T) {
	src := rowsFunc{3, func(i int, w sqlcore.RowWriter) {
		w.Int(1)
		if i != 2 {
			w.Text("x")
		}
	}}
	_, err := io.ReadAll(newCopyReader(&sqlcore.Table{Name: "t", Cols: []string{"i", "s"}}, src, nil))
	if err == nil || err.Error() != "copy into t: row 2 has 1 values for 2 columns" {
		t.Errorf("err = %v; want the row with 1 value for 2 columns", err)
	}
}

func TestCopySQL(t *testing.T) {
	got := copySQL(&sqlcore.Table{Name: "ledger_entries", Cols: []string{"id", "at"}})
	want := `COPY "ledger_entries" ("id", "at") FROM STDIN (FORMAT binary)`
	if got != want {
		t.Errorf("copySQL = %s; want %s", got, want)
	}
}
