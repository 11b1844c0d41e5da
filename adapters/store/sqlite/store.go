package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/x12claims/claims/adapters/store/internal/sqlcore"
	"github.com/x12claims/claims/pipeline"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// BusyTimeout is how long a statement waits for another process's lock
// on the database file before it fails.
const BusyTimeout = 10 * time.Second

// Store is a pipeline.Store in one SQLite database. It is safe for
// concurrent use; transactions run one at a time.
type Store struct {
	db    *sql.DB
	ownDB bool
	// conn pins the store's driver connection; nil after database/sql
	// discarded it (see discard), until the next transaction connects.
	conn *sql.Conn
	sem  chan struct{} // holds the connection: one transaction at a time
	// stmts are prepared on conn's driver connection, by query text: they
	// are used under sem, inside a conn.Raw callback only.
	stmts   map[string]driverStmt
	inserts map[insertKey]string // used under sem, as stmts
	now     func() time.Time
	closed  bool
	// path is the database file, for the job locks beside it ("" for
	// a database without a file); lockMu and held lock jobs then.
	path   string
	lockMu sync.Mutex
	held   map[string]bool
}

var _ pipeline.Store = (*Store)(nil)

// Open opens (creating when missing) the database file at path and brings
// its schema up to date. A missing parent folder is created with mode
// 0700 and a missing file with mode 0600; SQLite gives its -wal and -shm
// files the mode of the database file. It fails when the file cannot be
// created or opened, is not a database, or records a schema newer than
// this program.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite store: create folder: %w", err)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: create %s: %w", abs, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlite store: create %s: %w", abs, err)
	}
	dsn := (&url.URL{Scheme: "file", Path: abs}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: %w", abs, err)
	}
	s, err := newStore(ctx, db, true)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", abs, err)
	}
	s.path = abs
	return s, nil
}

// New returns a store over a database the caller opened with the
// modernc.org/sqlite driver ("sqlite"). The store keeps one connection
// of db for itself, sets db to at most one open connection, and applies
// its pragmas and migrations. Close does not close db.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	s, err := newStore(ctx, db, false)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	return s, nil
}

func newStore(ctx context.Context, db *sql.DB, own bool) (*Store, error) {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, ownDB: own, sem: make(chan struct{}, 1),
		stmts: make(map[string]driverStmt), inserts: make(map[insertKey]string), now: time.Now}
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		if s.conn != nil {
			s.closeConn()
		}
		return nil, err
	}
	return s, nil
}

// connect takes the store's connection from db and applies the
// per-connection pragmas.
func (s *Store) connect(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	for _, p := range []string{
		fmt.Sprintf("PRAGMA busy_timeout = %d", BusyTimeout.Milliseconds()),
		// 16 KiB pages: posting writes rows in bulk, and larger pages
		// mean fewer page splits, B-tree levels and WAL frames (25% more
		// claims posted per second than 4 KiB). It applies to a new
		// database only; an existing one keeps its page size.
		"PRAGMA page_size = 16384",
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"PRAGMA foreign_keys = ON",
		"PRAGMA cache_size = -32768", // KiB: 32 MiB of pages
		// Statement journals (what undoes one statement of a longer
		// transaction, such as a bulk move inside its savepoint) and
		// temporary indexes in memory, not in temporary files written a
		// page at a time; they hold at most what one bulk statement of a
		// chunk changes. The database itself stays in its WAL, synced.
		"PRAGMA temp_store = MEMORY",
	} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Close()
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		conn.Close()
		return fmt.Errorf("enable WAL: journal mode is %q: %v", mode, err)
	}
	s.conn = conn
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := sqlcore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(pipeline.Tx) error { return nil }, withMigrations(ms))
}

// SetClock replaces the clock the store uses for the times it fills in
// (times left zero by the caller). It is for tests; call it before
// sharing the store.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// InTx implements pipeline.Store. Transactions run one at a time, in the
// order they acquire the store; a transaction waiting for another ends
// with ctx. InTx must not be called from inside fn. The error of fn is
// returned as is; a commit or rollback failure is wrapped.
func (s *Store) InTx(ctx context.Context, fn func(pipeline.Tx) error) error {
	return s.inTx(ctx, fn)
}

type txOption func(context.Context, *conn) error

