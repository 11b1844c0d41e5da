package clearinghousesim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Responder answers the 837 files that land in its inbound folder, as a
// clearinghouse and its payers would. It holds what a clearinghouse
// remembers between files: the control numbers it has used, the
// interchanges it has answered (a repeated ISA13 from the same sender is
// rejected as a duplicate) and each member's remaining deductible. That
// memory lives as long as the Responder; it is not kept on disk.
//
// A Responder is safe for concurrent use; Respond calls are serialised.
type Responder struct {
	cfg Config
	log *zap.Logger

	mu sync.Mutex
	st *state
}

// NewResponder validates cfg and creates the folders under cfg.Root
// (mode 0700). It returns an error naming every invalid field, or the
// folder that could not be created.
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
	return &Responder{cfg: cfg, log: log.Named("clearinghouse"), st: newState(&cfg)}, nil
}

// Root returns the simulator's root folder.
func (r *Responder) Root() string { return r.cfg.Root }

// Respond answers every 837 file waiting in inbound/: each regular file
// whose name neither starts with "." nor ends in ".part", in name order.
// For each it writes the responses into outbound/ (TA1, 999, 277CA, one
// 835 per payer; see the package documentation for names and content),
// each atomically with mode 0600, and then moves the 837 into
// inbound/processed/.
//
// A file that cannot be handled (unreadable, or a response that cannot be
// written) is left in inbound/, with whatever responses it had already
// written removed and the simulator's memory unchanged; its error is
// returned, joined with the others, after the remaining files are done.
// Content that is not valid X12 is not an error: it is answered with a
// TA1. Respond stops early, returning ctx.Err(), when ctx is done.
func (r *Responder) Respond(ctx context.Context) (Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var rep Report
	names, err := r.waiting()
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		frep, err := r.handle(name)
		if err != nil {
			r.log.Warn("837 file not handled", zap.String("file", name), zap.Error(err))
			errs = append(errs, fmt.Errorf("clearinghousesim: %s: %w", name, err))
			continue
		}
		r.log.Info("837 file answered", zap.String("file", name),
			zap.Int("claims_accepted", frep.ClaimsAccepted), zap.Int("claims_rejected", frep.ClaimsRejected),
			zap.Int("interchanges_rejected", frep.InterchangesRejected), zap.Int("sets_rejected", frep.SetsRejected),
			zap.Strings("responses", frep.Outputs))
		rep.merge(&frep)
	}
	if len(names) > 0 {
		r.log.Info("respond run done", zap.Int("files", rep.Files), zap.Int("claims_accepted", rep.ClaimsAccepted),
			zap.Int("claims_rejected", rep.ClaimsRejected), zap.Int("lines_denied", rep.LinesDenied),
			zap.String("paid", rep.Paid.String()))
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

// handle answers one 837 file and returns its report.
func (r *Responder) handle(name string) (Report, error) {
	src := filepath.Join(r.cfg.Root, InboundDir, name)
	data, err := os.ReadFile(src)
	if err != nil {
		return Report{}, fmt.Errorf("read: %w", err)
	}
	in, err := readInbound(bytes.NewReader(data))
	if err != nil {
		return Report{}, fmt.Errorf("read: %w", err)
	}
	now := r.cfg.now()
	st := r.st.clone()
	d := decide(&r.cfg, st, in, now, name)
	files, err := render(&r.cfg, d, now)
	if err != nil {
		return Report{}, err
	}
	outDir := filepath.Join(r.cfg.Root, OutboundDir)
	stem := stemOf(name)
	var written []string
	undo := func() {
		for _, w := range written {
			_ = os.Remove(filepath.Join(outDir, w))
		}
	}
	for _, f := range files {
		var want string
		switch f.kind {
		case "835":
			want = f.payer + "_" + f.isa13 + ".835"
		default:
			want = stem + "." + f.kind
		}
		final, err := uniqueName(outDir, want)
		if err != nil {
			undo()
			return Report{}, err
		}
		// Each response is at least a second younger than the one
		// before, so that listing oldest first gives the order written.
		mtime := now.Truncate(time.Second)
		if !mtime.After(st.lastTime) {
			mtime = st.lastTime.Add(time.Second)
		}
		if err := writeAtomic(outDir, final, f.data, mtime); err != nil {
			undo()
			return Report{}, err
		}
		st.lastTime = mtime
		written = append(written, final)
	}
	procDir := filepath.Join(r.cfg.Root, ProcessedDir)
	dst, err := uniqueName(procDir, name)
	if err == nil {
		err = os.Rename(src, filepath.Join(procDir, dst))
	}
	if err != nil {
		undo()
		return Report{}, fmt.Errorf("move to processed: %w", err)
	}
	_ = syncDir(procDir)
	_ = syncDir(filepath.Dir(src))
	r.st = st
	d.report.Outputs = written
	return d.report, nil
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

// uniqueName returns want, or want with "-2", "-3", ... before its
// extension, whichever does not exist yet in dir.
func uniqueName(dir, want string) (string, error) {
	ext := filepath.Ext(want)
	base := strings.TrimSuffix(want, ext)
	for n := 1; n < 10000; n++ {
		name := want
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		_, err := os.Lstat(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", fmt.Errorf("check %s: %w", name, err)
		}
	}
	return "", fmt.Errorf("no free name for %s", want)
}

// writeAtomic writes data to dir/name through a hidden temporary file:
// write, fsync, set mode 0600 and the modification time, rename, fsync the
// folder. The temporary file is removed on failure.
func writeAtomic(dir, name string, data []byte, mtime time.Time) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: close: %w", name, err)
	}
	if err = os.Chtimes(tmp, mtime, mtime); err != nil {
		return fmt.Errorf("write %s: set time: %w", name, err)
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("write %s: rename: %w", name, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
