package postgres_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
	"github.com/x12claims/claims/adapters/store/postgres"
)

// typedRow is one row of the insert round trip: every column type the
// store's tables use.
type typedRow struct {
	i  int64
	s  string
	j  string
	by []byte
	b  bool
	at time.Time
}

type typedRows []typedRow

func (r typedRows) Len() int { return len(r) }

func (r typedRows) WriteRow(i int, w sqlcore.RowWriter) {
	w.Int(r[i].i)
	w.Text(r[i].s)
	w.JSON(r[i].j)
	w.Bytes(r[i].by)
	w.Bool(r[i].b)
	w.Time(r[i].at)
}

// TestInsertRoundTrip inserts the same rows below the COPY threshold
// (multi-row INSERT) and above it (binary COPY) and reads back what
// PostgreSQL stored: both paths store every value as given.
func TestInsertRoundTrip(t *testing.T) {
	u := freshSchema(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	if _, err := db.Exec(ctx, `CREATE TABLE typed (n BIGINT, i BIGINT NOT NULL, s TEXT NOT NULL, j TEXT NOT NULL, by BYTEA,
b BOOLEAN NOT NULL, at TIMESTAMPTZ)`); err != nil {
		t.Fatal(err)
	}
	samples := []typedRow{
		{math.MinInt64, "", `{}`, nil, false, time.Time{}},
		{math.MaxInt64, "Zoë ✓ 東京", `{"a": [1, 2.5, "x"], "b": null}`, []byte{}, true, time.Date(2026, 11, 28, 23, 59, 59, 999999000, time.UTC)},
		{0, "tab\there\nnewline \\N backslash", `"text"`, []byte("\x00\xff\\N\n{}"), true, time.Date(1999, 12, 31, 23, 59, 59, 1000, time.UTC)},
		{-1, strings.Repeat("x", 70000), `[]`, bytes.Repeat([]byte{0, 1, 2}, 30000), false, time.Date(2026, 3, 8, 7, 0, 0, 0, time.FixedZone("EST", -5*3600))},
	}
	for _, n := range []int{postgres.CopyThreshold - 1, postgres.CopyThreshold, 3000} {
		rows := make(typedRows, n)
		for k := range rows {
			rows[k] = samples[k%len(samples)]
		}
		table := &sqlcore.Table{Name: "typed", Cols: []string{"i", "s", "j", "by", "b", "at"}}
		if _, err := db.Exec(ctx, "TRUNCATE typed"); err != nil {
			t.Fatal(err)
		}
		if err := postgres.Insert(ctx, s, table, rows); err != nil {
			t.Fatalf("%d rows: Insert: %v", n, err)
		}
		got, err := db.Query(ctx, "SELECT i, s, j, by, b, at FROM typed")
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for got.Next() {
			var r typedRow
			var at *time.Time
			if err := got.Scan(&r.i, &r.s, &r.j, &r.by, &r.b, &at); err != nil {
				t.Fatal(err)
			}
			if at != nil {
				r.at = *at
			}
			k := sampleOf(samples, r.i)
			want := samples[k]
			if r.s != want.s || r.b != want.b || !bytes.Equal(r.by, want.by) || (r.by == nil) != (want.by == nil) || !r.at.Equal(want.at) || r.at.IsZero() != want.at.IsZero() {
				t.Errorf("%d rows: row %d read back as %+v; want %+v", n, count, r, want)
			}
			if r.j != want.j {
				t.Errorf("%d rows: JSON %s read back as %s", n, want.j, r.j)
			}
			count++
		}
		if err := got.Err(); err != nil {
			t.Fatal(err)
		}
		if count != n {
			t.Errorf("%d rows inserted, %d read back", n, count)
		}
	}
	t.Run("refused rows fail the transaction", func(t *testing.T) {
		// A text with a NUL byte is refused by PostgreSQL, on either path.
		bad := make(typedRows, 3000)
		bad[2999].s = "nul\x00"
		err := postgres.Insert(ctx, s, &sqlcore.Table{Name: "typed", Cols: []string{"i", "s", "j", "by", "b", "at"}}, bad)
		if err == nil {
			t.Fatal("a NUL byte in text was accepted")
		}
		// A row source that writes too few values aborts the COPY with
		// the reader's error.
		short := shortRows(3000)
		err = postgres.Insert(ctx, s, &sqlcore.Table{Name: "typed", Cols: []string{"i", "s", "j", "by", "b", "at"}}, short)
		if err == nil || !strings.Contains(err.Error(), "row 0 has 1 values for 6 columns") {
			t.Errorf("Insert of rows with too few values: %v; want the COPY aborted naming the row", err)
		}
		// The store goes on working.
		if err := postgres.Insert(ctx, s, &sqlcore.Table{Name: "typed", Cols: []string{"i", "s", "j", "by", "b", "at"}}, typedRows(samples)); err != nil {
			t.Fatalf("Insert after a refused one: %v", err)
		}
	})
}

// shortRows writes one value per row, whatever the table.
type shortRows int

func (r shortRows) Len() int                            { return int(r) }
func (r shortRows) WriteRow(i int, w sqlcore.RowWriter) { w.Int(int64(i)) }

func sampleOf(samples []typedRow, i int64) int {
	for k, s := range samples {
		if s.i == i {
			return k
		}
	}
	return 0
}
