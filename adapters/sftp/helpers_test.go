package sftp

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"golang.org/x/crypto/ssh"
)

// testServer is an SFTP server that the shared suite runs against: the
// in-process sftpserver (internal/sftpserver) or OpenSSH's sshd.
type testServer struct {
	name string
	addr string // host:port
	// root is a local directory that the server can read and write; every
	// test case makes its folders under it.
	root string
	// remote maps a local path under root to the path a client uses.
	remote  func(local string) string
	hostKey ssh.PublicKey
	// auth sets User and working credentials on a config.
	auth func(cfg *Config)
	// badAuth sets User and credentials the server rejects.
	badAuth func(cfg *Config)
	// denyWrites makes uploads into localDir fail with permission denied,
	// adjusting cfg if the server needs another endpoint for that.
	denyWrites func(t *testing.T, cfg *Config, localDir string)
}

// testCase is one test's folders and configuration on a testServer.
type testCase struct {
	srv                   *testServer
	upload, resp, archive string // local paths
	cfg                   Config
}

func newCase(t *testing.T, srv *testServer) *testCase {
	t.Helper()
	base, err := os.MkdirTemp(srv.root, "case-")
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCase{
		srv:     srv,
		upload:  filepath.Join(base, "inbound"),
		resp:    filepath.Join(base, "outbound"),
		archive: filepath.Join(base, "archive"),
	}
	for _, d := range []string{tc.upload, tc.resp, tc.archive} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	host, port := splitAddr(t, srv.addr)
	tc.cfg = Config{
		Name:               "test-" + srv.name,
		Host:               host,
		Port:               port,
		HostKeyFingerprint: ssh.FingerprintSHA256(srv.hostKey),
		UploadDir:          srv.remote(tc.upload),
		ResponseDir:        srv.remote(tc.resp),
		ArchiveDir:         srv.remote(tc.archive),
		AfterPickup:        DisposalLeave,
		Patterns:           []string{"*.999", "*.835"},
		// Generous bounds: a loaded CI machine running the race detector
		// can take many seconds for a handshake, and a timeout would be
		// retried and upset the tests that count connections.
		DialTimeout:      time.Minute,
		HandshakeTimeout: time.Minute,
		OpTimeout:        2 * time.Minute,
		MaxAttempts:      3,
		BaseDelay:        time.Millisecond,
		MaxDelay:         5 * time.Millisecond,
	}
	srv.auth(&tc.cfg)
	return tc
}

// client builds a Client for the case's config (after mods) and closes it
// when the test ends.
func (tc *testCase) client(t *testing.T, log *zap.Logger, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := tc.cfg
	for _, m := range mods {
		m(&cfg)
	}
	if log == nil {
		log = zaptest.NewLogger(t)
	}
	c, err := New(cfg, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// via points the case's config at a proxy in front of the server.
func (tc *testCase) via(t *testing.T, p *proxy) {
	t.Helper()
	tc.cfg.Host, tc.cfg.Port = splitAddr(t, p.addr())
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a.IP.String(), a.Port
}

// newKey returns a fresh ed25519 signer and its private key.
func newKey(t *testing.T) (ssh.Signer, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, priv
}

// writeKey writes priv in OpenSSH format (encrypted if passphrase is not
// empty) with mode 0600 and returns the path.
func writeKey(t *testing.T, dir, name string, priv ed25519.PrivateKey, passphrase string) string {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "x12claims test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "x12claims test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t testing.TB, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	var x uint32 = 2463534242
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }

func mustNotExist(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists (err=%v), want it absent", p, err)
	}
}

// memSink is a pipeline.Sink in memory that counts resets.
type memSink struct {
	bytes.Buffer
	resets int
	// onWrite, if set, runs before each Write.
	onWrite func()
}

func (s *memSink) Write(p []byte) (int, error) {
	if s.onWrite != nil {
		s.onWrite()
	}
	return s.Buffer.Write(p)
}

func (s *memSink) Reset() error {
	s.resets++
	s.Buffer.Reset()
	return nil
}

// cut says after how many bytes the proxy cuts a connection in each
// direction; zero means never.
type cut struct {
	up   int64 // client to server
	down int64 // server to client
}

// proxy is a TCP proxy on 127.0.0.1 between a client and a server that can
// cut connections after a number of bytes, to inject faults mid-transfer.
type proxy struct {
	t        *testing.T
	ln       net.Listener
	target   string
	accepted atomic.Int64
	// ended receives one value per proxied connection that has ended.
	ended chan struct{}

	mu     sync.Mutex
	plans  []cut // consumed in order, one per accepted connection
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, target: target, ended: make(chan struct{}, 100), conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// cutNext makes the next accepted connections (one per plan) be cut as
// planned.
func (p *proxy) cutNext(plans ...cut) {
	p.mu.Lock()
	p.plans = append(p.plans, plans...)
	p.mu.Unlock()
}

// breakAll resets every open proxied connection.
func (p *proxy) breakAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		reset(c)
	}
}

func (p *proxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.breakAll()
	p.wg.Wait()
}

func (p *proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		p.mu.Lock()
		var plan cut
		if len(p.plans) > 0 {
			plan, p.plans = p.plans[0], p.plans[1:]
		}
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(client, plan)
		}()
	}
}

func (p *proxy) serve(client net.Conn, plan cut) {
	defer func() {
		select {
		case p.ended <- struct{}{}:
		default:
		}
	}()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		reset(client)
		reset(server)
		return
	}
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, client)
		delete(p.conns, server)
		p.mu.Unlock()
	}()

	done := make(chan struct{}, 2)
	run := func(dst, src net.Conn, limit int64) {
		if pipe(dst, src, limit) {
			reset(client)
			reset(server)
		}
		_ = client.Close()
		_ = server.Close()
		done <- struct{}{}
	}
	go run(server, client, plan.up)
	go run(client, server, plan.down)
	<-done
	<-done
}

// pipe copies src to dst until either fails, or until limit bytes (if
// positive) have passed; it reports whether it cut the stream.
func pipe(dst, src net.Conn, limit int64) bool {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			if limit > 0 && n+int64(k) >= limit {
				_, _ = dst.Write(buf[:limit-n])
				return true
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return false
			}
			n += int64(k)
		}
		if err != nil {
			return false
		}
	}
}

// reset closes c with a TCP RST, as a broken network would.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// waitEnded waits for a proxied connection to end.
func (p *proxy) waitEnded(t *testing.T) {
	t.Helper()
	select {
	case <-p.ended:
	case <-time.After(time.Minute):
		t.Fatal("no proxied connection ended within a minute")
	}
}

// blackhole accepts TCP connections and never says a word. It reports
// each accepted connection on the returned channel.
func blackhole(t *testing.T) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 100)
	var mu sync.Mutex
	var conns []net.Conn
	closed := false
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				_ = c.Close()
				return
			}
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(io.Discard, c) // hold it open until the client goes
			}()
			ch <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		closed = true
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String(), ch
}
