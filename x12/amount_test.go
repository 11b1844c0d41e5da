package x12

import (
	"errors"
	"math"
	"testing"
)

func TestAmountFormats(t *testing.T) {
	for _, tc := range []struct {
		a           Amount
		str, x12str string
	}{
		{0, "0.00", "0"},
		{5, "0.05", "0.05"},
		{50, "0.50", "0.5"},
		{15000, "150.00", "150"},
		{1250, "12.50", "12.5"},
		{-1250, "-12.50", "-12.5"},
		{-7, "-0.07", "-0.07"},
		{math.MinInt64, "-92233720368547758.08", "-92233720368547758.08"},
	} {
		if got := tc.a.String(); got != tc.str {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(tc.a), got, tc.str)
		}
		if got := string(tc.a.Append([]byte("x="))); got != "x="+tc.str {
			t.Errorf("Amount(%d).Append = %q, want %q", int64(tc.a), got, "x="+tc.str)
		}
		if got := tc.a.X12(); got != tc.x12str {
			t.Errorf("Amount(%d).X12() = %q, want %q", int64(tc.a), got, tc.x12str)
		}
		if tc.a == math.MinInt64 {
			continue
		}
		for _, s := range []string{tc.str, tc.x12str} {
			if back, err := ParseAmount([]byte(s)); err != nil || back != tc.a {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, int64(back), err, int64(tc.a))
			}
		}
	}
}

func TestParseAmountRejects(t *testing.T) {
	for _, s := range []string{"", "-", ".", "1.234", "1,00", "1e3", "12.5.0", " 1", "99999999999999999999"} {
		if a, err := ParseAmount([]byte(s)); !errors.Is(err, ErrBadAmount) {
			t.Errorf("ParseAmount(%q) = %d, %v; want ErrBadAmount", s, int64(a), err)
		}
	}
	// Trailing zeros past the cents are exact and accepted.
	if a, err := ParseAmount([]byte("1.2500")); err != nil || a != 125 {
		t.Errorf("ParseAmount(1.2500) = %d, %v; want 125", int64(a), err)
	}
}
