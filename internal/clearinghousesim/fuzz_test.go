package clearinghousesim

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// answer reads, decides and renders one file on a fresh state, the way
// Respond does without the folders.
func answer(tb testing.TB, cfg *Config, store *Store, data []byte) (*decision, []rendered) {
	tb.Helper()
	in, err := readInbound(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("readInbound: %v", err)
	}
	if err := addValidatorErrors(in, data); err != nil {
		tb.Fatalf("validator: %v", err)
	}
	ctx := context.Background()
	tx, err := store.db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a fresh state every time
	st := &txState{ctx: ctx, tx: tx, cfg: cfg}
	d := decide(cfg, st, in, testNow(), "in.x12")
	if st.err != nil {
		tb.Fatalf("state: %v", st.err)
	}
	out, err := render(cfg, d, func(string) time.Time { return testNow() })
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
	store := memStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, out := answer(t, &cfg, store, data)
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
	store := memStore(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		answer(b, &cfg, store, data)
	}
}

// memStore opens a state store in memory, closed when the test ends.
func memStore(tb testing.TB) *Store {
	tb.Helper()
	s, err := OpenStore(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
