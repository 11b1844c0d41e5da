package clearinghousesim

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// Share returns rate of a, rounded half up to the cent: 20 % of $10.03 is
// $2.006 → $2.01, 20 % of $10.02 is $2.004 → $2.00, and 50 % of $0.05 is
// $0.025 → $0.03. A negative amount is rounded half away from
// zero (its share is the negated share of its absolute value). A rate
// outside 0..10000 basis points is clamped to that range.
func Share(a x12.Amount, rate BasisPoints) x12.Amount {
	if rate < 0 {
		rate = 0
	}
	if rate > 10000 {
		rate = 10000
	}
	if a < 0 {
		return -Share(-a, rate)
	}
	return x12.Amount(mulDivHalfUp(int64(a), int64(rate), 10000))
}

// mulDivHalfUp returns a × n / d rounded half up, for a, n ≥ 0 and d > 0
// even, saturating at math.MaxInt64 instead of overflowing.
func mulDivHalfUp(a, n, d int64) int64 {
	if a < 0 || n < 0 || d <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(n))
	var carry uint64
	lo, carry = bits.Add64(lo, uint64(d/2), 0)
	hi += carry
	if hi >= uint64(d) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(d))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// Units is a quantity of service in thousandths: 1000 is one unit. X12
// quantities have at most three decimals, so Units is exact.
type Units int64

// ParseUnits parses an X12 quantity such as "1", "2.5" or ".125". It
// returns false for anything else: a sign, more than three decimals, more
// than 15 digits, or no digit at all.
func ParseUnits(b []byte) (Units, bool) {
	var whole, frac int64
	digits, fracDigits, seenDot := 0, 0, false
	for _, c := range b {
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			digits++
			if digits > 15 {
				return 0, false
			}
			if seenDot {
				fracDigits++
				if fracDigits > 3 {
					return 0, false
				}
				frac = frac*10 + int64(c-'0')
			} else {
				whole = whole*10 + int64(c-'0')
			}
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	for ; fracDigits < 3; fracDigits++ {
		frac *= 10
	}
	return Units(whole*1000 + frac), true
}

// String formats the quantity as X12 writes it: "1", "2.5", "0.125".
func (u Units) String() string {
	s := strconv.FormatInt(int64(u)/1000, 10)
	f := int64(u) % 1000
	if f < 0 {
		f = -f
	}
	if f == 0 {
		return s
	}
	fs := strconv.FormatInt(f+1000, 10)[1:] // three digits
	for fs[len(fs)-1] == '0' {
		fs = fs[:len(fs)-1]
	}
	return s + "." + fs
}

// times returns fee × u rounded half up to the cent (saturating).
func (u Units) times(fee x12.Amount) x12.Amount {
	if fee < 0 || u < 0 {
		return 0
	}
	return x12.Amount(mulDivHalfUp(int64(fee), int64(u), 1000))
}
