package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
	"github.com/x12claims/claims/pipeline"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a pipeline.Store in a PostgreSQL database. It is safe for
// concurrent use, by several goroutines and several instances.
type Store struct {
	pool    *pgxpool.Pool
	ownPool bool
	now     func() time.Time
	inserts sync.Map // insertKey -> string
	hints   sqlcore.IDHints
}

var _ pipeline.Store = (*Store)(nil)

// randomPageCost is the planner's random_page_cost for the store's
// sessions. The store looks claims up by key a few thousand at a time
// (posting reads the lines and open amounts of a remittance's claims).
// With PostgreSQL's default of 4, meant for spinning disks, the planner
// scans whole tables of up to a few hundred thousand rows instead of
// probing the index, which is several times slower (EXPLAIN ANALYZE of
// the open-amount query on a ledger of 100,000 rows) and grows with the
// table. 1.1 is the usual value for SSDs and cached data.
const randomPageCost = "1.1"

// Open connects to the database at url (a postgres:// URL or key=value
// connection string, as pgx accepts) and brings the schema up to date.
// Its sessions use random_page_cost 1.1 unless the URL sets one
// (?random_page_cost=4). It fails when the URL is malformed, the server cannot be reached, or
// the schema is newer than this program.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx errors may echo the URL, password included: say less.
		return nil, errors.New("postgres store: invalid connection URL")
	}
	if _, set := cfg.ConnConfig.RuntimeParams["random_page_cost"]; !set {
		cfg.ConnConfig.RuntimeParams["random_page_cost"] = randomPageCost
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s, err := newStore(ctx, pool, true)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// New returns a store over a pool the caller opened, and brings the
// schema up to date. Close does not close the pool.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	return newStore(ctx, pool, false)
}

func newStore(ctx context.Context, pool *pgxpool.Pool, own bool) (*Store, error) {
	s := &Store{pool: pool, ownPool: own, now: time.Now}
	ms, err := sqlcore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	err = s.inTx(ctx, func(pipeline.Tx) error { return nil }, func(ctx context.Context, c *conn) error {
		if _, err := c.tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('x12claims migrate ' || COALESCE(current_schema(), ''), 0))"); err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
		_, err := sqlcore.Migrate(ctx, c, ms, time.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// SetClock replaces the clock the store uses for the times it fills in
// (times left zero by the caller). It is for tests; call it before
// sharing the store.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// InTx implements pipeline.Store. The error of fn is returned as is; a
// commit or rollback failure is wrapped. A commit can fail with an error
// from a deferred insert (see sqlcore) or a serialization failure.
func (s *Store) InTx(ctx context.Context, fn func(pipeline.Tx) error) error {
	return s.inTx(ctx, fn)
}

func (s *Store) inTx(ctx context.Context, fn func(pipeline.Tx) error, before ...func(context.Context, *conn) error) error {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("postgres store: begin: %w", err)
	}
	c := &conn{s: s, tx: ptx}
	tx := sqlcore.NewTx(c, s.now, &s.hints)
	rollback := func() error {
		tx.End()
		if err := ptx.Rollback(context.WithoutCancel(ctx)); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			return fmt.Errorf("postgres store: rollback: %w", err)
		}
		return nil
	}
	finished := false
	defer func() {
		if finished {
			return
		}
		// fn panicked (re-raised after the rollback) or called
		// runtime.Goexit (p is nil; the goroutine goes on exiting).
		p := recover()
		rollback()
		if p != nil {
			panic(p)
		}
	}()
	for _, b := range before {
		if err := b(ctx, c); err != nil {
			finished = true
			return errors.Join(fmt.Errorf("postgres store: %w", err), rollback())
		}
	}
	if err := fn(tx); err != nil {
		finished = true
		if rerr := rollback(); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	ferr := tx.Flush(ctx)
	finished = true
	if ferr != nil {
		return errors.Join(fmt.Errorf("postgres store: %w", ferr), rollback())
	}
	tx.End()
	if err := ptx.Commit(ctx); err != nil {
		return errors.Join(fmt.Errorf("postgres store: commit: %w", err), rollback())
	}
	return nil
}

// Close closes the pool when Open created it. It is safe to call more
// than once.
func (s *Store) Close() error {
	if s.ownPool {
		s.pool.Close()
	}
	return nil
}
