package x999

import (
	"bytes"
	"testing"
)

// FuzzRead checks that no input makes Read panic and that every ack read
// without error can be written. Seeds are in testdata/fuzz.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		acks, err := Read(bytes.NewReader(data))
		for _, a := range acks {
			a.Counts()
		}
		if err != nil {
			return
		}
		var buf bytes.Buffer
		_ = WriteInterchange(&buf, isaForFuzz, gsForFuzz, acks...)
	})
}
