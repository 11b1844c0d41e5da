// Package localdir is a pipeline.Transport on local folders, for
// development and demos: an upload folder stands in for the
// clearinghouse's inbound folder, a response folder for its outbound
// folder, and an optional archive folder receives processed responses.
//
// It has the same semantics as the sftp adapter, so the pipeline can be
// exercised end to end without a server:
//
//   - Put writes a hidden temporary file next to the target (mode 0600;
//     one name per target, so that a Put after a crash replaces what the
//     crashed one left), fsyncs it, checks its size, renames it over the
//     name given and fsyncs the folder. The name given never holds a
//     partial file, and content shorter or longer than the announced size
//     is an error.
//   - Rename never replaces a target with different content: it hard-links
//     the source to the target (which fails atomically if the target
//     exists) and then removes the source. A target with identical bytes
//     counts as done. On file systems without hard links it checks that the
//     target is absent and renames; a process that creates the target in
//     between would be overwritten (the pipeline is the only writer of its
//     final names).
//   - Stat returns a file's size; a missing file yields an error wrapping
//     fs.ErrNotExist.
//   - List returns regular files matching Patterns, oldest first, then by
//     name, skipping unsafe names with a warning. The name rules are the
//     sftp adapter's (pipeline.CheckRemoteName): no empty name, "." or
//     "..", path separator, control or Unicode format character (U+202E),
//     invalid UTF-8 or (for responses) leading dot; ".." inside a name is
//     fine.
//   - Fetch re-checks the name, refuses symlinks, opens the file through
//     os.Root (so nothing outside the response folder is read), streams it
//     into the Sink and checks the byte count against the file's size.
//   - Done deletes, moves into ArchiveDir (with a ".YYYYMMDDTHHMMSSZ[-N]"
//     suffix if the name is taken; a move never replaces an archived file)
//     or leaves the file, as AfterPickup says.
//   - Reject moves a file the pipeline found unreadable into ErrorDir, named
//     as in the archive, or leaves it when there is no ErrorDir; it never
//     deletes it.
//
// A name that a suffix would push past 255 bytes is shortened first
// (pipeline.ShortenName), so that any legal name can be archived.
//
// New creates missing folders (ErrorDir too) with mode 0700. Every method
// checks its context before touching the disk and between chunks of a
// copy. Errors name the operation and path and wrap the cause (fs.ErrNotExist,
// fs.ErrExist, fs.ErrPermission, context.Canceled, ErrInvalidName,
// ErrSizeMismatch). Local failures are not retried: there is nothing
// transient to wait out.
package localdir
