package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// Reject sets aside a response file that is not readable X12 (no
	// ISA, a truncated envelope), once the pipeline has recorded it as
	// failed: it moves it to the configured error folder, or leaves it
	// where it is when there is none. It never deletes or archives it,
	// so the clearinghouse can still be shown the file it sent. A
	// missing name yields an error that wraps fs.ErrNotExist.
	Reject(ctx context.Context, name string) error
}

// ErrInvalidName is wrapped by every error about a remote file name that
// transports refuse to use: empty, "." or "..", containing a path
// separator, a control character, a Unicode format character (such as
// the bidirectional override U+202E, which makes a name display as
// another), a line or paragraph separator, or invalid UTF-8, or (for
// response files) starting with a dot.
var ErrInvalidName = errors.New("invalid file name")

// CheckRemoteName reports why name may not be used as a base name in a
// clearinghouse folder. hidden allows a leading dot (temporary upload
// names); response files offered by List never have one. Every Transport
// applies these rules, so that a hostile server cannot make us write
// outside our folders, nor show an operator a name that reads as another.
//
// ".." inside a name ("a..b.835") is legal: only the whole names "." and
// ".." and path separators lead out of a folder.
func CheckRemoteName(name string, hidden bool) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %q is not a file name", ErrInvalidName, name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%w: %q contains a path separator", ErrInvalidName, name)
	case !hidden && strings.HasPrefix(name, "."):
		return fmt.Errorf("%w: %q is hidden", ErrInvalidName, name)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidName, name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: %q contains a control character", ErrInvalidName, name)
	case strings.IndexFunc(name, invisible) >= 0:
		return fmt.Errorf("%w: %+q contains a format character or line separator", ErrInvalidName, name)
	}
	return nil
}

// invisible reports whether r is a Unicode format character (category
// Cf: bidirectional overrides and isolates, zero-width characters, the
// byte order mark) or a line or paragraph separator (Zl, Zp).
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// MaxNameLen is the longest base name, in bytes, that common file
// systems (and so SFTP servers) accept.
const MaxNameLen = 255

// ShortenName returns name when it is at most limit bytes long. A longer
// name becomes its start, cut at a character boundary, then "~" and 8
// hex digits of the SHA-256 of the whole name, then its extension when
// that is short (16 bytes at most): "claims_…~1a2b3c4d.835", limit
// bytes long. Distinct names stay distinct (but for a hash collision),
// and the result is a legal name (CheckRemoteName) whenever name is.
// limit should be at least 32.
func ShortenName(name string, limit int) string {
	if len(name) <= limit {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	tag := "~" + hex.EncodeToString(sum[:4])
	ext := path.Ext(name)
	if len(ext) > 16 || len(ext) == len(name) {
		ext = ""
	}
	keep := max(0, limit-len(tag)-len(ext))
	for keep > 0 && !utf8.RuneStart(name[keep]) {
		keep--
	}
	return name[:keep] + tag + ext
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
