package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	tests := []struct {
		name        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{"defaults", nil, gcPercent, memoryLimit},
		{"GOGC set", map[string]string{"GOGC": "150"}, 100, memoryLimit},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, gcPercent, math.MaxInt64},
		{"both set", map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, 100, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The runtime read the real environment at start; tuneGC
			// leaves a set variable's value alone, so the test sees the
			// values it set before.
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			getenv := func(k string) string { return tt.env[k] }
			tuneGC(getenv)
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("tuneGC: GC percent = %d, want %d", got, tt.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("tuneGC: memory limit = %d, want %d", got, tt.wantLimit)
			}
			// The simulator goes back to Go's defaults, where the
			// environment sets nothing.
			debug.SetGCPercent(gcPercent - 1)
			debug.SetMemoryLimit(memoryLimit - 1)
			goDefaultGC(getenv)
			wantPercent, wantLimit := 100, int64(math.MaxInt64)
			if tt.env["GOGC"] != "" {
				wantPercent = gcPercent - 1
			}
			if tt.env["GOMEMLIMIT"] != "" {
				wantLimit = memoryLimit - 1
			}
			if got := debug.SetGCPercent(100); got != wantPercent {
				t.Errorf("goDefaultGC: GC percent = %d, want %d", got, wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != wantLimit {
				t.Errorf("goDefaultGC: memory limit = %d, want %d", got, wantLimit)
			}
		})
	}
}
