//go:build unix

package pipeline_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// BenchmarkAcks applies a 999 and a 277CA accepting n claims on SQLite,
// one claim at a time (Options.AckChunk 1) and in bulk (the default),
// and reports the CPU time of applying them, which the load of a shared
// machine distorts less than the elapsed time:
//
//	go test ./pipeline -run '^$' -bench Acks -benchtime 1x
func BenchmarkAcks(b *testing.B) {
	const n = 5000
	for _, tc := range []struct {
		name  string
		chunk int
	}{{"one-by-one", 1}, {"bulk", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				h := newHarness(b, func(o *pipeline.Options) {
					o.AckChunk = tc.chunk
					o.MaxClaimsPerFile = n
					o.Partners[0].MaxClaimsPerSet = 1000
				})
				if _, err := h.P.Intake(b.Context(), generated(n)); err != nil {
					b.Fatal(err)
				}
				if rep, err := h.P.Submit(b.Context()); err != nil || rep.Upload.ClaimsSent != n {
					b.Fatalf("Submit: %d claims sent, %v", rep.Upload.ClaimsSent, err)
				}
				var claims []*pipeline.Claim
				if err := h.Store.InTx(b.Context(), func(tx pipeline.Tx) error {
					var err error
					claims, err = tx.ClaimsInState(context.Background(), pipeline.StateSubmitted, 0)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				ack999, ack277 := h.File999(claims[0], "A"), h.File277(claims, nil)
				b.StartTimer()
				start := cpuTime()
				h.Deliver("a.999", ack999)
				rep := h.Deliver("a.277", ack277)
				cpu += cpuTime() - start
				if rep.Responses.ClaimsAccepted != n {
					b.Fatalf("%d claims accepted, want %d", rep.Responses.ClaimsAccepted, n)
				}
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "claims/cpu-s")
		})
	}
}

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(fmt.Sprintf("getrusage: %v", err))
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
