package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/x12claims/claims/adapters/schedule"
	"github.com/x12claims/claims/pipeline"
)

// The instance child: TestSeveralInstances runs this test binary again
// with CLAIMS_MULTI_CHILD=1, and the child is the daemon (claims run) on
// the configuration in CLAIMS_MULTI_CONFIG until SIGTERM. With
// CLAIMS_MULTI_PAUSE it stops for good at that crash point, the first
// time the pipeline passes it, after writing the file
// CLAIMS_MULTI_PAUSED: the job stays where it is, holding its job lock
// and the lease of its work unit (renewed in the background), until the
// test kills the process.
const (
	envMultiChild  = "CLAIMS_MULTI_CHILD"
	envMultiConfig = "CLAIMS_MULTI_CONFIG"
	envMultiPause  = "CLAIMS_MULTI_PAUSE"
	envMultiPaused = "CLAIMS_MULTI_PAUSED"
)

func init() {
	if os.Getenv(envMultiChild) == "1" {
		os.Exit(multiChild())
	}
}

func multiChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	point, paused := os.Getenv(envMultiPause), os.Getenv(envMultiPaused)
	hook := func(name string) {
		if point == "" || name != point {
			return
		}
		if err := os.WriteFile(paused, []byte(name), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "instance child:", err)
			os.Exit(1)
		}
		select {} // until killed
	}
	a, err := openAppWith(ctx, os.Getenv(envMultiConfig), os.Stderr, func(o *pipeline.Options) { o.Failpoint = hook })
	if err != nil {
		fmt.Fprintln(os.Stderr, "instance child:", err)
		return 2
	}
	defer a.Close()
	fmt.Fprintln(os.Stderr, "lease owner:", a.pipe.LeaseOwner())
	if err := runDaemon(ctx, a, daemonOptions{clock: schedule.System{}}); err != nil {
		fmt.Fprintln(os.Stderr, "instance child:", err)
		return 2
	}
	return 0
}
