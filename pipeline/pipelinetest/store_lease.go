package pipelinetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// leaseAt is the time the lease tests start at.
var leaseAt = time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)

// errRollback makes a lease test's transaction roll back.
var errRollback = errors.New("roll back")

// takeLease takes a lease in its own transaction.
func takeLease(t *testing.T, s pipeline.Store, kind string, id int64, owner string, now time.Time, ttl time.Duration) (bool, string) {
	t.Helper()
	var taken bool
	var from string
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		var err error
		taken, from, err = tx.TakeLease(ctx, kind, id, owner, now, ttl)
		must(t, "TakeLease", err)
	})
	return taken, from
}

func renewLease(t *testing.T, s pipeline.Store, kind string, id int64, owner string, now time.Time, ttl time.Duration) error {
	t.Helper()
	return s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.RenewLease(t.Context(), kind, id, owner, now, ttl) })
}

func releaseLease(t *testing.T, s pipeline.Store, kind string, id int64, owner string) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		must(t, "ReleaseLease", tx.ReleaseLease(ctx, kind, id, owner))
	})
}

var leaseTests = []storeTest{
	{"Lease/TakeRenewRelease", func(t *testing.T, _ *suite, s pipeline.Store) {
		const ttl = 30 * time.Second
		if ok, from := takeLease(t, s, pipeline.LeaseUpload, 7, "a", leaseAt, ttl); !ok || from != "" {
			t.Fatalf("a takes a free unit: taken %v from %q, want taken from nobody", ok, from)
		}
		if ok, holder := takeLease(t, s, pipeline.LeaseUpload, 7, "b", leaseAt.Add(time.Second), ttl); ok || holder != "a" {
			t.Errorf("b takes a unit a holds: taken %v, holder %q; want not taken, held by a", ok, holder)
		}
		if ok, _ := takeLease(t, s, pipeline.LeaseUpload, 7, "a", leaseAt.Add(time.Second), ttl); ok {
			t.Errorf("a took its own unit a second time: leases are not reentrant")
		}
		if ok, _ := takeLease(t, s, pipeline.LeaseApply, 7, "b", leaseAt, ttl); !ok {
			t.Errorf("b could not take unit 7 of another kind")
		}
		if ok, _ := takeLease(t, s, pipeline.LeaseUpload, 8, "b", leaseAt, ttl); !ok {
			t.Errorf("b could not take another unit")
		}
		must(t, "a renews", renewLease(t, s, pipeline.LeaseUpload, 7, "a", leaseAt.Add(20*time.Second), ttl))
		// Renewed at 20s for 30s: still a's at 45s.
		if ok, _ := takeLease(t, s, pipeline.LeaseUpload, 7, "b", leaseAt.Add(45*time.Second), ttl); ok {
			t.Errorf("b took a unit whose lease a renewed")
		}
		wantErr(t, "b renews a's lease", renewLease(t, s, pipeline.LeaseUpload, 7, "b", leaseAt, ttl), pipeline.ErrConflict)
		releaseLease(t, s, pipeline.LeaseUpload, 7, "b") // not b's: nothing happens
		if ok, _ := takeLease(t, s, pipeline.LeaseUpload, 7, "c", leaseAt.Add(46*time.Second), ttl); ok {
			t.Errorf("c took a unit a holds after b released it")
		}
		releaseLease(t, s, pipeline.LeaseUpload, 7, "a")
		wantErr(t, "a renews a released lease", renewLease(t, s, pipeline.LeaseUpload, 7, "a", leaseAt, ttl), pipeline.ErrConflict)
		if ok, from := takeLease(t, s, pipeline.LeaseUpload, 7, "c", leaseAt.Add(46*time.Second), ttl); !ok || from != "" {
			t.Errorf("c takes a released unit: taken %v from %q, want taken from nobody", ok, from)
		}
	}},
	{"Lease/ExpiredIsTakenOver", func(t *testing.T, _ *suite, s pipeline.Store) {
		const ttl = 10 * time.Second
		if ok, _ := takeLease(t, s, pipeline.LeaseApply, 3, "dead", leaseAt, ttl); !ok {
			t.Fatal("dead could not take a free unit")
		}
		if ok, _ := takeLease(t, s, pipeline.LeaseApply, 3, "b", leaseAt.Add(ttl-time.Microsecond), ttl); ok {
			t.Errorf("b took the unit before its lease expired")
		}
		ok, from := takeLease(t, s, pipeline.LeaseApply, 3, "b", leaseAt.Add(ttl), ttl)
		if !ok || from != "dead" {
			t.Fatalf("b at the expiry: taken %v from %q, want taken over from dead", ok, from)
		}
		wantErr(t, "the old owner renews", renewLease(t, s, pipeline.LeaseApply, 3, "dead", leaseAt.Add(ttl), ttl), pipeline.ErrConflict)
		releaseLease(t, s, pipeline.LeaseApply, 3, "dead") // the old owner comes back: b keeps it
		if ok, holder := takeLease(t, s, pipeline.LeaseApply, 3, "c", leaseAt.Add(ttl), ttl); ok || holder != "b" {
			t.Errorf("c takes the unit b took over: taken %v, holder %q; want not taken, held by b", ok, holder)
		}
		if ok, _ := takeLease(t, s, pipeline.LeaseApply, 3, "c", leaseAt.Add(ttl+time.Second), ttl); ok {
			t.Errorf("c took the unit b took over, after the old owner released it")
		}
		must(t, "b renews", renewLease(t, s, pipeline.LeaseApply, 3, "b", leaseAt.Add(ttl+time.Second), ttl))
	}},
	{"Lease/RolledBackTakeLeavesItFree", func(t *testing.T, _ *suite, s pipeline.Store) {
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			if _, _, err := tx.TakeLease(t.Context(), pipeline.LeaseUpload, 1, "a", leaseAt, time.Minute); err != nil {
				return err
			}
			return errRollback
		})
		wantErr(t, "rolled back", err, errRollback)
		if ok, from := takeLease(t, s, pipeline.LeaseUpload, 1, "b", leaseAt, time.Minute); !ok || from != "" {
			t.Errorf("after a rolled-back take: taken %v from %q, want taken from nobody", ok, from)
		}
	}},
	{"Concurrency/LeaseOneWins", func(t *testing.T, _ *suite, s pipeline.Store) {
		const takers = 8
		var mu sync.Mutex
		var winners []string
		var wg sync.WaitGroup
		for i := range takers {
			owner := string(rune('a' + i))
			wg.Go(func() {
				var ok bool
				err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
					var err error
					ok, _, err = tx.TakeLease(t.Context(), pipeline.LeaseUpload, 42, owner, leaseAt, time.Minute)
					return err
				})
				if err != nil {
					t.Errorf("%s: TakeLease: %v", owner, err)
				}
				if ok {
					mu.Lock()
					winners = append(winners, owner)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Errorf("%d takers of one free unit got it: %v, want exactly one", len(winners), winners)
		}
	}},
	{"Concurrency/LeaseSkipsLockedRow", func(t *testing.T, su *suite, s pipeline.Store) {
		if !su.concurrent {
			t.Skip("the store runs one transaction at a time")
		}
		// A takes an expired lease and keeps its transaction open; B,
		// taking the same unit meanwhile, passes it over at once rather
		// than wait for A, and takes another.
		if ok, _ := takeLease(t, s, pipeline.LeaseApply, 5, "dead", leaseAt, time.Second); !ok {
			t.Fatal("dead could not take a free unit")
		}
		later := leaseAt.Add(time.Minute)
		aTook := make(chan struct{})
		bDone := make(chan struct{})
		var aErr error
		var aOK bool
		var wg sync.WaitGroup
		wg.Go(func() {
			defer closeOnce(aTook)
			aErr = s.InTx(t.Context(), func(tx pipeline.Tx) error {
				var err error
				aOK, _, err = tx.TakeLease(t.Context(), pipeline.LeaseApply, 5, "a", later, time.Minute)
				closeOnce(aTook)
				<-bDone
				return err
			})
		})
		<-aTook
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		var bFive, bSix bool
		err := s.InTx(ctx, func(tx pipeline.Tx) error {
			var err error
			if bFive, _, err = tx.TakeLease(ctx, pipeline.LeaseApply, 5, "b", later, time.Minute); err != nil {
				return err
			}
			bSix, _, err = tx.TakeLease(ctx, pipeline.LeaseApply, 6, "b", later, time.Minute)
			return err
		})
		cancel()
		close(bDone)
		wg.Wait()
		must(t, "A", aErr)
		must(t, "B (it must not wait for A)", err)
		if !aOK || bFive || !bSix {
			t.Errorf("A took 5: %v; B took 5: %v, 6: %v; want A 5 and B only 6", aOK, bFive, bSix)
		}
	}},
}
