package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Several instances of the program may share one PostgreSQL database.
// The jobs themselves are guarded by Store.JobLock: one submit (intake
// and build) and one collect (the listing and download of response
// files) run at a time. The work units those jobs leave are shared:
//
//   - a built batch to upload (LeaseUpload, by batch ID), and
//   - a recorded response file to apply, with the 835 remittance sets
//     it posts (LeaseApply, by inbound file ID).
//
// An instance takes a unit's lease before it works on it, renews it
// every third of its duration while it works, and releases it when done.
// An instance whose job another instance holds (ErrBusy) still uploads
// and applies: it takes the units no one holds (see the daemon). The
// lease of an instance that died is not renewed and expires; another
// instance then takes the unit over (at once when the dead process was
// on its machine: see leases.dead) and resumes it from the state the
// store records, with the same recovery as after a crash (see Upload:
// the server is asked what it holds before anything is sent again).
//
// Two orders still hold across instances. Response files are applied
// kind after kind (eachLeased's ranks), and only once no upload is under
// way (uploadsSettled): a clearinghouse may answer a batch before the
// instance that renamed it on the server records it uploaded.
//
// A unit's lease is never taken twice, even by its own owner: two calls
// in one process (the daemon's job and a click in the web UI) exclude
// each other as two processes do.

// Lease kinds: the work units instances share.
const (
	LeaseUpload = "upload" // a built batch, by Batch.ID
	LeaseApply  = "apply"  // a recorded response file, by InboundFile.ID
)

// DefaultLease is how long a lease lasts unless renewed (Options.Lease):
// how long the work of an instance that died waits before another takes
// it over.
const DefaultLease = 30 * time.Second

// LeaseTx leases work units to instances. Leases are timed by the
// callers' clocks: the instances sharing a store keep their clocks in
// step (NTP) to well within the lease's duration.
type LeaseTx interface {
	// TakeLease leases unit id of kind to owner until now+ttl, when no
	// lease on it is in force: none was taken, or the last one expired
	// before now. A unit another transaction is taking or renewing at
	// the same moment is passed over (PostgreSQL: SELECT ... FOR UPDATE
	// SKIP LOCKED), as if leased. It reports whether it took the lease
	// and the holder: when it took over an expired lease, its owner;
	// when it did not take it, the owner of the lease in force ("" for
	// none, or when another transaction is at the unit).
	TakeLease(ctx context.Context, kind string, id int64, owner string, now time.Time, ttl time.Duration) (taken bool, holder string, err error)
	// RenewLease extends owner's lease on the unit to now+ttl. It
	// returns an error wrapping ErrConflict when owner holds it no more
	// (it was released, or taken over after it expired).
	RenewLease(ctx context.Context, kind string, id int64, owner string, now time.Time, ttl time.Duration) error
	// ReleaseLease ends owner's lease on the unit; it does nothing when
	// owner holds none. An instance also ends the lease of an owner it
	// knows dead (see leases.dead).
	ReleaseLease(ctx context.Context, kind string, id int64, owner string) error
}

// errLeased means another instance holds a unit's lease: the unit is
// left to it.
var errLeased = errors.New("leased by another instance")

// errLeaseLost means the lease of a unit in work could not be renewed:
// the work stopped at its next step, resumable, and the unit is left to
// whoever holds it now.
var errLeaseLost = errors.New("lease lost")

// leases is the pipeline's side of the work-unit leases.
type leases struct {
	owner   string        // this process: "instance/pid/random/machine"
	ttl     time.Duration // a lease's duration
	clock   func() time.Time
	machine string // see machineTag

	mu        sync.Mutex
	takeovers int               // leases of dead owners taken over
	held      map[leaseKey]bool // the leases this process holds now
}

type leaseKey struct {
	kind string
	id   int64
}

// holds reports whether this process holds the lease of a unit.
func (l *leases) holds(kind string, id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held[leaseKey{kind, id}]
}

// mark records that this process holds (or no longer holds) a lease.
func (l *leases) mark(kind string, id int64, taken, takeover bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[leaseKey]bool{}
	}
	if taken {
		l.held[leaseKey{kind, id}] = true
	} else {
		delete(l.held, leaseKey{kind, id})
	}
	if takeover {
		l.takeovers++
	}
}

// newLeases names this process as a lease owner,
// "instance/pid/random/machine": the instance name (default: the host
// name), the process ID, a random part, so that no two processes, not
// even one restarted with the same PID, share a name, and the machine
// (see machineTag).
func newLeases(instance string, ttl time.Duration) (*leases, error) {
	host, _ := os.Hostname()
	if strings.TrimSpace(instance) == "" {
		instance = host
		if instance == "" {
			instance = "claims"
		}
	}
	if ttl < 0 {
		return nil, fmt.Errorf("pipeline: lease duration %s is negative", ttl)
	}
	if ttl == 0 {
		ttl = DefaultLease
	}
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, fmt.Errorf("pipeline: lease owner: %w", err)
	}
	l := &leases{ttl: ttl, clock: time.Now, machine: machineTag(host)}
	l.owner = fmt.Sprintf("%s/%d/%s/%s", strings.ReplaceAll(instance, "/", "_"), os.Getpid(), hex.EncodeToString(r[:]), l.machine)
	return l, nil
}

