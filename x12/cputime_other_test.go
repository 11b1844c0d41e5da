//go:build !unix

package x12

// cpuSeconds is not available here; benchmarks then skip the CPU metric.
func cpuSeconds() float64 { return 0 }
