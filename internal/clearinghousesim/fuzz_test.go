package clearinghousesim

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// answer reads, decides and renders one file on a fresh state, the way
// Respond does without the folders.
func answer(tb testing.TB, cfg *Config, data []byte) (*decision, []rendered) {
	tb.Helper()
	in, err := readInbound(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("readInbound: %v", err)
	}
	d := decide(cfg, newState(cfg), in, testNow(), "in.x12")
	out, err := render(cfg, d, testNow())
	if err != nil {
		tb.Fatalf("render: %v", err)
	}
	return d, out
}

// FuzzAnswer feeds arbitrary bytes to the simulator: it must never panic,
// always produce writable responses that read back as sound X12, and any
// 835 it writes must balance.
func FuzzAnswer(f *testing.F) {
	base, err := os.ReadFile(filepath.Join("testdata", "basic.x12"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(base)
	f.Add([]byte(strings.Replace(string(base), "SE*222*0001", "SE*2*0001", 1)))
	f.Add([]byte(strings.Replace(string(base), "CLM*PCN1002*276*", "CLM*PCN1002*2:6*", 1)))
	f.Add([]byte(strings.ReplaceAll(string(base), "*", "|")))
	f.Add(base[:len(base)/2])
	f.Add([]byte("ISA*00*"))
	f.Add([]byte(""))
	cfg := DefaultConfig("/nonexistent")
	f.Fuzz(func(t *testing.T, data []byte) {
		d, out := answer(t, &cfg, data)
		if d.report.Files != 1 {
			t.Fatalf("report files = %d", d.report.Files)
		}
		for _, o := range out {
			rd := x12.NewReader(bytes.NewReader(o.data))
			for {
				if _, err := rd.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("%s response does not read back: %v", o.kind, err)
				}
			}
			if errs := rd.Errors(); len(errs) > 0 {
				t.Fatalf("%s response has envelope errors: %v", o.kind, errs)
			}
			if o.kind != "835" {
				continue
			}
			rems, err := x835.Read(bytes.NewReader(o.data))
			if err != nil {
				t.Fatalf("835 does not parse: %v", err)
			}
			for _, rem := range rems {
				if errs := rem.Balance(); len(errs) > 0 {
					t.Fatalf("835 out of balance: %v", errs)
				}
			}
		}
	})
}

// BenchmarkAnswer reads, decides and renders the 12-claim fixture.
func BenchmarkAnswer(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "basic.x12"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig("/nonexistent")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		answer(b, &cfg, data)
	}
}
