package x837

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// claimStream yields n claims made from the fixtures, each with its own
// CLM01 and line control numbers. It reuses one claim value per fixture,
// so the stream itself holds no memory per claim.
func claimStream(t testing.TB, kind Kind, n int, yield func(*Claim) bool) {
	t.Helper()
	name := "professional.json"
	if kind == Institutional {
		name = "institutional.json"
	}
	base := loadClaims(t, name)
	for i := 0; i < n; i++ {
		c := base[i%len(base)]
		c.PatientControlNumber = "B" + strconv.Itoa(i)
		for k := range c.Lines {
			c.Lines[k].ControlNumber = c.PatientControlNumber + "-" + strconv.Itoa(k+1)
		}
		if !yield(c) {
			return
		}
	}
}

// buildValidateWrite scrubs and writes n claims to w and returns how many
// were written.
func buildValidateWrite(t testing.TB, kind Kind, n int, w io.Writer, sample func(int)) int {
	t.Helper()
	env := testEnvelope(kind)
	env.Newline = false
	bld, err := NewBuilder(w, env)
	if err != nil {
		t.Fatal(err)
	}
	opts := ValidateOptions{Today: testToday}
	written := 0
	claimStream(t, kind, n, func(c *Claim) bool {
		if ps := c.Validate(opts); len(ps) > 0 {
			t.Fatalf("%s: %v", c.PatientControlNumber, ps[0].Error())
		}
		if _, err := bld.Add(c); err != nil {
			t.Fatal(err)
		}
		written++
		if sample != nil {
			sample(written)
		}
		return true
	})
	if _, err := bld.Close(); err != nil {
		t.Fatal(err)
	}
	return written
}

// BenchmarkBuildValidateWrite100k scrubs, builds and writes 100,000
// professional claims per operation (20 transaction sets of 5,000).
func BenchmarkBuildValidateWrite100k(b *testing.B) {
	b.ReportAllocs()
	const n = 100_000
	var total int
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		total += buildValidateWrite(b, Professional, n, io.Discard, nil)
	}
	reportRate(b, total, start, cpu)
}

// BenchmarkBuildValidateWriteInstitutional is the same for 837I, per claim.
func BenchmarkBuildValidateWriteInstitutional(b *testing.B) {
	b.ReportAllocs()
	const n = 20_000
	var total int
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		total += buildValidateWrite(b, Institutional, n, io.Discard, nil)
	}
	reportRate(b, total, start, cpu)
}

// TestBuilderMemoryFlat checks that the heap does not grow with the
// number of claims written: the builder streams.
func TestBuilderMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 claims")
	}
	peak := func(n int) uint64 {
		var max uint64
		var ms runtime.MemStats
		buildValidateWrite(t, Professional, n, io.Discard, func(i int) {
			if i%10_000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > max {
					max = ms.HeapAlloc
				}
			}
		})
		return max
	}
	small, large := peak(20_000), peak(100_000)
	t.Logf("live heap after GC: %d KiB at 20k claims, %d KiB at 100k claims", small/1024, large/1024)
	if large > small+2<<20 {
		t.Errorf("heap grew from %d to %d bytes between 20k and 100k claims; the builder must stream", small, large)
	}
}

// BenchmarkValidateFile validates a 20,000-claim 837P file (4 sets) per
// operation.
func BenchmarkValidateFile(b *testing.B) {
	var buf bytes.Buffer
	const n = 20_000
	buildValidateWrite(b, Professional, n, &buf, nil)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start, cpu := time.Now(), cpuTime()
	ops := 0
	for b.Loop() {
		problems := 0
		if err := ValidateStream(bytes.NewReader(data), FileOptions{Today: testToday}, func(Problem) { problems++ }); err != nil {
			b.Fatal(err)
		}
		if problems != 0 {
			b.Fatalf("%d problems in a clean file", problems)
		}
		ops++
	}
	reportRate(b, ops*n, start, cpu)
}

// reportRate reports claims per wall-clock second and, where measured,
// per CPU second (all threads, GC included).
func reportRate(b *testing.B, claims int, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(claims)/time.Since(start).Seconds(), "claims/s")
	if used := cpuTime() - cpu; used > 0 {
		b.ReportMetric(float64(claims)/used.Seconds(), "claims/cpu-s")
	}
}
