package x997

import (
	"bytes"
	"testing"
)

// FuzzRead checks that no input makes Read panic and that every ack read
// converts to a 999. Seeds are in testdata/fuzz.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		acks, _ := Read(bytes.NewReader(data))
		for _, a := range acks {
			a.Counts()
			b := a.As999()
			if len(b.Sets) != len(a.Sets) {
				t.Fatalf("As999 has %d sets, want %d", len(b.Sets), len(a.Sets))
			}
		}
	})
}
