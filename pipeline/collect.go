package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
)

// CollectReport counts what Collect did.
type CollectReport struct {
	Listed     int `json:"listed"`     // response files offered by the clearinghouses (done markers not counted)
	Collected  int `json:"collected"`  // new files stored and recorded
	Duplicates int `json:"duplicates"` // files already in the ledger (same SHA-256)
	// NotSettled counts the files left for a later run because they may
	// still be being written: their size or time changed between two
	// listings Partner.Settle apart (or they appeared in between), or
	// their done marker (Partner.DoneSuffix) is not there yet.
	NotSettled int `json:"not_settled"`
	// Rejected counts the files that are not readable X12 (no ISA, a
	// truncated envelope). Each is recorded as failed, with a work item,
	// the first time it is seen, and set aside on the server (moved to
	// the error folder, or left): never deleted or archived. One left on
	// the server is counted again on each run, without a new record.
	Rejected int `json:"rejected"`
	// TooLarge counts the files over the clearinghouse's MaxDownload,
	// by their listed size or by what their download brought: not kept,
	// set aside on the server, each with a work item.
	TooLarge  int            `json:"too_large"`
	Processed int            `json:"processed"` // files applied to claims and the ledger
	Failed    int            `json:"failed"`    // files that could not be applied, or were quarantined (rejected ones included the first time)
	Responses ResponseReport `json:"responses"`
	// Attention lists the first AttentionListed work items opened (or
	// reopened) by this run, oldest first, and AttentionTotal counts
	// them all: a night of a million claims opens tens of thousands,
	// which the work queue shows, not the run's report.
	Attention      []*WorkItem `json:"attention,omitempty"`
	AttentionTotal int         `json:"attention_total"`
	// Cleanup counts the leftovers of an interrupted run removed first.
	Cleanup CleanupReport `json:"cleanup"`
}

// Collect picks up response files from every clearinghouse and applies
// them.
//
// A file is taken only once it is complete: when the clearinghouse has a
// Settle time, its size (and modification time, when the transport gives
// one) must be the same in two listings at least that far apart, and
// when it has a DoneSuffix, the marker named after it must be listed
// too. The markers themselves are never taken as responses.
//
// For each file taken it downloads into the local inbox (temporary name,
// fsync, rename, mode 0600, a local name of bounded length), checks that
// it reads as X12, records its SHA-256 in the inbound-file ledger,
// commits, and only then lets the clearinghouse delete or archive it
// (Transport.Done), and then its marker. A file already in the ledger is
// skipped and cleaned up remotely. A file that is not readable X12 is
// recorded as failed with a work item and set aside on the server
// (Transport.Reject), never deleted or archived; while it stays there
// unchanged it is not recorded again, and a complete file that replaces
// it under the same name is taken as usual.
//
// Then every recorded file not yet applied (from this run or an earlier,
// interrupted one) is applied; see Apply. It returns ErrBusy while
// another Collect runs, in this process or another sharing the store.
func (p *Pipeline) Collect(ctx context.Context) (CollectReport, error) {
	var rep CollectReport
	release, err := p.takeJob(ctx, "collect")
	if err != nil {
		return rep, err
	}
	defer release()
	var errs []error
	start := p.now()
	if rep.Cleanup, err = p.Cleanup(ctx); err != nil {
		errs = append(errs, err)
	}
	// The first listing of every clearinghouse that wants files to
	// settle, then one wait for the longest settle time of those that
	// offer files: each second listing, in pickup, comes at least its
	// Settle after the first. (A file that appears meanwhile is left for
	// the next run.)
	first := make(map[*Partner][]RemoteFile)
	var wait time.Duration
	for _, pt := range p.partners {
		if pt.Transport == nil || pt.Settle <= 0 {
			continue
		}
		files, err := pt.Transport.List(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("collect from %s: %w", pt.Name, err))
			continue
		}
		first[pt] = files
		if len(files) > 0 {
			wait = max(wait, pt.Settle)
		}
	}
	if wait > 0 {
		if err := p.sleep(ctx, wait); err != nil {
			return rep, err
		}
	}
	for _, pt := range p.partners {
		if pt.Transport == nil {
			continue
		}
		before, ok := first[pt]
		if pt.Settle > 0 && !ok {
			continue // its first listing failed
		}
		if err := p.pickup(ctx, pt, before, &rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("collect from %s: %w", pt.Name, err))
		}
	}
	resp, err := p.ApplyPending(ctx)
	rep.Processed, rep.Responses = resp.Files, resp
	rep.Failed += resp.FailedFiles + resp.QuarantinedFiles
	if err != nil {
		errs = append(errs, err)
	}
	if rep.Attention, rep.AttentionTotal, err = p.attention(ctx, start); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