func withMigrations(ms []sqlcore.Migration) txOption {
	return func(ctx context.Context, c *conn) error {
		_, err := sqlcore.Migrate(ctx, c, ms, time.Now())
		return err
	}
}

func (s *Store) inTx(ctx context.Context, fn func(pipeline.Tx) error, opts ...txOption) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("sqlite store: wait for transaction: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	if s.closed {
		return errors.New("sqlite store: closed")
	}
	if s.conn == nil {
		if err := s.connect(ctx); err != nil {
			return fmt.Errorf("sqlite store: %w", err)
		}
	}
	// The transaction talks to the driver connection directly: no
	// argument conversion, locking and scanning by database/sql per call.
	// The callback returns normally even when fn panics, since Raw
	// discards a connection whose callback panicked; the panic is raised
	// again here.
	var (
		p     *recovered
		txErr error
	)
	err := s.conn.Raw(func(dc any) error {
		p, txErr = s.runTx(ctx, dc, fn, opts)
		return nil
	})
	if p != nil {
		panic(p.v)
	}
	if err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return txErr
}

// recovered is a panic value, carried out of a conn.Raw callback.
type recovered struct{ v any }

// runTx runs a transaction on dc, the driver connection of s.conn, inside
// its Raw callback. When something panics, it rolls back and returns the
// panic value. When fn calls runtime.Goexit, it rolls back and closes the
// prepared statements: Raw then discards the connection (see discard).
func (s *Store) runTx(ctx context.Context, dc any, fn func(pipeline.Tx) error, opts []txOption) (p *recovered, err error) {
	c, err := newConn(s, dc)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	defer c.detach()
	tx := sqlcore.NewTx(c, s.now, nil)
	returned := false
	defer func() {
		if returned {
			return
		}
		// A panic, or runtime.Goexit (r is nil: the goroutine goes on
		// exiting).
		r := recover()
		tx.End()
		c.rollback(ctx)
		if r != nil {
			p = &recovered{r}
			return
		}
		s.discard()
	}()
	err = s.do(ctx, c, tx, fn, opts)
	returned = true
	return nil, err
}

// do runs the transaction proper on c: BEGIN IMMEDIATE, the options, fn,
// the deferred writes and COMMIT, and a rollback on failure.
func (s *Store) do(ctx context.Context, c *conn, tx *sqlcore.Tx, fn func(pipeline.Tx) error, opts []txOption) error {
	if _, err := c.dc.ExecContext(ctx, "BEGIN IMMEDIATE", nil); err != nil {
		return fmt.Errorf("sqlite store: begin: %w", err)
	}
	for _, o := range opts {
		if err := o(ctx, c); err != nil {
			tx.End()
			return errors.Join(fmt.Errorf("sqlite store: %w", err), c.rollback(ctx))
		}
	}
	if err := fn(tx); err != nil {
		tx.End()
		if rerr := c.rollback(ctx); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	ferr := tx.Flush(ctx)
	tx.End()
	if ferr != nil {
		return errors.Join(fmt.Errorf("sqlite store: %w", ferr), c.rollback(ctx))
	}
	if err := c.commit(ctx); err != nil {
		return errors.Join(fmt.Errorf("sqlite store: commit: %w", err), c.rollback(ctx))
	}
	return nil
}

// discard is called inside the Raw callback of a transaction that will
// not return (runtime.Goexit): Raw then discards the driver connection,
// which closes it. The prepared statements are closed first, while the
// connection is still open, and the next transaction connects again.
func (s *Store) discard() {
	s.closeStmts()
	s.conn = nil
}

// closeStmts closes the prepared statements. It runs inside a Raw
// callback.
func (s *Store) closeStmts() error {
	var errs []error
	for q, st := range s.stmts {
		errs = append(errs, st.Close())
		delete(s.stmts, q)
	}
	return errors.Join(errs...)
}

// closeConn closes the prepared statements and gives back the connection.
func (s *Store) closeConn() error {
	err := s.conn.Raw(func(any) error { return s.closeStmts() })
	err = errors.Join(err, s.conn.Close())
	s.conn = nil
	return err
}

// Close waits for the running transaction, if any, and closes the store.
// It is safe to call more than once.
func (s *Store) Close() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.conn != nil {
		errs = append(errs, s.closeConn())
	}
	if s.ownDB {
		errs = append(errs, s.db.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite store: close: %w", err)
	}
	return nil
}
