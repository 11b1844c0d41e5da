//go:build !unix

package x837

import "time"

// cpuTime is not measured on this platform.
func cpuTime() time.Duration { return 0 }
