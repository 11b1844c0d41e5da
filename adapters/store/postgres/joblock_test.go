package postgres_test

import (
	"context"
	"errors"
	"hash/fnv"
	"iter"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/x12claims/claims/adapters/store/postgres"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// openURL opens a Store on url, as another process would, closed when
// the test ends.
func openURL(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// takeLock takes a job lock, failing the test when it cannot. The lock
// is also released when the test ends, before its Store closes (closing
// a Store waits for the connection a lock holds).
func takeLock(t *testing.T, s pipeline.Store, name string) func() {
	t.Helper()
	release, err := s.JobLock(context.Background(), name)
	if err != nil {
		t.Fatalf("JobLock(%s): %v", name, err)
	}
	t.Cleanup(release)
	return release
}

// lockBusy fails the test unless JobLock(name) is refused with ErrBusy.
func lockBusy(t *testing.T, s pipeline.Store, name string) {
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
	u := freshSchema(t)
	s1, s2 := openURL(t, u), openURL(t, u)

	release := takeLock(t, s1, "submit")
	lockBusy(t, s2, "submit")
	lockBusy(t, s1, "submit") // not reentrant, even in the Store that holds it
	_, err := s2.JobLock(context.Background(), "submit")
	if !strings.Contains(err.Error(), "submit") {
		t.Errorf("the refusal %q does not name the job", err)
	}

	// Another job is another lock.
	other := takeLock(t, s2, "collect")
	lockBusy(t, s1, "collect")

	release()
	release() // a second release does nothing
	again := takeLock(t, s2, "submit")
	release() // nor a third, with the lock held by another Store
	lockBusy(t, s1, "submit")
	again()
	other()
	takeLock(t, s1, "collect")()
	takeLock(t, s1, "submit")()
}

// TestJobLockPerSchema: stores in two schemas of one database are two
// installations, and lock apart.
func TestJobLockPerSchema(t *testing.T) {
	u1, u2 := freshSchema(t), freshSchema(t)
	takeLock(t, openURL(t, u1), "submit")
	takeLock(t, openURL(t, u2), "submit")
	lockBusy(t, openURL(t, u1), "submit")
}

// TestJobLockFreedWhenConnectionDies: the server drops the lock of a
// session that ends (its process died, or the connection was cut).
func TestJobLockFreedWhenConnectionDies(t *testing.T) {
	u := freshSchema(t)
	s1, s2 := openURL(t, u), openURL(t, u)
	release := takeLock(t, s1, "submit")
	lockBusy(t, s2, "submit")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer admin.Close(ctx)
	var schema string
	if err := admin.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	// The session holding the lock, by the key JobLock takes.
	h := fnv.New64a()
	h.Write([]byte("claims job lock\x00" + schema + "\x00submit"))
	key := h.Sum64()
	var pid int32
	err = admin.QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
AND classid = $1::bigint::oid AND objid = $2::bigint::oid`, int64(key>>32), int64(key&0xffffffff)).Scan(&pid)
	if err != nil {
		t.Fatalf("find the session holding the lock: %v", err)
	}
	var gone bool
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1, 10000)", pid).Scan(&gone); err != nil || !gone {
		t.Fatalf("terminate session %d: %v, %v", pid, gone, err)
	}

	again := takeLock(t, s2, "submit")
	lockBusy(t, s1, "submit")
	// Releasing the lock of the dead session does no harm: the new
	// holder keeps it, and s1 works on.
	release()
	lockBusy(t, s1, "submit")
	again()
	takeLock(t, s1, "submit")()
	if err := s1.InTx(ctx, func(tx pipeline.Tx) error {
		_, err := tx.NextSequence(ctx, "x")
		return err
	}); err != nil {
		t.Errorf("s1 after its lock's session died: %v", err)
	}
}

// TestSubmitRefusedAcrossProcesses: two Pipelines over two Stores of one
// schema, as two processes sharing a configuration. While one Submit is
// in the middle of its upload, the other's is refused at once with
// ErrBusy and changes nothing; once the first is done, the second runs.
func TestSubmitRefusedAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
	s1, s2 := openURL(t, u), openURL(t, u)
	h1 := pipelinetest.NewHarness(t, s1)
	h2 := pipelinetest.NewHarnessWith(t, s2, func(o *pipeline.Options) {
		o.Dir = h1.Dir
		o.Partners[0].Transport = h1.Remote
	})
	if _, err := h1.P.Intake(ctx, encounterList{pipelinetest.Encounter("E1", "100.00")}); err != nil {
		t.Fatalf("Intake: %v", err)
	}
	uploading, proceed := make(chan struct{}), make(chan struct{})
	calls := 0
	h1.Remote.BeforePut(func(string) {
		if calls++; calls == 1 {
			close(uploading)
			<-proceed
		}
	})
	first := make(chan error, 1)
	go func() {
		rep, err := h1.P.Submit(ctx)
		if err == nil && rep.Upload.ClaimsSent != 1 {
			err = errors.New("sent no claim")
		}
		first <- err
	}()
	select {
	case <-uploading:
	case err := <-first:
		t.Fatalf("the first Submit ended before its upload: %v", err)
	}
	counts := func() pipeline.Counts {
		var c pipeline.Counts
		if err := s2.InTx(ctx, func(tx pipeline.Tx) error {
			var err error
			c, err = tx.Counts(ctx)
			return err
		}); err != nil {
			t.Fatalf("Counts: %v", err)
		}
		return c
	}
	before := counts()
	rep, err := h2.P.Submit(ctx)
	if !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("Submit during another process's Submit = %v, want ErrBusy", err)
	}
	if rep.Build.Claims != 0 || rep.Upload.ClaimsSent != 0 || rep.Cleanup != (pipeline.CleanupReport{}) {
		t.Errorf("the refused Submit reports work: %+v", rep)
	}
	if after := counts(); !reflect.DeepEqual(after, before) {
		t.Errorf("the refused Submit changed the store: %+v, then %+v", before, after)
	}
	close(proceed)
	if err := <-first; err != nil {
		t.Fatalf("the first Submit: %v", err)
	}
	if _, err := h2.P.Intake(ctx, encounterList{pipelinetest.Encounter("E2", "50.00")}); err != nil {
		t.Fatalf("Intake: %v", err)
	}
	if rep, err := h2.P.Submit(ctx); err != nil || rep.Upload.ClaimsSent != 1 {
		t.Errorf("the second Submit once the first is done: %+v, %v", rep.Upload, err)
	}
}

// encounterList is an EncounterSource over a slice.
type encounterList []*pipeline.Encounter

func (e encounterList) Encounters(context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for _, x := range e {
			if !yield(x, nil) {
				return
			}
		}
	}
}
