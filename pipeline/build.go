package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12/x837"
)

// BuildReport counts what Build did.
type BuildReport struct {
	Files  int `json:"files"`  // 837 files built
	Claims int `json:"claims"` // claims placed in them
	Held   int `json:"held"`   // claims the builder refused (held with the reason)
}

// Build places every ready claim in an 837 file: one file per
// clearinghouse and kind (and payer, where the clearinghouse wants that),
// each with one interchange, and more when a file reaches
// Options.MaxClaimsPerFile. It reads the ready claims Options.BatchSize at
// a time and writes each to its file as it goes (temporary name), so that
// memory depends on those two and not on how many claims are ready (the
// next page is read while one is written: see readReady).
//
// For each file it takes ISA13, GS06 and the ST02s from persistent
// sequences (committed first, so a number is never used twice), writes
// the file to the outbox (temporary name, fsync, rename), and then, in one
// transaction, records the batch, a submission per claim (CLM01 with its
// version suffix, ST02 and segment range) and moves the claims to
// batched. A crash before that commit leaves an unreferenced file (or a
// temporary one) and unused numbers; the claims stay ready.
func (p *Pipeline) Build(ctx context.Context) (BuildReport, error) {
	r := p.newBuildRun()
	defer r.abort()
	if err := r.placeReady(ctx); err != nil {
		return r.rep, err
	}
	if err := r.finish(ctx); err != nil {
		return r.rep, err
	}
	return r.rep, errors.Join(r.errs...)
}

// IntakeAndBuild takes in the encounters of src and builds every ready
// claim into 837 files: what Intake and then Build do, in one pass. The
// claims ready before go to their files first, read from the store as
// Build reads them. Then the new claims a batch of intake makes ready go
// to the same files as soon as the batch commits, while the next batch
// is taken in, instead of being read back from the store once intake is
// done. At the end the files are recorded as Build records them, and the
// claims made ready otherwise (corrected by a changed encounter, taken in
// one by one) go to files of their own, read from the store.
//
// When intake fails, the files not yet recorded are discarded and their
// claims stay ready for the next build; the error is returned with what
// intake did, as Intake returns it.
func (p *Pipeline) IntakeAndBuild(ctx context.Context, src EncounterSource) (IntakeReport, BuildReport, error) {
	r := p.newBuildRun()
	defer r.abort()
	if err := r.begin(ctx); err != nil {
		return IntakeReport{}, r.rep, err
	}
	send, wait := r.feed(ctx)
	in, err := p.intake(ctx, src, send)
	if werr := wait(); err == nil && werr != nil {
		err = fmt.Errorf("build: %w", werr)
	}
	if err != nil {
		return in, r.rep, err
	}
	err = r.complete(ctx)
	return in, r.rep, err
}

// IntakeFilesAndBuild takes in every file of feed, a file at a time, and
// builds every ready claim, in one pass as IntakeAndBuild does: what
// Submit does before it uploads. A file that cannot be opened or read to
// its end is reported and the others go on; what was read of it is kept,
// and built. It fills rep's Files, Intake and Build.
func (p *Pipeline) IntakeFilesAndBuild(ctx context.Context, feed EncounterFeed, rep *SubmitReport) error {
	r := p.newBuildRun()
	defer r.abort()
	if err := r.begin(ctx); err != nil {
		return err
	}
	send, wait := r.feed(ctx)
	ierr := p.intakeFeed(ctx, feed, rep, send)
	werr := wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("build: %w", werr)
	}
	err := r.complete(ctx)
	rep.Build = r.rep
	return errors.Join(ierr, err)
}

// buildRun is the 837 files one build has open, and what it did: the
// claims it placed, the groups whose file failed (their claims stay
// ready) and the errors.
type buildRun struct {
	p      *Pipeline
	open   map[string]*fileBuild // by group key
	order  []string              // keys of open, oldest first
	failed map[string]bool       // groups whose file failed
	errs   []error
	rep    BuildReport
	// requeue is set while intake feeds the run (from begin to
	// complete): a file discarded because one of its claims changed
	// meanwhile (an encounter sent again with changes in a later batch)
	// fails nothing, and its claims, still ready, are placed again at
	// the end.
	requeue bool
}

func (p *Pipeline) newBuildRun() *buildRun {
	return &buildRun{p: p, open: map[string]*fileBuild{}, failed: map[string]bool{}}
}

