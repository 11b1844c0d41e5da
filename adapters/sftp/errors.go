package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"

	pkgsftp "github.com/pkg/sftp"
)

// Sentinel causes. Errors returned by a Client wrap at most one of these
// (besides fs.ErrNotExist, fs.ErrExist and fs.ErrPermission, which are
// used for missing files, existing targets and denied access).
var (
	// ErrAuth: the server rejected the credentials, or they could not be
	// read from their environment variable or file. Permanent.
	ErrAuth = errors.New("authentication failed")
	// ErrHostKey: the server's host key is unknown, changed, revoked or does
	// not match the pinned fingerprint. Permanent. The error is a
	// *HostKeyError that shows the offered key.
	ErrHostKey = errors.New("host key not trusted")
	// ErrNoSpace: the server is out of space or over quota. Permanent.
	ErrNoSpace = errors.New("no space left or quota exceeded")
	// ErrSizeMismatch: the size on the server differs from the bytes sent,
	// or a download delivered a different number of bytes than the
	// server announced. Transient: the transfer is retried from the start.
	ErrSizeMismatch = errors.New("size mismatch")
	// ErrClosed: the Client has been closed. Permanent.
	ErrClosed = errors.New("client closed")
)

// OpError is the error returned by every Client operation. It names the
// operation and the remote path and wraps the cause.
type OpError struct {
	Op       string // put, rename, stat, list, fetch, done, reject
	Path     string // remote path the operation was about
	Attempts int    // attempts made (at least 1)
	Err      error
}

func (e *OpError) Error() string {
	s := "sftp " + e.Op + " " + e.Path
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s + ": " + e.Err.Error()
}

func (e *OpError) Unwrap() error { return e.Err }

// Permanent reports whether retrying the operation cannot help (see
// IsPermanent). The pipeline uses it to mark a batch failed instead of
// retrying it on the next run.
func (e *OpError) Permanent() bool { return IsPermanent(e.Err) }

// IsPermanent reports whether err is a failure that retrying cannot fix:
// authentication, host key, permission, missing file or folder, existing
// target, no space or quota, an invalid name, a closed client or a canceled
// context. It returns false for nil and for transient failures, including
// transient failures that exhausted their attempts (the pipeline may try
// those again later).
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var c *classified
	if errors.As(err, &c) {
		return c.permanent
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true // the caller gave up
	}
	var ce *classified
	errors.As(classify(err, false), &ce)
	return ce.permanent
}

// classified marks an error as transient or permanent and may add a
// sentinel reason (ErrAuth, fs.ErrNotExist, ...) to the chain.
type classified struct {
	permanent bool
	reason    error // may be nil
	err       error
}

func (e *classified) Error() string {
	if e.reason == nil || strings.Contains(e.err.Error(), e.reason.Error()) {
		return e.err.Error()
	}
	return e.reason.Error() + ": " + e.err.Error()
}

func (e *classified) Unwrap() []error {
	if e.reason == nil {
		return []error{e.err}
	}
	return []error{e.reason, e.err}
}

func transient(err error) error {
	return &classified{err: err}
}

func permanent(reason, err error) error {
	return &classified{permanent: true, reason: reason, err: err}
}

func isTransient(err error) bool {
	var c *classified
	return errors.As(err, &c) && !c.permanent
}

// Status codes of SFTP protocol versions above 3 that some servers send.
const (
	fxNoSpaceOnFilesystem = 14
	fxQuotaExceeded       = 15
)

// classify marks err as transient or permanent. connBroken says that the
// SSH connection the operation used is known to be dead, which makes an
// otherwise unrecognised error transient. Already classified errors are
// returned unchanged. The caller must have handled its own context's
// cancellation first (see Client.attempt): a context error seen here comes
// from an internal deadline and is transient.
func classify(err error, connBroken bool) error {
	if err == nil {
		return nil
	}
	var c *classified
	if errors.As(err, &c) {
		return err
	}
	switch {
	case errors.Is(err, ErrClosed), errors.Is(err, ErrInvalidName):
		return permanent(nil, err)
	case errors.Is(err, ErrHostKey):
		return permanent(nil, err)
	case strings.Contains(err.Error(), "unable to authenticate"):
		return permanent(ErrAuth, err)
	}

	var se *pkgsftp.StatusError
	if errors.As(err, &se) {
		switch code := se.FxCode(); code {
		case pkgsftp.ErrSSHFxNoConnection, pkgsftp.ErrSSHFxConnectionLost:
			return transient(err)
		case pkgsftp.ErrSSHFxNoSuchFile:
			return permanent(fs.ErrNotExist, err)
		case pkgsftp.ErrSSHFxPermissionDenied:
			return permanent(fs.ErrPermission, err)
		case fxNoSpaceOnFilesystem, fxQuotaExceeded:
			return permanent(ErrNoSpace, err)
		default:
			// SSH_FX_FAILURE and the rest: the server looked at the
			// request and refused it. OpenSSH reports a full disk or an
			// exhausted quota this way, so retrying would not help.
			if looksLikeNoSpace(err.Error()) {
				return permanent(ErrNoSpace, err)
			}
			return permanent(nil, err)
		}
	}
	switch {
	case errors.Is(err, pkgsftp.ErrSSHFxConnectionLost), errors.Is(err, pkgsftp.ErrSSHFxNoConnection):
		return transient(err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), looksLikeNoSpace(err.Error()):
		return permanent(ErrNoSpace, err)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrExist):
		return permanent(nil, err)
	case connBroken:
		return transient(err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.ErrClosedPipe),
		errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, ErrSizeMismatch),
		// The caller's context is checked before classify is called, so
		// these come from the client's own dial, handshake and attempt
		// deadlines.
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return transient(err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return transient(err)
	}
	return permanent(nil, err)
}

func looksLikeNoSpace(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "no space") || strings.Contains(msg, "quota") || strings.Contains(msg, "disk full")
}
