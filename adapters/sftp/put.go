package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	pkgsftp "github.com/pkg/sftp"
	"go.uber.org/zap"
)

// Put writes exactly size bytes from content to name in UploadDir,
// replacing any file of that name. The pipeline passes a temporary name and
// renames it afterwards, so a partial upload is never visible under a final
// name.
//
// Each attempt truncates the file, sets its mode to 0600 (before writing,
// so that no one else on the server can read the content), writes, fsyncs
// when the server offers fsync@openssh.com, closes, and compares the size
// the server reports with size. A failed attempt removes what it wrote. A transient failure is
// retried only if content can be rewound: if it is an io.Seeker, or if no
// byte has been read from it yet. Content shorter or longer than size is a
// permanent error. name may start with a dot but must otherwise be a plain
// base name (see ErrInvalidName).
func (c *Client) Put(ctx context.Context, name string, content io.Reader, size int64) error {
	p := path.Join(c.cfg.UploadDir, name)
	if err := checkName(name, true); err != nil {
		return &OpError{Op: "put", Path: p, Attempts: 1, Err: permanent(nil, err)}
	}
	if size < 0 {
		return &OpError{Op: "put", Path: p, Attempts: 1, Err: permanent(nil, fmt.Errorf("negative size %d", size))}
	}
	src := &countingReader{r: content}
	rewind, err := rewinder(content)
	if err != nil {
		return &OpError{Op: "put", Path: p, Attempts: 1, Err: permanent(nil, err)}
	}

	partial := false // a file may have been left under p
	err = c.run(ctx, "put", p, func(ctx context.Context, s *session, attempt int) error {
		if attempt > 1 {
			if err := rewind(src.n); err != nil {
				return permanent(nil, fmt.Errorf("cannot retry: %w", err))
			}
			src.n = 0
		}
		err := c.putOnce(s, p, src, size, &partial)
		if err != nil && partial && s.alive() {
			if rmErr := s.sftp.Remove(p); rmErr == nil || isNotExist(rmErr) {
				partial = false
			}
		}
		return err
	})
	if err != nil && partial {
		c.removePartial(ctx, p)
	}
	return err
}

// putOnce is one upload attempt on a live session. The file is made
// private (mode 0600) before any byte is written: servers create files
// with their own default mode (0644 for OpenSSH under the usual umask),
// and claims carry PHI.
func (c *Client) putOnce(s *session, p string, src io.Reader, size int64, partial *bool) error {
	f, err := s.sftp.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("open for writing: %w", err)
	}
	*partial = true
	if err := f.Chmod(0o600); err != nil {
		var se *pkgsftp.StatusError
		if !errors.As(err, &se) || se.FxCode() != pkgsftp.ErrSSHFxOpUnsupported {
			_ = f.Close()
			return fmt.Errorf("set mode 0600: %w", err)
		}
		// A server without Unix permissions (some managed SFTP
		// services): nothing to restrict.
		c.log.Warn("sftp server cannot set file modes; the upload keeps the server's default", zap.String("path", p))
	}
	if err := copyExactly(f, src, size); err != nil {
		_ = f.Close()
		return err
	}
	if s.fsync {
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return fmt.Errorf("fsync: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	fi, err := s.sftp.Stat(p)
	if err != nil {
		return fmt.Errorf("verify size: %w", err)
	}
	if fi.Size() != size {
		return fmt.Errorf("%w: server has %d bytes, sent %d", ErrSizeMismatch, fi.Size(), size)
	}
	return nil
}

// copyExactly copies size bytes from src to dst and checks that src has no
// more. Errors reading src are permanent; errors writing dst are returned
// unclassified.
func copyExactly(dst io.Writer, src io.Reader, size int64) error {
	buf := make([]byte, 128<<10)
	var written int64
	for written < size {
		want := min(int64(len(buf)), size-written)
		n, rerr := io.ReadFull(src, buf[:want])
		if n > 0 {
			m, werr := dst.Write(buf[:n])
			written += int64(m)
			if werr == nil && m < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				if errors.Is(werr, io.EOF) {
					// pkg/sftp reports some connection losses as io.EOF.
					werr = io.ErrUnexpectedEOF
				}
				return fmt.Errorf("write at offset %d: %w", written, werr)
			}
		}
		switch {
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return permanent(nil, fmt.Errorf("content ended after %d of %d bytes", written, size))
		case rerr != nil:
			return permanent(nil, fmt.Errorf("read content: %w", rerr))
		}
	}
	var one [1]byte
	if n, _ := io.ReadFull(src, one[:]); n > 0 {
		return permanent(nil, fmt.Errorf("content is longer than %d bytes", size))
	}
	return nil
}

// removePartial makes one last attempt, on a fresh connection if need be,
// to remove a partial upload that a failed Put could not remove. It gives up
// at once if ctx has ended: the name is temporary and the next Put to it
// truncates it.
func (c *Client) removePartial(ctx context.Context, p string) {
	if ctx.Err() != nil {
		return
	}
	err := c.attempt(ctx, 1, func(_ context.Context, s *session, _ int) error {
		if err := s.sftp.Remove(p); err != nil && !isNotExist(err) {
			return err
		}
		return nil
	})
	if err != nil {
		c.log.Warn("sftp could not remove partial upload", zap.String("path", p), zap.Error(err))
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// rewinder returns a function that puts r back where it was when rewinder
// was called, given how many bytes have been read since. A reader that
// cannot seek can only be "rewound" if nothing was read.
// It fails only for a nil reader.
func rewinder(r io.Reader) (func(read int64) error, error) {
	if r == nil {
		return nil, errors.New("nil content")
	}
	noSeek := func(read int64) error {
		if read > 0 {
			return fmt.Errorf("content is not seekable and %d bytes were already sent", read)
		}
		return nil
	}
	seeker, ok := r.(io.Seeker)
	if !ok {
		return noSeek, nil
	}
	start, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		return noSeek, nil // a pipe or socket behind an *os.File
	}
	return func(int64) error {
		_, err := seeker.Seek(start, io.SeekStart)
		return err
	}, nil
}

// isNotExist reports whether err says that a remote file does not exist.
func isNotExist(err error) bool {
	return err != nil && errors.Is(classify(err, false), os.ErrNotExist)
}
