package sftp

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/x12claims/claims/pipeline"
)

// Done disposes of the response file name as AfterPickup says:
//
//   - "delete" removes it;
//   - "move" renames it into ArchiveDir, adding a suffix
//     ".YYYYMMDDTHHMMSSZ" (and "-N" if needed) when the archive already has
//     a file of that name (shortening a name the suffix would push past
//     255 bytes); the archive folder must exist;
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
		return c.moveInto(ctx, "done", c.cfg.ArchiveDir, p, name)
	default: // DisposalLeave
		return c.run(ctx, "done", p, func(_ context.Context, s *session, _ int) error {
			_, err := s.sftp.Lstat(p)
			return err
		})
	}
}

// Reject sets aside the response file name, which the pipeline found
// unreadable: it renames it into ErrorDir when one is configured (named
// as Done names files in the archive; the error folder must exist), and
// otherwise leaves it, only checking that it exists. It never deletes
// it. A missing file yields an error wrapping fs.ErrNotExist, except
// when an earlier attempt of the same call moved it and the reply was
// lost.
func (c *Client) Reject(ctx context.Context, name string) error {
	p := path.Join(c.cfg.ResponseDir, name)
	if err := checkName(name, false); err != nil {
		return &OpError{Op: "reject", Path: p, Attempts: 1, Err: permanent(nil, err)}
	}
	if c.cfg.ErrorDir == "" {
		return c.run(ctx, "reject", p, func(_ context.Context, s *session, _ int) error {
			li, err := s.sftp.Lstat(p)
			if err == nil && !li.Mode().IsRegular() {
				return permanent(nil, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
			}
			return err
		})
	}
	return c.moveInto(ctx, "reject", c.cfg.ErrorDir, p, name)
}

// moveInto renames the response file p into dir under a free name (see
// freeTarget), as operation op.
func (c *Client) moveInto(ctx context.Context, op, dir, p, name string) error {
	target := ""
	return c.run(ctx, op, p, func(_ context.Context, s *session, _ int) error {
		earlier := target != ""
		if !earlier {
			if li, err := s.sftp.Lstat(p); err != nil {
				return err
			} else if !li.Mode().IsRegular() {
				return permanent(nil, fmt.Errorf("not a regular file (mode %v)", li.Mode()))
			}
			t, err := c.freeTarget(s, dir, name)
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
}

// freeTarget picks a name in dir that does not exist yet: name, then
// name with a suffix ".YYYYMMDDTHHMMSSZ", then with "-N" after it. A name
// too long for its suffix is shortened (pipeline.ShortenName) to fit in
// pipeline.MaxNameLen bytes.
func (c *Client) freeTarget(s *session, dir, name string) (string, error) {
	stamp := c.now().UTC().Format("20060102T150405Z")
	for i := range 100 {
		candidate := path.Join(dir, name)
		switch {
		case i == 1:
			candidate = path.Join(dir, suffixed(name, "."+stamp))
		case i > 1:
			candidate = path.Join(dir, suffixed(name, fmt.Sprintf(".%s-%d", stamp, i)))
		}
		_, err := s.sftp.Lstat(candidate)
		if isNotExist(err) {
			return candidate, nil
		}
		if err != nil {
			return "", fmt.Errorf("stat target %s: %w", candidate, err)
		}
	}
	return "", permanent(fs.ErrExist, fmt.Errorf("no free name for %s in %s", name, dir))
}

// suffixed appends suffix to name, shortening name first when the result
// would be longer than pipeline.MaxNameLen bytes.
func suffixed(name, suffix string) string {
	return pipeline.ShortenName(name, pipeline.MaxNameLen-len(suffix)) + suffix
}
