package sftp

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/x12claims/claims/pipeline"
)

// Fetch copies the response file name from ResponseDir into dst and returns
// the number of bytes copied. The name is checked with the same rules as
// List. After a transient failure dst.Reset is called and the download
// starts again from the beginning. Fetch succeeds only when the byte count
// equals the size the server announced when the file was opened. A failing
// dst (Write or Reset) is a permanent error, and so is a file over
// Config.MaxDownloadSize (wrapping pipeline.ErrTooLarge). On error the
// returned count is what dst currently holds.
func (c *Client) Fetch(ctx context.Context, name string, dst pipeline.Sink) (int64, error) {
	p := path.Join(c.cfg.ResponseDir, name)
	if err := checkName(name, false); err != nil {
		return 0, &OpError{Op: "fetch", Path: p, Attempts: 1, Err: permanent(nil, err)}
	}
	var got int64
	err := c.run(ctx, "fetch", p, func(actx context.Context, s *session, _ int) error {
		if got > 0 {
			if err := dst.Reset(); err != nil {
				return permanent(nil, fmt.Errorf("reset sink: %w", err))
			}
			got = 0
		}
		// Lstat first: a symlink in the response folder is not followed.
		li, err := s.sftp.Lstat(p)
		if err != nil {
			return err
		}
		if !li.Mode().IsRegular() {
			return permanent(nil, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
		}
		f, err := s.sftp.Open(p)
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("stat open file: %w", err)
		}
		limit := c.cfg.MaxDownloadSize
		if limit > 0 && fi.Size() > limit {
			return permanent(nil, fmt.Errorf("%w: %d bytes, the limit is %d", pipeline.ErrTooLarge, fi.Size(), limit))
		}
		sw := &sinkWriter{ctx: actx, w: dst, max: limit}
		n, err := f.WriteTo(sw)
		got = sw.n
		switch {
		case sw.err != nil && actx.Err() != nil:
			// Canceled or timed out between two writes: the caller
			// classifies it (canceled is permanent, a timeout is not).
			return actx.Err()
		case sw.err != nil:
			return permanent(nil, fmt.Errorf("write to sink: %w", sw.err))
		case err != nil:
			return fmt.Errorf("read at offset %d: %w", n, err)
		case sw.n != fi.Size():
			return fmt.Errorf("%w: received %d bytes, server announced %d", ErrSizeMismatch, sw.n, fi.Size())
		}
		return nil
	})
	return got, err
}

// sinkWriter counts bytes written to the sink and keeps the sink's own
// error apart from network errors. It stops at the first write after ctx
// is done: data already received must not keep a canceled download
// going.
type sinkWriter struct {
	ctx context.Context
	w   io.Writer
	n   int64
	max int64 // the most bytes it takes (0: no limit)
	err error
}

func (s *sinkWriter) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return 0, err
	}
	if s.max > 0 && s.n+int64(len(p)) > s.max {
		s.err = fmt.Errorf("%w: the file grew past the limit of %d bytes while downloaded", pipeline.ErrTooLarge, s.max)
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.n += int64(n)
	if err != nil {
		s.err = err
	}
	return n, err
}
