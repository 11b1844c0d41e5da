package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// The bench's simulator child: in a test, the bench runs this test binary
// as "claims clearinghouse ..." (os.Executable), and with
// CLAIMS_BENCH_SIM_CHILD=1 the binary is the claims command.
const envBenchSimChild = "CLAIMS_BENCH_SIM_CHILD"

func init() {
	if os.Getenv(envBenchSimChild) == "1" {
		main()
	}
}

// processesUnder returns the processes whose command line mentions dir:
// a bench's simulator child runs on a configuration inside it.
func processesUnder(t *testing.T, dir string) []string {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var found []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		if cmd := strings.ReplaceAll(string(b), "\x00", " "); strings.Contains(cmd, dir) {
			found = append(found, filepath.Base(filepath.Dir(p))+": "+cmd)
		}
	}
	return found
}

// TestBenchJSON runs "claims bench" on 50 encounters per store and checks
// the shape of its JSON and that every claim built got its final
// answer: posted from an 835, or rejected. It checks no speed.
func TestBenchJSON(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Setenv(envBenchSimChild, "1")
			dir := t.TempDir()
			args := []string{"bench", "--claims", "50", "--store", store, "--json", "--dir", dir}
			if store == "postgres" {
				u := os.Getenv("CLAIMS_TEST_POSTGRES_URL")
				if u == "" {
					pipelinetest.NeedIntegration(t, "PostgreSQL", errors.New("CLAIMS_TEST_POSTGRES_URL is not set"))
				}
				args = append(args, "--postgres-url", u)
			}
			var out, errb bytes.Buffer
			if code := run(t.Context(), args, nil, &out, &errb); code != 0 {
				t.Fatalf("claims %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
			}
			for _, key := range []string{"claims", "seconds_total", "claims_per_second", "peak_rss_mb", "stages",
				"simulator_peak_rss_mb", "simulator_cpu_seconds"} {
				if _, ok := raw[key]; !ok {
					t.Errorf("JSON lacks %q: %s", key, out.String())
				}
			}
			var rep benchReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			var stages []string
			for st, sec := range rep.Stages {
				stages = append(stages, st)
				if sec < 0 {
					t.Errorf("stage %s took %v s", st, sec)
				}
			}
			slices.Sort(stages)
			want := slices.Clone(benchStages)
			slices.Sort(want)
			if !slices.Equal(stages, want) {
				t.Errorf("stages %v, want %v", stages, want)
			}
			if rep.Claims != 50 || rep.SecondsTotal <= 0 || rep.ClaimsPerSecond <= 0 || rep.PeakRSSMB <= 0 {
				t.Errorf("claims %d, seconds_total %v, claims_per_second %v, peak_rss_mb %v; want 50 and positive figures",
					rep.Claims, rep.SecondsTotal, rep.ClaimsPerSecond, rep.PeakRSSMB)
			}
			if rep.SimulatorPeakRSSMB <= 0 || rep.SimulatorCPUSeconds <= 0 {
				t.Errorf("simulator_peak_rss_mb %v, simulator_cpu_seconds %v; want the child's figures",
					rep.SimulatorPeakRSSMB, rep.SimulatorCPUSeconds)
			}
			if rep.ClaimsBuilt == 0 || rep.ClaimsBuilt+rep.ClaimsHeld != 50 {
				t.Errorf("built %d + held %d, want 50 encounters", rep.ClaimsBuilt, rep.ClaimsHeld)
			}
			if rep.ClaimsPosted+rep.ClaimsRejected != rep.ClaimsBuilt || rep.ClaimsWaiting != 0 {
				t.Errorf("of %d claims built, %d posted, %d rejected, %d waiting; want every claim posted or rejected",
					rep.ClaimsBuilt, rep.ClaimsPosted, rep.ClaimsRejected, rep.ClaimsWaiting)
			}
			if rep.ClaimsHeld == 0 || rep.ClaimsRejected == 0 {
				t.Errorf("held %d, rejected %d; want a few bad encounters of each kind", rep.ClaimsHeld, rep.ClaimsRejected)
			}
			if rep.ClaimsPosted == 0 || rep.Remittances == 0 {
				t.Errorf("posted %d claims from %d remittances, want some", rep.ClaimsPosted, rep.Remittances)
			}
			left, _ := filepath.Glob(filepath.Join(dir, "*"))
			if len(left) != 0 {
				t.Errorf("bench left %v behind", left)
			}
			if left := processesUnder(t, dir); len(left) != 0 {
				t.Errorf("the simulator still runs after the bench: %v", left)
			}
		})
	}
}

