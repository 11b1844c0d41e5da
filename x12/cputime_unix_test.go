//go:build unix

package x12

import "syscall"

// cpuSeconds returns the user and system CPU time of the process so far,
// for benchmarks on a shared machine, where wall-clock time also counts
// other people's work.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
