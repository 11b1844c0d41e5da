package clearinghousesim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/x12claims/claims/x12/x835"
)

// StateFile is the name of the simulator's SQLite database inside its
// state folder.
const StateFile = "clearinghouse.db"

// Store is the simulator's memory on disk (SQLite, modernc.org/sqlite):
// the counters behind control numbers, payer claim numbers and 835 trace
// numbers, each member's deductible, the interchanges seen, the 837 files
// answered (by SHA-256 and name), the response files and their delivery
// state, and what was paid per payer claim number (for reversals). Every
// change an 837 causes is committed in one transaction before any response
// file is written; see the package documentation for the order that makes
// a kill at any point harmless.
//
// Several Responders (one per SFTP user) may share one Store; it is safe
// for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

const schema = `
CREATE TABLE IF NOT EXISTS counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deductibles (
	payer     TEXT NOT NULL,
	member    TEXT NOT NULL,
	remaining INTEGER NOT NULL,
	PRIMARY KEY (payer, member)
);
CREATE TABLE IF NOT EXISTS interchanges (
	key TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS inbound_files (
	id             INTEGER PRIMARY KEY,
	mailbox        TEXT NOT NULL,
	name           TEXT NOT NULL,
	sha256         TEXT NOT NULL,
	processed_name TEXT NOT NULL,
	state          TEXT NOT NULL,
	received       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inbound_files_open ON inbound_files (mailbox, state);
CREATE TABLE IF NOT EXISTS outputs (
	id      INTEGER PRIMARY KEY,
	file_id INTEGER NOT NULL,
	mailbox TEXT NOT NULL,
	name    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	data    BLOB,
	due     INTEGER NOT NULL,
	chunked INTEGER NOT NULL DEFAULT 0,
	state   INTEGER NOT NULL,
	UNIQUE (mailbox, name)
);
CREATE INDEX IF NOT EXISTS outputs_due ON outputs (mailbox, state, due);
CREATE TABLE IF NOT EXISTS payables (
	id        INTEGER PRIMARY KEY,
	mailbox   TEXT NOT NULL,
	file_id   INTEGER NOT NULL,
	payer     TEXT NOT NULL,
	payee     BLOB NOT NULL,
	claim     BLOB NOT NULL,
	pay_date  TEXT NOT NULL,
	due       INTEGER NOT NULL,
	recv_qual TEXT NOT NULL,
	recv_id   TEXT NOT NULL,
	usage     TEXT NOT NULL,
	app       TEXT NOT NULL,
	output_id INTEGER,
	claims    INTEGER NOT NULL DEFAULT 1 -- how many claims the row pays (claim is a remit batch when more)
);
CREATE INDEX IF NOT EXISTS payables_due ON payables (mailbox, output_id, due);
CREATE TABLE IF NOT EXISTS claims (
	icn         TEXT PRIMARY KEY,
	payer       TEXT NOT NULL,
	pcn         TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	state       TEXT NOT NULL,
	remit       BLOB
);
CREATE INDEX IF NOT EXISTS claims_pcn ON claims (payer, pcn);
CREATE INDEX IF NOT EXISTS claims_fingerprint ON claims (fingerprint);
`

// The delivery states of a response file.
const (
	outPending   = 0 // recorded, not written yet
	outStaged    = 1 // written to its temporary name and synced
	outDelivered = 2 // renamed to its final name
	outWithheld  = 3 // never delivered (the "no 999" fault)
)

