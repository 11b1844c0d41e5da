// Package sftpserver runs an SFTP server in-process, the way net/http/httptest
// runs an HTTP server. It is used by the sftp adapter's tests and by the
// demo clearinghouse simulator, so it does not depend on package testing.
//
// NewServer listens on 127.0.0.1 with a random port (Config.Addr can fix
// one), generates a fresh ed25519 host key, and serves the directory
// Config.Root through pkg/sftp's request server. Every path is resolved with
// os.Root, so a client cannot leave Root by "..", absolute paths or
// symlinks. Users authenticate by password and/or authorized public key.
//
// The server supports what the pipeline needs: open/read/write, stat and
// lstat, readdir, remove, mkdir, rmdir, setstat, the plain SFTP rename
// (which, as in OpenSSH, refuses to replace an existing target) and
// posix-rename@openssh.com (which replaces it). It does not offer
// fsync@openssh.com, links or symlinks, and refuses shell and exec
// requests.
//
// New files are created 0644 (less the process umask), as OpenSSH's
// sftp-server creates them under the usual umask 022: a client that wants
// an upload private must set its mode (setstat or fsetstat).
//
// Directory and file permission bits are enforced by the server itself for
// the owner write bit, so "chmod 0500" on a folder denies uploads even when
// the process runs as root.
//
// A User with its own Root sees only that folder (the standalone
// clearinghouse simulator gives each trading partner one); a
// PasswordHash (bcrypt) may stand for a plain Password. Config.HostKey
// keeps a host key across restarts, and Config.Faults makes a user's
// transfers slow or drops its connection after a number of bytes, for
// testing clients.
//
// Use HostKey, Fingerprint or KnownHostsLine to pin the server's key in a
// client, and Close to stop it; Close waits for every goroutine.
// Connections and AuthFailures count what clients did, for tests that must
// prove a client did not retry.
package sftpserver
