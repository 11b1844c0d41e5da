package clearinghousesim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"go.uber.org/zap"
	"golang.org/x/crypto/ssh"

	"github.com/x12claims/claims/internal/sftpserver"
)

// User is the SFTP login of a Simulator.
const User = "claims"

// Simulator is a Responder whose folders are served over SFTP on
// 127.0.0.1, so that the real SFTP client can upload 837s to it and
// collect its responses with a pinned host key. The remote paths are
// "/inbound" (uploads) and "/outbound" (responses).
type Simulator struct {
	*Responder
	srv      *sftpserver.Server
	password string
	keyPEM   []byte
	signer   ssh.Signer
}

// Start creates a Responder for cfg and starts an SFTP server on
// 127.0.0.1 (a random port) serving cfg.Root. The server has a freshly
// generated ed25519 host key and one user, User, who may log in with a
// generated password or a generated ed25519 client key. ctx bounds the
// start only; call Close to stop the server. It returns an error for an
// invalid cfg or when the server cannot start.
func Start(ctx context.Context, cfg Config) (*Simulator, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := NewResponder(cfg)
	if err != nil {
		return nil, err
	}
	pw, err := randomPassword()
	if err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: generate client key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: client key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "x12claims simulator client")
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: encode client key: %w", err)
	}
	log := r.log
	srv, err := sftpserver.NewServer(sftpserver.Config{
		Root:  cfg.Root,
		Addr:  cfg.Addr,
		Users: []sftpserver.User{{Name: User, Password: pw, AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}}},
		Logf: func(format string, args ...any) {
			log.Debug(fmt.Sprintf(format, args...))
		},
	})
	if err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("clearinghousesim: start SFTP server: %w", err)
	}
	s := &Simulator{Responder: r, srv: srv, password: pw, keyPEM: pem.EncodeToMemory(block), signer: signer}
	r.log.Info("SFTP server started", zap.String("addr", srv.Addr()), zap.String("host_key", srv.Fingerprint()))
	return s, nil
}

func randomPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("clearinghousesim: generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Addr returns the server's address, "127.0.0.1:port".
func (s *Simulator) Addr() string { return s.srv.Addr() }

// Host returns the server's IP address, "127.0.0.1".
func (s *Simulator) Host() string { return s.srv.Host() }

// Port returns the server's TCP port.
func (s *Simulator) Port() int { return s.srv.Port() }

// HostKey returns the server's public host key.
func (s *Simulator) HostKey() ssh.PublicKey { return s.srv.HostKey() }

// HostKeyFingerprint returns the host key's SHA256 fingerprint
// ("SHA256:..."), the form an SFTP client pins.
func (s *Simulator) HostKeyFingerprint() string { return s.srv.Fingerprint() }

// KnownHostsLine returns a known_hosts line pinning the host key for the
// server's address.
func (s *Simulator) KnownHostsLine() string { return s.srv.KnownHostsLine() }

// User returns the SFTP login name.
func (s *Simulator) User() string { return User }

// Password returns the generated password of User.
func (s *Simulator) Password() string { return s.password }

// ClientKeyPEM returns User's generated ed25519 private key in OpenSSH
// PEM format, unencrypted.
func (s *Simulator) ClientKeyPEM() []byte { return append([]byte(nil), s.keyPEM...) }

// ClientSigner returns User's generated key as an ssh.Signer.
func (s *Simulator) ClientSigner() ssh.Signer { return s.signer }

// UploadDir returns the remote folder where 837 files are to be
// uploaded.
func (s *Simulator) UploadDir() string { return "/" + InboundDir }

// ResponseDir returns the remote folder where responses appear.
func (s *Simulator) ResponseDir() string { return "/" + OutboundDir }

// Credentials are files holding a Simulator's secrets, for a client that
// reads them from files.
type Credentials struct {
	PasswordFile   string // the password, no trailing newline
	KeyFile        string // the client key, OpenSSH PEM
	KnownHostsFile string // one known_hosts line pinning the host key
}

// WriteCredentials writes the password, the client key and a known_hosts
// line into dir (created 0700 if missing), each file 0600, and returns
// their paths. dir must not be under the simulator's Root, which the
// server exposes.
func (s *Simulator) WriteCredentials(dir string) (Credentials, error) {
	absDir, err1 := filepath.Abs(dir)
	absRoot, err2 := filepath.Abs(s.cfg.Root)
	if err1 != nil || err2 != nil {
		return Credentials{}, fmt.Errorf("clearinghousesim: credentials folder %s: cannot resolve path", dir)
	}
	if rel, err := filepath.Rel(absRoot, absDir); err == nil && rel != ".." && !startsWithDotDot(rel) {
		return Credentials{}, fmt.Errorf("clearinghousesim: credentials folder %s is inside the served root", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Credentials{}, fmt.Errorf("clearinghousesim: credentials folder: %w", err)
	}
	c := Credentials{
		PasswordFile:   filepath.Join(dir, "sftp-password"),
		KeyFile:        filepath.Join(dir, "sftp-client-key"),
		KnownHostsFile: filepath.Join(dir, "known_hosts"),
	}
	for _, f := range []struct {
		path string
		data []byte
	}{
		{c.PasswordFile, []byte(s.password)},
		{c.KeyFile, s.keyPEM},
		{c.KnownHostsFile, []byte(s.KnownHostsLine() + "\n")},
	} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return Credentials{}, fmt.Errorf("clearinghousesim: write %s: %w", filepath.Base(f.path), err)
		}
		if err := os.Chmod(f.path, 0o600); err != nil {
			return Credentials{}, fmt.Errorf("clearinghousesim: chmod %s: %w", filepath.Base(f.path), err)
		}
	}
	return c, nil
}

func startsWithDotDot(rel string) bool {
	return len(rel) >= 3 && rel[:3] == ".."+string(filepath.Separator)
}

// Close stops the SFTP server and waits for its connections to end. It is
// safe to call more than once.
func (s *Simulator) Close() error {
	if err := s.srv.Close(); err != nil {
		_ = s.Responder.Close()
		return fmt.Errorf("clearinghousesim: stop SFTP server: %w", err)
	}
	return s.Responder.Close()
}