// sleepContext waits for d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// remoteKey identifies one version of a remote file, as listed.
type remoteKey struct {
	name string
	size int64
	mod  time.Time
}

// ready is a response file that may be taken, with its done marker
// ("" when the clearinghouse uses none).
type ready struct {
	RemoteFile
	marker string
}

// pickup lists a clearinghouse's response folder (again, when before
// holds its first listing for a settle check) and takes every complete
// file.
func (p *Pipeline) pickup(ctx context.Context, pt *Partner, before []RemoteFile, rep *CollectReport) error {
	files, err := pt.Transport.List(ctx)
	if err != nil {
		return err
	}
	take, orphans := p.complete(pt, before, files, rep)
	var errs []error
	// The unreadable files left on the server that are still listed,
	// unchanged; the others are forgotten.
	aside := map[remoteKey]bool{}
	for _, rf := range take {
		if err := p.takeOne(ctx, pt, rf, aside, rep); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("%s: %w", rf.Name, err))
		}
	}
	if p.setAside == nil {
		p.setAside = map[string]map[remoteKey]bool{}
	}
	p.setAside[pt.Name] = aside
	// A marker without its file: the file was taken, and the run that
	// took it stopped before it let go of the marker.
	for _, m := range orphans {
		if err := pt.Transport.Done(ctx, m); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("%s: clean up done marker: %w", m, err))
		}
	}
	return errors.Join(errs...)
}

// complete picks, from a listing, the files that may be taken: with a
// Settle time, those listed unchanged in before too; with a DoneSuffix,
// those whose marker is listed. It also returns the markers whose file
// is listed in neither listing.
func (p *Pipeline) complete(pt *Partner, before, files []RemoteFile, rep *CollectReport) ([]ready, []string) {
	suffix := pt.DoneSuffix
	isMarker := func(name string) bool { return suffix != "" && strings.HasSuffix(name, suffix) }
	markers := map[string]bool{}
	present := map[string]bool{}
	earlier := map[string]RemoteFile{}
	for _, rf := range before {
		if !isMarker(rf.Name) {
			earlier[rf.Name] = rf
			present[rf.Name] = true
		}
	}
	var take []ready
	for _, rf := range files {
		if isMarker(rf.Name) {
			markers[rf.Name] = true
			continue
		}
		present[rf.Name] = true
	}
	for _, rf := range files {
		if isMarker(rf.Name) {
			continue
		}
		rep.Listed++
		if pt.Settle > 0 {
			if old, ok := earlier[rf.Name]; !ok || !sameVersion(old, rf) {
				rep.NotSettled++
				continue
			}
		}
		r := ready{RemoteFile: rf}
		if suffix != "" {
			if r.marker = rf.Name + suffix; !markers[r.marker] {
				rep.NotSettled++
				continue
			}
		}
		take = append(take, r)
	}
	var orphans []string
	for _, rf := range files {
		if isMarker(rf.Name) && !present[strings.TrimSuffix(rf.Name, suffix)] {
			orphans = append(orphans, rf.Name)
		}
	}
	return take, orphans
}

// sameVersion reports whether two listings of a file show the same size
// and, when both give one, the same modification time.
func sameVersion(a, b RemoteFile) bool {
	if a.Size != b.Size {
		return false
	}
	return a.ModTime.IsZero() || b.ModTime.IsZero() || a.ModTime.Equal(b.ModTime)
}

