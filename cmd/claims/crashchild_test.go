package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/adapters/localdir"
	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/samples"
)

// The crash-safety child: TestCrashSafety runs this test binary again with
// CLAIMS_CRASH_CHILD=1, and the child runs one job of the cycle (submit or
// collect) and exits, or is killed at the failpoint it was given.
const (
	envCrashChild = "CLAIMS_CRASH_CHILD" // "1" in the child
	envCrashDir   = "CLAIMS_CRASH_DIR"   // the pipeline's working folder (store, outbox, inbox)
	envCrashSim   = "CLAIMS_CRASH_SIM"   // the clearinghouse simulator's root
	envCrashJob   = "CLAIMS_CRASH_JOB"   // "submit" or "collect"
	envFailpoint  = "CLAIMS_FAILPOINT"   // the crash point to die at; empty: none
)

// The child's exit codes. A child killed at its failpoint has none: it
// dies by SIGKILL.
const (
	childDone        = 0 // the job finished (no failpoint was given)
	childFailed      = 1 // the job returned an error, or could not start
	childNotReached  = 3 // the job finished without passing the failpoint given
	childUnlisted    = 4 // the pipeline passed a crash point Failpoints does not list
	childWrongJob    = 5 // CLAIMS_CRASH_JOB is neither submit nor collect
	crashChildPrefix = "crash child: "
)

func init() {
	if os.Getenv(envCrashChild) == "1" {
		os.Exit(crashChild())
	}
}

// crashChild runs the job CLAIMS_CRASH_JOB names and returns the exit
// code.
func crashChild() int {
	ctx := context.Background()
	point := os.Getenv(envFailpoint)
	listed := pipeline.Failpoints()
	hook := func(name string) {
		if !slices.Contains(listed, name) {
			fmt.Fprintf(os.Stderr, "%sthe pipeline passed crash point %q, which pipeline.Failpoints does not list\n", crashChildPrefix, name)
			os.Exit(childUnlisted)
		}
		if name == point {
			// Nothing runs after this: no deferred call, no flush,
			// no close, as when the power goes.
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	p, closeAll, err := crashPipeline(ctx, os.Getenv(envCrashDir), os.Getenv(envCrashSim), hook)
	if err != nil {
		fmt.Fprintln(os.Stderr, crashChildPrefix, err)
		return childFailed
	}
	defer closeAll()
	switch job := os.Getenv(envCrashJob); job {
	case "submit":
		_, err = p.Submit(ctx)
	case "collect":
		_, err = p.Collect(ctx)
	default:
		fmt.Fprintf(os.Stderr, "%s%s=%q: want submit or collect\n", crashChildPrefix, envCrashJob, job)
		return childWrongJob
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, crashChildPrefix, err)
		return childFailed
	}
	if point != "" {
		return childNotReached
	}
	return childDone
}

// crashPipeline makes the pipeline as the demo does, on a SQLite store
// in dir and the local-folder transport to the simulator's folders under
// sim, with the demo's sample encounters. The clearinghouse is the
// demo's, except that it asks for TA1s and puts at most crashSetSize
// claims in a transaction set, so that the cycle has TA1 files and
// 277CA files of several sets to crash in, and posts crashPostChunk
// claim payments per transaction, so that 835 sets post in several
// chunks to crash between.
func crashPipeline(ctx context.Context, dir, sim string, failpoint func(string)) (*pipeline.Pipeline, func(), error) {
	if dir == "" || sim == "" {
		return nil, nil, fmt.Errorf("%s and %s are required", envCrashDir, envCrashSim)
	}
	t, err := localdir.New(crashTransport(sim), nil)
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "claims.db"))
	if err != nil {
		return nil, nil, err
	}
	pt := demoPartner(t)
	pt.AckRequested = "1"
	pt.MaxClaimsPerSet = crashSetSize
	p, err := pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{pt}, Dir: dir,
		Encounters: crashFeed(), Failpoint: failpoint, PostChunk: crashPostChunk})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return p, func() { store.Close() }, nil
}

// crashSetSize is the most claims an 837 transaction set holds in the
// crash cycle.
const crashSetSize = 10

// crashPostChunk is how many claim payments of an 835 set post in one
// transaction in the crash cycle.
const crashPostChunk = 3

// crashFeed is the demo's encounter feed: the embedded samples.
func crashFeed() encounters.FS {
	return encounters.FS{FS: samples.Files, Names: []string{"encounters.jsonl", "encounters.csv"}, Prefix: "samples/"}
}

// crashTransport is the local-folder transport on the simulator's
// folders: uploads to inbound/, responses from outbound/, archived into
// outbound/archive once recorded.
func crashTransport(sim string) localdir.Config {
	return localdir.Config{Name: "claimsim",
		UploadDir: filepath.Join(sim, clearinghousesim.InboundDir), ResponseDir: filepath.Join(sim, clearinghousesim.OutboundDir),
		AfterPickup: localdir.DisposalMove, ArchiveDir: filepath.Join(sim, clearinghousesim.OutboundDir, "archive"),
		Patterns: []string{"*.TA1", "*.999", "*.277CA", "*.835"}}
}
