//go:build !unix

package x835

import "time"

// cpuTime is not measured on this platform.
func cpuTime() time.Duration { return 0 }
