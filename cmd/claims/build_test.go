package main

import (
	"testing"

	"github.com/x12claims/claims/x12/x837"
)

func TestBuildOutName(t *testing.T) {
	for _, tc := range []struct {
		kind x837.Kind
		both bool
		n    int
		want string
	}{
		{x837.Professional, false, 1, "/tmp/out.x12"},
		{x837.Professional, true, 1, "/tmp/out.x12"},
		{x837.Institutional, false, 1, "/tmp/out.x12"},
		{x837.Institutional, true, 1, "/tmp/out_837I.x12"},
		{x837.Professional, true, 2, "/tmp/out_2.x12"},
		{x837.Institutional, true, 3, "/tmp/out_837I_3.x12"},
	} {
		if got := outName("/tmp/out.x12", tc.kind, tc.both, tc.n); got != tc.want {
			t.Errorf("outName(%s, both %v, %d) = %s, want %s", tc.kind, tc.both, tc.n, got, tc.want)
		}
	}
}
