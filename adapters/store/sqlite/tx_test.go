package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// withConn runs f on the transaction's conn.
func withConn(t *testing.T, s *Store, ctx context.Context, f func(*conn) error) error {
	t.Helper()
	return s.inTx(ctx, func(pipeline.Tx) error { return nil }, func(ctx context.Context, c *conn) error { return f(c) })
}

// nextSequence takes the next value of sequence x.
func nextSequence(t *testing.T, s *Store) int64 {
	t.Helper()
	var v int64
	if err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
		var err error
		v, err = tx.NextSequence(t.Context(), "x")
		return err
	}); err != nil {
		t.Fatalf("InTx: %v", err)
	}
	return v
}

// TestPanicKeepsConnection: a panic in fn rolls back, is raised again,
// and leaves the store's connection in use.
func TestPanicKeepsConnection(t *testing.T) {
	s := openTest(t)
	nextSequence(t, s)
	before := s.conn
	boom := errors.New("boom")
	func() {
		defer func() {
			if p := recover(); p != boom {
				t.Errorf("recovered %v, want boom", p)
			}
		}()
		s.InTx(t.Context(), func(tx pipeline.Tx) error {
			tx.NextSequence(t.Context(), "x")
			panic(boom)
		})
	}()
	if s.conn != before {
		t.Errorf("the connection was replaced after a panic")
	}
	if v := nextSequence(t, s); v != 2 {
		t.Errorf("NextSequence after the panic = %d, want 2 (rolled back)", v)
	}
}

// TestGoexitRollsBack: fn calling runtime.Goexit (t.FailNow) rolls back
// and releases the store, which connects again for the next transaction.
func TestGoexitRollsBack(t *testing.T) {
	s := openTest(t)
	nextSequence(t, s)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.InTx(t.Context(), func(tx pipeline.Tx) error {
			tx.NextSequence(t.Context(), "x")
			runtime.Goexit()
			return nil
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("InTx hangs after runtime.Goexit")
	}
	if s.conn != nil || len(s.stmts) != 0 {
		t.Errorf("after Goexit: connection kept %v, %d statements; want the connection discarded, its statements closed",
			s.conn != nil, len(s.stmts))
	}
	if v := nextSequence(t, s); v != 2 {
		t.Errorf("NextSequence after Goexit = %d, want 2 (rolled back)", v)
	}
}

// TestCanceledStatement: a canceled context ends a running statement,
// and the store goes on.
func TestCanceledStatement(t *testing.T) {
	s := openTest(t)
	const forever = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r WHERE i > $1"
	for _, tc := range []struct {
		name string
		run  func(context.Context, *conn) error
	}{
		{"Query", func(ctx context.Context, c *conn) error {
			r, err := c.Query(ctx, forever, int64(0))
			if err != nil {
				return err
			}
			defer r.Close()
			for r.Next() {
			}
			return r.Err()
		}},
		{"Exec", func(ctx context.Context, c *conn) error {
			_, err := c.Exec(ctx, forever, int64(0))
			return err
		}},
		{"Exec script", func(ctx context.Context, c *conn) error {
			_, err := c.Exec(ctx, strings.ReplaceAll(forever, "$1", "0"))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := withConn(t, s, ctx, func(c *conn) error { return tc.run(ctx, c) })
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the statement ran %v after its context ended", d)
			}
			nextSequence(t, s)
		})
	}
}

// TestWaitEndsWithContext: a transaction waiting for another ends with
// its context.
func TestWaitEndsWithContext(t *testing.T) {
	s := openTest(t)
	inside, release := make(chan struct{}), make(chan struct{})
	go s.InTx(t.Context(), func(pipeline.Tx) error {
		close(inside)
		<-release
		return nil
	})
	<-inside
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.InTx(ctx, func(pipeline.Tx) error { return nil })
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting InTx = %v, want context.DeadlineExceeded", err)
	}
}

// TestStatementCache: statements past the cache's cap are prepared per
// use, and work as the cached ones.
func TestStatementCache(t *testing.T) {
	s := openTest(t)
	err := withConn(t, s, t.Context(), func(c *conn) error {
		if _, err := c.Exec(t.Context(), "CREATE TABLE t (k INTEGER, v TEXT)"); err != nil {
			return err
		}
		for i := range maxCachedStmts + 10 {
			if _, err := c.Exec(t.Context(), fmt.Sprintf("INSERT INTO t (k, v) VALUES ($1, $2) -- %d", i), i, "v"); err != nil {
				return fmt.Errorf("insert %d: %w", i, err)
			}
			r, err := c.Query(t.Context(), fmt.Sprintf("SELECT count(*) FROM t WHERE v = $1 -- %d", i), "v")
			if err != nil {
				return fmt.Errorf("query %d: %w", i, err)
			}
			var n int
			if !r.Next() {
				return fmt.Errorf("query %d: no row: %v", i, r.Err())
			}
			if err := r.Scan(&n); err != nil {
				return err
			}
			r.Close()
			if n != i+1 {
				return fmt.Errorf("query %d: count %d, want %d", i, n, i+1)
			}
		}
		if len(s.stmts) != maxCachedStmts {
			return fmt.Errorf("%d statements cached, want %d", len(s.stmts), maxCachedStmts)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestArguments: an argument the driver does not take is converted as
// database/sql would, or refused.
func TestArguments(t *testing.T) {
	s := openTest(t)
	err := withConn(t, s, t.Context(), func(c *conn) error {
		var got int64
		r, err := c.Query(t.Context(), "SELECT $1 + 1", 41)
		if err != nil {
			return err
		}
		defer r.Close()
		if !r.Next() {
			return fmt.Errorf("no row: %v", r.Err())
		}
		if err := r.Scan(&got); err != nil {
			return err
		}
		if got != 42 {
			return fmt.Errorf("SELECT int 41 + 1 = %d, want 42", got)
		}
		if _, err := c.Exec(t.Context(), "SELECT $1", struct{}{}); err == nil || !strings.Contains(err.Error(), "argument 1") {
			return fmt.Errorf("Exec with a struct argument: %v, want an error naming argument 1", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRowsLeftOpen: rows a transaction leaves open are closed when it
// ends, and their statement works in the next one.
func TestRowsLeftOpen(t *testing.T) {
	s := openTest(t)
	const q = "SELECT column1 FROM (VALUES (1), (2)) WHERE column1 > $1"
	for range 2 {
		var left *rows
		err := withConn(t, s, t.Context(), func(c *conn) error {
			r, err := c.Query(t.Context(), q, int64(0))
			if err != nil {
				return err
			}
			if !r.Next() {
				return fmt.Errorf("no row: %v", r.Err())
			}
			left = r.(*rows)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !left.closed || left.Next() {
			t.Errorf("rows left open by a transaction are not closed")
		}
	}
}
