package clearinghousesim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/x12"
)

// Responder answers the 837 files that land in its inbound folder, as a
// clearinghouse and its payers would. What a clearinghouse remembers
// between files (control numbers, interchanges answered, deductibles,
// claims paid, the files it answered and the responses still due) is kept
// in a Store: on disk when Config.StateDir or a shared Config.Store says
// so, else in memory for the life of the Responder.
//
// A Responder is safe for concurrent use; Respond calls are serialised.
type Responder struct {
	cfg      Config
	log      *zap.Logger
	store    *Store
	ownStore bool
	mailbox  string

	// failpoint, when set, is called at each step of handling a file
	// (see the crash tests); it may end the process.
	failpoint func(point string)

	mu sync.Mutex
}

// NewResponder validates cfg, creates the folders under cfg.Root (mode
// 0700) and opens its state (cfg.Store, or a store in cfg.StateDir, or
// one in memory). It returns an error naming every invalid field, or the
// folder or database that could not be created. Call Close to release a
// store the Responder opened itself.
func NewResponder(cfg Config) (*Responder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, d := range []string{InboundDir, OutboundDir, ProcessedDir} {
		if err := os.MkdirAll(filepath.Join(cfg.Root, d), 0o700); err != nil {
			return nil, fmt.Errorf("clearinghousesim: create %s folder: %w", d, err)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	// Copy the payers so that later changes to the caller's slices and
	// maps do not reach the simulator.
	cfg.Payers = slices.Clone(cfg.Payers)
	cfg.NotEnrolled = slices.Clone(cfg.NotEnrolled)
	cfg.ReceiverIDs = slices.Clone(cfg.ReceiverIDs)
	r := &Responder{cfg: cfg, log: log.Named("clearinghouse"), store: cfg.Store, mailbox: cfg.Mailbox}
	if r.mailbox == "" {
		r.mailbox = User
	}
	if r.store == nil {
		st, err := OpenStore(context.Background(), cfg.StateDir)
		if err != nil {
			return nil, err
		}
		r.store, r.ownStore = st, true
	}
	if err := r.cleanTemp(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Root returns the simulator's root folder.
func (r *Responder) Root() string { return r.cfg.Root }

// Store returns the Responder's state.
func (r *Responder) Store() *Store { return r.store }

// Close closes the state store when the Responder opened it. It is safe
// to call more than once.
func (r *Responder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ownStore && r.store != nil {
		err := r.store.Close()
		r.store = nil
		return err
	}
	return nil
}

func (r *Responder) fail(point string) {
	if r.failpoint != nil {
		r.failpoint(point)
	}
}

// Respond answers every 837 file waiting in inbound/: each regular file
// whose name neither starts with "." nor ends in ".part", in name order.
// For each it records its answers in the store, then moves the 837 into
// inbound/processed/; then it writes into outbound/ every answer that is
// due by the clock (TA1, 999 or 997, 277CA, one 835 per payer; see the
// package documentation), each atomically with mode 0600. With no delays
// configured, a file's answers are all due at once.
//
// A file that cannot be handled (unreadable, or the store fails) is left
// in inbound/ with the store unchanged; its error is returned, joined
// with the others, after the remaining files are done. Content that is
// not valid X12 is not an error: it is answered with a TA1. Respond first
// finishes whatever a previous run (perhaps killed) recorded and did not
// complete. It stops early, returning ctx.Err(), when ctx is done.
func (r *Responder) Respond(ctx context.Context) (Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var rep Report
	if r.store == nil {
		return rep, errors.New("clearinghousesim: responder is closed")
	}
	if err := r.finishRecorded(ctx); err != nil {
		return rep, err
	}
	names, err := r.waiting()
	if err != nil {
		return rep, err
	}
	var errs []error
	actx, stop := context.WithCancel(ctx)
	defer stop()
	for f := range r.readAhead(actx, names) {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		frep, err := r.handle(ctx, f)
		if err != nil {
			r.log.Warn("837 file not handled", zap.String("file", f.name), zap.Error(err))
			errs = append(errs, fmt.Errorf("clearinghousesim: %s: %w", f.name, err))
			continue
		}
		r.log.Info("837 file answered", zap.String("file", f.name),
			zap.Int("claims_accepted", frep.ClaimsAccepted), zap.Int("claims_rejected", frep.ClaimsRejected),
			zap.Int("interchanges_rejected", frep.InterchangesRejected), zap.Int("sets_rejected", frep.SetsRejected),
			zap.Strings("responses", frep.Outputs))
		if r.cfg.NoClaimResults {
			frep.Claims = nil
		}
		rep.merge(&frep)
	}
	issued, err := r.issuePayments(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	rep.merge(&issued)
	delivered, err := r.deliver(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	if len(names) > 0 || delivered > 0 {
		r.log.Info("respond run done", zap.Int("files", rep.Files), zap.Int("delivered", delivered),
			zap.Int("claims_accepted", rep.ClaimsAccepted), zap.Int("claims_rejected", rep.ClaimsRejected),
			zap.Int("lines_denied", rep.LinesDenied), zap.String("paid", rep.Paid.String()))
	}
	return rep, errors.Join(errs...)
}

// waiting lists the 837 files waiting in inbound/, in name order.
func (r *Responder) waiting() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(r.cfg.Root, InboundDir))
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: list inbound folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".part") {
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

// inboundFile is an 837 file of inbound/ read, parsed and, when the
// configuration asks, checked by the validator: the work on a file that
// needs no store, done by readAhead while the file before it is recorded.
type inboundFile struct {
	name    string
	data    []byte
	sha     string
	in      *inbound
	readErr error // the file could not be read
	err     error // it could not be parsed or checked: an error only if its answers are not recorded yet
}

// readAhead reads the files names, in order, one ahead of the caller:
// the simulator's time goes to validating and parsing each 837 and to
// recording its answers, and the first can use the second processor
// while the file before is recorded. At most two files are in memory.
// It stops when ctx is done.
func (r *Responder) readAhead(ctx context.Context, names []string) <-chan inboundFile {
	out := make(chan inboundFile)
	go func() {
		defer close(out)
		for _, name := range names {
			select {
			case out <- r.readInboundFile(name):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (r *Responder) readInboundFile(name string) inboundFile {
	f := inboundFile{name: name}
	if f.data, f.readErr = os.ReadFile(filepath.Join(r.cfg.Root, InboundDir, name)); f.readErr != nil {
		f.readErr = fmt.Errorf("read: %w", f.readErr)
		return f
	}
	sum := sha256.Sum256(f.data)
	f.sha = hex.EncodeToString(sum[:])
	if f.in, f.err = readInbound(bytes.NewReader(f.data)); f.err != nil {
		f.err = fmt.Errorf("read: %w", f.err)
		return f
	}
	if r.cfg.validate999() {
		if err := addValidatorErrors(f.in, f.data); err != nil {
			f.err = fmt.Errorf("read: %w", err)
		}
	}
	return f
}

// handle answers one 837 file and returns its report: it decides and
// records the answers in one transaction (or finds them recorded by an
// earlier, interrupted run), then moves the 837 to processed/.
func (r *Responder) handle(ctx context.Context, f inboundFile) (Report, error) {
	if f.readErr != nil {
		return Report{}, f.readErr
	}
	name, sha := f.name, f.sha
	tx, err := r.store.db.BeginTx(ctx, nil)
	if err != nil {
		return Report{}, fmt.Errorf("state: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op

	var fileID int64
	var pname string
	err = tx.QueryRowContext(ctx, `SELECT id, processed_name FROM inbound_files
		WHERE mailbox = ? AND name = ? AND sha256 = ? AND state = 'recorded'`, r.mailbox, name, sha).Scan(&fileID, &pname)
	rep := Report{Files: 1} // recorded by a run that did not finish: only the move is left
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if f.err != nil {
			return Report{}, f.err
		}
		if rep, fileID, pname, err = r.record(ctx, tx, name, sha, f.in); err != nil {
			return Report{}, err
		}
	case err != nil:
		return Report{}, fmt.Errorf("state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("state: commit: %w", err)
	}
	r.fail("recorded")
	if err := r.moveProcessed(ctx, fileID, name, sha, pname); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// record decides the answers to one 837 and records them in tx: the file
// (with the name it gets in processed/), its acknowledgments with their
// due times and faults, and its adjudicated claims as payables. It
// returns the decision's report, the file's ID and its processed/ name.
func (r *Responder) record(ctx context.Context, tx *sql.Tx, name, sha string, in *inbound) (Report, int64, string, error) {
	now := r.cfg.now()
	st := &txState{ctx: ctx, tx: tx, cfg: &r.cfg}
	d := decide(&r.cfg, st, in, now, name)
	files, err := render(&r.cfg, d, func(kind string) time.Time { return now.Add(r.cfg.Timing.delay(kind)) })
	if err != nil {
		return Report{}, 0, "", err
	}
	pname := r.freeName(st, filepath.Join(r.cfg.Root, ProcessedDir), name, func(n string) bool { return st.processedTaken(r.mailbox, n) })
	if st.err != nil {
		return Report{}, 0, "", fmt.Errorf("state: %w", st.err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO inbound_files (mailbox, name, sha256, processed_name, state, received)
		VALUES (?, ?, ?, ?, 'recorded', ?)`, r.mailbox, name, sha, pname, now.UTC().Format(time.RFC3339))
	if err != nil {
		return Report{}, 0, "", fmt.Errorf("state: %w", err)
	}
	fileID, err := res.LastInsertId()
	if err != nil {
		return Report{}, 0, "", fmt.Errorf("state: %w", err)
	}
	stem := stemOf(name)
	names, err := r.recordOutputs(st, fileID, r.plan(files, r.faults(), now), func(f planned) string { return stem + "." + f.kind })
	if err != nil {
		return Report{}, 0, "", err
	}
	d.report.Outputs = names
	if err := r.recordPayables(st, fileID, d.payables, now.Add(r.cfg.Timing.Remit)); err != nil {
		return Report{}, 0, "", err
	}
	if st.flush(); st.err != nil {
		return Report{}, 0, "", fmt.Errorf("state: %w", st.err)
	}
	return d.report, fileID, pname, nil
}

// recordOutputs records planned responses of a file (fileID, 0 for the
// 835s) under free names built from want, and returns the names of those
// that will be delivered.
func (r *Responder) recordOutputs(st *txState, fileID int64, outs []planned, want func(planned) string) ([]string, error) {
	outDir := filepath.Join(r.cfg.Root, OutboundDir)
	var names []string
	for _, f := range outs {
		final := r.freeName(st, outDir, want(f), func(n string) bool { return st.nameTaken(r.mailbox, n) })
		state := outPending
		if f.withheld {
			state = outWithheld
		}
		if _, err := st.tx.ExecContext(st.ctx, `INSERT INTO outputs (file_id, mailbox, name, kind, data, due, chunked, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, fileID, r.mailbox, final, f.kind, f.data, f.due.UnixNano(), f.chunked, state); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
		if !f.withheld {
			names = append(names, final)
		}
	}
	if st.err != nil {
		return nil, fmt.Errorf("state: %w", st.err)
	}
	return names, nil
}

// recordPayables records a file's adjudicated claims, to be paid at due:
// one row per run of consecutive claims of the same payer, billing
// provider and trading partner, holding their 835 claims (a remit batch,
// see encodeRemits). A row per claim cost a row and an index entry each;
// an 835 never splits a run, as it pays a payer's claims of one partner,
// a payment per provider. The billing providers repeat from row to row:
// each is encoded once.
func (r *Responder) recordPayables(st *txState, fileID int64, ps []payable, due time.Time) error {
	payees := map[Party][]byte{}
	payDate, dueNS := x12.DateOf(due).X12(), due.UnixNano()
	var args []any // the rows, inserted many a statement in claim order
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && sameRun(&ps[i], &ps[j]) {
			j++
		}
		pa := &ps[i]
		payee, ok := payees[pa.payee]
		if !ok {
			var err error
			if payee, err = json.Marshal(pa.payee); err != nil {
				return fmt.Errorf("state: %w", err)
			}
			payees[pa.payee] = payee
		}
		claims, err := encodeRemits(ps[i:j])
		if err != nil {
			return fmt.Errorf("state: %w", err)
		}
		args = append(args, r.mailbox, fileID, pa.payer, payee, claims, payDate, dueNS,
			pa.to.SenderQualifier, pa.to.SenderID, pa.to.Usage, pa.toApp, j-i)
		i = j
	}
	st.execRows(`INSERT INTO payables (mailbox, file_id, payer, payee, claim, pay_date, due, recv_qual, recv_id, usage, app, claims)
		VALUES `, 12, args, "")
	if st.err != nil {
		return fmt.Errorf("state: %w", st.err)
	}
	return nil
}

// sameRun reports whether two payables can share a payables row: the
// same payer, billing provider and trading partner.
func sameRun(a, b *payable) bool {
	return a.payer == b.payer && a.payee == b.payee && a.toApp == b.toApp &&
		a.to.SenderQualifier == b.to.SenderQualifier && a.to.SenderID == b.to.SenderID && a.to.Usage == b.to.Usage
}

// freeName returns want, or want with "-2", "-3", ... before its
// extension, the first that neither exists in dir nor was given before.
func (r *Responder) freeName(st *txState, dir, want string, taken func(string) bool) string {
	ext := filepath.Ext(want)
	base := strings.TrimSuffix(want, ext)
	for n := 1; ; n++ {
		name := want
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			continue
		}
		if st.err != nil || !taken(name) {
			return name
		}
	}
}

// moveProcessed moves the 837 into processed/ under the name recorded
// for it, unless that was done already, and marks it moved.
func (r *Responder) moveProcessed(ctx context.Context, id int64, name, sha, pname string) error {
	src := filepath.Join(r.cfg.Root, InboundDir, name)
	procDir := filepath.Join(r.cfg.Root, ProcessedDir)
	dst := filepath.Join(procDir, pname)
	if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) && sameContent(src, sha) {
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("move to processed: %w", err)
		}
		_ = syncDir(procDir)
		_ = syncDir(filepath.Dir(src))
	}
	r.fail("moved")
	if _, err := r.store.db.ExecContext(ctx, `UPDATE inbound_files SET state = 'moved' WHERE id = ?`, id); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// sameContent reports whether the file at path exists and has the given
// SHA-256.
func sameContent(path, sha string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) == sha
}

// finishRecorded completes the files a previous run recorded but did not
// move to processed/ (it was killed in between): each is moved, or
// marked moved when it is gone already.
func (r *Responder) finishRecorded(ctx context.Context) error {
	rows, err := r.store.db.QueryContext(ctx, `SELECT id, name, sha256, processed_name FROM inbound_files
		WHERE mailbox = ? AND state = 'recorded' ORDER BY id`, r.mailbox)
	if err != nil {
		return fmt.Errorf("clearinghousesim: state: %w", err)
	}
	type rec struct {
		id             int64
		name, sha, dst string
	}
	var recs []rec
	for rows.Next() {
		var x rec
		if err := rows.Scan(&x.id, &x.name, &x.sha, &x.dst); err != nil {
			rows.Close()
			return fmt.Errorf("clearinghousesim: state: %w", err)
		}
		recs = append(recs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clearinghousesim: state: %w", err)
	}
	for _, x := range recs {
		if err := r.moveProcessed(ctx, x.id, x.name, x.sha, x.dst); err != nil {
			return fmt.Errorf("clearinghousesim: %s: %w", x.name, err)
		}
	}
	return nil
}

// Pending returns how many recorded responses of this Responder's
// mailbox are not delivered yet (withheld ones excluded) plus how many
// adjudicated claims wait for their 835, and when the next of either is
// due (zero when none is).
func (r *Responder) Pending(ctx context.Context) (int, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store == nil {
		return 0, time.Time{}, errors.New("clearinghousesim: responder is closed")
	}
	var n, m int
	var due, due2 sql.NullInt64
	err := r.store.db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(due) FROM outputs WHERE mailbox = ? AND state < ?`,
		r.mailbox, outDelivered).Scan(&n, &due)
	if err == nil {
		err = r.store.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(claims), 0), MIN(due) FROM payables WHERE mailbox = ? AND output_id IS NULL`,
			r.mailbox).Scan(&m, &due2)
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	var next time.Time
	for _, d := range []sql.NullInt64{due, due2} {
		if d.Valid && (next.IsZero() || time.Unix(0, d.Int64).Before(next)) {
			next = time.Unix(0, d.Int64)
		}
	}
	return n + m, next, nil
}

// deliver writes every response that is due, oldest first, and returns
// how many it delivered. It lists them first and reads each one's
// content as it writes it: memory holds one response, not all.
func (r *Responder) deliver(ctx context.Context) (int, error) {
	now := r.cfg.now()
	rows, err := r.store.db.QueryContext(ctx, `SELECT id, name, due, chunked, state FROM outputs
		WHERE mailbox = ? AND state < ? AND due <= ? ORDER BY due, id`, r.mailbox, outDelivered, now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	type out struct {
		id      int64
		name    string
		due     int64
		chunked bool
		state   int
	}
	var outs []out
	for rows.Next() {
		var o out
		if err := rows.Scan(&o.id, &o.name, &o.due, &o.chunked, &o.state); err != nil {
			rows.Close()
			return 0, fmt.Errorf("clearinghousesim: state: %w", err)
		}
		outs = append(outs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	outDir := filepath.Join(r.cfg.Root, OutboundDir)
	n := 0
	for _, o := range outs {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var data []byte
		if err := r.store.db.QueryRowContext(ctx, `SELECT data FROM outputs WHERE id = ?`, o.id).Scan(&data); err != nil {
			return n, fmt.Errorf("clearinghousesim: state: %w", err)
		}
		if err := r.deliverOne(ctx, outDir, o.id, o.name, data, time.Unix(0, o.due), o.chunked, o.state); err != nil {
			return n, fmt.Errorf("clearinghousesim: deliver %s: %w", o.name, err)
		}
		n++
	}
	return n, nil
}

// deliverOne writes one response. A pending one is written to a hidden
// temporary name, synced and marked staged; a staged one is renamed to
// its final name (unless its temporary file is gone, which means the
// rename happened before a kill) and marked delivered. Each step can be
// repeated after a kill without writing the file twice.
func (r *Responder) deliverOne(ctx context.Context, dir string, id int64, name string, data []byte, due time.Time, chunked bool, state int) error {
	tmp := filepath.Join(dir, tempName(name))
	if chunked {
		// The "slow write" fault: the file grows under its final name.
		if err := r.writeSlowly(ctx, filepath.Join(dir, name), data); err != nil {
			return err
		}
		return r.markDelivered(ctx, id)
	}
	if state == outPending {
		mtime, err := r.nextMtime(ctx, due)
		if err != nil {
			return err
		}
		if err := writeTemp(tmp, data, mtime); err != nil {
			return err
		}
		r.fail("written")
		if _, err := r.store.db.ExecContext(ctx, `UPDATE outputs SET state = ? WHERE id = ?`, outStaged, id); err != nil {
			return fmt.Errorf("state: %w", err)
		}
		r.fail("staged")
	}
	if _, err := os.Lstat(tmp); err == nil {
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("rename: %w", err)
		}
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("sync folder: %w", err)
		}
	}
	r.fail("renamed")
	return r.markDelivered(ctx, id)
}

func (r *Responder) markDelivered(ctx context.Context, id int64) error {
	if _, err := r.store.db.ExecContext(ctx, `UPDATE outputs SET state = ?, data = NULL WHERE id = ?`, outDelivered, id); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// nextMtime returns the modification time of the next response: its due
// time, but at least a second after the previous response's, so that
// listing oldest first gives the order written. The last one is kept in
// the store.
func (r *Responder) nextMtime(ctx context.Context, due time.Time) (time.Time, error) {
	mtime := due.Truncate(time.Second)
	var last int64
	err := r.store.db.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = ?`, "mtime:"+r.mailbox).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("state: %w", err)
	}
	if err == nil && !mtime.After(time.Unix(last, 0)) {
		mtime = time.Unix(last, 0).Add(time.Second)
	}
	_, err = r.store.db.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, "mtime:"+r.mailbox, mtime.Unix())
	if err != nil {
		return time.Time{}, fmt.Errorf("state: %w", err)
	}
	return mtime, nil
}

// tempName is the hidden temporary name of a response being written.
func tempName(name string) string { return "." + name + ".tmp" }

// cleanTemp removes the hidden temporary files a killed run left in
// outbound/, except those of responses recorded as staged (their rename
// is still to come).
func (r *Responder) cleanTemp() error {
	dir := filepath.Join(r.cfg.Root, OutboundDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("clearinghousesim: list outbound folder: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".tmp") || !e.Type().IsRegular() {
			continue
		}
		final := strings.TrimSuffix(strings.TrimPrefix(n, "."), ".tmp")
		var staged int
		err := r.store.db.QueryRow(`SELECT COUNT(*) FROM outputs WHERE mailbox = ? AND name = ? AND state = ?`,
			r.mailbox, final, outStaged).Scan(&staged)
		if err != nil {
			return fmt.Errorf("clearinghousesim: state: %w", err)
		}
		if staged == 0 {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return fmt.Errorf("clearinghousesim: remove stale %s: %w", n, err)
			}
		}
	}
	return nil
}

// stemOf returns the base name without its last extension ("b1.x12" →
// "b1"), or the whole name when that would leave nothing.
func stemOf(name string) string {
	ext := filepath.Ext(name)
	if ext == "" || ext == name {
		return name
	}
	return strings.TrimSuffix(name, ext)
}

// writeTemp writes data to path (truncating it): write, set mode 0600,
// fsync, close, set the modification time. The file is removed on
// failure.
func writeTemp(path string, data []byte, mtime time.Time) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(path)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write: sync: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write: close: %w", err)
	}
	if err = os.Chtimes(path, mtime, mtime); err != nil {
		return fmt.Errorf("write: set time: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
