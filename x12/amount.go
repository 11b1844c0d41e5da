package x12

import (
	"errors"
	"math"
	"strconv"
)

// Amount is an exact monetary amount in cents. X12 monetary elements (data
// element type R, such as CLM02, SVC03 and BPR02) are parsed into it
// without floating point.
type Amount int64

// ErrBadAmount is the cause of an amount that cannot be parsed exactly.
var ErrBadAmount = errors.New("invalid amount")

// ParseAmount parses an X12 decimal such as "150", "-12.5", ".75" or
// "100.00" into cents. It fails on anything that is not a plain decimal,
// on more than two non-zero decimal places (which cents cannot hold
// exactly), and on overflow.
func ParseAmount(b []byte) (Amount, error) {
	if len(b) == 0 {
		return 0, ErrBadAmount
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
	}
	var whole, frac int64
	digits, fracDigits := 0, 0
	seenDot := false
	for _, c := range b {
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			digits++
			d := int64(c - '0')
			if !seenDot {
				if whole > (math.MaxInt64/100-9)/10 {
					return 0, ErrBadAmount
				}
				whole = whole*10 + d
				continue
			}
			fracDigits++
			switch {
			case fracDigits == 1:
				frac += d * 10
			case fracDigits == 2:
				frac += d
			case d != 0:
				return 0, ErrBadAmount // a fraction of a cent
			}
		default:
			return 0, ErrBadAmount
		}
	}
	if digits == 0 {
		return 0, ErrBadAmount
	}
	v := whole*100 + frac
	if neg {
		v = -v
	}
	return Amount(v), nil
}

// MustAmount parses s with ParseAmount and panics on error. It is for
// constants in tests and examples.
func MustAmount(s string) Amount {
	a, err := ParseAmount([]byte(s))
	if err != nil {
		panic("x12: bad amount " + strconv.Quote(s))
	}
	return a
}

// String formats the amount with two decimal places, e.g. "-12.50".
func (a Amount) String() string {
	return string(a.append(nil, true))
}

// Append appends the String form of the amount to b.
func (a Amount) Append(b []byte) []byte { return a.append(b, true) }

// X12 formats the amount as X12 writes decimals: no trailing zeros in the
// fraction and no decimal point for whole amounts ("150", "12.5", "0.05").
func (a Amount) X12() string {
	return string(a.append(nil, false))
}

// AppendX12 appends the X12 form of the amount to b.
func (a Amount) AppendX12(b []byte) []byte { return a.append(b, false) }

func (a Amount) append(b []byte, fixed bool) []byte {
	v := int64(a)
	if v < 0 {
		b = append(b, '-')
		if v == math.MinInt64 {
			return append(b, "92233720368547758.08"...)
		}
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	switch {
	case fixed || c%10 != 0:
		b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
	case c != 0:
		b = append(b, '.', byte('0'+c/10))
	}
	return b
}

// MarshalText formats the amount with two decimal places, so JSON shows
// "12.50".
func (a Amount) MarshalText() ([]byte, error) { return a.append(nil, true), nil }

// UnmarshalText parses a decimal string.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(b)
	if err != nil {
		return errors.New("invalid amount " + strconv.Quote(string(b)) + ": use a decimal such as 125.00")
	}
	*a = v
	return nil
}
