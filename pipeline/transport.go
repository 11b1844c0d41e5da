package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// RemoteFile is a file that a clearinghouse offers in its outbound (response)
// folder.
type RemoteFile struct {
	Name    string // base name, already sanitised by the transport
	Size    int64
	ModTime time.Time
}

// Sink receives a downloaded file. Reset discards everything written so far,
// so that a transport can restart a transfer that failed part way.
type Sink interface {
	io.Writer
	Reset() error
}

// Transport moves files to and from one clearinghouse.
//
// Implementations retry transient failures themselves (with bounded
// backoff) and return a nil error only when the operation is verified done.
// A permanent failure (authentication, permission, missing folder, host key
// mismatch, quota) is returned at once and is never reported as success.
// A name that does not exist yields an error that wraps fs.ErrNotExist.
//
// The pipeline drives the crash-safe upload protocol with these primitives
// and records its progress in the store between steps: Put to a temporary
// name, Rename to the final name, Stat to verify.
type Transport interface {
	// Put writes size bytes from content to name in the upload folder,
	// replacing any stale file of that name, and verifies the size on the
	// server.
	Put(ctx context.Context, name string, content io.Reader, size int64) error
	// Rename renames a file in the upload folder. It fails if to already
	// exists.
	Rename(ctx context.Context, from, to string) error
	// Stat returns the size of name in the upload folder.
	Stat(ctx context.Context, name string) (int64, error)
	// List returns the files in the response folder that match the
	// configured patterns, oldest first.
	List(ctx context.Context) ([]RemoteFile, error)
	// Fetch copies the named response file into dst and returns the number
	// of bytes copied.
	Fetch(ctx context.Context, name string, dst Sink) (int64, error)
	// Done disposes of a response file that has been safely recorded:
	// it deletes it, moves it to an archive folder or leaves it, as
	// configured.
	Done(ctx context.Context, name string) error
}

// ErrInvalidName is wrapped by every error about a remote file name that
// transports refuse to use: empty, "." or "..", containing "..", a path
// separator, a control character or invalid UTF-8, or (for response
// files) starting with a dot.
var ErrInvalidName = errors.New("invalid file name")

// CheckRemoteName reports why name may not be used as a base name in a
// clearinghouse folder. hidden allows a leading dot (temporary upload
// names); response files offered by List never have one. Every Transport
// applies these rules, so that a hostile server cannot make us write
// outside our folders.
func CheckRemoteName(name string, hidden bool) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%w: %q contains \"..\"", ErrInvalidName, name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%w: %q contains a path separator", ErrInvalidName, name)
	case name == "." || (!hidden && strings.HasPrefix(name, ".")):
		return fmt.Errorf("%w: %q is hidden", ErrInvalidName, name)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidName, name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: %q contains a control character", ErrInvalidName, name)
	}
	return nil
}

// MatchesAny reports whether a base name matches one of the path.Match
// patterns. No pattern means every name matches.
func MatchesAny(patterns []string, name string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
