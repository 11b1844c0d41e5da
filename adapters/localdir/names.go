package localdir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidName is wrapped by every error about a file name the transport
// refuses: empty, "." or "..", containing "..", a path separator, a control
// character or invalid UTF-8, or (for response files) starting with a dot.
// The rules are the same as the sftp adapter's.
var ErrInvalidName = errors.New("invalid file name")

// checkName reports why name may not be used as a base name in a folder.
// hidden allows a leading dot (temporary upload names).
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

// matchAny reports whether name matches one of the patterns; no pattern
// matches everything.
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

// offered says whether a directory entry is listed: a safe, visible name
// (else unsafe is true), a regular file, and a pattern match.
func offered(fi fs.FileInfo, patterns []string) (ok, unsafe bool) {
	if checkName(fi.Name(), false) != nil {
		return false, true
	}
	return fi.Mode().IsRegular() && matchAny(patterns, fi.Name()), false
}
