package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"io"
	"iter"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// openAgain opens a second Store on the database file at path, as
// another process would, closed when the test ends.
func openAgain(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// lock takes a job lock and fails the test when it cannot.
func lock(t *testing.T, s pipeline.Store, name string) func() {
	t.Helper()
	release, err := s.JobLock(context.Background(), name)
	if err != nil {
		t.Fatalf("JobLock(%s): %v", name, err)
	}
	return release
}

// wantBusy fails the test unless JobLock(name) is refused with ErrBusy.
func wantBusy(t *testing.T, s pipeline.Store, name string) {
	t.Helper()
	release, err := s.JobLock(context.Background(), name)
	if !errors.Is(err, pipeline.ErrBusy) {
		if err == nil {
			release()
		}
		t.Fatalf("JobLock(%s) while held = %v, want ErrBusy", name, err)
	}
}

func TestJobLockAcrossStores(t *testing.T) {
	s1, path := openTemp(t)
	s2 := openAgain(t, path)

	release := lock(t, s1, "submit")
	wantBusy(t, s2, "submit")
	wantBusy(t, s1, "submit") // not reentrant, even in the Store that holds it
	_, err := s2.JobLock(context.Background(), "submit")
	if msg := err.Error(); !strings.Contains(msg, "submit") || !strings.Contains(msg, path+".lock-submit") {
		t.Errorf("the refusal %q names neither the job nor its lock file", msg)
	}

	// Another job is another lock.
	other := lock(t, s2, "collect")
	wantBusy(t, s1, "collect")

	release()
	release() // a second release does nothing
	again := lock(t, s2, "submit")
	release() // nor a third, with the lock held by another Store
	wantBusy(t, s1, "submit")
	again()
	other()
	lock(t, s1, "collect")()
	lock(t, s1, "submit")()

	// The lock files stay beside the database, private.
	for _, name := range []string{"submit", "collect"} {
		fi, err := os.Stat(path + ".lock-" + name)
		if err != nil {
			t.Fatalf("lock file: %v", err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("lock file %s: mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}

func TestJobLockCancelledContext(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.JobLock(ctx, "submit"); !errors.Is(err, context.Canceled) {
		t.Errorf("JobLock with a cancelled context = %v, want context.Canceled", err)
	}
	lock(t, s, "submit")() // and it took nothing
}

// TestJobLockWithoutFile: a Store over a database the caller opened (New)
// does not know its file: it locks within itself.
func TestJobLockWithoutFile(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := sqlite.New(context.Background(), db)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	release := lock(t, s, "submit")
	wantBusy(t, s, "submit")
	other := lock(t, s, "collect")
	release()
	release()
	again := lock(t, s, "submit")
	release() // the old release does not free the new holder
	wantBusy(t, s, "submit")
	again()
	other()
	lock(t, s, "submit")()
	lock(t, s, "collect")()
}

// lockHelperEnv names the database whose submit lock the helper process
// takes (see TestJobLockHelperProcess).
const lockHelperEnv = "CLAIMS_TEST_JOBLOCK_HELPER"

// TestJobLockHelperProcess is not a test: TestJobLockFreedWhenProcessDies
// runs the test binary again with it, to hold a lock in another process.
// It takes the submit lock, says "locked" and waits for its standard
// input to end.
func TestJobLockHelperProcess(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.JobLock(context.Background(), "submit"); err != nil {
		t.Fatalf("JobLock: %v", err)
	}
	os.Stdout.WriteString("locked\n")
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // waits to be killed
}

func TestJobLockFreedWhenProcessDies(t *testing.T) {
	s, path := openTemp(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestJobLockHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v; want locked", line, err)
	}

	wantBusy(t, s, "submit")
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill helper: %v", err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v, want killed", err)
	}
	lock(t, s, "submit")()
}

// TestSubmitRefusedAcrossProcesses: two Pipelines over two Stores of one
// database file, as two processes sharing a configuration. While one
// Submit is in the middle of its upload, the other's Submit is refused
// at once with ErrBusy and changes nothing; a Collect, another job,
// runs. Once the first is done, the second runs.
func TestSubmitRefusedAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	s1, path := openTemp(t)
	s2 := openAgain(t, path)
	h1 := pipelinetest.NewHarness(t, s1)
	h2 := pipelinetest.NewHarnessWith(t, s2, func(o *pipeline.Options) {
		o.Dir = h1.Dir
		o.Partners[0].Transport = h1.Remote
	})
	if _, err := h1.P.Intake(ctx, encounters{pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00")}); err != nil {
		t.Fatalf("Intake: %v", err)
	}

	uploading := make(chan struct{})
	proceed := make(chan struct{})
	calls := 0
	h1.Remote.BeforePut(func(string) {
		if calls++; calls == 1 {
			close(uploading)
			<-proceed
		}
	})
	type result struct {
		rep pipeline.SubmitReport
		err error
	}
	first := make(chan result, 1)
	go func() {
		rep, err := h1.P.Submit(ctx)
		first <- result{rep, err}
	}()
	select {
	case <-uploading:
	case r := <-first:
		t.Fatalf("the first Submit ended before its upload: %+v, %v", r.rep, r.err)
	}

	before := snapshot(t, s2, h1)
	second := make(chan result, 1)
	go func() {
		rep, err := h2.P.Submit(ctx)
		second <- result{rep, err}
	}()
	var r result
	select {
	case r = <-second:
	case <-time.After(30 * time.Second):
		close(proceed)
		t.Fatal("the second Submit waited for the first")
	}
	if !errors.Is(r.err, pipeline.ErrBusy) {
		t.Errorf("Submit during another process's Submit = %v, want ErrBusy", r.err)
	}
	if !reflect.DeepEqual(r.rep, pipeline.SubmitReport{}) {
		t.Errorf("the refused Submit reports work: %+v", r.rep)
	}
	if after := snapshot(t, s2, h1); !reflect.DeepEqual(after, before) {
		t.Errorf("the refused Submit changed the store or the clearinghouse:\nbefore %+v\nafter  %+v", before, after)
	}
	if _, err := h2.P.Collect(ctx); err != nil {
		t.Errorf("Collect during another process's Submit = %v, want it to run", err)
	}

	close(proceed)
	if r := <-first; r.err != nil || r.rep.Upload.ClaimsSent != 2 {
		t.Fatalf("the first Submit: %+v, %v", r.rep.Upload, r.err)
	}
	if _, err := h2.P.Intake(ctx, encounters{pipelinetest.Encounter("E3", "70.00")}); err != nil {
		t.Fatalf("Intake: %v", err)
	}
	rep, err := h2.P.Submit(ctx)
	if err != nil || rep.Upload.ClaimsSent != 1 {
		t.Errorf("the second Submit once the first is done: %+v, %v", rep.Upload, err)
	}
}

// state is what a refused job must leave as it was.
type state struct {
	Counts   pipeline.Counts
	Uploaded []string
	Outbox   []string
}

func snapshot(t *testing.T, s pipeline.Store, h *pipelinetest.Harness) state {
	t.Helper()
	var st state
	err := s.InTx(context.Background(), func(tx pipeline.Tx) error {
		var err error
		st.Counts, err = tx.Counts(context.Background())
		return err
	})
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	st.Uploaded = slices.Sorted(maps.Keys(h.Remote.Uploaded()))
	files, err := os.ReadDir(filepath.Join(h.Dir, "outbox"))
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	for _, f := range files {
		st.Outbox = append(st.Outbox, f.Name())
	}
	return st
}

// encounters is an EncounterSource over a slice.
type encounters []*pipeline.Encounter

func (e encounters) Encounters(context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for _, x := range e {
			if !yield(x, nil) {
				return
			}
		}
	}
}
