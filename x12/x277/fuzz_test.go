package x277

import (
	"bytes"
	"testing"
)

// FuzzRead checks that no input makes Read panic and that verdicts can be
// computed on whatever was read. Seeds are in testdata/fuzz.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		acks, _ := Read(bytes.NewReader(data))
		for _, a := range acks {
			a.Counts()
			for _, s := range a.Sources {
				for _, r := range s.Receivers {
					for _, p := range r.Providers {
						p.Verdict()
					}
				}
			}
		}
	})
}
