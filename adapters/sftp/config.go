package sftp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Disposal says what Done does with a response file once the pipeline has
// recorded it.
type Disposal string

// The dispositions a Config accepts in AfterPickup.
const (
	DisposalDelete Disposal = "delete" // remove the file from the server
	DisposalMove   Disposal = "move"   // rename it into ArchiveDir
	DisposalLeave  Disposal = "leave"  // keep it where it is
)

// Defaults applied by New to zero fields of a Config.
const (
	DefaultPort             = 22
	DefaultDialTimeout      = 15 * time.Second
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultOpTimeout        = 2 * time.Minute
	DefaultMaxAttempts      = 4
	DefaultBaseDelay        = 1 * time.Second
	DefaultMaxDelay         = 30 * time.Second
)

// Config describes one clearinghouse SFTP account.
//
// Secrets are never stored in a Config: the password and the private key
// passphrase are named by an environment variable or a file path and are read
// when a connection is made. String and the log encoders print the names of
// those sources, never their contents.
//
// Remote folders use forward slashes; a relative folder is resolved by the
// server against the login directory.
type Config struct {
	// Name identifies the clearinghouse in logs and errors. Required.
	Name string
	// Host is the server's name or IP address. Required.
	Host string
	// Port is the server's TCP port. Zero means 22.
	Port int
	// User is the SFTP login. Required.
	User string

	// KeyFile is the path of a private key in OpenSSH or PEM format.
	KeyFile string
	// KeyPassphraseEnv names an environment variable holding the key's
	// passphrase. At most one of KeyPassphraseEnv and KeyPassphraseFile.
	KeyPassphraseEnv string
	// KeyPassphraseFile is the path of a file holding the key's passphrase;
	// one trailing newline is ignored.
	KeyPassphraseFile string
	// PasswordEnv names an environment variable holding the password.
	// At most one of PasswordEnv and PasswordFile.
	PasswordEnv string
	// PasswordFile is the path of a file holding the password; one trailing
	// newline is ignored.
	PasswordFile string

	// KnownHostsFile is an OpenSSH known_hosts file that pins the server's
	// host key. Exactly one of KnownHostsFile and HostKeyFingerprint is
	// required unless InsecureIgnoreHostKey is set.
	KnownHostsFile string
	// HostKeyFingerprint pins the server's host key by its SHA256
	// fingerprint, as printed by "ssh-keygen -lf": "SHA256:" followed by
	// unpadded base64.
	HostKeyFingerprint string
	// InsecureIgnoreHostKey accepts any host key. It is for local
	// development only and logs a warning on every connection.
	InsecureIgnoreHostKey bool

	// UploadDir is the clearinghouse's inbound folder, where Put writes.
	// Required.
	UploadDir string
	// ResponseDir is the clearinghouse's outbound folder, which List reads.
	// Required.
	ResponseDir string
	// ArchiveDir receives response files when AfterPickup is "move".
	ArchiveDir string
	// ErrorDir, when set, receives response files that cannot be read
	// (Reject); without it they are left where they are.
	ErrorDir string
	// AfterPickup is what Done does with a response file. Empty means
	// "leave".
	AfterPickup Disposal
	// Patterns are path.Match globs on base names ("*.999", "*.835").
	// A response file is listed if it matches any of them; no pattern
	// lists every regular file.
	Patterns []string
	// MaxDownloadSize, when positive, is the largest response file
	// Fetch downloads: a larger one (by the size the server gives when
	// it is opened, or by what it sends) fails at once, permanently,
	// with an error wrapping pipeline.ErrTooLarge, nothing past the limit
	// written.
	MaxDownloadSize int64

	// DialTimeout bounds the TCP connect. Zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// HandshakeTimeout bounds the SSH handshake, authentication and the
	// start of the SFTP session. Zero means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// OpTimeout bounds one attempt of one operation, including the whole
	// transfer of a file. Zero means DefaultOpTimeout.
	OpTimeout time.Duration

	// MaxAttempts is how many times an operation is tried when it fails
	// transiently. Zero means DefaultMaxAttempts; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles for
	// each further attempt up to MaxDelay, with jitter. Zero means
	// DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps the backoff. Zero means DefaultMaxDelay.
	MaxDelay time.Duration
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.AfterPickup == "" {
		c.AfterPickup = DisposalLeave
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = DefaultBaseDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	return c
}

// Addr returns "host:port", with the default port when Port is zero.
func (c Config) Addr() string {
	port := c.Port
	if port == 0 {
		port = DefaultPort
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// Validate reports every problem in c, one line per field, each naming the
// field. Zero values that have a default are accepted. It reads no file and
// no environment variable: New does that.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}

	if c.Name == "" {
		bad("Name", "is required")
	}
	switch {
	case c.Host == "":
		bad("Host", "is required")
	case strings.IndexFunc(c.Host, unicode.IsSpace) >= 0 || strings.ContainsAny(c.Host, "/@"):
		bad("Host", "%q is not a host name or IP address", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("Port", "must be between 1 and 65535, got %d", c.Port)
	}
	if c.User == "" {
		bad("User", "is required")
	}

	// Authentication.
	hasPassword := c.PasswordEnv != "" || c.PasswordFile != ""
	if c.KeyFile == "" && !hasPassword {
		bad("KeyFile", "or PasswordEnv or PasswordFile is required")
	}
	if c.PasswordEnv != "" && c.PasswordFile != "" {
		bad("PasswordEnv", "and PasswordFile are mutually exclusive")
	}
	if c.KeyPassphraseEnv != "" && c.KeyPassphraseFile != "" {
		bad("KeyPassphraseEnv", "and KeyPassphraseFile are mutually exclusive")
	}
	if c.KeyFile == "" && (c.KeyPassphraseEnv != "" || c.KeyPassphraseFile != "") {
		bad("KeyPassphraseEnv", "is set but KeyFile is empty")
	}
	for _, e := range []struct{ field, name string }{
		{"PasswordEnv", c.PasswordEnv}, {"KeyPassphraseEnv", c.KeyPassphraseEnv},
	} {
		if e.name != "" && !validEnvName(e.name) {
			bad(e.field, "%q is not an environment variable name", e.name)
		}
	}

	// Host key.
	switch {
	case c.InsecureIgnoreHostKey && (c.KnownHostsFile != "" || c.HostKeyFingerprint != ""):
		bad("InsecureIgnoreHostKey", "cannot be combined with KnownHostsFile or HostKeyFingerprint")
	case c.InsecureIgnoreHostKey:
	case c.KnownHostsFile != "" && c.HostKeyFingerprint != "":
		bad("KnownHostsFile", "and HostKeyFingerprint are mutually exclusive")
	case c.KnownHostsFile == "" && c.HostKeyFingerprint == "":
		bad("KnownHostsFile", "or HostKeyFingerprint is required to pin the host key (InsecureIgnoreHostKey is for local development only)")
	case c.HostKeyFingerprint != "":
		if err := checkFingerprint(c.HostKeyFingerprint); err != nil {
			bad("HostKeyFingerprint", "%v", err)
		}
	}

	// Folders.
	for _, f := range []struct{ field, dir string }{
		{"UploadDir", c.UploadDir}, {"ResponseDir", c.ResponseDir}, {"ArchiveDir", c.ArchiveDir}, {"ErrorDir", c.ErrorDir},
	} {
		switch {
		case f.dir == "" && (f.field == "UploadDir" || f.field == "ResponseDir"):
			bad(f.field, "is required")
		case strings.IndexFunc(f.dir, unicode.IsControl) >= 0:
			bad(f.field, "%q contains a control character", f.dir)
		}
	}
	switch c.AfterPickup {
	case "", DisposalDelete, DisposalLeave:
	case DisposalMove:
		if c.ArchiveDir == "" {
			bad("ArchiveDir", "is required when AfterPickup is %q", DisposalMove)
		} else if path.Clean(c.ArchiveDir) == path.Clean(c.ResponseDir) {
			bad("ArchiveDir", "must differ from ResponseDir")
		}
	default:
		bad("AfterPickup", "must be %q, %q or %q, got %q", DisposalDelete, DisposalMove, DisposalLeave, c.AfterPickup)
	}
	if c.MaxDownloadSize < 0 {
		bad("MaxDownloadSize", "must not be negative, got %d", c.MaxDownloadSize)
	}
	if c.ErrorDir != "" && path.Clean(c.ErrorDir) == path.Clean(c.ResponseDir) {
		bad("ErrorDir", "must differ from ResponseDir")
	}
	for i, p := range c.Patterns {
		if _, err := path.Match(p, ""); err != nil || p == "" || strings.Contains(p, "/") {
			bad(fmt.Sprintf("Patterns[%d]", i), "%q is not a base-name glob", p)
		}
	}

	// Timeouts and retries.
	for _, d := range []struct {
		field string
		v     time.Duration
	}{
		{"DialTimeout", c.DialTimeout}, {"HandshakeTimeout", c.HandshakeTimeout}, {"OpTimeout", c.OpTimeout},
		{"BaseDelay", c.BaseDelay}, {"MaxDelay", c.MaxDelay},
	} {
		if d.v < 0 {
			bad(d.field, "must not be negative, got %v", d.v)
		}
	}
	if c.MaxAttempts < 0 {
		bad("MaxAttempts", "must not be negative, got %d", c.MaxAttempts)
	}
	if d := c.withDefaults(); d.BaseDelay > d.MaxDelay {
		bad("BaseDelay", "%v exceeds MaxDelay %v", d.BaseDelay, d.MaxDelay)
	}

	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("sftp config %q: %w", c.Name, errors.Join(errs...))
}

// checkFingerprint accepts "SHA256:" followed by the unpadded base64 of a
// 32-byte digest.
func checkFingerprint(fp string) error {
	b64, ok := strings.CutPrefix(fp, "SHA256:")
	if !ok {
		return fmt.Errorf("%q must start with \"SHA256:\"", fp)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return fmt.Errorf("%q is not a SHA256 fingerprint", fp)
	}
	return nil
}

func validEnvName(s string) bool {
	for i, r := range s {
		if r != '_' && !(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
