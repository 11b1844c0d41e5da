package pipelinetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

var errBoom = errors.New("boom")

// writeSome makes changes of every kind in tx: a claim, an event, ledger
// entries (deferred writes), an encounter and a sequence value.
func writeSome(ctx context.Context, t *testing.T, tx pipeline.Tx) {
	t.Helper()
	c := sampleClaim("R1", pipeline.StateReady)
	must(t, "CreateClaim", tx.CreateClaim(ctx, c))
	must(t, "AddEvent", tx.AddEvent(ctx, pipeline.Event{ClaimID: c.ID, Kind: "scrubbed"}))
	must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{{ClaimID: c.ID, Kind: pipeline.EntryCharge, Charge: 100}}))
	must(t, "PutEncounter", tx.PutEncounter(ctx, &pipeline.EncounterRecord{ID: "R1", ClaimID: c.ID}))
	v, err := tx.NextSequence(ctx, "isa13")
	must(t, "NextSequence", err)
	if v != 1 {
		t.Errorf("NextSequence = %d, want 1", v)
	}
}

// checkNothingWritten fails the test if any of writeSome's changes were
// committed.
func checkNothingWritten(t *testing.T, s pipeline.Store) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		cs, err := tx.ClaimsInState(ctx, pipeline.StateReady, 0)
		must(t, "ClaimsInState", err)
		_, err = tx.GetEncounter(ctx, "R1")
		if len(cs) != 0 || !errors.Is(err, pipeline.ErrNotFound) {
			t.Errorf("rolled back changes are visible: %d claims, GetEncounter error %v", len(cs), err)
		}
		ob, err := tx.OpenBalances(ctx)
		must(t, "OpenBalances", err)
		if len(ob) != 0 {
			t.Errorf("rolled back entries are visible: %+v", ob)
		}
		v, err := tx.NextSequence(ctx, "isa13")
		must(t, "NextSequence", err)
		if v != 1 {
			t.Errorf("NextSequence after rollback = %d, want 1 (the rolled back value again)", v)
		}
	})
}