// TestBenchStopAfter: --stop-after ends the cycle after the stage it
// names, or after the stage that does its work now (intake and build were
// two stages before they ran in one pass), and refuses another name.
func TestBenchStopAfter(t *testing.T) {
	t.Setenv(envBenchSimChild, "1")
	for _, tc := range []struct {
		stop string
		want []string // the stages run; nil: refused
	}{
		{"generate", []string{"generate"}},
		{"intake_build", []string{"generate", "intake_build"}},
		{"build", []string{"generate", "intake_build"}},
		{"intake", []string{"generate", "intake_build"}},
		{"post", nil},
	} {
		t.Run(tc.stop, func(t *testing.T) {
			args := []string{"bench", "--claims", "20", "--store", "sqlite", "--json", "--dir", t.TempDir(), "--stop-after", tc.stop}
			var out, errb bytes.Buffer
			code := run(t.Context(), args, nil, &out, &errb)
			if tc.want == nil {
				if code != exitFailure || !strings.Contains(errb.String(), "intake_build, upload") {
					t.Errorf("exit %d, %q; want %d and the stages named", code, errb.String(), exitFailure)
				}
				return
			}
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, errb.String())
			}
			var rep benchReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			got := slices.Sorted(maps.Keys(rep.Stages))
			if !slices.Equal(got, tc.want) {
				t.Errorf("stages %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBenchSimulatorFails: when the simulator child cannot start, or
// exits before it listens, or prints something else than its startup
// line, the bench says so, exits 2 and leaves no process or file.
func TestBenchSimulatorFails(t *testing.T) {
	script := filepath.Join(t.TempDir(), "fake-claims")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'not listening' >&2\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	// The chatty child records its PID before it becomes "sleep 60", a
	// command line that names no folder of the bench's: the check below
	// finds it by that PID.
	scripts := t.TempDir()
	chatty, chattyPID := filepath.Join(scripts, "chatty-claims"), filepath.Join(scripts, "chatty.pid")
	if err := os.WriteFile(chatty, []byte("#!/bin/sh\necho $$ > "+chattyPID+"\necho hello\nexec sleep 60\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, simulator, want string
	}{
		{"missing binary", filepath.Join(t.TempDir(), "no-such-claims"), "start the clearinghouse simulator"},
		{"exits at once", script, "not listening"},
		{"no startup line", chatty, "not its startup report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"bench", "--claims", "20", "--store", "sqlite", "--dir", dir, "--simulator", tc.simulator}
			var out, errb bytes.Buffer
			if code := run(t.Context(), args, nil, &out, &errb); code != exitFailure {
				t.Fatalf("exit %d, want %d\n%s", code, exitFailure, errb.String())
			}
			if !strings.Contains(errb.String(), tc.want) {
				t.Errorf("error %q does not say %q", errb.String(), tc.want)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
				t.Errorf("bench left %v behind", left)
			}
			if left := processesUnder(t, dir); len(left) != 0 {
				t.Errorf("the simulator still runs after the bench: %v", left)
			}
			if tc.simulator == chatty {
				pid, err := os.ReadFile(chattyPID)
				if err != nil {
					t.Fatalf("the chatty child did not start: %v", err)
				}
				if _, err := os.Stat("/proc/" + strings.TrimSpace(string(pid))); err == nil {
					t.Errorf("the chatty child (PID %s) still runs after the bench", strings.TrimSpace(string(pid)))
				}
			}
		})
	}
}

// TestGenerateEncounters: the generator is deterministic for a seed,
// splits its output into files of at most perFile encounters, plants
// its few bad records, and every record it means to be readable is.
func TestGenerateEncounters(t *testing.T) {
	gen := func(seed uint64) (benchGenReport, []byte, string) {
		dir := t.TempDir()
		rep, err := generateEncounters(t.Context(), dir, 2500, 1000, seed)
		if err != nil {
			t.Fatalf("generate: %v", err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		var all []byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return rep, all, dir
	}
	rep, a, dir := gen(7)
	if rep.Files != 3 || rep.Encounters+rep.Malformed != 2500 || rep.Held != 5 || rep.Rejected != 4 || rep.Malformed != 2 {
		t.Errorf("report %+v; want 3 files, 2500 records, 5 held, 4 rejected, 2 malformed", rep)
	}
	if _, b, _ := gen(7); !bytes.Equal(a, b) {
		t.Errorf("two runs with seed 7 differ")
	}
	if _, c, _ := gen(8); bytes.Equal(a, c) {
		t.Errorf("seeds 7 and 8 give the same encounters")
	}
	readable, malformed := 0, 0
	for _, f := range []string{"encounters-0001.jsonl", "encounters-0002.jsonl", "encounters-0003.jsonl"} {
		src, closer, err := encounters.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range src.Encounters(t.Context()) {
			if err != nil {
				malformed++
			} else {
				readable++
			}
		}
		closer.Close()
	}
	if readable != rep.Encounters || malformed != rep.Malformed {
		t.Errorf("read %d encounters and %d malformed records, want %d and %d", readable, malformed, rep.Encounters, rep.Malformed)
	}
}
