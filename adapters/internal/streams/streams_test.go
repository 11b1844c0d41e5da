package streams

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestEqual(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 20000) // several blocks
	other := bytes.Clone(big)
	other[len(other)-1] = 'x'
	for _, tc := range []struct {
		name string
		a, b []byte
		want bool
	}{
		{"both empty", nil, nil, true},
		{"same", big, big, true},
		{"last byte differs", big, other, false},
		{"prefix", big[:len(big)-1], big, false},
		{"one empty", nil, []byte("a"), false},
	} {
		got, err := Equal(bytes.NewReader(tc.a), bytes.NewReader(tc.b))
		if err != nil || got != tc.want {
			t.Errorf("%s: Equal = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	boom := errors.New("boom")
	if _, err := Equal(iotest.ErrReader(boom), strings.NewReader("")); !errors.Is(err, boom) {
		t.Errorf("Equal with a failing reader: %v, want boom", err)
	}
}
