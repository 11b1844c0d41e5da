package sftp

import (
	"context"
	"fmt"
	"io/fs"
	"path"
)

// Done disposes of the response file name as AfterPickup says:
//
//   - "delete" removes it;
//   - "move" renames it into ArchiveDir, adding a suffix
//     ".YYYYMMDDTHHMMSSZ" (and "-N" if needed) when the archive already has
//     a file of that name; the archive folder must exist;
//   - "leave" only checks that it exists (List will offer it again, so the
//     pipeline must remember what it has recorded).
//
// A missing file yields an error wrapping fs.ErrNotExist, except when an
// earlier attempt of the same call removed or moved it and the reply was
// lost.
func (c *Client) Done(ctx context.Context, name string) error {
	p := path.Join(c.cfg.ResponseDir, name)
	if err := checkName(name, false); err != nil {
		return &OpError{Op: "done", Path: p, Attempts: 1, Err: permanent(nil, err)}
	}
	switch c.cfg.AfterPickup {
	case DisposalDelete:
		sent := false
		return c.run(ctx, "done", p, func(_ context.Context, s *session, _ int) error {
			earlier := sent
			if li, err := s.sftp.Lstat(p); err == nil && !li.Mode().IsRegular() {
				return permanent(nil, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
			}
			sent = true
			err := s.sftp.Remove(p)
			if isNotExist(err) && earlier {
				return nil
			}
			if err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			return nil
		})
	case DisposalMove:
		target := ""
		return c.run(ctx, "done", p, func(_ context.Context, s *session, _ int) error {
			earlier := target != ""
			if !earlier {
				t, err := c.archiveTarget(s, name)
				if err != nil {
					return err
				}
				target = t
			}
			err := s.rename(p, target, c.noPosixRename)
			if err != nil && earlier && isNotExist(err) {
				if _, statErr := s.sftp.Lstat(target); statErr == nil {
					return nil // the earlier attempt's move happened
				}
			}
			if err != nil {
				return fmt.Errorf("move to %s: %w", target, err)
			}
			return nil
		})
	default: // DisposalLeave
		return c.run(ctx, "done", p, func(_ context.Context, s *session, _ int) error {
			_, err := s.sftp.Lstat(p)
			return err
		})
	}
}

// archiveTarget picks a name in ArchiveDir that does not exist yet.
func (c *Client) archiveTarget(s *session, name string) (string, error) {
	base := path.Join(c.cfg.ArchiveDir, name)
	stamp := c.now().UTC().Format("20060102T150405Z")
	for i := range 100 {
		candidate := base
		switch {
		case i == 1:
			candidate = base + "." + stamp
		case i > 1:
			candidate = fmt.Sprintf("%s.%s-%d", base, stamp, i)
		}
		_, err := s.sftp.Lstat(candidate)
		if isNotExist(err) {
			return candidate, nil
		}
		if err != nil {
			return "", fmt.Errorf("stat archive target %s: %w", candidate, err)
		}
	}
	return "", permanent(fs.ErrExist, fmt.Errorf("no free archive name for %s", base))
}
