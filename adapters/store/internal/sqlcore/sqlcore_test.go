package sqlcore

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

func TestInsertChunks(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 63, 64, 127, 128, 129, 500, 1500} {
		got := InsertChunks(n)
		sum := 0
		for i, c := range got {
			sum += c
			if c <= 0 || c > MaxChunk || c&(c-1) != 0 || (i > 0 && c > got[i-1]) {
				t.Errorf("InsertChunks(%d) = %v: sizes must be powers of two up to %d, largest first", n, got, MaxChunk)
				break
			}
		}
		if sum != n {
			t.Errorf("InsertChunks(%d) = %v, sums to %d", n, got, sum)
		}
	}
}

func TestInsertSQL(t *testing.T) {
	got := InsertSQL(&Table{Name: "t", Cols: []string{"a", "b"}}, 2)
	want := "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
	if got != want {
		t.Errorf("InsertSQL = %q, want %q", got, want)
	}
}

func TestControlKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"000000042", "42"}, {"42", "42"}, {" 42 ", "42"}, {"000000000", "0"}, {"", ""}, {"0", "0"},
	} {
		if got := controlKey(tc.in); got != tc.want {
			t.Errorf("controlKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := idKey("SENDER01       "); got != "SENDER01" {
		t.Errorf("idKey = %q", got)
	}
}

func TestTimeDest(t *testing.T) {
	want := time.Date(2024, 5, 6, 12, 8, 9, 123456000, time.UTC)
	for _, src := range []any{
		"2024-05-06T12:08:09.123456Z",
		[]byte("2024-05-06T12:08:09.123456Z"),
		time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("EST", -5*3600)),
	} {
		var got time.Time
		if err := (timeDest{&got}).Scan(src); err != nil || got != want {
			t.Errorf("Scan(%v) = %v, %v; want %v", src, got, err, want)
		}
	}
	got := time.Now()
	if err := (timeDest{&got}).Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v; want the zero time", got, err)
	}
	if err := (timeDest{&got}).Scan("yesterday"); err == nil {
		t.Errorf("Scan(garbage) succeeded")
	}
	if s := want.Format(TimeText); s != "2024-05-06T12:08:09.123456Z" {
		t.Errorf("TimeText formats %q", s)
	}
}

func TestDateDest(t *testing.T) {
	var d x12.Date
	if err := (dateDest{&d}).Scan("2024-02-29"); err != nil || d != (x12.Date{Year: 2024, Month: 2, Day: 29}) {
		t.Errorf("Scan = %v, %v", d, err)
	}
	if err := (dateDest{&d}).Scan(""); err != nil || !d.IsZero() {
		t.Errorf("Scan('') = %v, %v", d, err)
	}
	if err := (dateDest{&d}).Scan("2023-02-29"); err == nil {
		t.Errorf("Scan of a day that does not exist succeeded")
	}
}