// OpenStore opens (creating it 0600 in a 0700 folder when missing) the
// state database in dir. An empty dir gives a store in memory, which
// lives as long as the Store: enough for a test or a one-shot demo, not
// for a simulator that must survive a restart.
func OpenStore(ctx context.Context, dir string) (*Store, error) {
	dsn := "file:clearinghousesim?mode=memory"
	path := ""
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("clearinghousesim: state folder: %w", err)
		}
		abs, err := filepath.Abs(filepath.Join(dir, StateFile))
		if err != nil {
			return nil, fmt.Errorf("clearinghousesim: state folder: %w", err)
		}
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("clearinghousesim: state database: %w", err)
		}
		_ = f.Close()
		path = abs
		dsn = (&url.URL{Scheme: "file", Path: abs}).String() +
			"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=cache_size(-16384)" +
			// The statement journals of the many-row INSERTs (see
			// execRows) stay in memory, not in temporary files: they
			// only undo a statement within its transaction, and play no
			// part in recovering from a crash (the WAL does).
			"&_pragma=temp_store(MEMORY)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: state database: %w", err)
	}
	// One connection: the memory database lives in it, and SQLite
	// serialises writers anyway.
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("clearinghousesim: state database schema: %w", err)
	}
	if err := addPayablesColumns(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("clearinghousesim: state database schema: %w", err)
	}
	return &Store{db: db, path: path}, nil
}

// addPayablesColumns adds to a state made before them the payables
// columns added since: claims (each older row pays one claim).
func addPayablesColumns(ctx context.Context, db *sql.DB) error {
	for _, c := range []struct{ name, decl string }{
		{"claims", "claims INTEGER NOT NULL DEFAULT 1"},
	} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('payables') WHERE name = ?`, c.name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if _, err := db.ExecContext(ctx, `ALTER TABLE payables ADD COLUMN `+c.decl); err != nil {
			return fmt.Errorf("add payables.%s: %w", c.name, err)
		}
	}
	return nil
}

// Path returns the database file, or "" for a store in memory.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Counter returns a counter's current value (the next number it gives),
// or 0 when it was never used. Tests use it to prove numbers are not
// reused across a restart.
func (s *Store) Counter(ctx context.Context, name string) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// AnsweredFiles returns how many times each 837 (by SHA-256) was taken
// in and answered, for every mailbox.
func (s *Store) AnsweredFiles(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sha256, COUNT(*) FROM inbound_files GROUP BY sha256`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var sha string
		var n int
		if err := rows.Scan(&sha, &n); err != nil {
			return nil, err
		}
		out[sha] = n
	}
	return out, rows.Err()
}

// txState is what one 837's decision reads and changes, inside one
// transaction. Errors are sticky: decide never fails, and the caller
// checks err before committing.
//
// The statements run once per claim are prepared once per transaction,
// and the counters and deductibles are read once and kept here: flush
// writes the counters back, and must be called before the commit.
type txState struct {
	ctx context.Context
	tx  *sql.Tx
	cfg *Config
	err error

	stmts    map[string]*sql.Stmt
	counters map[string]int // next values, written back by flush
	deds     map[[2]string]int64
	claims   pendingClaims // claims accepted in this transaction, inserted by flush
	// stored tells, for each fingerprint knownFingerprints looked up,
	// whether a stored claim has it.
	stored map[string]bool
}

// pendingClaims are the claims a transaction accepted, kept in memory
// until flush inserts them, remit included, many rows per statement: each
// claim is written once, instead of inserted when the 277CA accepts it
// and updated when the 835 adjudicates it. The lookups (findClaim,
// duplicate) consult them before the store, as they would the rows.
type pendingClaims struct {
	list  []*pendingClaim // in the order accepted (their rowid order)
	byICN map[string]*pendingClaim
	byFP  map[string]bool
}

type pendingClaim struct {
	payer, pcn, fingerprint string
	paidClaim               // its icn, state and remit
}

func (t *txState) fail(err error) {
	if t.err == nil && err != nil {
		t.err = err
	}
}

