package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// recorder is a sql.Scanner that keeps the value it was given.
type recorder struct{ got *any }

func (r recorder) Scan(src any) error {
	*r.got = src
	return nil
}

func TestScanValue(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 800, time.UTC)
	// dest returns a new destination and a function reading its value.
	type dest func() (any, func() any)
	ptr := func(p any) (any, func() any) {
		return p, func() any { return reflect.ValueOf(p).Elem().Interface() }
	}
	var (
		int64Dest  dest = func() (any, func() any) { return ptr(new(int64)) }
		intDest    dest = func() (any, func() any) { return ptr(new(int)) }
		stringDest dest = func() (any, func() any) { return ptr(new(string)) }
		boolDest   dest = func() (any, func() any) { return ptr(new(bool)) }
		bytesDest  dest = func() (any, func() any) { return ptr(new([]byte)) }
		anyDest    dest = func() (any, func() any) { return ptr(new(any)) }
		scanDest   dest = func() (any, func() any) {
			var got any
			return recorder{&got}, func() any { return got }
		}
	)
	for _, tc := range []struct {
		name    string
		dest    dest
		src     driver.Value
		want    any
		wantErr string // a part of the error; "" for none
	}{
		{"int64/int64", int64Dest, int64(-42), int64(-42), ""},
		{"int64/string", int64Dest, "42", int64(42), ""},
		{"int64/bytes", int64Dest, []byte("7"), int64(7), ""},
		{"int64/whole float", int64Dest, float64(3), int64(3), ""},
		{"int64/fraction", int64Dest, 1.5, nil, `"1.5"`},
		{"int64/text", int64Dest, "x", nil, "invalid syntax"},
		{"int64/bool", int64Dest, true, nil, `"true"`},
		{"int64/NULL", int64Dest, nil, nil, "NULL"},
		{"int/int64", intDest, int64(12), 12, ""},
		{"int/string", intDest, "-5", -5, ""},
		{"int/NULL", intDest, nil, nil, "NULL"},
		{"string/string", stringDest, "abc", "abc", ""},
		{"string/empty", stringDest, "", "", ""},
		{"string/bytes", stringDest, []byte("abc"), "abc", ""},
		{"string/int64", stringDest, int64(42), "42", ""},
		{"string/float", stringDest, 2.5, "2.5", ""},
		{"string/bool", stringDest, false, "false", ""},
		{"string/time", stringDest, at, "2025-03-04T05:06:07.0000008Z", ""},
		{"string/NULL", stringDest, nil, nil, "NULL"},
		{"bool/1", boolDest, int64(1), true, ""},
		{"bool/0", boolDest, int64(0), false, ""},
		{"bool/2", boolDest, int64(2), nil, "couldn't convert 2"},
		{"bool/bool", boolDest, true, true, ""},
		{"bool/text", boolDest, "true", true, ""},
		{"bool/text 0", boolDest, "0", false, ""},
		{"bool/bad text", boolDest, "yes", nil, "couldn't convert"},
		{"bool/float", boolDest, 1.0, nil, "couldn't convert"},
		{"bool/NULL", boolDest, nil, nil, "couldn't convert"},
		{"bytes/bytes", bytesDest, []byte("ab"), []byte("ab"), ""},
		{"bytes/string", bytesDest, "ab", []byte("ab"), ""},
		{"bytes/int64", bytesDest, int64(9), []byte("9"), ""},
		{"bytes/time", bytesDest, at, []byte("2025-03-04T05:06:07.0000008Z"), ""},
		{"bytes/NULL", bytesDest, nil, []byte(nil), ""},
		{"any/int64", anyDest, int64(1), int64(1), ""},
		{"any/string", anyDest, "s", "s", ""},
		{"any/float", anyDest, 0.5, 0.5, ""},
		{"any/bytes", anyDest, []byte("b"), []byte("b"), ""},
		{"any/NULL", anyDest, nil, nil, ""},
		{"scanner/int64", scanDest, int64(3), int64(3), ""},
		{"scanner/string", scanDest, "t", "t", ""},
		{"scanner/NULL", scanDest, nil, nil, ""},
		{"unsupported *float64", func() (any, func() any) { return ptr(new(float64)) }, 1.5, nil, "unsupported destination type *float64"},
		{"unsupported *time.Time", func() (any, func() any) { return ptr(new(time.Time)) }, at, nil, "unsupported destination type *time.Time"},
		{"unsupported non-pointer", func() (any, func() any) { return int64(0), nil }, int64(1), nil, "unsupported destination type int64"},
		{"nil pointer", func() (any, func() any) { return (*int64)(nil), nil }, int64(1), nil, "nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, get := tc.dest()
			err := scanValue(d, tc.src)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("scanValue(%T, %#v) = %v, want an error containing %q", d, tc.src, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("scanValue(%T, %#v): %v", d, tc.src, err)
			}
			if got := get(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("scanValue(%T, %#v) stored %#v, want %#v", d, tc.src, got, tc.want)
			}
		})
	}
}

// TestScanValueCopiesBytes: bytes scanned into *[]byte or *any do not
// share the driver's buffer.
func TestScanValueCopiesBytes(t *testing.T) {
	src := []byte("abc")
	var b []byte
	var a any
	if err := scanValue(&b, src); err != nil {
		t.Fatal(err)
	}
	if err := scanValue(&a, src); err != nil {
		t.Fatal(err)
	}
	copy(src, "xyz")
	if string(b) != "abc" || string(a.([]byte)) != "abc" {
		t.Errorf("after the driver reused its buffer: *[]byte %q, *any %q; want both \"abc\"", b, a)
	}
}