// takeOne takes one complete response file: it records it (see fetchOne)
// and then lets the server dispose of it and of its marker, or sets both
// aside when the file is not readable X12. aside collects the unreadable
// files left on the server.
func (p *Pipeline) takeOne(ctx context.Context, pt *Partner, rf ready, aside map[remoteKey]bool, rep *CollectReport) error {
	key := remoteKey{rf.Name, rf.Size, rf.ModTime}
	if !rf.ModTime.IsZero() && p.setAside[pt.Name][key] {
		// Found unreadable by an earlier run and still the same: not
		// fetched again.
		aside[key] = true
		rep.Rejected++
		return nil
	}
	limit := pt.maxDownload()
	if rf.Size > limit {
		return p.setAsideTooLarge(ctx, pt, rf, fmt.Sprintf("it is listed at %d bytes", rf.Size), aside, rep)
	}
	out, err := p.fetchOne(ctx, pt, rf.RemoteFile)
	if errors.Is(err, ErrTooLarge) {
		return p.setAsideTooLarge(ctx, pt, rf, "its download passed that size", aside, rep)
	}
	if err != nil {
		return err
	}
	switch out {
	case fetchedNew:
		rep.Collected++
	case fetchedKnown:
		rep.Duplicates++
	case fetchedBad, fetchedBadKnown:
		rep.Rejected++
		if out == fetchedBad {
			rep.Failed++
		}
		if err := pt.Transport.Reject(ctx, rf.Name); err != nil {
			return fmt.Errorf("set aside on the server: %w", err)
		}
		if rf.marker != "" {
			if err := pt.Transport.Reject(ctx, rf.marker); err != nil {
				return fmt.Errorf("set aside done marker %s: %w", rf.marker, err)
			}
		}
		aside[key] = true
		return nil
	}
	if out == fetchedNew {
		if err := p.closeTooLarge(ctx, pt, rf.Name); err != nil {
			return err
		}
	}
	// The file is safely recorded: now the clearinghouse may let go of
	// it, and then of its marker.
	if err := pt.Transport.Done(ctx, rf.Name); err != nil {
		return fmt.Errorf("clean up remote file: %w", err)
	}
	p.crashPoint("collect:after-done")
	if rf.marker != "" {
		if err := pt.Transport.Done(ctx, rf.marker); err != nil {
			return fmt.Errorf("clean up done marker %s: %w", rf.marker, err)
		}
	}
	return nil
}

// DefaultMaxDownload is the largest response file Collect downloads when
// the clearinghouse sets no Partner.MaxDownload: 2 GiB.
const DefaultMaxDownload int64 = 2 << 30

// ErrTooLarge is wrapped by the error of a download that passed the
// clearinghouse's MaxDownload.
var ErrTooLarge = errors.New("response file larger than the download limit")

func (pt *Partner) maxDownload() int64 {
	if pt.MaxDownload > 0 {
		return pt.MaxDownload
	}
	return DefaultMaxDownload
}

// limitSink fails a download once more than max bytes are written to it
// (a file that grew after it was listed, or a server that sends more
// than it listed), so that the local disk never takes more.
type limitSink struct {
	Sink
	max int64
	n   int64
}

func (l *limitSink) Write(b []byte) (int, error) {
	if l.n+int64(len(b)) > l.max {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.max)
	}
	k, err := l.Sink.Write(b)
	l.n += int64(k)
	return k, err
}

// Reset starts the count again, with the download.
func (l *limitSink) Reset() error {
	l.n = 0
	return l.Sink.Reset()
}

// tooLargeKey is the key of the item about a response file over the
// download limit: by clearinghouse and remote name, since it has no
// record (nothing of it is kept).
func tooLargeKey(pt *Partner, name string) string {
	return string(SourceTransport) + ":too-large:" + pt.Name + ":" + name
}