// stmt returns query prepared in the transaction, preparing it on first
// use (the transaction closes it). It returns nil after an error.
func (t *txState) stmt(query string) *sql.Stmt {
	if t.err != nil {
		return nil
	}
	if st, ok := t.stmts[query]; ok {
		return st
	}
	st, err := t.tx.PrepareContext(t.ctx, query)
	if err != nil {
		t.fail(err)
		return nil
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st
}

// exec runs a prepared statement, keeping its error.
func (t *txState) exec(query string, args ...any) sql.Result {
	st := t.stmt(query)
	if st == nil {
		return nil
	}
	res, err := st.ExecContext(t.ctx, args...)
	t.fail(err)
	return res
}

// queryRow runs a prepared query expected to return one row and scans
// it; it reports false when there is no row (or after an error).
func (t *txState) queryRow(query string, args []any, dest ...any) bool {
	st := t.stmt(query)
	if st == nil {
		return false
	}
	err := st.QueryRowContext(t.ctx, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	t.fail(err)
	return err == nil
}

// flush writes the counters used back to the store. Call it before the
// commit.
func (t *txState) flush() {
	t.insertClaims()
	for name, v := range t.counters {
		t.exec(`INSERT INTO counters (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, v)
	}
}

// next returns the counter's next value and advances it. A counter never
// used starts at first; past max it wraps to 1.
func (t *txState) next(name string, first, max int) int {
	if t.err != nil {
		return first
	}
	v, ok := t.counters[name]
	if !ok {
		if !t.queryRow(`SELECT value FROM counters WHERE name = ?`, []any{name}, &v) {
			if t.err != nil {
				t.err = fmt.Errorf("counter %s: %w", name, t.err)
				return first
			}
			v = first
		}
		if t.counters == nil {
			t.counters = map[string]int{}
		}
	}
	n := v + 1
	if n > max {
		n = 1
	}
	t.counters[name] = n
	return v
}

func (t *txState) firstNumber() int {
	if t.cfg.FirstControlNumber > 0 {
		return t.cfg.FirstControlNumber
	}
	return 1
}

// nextControl returns the next response ISA13/GS06.
func (t *txState) nextControl() int { return t.next("control", t.firstNumber(), 999_999_999) }

// nextClaimSeq returns the next payer claim number sequence.
func (t *txState) nextClaimSeq() int { return t.next("claim", t.firstNumber(), 99_999_999) }

// deductible returns the member's remaining deductible at the payer, and
// whether the member has one at all. The store's rows are read once per
// transaction: a row is only ever written for a member with a configured
// deductible, so there are few.
func (t *txState) deductible(p *Payer, member string) (ded int64, ok bool) {
	if t.err != nil {
		return 0, false
	}
	if t.deds == nil && !t.loadDeductibles() {
		return 0, false
	}
	if v, ok := t.deds[[2]string{p.ID, member}]; ok {
		return v, true
	}
	if a, ok := p.Deductibles[member]; ok {
		return int64(a), true
	}
	return 0, false
}

func (t *txState) loadDeductibles() bool {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT payer, member, remaining FROM deductibles`)
	if err != nil {
		t.fail(err)
		return false
	}
	defer rows.Close()
	t.deds = map[[2]string]int64{}
	for rows.Next() {
		var payer, member string
		var v int64
		if err := rows.Scan(&payer, &member, &v); err != nil {
			t.fail(err)
			return false
		}
		t.deds[[2]string{payer, member}] = v
	}
	t.fail(rows.Err())
	return t.err == nil
}

func (t *txState) setDeductible(payer, member string, remaining int64) {
	if t.err != nil {
		return
	}
	t.exec(`INSERT INTO deductibles (payer, member, remaining) VALUES (?, ?, ?)
		ON CONFLICT (payer, member) DO UPDATE SET remaining = excluded.remaining`, payer, member, remaining)
	if t.err == nil && t.deds != nil {
		t.deds[[2]string{payer, member}] = remaining
	}
}

// seen reports whether the interchange key was answered before, and
// records it.
func (t *txState) seen(key string) bool {
	if t.err != nil {
		return false
	}
	res := t.exec(`INSERT INTO interchanges (key) VALUES (?) ON CONFLICT DO NOTHING`, key)
	if res == nil {
		return false
	}
	n, err := res.RowsAffected()
	t.fail(err)
	return n == 0
}

// paidClaim is a claim the simulator adjudicated, as remembered for a
// later replacement or void.
type paidClaim struct {
	icn   string
	state string // "paid" or "reversed"
	remit []byte // the 835 claim (encodeRemit)
}

// findClaim returns the claim a replacement or void refers to: by payer
// claim number when given, else the latest one with the same payer and
// patient control number that is not reversed yet.
func (t *txState) findClaim(payer, icn, pcn, not string) *paidClaim {
	if t.err != nil {
		return nil
	}
	if pc, ok := t.claims.find(payer, icn, pcn, not); ok {
		return pc
	}
	var pc paidClaim
	var found bool
	if icn != "" {
		found = t.queryRow(`SELECT icn, state, remit FROM claims WHERE icn = ? AND payer = ? AND icn <> ?`,
			[]any{icn, payer, not}, &pc.icn, &pc.state, &pc.remit)
	} else {
		found = t.queryRow(`SELECT icn, state, remit FROM claims WHERE payer = ? AND pcn = ? AND state = 'paid'
			AND remit IS NOT NULL AND icn <> ? ORDER BY rowid DESC LIMIT 1`, []any{payer, pcn, not}, &pc.icn, &pc.state, &pc.remit)
	}
	if !found {
		return nil
	}
	return &pc
}

// duplicate reports whether a claim with this fingerprint was accepted
// before.
func (t *txState) duplicate(fingerprint string) bool {
	if t.err != nil {
		return false
	}
	if t.claims.byFP[fingerprint] {
		return true
	}
	if found, ok := t.stored[fingerprint]; ok {
		return found
	}
	var n int
	t.queryRow(`SELECT COUNT(*) FROM claims WHERE fingerprint = ?`, []any{fingerprint}, &n)
	return n > 0
}

// knownFingerprints looks up, many at a statement, which fingerprints of
// the sets' claims stored claims have, so that duplicate need not ask the
// store claim by claim. The stored claims do not change before flush.
func (t *txState) knownFingerprints(sets []*set) {
	var fps []any
	for _, s := range sets {
		for _, c := range s.claims {
			fps = append(fps, claimFingerprint(c))
		}
	}
	found := make(map[string]bool, len(fps)) // every one looked up, true when stored
	for _, fp := range fps {
		found[fp.(string)] = false
	}
	for len(fps) > 0 && t.err == nil {
		n := min(len(fps), maxRowsPerInsert)
		st := t.stmt(`SELECT fingerprint FROM claims WHERE fingerprint IN (?` + strings.Repeat(", ?", n-1) + `)`)
		if st == nil {
			return
		}
		rows, err := st.QueryContext(t.ctx, fps[:n]...)
		if err != nil {
			t.fail(err)
			return
		}
		for rows.Next() {
			var fp string
			if err := rows.Scan(&fp); err != nil {
				t.fail(err)
				break
			}
			found[fp] = true
		}
		t.fail(rows.Err())
		t.fail(rows.Close())
		fps = fps[n:]
	}
	if t.err == nil {
		t.stored = found
	}
}

// saveClaim records a claim the 277CA accepted. It is kept in memory
// until flush inserts it (with its remit, once setRemit gave it).
func (t *txState) saveClaim(icn, payer, pcn, fingerprint string) {
	if t.err != nil {
		return
	}
	t.claims.add(&pendingClaim{payer: payer, pcn: pcn, fingerprint: fingerprint,
		paidClaim: paidClaim{icn: icn, state: "paid"}})
}

func (p *pendingClaims) add(c *pendingClaim) {
	if p.byICN == nil {
		p.byICN, p.byFP = map[string]*pendingClaim{}, map[string]bool{}
	}
	if _, ok := p.byICN[c.icn]; ok {
		return // as ON CONFLICT (icn) DO NOTHING: the first one stays
	}
	p.list = append(p.list, c)
	p.byICN[c.icn] = c
	p.byFP[c.fingerprint] = true
}

// find is findClaim among the pending claims: by payer claim number, or
// the latest paid one with a remit of the payer and patient control
// number. It reports false when none matches; the store is asked then
// (pending claims are newer than every stored one, so one found here is
// the one the store's ORDER BY rowid DESC would have given).
func (p *pendingClaims) find(payer, icn, pcn, not string) (*paidClaim, bool) {
	if icn != "" {
		c, ok := p.byICN[icn]
		if !ok || c.payer != payer || c.icn == not {
			return nil, false
		}
		pc := c.paidClaim
		return &pc, true
	}
	for i := len(p.list) - 1; i >= 0; i-- {
		c := p.list[i]
		if c.payer == payer && c.pcn == pcn && c.state == "paid" && c.remit != nil && c.icn != not {
			pc := c.paidClaim
			return &pc, true
		}
	}
	return nil, false
}

// insertClaims writes the pending claims, many rows per statement, and
// forgets them.
func (t *txState) insertClaims() {
	args := make([]any, 0, 6*len(t.claims.list))
	for _, c := range t.claims.list {
		var remit any
		if c.remit != nil {
			remit = c.remit
		}
		args = append(args, c.icn, c.payer, c.pcn, c.fingerprint, c.state, remit)
	}
	t.execRows(`INSERT INTO claims (icn, payer, pcn, fingerprint, state, remit) VALUES `, 6, args, ` ON CONFLICT (icn) DO NOTHING`)
	t.claims = pendingClaims{}
}

// maxRowsPerInsert bounds one multi-row INSERT, keeping its host
// parameters well under SQLite's limit (32766).
const maxRowsPerInsert = 400

// execRows runs head VALUES-rows tail over args, width values a row,
// many rows per statement: one statement per row costs a round through
// the driver and the VDBE each.
func (t *txState) execRows(head string, width int, args []any, tail string) {
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	for len(args) > 0 && t.err == nil {
		n := min(len(args)/width, maxRowsPerInsert)
		t.exec(head+row+strings.Repeat(", "+row, n-1)+tail, args[:n*width]...)
		args = args[n*width:]
	}
}

// setRemit records what the 835 said of a claim, for its reversal and
// for the 835 that pays it (its payable refers to it).
func (t *txState) setRemit(icn string, oc *x835.Claim) {
	if t.err != nil {
		return
	}
	b, err := encodeRemit(oc)
	if err != nil {
		t.fail(err)
		return
	}
	if c, ok := t.claims.byICN[icn]; ok {
		c.remit = b
		return
	}
	t.exec(`UPDATE claims SET remit = ? WHERE icn = ?`, b, icn)
}

func (t *txState) reverseClaim(icn string) {
	if t.err != nil {
		return
	}
	if c, ok := t.claims.byICN[icn]; ok {
		c.state = "reversed"
		return
	}
	t.exec(`UPDATE claims SET state = 'reversed' WHERE icn = ?`, icn)
}

// nameTaken reports whether a response name was ever given in the
// mailbox (delivered, collected or still due).
func (t *txState) nameTaken(mailbox, name string) bool {
	if t.err != nil {
		return false
	}
	var n int
	t.queryRow(`SELECT COUNT(*) FROM outputs WHERE mailbox = ? AND name = ?`, []any{mailbox, name}, &n)
	return n > 0
}

// processedTaken reports whether a processed/ name was given already.
func (t *txState) processedTaken(mailbox, name string) bool {
	if t.err != nil {
		return false
	}
	var n int
	t.queryRow(`SELECT COUNT(*) FROM inbound_files WHERE mailbox = ? AND processed_name = ?`, []any{mailbox, name}, &n)
	return n > 0
}
