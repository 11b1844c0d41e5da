package clearinghousesim

import (
	"testing"

	"github.com/x12claims/claims/x12"
)

// TestControlNumbersMatchAsX12Does pins the simulator to the x12
// package's comparison (it once had its own copy, which did not trim
// spaces): a control number with surrounding spaces matches.
func TestControlNumbersMatchAsX12Does(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"0001", "0001", true},
		{" 0001", "0001", true},
		{"0001 ", "1", true},
		{"000000101 ", "000000101", true},
		{" ABC ", "ABC", true},
		{"0002", "0001", false},
		{" 102 ", "101", false},
		{"", "0", false},
	}
	for _, tt := range tests {
		if got := x12.SameControl(tt.a, tt.b); got != tt.want {
			t.Errorf("SameControl(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	for _, s := range []string{"222", " 222", "222 "} {
		if n, ok := x12.ParseNumber(s); !ok || n != 222 {
			t.Errorf("ParseNumber(%q) = %d, %v, want 222, true", s, n, ok)
		}
	}
	for _, s := range []string{"", "-1", "+1", "1 2", "12345678901234567890"} {
		if _, ok := x12.ParseNumber(s); ok {
			t.Errorf("ParseNumber(%q) ok, want not", s)
		}
	}
}
