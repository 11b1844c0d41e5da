package main

import (
	"math"
	"runtime/debug"
)

// The garbage collector's settings for this program, unless the GOGC or
// GOMEMLIMIT environment variables set their own.
//
// The live heap of every command is small and bounded (batches, pages
// and chunks, not the night's volume: a few tens of MB), but the
// allocation rate of a run is high. With Go's default GOGC of 100 the
// collector ran every 10–30 MB, about 950 times in a 100k-claim cycle
// (GODEBUG=gctrace=1 claims bench --claims 100000). Letting the heap grow
// to five times the live data (GOGC 400) runs it a quarter as often, and
// the soft limit keeps the total in bounds: past 64 MiB the collector
// runs sooner, whatever GOGC says. claims bench --claims 100000 --json on
// SQLite, with GOGC=100 GOMEMLIMIT=off and then without: about 31 → 26
// CPU seconds, peak RSS 150 → 165–175 MB.
const (
	gcPercent   = 400
	memoryLimit = 64 << 20 // bytes
)

// tuneGC applies gcPercent and memoryLimit where getenv (os.Getenv)
// leaves them unset: an operator's GOGC or GOMEMLIMIT wins.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// goDefaultGC puts back Go's own settings (GOGC 100, no memory limit)
// where getenv leaves them unset, for the clearinghouse simulator: a test
// tool, not the product, whose live heap follows the largest file it
// answers (tens of MB for 10,000 claims), so that under the product's
// soft limit its collector would run all the time.
func goDefaultGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(100)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}
