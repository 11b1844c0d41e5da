package sftp

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

// Stat returns the size of name in UploadDir. A missing file yields an error
// wrapping fs.ErrNotExist; a directory or other non-regular file is an
// error.
func (c *Client) Stat(ctx context.Context, name string) (int64, error) {
	p := path.Join(c.cfg.UploadDir, name)
	if err := checkName(name, true); err != nil {
		return 0, &OpError{Op: "stat", Path: p, Attempts: 1, Err: permanent(nil, err)}
	}
	var size int64
	err := c.run(ctx, "stat", p, func(_ context.Context, s *session, _ int) error {
		fi, err := s.sftp.Stat(p)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return permanent(nil, fmt.Errorf("not a regular file (mode %v)", fi.Mode()))
		}
		size = fi.Size()
		return nil
	})
	if err != nil {
		return 0, err
	}
	return size, nil
}

// List returns the regular files in ResponseDir whose names match Patterns,
// oldest first, then by name. Entries with unsafe names (see ErrInvalidName;
// hidden files included) are skipped with a warning that carries only the
// quoted name. Directories, symlinks and other special files are skipped
// silently.
func (c *Client) List(ctx context.Context) ([]pipeline.RemoteFile, error) {
	dir := c.cfg.ResponseDir
	var entries []fs.FileInfo
	err := c.run(ctx, "list", dir, func(ctx context.Context, s *session, _ int) error {
		var err error
		entries, err = s.sftp.ReadDirContext(ctx, dir)
		return err
	})
	if err != nil {
		return nil, err
	}
	var files []pipeline.RemoteFile
	for _, fi := range entries {
		switch judgeEntry(fi, c.cfg.Patterns) {
		case entryUnsafe:
			c.log.Warn("sftp skipping response file with unsafe name",
				zap.String("name", strconv.QuoteToASCII(fi.Name())))
		case entryOffer:
			files = append(files, pipeline.RemoteFile{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	sortOldestFirst(files)
	return files, nil
}

func sortOldestFirst(files []pipeline.RemoteFile) {
	slices.SortFunc(files, func(a, b pipeline.RemoteFile) int {
		return cmp.Or(a.ModTime.Compare(b.ModTime), cmp.Compare(a.Name, b.Name))
	})
}
