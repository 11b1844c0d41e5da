package sftpserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// User is an account on the server. A user with neither a Password nor an
// AuthorizedKey cannot log in.
type User struct {
	Name string
	// Password enables password authentication when not empty.
	Password string
	// PasswordHash, a bcrypt hash, enables password authentication with
	// the password it hashes.
	PasswordHash string
	// AuthorizedKeys enables public key authentication with these keys.
	AuthorizedKeys []ssh.PublicKey
	// Root, when set, is the folder this user sees as "/" instead of
	// Config.Root: the user cannot reach anything outside it.
	Root string
}

// Faults are misbehaviours of the server toward one user, for testing
// clients: a pause before every read and write request, and a connection
// closed once it has moved a number of bytes of file content.
type Faults struct {
	Delay          time.Duration
	DropAfterBytes int64 // zero: never
}

// Config configures a Server.
type Config struct {
	// Root is the directory served as "/". It must exist. Clients cannot
	// reach anything outside it, even through symlinks.
	Root string
	// Users who may log in. At least one is required.
	Users []User
	// Addr is the listen address. Empty means "127.0.0.1:0" (a random
	// port on the loopback interface).
	Addr string
	// HandshakeTimeout bounds a client's SSH handshake. Zero means 30s.
	HandshakeTimeout time.Duration
	// Logf, if set, receives one line per connection event and per error.
	// It never receives file contents or passwords.
	Logf func(format string, args ...any)
	// HostKey is the server's host key; nil generates a fresh ed25519
	// key.
	HostKey ssh.Signer
	// Faults, if set, is asked at every file opened which faults the
	// user's session suffers from then on.
	Faults func(user string) Faults
}

// Server is an SFTP server on a local TCP port that serves a directory. It
// is meant for tests, demos and the standalone clearinghouse simulator: it
// has one ed25519 host key (generated, or Config.HostKey) and keeps its
// users in memory.
type Server struct {
	cfg     Config
	ln      net.Listener
	hostKey ssh.Signer
	ssh     *ssh.ServerConfig
	fs      *rootFS
	userFS  map[string]*rootFS

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	once   sync.Once
	err    error

	connections  atomic.Int64
	authFailures atomic.Int64
}

// NewServer starts a server for cfg. It returns an error if Root is missing
// or not a directory, no user is configured, or the address cannot be
// listened on.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Root == "" {
		for _, u := range cfg.Users {
			if u.Root == "" {
				return nil, errors.New("sftpserver: Root is required")
			}
		}
	}
	if len(cfg.Users) == 0 {
		return nil, errors.New("sftpserver: at least one user is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.HandshakeTimeout == 0 {
		cfg.HandshakeTimeout = 30 * time.Second
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	users := make(map[string]User, len(cfg.Users))
	for _, u := range cfg.Users {
		users[u.Name] = u
	}

	s := &Server{cfg: cfg, conns: make(map[net.Conn]struct{}), userFS: map[string]*rootFS{}}
	if cfg.Root != "" {
		fsys, err := openRootFS(cfg.Root)
		if err != nil {
			return nil, fmt.Errorf("sftpserver: %w", err)
		}
		s.fs = fsys
	}
	for _, u := range cfg.Users {
		if u.Root == "" {
			continue
		}
		fsys, err := openRootFS(u.Root)
		if err != nil {
			s.closeFS()
			return nil, fmt.Errorf("sftpserver: user %s: %w", u.Name, err)
		}
		s.userFS[u.Name] = fsys
	}
	signer := cfg.HostKey
	if signer == nil {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			s.closeFS()
			return nil, fmt.Errorf("sftpserver: generate host key: %w", err)
		}
		if signer, err = ssh.NewSignerFromKey(priv); err != nil {
			s.closeFS()
			return nil, fmt.Errorf("sftpserver: host key: %w", err)
		}
	}
	s.hostKey = signer
	s.ssh = &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-x12claims-sftpserver",
		PasswordCallback: func(meta ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
			u, ok := users[meta.User()]
			if ok && u.Password != "" && subtle.ConstantTimeCompare([]byte(u.Password), password) == 1 {
				return &ssh.Permissions{}, nil
			}
			if ok && u.PasswordHash != "" && bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), password) == nil {
				return &ssh.Permissions{}, nil
			}
			s.authFailures.Add(1)
			return nil, fmt.Errorf("password rejected for %q", meta.User())
		},
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if u, ok := users[meta.User()]; ok {
				for _, k := range u.AuthorizedKeys {
					if subtle.ConstantTimeCompare(k.Marshal(), key.Marshal()) == 1 {
						return &ssh.Permissions{}, nil
					}
				}
			}
			s.authFailures.Add(1)
			return nil, fmt.Errorf("key rejected for %q", meta.User())
		},
	}
	s.ssh.AddHostKey(signer)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		s.closeFS()
		return nil, fmt.Errorf("sftpserver: listen: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Addr returns the listening address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns the listening IP address.
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the listening port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// HostKey returns the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// Fingerprint returns the host key's SHA256 fingerprint, "SHA256:...".
func (s *Server) Fingerprint() string { return ssh.FingerprintSHA256(s.HostKey()) }

// KnownHostsLine returns a known_hosts line that pins the host key for
// this server's address, e.g. "[127.0.0.1]:40123 ssh-ed25519 AAAA...".
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, s.HostKey())
}

