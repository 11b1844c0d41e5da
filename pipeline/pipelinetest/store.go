package pipelinetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// Option changes what RunStoreTests exercises.
type Option func(*suite)

// ConcurrentTransactions declares that the store runs transactions
// concurrently (PostgreSQL), so the concurrency tests hold two
// transactions open at once and make them collide on a row lock. Without
// it the tests only assume that transactions started from different
// goroutines complete, in some order (SQLite runs them one at a time).
func ConcurrentTransactions() Option {
	return func(s *suite) { s.concurrent = true }
}

type suite struct {
	open       func(t *testing.T) pipeline.Store
	concurrent bool
}

// storeTest is one conformance test; each gets a fresh, empty store.
type storeTest struct {
	name string
	fn   func(t *testing.T, su *suite, s pipeline.Store)
}

// RunStoreTests is the conformance suite of pipeline.Store: every store
// adapter runs it and must pass. open returns a fresh, empty store for
// one test and arranges (with t.Cleanup) to close and remove it. The
// tests run in parallel.
//
// What it checks: every Tx method; oldest-first (and newest-first)
// ordering; ErrNotFound; the unique constraints (PCN, inbound SHA256,
// posted remittance key, line control number, one open work item per
// key, a response set applied once); MoveClaim's legal, illegal and
// conflicting moves; ReviseClaim's versions, line identity and
// conflicts; the precedence of payer claim numbers; work rows joined with
// their claims; users, sessions (unique token hashes, disabled users)
// and the audit trail; sequences; commit, rollback on error and on
// panic; exact round trips of money, dates, times (UTC, microseconds)
// and JSON fields; balances and counts derived from ledger entries;
// deferred writes visible to later reads in the same transaction; and
// concurrent MoveClaim and NextSequence from several goroutines.
func RunStoreTests(t *testing.T, open func(t *testing.T) pipeline.Store, opts ...Option) {
	t.Helper()
	su := &suite{open: open}
	for _, o := range opts {
		o(su)
	}
	var all []storeTest
	all = append(all, encounterTests...)
	all = append(all, claimTests...)
	all = append(all, bulkTests...)
	all = append(all, ackBulkTests...)
	all = append(all, intakeBulkTests...)
	all = append(all, uploadBulkTests...)
	all = append(all, batchTests...)
	all = append(all, overdueTests...)
	all = append(all, ledgerTests...)
	all = append(all, reportTests...)
	all = append(all, workTests...)
	all = append(all, accessTests...)
	all = append(all, txTests...)
	all = append(all, leaseTests...)
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, su, su.open(t))
		})
	}
}

// inTx runs fn in a transaction and fails the test on error.
func inTx(t *testing.T, s pipeline.Store, fn func(ctx context.Context, tx pipeline.Tx)) {
	t.Helper()
	ctx := t.Context()
	if err := s.InTx(ctx, func(tx pipeline.Tx) error {
		fn(ctx, tx)
		return nil
	}); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// must fails the test when err is not nil.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// Same fails the test unless got and want are deeply equal, showing both
// as JSON.
func Same(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	t.Errorf("%s differs:\ngot:  %s\nwant: %s", what, g, w)
}

// norm is a time as stores keep it: UTC, microseconds.
func norm(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// checkStamp fails the test unless v is set and as stores keep times.
func checkStamp(t *testing.T, what string, v time.Time) {
	t.Helper()
	if v.IsZero() || v != norm(v) {
		t.Errorf("%s = %v, want a non-zero UTC time at microsecond precision", what, v)
	}
}
