package localdir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

var _ pipeline.Transport = (*Transport)(nil)

// ErrSizeMismatch: the file written or read has a different size than
// expected.
var ErrSizeMismatch = errors.New("size mismatch")

// Transport is a pipeline.Transport on local folders. Its methods are safe
// for concurrent use.
type Transport struct {
	cfg Config
	log *zap.Logger
	now func() time.Time
}

// New validates cfg and creates the configured folders (mode 0700) if they
// are missing. A nil log discards logs.
func New(cfg Config, log *zap.Logger) (*Transport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.AfterPickup == "" {
		cfg.AfterPickup = DisposalLeave
	}
	for _, d := range []string{cfg.UploadDir, cfg.ResponseDir, cfg.ArchiveDir, cfg.ErrorDir} {
		if d == "" {
			continue
		}
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("localdir %q: %w", cfg.Name, err)
		}
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Transport{cfg: cfg, log: log.With(zap.String("clearinghouse", cfg.Name)), now: time.Now}, nil
}

// Close does nothing; it exists so that both transports can be shut down
// the same way.
func (t *Transport) Close() error { return nil }

// opErr names the operation and path in err; it returns nil for nil.
func opErr(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("localdir %s %s: %w", op, path, err)
}

// copyExactly copies size bytes from src to dst, checking ctx between
// chunks, and fails if src is shorter or longer.
func copyExactly(ctx context.Context, dst io.Writer, src io.Reader, size int64) error {
	if src == nil {
		return errors.New("nil content")
	}
	n, err := io.Copy(dst, io.LimitReader(&ctxReader{ctx: ctx, r: src}, size))
	if err != nil {
		return err
	}
	if n < size {
		return fmt.Errorf("content ended after %d of %d bytes", n, size)
	}
	var one [1]byte
	if k, _ := io.ReadFull(src, one[:]); k > 0 {
		return fmt.Errorf("content is longer than %d bytes", size)
	}
	return nil
}

// ctxReader fails reads once ctx has ended.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// syncDir fsyncs a directory so that a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync folder %s: %w", dir, err)
	}
	return nil
}
