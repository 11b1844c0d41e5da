package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// atomicFile is a file written under a temporary name and renamed into
// place only after its content is synced, so that no reader ever sees a
// partial file under the final name. It is also a Sink: Reset starts over.
type atomicFile struct {
	final string
	f     *os.File
	h     hash.Hash
	n     int64
}

// createAtomic opens a temporary file (mode 0600) beside final.
func createAtomic(final string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create temporary file for %s: %w", filepath.Base(final), err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("secure temporary file: %w", err)
	}
	return &atomicFile{final: final, f: f, h: sha256.New()}, nil
}

func (a *atomicFile) Write(b []byte) (int, error) {
	n, err := a.f.Write(b)
	a.h.Write(b[:n])
	a.n += int64(n)
	return n, err
}

// Reset discards what was written so far.
func (a *atomicFile) Reset() error {
	if err := a.f.Truncate(0); err != nil {
		return fmt.Errorf("reset %s: %w", a.f.Name(), err)
	}
	if _, err := a.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reset %s: %w", a.f.Name(), err)
	}
	a.h.Reset()
	a.n = 0
	return nil
}

// Size returns the bytes written; SHA256 their hex digest.
func (a *atomicFile) Size() int64    { return a.n }
func (a *atomicFile) SHA256() string { return hex.EncodeToString(a.h.Sum(nil)) }

// Commit syncs the file, renames it to its final name and syncs the
// folder.
func (a *atomicFile) Commit() error {
	if err := a.f.Sync(); err != nil {
		a.Abort()
		return fmt.Errorf("sync %s: %w", a.final, err)
	}
	if err := a.f.Close(); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("close %s: %w", a.final, err)
	}
	if err := os.Rename(a.f.Name(), a.final); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("rename into %s: %w", a.final, err)
	}
	return syncDir(filepath.Dir(a.final))
}

// Abort removes the temporary file.
func (a *atomicFile) Abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}
