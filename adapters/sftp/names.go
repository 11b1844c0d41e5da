package sftp

import (
	"io/fs"

	"github.com/x12claims/claims/pipeline"
)

// ErrInvalidName is pipeline.ErrInvalidName: every error about a file
// name the transport refuses wraps it.
var ErrInvalidName = pipeline.ErrInvalidName

// checkName applies pipeline.CheckRemoteName, the rules every transport
// shares.
func checkName(name string, hidden bool) error { return pipeline.CheckRemoteName(name, hidden) }

// matchAny applies pipeline.MatchesAny.
func matchAny(patterns []string, name string) bool { return pipeline.MatchesAny(patterns, name) }

// entryVerdict says whether a directory entry is offered by List and, if
// not, whether the refusal deserves a warning (an unsafe name) or is
// ordinary filtering (a pattern mismatch, a directory).
type entryVerdict int

const (
	entryOffer entryVerdict = iota
	entrySkip
	entryUnsafe
)

// judgeEntry applies the List rules to one directory entry: the name must
// be safe and must not be hidden, the entry must be a regular file (not a
// directory, symlink, device or socket) and the name must match a pattern.
func judgeEntry(fi fs.FileInfo, patterns []string) entryVerdict {
	if checkName(fi.Name(), false) != nil {
		return entryUnsafe
	}
	if !fi.Mode().IsRegular() || !matchAny(patterns, fi.Name()) {
		return entrySkip
	}
	return entryOffer
}
