package sqlcore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	segjson "github.com/segmentio/encoding/json"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// TimeText is the SQLite text form of a timestamp: UTC, fixed width,
// microseconds, so that text order is time order.
const TimeText = "2006-01-02T15:04:05.000000Z"

// NormTime returns t in UTC truncated to microseconds, the precision both
// stores keep. The zero time stays zero.
func NormTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// timeDest scans a timestamp column (TIMESTAMPTZ, TimeText or NULL).
type timeDest struct{ p *time.Time }

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.p = time.Time{}
	case time.Time:
		*d.p = NormTime(v)
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	default:
		return fmt.Errorf("scan timestamp: unexpected %T", src)
	}
	return nil
}

func (d timeDest) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan timestamp %q: %w", s, err)
	}
	*d.p = NormTime(t)
	return nil
}

// dateDest scans a date column: TEXT 'YYYY-MM-DD', or empty for the zero date.
type dateDest struct{ p *x12.Date }

func (d dateDest) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan date: unexpected %T", src)
	}
	if err := d.p.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	return nil
}

// dateArg is the column value of a date (empty for the zero date).
func dateArg(d x12.Date) string { return d.String() }

// jsonArg encodes v as JSON text for a JSON column.
//
// It stays on encoding/json: segmentio/encoding/json (see jsonDest)
// ignores the omitzero option, so it would store "onset_date":"" and
// "non_covered_charge":"0.00" where encoding/json leaves them out.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

// jsonDest scans a JSON column into v.
//
// It decodes with github.com/segmentio/encoding/json, which does the
// work of encoding/json's Unmarshal in less than half the time: the
// build reads every claim's data through it. Should segmentio refuse a
// value, encoding/json decodes it again, so that any value encoding/json
// accepts (the text SQLite keeps as written, or PostgreSQL's JSONB
// output) still decodes, and the error reported is encoding/json's.
// segmentio refuses unknown keys here: encoding/json, which ignores them,
// then decides, so that a key only encoding/json's case folding matches
// (outside ASCII, where segmentio folds differently) is not dropped.
type jsonDest struct{ v any }

func (d jsonDest) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("scan json: unexpected %T", src)
	}
	if string(b) == "null" || string(b) == "[]" {
		// The common empty values, without the decoder: leave the
		// destination at its zero value.
		return nil
	}
	if rest, err := segjson.Parse(b, d.v, segjson.DisallowUnknownFields); err == nil && len(rest) == 0 {
		// Parse skips the white space after the value. It makes room
		// for 10 items in a slice at least: 3.6 kB for the lines of a
		// claim that has two, and the build holds pages of claims.
		// Keep only what the lines use.
		if c, ok := d.v.(*x837.Claim); ok {
			c.Lines = slices.Clone(c.Lines)
		}
		return nil
	}
	if err := json.Unmarshal(b, d.v); err != nil {
		return fmt.Errorf("scan json: %w", err)
	}
	return nil
}

var (
	_ interface{ Scan(any) error } = timeDest{}
	_ interface{ Scan(any) error } = dateDest{}
	_ interface{ Scan(any) error } = jsonDest{}
)

// InsertSQL returns a multi-row INSERT of n rows into t.
func InsertSQL(t *Table, n int) string {
	var b strings.Builder
	b.Grow(32 + len(t.Name) + 16*len(t.Cols) + n*len(t.Cols)*6)
	b.WriteString("INSERT INTO ")
	b.WriteString(t.Name)
	b.WriteString(" (")
	b.WriteString(strings.Join(t.Cols, ", "))
	b.WriteString(") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range t.Cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// MaxChunk is the most rows InsertChunks puts in one statement.
const MaxChunk = 128

// InsertChunks splits n rows into statement sizes: MaxChunk rows while
// they last, then powers of two, so that a store prepares at most a
// handful of distinct statements per table.
func InsertChunks(n int) []int {
	var out []int
	for n >= MaxChunk {
		out = append(out, MaxChunk)
		n -= MaxChunk
	}
	for size := MaxChunk / 2; size > 0; size /= 2 {
		if n >= size {
			out = append(out, size)
			n -= size
		}
	}
	return out
}

// placeholders returns "$from, $from+1, ..." for n parameters.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}
