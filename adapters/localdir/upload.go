package localdir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/x12claims/claims/adapters/internal/streams"
	"github.com/x12claims/claims/pipeline"
)

// Put writes exactly size bytes from content to name in UploadDir,
// replacing any file of that name. It writes a hidden temporary file in the
// same folder ("." + name + ".partial", mode 0600, replacing one that a Put
// interrupted by a crash left), fsyncs it, checks its size, renames it over
// name and fsyncs the folder, so name never holds a partial file, and
// never holds it readable by others. Content shorter or longer than size
// is an error.
func (t *Transport) Put(ctx context.Context, name string, content io.Reader, size int64) error {
	final := filepath.Join(t.cfg.UploadDir, name)
	if err := checkName(name, true); err != nil {
		return opErr("put", final, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("put", final, err)
	}
	// One temporary name per target: a Put to the same name after a crash
	// replaces what the crashed one left.
	tmp := filepath.Join(t.cfg.UploadDir, partialName(name))
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opErr("put", final, err)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return opErr("put", final, err)
	}
	err = func() error {
		if err := copyExactly(ctx, f, content, size); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("fsync: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if fi.Size() != size {
			return fmt.Errorf("%w: file has %d bytes, wrote %d", ErrSizeMismatch, fi.Size(), size)
		}
		return nil
	}()
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return opErr("put", final, err)
	}
	if err := syncDir(t.cfg.UploadDir); err != nil {
		return opErr("put", final, err)
	}
	return nil
}

// partialName is the temporary name Put writes name under: hidden, and
// short enough for any legal name.
func partialName(name string) string {
	const suffix = ".partial"
	return "." + pipeline.ShortenName(name, pipeline.MaxNameLen-1-len(suffix)) + suffix
}

// Rename renames from to to in UploadDir without ever replacing a target
// with different content. It hard-links from to to, which fails atomically
// if to exists, then removes from. If to exists with the same bytes, from
// is removed and Rename succeeds; if it differs, the error wraps
// fs.ErrExist. A missing from yields an error wrapping fs.ErrNotExist.
//
// On file systems without hard links it falls back to checking that to is
// absent and then renaming; another process that creates to between the
// check and the rename would be overwritten. The pipeline is the only
// writer of its final names, so this window is accepted.
func (t *Transport) Rename(ctx context.Context, from, to string) error {
	fp, tp := filepath.Join(t.cfg.UploadDir, from), filepath.Join(t.cfg.UploadDir, to)
	desc := fp + " -> " + tp
	for _, n := range []string{from, to} {
		if err := checkName(n, true); err != nil {
			return opErr("rename", desc, err)
		}
	}
	if from == to {
		return opErr("rename", desc, fmt.Errorf("%w: source and target are the same", ErrInvalidName))
	}
	if err := ctx.Err(); err != nil {
		return opErr("rename", desc, err)
	}
	fi, err := os.Lstat(fp)
	if err != nil {
		if _, toErr := os.Lstat(tp); toErr == nil {
			err = fmt.Errorf("target exists and source is missing: %w: %w", fs.ErrExist, err)
		}
		return opErr("rename", desc, err)
	}
	if !fi.Mode().IsRegular() {
		return opErr("rename", desc, fmt.Errorf("source is not a regular file (mode %v)", fi.Mode()))
	}
	err = linkNoReplace(fp, tp)
	if errors.Is(err, fs.ErrExist) {
		err = sameOrExists(fp, tp)
	}
	if err != nil {
		return opErr("rename", desc, err)
	}
	if err := os.Remove(fp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opErr("rename", desc, fmt.Errorf("remove source: %w", err))
	}
	if err := syncDir(t.cfg.UploadDir); err != nil {
		return opErr("rename", desc, err)
	}
	return nil
}

// linkNoReplace makes to a new name of from, failing with fs.ErrExist if to
// exists. Without hard-link support it checks and renames instead (racy;
// see Rename), in which case from no longer exists afterwards.
func linkNoReplace(from, to string) error {
	err := os.Link(from, to)
	if err == nil || errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, statErr := os.Lstat(to); statErr == nil {
		return fs.ErrExist
	}
	return os.Rename(from, to)
}

// sameOrExists returns nil if the two files have the same bytes and an error
// wrapping fs.ErrExist otherwise.
func sameOrExists(a, b string) error {
	same, err := sameContent(a, b)
	switch {
	case err != nil:
		return fmt.Errorf("target exists and cannot be compared with source: %w: %w", fs.ErrExist, err)
	case !same:
		return fmt.Errorf("target exists with different content: %w", fs.ErrExist)
	}
	return nil
}

func sameContent(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ia, err := fa.Stat()
	if err != nil {
		return false, err
	}
	ib, err := fb.Stat()
	if err != nil {
		return false, err
	}
	if ia.Size() != ib.Size() {
		return false, nil
	}
	return streams.Equal(fa, fb)
}

// Stat returns the size of name in UploadDir. A missing file yields an
// error wrapping fs.ErrNotExist; a non-regular file is an error.
func (t *Transport) Stat(ctx context.Context, name string) (int64, error) {
	p := filepath.Join(t.cfg.UploadDir, name)
	if err := checkName(name, true); err != nil {
		return 0, opErr("stat", p, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, opErr("stat", p, err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return 0, opErr("stat", p, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, opErr("stat", p, fmt.Errorf("not a regular file (mode %v)", fi.Mode()))
	}
	return fi.Size(), nil
}
