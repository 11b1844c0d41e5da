package x12

import (
	"errors"
	"strconv"
	"time"
)

// ErrBadDate is the cause of a date that is not valid.
var ErrBadDate = errors.New("invalid date")

// Date is a calendar date without a time zone, as X12 dates are. The zero
// Date means "not set".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.compare(o) > 0 }

func (d Date) compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return d.Year - o.Year
	case d.Month != o.Month:
		return int(d.Month - o.Month)
	default:
		return d.Day - o.Day
	}
}

// X12 formats the date as CCYYMMDD, or "" for the zero date.
func (d Date) X12() string {
	if d.IsZero() {
		return ""
	}
	return string(d.append(nil, false))
}

// String formats the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return string(d.append(nil, true))
}

func (d Date) append(b []byte, dashes bool) []byte {
	b = appendPadded(b, d.Year, 4)
	if dashes {
		b = append(b, '-')
	}
	b = appendPadded(b, int(d.Month), 2)
	if dashes {
		b = append(b, '-')
	}
	return appendPadded(b, d.Day, 2)
}

func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// MarshalText formats the date as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return d.append(nil, true), nil
}

// UnmarshalText parses YYYY-MM-DD or CCYYMMDD. An empty value is the zero
// date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	if len(b) == 10 && b[4] == '-' && b[7] == '-' {
		b = []byte{b[0], b[1], b[2], b[3], b[5], b[6], b[8], b[9]}
	} else if len(b) != 8 {
		return errors.New("invalid date " + strconv.Quote(string(b)) + ": use YYYY-MM-DD")
	}
	v, err := ParseDate(b)
	if err != nil {
		return errors.New("invalid date " + strconv.Quote(string(b)) + ": no such day")
	}
	*d = v
	return nil
}

// ParseDate parses an X12 date: CCYYMMDD (type DT, 8 digits) or YYMMDD
// (6 digits, as in ISA09, read as 20YY). The date must exist on the
// calendar.
func ParseDate(b []byte) (Date, error) {
	var y, m, d int
	switch len(b) {
	case 8:
		y, m, d = digits(b[0:4]), digits(b[4:6]), digits(b[6:8])
	case 6:
		y, m, d = digits(b[0:2]), digits(b[2:4]), digits(b[4:6])
		if y >= 0 {
			y += 2000
		}
	default:
		return Date{}, ErrBadDate
	}
	if y < 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return Date{}, ErrBadDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return Date{}, ErrBadDate
	}
	return Date{y, time.Month(m), d}, nil
}

// ParseDateRange parses an RD8 range "CCYYMMDD-CCYYMMDD". The end must not
// be before the start.
func ParseDateRange(b []byte) (from, to Date, err error) {
	if len(b) != 17 || b[8] != '-' {
		return from, to, ErrBadDate
	}
	if from, err = ParseDate(b[:8]); err != nil {
		return from, to, err
	}
	if to, err = ParseDate(b[9:]); err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, ErrBadDate
	}
	return from, to, nil
}

// digits parses a short run of ASCII digits, or returns -1.
func digits(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