func TestLoadMigrations(t *testing.T) {
	ms, err := LoadMigrations(fstest.MapFS{
		"m/0002_more.sql":  {Data: []byte("B")},
		"m/0001_init.sql":  {Data: []byte("A")},
		"m/README.md":      {Data: []byte("not a migration")},
		"m/sub/0003_x.sql": {Data: []byte("in a subfolder: ignored")},
	}, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].SQL != "A" || ms[1].Name != "0002_more" {
		t.Errorf("LoadMigrations = %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"bad name":  {"m/init.sql": {Data: []byte("A")}},
		"duplicate": {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
	} {
		if _, err := LoadMigrations(fsys, "m"); err == nil || !strings.Contains(err.Error(), "0001") && name == "duplicate" {
			t.Errorf("%s: LoadMigrations error = %v", name, err)
		}
	}
}

func TestInListValuesList(t *testing.T) {
	q, args := InList("id", 3, []any{int64(7), int64(9)})
	if q != "id IN ($3, $4)" || len(args) != 2 {
		t.Errorf("InList = %q, %v", q, args)
	}
	q, args = ValuesList(3, []string{"id", "ref"}, []any{[]int64{1, 2}, []string{"a", "b"}})
	want := "(SELECT column1 AS id, column2 AS ref FROM (VALUES ($3, $4), ($5, $6))) AS v"
	if q != want || len(args) != 4 || args[2] != int64(2) || args[3] != "b" {
		t.Errorf("ValuesList = %q, %v; want %q", q, args, want)
	}
}

func TestCAS(t *testing.T) {
	as := []pipeline.Adjustment{{Group: "CO", Reason: "45", Amount: 1500}, {Group: "PR", Reason: "B15", Amount: -1}, {Group: "OA", Reason: "23", Amount: 0}}
	s, err := encodeCAS(as)
	if err != nil || s != "CO-45:1500;PR-B15:-1;OA-23:0" {
		t.Fatalf("encodeCAS = %q, %v", s, err)
	}
	back, err := decodeCAS(s)
	if err != nil || !reflect.DeepEqual(back, as) {
		t.Errorf("decodeCAS(%q) = %+v, %v", s, back, err)
	}
	if s, err := encodeCAS(nil); s != "" || err != nil {
		t.Errorf("encodeCAS(nil) = %q, %v", s, err)
	}
	for _, bad := range [][]pipeline.Adjustment{
		{{Group: "C", Reason: "45"}}, {{Group: "CO;", Reason: "45"}}, {{Group: "CO", Reason: ""}},
		{{Group: "CO", Reason: "4:5"}}, {{Group: "CO", Reason: "123456"}}, {{Group: "CO", Reason: "4 5"}},
	} {
		if s, err := encodeCAS(bad); err == nil {
			t.Errorf("encodeCAS(%+v) = %q, want an error", bad, s)
		}
	}
	for _, bad := range []string{"CO-45", "CO45:1", "CO-45:x", "CO-45:1;", ";CO-45:1", "C-45:1", "CO-:1", "CO-45:1.5", "CO-45:99999999999999999999"} {
		if as, err := decodeCAS(bad); err == nil {
			t.Errorf("decodeCAS(%q) = %+v, want an error", bad, as)
		}
	}
}

// FuzzCAS: decodeCAS never panics, and what it accepts encodes back to
// the same text.
func FuzzCAS(f *testing.F) {
	for _, s := range []string{"", "CO-45:1500", "CO-45:1500;PR-B15:-1", "CO-45", "x;y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		as, err := decodeCAS(s)
		if err != nil {
			return
		}
		back, err := encodeCAS(as)
		if err != nil {
			t.Fatalf("decodeCAS(%q) = %+v, which encodeCAS refuses: %v", s, as, err)
		}
		again, err := decodeCAS(back)
		if err != nil || !reflect.DeepEqual(again, as) {
			t.Fatalf("round trip of %q: %q → %+v, %v", s, back, again, err)
		}
	})
}

// TestInsertRows checks that InsertRows sends every row once, in order,
// in InsertChunks' statement sizes, with times converted by TimeArg, and
// refuses a row source short of values before running its statement.
func TestInsertRows(t *testing.T) {
	table := &Table{Name: "t", Cols: []string{"n", "s", "b", "at"}}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	rows := make(testRows, 300)
	for i := range rows {
		rows[i] = testRow{n: int64(i), s: "r", b: i%2 == 0, at: at}
	}
	a := Args{TimeArg: func(t time.Time) any { return t.Format(TimeText) }}
	var sizes []int
	next := int64(0)
	err := InsertRows(table, rows, &a, func(n int) string { return InsertSQL(table, n) }, func(q string, args []any) error {
		n := len(args) / len(table.Cols)
		sizes = append(sizes, n)
		if q != InsertSQL(table, n) {
			t.Errorf("statement for %d rows: %s", n, q)
		}
		for r := range n {
			v := args[r*4 : r*4+4]
			if v[0] != next || v[1] != "r" || v[2] != (next%2 == 0) || v[3] != "2026-11-28T09:00:00.000000Z" {
				t.Errorf("row %d sent as %v", next, v)
			}
			next++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != 300 || !reflect.DeepEqual(sizes, InsertChunks(300)) {
		t.Errorf("sent %d rows in statements of %v; want 300 in %v", next, sizes, InsertChunks(300))
	}
	if len(a.Vals) != 0 || a.Vals[:cap(a.Vals)][0] != nil {
		t.Errorf("Args keeps %d values after the insert; want an empty, cleared buffer", len(a.Vals))
	}

	rows[130].short = true
	ran := 0
	err = InsertRows(table, rows, &a, func(n int) string { return InsertSQL(table, n) }, func(string, []any) error { ran++; return nil })
	if err == nil || !strings.Contains(err.Error(), "insert into t: 511 values for 128 rows of 4 columns") || ran != 1 {
		t.Errorf("short row: err %v after %d statements; want the second statement refused", err, ran)
	}
}

type testRow struct {
	n     int64
	s     string
	b     bool
	at    time.Time
	short bool // leave the time out
}

type testRows []testRow

func (r testRows) Len() int { return len(r) }

func (r testRows) WriteRow(i int, w RowWriter) {
	w.Int(r[i].n)
	w.Text(r[i].s)
	w.Bool(r[i].b)
	if !r[i].short {
		w.Time(r[i].at)
	}
}