// setAsideTooLarge handles a response file over the clearinghouse's
// MaxDownload (why says how that was found): nothing of it is kept; it
// is set aside on the server like an unreadable file (moved to the
// error folder, or left where it is, never deleted), with its marker,
// and a work item says why and how to take it. While it stays listed
// unchanged, later runs neither download it nor open a second item.
func (p *Pipeline) setAsideTooLarge(ctx context.Context, pt *Partner, rf ready, why string, aside map[remoteKey]bool, rep *CollectReport) error {
	limit := pt.maxDownload()
	rep.TooLarge++
	item := &WorkItem{Key: tooLargeKey(pt, rf.Name), Source: SourceTransport, Code: "too-large", Category: "response file too large",
		CreatedAt: p.now(),
		Reasons: []Reason{{Code: "too-large", Location: fmt.Sprintf("clearinghouse %s, file %s", pt.Name, rf.Name),
			Text: fmt.Sprintf("the download limit is %d bytes and %s", limit, why)}},
		Summary: fmt.Sprintf("response file %s from %s is larger than the download limit (%d bytes; %s) and was not downloaded; it was set aside on the clearinghouse's server (moved to its error folder, or left), not deleted: if it is genuine, raise max_download_size in the clearinghouse's transport section and put the file back in the response folder (collect then takes it and closes this item); otherwise ask the clearinghouse to split it or to send a corrected file",
			rf.Name, pt.Name, limit, why)}
	opened := false
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		opened, err = tx.OpenWorkItem(ctx, item)
		return err
	})
	if err != nil {
		return err
	}
	if opened {
		rep.Failed++
	}
	if err := pt.Transport.Reject(ctx, rf.Name); err != nil {
		return fmt.Errorf("set aside on the server: %w", err)
	}
	if rf.marker != "" {
		if err := pt.Transport.Reject(ctx, rf.marker); err != nil {
			return fmt.Errorf("set aside done marker %s: %w", rf.marker, err)
		}
	}
	if rf.Size <= limit {
		// Listed small, sent large: not downloaded again while it
		// stays listed so.
		aside[remoteKey{rf.Name, rf.Size, rf.ModTime}] = true
	}
	return nil
}

// closeTooLarge closes the item of a response file once a file of that
// name was downloaded and recorded (the limit was raised, or the
// clearinghouse sent a smaller one).
func (p *Pipeline) closeTooLarge(ctx context.Context, pt *Partner, name string) error {
	return p.store.InTx(ctx, func(tx Tx) error {
		_, err := tx.CloseWorkItems(ctx, tooLargeKey(pt, name), SystemActor, "a response file of that name was downloaded and recorded")
		return err
	})
}

// fetched is what fetchOne found.
type fetched int

const (
	fetchedNew      fetched = iota // recorded now
	fetchedKnown                   // already in the ledger
	fetchedBad                     // not readable X12: recorded now as failed, with a work item
	fetchedBadKnown                // not readable X12, already in the ledger
)

// maxLocalName bounds the remote name's part of a local file name, so
// that the local name (a hash prefix, and for the temporary file a dot
// and a random suffix) stays far below the usual 255-byte limit whatever
// the remote name's length.
const maxLocalName = 128

// fetchOne downloads one remote file into the inbox and records it,
// unless the ledger has it already. A file that is not readable X12 is
// recorded as failed, with a work item, and kept in the inbox.
func (p *Pipeline) fetchOne(ctx context.Context, pt *Partner, rf RemoteFile) (fetched, error) {
	dir := filepath.Join(p.inbox, pt.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("create inbox: %w", err)
	}
	local := ShortenName(rf.Name, maxLocalName)
	af, err := createAtomic(filepath.Join(dir, local))
	if err != nil {
		return 0, err
	}
	n, err := pt.Transport.Fetch(ctx, rf.Name, &limitSink{Sink: p.midDownload(af, rf.Size), max: pt.maxDownload()})
	if err != nil {
		af.Abort()
		return 0, err
	}
	if n != af.Size() {
		af.Abort()
		return 0, fmt.Errorf("download wrote %d bytes, transport reported %d", af.Size(), n)
	}
	digest := af.SHA256()
	var known *InboundFile
	err = p.store.InTx(ctx, func(tx Tx) error {
		f, err := tx.InboundBySHA(ctx, digest)
		if err == nil {
			known = f
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		af.Abort()
		return 0, err
	}
	if known != nil && known.State == InboundProcessed {
		af.Abort()
		return fetchedKnown, nil
	}
	bad, err := checkX12(af.f.Name())
	if err != nil {
		af.Abort()
		return 0, err
	}
	if known != nil {
		af.Abort()
		if bad != nil {
			return fetchedBadKnown, nil
		}
		return fetchedKnown, nil
	}
	// Store the bytes under a name that cannot collide, then record them.
	af.final = filepath.Join(dir, digest[:16]+"_"+local)
	if err := af.Commit(); err != nil {
		return 0, err
	}
	p.crashPoint("collect:after-download")
	rec := &InboundFile{Clearinghouse: pt.Name, Name: rf.Name, SHA256: digest, Size: n, LocalPath: af.final,
		Kind: "unknown", State: InboundReceived, ReceivedAt: p.now()}
	if bad != nil {
		rec.State, rec.Error, rec.ProcessedAt = InboundFailed, bad.Error(), p.now()
	}
	inserted := false
	err = p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if inserted, err = tx.CreateInbound(ctx, rec); err != nil || !inserted || bad == nil {
			return err
		}
		_, err = tx.OpenWorkItem(ctx, unreadableItem(rec, bad, p.now()))
		return err
	})
	if err != nil {
		return 0, err
	}
	p.crashPoint("collect:after-record")
	switch {
	case bad != nil && inserted:
		return fetchedBad, nil
	case bad != nil:
		return fetchedBadKnown, nil
	case inserted:
		return fetchedNew, nil
	}
	return fetchedKnown, nil
}

