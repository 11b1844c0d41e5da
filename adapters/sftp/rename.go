package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/x12claims/claims/adapters/internal/streams"
)

// Rename renames from to to, both in UploadDir. It never replaces an
// existing file with different content:
//
//   - If to does not exist, from is renamed with posix-rename@openssh.com
//     when the server offers it (atomic), otherwise with the plain SFTP
//     rename, and the size of to is verified.
//   - If to exists with the same size and bytes as from, the upload is
//     already in place: from is removed and Rename succeeds.
//   - If to exists and differs, or cannot be compared, Rename fails with an
//     error wrapping fs.ErrExist and leaves both files alone.
//   - If from does not exist, the error wraps fs.ErrNotExist (and also
//     fs.ErrExist if to exists).
//
// The existence check and the rename are two requests, so another client
// that creates to in between can still be overwritten on a server with
// posix-rename; on servers without it the plain rename fails instead. The
// pipeline is the only writer of its final names, so this window is
// accepted.
//
// If the connection breaks after the server renamed the file but before it
// replied, the retry finds from gone and to present with from's size, and
// reports success.
func (c *Client) Rename(ctx context.Context, from, to string) error {
	fp, tp := path.Join(c.cfg.UploadDir, from), path.Join(c.cfg.UploadDir, to)
	desc := fp + " -> " + tp
	for _, n := range []string{from, to} {
		if err := checkName(n, true); err != nil {
			return &OpError{Op: "rename", Path: desc, Attempts: 1, Err: permanent(nil, err)}
		}
	}
	if from == to {
		return &OpError{Op: "rename", Path: desc, Attempts: 1,
			Err: permanent(nil, fmt.Errorf("%w: source and target are the same", ErrInvalidName))}
	}

	sent := false      // a rename request was sent in an earlier attempt
	var fromSize int64 // size of from before that request
	return c.run(ctx, "rename", desc, func(_ context.Context, s *session, _ int) error {
		toInfo, err := s.sftp.Stat(tp)
		switch {
		case err == nil:
			return ontoExisting(s, fp, tp, toInfo, sent, fromSize)
		case !isNotExist(err):
			return fmt.Errorf("stat target: %w", err)
		}

		fromInfo, err := s.sftp.Stat(fp)
		if err != nil {
			return fmt.Errorf("stat source: %w", err)
		}
		if !fromInfo.Mode().IsRegular() {
			return permanent(nil, fmt.Errorf("source is not a regular file (mode %v)", fromInfo.Mode()))
		}
		fromSize, sent = fromInfo.Size(), true
		if err := s.rename(fp, tp, c.noPosixRename); err != nil {
			return fmt.Errorf("rename: %w", err)
		}
		toInfo, err = s.sftp.Stat(tp)
		if err != nil {
			return fmt.Errorf("verify target: %w", err)
		}
		if toInfo.Size() != fromSize {
			return permanent(ErrSizeMismatch, fmt.Errorf("target has %d bytes after rename, source had %d", toInfo.Size(), fromSize))
		}
		return nil
	})
}

// ontoExisting decides a rename whose target already exists.
func ontoExisting(s *session, fp, tp string, toInfo fs.FileInfo, sent bool, fromSize int64) error {
	fromInfo, err := s.sftp.Stat(fp)
	switch {
	case isNotExist(err) && sent && toInfo.Size() == fromSize:
		return nil // an earlier attempt's rename happened; its reply was lost
	case isNotExist(err):
		return permanent(fs.ErrExist, fmt.Errorf("target exists and source is missing: %w", err))
	case err != nil:
		return fmt.Errorf("stat source: %w", err)
	case fromInfo.Size() != toInfo.Size():
		return permanent(fs.ErrExist, fmt.Errorf("target exists with different content (%d bytes, source has %d)",
			toInfo.Size(), fromInfo.Size()))
	}
	same, err := sameContent(s, fp, tp)
	switch {
	case err != nil && isTransient(classify(err, !s.alive())):
		return fmt.Errorf("compare with existing target: %w", err)
	case err != nil:
		return permanent(fs.ErrExist, fmt.Errorf("target exists and cannot be compared with source: %w", err))
	case !same:
		return permanent(fs.ErrExist, errors.New("target exists with different content"))
	}
	// The same bytes are already in place: finish the move by dropping the
	// source.
	if err := s.sftp.Remove(fp); err != nil && !isNotExist(err) {
		return fmt.Errorf("target already has the same content; remove source: %w", err)
	}
	return nil
}

// rename renames a file on the server, atomically with posix-rename when
// the server offers it (and noPosix is false).
func (s *session) rename(from, to string, noPosix bool) error {
	if s.posixRename && !noPosix {
		return s.sftp.PosixRename(from, to)
	}
	return s.sftp.Rename(from, to)
}

// sameContent reports whether two remote files hold the same bytes.
func sameContent(s *session, a, b string) (bool, error) {
	fa, err := s.sftp.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := s.sftp.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	return streams.Equal(fa, fb)
}
