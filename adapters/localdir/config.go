package localdir

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Disposal says what Done does with a response file.
type Disposal string

// The dispositions a Config accepts in AfterPickup.
const (
	DisposalDelete Disposal = "delete" // remove the file
	DisposalMove   Disposal = "move"   // move it into ArchiveDir
	DisposalLeave  Disposal = "leave"  // keep it where it is
)

// Config describes the local folders that stand in for a clearinghouse.
type Config struct {
	// Name identifies the transport in logs and errors. Required.
	Name string
	// UploadDir receives uploads (the clearinghouse's inbound). Required.
	UploadDir string
	// ResponseDir holds response files (the clearinghouse's outbound).
	// Required.
	ResponseDir string
	// ArchiveDir receives response files when AfterPickup is "move".
	ArchiveDir string
	// AfterPickup is what Done does. Empty means "leave".
	AfterPickup Disposal
	// Patterns are path.Match globs on base names; a response file is
	// listed if it matches any. No pattern lists every regular file.
	Patterns []string
	// ErrorDir, when set, receives response files that cannot be read
	// (Reject); without it they are left where they are.
	ErrorDir string
	// MaxDownloadSize, when positive, is the largest response file Fetch
	// copies: a larger one (or one that grows past it while copied)
	// fails with an error wrapping pipeline.ErrTooLarge, nothing past
	// the limit written.
	MaxDownloadSize int64
}

// Validate reports every problem in c, each line naming the field.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if c.Name == "" {
		bad("Name", "is required")
	}
	if c.UploadDir == "" {
		bad("UploadDir", "is required")
	}
	if c.ResponseDir == "" {
		bad("ResponseDir", "is required")
	}
	switch c.AfterPickup {
	case "", DisposalDelete, DisposalLeave:
	case DisposalMove:
		if c.ArchiveDir == "" {
			bad("ArchiveDir", "is required when AfterPickup is %q", DisposalMove)
		} else if filepath.Clean(c.ArchiveDir) == filepath.Clean(c.ResponseDir) {
			bad("ArchiveDir", "must differ from ResponseDir")
		}
	default:
		bad("AfterPickup", "must be %q, %q or %q, got %q", DisposalDelete, DisposalMove, DisposalLeave, c.AfterPickup)
	}
	if c.MaxDownloadSize < 0 {
		bad("MaxDownloadSize", "must not be negative, got %d", c.MaxDownloadSize)
	}
	if c.ErrorDir != "" && filepath.Clean(c.ErrorDir) == filepath.Clean(c.ResponseDir) {
		bad("ErrorDir", "must differ from ResponseDir")
	}
	for i, p := range c.Patterns {
		if _, err := filepath.Match(p, ""); err != nil || p == "" || strings.ContainsAny(p, `/\`) {
			bad(fmt.Sprintf("Patterns[%d]", i), "%q is not a base-name glob", p)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("localdir config %q: %w", c.Name, errors.Join(errs...))
}