// unreadableItem is the work item of a response file that is not
// readable X12, the one Apply opens for a file it cannot read.
func unreadableItem(f *InboundFile, cause error, at time.Time) *WorkItem {
	return &WorkItem{Key: FileKey(SourceInboundBad, f.ID), Source: SourceInboundBad, InboundFileID: f.ID,
		Category: "response file", Code: "unreadable", Reasons: []Reason{{Code: "unreadable", Text: cause.Error()}}, CreatedAt: at,
		Summary: fmt.Sprintf("response file %d (%s from %s) is not readable X12 and was not applied; it was set aside on the clearinghouse's server (moved to its error folder, or left), not deleted: ask the clearinghouse for a complete file",
			f.ID, f.Name, f.Clearinghouse)}
}

// checkX12 reads a downloaded response file through the X12 reader and
// returns why it is not a complete X12 file (nil when it is): nothing
// that reads as an interchange (no ISA, an empty file), a malformed ISA,
// or an interchange, group or transaction set without its trailer (a
// truncated file). Other problems are left to Apply, which reports them
// with the file applied or quarantined. The error is for failing to read
// the file at all.
func checkX12(path string) (bad, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("check downloaded file: %w", err)
	}
	defer fh.Close()
	r := x12.NewReader(fh)
	r.Mode = x12.CollectAll
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, x12.ErrRead) {
			return nil, fmt.Errorf("check downloaded file: %w", err)
		}
		if err != nil {
			return fmt.Errorf("not X12: %w", err), nil
		}
	}
	for _, e := range r.Errors() {
		if errors.Is(e, x12.ErrMissingTrailer) {
			return fmt.Errorf("truncated X12: %w", e), nil
		}
	}
	return nil, nil
}

// midDownload wraps the sink of a download of size bytes so that the
// "collect:mid-download" crash point is passed once, right after half of
// the bytes were written (a write that would cross the half is cut
// there). Without a failpoint hook it returns s.
func (p *Pipeline) midDownload(s Sink, size int64) Sink {
	if p.failpoint == nil || size <= 0 {
		return s
	}
	return &midwaySink{Sink: s, half: (size + 1) / 2, hook: func() { p.crashPoint("collect:mid-download") }}
}

type midwaySink struct {
	Sink
	half int64 // bytes to write before the hook runs
	n    int64
	done bool
	hook func()
}

func (m *midwaySink) Write(b []byte) (int, error) {
	if m.done || m.n+int64(len(b)) < m.half {
		k, err := m.Sink.Write(b)
		m.n += int64(k)
		return k, err
	}
	head := m.half - m.n
	k, err := m.Sink.Write(b[:head])
	m.n += int64(k)
	if err != nil {
		return k, err
	}
	m.done = true
	m.hook()
	k2, err := m.Sink.Write(b[head:])
	m.n += int64(k2)
	return k + k2, err
}

// Reset starts the count again; the hook stays passed.
func (m *midwaySink) Reset() error {
	m.n = 0
	return m.Sink.Reset()
}
