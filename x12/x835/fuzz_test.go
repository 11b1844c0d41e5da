package x835

import (
	"bytes"
	"io"
	"testing"

	"github.com/x12claims/claims/x12"
)

// FuzzReadRemittances checks that no input makes the parser panic, that
// balancing runs on whatever was read, and that streaming gives the same
// totals as loading whole sets. Seeds are in testdata/fuzz.
func FuzzReadRemittances(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rems, err := Read(bytes.NewReader(data))
		for _, r := range rems {
			r.Balance()
		}
		if err != nil {
			return
		}
		p := NewParser(x12.NewReader(bytes.NewReader(data)))
		for i := 0; ; i++ {
			_, err := p.NextRemittance()
			if err == io.EOF {
				if i != len(rems) {
					t.Fatalf("streamed %d sets, loaded %d", i, len(rems))
				}
				return
			}
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			for {
				if _, err := p.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("stream: %v", err)
				}
			}
			if i >= len(rems) {
				t.Fatalf("streamed more sets than loaded")
			}
			if got, want := p.Totals(), rems[i].Totals(); got != want {
				t.Fatalf("set %d: streamed totals %+v, loaded %+v", i, got, want)
			}
		}
	})
}
