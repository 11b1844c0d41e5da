package localdir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

// List returns the regular files in ResponseDir that match Patterns,
// oldest first, then by name. Unsafe names (hidden ones included) are
// skipped with a warning that carries only the quoted name.
func (t *Transport) List(ctx context.Context) ([]pipeline.RemoteFile, error) {
	dir := t.cfg.ResponseDir
	if err := ctx.Err(); err != nil {
		return nil, opErr("list", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, opErr("list", dir, err)
	}
	var files []pipeline.RemoteFile
	for _, e := range entries {
		fi, err := e.Info() // lstat: a symlink stays a symlink
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir
		}
		if err != nil {
			return nil, opErr("list", dir, err)
		}
		ok, unsafe := offered(fi, t.cfg.Patterns)
		if unsafe {
			t.log.Warn("localdir skipping response file with unsafe name",
				zap.String("name", strconv.QuoteToASCII(fi.Name())))
		}
		if ok {
			files = append(files, pipeline.RemoteFile{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b pipeline.RemoteFile) int {
		return cmp.Or(a.ModTime.Compare(b.ModTime), cmp.Compare(a.Name, b.Name))
	})
	return files, nil
}

// Fetch copies the response file name into dst and returns the number of
// bytes copied, which must equal the file's size when it was opened. The
// name is checked with the List rules, and symlinks are refused. There is
// no retry: local failures are not transient, so dst is never Reset.
func (t *Transport) Fetch(ctx context.Context, name string, dst pipeline.Sink) (int64, error) {
	p := filepath.Join(t.cfg.ResponseDir, name)
	if err := checkName(name, false); err != nil {
		return 0, opErr("fetch", p, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, opErr("fetch", p, err)
	}
	li, err := os.Lstat(p)
	if err != nil {
		return 0, opErr("fetch", p, err)
	}
	if !li.Mode().IsRegular() {
		return 0, opErr("fetch", p, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
	}
	root, err := os.OpenRoot(t.cfg.ResponseDir)
	if err != nil {
		return 0, opErr("fetch", p, err)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return 0, opErr("fetch", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, opErr("fetch", p, err)
	}
	var src io.Reader = &ctxReader{ctx: ctx, r: f}
	if limit := t.cfg.MaxDownloadSize; limit > 0 {
		if fi.Size() > limit {
			return 0, opErr("fetch", p, fmt.Errorf("%w: %d bytes, the limit is %d", pipeline.ErrTooLarge, fi.Size(), limit))
		}
		src = io.LimitReader(src, limit+1)
	}
	n, err := io.Copy(dst, src)
	if err != nil {
		return n, opErr("fetch", p, err)
	}
	if limit := t.cfg.MaxDownloadSize; limit > 0 && n > limit {
		return n, opErr("fetch", p, fmt.Errorf("%w: it grew past the limit of %d bytes while read", pipeline.ErrTooLarge, limit))
	}
	if n != fi.Size() {
		return n, opErr("fetch", p, fmt.Errorf("%w: read %d bytes, file had %d", ErrSizeMismatch, n, fi.Size()))
	}
	return n, nil
}

// Done disposes of the response file name as AfterPickup says: delete it,
// move it into ArchiveDir (adding ".YYYYMMDDTHHMMSSZ" and, if needed,
// "-N" when the archive already has that name; the move never replaces an
// archived file), or leave it (only checking that it exists). A missing
// file yields an error wrapping fs.ErrNotExist.
func (t *Transport) Done(ctx context.Context, name string) error {
	p := filepath.Join(t.cfg.ResponseDir, name)
	if err := checkName(name, false); err != nil {
		return opErr("done", p, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("done", p, err)
	}
	li, err := os.Lstat(p)
	if err != nil {
		return opErr("done", p, err)
	}
	if !li.Mode().IsRegular() {
		return opErr("done", p, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
	}
	switch t.cfg.AfterPickup {
	case DisposalDelete:
		if err := os.Remove(p); err != nil {
			return opErr("done", p, err)
		}
		return opErr("done", p, syncDir(t.cfg.ResponseDir))
	case DisposalMove:
		return opErr("done", p, t.moveInto(t.cfg.ArchiveDir, p, name))
	default:
		return nil
	}
}

// Reject sets aside the response file name, which the pipeline found
// unreadable: it moves it into ErrorDir when one is configured (with the
// same naming as the archive: ".YYYYMMDDTHHMMSSZ" and, if needed, "-N"
// when the name is taken; it never replaces a file there), and otherwise
// leaves it, only checking that it exists. It never deletes it. A
// missing file yields an error wrapping fs.ErrNotExist.
func (t *Transport) Reject(ctx context.Context, name string) error {
	p := filepath.Join(t.cfg.ResponseDir, name)
	if err := checkName(name, false); err != nil {
		return opErr("reject", p, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("reject", p, err)
	}
	li, err := os.Lstat(p)
	if err != nil {
		return opErr("reject", p, err)
	}
	if !li.Mode().IsRegular() {
		return opErr("reject", p, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
	}
	if t.cfg.ErrorDir == "" {
		return nil
	}
	return opErr("reject", p, t.moveInto(t.cfg.ErrorDir, p, name))
}

// moveInto moves p into dir under the first free candidate name: name,
// then name with a timestamp suffix, then with "-N" after it. A name too
// long for its suffix is shortened (pipeline.ShortenName) to fit in
// pipeline.MaxNameLen bytes.
func (t *Transport) moveInto(dir, p, name string) error {
	stamp := t.now().UTC().Format("20060102T150405Z")
	for i := range 100 {
		target := filepath.Join(dir, name)
		switch {
		case i == 1:
			target = filepath.Join(dir, suffixed(name, "."+stamp))
		case i > 1:
			target = filepath.Join(dir, suffixed(name, fmt.Sprintf(".%s-%d", stamp, i)))
		}
		err := linkNoReplace(p, target)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("move to %s: %w", target, err)
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove after moving to %s: %w", target, err)
		}
		if err := syncDir(dir); err != nil {
			return err
		}
		return syncDir(t.cfg.ResponseDir)
	}
	return fmt.Errorf("no free name for %s in %s: %w", name, dir, fs.ErrExist)
}

// suffixed appends suffix to name, shortening name first when the result
// would be longer than pipeline.MaxNameLen bytes.
func suffixed(name, suffix string) string {
	return pipeline.ShortenName(name, pipeline.MaxNameLen-len(suffix)) + suffix
}