var txTests = []storeTest{
	{"Tx/Commit", func(t *testing.T, _ *suite, s pipeline.Store) {
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { writeSome(ctx, t, tx) })
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			cs, err := tx.ClaimsInState(ctx, pipeline.StateReady, 0)
			must(t, "ClaimsInState", err)
			if len(cs) != 1 {
				t.Fatalf("claims = %d, want 1", len(cs))
			}
			evs, err := tx.Events(ctx, cs[0].ID)
			must(t, "Events", err)
			es, err := tx.Entries(ctx, cs[0].ID)
			must(t, "Entries", err)
			if len(evs) != 1 || len(es) != 1 {
				t.Errorf("events, entries = %d, %d; want 1, 1", len(evs), len(es))
			}
		})
	}},
	{"Tx/RollbackOnError", func(t *testing.T, _ *suite, s pipeline.Store) {
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			writeSome(t.Context(), t, tx)
			return fmt.Errorf("job failed: %w", errBoom)
		})
		wantErr(t, "InTx", err, errBoom)
		checkNothingWritten(t, s)
	}},
	{"Tx/RollbackOnPanic", func(t *testing.T, _ *suite, s pipeline.Store) {
		func() {
			defer func() {
				if p := recover(); p != errBoom {
					t.Errorf("recovered %v, want the panic value re-raised", p)
				}
			}()
			s.InTx(t.Context(), func(tx pipeline.Tx) error {
				writeSome(t.Context(), t, tx)
				panic(errBoom)
			})
			t.Errorf("InTx returned after a panic")
		}()
		checkNothingWritten(t, s)
	}},
	{"Tx/DeferredWriteErrorFailsCommit", func(t *testing.T, _ *suite, s pipeline.Store) {
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			ctx := t.Context()
			must(t, "PutEncounter", tx.PutEncounter(ctx, &pipeline.EncounterRecord{ID: "R1"}))
			// No claim 424242: the entry cannot be written. The error may
			// come now or at commit.
			if err := tx.AddEntries(ctx, []pipeline.LedgerEntry{{ClaimID: 424242, Kind: pipeline.EntryCharge, Charge: 1}}); err != nil {
				return err
			}
			return tx.AddEvent(ctx, pipeline.Event{ClaimID: 424242, Kind: "x"})
		})
		if err == nil {
			t.Fatal("InTx committed a ledger entry of a missing claim")
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.GetEncounter(ctx, "R1")
			wantErr(t, "GetEncounter after the failed commit", err, pipeline.ErrNotFound)
		})
	}},
	{"Tx/UseAfterEnd", func(t *testing.T, _ *suite, s pipeline.Store) {
		var saved pipeline.Tx
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { saved = tx })
		if _, err := saved.NextSequence(t.Context(), "x"); err == nil {
			t.Errorf("a Tx used after its transaction ended did not fail")
		}
	}},
	{"Tx/CanceledContext", func(t *testing.T, _ *suite, s pipeline.Store) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		called := false
		err := s.InTx(ctx, func(tx pipeline.Tx) error {
			called = true
			_, err := tx.NextSequence(ctx, "x")
			return err
		})
		if err == nil {
			t.Errorf("InTx with a canceled context succeeded (fn called: %v)", called)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			v, err := tx.NextSequence(ctx, "x")
			must(t, "NextSequence", err)
			if v != 1 {
				t.Errorf("NextSequence = %d, want 1", v)
			}
		})
	}},
	{"Concurrency/MoveClaimOneWins", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = s.InTx(t.Context(), func(tx pipeline.Tx) error {
					return tx.MoveClaim(t.Context(), c.ID, 0, pipeline.StateSubmitted, pipeline.StatePaid,
						pipeline.Event{Kind: "835", Detail: fmt.Sprint("goroutine ", i)})
				})
			})
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, pipeline.ErrConflict):
				t.Errorf("goroutine %d: %v, want nil or ErrConflict", i, err)
			}
		}
		if wins != 1 {
			t.Errorf("%d moves succeeded, want 1", wins)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			evs, err := tx.Events(ctx, c.ID)
			must(t, "Events", err)
			if len(evs) != 1 {
				t.Errorf("%d events, want 1", len(evs))
			}
		})
	}},
	{"Concurrency/OpenWorkItemSameKey", func(t *testing.T, _ *suite, s pipeline.Store) {
		// Several transactions open the item of one cause at once: each
		// goes on, and one item stays open.
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = s.InTx(t.Context(), func(tx pipeline.Tx) error {
					_, err := tx.OpenWorkItem(t.Context(), &pipeline.WorkItem{Key: "denial:claim:1", Source: pipeline.SourceDenial,
						Summary: fmt.Sprint("goroutine ", i)})
					if err != nil {
						return err
					}
					// The transaction is still usable.
					_, err = tx.NextSequence(t.Context(), "after")
					return err
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			items, err := tx.WorkItems(ctx, pipeline.WorkFilter{Key: "denial:claim:1"})
			must(t, "WorkItems", err)
			if len(items) != 1 || items[0].Status != pipeline.WorkOpen {
				t.Errorf("items %+v, want one open", items)
			}
		})
	}},
	{"Concurrency/MoveClaimOverlapping", func(t *testing.T, su *suite, s pipeline.Store) {
		if !su.concurrent {
			t.Skip("the store runs one transaction at a time")
		}
		// B opens its transaction and reads the claim; A moves the claim
		// while B's transaction is open; B then moves from the state it
		// read, waits for A's row lock, and must get ErrConflict.
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		bOpen, aMoved := make(chan struct{}), make(chan struct{})
		var aErr, bErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			defer closeOnce(aMoved)
			aErr = s.InTx(t.Context(), func(tx pipeline.Tx) error {
				<-bOpen
				err := tx.MoveClaim(t.Context(), c.ID, 0, pipeline.StateSubmitted, pipeline.StatePaid, pipeline.Event{Kind: "A"})
				closeOnce(aMoved)
				return err
			})
		})
		wg.Go(func() {
			bErr = s.InTx(t.Context(), func(tx pipeline.Tx) error {
				got, err := tx.GetClaim(t.Context(), c.ID)
				closeOnce(bOpen)
				if err != nil {
					return err
				}
				<-aMoved
				return tx.MoveClaim(t.Context(), c.ID, 0, got.State, pipeline.StateDenied, pipeline.Event{Kind: "B"})
			})
			closeOnce(bOpen)
		})
		wg.Wait()
		must(t, "transaction A", aErr)
		wantErr(t, "transaction B", bErr, pipeline.ErrConflict)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StatePaid {
				t.Errorf("state = %s, want paid", got.State)
			}
		})
	}},
	{"Concurrency/LockExcludes", func(t *testing.T, su *suite, s pipeline.Store) {
		if !su.concurrent {
			t.Skip("the store runs one transaction at a time")
		}
		// A takes the lock, then creates a claim and commits. B takes the
		// lock after A did: it must see A's claim.
		aLocked := make(chan struct{})
		var aErr, bErr error
		var seen int
		var wg sync.WaitGroup
		wg.Go(func() {
			defer closeOnce(aLocked)
			aErr = s.InTx(t.Context(), func(tx pipeline.Tx) error {
				if err := tx.Lock(t.Context(), "job/post"); err != nil {
					return err
				}
				closeOnce(aLocked)
				return tx.CreateClaim(t.Context(), sampleClaim("A", pipeline.StateReady))
			})
		})
		wg.Go(func() {
			bErr = s.InTx(t.Context(), func(tx pipeline.Tx) error {
				<-aLocked
				if err := tx.Lock(t.Context(), "job/post"); err != nil {
					return err
				}
				cs, err := tx.ClaimsInState(t.Context(), pipeline.StateReady, 0)
				seen = len(cs)
				return err
			})
		})
		wg.Wait()
		must(t, "transaction A", aErr)
		must(t, "transaction B", bErr)
		if seen != 1 {
			t.Errorf("B saw %d claims after taking the lock A held, want 1", seen)
		}
	}},
	{"Concurrency/NextSequenceNoDuplicates", func(t *testing.T, _ *suite, s pipeline.Store) {
		const goroutines, txs, perTx = 4, 8, 2
		var mu sync.Mutex
		var got []int64
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range txs {
					var vs []int64
					err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
						vs = vs[:0]
						for range perTx {
							v, err := tx.NextSequence(t.Context(), "isa13")
							if err != nil {
								return err
							}
							vs = append(vs, v)
						}
						return nil
					})
					if err != nil {
						t.Errorf("NextSequence transaction: %v", err)
						return
					}
					mu.Lock()
					got = append(got, vs...)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(got)
		want := make([]int64, goroutines*txs*perTx)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if !slices.Equal(got, want) {
			t.Errorf("committed sequence values = %v, want 1..%d once each", got, len(want))
		}
	}},
}

// closeOnce closes ch unless it is already closed. Only the goroutine
// that owns ch calls it.
func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}