// Connections returns how many TCP connections the server has accepted.
func (s *Server) Connections() int64 { return s.connections.Load() }

// AuthFailures returns how many authentication attempts were rejected
// (a client may try several methods on one connection).
func (s *Server) AuthFailures() int64 { return s.authFailures.Load() }

// Close stops listening, closes every connection and waits for all of the
// server's goroutines. It is safe to call more than once; later calls return
// the first call's result.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		err := s.ln.Close()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		s.closeFS()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			s.err = err
		}
	})
	return s.err
}

func (s *Server) closeFS() {
	if s.fs != nil {
		s.fs.close()
	}
	for _, f := range s.userFS {
		f.close()
	}
}

// fsFor returns the folder a user sees.
func (s *Server) fsFor(user string) *rootFS {
	if f, ok := s.userFS[user]; ok {
		return f
	}
	return s.fs
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.cfg.Logf("sftpserver: accept: %v", err)
			}
			return
		}
		if !s.track(c) {
			_ = c.Close()
			return
		}
		s.connections.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.serveConn(c)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	_ = c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// serveConn runs one SSH connection until it ends.
func (s *Server) serveConn(c net.Conn) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logf("sftpserver: %s: recovered from panic: %v", c.RemoteAddr(), r)
		}
	}()
	_ = c.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	sc, chans, reqs, err := ssh.NewServerConn(c, s.ssh)
	if err != nil {
		s.cfg.Logf("sftpserver: %s: handshake: %v", c.RemoteAddr(), err)
		return
	}
	_ = c.SetDeadline(time.Time{})
	s.cfg.Logf("sftpserver: %s: user %q logged in", c.RemoteAddr(), sc.User())

	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels are supported")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			s.cfg.Logf("sftpserver: %s: accept channel: %v", c.RemoteAddr(), err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveSession(c, sc.User(), ch, chReqs)
		}()
	}
}

// serveSession waits for an "sftp" subsystem request and serves SFTP on the
// channel. Every other request (shell, exec, pty, env...) is refused.
func (s *Server) serveSession(c net.Conn, user string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var sftpDone chan struct{}
	for req := range reqs {
		if sftpDone != nil || req.Type != "subsystem" || !isSFTPSubsystem(req.Payload) {
			_ = req.Reply(false, nil)
			continue
		}
		_ = req.Reply(true, nil)
		sftpDone = make(chan struct{})
		go func() {
			defer close(sftpDone)
			s.serveSFTP(c, user, ch)
			_ = ch.Close()
		}()
	}
	if sftpDone != nil {
		<-sftpDone
	}
}

func (s *Server) serveSFTP(c net.Conn, user string, ch ssh.Channel) {
	remote := c.RemoteAddr().String()
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logf("sftpserver: %s: sftp: recovered from panic: %v", remote, r)
		}
	}()
	fsys := s.fsFor(user)
	if fsys == nil {
		s.cfg.Logf("sftpserver: %s: user %q has no folder", remote, user)
		return
	}
	h := fsys.handlers()
	if s.cfg.Faults != nil {
		h = faultyHandlers(h, func() Faults { return s.cfg.Faults(user) }, func() {
			s.cfg.Logf("sftpserver: %s: dropping the connection (fault)", remote)
			_ = c.Close()
		})
	}
	rs := sftp.NewRequestServer(ch, h)
	err := rs.Serve()
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, os.ErrClosed) {
		s.cfg.Logf("sftpserver: %s: sftp session ended: %v", remote, err)
	}
	_ = rs.Close()
	_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
}

// isSFTPSubsystem reports whether a subsystem request payload names "sftp".
func isSFTPSubsystem(payload []byte) bool {
	var p struct{ Name string }
	return ssh.Unmarshal(payload, &p) == nil && p.Name == "sftp"
}