// fakeRows are driver rows that return rows from a list, in one reused
// buffer for []byte values, then end with err (io.EOF when nil).
type fakeRows struct {
	cols     []string
	rows     [][]driver.Value
	err      error
	closeErr error
	buf      []byte
	closed   bool
}

func (f *fakeRows) Columns() []string { return f.cols }

func (f *fakeRows) Close() error {
	f.closed = true
	return f.closeErr
}

func (f *fakeRows) Next(dest []driver.Value) error {
	if len(f.rows) == 0 {
		if f.err != nil {
			return f.err
		}
		return io.EOF
	}
	for i, v := range f.rows[0] {
		if b, ok := v.([]byte); ok {
			f.buf = append(f.buf[:0], b...)
			v = f.buf
		}
		dest[i] = v
	}
	f.rows = f.rows[1:]
	return nil
}

func TestRows(t *testing.T) {
	newTestRows := func(ctx context.Context, f *fakeRows) (*rows, *conn) {
		c := &conn{}
		r := newRows(ctx, c, f)
		c.open = append(c.open, r)
		return r, c
	}
	t.Run("scan", func(t *testing.T) {
		f := &fakeRows{cols: []string{"id", "raw"}, rows: [][]driver.Value{{int64(1), []byte("one")}, {int64(2), []byte("two")}}}
		r, c := newTestRows(t.Context(), f)
		var ids []int64
		var raws [][]byte
		for r.Next() {
			var id int64
			var raw []byte
			if err := r.Scan(&id, &raw); err != nil {
				t.Fatal(err)
			}
			ids, raws = append(ids, id), append(raws, raw)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids, []int64{1, 2}) || string(raws[0]) != "one" || string(raws[1]) != "two" {
			t.Errorf("scanned %v, %q; want [1 2], [one two]", ids, raws)
		}
		if !f.closed || len(c.open) != 0 {
			t.Errorf("after the last row: driver rows closed %v, %d rows open; want true, 0", f.closed, len(c.open))
		}
		if err := r.Scan(new(int64), new([]byte)); err == nil {
			t.Errorf("Scan after the last row succeeded")
		}
	})
	t.Run("scan errors", func(t *testing.T) {
		f := &fakeRows{cols: []string{"id", "name"}, rows: [][]driver.Value{{int64(1), nil}}}
		r, _ := newTestRows(t.Context(), f)
		if err := r.Scan(new(int64), new(string)); err == nil {
			t.Errorf("Scan before Next succeeded")
		}
		if !r.Next() {
			t.Fatal("no row")
		}
		if err := r.Scan(new(int64)); err == nil {
			t.Errorf("Scan of 2 columns into 1 destination succeeded")
		}
		err := r.Scan(new(int64), new(string))
		if err == nil || !strings.Contains(err.Error(), "column 1 (name)") || !strings.Contains(err.Error(), "NULL") {
			t.Errorf("Scan of NULL into *string = %v, want an error naming column 1 (name)", err)
		}
		err = r.Scan(new(int64), new(float32))
		if err == nil || !strings.Contains(err.Error(), "column 1") || !strings.Contains(err.Error(), "*float32") {
			t.Errorf("Scan into *float32 = %v, want an error naming column 1 and the type", err)
		}
		r.Close()
	})
	t.Run("driver error", func(t *testing.T) {
		boom := errors.New("boom")
		f := &fakeRows{cols: []string{"id"}, rows: [][]driver.Value{{int64(1)}}, err: boom}
		r, c := newTestRows(t.Context(), f)
		n := 0
		for r.Next() {
			n++
		}
		if n != 1 || !errors.Is(r.Err(), boom) || !f.closed || len(c.open) != 0 {
			t.Errorf("rows %d, Err %v, closed %v, open %d; want 1, boom, true, 0", n, r.Err(), f.closed, len(c.open))
		}
	})
	t.Run("close error", func(t *testing.T) {
		boom := errors.New("boom")
		f := &fakeRows{cols: []string{"id"}, closeErr: boom}
		r, _ := newTestRows(t.Context(), f)
		if r.Next() {
			t.Fatal("a row")
		}
		if !errors.Is(r.Err(), boom) {
			t.Errorf("Err = %v, want the close error", r.Err())
		}
	})
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		f := &fakeRows{cols: []string{"id"}, rows: [][]driver.Value{{int64(1)}, {int64(2)}}}
		r, _ := newTestRows(ctx, f)
		if !r.Next() {
			t.Fatal("no row")
		}
		cancel()
		if r.Next() {
			t.Errorf("Next after the context ended returned a row")
		}
		if !errors.Is(r.Err(), context.Canceled) || !f.closed {
			t.Errorf("Err %v, closed %v; want context.Canceled, true", r.Err(), f.closed)
		}
	})
}

func TestDriverValue(t *testing.T) {
	type code string
	for _, tc := range []struct {
		in   any
		want driver.Value
	}{
		{nil, nil},
		{int64(1), int64(1)},
		{"s", "s"},
		{true, true},
		{[]byte("b"), []byte("b")},
		{1.5, 1.5},
		{time.Unix(0, 0), time.Unix(0, 0)},
		{7, int64(7)},
		{int32(7), int64(7)},
		{code("x"), "x"},
	} {
		got, err := driverValue(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("driverValue(%#v) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	if _, err := driverValue(struct{}{}); err == nil {
		t.Errorf("driverValue of a struct succeeded")
	}
}
