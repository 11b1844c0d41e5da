package pipeline_test

import (
	"context"
	"fmt"
	"iter"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// generated yields n clean encounters, made as they are read, so that
// the input itself takes no memory.
type generated int

func (n generated) Encounters(context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for i := range int(n) {
			if !yield(pipelinetest.Encounter(fmt.Sprintf("G%07d", i), "100.00", "25.00", "12.50"), nil) {
				return
			}
		}
	}
}

// heapPeak samples the bytes of live and unswept heap objects every
// millisecond until stop is called, which returns the highest seen.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done, result := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}

// BenchmarkIntakeBuild takes n encounters through intake and build on
// SQLite, with batches of 500 and files of at most 2,000 claims, and
// reports claims/s and the heap's high-water mark, which should not grow
// with n once past the first batches (compare 20000 with 200000, which
// takes about a minute):
//
//	go test ./pipeline -run '^$' -bench 'IntakeBuild/(20000|200000)$' -benchtime 1x
func BenchmarkIntakeBuild(b *testing.B) {
	for _, n := range []int{2000, 20000, 200000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				h := newHarness(b, func(o *pipeline.Options) {
					o.BatchSize = 500
					o.MaxClaimsPerFile = 2000
					o.Partners[0].MaxClaimsPerSet = 1000
				})
				b.StartTimer()
				stop := heapPeak()
				in, err := h.P.Intake(b.Context(), generated(n))
				if err != nil || in.Accepted != n {
					b.Fatalf("Intake: %d accepted, %v", in.Accepted, err)
				}
				rep, err := h.P.Build(b.Context())
				if err != nil || rep.Claims != n {
					b.Fatalf("Build: %d claims, %v", rep.Claims, err)
				}
				peak = max(peak, stop())
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "claims/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
