package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressMin is the input size from which reading takes long enough to
// show progress.
const progressMin = 4 << 20

// withProgress shows a progress bar with the rate on standard error while
// r (size bytes) is read, when standard error is a terminal and the input
// big; otherwise it returns r as it is. done clears the bar.
func withProgress(s *streams, what string, r io.Reader, size int64) (io.Reader, func()) {
	f, ok := s.err.(*os.File)
	if !ok || size < progressMin || !term.IsTerminal(int(f.Fd())) {
		return r, func() {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
	pr := progressbar.NewReader(r, bar)
	return &pr, func() { bar.Finish() } //nolint:errcheck // a terminal write
}
