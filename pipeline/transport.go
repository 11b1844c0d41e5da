package pipeline

import (
	"context"
	"io"
	"time"
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
