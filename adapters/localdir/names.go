package localdir

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

// offered says whether a directory entry is listed: a safe, visible name
// (else unsafe is true), a regular file, and a pattern match.
func offered(fi fs.FileInfo, patterns []string) (ok, unsafe bool) {
	if checkName(fi.Name(), false) != nil {
		return false, true
	}
	return fi.Mode().IsRegular() && matchAny(patterns, fi.Name()), false
}
