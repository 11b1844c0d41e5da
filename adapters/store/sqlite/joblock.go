package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/x12claims/claims/pipeline"
)

// JobLock implements pipeline.Store with an exclusive flock(2) on the
// file "<database>.lock-<name>" beside the database: every process (and
// every Store) that opens the same database sees it, and the kernel
// drops it when the process dies. The lock files stay (they are empty,
// 0600): removing one while another process waits on it would let two
// processes hold "the" lock. A database with no file (in memory) locks
// within this Store only.
func (s *Store) JobLock(ctx context.Context, name string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.path == "" {
		return s.memLock(name)
	}
	path := s.path + ".lock-" + name
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("job lock %s: %w", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("job lock %s: another process runs it (%s): %w", name, path, pipeline.ErrBusy)
		}
		return nil, fmt.Errorf("job lock %s: %w", name, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it anyway
			f.Close()
		})
	}, nil
}

// memLock is JobLock for a database without a file.
func (s *Store) memLock(name string) (func(), error) {
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.held[name] {
		return nil, fmt.Errorf("job lock %s: %w", name, pipeline.ErrBusy)
	}
	if s.held == nil {
		s.held = map[string]bool{}
	}
	s.held[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.lockMu.Lock()
			defer s.lockMu.Unlock()
			delete(s.held, name)
		})
	}, nil
}