func (r *buildRun) fail(key string, g *fileGroup, err error) {
	r.errs = append(r.errs, fmt.Errorf("build %s %s file: %w", g.partner.Name, g.kind, err))
	r.failed[key] = true
}

// close forgets the open file of key.
func (r *buildRun) close(key string) *fileBuild {
	fb := r.open[key]
	delete(r.open, key)
	r.order = slices.DeleteFunc(r.order, func(k string) bool { return k == key })
	return fb
}

// commit records the open file of key (see commitFile).
func (r *buildRun) commit(ctx context.Context, key string) {
	fb := r.close(key)
	err := r.p.commitFile(ctx, fb, &r.rep)
	if err != nil && !(r.requeue && errors.Is(err, ErrConflict)) {
		r.fail(key, fb.group, err)
	}
}

// place writes claims to the files of their groups, opening a file where
// a group has none and recording each file that is full. A file that
// fails is reported at the end (see Build); place fails only when ctx
// ends.
func (r *buildRun) place(ctx context.Context, claims []*Claim) error {
	for _, g := range r.p.groups(claims) {
		if r.failed[g.key] {
			continue
		}
		for _, c := range g.claims {
			fb := r.open[g.key]
			if fb == nil {
				var err error
				if fb, err = r.p.startFile(ctx, g); err != nil {
					r.fail(g.key, g, err)
					break
				}
				r.open[g.key] = fb
				r.order = append(r.order, g.key)
			}
			if err := r.p.addToFile(ctx, fb, c); err != nil {
				r.close(g.key).af.Abort()
				r.fail(g.key, g, err)
				break
			}
			if fb.placed >= r.p.maxClaimsPerFile {
				r.commit(ctx, g.key)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// placeReady places every ready claim of the store, a page at a time
// (the next page is read while one is written: see readReady).
func (r *buildRun) placeReady(ctx context.Context) error {
	rctx, stop := context.WithCancel(ctx)
	pages := make(chan readyPage) // unbuffered: two pages in memory at most
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.p.readReady(rctx, pages)
	}()
	defer func() {
		stop()
		<-done
	}()
	for pg := range pages {
		if pg.err != nil {
			return fmt.Errorf("build: %w", pg.err)
		}
		if err := r.place(ctx, pg.claims); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return nil
}

// finish records the open files, oldest first.
func (r *buildRun) finish(ctx context.Context) error {
	for len(r.order) > 0 {
		r.commit(ctx, r.order[0])
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// begin starts a build that intake feeds: it places the claims ready
// before, as Build would, so that the new ones join their files.
func (r *buildRun) begin(ctx context.Context) error {
	r.requeue = true
	return r.placeReady(ctx)
}

// feed starts placing, in a goroutine of its own, the claims given to
// send (intake's new ready claims, as each batch commits); wait ends it
// and returns the error that stopped the placing, if any (only ctx's).
// send hands over one batch at a time: intake goes on reading the next
// while one is placed.
func (r *buildRun) feed(ctx context.Context) (send func([]*Claim) error, wait func() error) {
	ready := make(chan []*Claim) // unbuffered: one batch waits at most
	placed := make(chan error, 1)
	go func() {
		var err error
		for cs := range ready {
			if err == nil {
				err = r.place(ctx, cs)
			} // else drain: intake ends at its next send
		}
		placed <- err
	}()
	send = func(cs []*Claim) error {
		select {
		case ready <- cs:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	wait = func() error {
		close(ready)
		return <-placed
	}
	return send, wait
}

// complete ends a build fed by intake: it records the open files, then
// places the claims of the store still ready (made ready otherwise than
// by intake's bulk path, or before, or in a file discarded because one of
// its claims changed) and records their files. It returns the errors of
// the files that failed.
func (r *buildRun) complete(ctx context.Context) error {
	if err := r.finish(ctx); err != nil {
		return err
	}
	r.requeue = false
	if err := r.placeReady(ctx); err != nil {
		return err
	}
	if err := r.finish(ctx); err != nil {
		return err
	}
	return errors.Join(r.errs...)
}

// abort removes the temporary files of the files still open (after an
// early return: no temporary file is left behind).
func (r *buildRun) abort() {
	for _, fb := range r.open {
		fb.af.Abort()
	}
}

// readyPage is a page of ready claims, or the error that ended the
// reading.
type readyPage struct {
	claims []*Claim
	err    error
}

// readReady reads the ready claims a page at a time (keyset on the claim
// ID) and sends the pages to out, which it closes at the end. It runs
// beside the writing of the page before: reading and decoding a page
// takes about as long as writing its claims, and the two use different
// cores. A claim read here stays ready until the file it goes in is
// recorded, so reading ahead changes nothing of what a page holds: each
// page is read in a transaction of its own, as before. It stops when ctx
// ends.
func (p *Pipeline) readReady(ctx context.Context, out chan<- readyPage) {
	defer close(out)
	var after int64
	for ctx.Err() == nil {
		var page []*Claim
		err := p.store.InTx(ctx, func(tx Tx) error {
			var err error
			page, err = tx.ClaimsInStateAfter(ctx, StateReady, after, p.batchSize)
			return err
		})
		if err == nil && len(page) == 0 {
			return
		}
		select {
		case out <- readyPage{claims: page, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
		after = page[len(page)-1].ID
	}
}

// fileGroup is the claims that go in one file.
type fileGroup struct {
	key     string // clearinghouse, kind and (when split) payer
	partner *Partner
	kind    x837.Kind
	payerID string
	claims  []*Claim
}

func (p *Pipeline) groups(claims []*Claim) []*fileGroup {
	byKey := map[string]*fileGroup{}
	var out []*fileGroup
	for _, c := range claims {
		pt := p.byName[c.Clearinghouse]
		if pt == nil {
			continue // not configured any more; stays ready
		}
		kind := c.Kind
		if kind == "" {
			kind = x837.Professional
		}
		key := pt.Name + "|" + string(kind)
		payer := ""
		if pt.SplitByPayer {
			payer = c.PayerID
			key += "|" + payer
		}
		g := byKey[key]
		if g == nil {
			g = &fileGroup{key: key, partner: pt, kind: kind, payerID: payer}
			byKey[key] = g
			out = append(out, g)
		}
		g.claims = append(g.claims, c)
	}
	for _, g := range out {
		// Claims sharing a billing provider and subscriber share HL
		// loops; sorting keeps the file small (within a page of
		// claims: Build reads them a page at a time).
		slices.SortStableFunc(g.claims, func(a, b *Claim) int {
			if c := strings.Compare(a.Data.BillingProvider.NPI, b.Data.BillingProvider.NPI); c != 0 {
				return c
			}
			if c := strings.Compare(a.Data.Subscriber.MemberID, b.Data.Subscriber.MemberID); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		})
	}
	return out
}

// PCN returns CLM01 for a claim's submission version: "C<claim>-<version>",
// at most 17 characters for any realistic claim ID.
func PCN(claimID int64, version int) string {
	return "C" + strconv.FormatInt(claimID, 10) + "-" + strconv.Itoa(version)
}

// numbers are the control numbers of one file.
type numbers struct {
	isa13, gs06 string
	st02        []string
}

// allocate takes a file's ISA13 and GS06, and the ST02 of its first
// set, from their sequences, in one transaction (see nextST02 for the
// others).
func (p *Pipeline) allocate(ctx context.Context, pt *Partner) (numbers, error) {
	var n numbers
	key := seqKey(pt)
	err := p.store.InTx(ctx, func(tx Tx) error {
		isa, err := tx.NextSequence(ctx, "isa13:"+key)
		if err != nil {
			return err
		}
		if isa > 999999999 {
			return fmt.Errorf("ISA13 sequence for %s exhausted", key)
		}
		gs, err := tx.NextSequence(ctx, "gs06:"+key)
		if err != nil {
			return err
		}
		st, err := tx.NextSequence(ctx, "st02:"+key)
		if err != nil {
			return err
		}
		n = numbers{isa13: fmt.Sprintf("%09d", isa), gs06: strconv.FormatInt(gs, 10), st02: []string{fmt.Sprintf("%04d", st)}}
		return nil
	})
	return n, err
}

// nextST02 takes the ST02 of a file's next set from its sequence.
func (p *Pipeline) nextST02(ctx context.Context, pt *Partner, n *numbers) error {
	return p.store.InTx(ctx, func(tx Tx) error {
		st, err := tx.NextSequence(ctx, "st02:"+seqKey(pt))
		if err != nil {
			return err
		}
		n.st02 = append(n.st02, fmt.Sprintf("%04d", st))
		return nil
	})
}

func seqKey(pt *Partner) string { return pt.SenderID + ":" + pt.ReceiverID }

// fileBuild is one 837 file being written: its numbers, its temporary
// file and builder, and where its claims went. It holds no claim: only
// what recording the batch needs of each.
type fileBuild struct {
	group   *fileGroup
	nums    numbers
	name    string
	path    string
	now     time.Time
	af      *atomicFile
	b       *x837.Builder
	written []placed
	refused []refusedClaim
	placed  int // claims added, written or refused
}

// placed is where a claim went in the file.
type placed struct {
	claimID   int64
	version   int
	ref       x837.ClaimRef
	freq, icn string
}

// refusedClaim is a claim the builder could not write, and why.
type refusedClaim struct {
	claim *Claim
	err   error
}

// startFile takes the numbers of a new file of group g and opens its
// temporary file.
func (p *Pipeline) startFile(ctx context.Context, g *fileGroup) (*fileBuild, error) {
	pt := g.partner
	nums, err := p.allocate(ctx, pt)
	if err != nil {
		return nil, err
	}
	fb := &fileBuild{group: g, nums: nums, now: p.now()}
	fb.name = fileName(pt, g.kind, nums.isa13, fb.now)
	fb.path = filepath.Join(p.outbox, fb.name)
	if fb.af, err = createAtomic(fb.path); err != nil {
		return nil, err
	}
	env := x837.Envelope{
		Kind:              g.kind,
		SenderQualifier:   pt.SenderQualifier,
		SenderID:          pt.SenderID,
		ReceiverQualifier: pt.ReceiverQualifier,
		ReceiverID:        pt.ReceiverID,
		SenderCode:        pt.AppSender,
		ReceiverCode:      pt.AppReceiver,
		Usage:             pt.Usage,
		AckRequested:      pt.AckRequested == "1",
		ISA13:             nums.isa13,
		GS06:              nums.gs06,
		ST02:              func(n int) string { return fb.nums.st02[n-1] },
		BatchID:           "B" + nums.isa13,
		Created:           fb.now,
		Submitter: x837.Submitter{Name: pt.SubmitterName, ETIN: pt.SenderID, ContactName: pt.SubmitterContact,
			Phone: pt.SubmitterPhone, Email: pt.SubmitterEmail},
		Receiver:        x837.Receiver{Name: pt.ReceiverName, ID: pt.ReceiverID},
		MaxClaimsPerSet: pt.maxPerSet(),
	}
	if fb.b, err = x837.NewBuilder(fb.af, env); err != nil {
		fb.af.Abort()
		return nil, err
	}
	return fb, nil
}

// addToFile writes claim c to the file. A claim the builder cannot write
// is set aside to be held (see holdRefused); any other error is the
// file's end, and the caller aborts it.
func (p *Pipeline) addToFile(ctx context.Context, fb *fileBuild, c *Claim) error {
	fb.placed++
	if n := len(fb.written); n > 0 && n%fb.group.partner.maxPerSet() == 0 && n/fb.group.partner.maxPerSet() == len(fb.nums.st02) {
		// The builder starts a set with this claim: its ST02 first.
		if err := p.nextST02(ctx, fb.group.partner, &fb.nums); err != nil {
			return err
		}
	}
	data := c.Data // the builder does not change claims
	data.PatientControlNumber = PCN(c.ID, c.Version)
	// Decided again now: the claim may have been adjudicated since
	// the version was made.
	data.Frequency, data.PayerClaimNumber = frequencyFor(c, c.VersionKind, &data)
	ref, err := fb.b.Add(&data)
	if err != nil {
		if errors.Is(err, x837.ErrUnwritable) {
			fb.refused = append(fb.refused, refusedClaim{claim: c, err: err})
			return nil
		}
		return err
	}
	fb.written = append(fb.written, placed{claimID: c.ID, version: c.Version, ref: ref, freq: data.Frequency, icn: data.PayerClaimNumber})
	return nil
}

// commitFile ends the file, commits it (fsync, rename) and records its
// batch; then it holds the claims the builder refused.
func (p *Pipeline) commitFile(ctx context.Context, fb *fileBuild, rep *BuildReport) error {
	pt, g := fb.group.partner, fb.group
	if len(fb.written) == 0 {
		fb.af.Abort()
		return p.holdRefused(ctx, fb.refused, rep)
	}
	setRefs, err := fb.b.Close()
	if err != nil {
		fb.af.Abort()
		return err
	}
	if err := fb.af.Commit(); err != nil {
		return err
	}
	p.crashPoint("submit:build-written")
	name, path, nums, now := fb.name, fb.path, fb.nums, fb.now
	batch := &Batch{Clearinghouse: pt.Name, Kind: g.kind, PayerID: g.payerID, SenderID: pt.SenderID, ReceiverID: pt.ReceiverID,
		ISA13: nums.isa13, GS06: nums.gs06, FileName: name, LocalPath: path, SHA256: fb.af.SHA256(), Size: fb.af.Size(),
		State: BatchBuilt, CreatedAt: now}
	for _, s := range setRefs {
		batch.Sets = append(batch.Sets, BatchSet{ST02: s.ST02, Claims: s.Claims})
	}
	// The submissions and events are made before the transaction, which
	// holds the store: only the IDs are filled in it.
	subs := make([]*Submission, len(fb.written))
	evs := make([]Event, len(fb.written))
	for i, w := range fb.written {
		s := &Submission{ClaimID: w.claimID, Version: w.version, PCN: w.ref.PCN, Frequency: w.freq,
			SetControl: w.ref.ST02, SegFrom: w.ref.SegFrom, SegTo: w.ref.SegTo, CreatedAt: now}
		subs[i] = s
		f8 := ""
		if w.icn != "" {
			f8 = ", REF*F8 " + w.icn
		}
		evs[i] = Event{ClaimID: w.claimID, At: now, Kind: "batched", SetControl: s.SetControl, Version: s.Version,
			From: StateReady, To: StateBatched,
			Detail: fmt.Sprintf("%s as %s (frequency %s%s), ISA13 %s GS06 %s ST02 %s segments %d-%d",
				name, s.PCN, s.Frequency, f8, nums.isa13, nums.gs06, s.SetControl, s.SegFrom, s.SegTo)}
	}
	err = p.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateBatch(ctx, batch); err != nil {
			return err
		}
		for _, s := range subs {
			s.BatchID = batch.ID
		}
		if err := tx.CreateSubmissions(ctx, subs); err != nil {
			return err
		}
		for i, s := range subs {
			evs[i].SubmissionID = s.ID
		}
		return tx.MoveClaimVersions(ctx, evs)
	})
	if err != nil {
		os.Remove(path)
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("a claim of %s was corrected while the file was built: the file was discarded, and its claims stay queued for the next run: %w", name, err)
		}
		return err
	}
	p.crashPoint("submit:build-recorded")
	rep.Files++
	rep.Claims += len(fb.written)
	return p.holdRefused(ctx, fb.refused, rep)
}

// holdRefused holds claims the builder could not write, at the version
// it read (a version corrected meanwhile is left to the next build). The
// scrubber should have caught them; this is the safety net.
func (p *Pipeline) holdRefused(ctx context.Context, refused []refusedClaim, rep *BuildReport) error {
	for _, r := range refused {
		c, cause := r.claim, r.err
		err := p.store.InTx(ctx, func(tx Tx) error {
			reasons := []Reason{{Code: "unwritable", Text: cause.Error(), Severity: "error"}}
			if err := tx.MoveClaim(ctx, c.ID, c.Version, StateReady, StateHeld, Event{ClaimID: c.ID, At: p.now(), Kind: "build-refused",
				Version: c.Version, Detail: cause.Error()}); err != nil {
				return err
			}
			_, err := tx.OpenWorkItem(ctx, scrubItem(c, reasons, p.now()))
			return err
		})
		if errors.Is(err, ErrConflict) {
			continue // corrected meanwhile: the next build takes the new version
		}
		if err != nil {
			return err
		}
		rep.Held++
	}
	return nil
}

// fileName expands the partner's file name pattern.
func fileName(pt *Partner, kind x837.Kind, isa13 string, now time.Time) string {
	pat := pt.FileName
	if pat == "" {
		pat = "{sender}_{date}_{isa13}_{kind}.x12"
	}
	k := "837P"
	if kind == x837.Institutional {
		k = "837I"
	}
	r := strings.NewReplacer("{sender}", safeName(pt.SenderID), "{receiver}", safeName(pt.ReceiverID),
		"{date}", now.Format("20060102"), "{time}", now.Format("150405"), "{isa13}", isa13, "{kind}", k)
	return r.Replace(pat)
}

// safeName keeps letters, digits, '-' and '_' (clearinghouses reject
// spaces and punctuation in file names).
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
}
