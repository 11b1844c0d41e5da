package clearinghousesim

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/x12claims/claims/x12"
)

// The crash child: TestMain runs it instead of the tests when
// CLEARINGHOUSESIM_CRASH_CHILD names a folder. It answers what waits
// there and kills itself (SIGKILL) at the failpoint
// CLEARINGHOUSESIM_CRASH_AT, the n-th time it is reached
// (CLEARINGHOUSESIM_CRASH_HIT, default 1).
func TestMain(m *testing.M) {
	if dir := os.Getenv("CLEARINGHOUSESIM_CRASH_CHILD"); dir != "" {
		crashChild(dir, os.Getenv("CLEARINGHOUSESIM_CRASH_AT"), os.Getenv("CLEARINGHOUSESIM_CRASH_HIT"))
		os.Exit(3) // the failpoint was never reached
	}
	os.Exit(m.Run())
}

func crashConfig(dir string) Config {
	cfg := DefaultConfig(filepath.Join(dir, "root"))
	cfg.StateDir = filepath.Join(dir, "state")
	cfg.Now = testNow
	cfg.BatchPayments = true
	return cfg
}

func crashChild(dir, point, hit string) {
	r, err := NewResponder(crashConfig(dir))
	if err != nil {
		os.Exit(4)
	}
	want, err := strconv.Atoi(hit)
	if err != nil {
		want = 1
	}
	n := 0
	r.failpoint = func(p string) {
		if p == point {
			if n++; n == want {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	_, _ = r.Respond(context.Background())
}

// TestKilledAtEveryStep kills the simulator (SIGKILL, in a child process)
// at each step of answering two 837s, restarts it on the same folders and
// state, and checks that the responses are byte for byte those of a run
// that was never killed: no control number reused, no 837 answered twice,
// no response written twice or lost, no temporary file left.
func TestKilledAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	base := fixture(t, "basic.x12")
	second := strings.ReplaceAll(strings.ReplaceAll(base, "000000101", "000000102"), "PCN", "QCN")
	drops := func(r *Responder) {
		drop(t, r, "a.x12", base)
		drop(t, r, "b.x12", second)
	}
	// The run that is never killed.
	clean, err := NewResponder(crashConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer clean.Close()
	drops(clean)
	want := respond(t, clean)
	// Two 999s and 277CAs, and one 835 per payer paying both files.
	if len(want.Outputs) != 7 {
		t.Fatalf("clean run wrote %v", want.Outputs)
	}
	points := []struct{ name, hit string }{
		{"recorded", "1"}, {"recorded", "2"}, {"moved", "1"}, {"moved", "2"},
		{"issued", "1"}, {"written", "1"}, {"written", "2"}, {"written", "6"}, {"staged", "1"}, {"staged", "7"},
		{"renamed", "1"}, {"renamed", "2"}, {"renamed", "7"},
	}
	for _, p := range points {
		t.Run(p.name+"-"+p.hit, func(t *testing.T) {
			dir := t.TempDir()
			r, err := NewResponder(crashConfig(dir))
			if err != nil {
				t.Fatal(err)
			}
			drops(r)
			r.Close()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "CLEARINGHOUSESIM_CRASH_CHILD="+dir, "CLEARINGHOUSESIM_CRASH_AT="+p.name, "CLEARINGHOUSESIM_CRASH_HIT="+p.hit)
			err = cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed at %s: %v", p.name, err)
			}
			r, err = NewResponder(crashConfig(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			respond(t, r)
			out := filepath.Join(dir, "root", OutboundDir)
			entries, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			isa13s := map[string]string{}
			for _, e := range entries {
				names = append(names, e.Name())
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("temporary file left: %s", e.Name())
					continue
				}
				b := output(t, r, e.Name())
				if !bytes.Equal(b, output(t, clean, e.Name())) {
					t.Errorf("%s differs from the run never killed", e.Name())
				}
				h, err := x12.NewReader(bytes.NewReader(b)).Next()
				if err == nil {
					if other, dup := isa13s[h.String(13)]; dup {
						t.Errorf("ISA13 %s used by %s and %s", h.String(13), other, e.Name())
					}
					isa13s[h.String(13)] = e.Name()
				}
			}
			wantNames := slices.Clone(want.Outputs)
			slices.Sort(wantNames)
			if !slices.Equal(names, wantNames) {
				t.Errorf("outbound = %v, want %v", names, wantNames)
			}
			answered, err := r.Store().AnsweredFiles(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(answered) != 2 {
				t.Errorf("%d 837s answered, want 2", len(answered))
			}
			for sha, n := range answered {
				if n != 1 {
					t.Errorf("837 %s answered %d times", sha[:12], n)
				}
			}
			// Nothing is left in inbound, both are in processed.
			if left, _ := os.ReadDir(filepath.Join(dir, "root", InboundDir)); len(left) != 1 { // processed/
				t.Errorf("inbound holds %d entries", len(left))
			}
			// A restart after all that answers nothing new.
			r.Close()
			r2, err := NewResponder(crashConfig(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer r2.Close()
			if rep := respond(t, r2); rep.Files != 0 || len(rep.Outputs) != 0 {
				t.Errorf("a restart answered again: %+v", rep)
			}
			if n, err := r2.Store().Counter(context.Background(), "control"); err != nil || n != 8 {
				t.Errorf("next control number = %d, %v; want 8", n, err)
			}
		})
	}
}
