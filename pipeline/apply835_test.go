package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12/x835"
)

// applyBig applies an 835 paying n seeded claims (three lines each) in
// sets of perSet, and returns the report.
func applyBig(t testing.TB, h *pipelinetest.Harness, prefix string, n, perSet int) pipeline.ResponseReport {
	t.Helper()
	pipelinetest.SeedClaims(h, prefix, n, 3)
	h.Receive835(prefix+".835", n, perSet, func(i int) *x835.Claim { return pipelinetest.BigClaim(prefix, i) })
	rep, err := h.P.ApplyPending(context.Background())
	if err != nil {
		t.Fatalf("ApplyPending: %v", err)
	}
	if rep.Files != 1 || rep.ClaimsPaid != n || rep.PaymentsUnapplied != 0 {
		t.Fatalf("applied %d files, %d claims paid, %d unapplied; want 1, %d, 0", rep.Files, rep.ClaimsPaid, rep.PaymentsUnapplied, n)
	}
	return rep
}

// TestApply835HeapIsFlat is the memory test of streaming apply: the live
// heap's high-water mark while an 835 of 10× the claims is applied (in
// one transaction set, the worst case) is within 20% of the one for 1×.
// The heap is sampled inside every chunk's transaction, after a
// collection, when the chunk's claims and its posting plan are alive.
func TestApply835HeapIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("applies 22,000 claim payments")
	}
	peak := func(n int) uint64 {
		m := &pipelinetest.HeapMeter{Point: "collect:835-mid-set"}
		h := newHarness(t, func(o *pipeline.Options) {
			o.PostChunk = 200
			o.Failpoint = m.Hook
		})
		applyBig(t, h, fmt.Sprintf("H%d-", n), n, n)
		if m.N < n/200 {
			t.Fatalf("%d heap samples for %d claims in chunks of 200", m.N, n)
		}
		return m.Max
	}
	one, ten := peak(2000), peak(20000)
	t.Logf("live heap high-water mark: %.1f MB at 2,000 claims, %.1f MB at 20,000", float64(one)/1e6, float64(ten)/1e6)
	if float64(ten) > 1.2*float64(one) {
		t.Errorf("the heap grows with the 835: %d bytes at 10× the claims, %d at 1×", ten, one)
	}
}

// BenchmarkApply835 measures applying one 835 file end to end, from a
// received file in the inbox to every claim posted, on SQLite: the scan,
// the balancing pass and the posting pass, in chunks of
// pipeline.DefaultPostChunk claim payments. Each iteration posts an 835
// of claims=N claim payments of three lines (in sets of 5,000) to N
// seeded claims; seeding and writing the file are not timed. It reports
// claim payments per second, the process's CPU seconds per file (what
// to compare on a shared machine) and the live heap's high-water mark.
func BenchmarkApply835(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprintf("claims=%d", n), func(b *testing.B) {
			m := &pipelinetest.HeapMeter{Point: "collect:835-mid-set"}
			h := newHarness(b, func(o *pipeline.Options) { o.Failpoint = m.Hook })
			var took, cpu time.Duration
			for i := range b.N {
				b.StopTimer()
				prefix := fmt.Sprintf("B%d-", i)
				pipelinetest.SeedClaims(h, prefix, n, 3)
				h.Receive835(prefix+".835", n, 5000, func(k int) *x835.Claim { return pipelinetest.BigClaim(prefix, k) })
				b.StartTimer()
				start, startCPU := time.Now(), cpuTime()
				rep, err := h.P.ApplyPending(context.Background())
				took += time.Since(start)
				cpu += cpuTime() - startCPU
				if err != nil || rep.ClaimsPaid != n {
					b.Fatalf("ApplyPending: %d claims paid, %v: %+v", rep.ClaimsPaid, err, rep)
				}
			}
			b.ReportMetric(float64(n*b.N)/took.Seconds(), "claims/s")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(m.Max)/1e6, "peak-heap-MB")
		})
	}
}

// TestApply835File is a measuring tool, not a test: with
// CLAIMS_APPLY835=FILE it applies that 835 (addressed to the harness's
// practice, as CLAIMS_GEN835 writes them) on a fresh SQLite store and
// logs the time it took and the process's peak RSS. With
// CLAIMS_APPLY835_SEED=N it first seeds the N claims that the generated
// claim payments pay (untimed), so that they post instead of being kept as
// unapplied cash. Without CLAIMS_APPLY835, it skips.
// See the README (Applying large 835s).
func TestApply835File(t *testing.T) {
	path := os.Getenv("CLAIMS_APPLY835")
	if path == "" {
		t.Skip("set CLAIMS_APPLY835=FILE to apply an 835 and measure it")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, nil)
	if n := os.Getenv("CLAIMS_APPLY835_SEED"); n != "" {
		// The claims TestGenerate835's claim payments pay.
		k, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("CLAIMS_APPLY835_SEED=%q: want a number of claims", n)
		}
		pipelinetest.SeedMany(h, "G", k, 3)
	}
	h.Record(path, fi.Size())
	start := time.Now()
	rep, err := h.P.ApplyPending(context.Background())
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	t.Logf("applied %s (%.1f MB): %d files, %d remittances posted, %d held, %d claim payments unapplied, %d paid, in %s; peak RSS %.0f MB",
		path, float64(fi.Size())/1e6, rep.Files, rep.RemitsPosted, rep.RemitsHeld, rep.PaymentsUnapplied, rep.ClaimsPaid,
		took.Round(time.Millisecond), float64(ru.Maxrss)/1024)
}

// TestGenerate835 is the generator for TestApply835File: with
// CLAIMS_GEN835=FILE and CLAIMS_GEN835_MB=SIZE it writes a valid,
// balanced 835 of about SIZE megabytes (three-line claim payments, sets of
// 5,000) to FILE, in bounded memory. Its claims match none of a fresh
// store's, so applying it keeps each as unapplied cash, unless
// TestApply835File seeds them (CLAIMS_APPLY835_SEED, the number of claim
// payments it logs). Without CLAIMS_GEN835, it skips.
func TestGenerate835(t *testing.T) {
	path := os.Getenv("CLAIMS_GEN835")
	if path == "" {
		t.Skip("set CLAIMS_GEN835=FILE and CLAIMS_GEN835_MB=SIZE to write an 835")
	}
	mb, err := strconv.Atoi(os.Getenv("CLAIMS_GEN835_MB"))
	if err != nil || mb <= 0 {
		t.Fatalf("CLAIMS_GEN835_MB=%q: want a size in megabytes", os.Getenv("CLAIMS_GEN835_MB"))
	}
	const claimSize = 410 // bytes of one BigClaim, written
	h := newHarness(t, nil)
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	n := mb * 1e6 / claimSize
	if err := h.Write835(fh, n, 5000, func(i int) *x835.Claim { return pipelinetest.BigClaim("G", i) }); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	t.Logf("wrote %s: %d claim payments, %.1f MB", path, n, float64(fi.Size())/1e6)
}
