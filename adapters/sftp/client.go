package sftp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/pipeline"
)

var _ pipeline.Transport = (*Client)(nil)

// Client is a pipeline.Transport for one clearinghouse SFTP account.
//
// It connects on first use, keeps one SSH connection open between calls and
// reconnects after the connection breaks. Its methods are safe for
// concurrent use. Close it when done.
type Client struct {
	cfg     Config
	log     *zap.Logger
	backoff backoff
	now     func() time.Time
	keys    signerCache

	lock   chan struct{} // one slot: guards sess and dialling
	sess   *session
	done   chan struct{} // closed by Close
	closed sync.Once

	// noPosixRename makes the client ignore posix-rename@openssh.com, to
	// exercise the plain-rename path in tests.
	noPosixRename bool
}

// New validates cfg, applies defaults, and checks that the credentials can
// be read. It does not connect. A nil log discards logs.
func New(cfg Config, log *zap.Logger) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	c := &Client{
		cfg: cfg,
		log: log.With(zap.String("clearinghouse", cfg.Name)),
		backoff: backoff{
			attempts: cfg.MaxAttempts,
			base:     cfg.BaseDelay,
			max:      cfg.MaxDelay,
		},
		now:  time.Now,
		lock: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	if _, err := cfg.authMethods(&c.keys); err != nil {
		return nil, fmt.Errorf("sftp config %q: %w", cfg.Name, err)
	}
	return c, nil
}

// Config returns the client's configuration with defaults applied.
func (c *Client) Config() Config { return c.cfg }

// Close closes the connection, if any. Calls in progress fail; later calls
// return an error wrapping ErrClosed. Close is idempotent.
func (c *Client) Close() error {
	c.closed.Do(func() { close(c.done) })
	c.lock <- struct{}{} // a dial in progress sees done and gives up
	s := c.sess
	c.sess = nil
	<-c.lock
	if s != nil {
		s.close()
	}
	return nil
}

// session returns the live session, dialling a new one if there is none.
func (c *Client) session(ctx context.Context) (*session, error) {
	select {
	case c.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return nil, permanent(nil, ErrClosed)
	}
	defer func() { <-c.lock }()

	select {
	case <-c.done:
		return nil, permanent(nil, ErrClosed)
	default:
	}
	if c.sess != nil {
		if c.sess.alive() {
			return c.sess, nil
		}
		c.sess.close()
		c.sess = nil
		c.log.Info("sftp connection lost; reconnecting")
	}

	// Close cancels a dial in progress.
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-c.done:
			cancel(ErrClosed)
		case <-dctx.Done():
		}
	}()
	s, err := c.dial(dctx)
	if err != nil {
		if context.Cause(dctx) == ErrClosed {
			return nil, permanent(nil, ErrClosed)
		}
		return nil, err
	}
	c.sess = s
	return s, nil
}

// drop discards s if it is still the current session.
func (c *Client) drop(s *session) {
	c.lock <- struct{}{}
	if c.sess == s {
		c.sess = nil
	}
	<-c.lock
	s.close()
}

// opFunc is one attempt of an operation on a live session. ctx is the
// attempt's context: it carries OpTimeout and the connection closes when it
// ends.
type opFunc func(ctx context.Context, s *session, attempt int) error

// run performs op with retries. Each attempt gets a session (reconnecting
// if needed) and an OpTimeout deadline; a canceled ctx or an expired
// deadline closes the connection, which aborts the attempt at once. It
// returns nil only if an attempt returned nil; any error is an *OpError.
func (c *Client) run(ctx context.Context, op, remotePath string, fn opFunc) error {
	attempts, err := retry(ctx, c.backoff, func(ctx context.Context, attempt int) error {
		return c.attempt(ctx, attempt, fn)
	}, func(attempt int, wait time.Duration, err error) {
		c.log.Warn("sftp operation failed; retrying",
			zap.String("op", op), zap.String("path", remotePath),
			zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
	})
	if err != nil {
		return &OpError{Op: op, Path: remotePath, Attempts: attempts, Err: err}
	}
	return nil
}

// attempt runs one attempt of fn and classifies its error.
func (c *Client) attempt(ctx context.Context, attempt int, fn opFunc) error {
	if err := ctx.Err(); err != nil {
		return permanent(nil, err)
	}
	s, err := c.session(ctx)
	switch {
	case err == nil:
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return permanent(nil, err)
	case ctx.Err() != nil:
		return permanent(nil, fmt.Errorf("%w: %w", ctx.Err(), err))
	default:
		return classify(err, false)
	}

	actx, cancel := context.WithTimeout(ctx, c.cfg.OpTimeout)
	defer cancel()
	stop := s.conn.closeWhenDone(actx)
	err = fn(actx, s, attempt)
	interrupted := !stop()
	switch {
	case err == nil:
		// The attempt verified its result before the connection went.
	case ctx.Err() != nil:
		err = permanent(nil, fmt.Errorf("%w: %w", ctx.Err(), err))
	case interrupted:
		err = transient(fmt.Errorf("attempt timed out after %v: %w", c.cfg.OpTimeout, err))
	default:
		err = classify(err, !s.alive())
	}
	if interrupted || !s.alive() || isTransient(err) {
		// Start the next attempt on a fresh connection.
		c.drop(s)
	}
	return err
}
