package ta1

import (
	"bytes"
	"testing"
)

// FuzzRead checks that no input makes Read panic. Seeds are in
// testdata/fuzz.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		acks, _ := Read(bytes.NewReader(data))
		for _, a := range acks {
			a.Accepted()
		}
	})
}
