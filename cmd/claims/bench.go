package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/adapters/store/postgres"
	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
)

// benchPostgresEnv names the environment variable holding the
// PostgreSQL URL of "claims bench --store postgres".
const benchPostgresEnv = "CLAIMS_BENCH_POSTGRES_URL"

type benchOptions struct {
	claims       int
	store        string
	postgresURL  string
	seed         uint64
	batchSize    int
	perFile      int
	perEncounter int
	dir          string
	keep         bool
	json         bool
	cpuProfile   string
	stopAfter    string
	simulator    string // the binary run as the simulator; "" for this one
}

// errBenchStop ends the cycle after the stage --stop-after names.
var errBenchStop = errors.New("bench: stop")

func newBenchCmd(s *streams, g *globals) *cobra.Command {
	o := benchOptions{postgresURL: os.Getenv(benchPostgresEnv)}
	cmd := &cobra.Command{
		Use:   "bench --claims N --store sqlite|postgres",
		Short: "Run one end-to-end cycle on N generated encounters and report the time per stage",
		Long: `bench measures one whole nightly cycle, end to end, on generated data:

  generate       N realistic encounters, deterministic for --seed: the sample
                 encounters with new IDs, member IDs, diagnoses and charges,
                 837P and 837I, three payers, and a few bad records (held by the
                 scrubber, rejected by the 277CA, or malformed), as JSON Lines
                 files of at most --encounters-per-file
  intake_build   read, record and scrub them, and write the 837 files, in
                 one pass as the daemon's submit job does: a batch's clean
                 claims go to their files as soon as it is recorded
  upload         send them over SFTP to the clearinghouse simulator on 127.0.0.1
  clearinghouse  the simulator answers: TA1, 999, 277CA and 835 files
  collect        download those, apply the acknowledgments and post the 835s

It prints the seconds of each stage, claims per second and the peak resident
memory (getrusage) of the bench's process, which runs the product's stages.
seconds_total and claims_per_second cover the stages after generate.

The simulator is a separate process: this binary, run as "claims
clearinghouse" on a configuration written into the working folder, its host
key pinned. It answers when the bench asks (the clearinghouse stage) and is
stopped (SIGTERM) at the end, on an error and on Ctrl-C. Its own peak RSS
and CPU seconds are reported apart (simulator_peak_rss_mb,
simulator_cpu_seconds); peak_rss_mb and cpu_seconds are the bench's only.

It works in a new temporary folder (0700), removed afterwards unless --keep.
--store postgres needs --postgres-url (or ` + benchPostgresEnv + `): the bench
creates a fresh schema claims_bench_<random> there and drops it at the end, so
it never touches other data.

It is a benchmark, not a test: the exit code says whether the cycle ran, not
how fast.`,
		Example: `  claims bench --claims 10000 --store sqlite
  claims bench --claims 100000 --store sqlite --json
  claims bench --claims 20000 --cpuprofile bench.prof   # and bench.prof.simulator
  ` + benchPostgresEnv + `=postgres://postgres@127.0.0.1:5432/test claims bench --claims 100000 --store postgres`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config != "" {
				return errors.New("bench runs on its own temporary folder and store, not on a configuration")
			}
			o.dir, o.json = g.dir, g.json
			return runBench(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.claims, "claims", 10000, "encounters to generate")
	f.StringVar(&o.store, "store", "sqlite", "sqlite or postgres")
	f.StringVar(&o.postgresURL, "postgres-url", o.postgresURL, "PostgreSQL URL for --store postgres (default $"+benchPostgresEnv+")")
	f.Uint64Var(&o.seed, "seed", 1, "seed of the generated encounters")
	f.IntVar(&o.batchSize, "batch-size", pipeline.DefaultBatchSize, "encounters per intake transaction, and ready claims read at a time by the build")
	f.IntVar(&o.perFile, "claims-per-file", pipeline.DefaultMaxClaimsPerFile, "most claims in one 837 file")
	f.IntVar(&o.perEncounter, "encounters-per-file", 50000, "most encounters in one generated file")
	f.BoolVar(&o.keep, "keep", false, "keep the working folder (its path is printed)")
	f.StringVar(&o.stopAfter, "stop-after", "", "end the cycle after this stage (generate, intake_build, upload, clearinghouse)")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file, and the simulator's to FILE.simulator (go tool pprof)")
	f.StringVar(&o.simulator, "simulator", "", "the claims binary run as the clearinghouse simulator (default: this one)")
	_ = f.MarkHidden("simulator")
	return cmd
}

// benchReport is what bench prints (with --json, as one object).
type benchReport struct {
	Claims          int     `json:"claims"` // encounters generated
	Store           string  `json:"store"`
	SecondsTotal    float64 `json:"seconds_total"`
	ClaimsPerSecond float64 `json:"claims_per_second"`
	PeakRSSMB       float64 `json:"peak_rss_mb"` // the bench's process: the product
	// SimulatorPeakRSSMB and SimulatorCPUSeconds are the clearinghouse
	// simulator's, a child process: not the product's.
	SimulatorPeakRSSMB  float64 `json:"simulator_peak_rss_mb"`
	SimulatorCPUSeconds float64 `json:"simulator_cpu_seconds"`
	// CPUSeconds is the process's user and system CPU time: on a shared
	// machine a steadier figure than the elapsed seconds.
	CPUSeconds float64            `json:"cpu_seconds"`
	Stages     map[string]float64 `json:"stages"`
	// StageRSSMB is the peak RSS at the end of each stage: the stage
	// that raises it is the one that needed the memory.
	StageRSSMB map[string]float64 `json:"stage_peak_rss_mb"`
	// Outcome.
	ClaimsBuilt    int    `json:"claims_built"`
	ClaimsHeld     int    `json:"claims_held"`     // held by the scrubber or at intake (malformed)
	ClaimsPosted   int    `json:"claims_posted"`   // paid, partially paid or denied by an 835
	ClaimsRejected int    `json:"claims_rejected"` // by a 999 or 277CA
	ClaimsWaiting  int    `json:"claims_waiting"`  // built but with no final answer
	FilesBuilt     int    `json:"files_built"`
	FilesCollected int    `json:"files_collected"`
	Remittances    int    `json:"remittances"`
	Dir            string `json:"dir,omitempty"` // with --keep
}

// benchStages is the order of the stages.
var benchStages = []string{"generate", "intake_build", "upload", "clearinghouse", "collect"}

// benchStageNames maps the names of stages that were split before to
// the stage that does their work now, for --stop-after.
var benchStageNames = map[string]string{"intake": "intake_build", "build": "intake_build"}

func runBench(ctx context.Context, o benchOptions, s *streams) error {
	if o.claims <= 0 {
		return errors.New("--claims must be at least 1")
	}
	if o.perEncounter <= 0 {
		return errors.New("--encounters-per-file must be at least 1")
	}
	if st, ok := benchStageNames[o.stopAfter]; ok {
		o.stopAfter = st
	}
	if o.stopAfter != "" && !slices.Contains(benchStages, o.stopAfter) {
		return fmt.Errorf("--stop-after %q: want one of %s", o.stopAfter, strings.Join(benchStages, ", "))
	}
	root, err := os.MkdirTemp(o.dir, "claims-bench-")
	if err != nil {
		return fmt.Errorf("bench folder: %w", err)
	}
	if !o.keep {
		defer os.RemoveAll(root)
	}
	if err := os.Chmod(root, 0o700); err != nil {
		return fmt.Errorf("bench folder: %w", err)
	}
	rep := &benchReport{Claims: o.claims, Store: o.store, Stages: map[string]float64{}, StageRSSMB: map[string]float64{}}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if o.keep {
		rep.Dir = root
	}
	store, closeStore, err := openBenchStore(ctx, o, root)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := benchCycle(ctx, o, root, store, rep, s.err); err != nil && !errors.Is(err, errBenchStop) {
		return err
	}
	if err := benchOutcome(ctx, store, rep); err != nil {
		return fmt.Errorf("bench outcome: %w", err)
	}
	for _, st := range benchStages {
		if st != "generate" {
			rep.SecondsTotal += rep.Stages[st]
		}
	}
	if rep.SecondsTotal > 0 {
		rep.ClaimsPerSecond = float64(o.claims) / rep.SecondsTotal
	}
	rep.PeakRSSMB, rep.CPUSeconds = peakRSSMB(), cpuSeconds()
	if o.json {
		return json.NewEncoder(s.out).Encode(rep)
	}
	rep.writeText(s.out)
	return nil
}

// openBenchStore opens the bench's store: SQLite in root, or PostgreSQL
// in a fresh schema that closing drops.
func openBenchStore(ctx context.Context, o benchOptions, root string) (pipeline.Store, func(), error) {
	switch o.store {
	case "sqlite":
		st, err := sqlite.Open(ctx, filepath.Join(root, "claims.db"))
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	case "postgres":
	default:
		return nil, nil, fmt.Errorf("--store %q: want sqlite or postgres", o.store)
	}
	if o.postgresURL == "" {
		return nil, nil, fmt.Errorf("--store postgres needs --postgres-url or %s", benchPostgresEnv)
	}
	cfg, err := pgxpool.ParseConfig(o.postgresURL)
	if err != nil {
		// pgx errors may echo the URL, password included: say less.
		return nil, nil, errors.New("--postgres-url: not a valid PostgreSQL URL")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "claims_bench_" + hex.EncodeToString(b[:])
	admin, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, nil, fmt.Errorf("bench postgres: %w", err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("bench postgres: create schema: %w", err)
	}
	drop := func() {
		// A fresh context: the bench's may be done (Ctrl-C).
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin.Exec(dctx, "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck // best effort; the schema name says what it was
		admin.Close()
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("bench postgres: %w", err)
	}
	st, err := postgres.New(ctx, pool)
	if err != nil {
		pool.Close()
		drop()
		return nil, nil, err
	}
	return st, func() {
		st.Close()
		pool.Close()
		drop()
	}, nil
}

// benchCycle runs the stages, timing each, and counts what they built
// and held in rep. It returns errBenchStop after the stage --stop-after
// names.
func benchCycle(ctx context.Context, o benchOptions, root string, store pipeline.Store, rep *benchReport, progress io.Writer) error {
	stage := func(name string, fn func() error) error {
		fmt.Fprintf(progress, "bench: %-13s ", name)
		start := time.Now()
		err := fn()
		d := time.Since(start)
		rep.Stages[name] = d.Seconds()
		rep.StageRSSMB[name] = peakRSSMB()
		fmt.Fprintf(progress, "%8.2f s, peak RSS %6.1f MiB\n", d.Seconds(), rep.StageRSSMB[name])
		if err != nil {
			return fmt.Errorf("bench %s: %w", name, err)
		}
		if name == o.stopAfter {
			return errBenchStop
		}
		return ctx.Err()
	}
	encDir := filepath.Join(root, "encounters")
	if err := os.Mkdir(encDir, 0o700); err != nil {
		return fmt.Errorf("bench folder: %w", err)
	}
	if err := stage("generate", func() error {
		_, err := generateEncounters(ctx, encDir, o.claims, o.perEncounter, o.seed)
		return err
	}); err != nil {
		return err
	}

	simProfile := ""
	if o.cpuProfile != "" {
		simProfile = o.cpuProfile + ".simulator"
	}
	sim, err := startBenchSimulator(ctx, o.simulator, root, simProfile)
	if err != nil {
		return err
	}
	defer func() {
		u := sim.stop()
		rep.SimulatorPeakRSSMB, rep.SimulatorCPUSeconds = u.peakRSSMB, u.cpuSeconds
	}()
	client, err := sim.client(filepath.Join(root, "secrets"), 5*time.Minute)
	if err != nil {
		return err
	}
	defer client.Close()
	work := filepath.Join(root, "work")
	p, err := pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{demoPartner(client)}, Dir: work,
		BatchSize: o.batchSize, MaxClaimsPerFile: o.perFile})
	if err != nil {
		return err
	}

	feed := encounters.Glob{Patterns: []string{filepath.Join(encDir, "*.jsonl")}}
	if err := stage("intake_build", func() error {
		var sub pipeline.SubmitReport
		err := p.IntakeFilesAndBuild(ctx, feed, &sub)
		rep.ClaimsBuilt, rep.FilesBuilt = sub.Build.Claims, sub.Build.Files
		rep.ClaimsHeld += sub.Intake.Held + sub.Build.Held
		return err
	}); err != nil {
		return err
	}
	if err := stage("upload", func() error {
		_, err := p.Upload(ctx)
		return err
	}); err != nil {
		return err
	}
	if err := stage("clearinghouse", func() error {
		return sim.respond(ctx)
	}); err != nil {
		return err
	}
	if err := stage("collect", func() error {
		c, err := p.Collect(ctx)
		rep.FilesCollected = c.Collected
		return err
	}); err != nil {
		return err
	}
	return nil
}

// benchOutcome fills rep's outcome from the store: what became of the
// claims.
func benchOutcome(ctx context.Context, store pipeline.Store, rep *benchReport) error {
	return store.InTx(ctx, func(tx pipeline.Tx) error {
		n, err := tx.Counts(ctx)
		if err != nil {
			return err
		}
		by := n.ClaimsByState
		rep.ClaimsPosted = by[pipeline.StatePaid] + by[pipeline.StatePartiallyPaid] + by[pipeline.StateDenied]
		rep.ClaimsRejected = by[pipeline.StateRejected] + by[pipeline.StateAckRejected]
		rep.ClaimsWaiting = by[pipeline.StateReady] + by[pipeline.StateBatched] + by[pipeline.StateSubmitted] +
			by[pipeline.StateAckAccepted] + by[pipeline.StateAccepted]
		rep.Remittances = n.Remittances
		return nil
	})
}

// peakRSSMB is the process's peak resident set size in MiB (getrusage:
// ru_maxrss is in KiB on Linux).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func (r *benchReport) writeText(w io.Writer) {
	fmt.Fprintf(w, "\nclaims bench: %d encounters, store %s\n\n", r.Claims, r.Store)
	for _, st := range benchStages {
		sec := r.Stages[st]
		rate := ""
		if sec > 0 && st != "clearinghouse" {
			rate = fmt.Sprintf("%10.0f claims/s", float64(r.Claims)/sec)
		}
		fmt.Fprintf(w, "  %-14s %8.2f s%s   peak RSS %6.1f MiB\n", st, sec, rate, r.StageRSSMB[st])
	}
	fmt.Fprintf(w, "  %-14s %8.2f s%10.0f claims/s (after generate)\n", "total", r.SecondsTotal, r.ClaimsPerSecond)
	fmt.Fprintf(w, "  %-14s %8.2f s (user and system, generate included)\n", "CPU", r.CPUSeconds)
	fmt.Fprintf(w, "  %-14s %8.1f MiB\n", "peak RSS", r.PeakRSSMB)
	fmt.Fprintf(w, "  %-14s %8.1f MiB peak RSS, %.2f s CPU (its own process, not counted above)\n\n", "simulator", r.SimulatorPeakRSSMB, r.SimulatorCPUSeconds)
	fmt.Fprintf(w, "  built %d claims in %d files; held %d; posted %d; rejected %d; waiting %d; %d remittances from %d files\n",
		r.ClaimsBuilt, r.FilesBuilt, r.ClaimsHeld, r.ClaimsPosted, r.ClaimsRejected, r.ClaimsWaiting, r.Remittances, r.FilesCollected)
	if r.Dir != "" {
		fmt.Fprintf(w, "  kept %s\n", r.Dir)
	}
}

// startCPUProfile starts writing a CPU profile to path; stop ends it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
