// Package sftp is the pipeline.Transport that exchanges files with a
// clearinghouse over SFTP, built on github.com/pkg/sftp and
// golang.org/x/crypto/ssh.
//
// # Semantics
//
// A Client serves one clearinghouse account (a Config). It connects on first
// use, keeps one SSH connection between calls, and reconnects when that
// connection breaks. Its methods are safe for concurrent use; ctx is the
// first parameter of every method and is honoured at every step: dial, SSH
// handshake, authentication and each SFTP request. Because pkg/sftp and
// x/crypto/ssh take no context, the client closes the TCP connection when
// ctx ends, which aborts the call at once (and any other call sharing the
// connection, which then retries on a new one).
//
//   - Put writes a file under the name given (the pipeline passes a
//     temporary name) in UploadDir: truncate, set mode 0600, write, fsync
//     when the server offers fsync@openssh.com, close, then compare the
//     size the server reports. A failed attempt removes what it wrote.
//   - Rename moves it to its final name, with posix-rename@openssh.com when
//     offered and the plain SFTP rename otherwise. It never overwrites a
//     target with different content: it checks with Stat first, and an
//     existing target with identical bytes counts as done.
//   - Stat returns the size of a file in UploadDir.
//   - List reads ResponseDir and returns the regular files whose base names
//     match Patterns (path.Match globs), oldest first, then by name. Names
//     are sanitised (pipeline.CheckRemoteName): an empty name, "." or "..",
//     a name containing a path separator, a control character or a Unicode
//     format character (such as the bidirectional override U+202E),
//     invalid UTF-8, or a hidden name (leading dot) is skipped with a
//     warning that carries only the quoted name. ".." inside a name
//     ("a..b.835") is fine.
//   - Fetch checks the name again, streams the file into a pipeline.Sink,
//     calls Sink.Reset and starts again after a transient failure, and
//     succeeds only if the byte count equals the size the server announced.
//   - Done deletes the file, moves it into ArchiveDir (adding a timestamp
//     suffix if the archive already holds that name) or leaves it, as
//     AfterPickup says.
//   - Reject moves a file the pipeline found unreadable into ErrorDir,
//     named as in the archive, or leaves it when there is no ErrorDir; it
//     never deletes it.
//
// Any legal name can be archived or set aside: one that a suffix would
// push past 255 bytes is shortened first (pipeline.ShortenName).
//
// Names passed to Put, Rename and Stat follow the same rules as listed
// names except that a leading dot is allowed, so that temporary upload
// names can be hidden from the clearinghouse's pickup.
//
// # Configuration
//
// Config holds one account: address, user, credentials, host key pinning,
// folders, patterns, timeouts and retry policy. Validate reports every
// problem at once, naming each field; New applies defaults (port 22,
// AfterPickup "leave", the Default* timeouts and retry values), validates
// and reads the credentials once to fail early.
//
// Secrets never appear in a Config. The password comes from the environment
// variable named by PasswordEnv or the file at PasswordFile; a private key
// from KeyFile, with its passphrase (if any) from KeyPassphraseEnv or
// KeyPassphraseFile. They are read again at every connection, so a rotated
// secret takes effect without a restart. Config.String, LogValue (slog) and
// MarshalLogObject (zap) show only where credentials come from. The client
// logs file names, sizes, addresses and errors, never secrets or file
// contents.
//
// # Security
//
// The server's host key must be pinned, either by an OpenSSH known_hosts
// file (KnownHostsFile) or by its SHA256 fingerprint (HostKeyFingerprint,
// "SHA256:..." as printed by ssh-keygen -lf). An unknown, changed or
// revoked key fails the connection with a *HostKeyError that shows the
// offered key's fingerprint and the exact fingerprint or known_hosts line
// to pin it with, once the clearinghouse has confirmed it. With a
// known_hosts file the client asks the server for the key types the file
// holds, so a server with several host keys presents the pinned one.
//
// InsecureIgnoreHostKey accepts any key. It exists for local development
// against a throwaway server and logs a warning on every connection; it
// cannot be combined with pinning.
//
// # Errors and retries
//
// Every error is an *OpError that names the operation and the remote path
// and wraps the cause, so errors.Is works with fs.ErrNotExist,
// fs.ErrExist, fs.ErrPermission, context.Canceled and this package's
// sentinels. Failures fall into two classes (see IsPermanent):
//
//   - Transient: dial errors, timeouts (DialTimeout, HandshakeTimeout,
//     OpTimeout), connection reset or refused, EOF in the middle of a
//     transfer, a lost SSH connection, and a size mismatch after a
//     transfer. These are retried up to MaxAttempts in total, on a new
//     connection, after a backoff that starts at BaseDelay, doubles per
//     attempt up to MaxDelay, and is jittered into [d/2, d]. If the
//     attempts run out the last error is returned; IsPermanent reports
//     false for it, and the pipeline may try again later.
//   - Permanent: authentication failure (ErrAuth), host key rejection
//     (ErrHostKey), permission denied (SSH_FX_PERMISSION_DENIED), a missing
//     file or folder (fs.ErrNotExist), an existing rename target
//     (fs.ErrExist), no space or quota (ErrNoSpace; OpenSSH reports these
//     as the generic SSH_FX_FAILURE, which is therefore permanent too), an
//     invalid name (ErrInvalidName), a closed client (ErrClosed), and the
//     caller's context ending. These are returned at once and never retried.
//
// A method returns nil only when the operation is verified done; a retry
// never turns a failure into success.
//
// Put retries a transfer only if it can send the content again from the
// start: the content must be an io.Seeker (bytes.Reader, os.File) or the
// failure must have happened before any byte was read.
package sftp
