package sftp

import (
	"context"
	"fmt"
	"net"
	"sync"

	pkgsftp "github.com/pkg/sftp"
	"go.uber.org/zap"
	"golang.org/x/crypto/ssh"
)

// The SFTP extensions the client uses when a server offers them.
const (
	extPosixRename = "posix-rename@openssh.com"
	extFsync       = "fsync@openssh.com"
)

// watchedConn is a net.Conn that can be tied to a context: when the context
// ends the connection is closed, which aborts whatever SSH or SFTP call is
// blocked on it. pkg/sftp and x/crypto/ssh take no context, so this is how
// cancellation reaches them.
type watchedConn struct {
	net.Conn
	once sync.Once
	err  error
}

func (c *watchedConn) Close() error {
	c.once.Do(func() { c.err = c.Conn.Close() })
	return c.err
}

// closeWhenDone closes the connection when ctx ends. The returned stop
// reports false if that already happened.
func (c *watchedConn) closeWhenDone(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() { _ = c.Close() })
}

// session is one SSH connection with its SFTP channel.
type session struct {
	conn        *watchedConn
	ssh         *ssh.Client
	sftp        *pkgsftp.Client
	posixRename bool
	fsync       bool
	dead        chan struct{} // closed when the SSH connection has ended
}

// alive reports whether the SSH connection is still up.
func (s *session) alive() bool {
	select {
	case <-s.dead:
		return false
	default:
		return true
	}
}

// close tears the session down and waits for its reader goroutines.
func (s *session) close() {
	_ = s.sftp.Close()
	_ = s.ssh.Close()
	_ = s.conn.Close()
	<-s.dead
}

// dial opens a new session. ctx bounds the whole dial; DialTimeout bounds
// the TCP connect and HandshakeTimeout the SSH handshake, authentication
// and the start of the SFTP subsystem. Errors are classified.
func (c *Client) dial(ctx context.Context) (*session, error) {
	cfg := c.cfg
	addr := cfg.Addr()

	d := net.Dialer{Timeout: cfg.DialTimeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, classify(fmt.Errorf("dial %s: %w", addr, err), false)
	}
	conn := &watchedConn{Conn: raw}

	hctx, cancel := context.WithTimeout(ctx, cfg.HandshakeTimeout)
	defer cancel()
	stop := conn.closeWhenDone(hctx)
	defer stop()

	fail := func(err error) (*session, error) {
		_ = conn.Close()
		if hctx.Err() != nil && ctx.Err() == nil {
			return nil, transient(fmt.Errorf("ssh handshake with %s timed out after %v: %w", addr, cfg.HandshakeTimeout, err))
		}
		return nil, classify(err, false)
	}

	auth, err := cfg.authMethods(&c.keys)
	if err != nil {
		return fail(permanent(nil, err))
	}
	hk, err := cfg.hostKeyPolicy(addr, raw.RemoteAddr())
	if err != nil {
		return fail(permanent(nil, err))
	}
	if cfg.InsecureIgnoreHostKey {
		c.log.Warn("sftp host key NOT verified (InsecureIgnoreHostKey is set); use only for local development",
			zap.String("addr", addr))
	}

	sshConn, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		User:              cfg.User,
		Auth:              auth,
		HostKeyCallback:   hk.callback,
		HostKeyAlgorithms: hk.algorithms,
		ClientVersion:     "SSH-2.0-x12claims",
	})
	if err != nil {
		return fail(fmt.Errorf("ssh handshake with %s as %s: %w", addr, cfg.User, err))
	}
	sshClient := ssh.NewClient(sshConn, chans, reqs)
	sftpClient, err := pkgsftp.NewClient(sshClient)
	if err != nil {
		_ = sshClient.Close()
		return fail(fmt.Errorf("start sftp subsystem on %s: %w", addr, err))
	}
	if !stop() {
		// The deadline fired after the last step succeeded.
		_ = sftpClient.Close()
		_ = sshClient.Close()
		return fail(fmt.Errorf("connect to %s: %w", addr, context.Cause(hctx)))
	}

	s := &session{conn: conn, ssh: sshClient, sftp: sftpClient, dead: make(chan struct{})}
	_, s.posixRename = sftpClient.HasExtension(extPosixRename)
	if v, ok := sftpClient.HasExtension(extFsync); ok && v == "1" {
		s.fsync = true
	}
	go func() {
		_ = sshClient.Wait()
		close(s.dead)
	}()
	c.log.Info("sftp connected", zap.String("addr", addr), zap.String("user", cfg.User),
		zap.Bool("posix_rename", s.posixRename), zap.Bool("fsync", s.fsync))
	return s, nil
}
