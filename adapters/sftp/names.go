package sftp

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidName is wrapped by every error about a file name that the
// transport refuses to use: empty, "." or "..", containing "..", a path
// separator, a control character or invalid UTF-8, or (for response files)
// starting with a dot.
var ErrInvalidName = errors.New("invalid file name")

// checkName reports why name may not be used as a base name in a remote
// folder. hidden allows a leading dot, which the pipeline may use for
// temporary upload names but which List never offers.
func checkName(name string, hidden bool) error {
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

// matchAny reports whether the base name matches one of the patterns.
// No pattern means every name matches.
func matchAny(patterns []string, name string) bool {
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