// machineTag names the process table this process is in: the host name
// and the PID namespace (Linux), or "" when they cannot be told, so that
// a lease owner's process ID can be looked up only where it means the
// same process.
func machineTag(host string) string {
	ns, err := os.Readlink("/proc/self/ns/pid") // "pid:[4026531836]"
	if err != nil || host == "" {
		return ""
	}
	return strings.NewReplacer("/", "_", ":", "", "[", "", "]", "").Replace(host + "-" + ns)
}

// dead reports whether the owner of a lease is a process of this
// machine (see machineTag) that no longer runs: its lease may be taken
// over at once, rather than once it expires (a crashed instance
// restarted, or another instance on the same machine). An owner of
// another machine, or one this process cannot tell, is alive until its
// lease expires.
func (l *leases) dead(owner string) bool {
	f := strings.Split(owner, "/")
	if l.machine == "" || len(f) < 4 || f[len(f)-1] != l.machine {
		return false
	}
	pid, err := strconv.Atoi(f[len(f)-3])
	if err != nil || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// LeaseOwner is the name this pipeline's leases are taken under.
func (p *Pipeline) LeaseOwner() string { return p.leases.owner }

// Takeovers counts the leases of instances that died (expired, or of a
// process of this machine that no longer runs) this pipeline took over,
// their work resumed here, since it was made.
func (p *Pipeline) Takeovers() int {
	p.leases.mu.Lock()
	defer p.leases.mu.Unlock()
	return p.leases.takeovers
}

// withLease runs work on unit id of kind under its lease. It returns
// errLeased without running work when another holder has the unit, and
// errLeaseLost when the lease could not be renewed while work ran: work's
// context was then canceled, so that it stopped at its next step. The
// lease is released when work returns.
func (p *Pipeline) withLease(ctx context.Context, kind string, id int64, work func(ctx context.Context) error) (err error) {
	l := p.leases
	var taken bool
	var from string
	err = p.store.InTx(ctx, func(tx Tx) error {
		var err error
		taken, from, err = tx.TakeLease(ctx, kind, id, l.owner, l.clock(), l.ttl)
		if err != nil || taken || from == "" || !l.dead(from) {
			return err
		}
		// Its holder died on this machine: no need to wait for the
		// lease to expire.
		if err := tx.ReleaseLease(ctx, kind, id, from); err != nil {
			return err
		}
		var again string
		taken, again, err = tx.TakeLease(ctx, kind, id, l.owner, l.clock(), l.ttl)
		if again != "" {
			from = again
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("take the %s lease of %d: %w", kind, id, err)
	}
	if !taken {
		return errLeased
	}
	l.mark(kind, id, true, from != "")
	defer l.mark(kind, id, false, false)
	// Released when work returns, fails, panics (a panic the daemon
	// recovers) or ctx ends: the unit is free at once for the next run
	// rather than when the lease expires. A lease lost meanwhile is
	// another owner's: the release, by owner, leaves it.
	defer func() {
		rctx, done := context.WithTimeout(context.WithoutCancel(ctx), l.ttl)
		defer done()
		if rerr := p.store.InTx(rctx, func(tx Tx) error { return tx.ReleaseLease(rctx, kind, id, l.owner) }); rerr != nil {
			err = errors.Join(err, fmt.Errorf("release the %s lease of %d: %w", kind, id, rerr))
		}
	}()
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { p.renewLease(wctx, cancel, stop, kind, id) })
	defer func() {
		close(stop)
		wg.Wait()
	}()
	err = work(wctx)
	if errors.Is(context.Cause(wctx), errLeaseLost) && ctx.Err() == nil {
		return fmt.Errorf("%s %d: %w", kind, id, errLeaseLost)
	}
	return err
}

// renewLease renews a lease every third of its duration until stop is
// closed. A renewal that fails for a while (the database busy: on SQLite
// the work's own transaction holds the write lock) is tried again at the
// next tick; once the lease is about to expire unrenewed, or at once when
// another owner holds it, it cancels the work with errLeaseLost rather
// than go on without it.
func (p *Pipeline) renewLease(ctx context.Context, cancel context.CancelCauseFunc, stop <-chan struct{}, kind string, id int64) {
	l := p.leases
	margin := l.ttl / 10
	until := time.Now().Add(l.ttl) // the lease's end as last renewed, by this process's clock
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rctx, done := context.WithDeadline(ctx, until.Add(-margin))
		start := time.Now()
		err := p.store.InTx(rctx, func(tx Tx) error { return tx.RenewLease(rctx, kind, id, l.owner, l.clock(), l.ttl) })
		done()
		switch {
		case err == nil:
			until = start.Add(l.ttl)
		case errors.Is(err, ErrConflict) || !time.Now().Before(until.Add(-margin)):
			cancel(fmt.Errorf("%w: %v", errLeaseLost, err))
			return
		}
	}
}

// leaseUnit is a work unit for eachLeased: its ID, and its rank among
// the units of one run (the units of a higher rank wait for those of a
// lower one).
type leaseUnit struct {
	id   int64
	rank int
}

// eachLeased runs step on the units in order, each under its lease (see
// withLease), and passes over the units another holder has. Before the
// first unit of a higher rank it waits until every unit of a lower rank
// it passed over is done: it takes their leases again, every tenth of a
// lease's duration, and runs step on each once it has it (step finds the
// unit done, or finishes the work of a holder that died). So units of one
// rank are shared, and ranks follow each other as in one process: the
// acknowledgments of a night are applied before its remittances. The
// units of the last rank it passed over are left to their holders; it
// returns how many.
//
// step must read the unit's state again under the lease: another holder
// may have done it since the list was read. It stops at the first error
// of step or of the store, or when ctx ends.
func (p *Pipeline) eachLeased(ctx context.Context, kind string, units []leaseUnit, step func(ctx context.Context, i int) error) (int, error) {
	var passed []int // indexes of units another holder had
	run := func(i int) (bool, error) {
		err := p.withLease(ctx, kind, units[i].id, func(ctx context.Context) error { return step(ctx, i) })
		if errors.Is(err, errLeased) || errors.Is(err, errLeaseLost) {
			return false, nil
		}
		return true, err
	}
	for i, u := range units {
		if ctx.Err() != nil {
			return len(passed), ctx.Err()
		}
		if len(passed) > 0 && u.rank > units[passed[0]].rank {
			if err := p.awaitLeased(ctx, passed, run); err != nil {
				return len(passed), err
			}
			passed = passed[:0]
		}
		ran, err := run(i)
		if err != nil {
			return len(passed), err
		}
		if !ran {
			passed = append(passed, i)
		}
	}
	return len(passed), nil
}

// awaitLeased runs the units passed over (indexes into the run's units)
// as their leases come free.
func (p *Pipeline) awaitLeased(ctx context.Context, passed []int, run func(int) (bool, error)) error {
	for len(passed) > 0 {
		if err := sleepContext(ctx, p.leases.ttl/10); err != nil {
			return err
		}
		left := passed[:0]
		for _, i := range passed {
			ran, err := run(i)
			if err != nil {
				return err
			}
			if !ran {
				left = append(left, i)
			}
		}
		passed = left
	}
	return nil
}

// uploadsSettled finishes the uploads under way (batches uploading or
// staged) that no one holds, and reports whether none is left, before
// response files are applied. The clearinghouse may have answered a batch
// that an instance renamed on its server and did not record uploaded yet
// (it died, or is about to record it): the batch's responses must find
// its claims submitted, not batched. A batch whose holder died is taken
// over once its lease expires (see Upload for what it does then). While
// a batch is held (by another instance, or by a job of this process), its
// responses may be among the files to apply: none is applied in this run.
//
// Call it after listing the files to apply: a response to a batch exists
// only once its file was renamed on the server, after the batch was
// recorded staged, so the batches of every file listed are staged or
// uploaded by then.
func (p *Pipeline) uploadsSettled(ctx context.Context) (bool, error) {
	var batches []*Batch
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		batches, err = tx.BatchesInState(ctx, BatchUploading, BatchStaged)
		return err
	})
	if err != nil || len(batches) == 0 {
		return err == nil, err
	}
	var units []leaseUnit
	var parts []*Partner
	for _, b := range batches {
		if p.leases.holds(LeaseUpload, b.ID) {
			return false, nil // a job of this process uploads it
		}
		if pt := p.byName[b.Clearinghouse]; pt != nil && pt.Transport != nil {
			units, parts = append(units, leaseUnit{id: b.ID}), append(parts, pt)
		}
	}
	var rep UploadReport
	var errs []error // failed attempts, recorded with the batch
	held, err := p.eachLeased(ctx, LeaseUpload, units, func(ctx context.Context, i int) error {
		return p.uploadOne(ctx, parts[i], units[i].id, &rep, &errs)
	})
	return held == 0, err
}

// pendingFile reads a response file again under its lease: nil when it
// is applied (or failed, or quarantined) by now, as another instance may
// have done since this run listed it.
func (p *Pipeline) pendingFile(ctx context.Context, id int64) (*InboundFile, error) {
	var f *InboundFile
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		f, err = tx.GetInbound(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apply responses: file %d: %w", id, err)
	}
	if f.State != InboundReceived {
		return nil, nil
	}
	return f, nil
}
