package sftp

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/crypto/ssh"

	"github.com/x12claims/claims/internal/sftpserver"
)

const testPassword = "correct horse battery staple"

// startInProcess starts an internal/sftpserver server for the test. Clients log in as
// "claims" with a password read from a file; the user also accepts the
// returned key.
func startInProcess(t *testing.T) (*testServer, *sftpserver.Server, ed25519Key) {
	t.Helper()
	root := t.TempDir()
	secrets := t.TempDir()
	signer, priv := newKey(t)
	srv, err := sftpserver.NewServer(sftpserver.Config{
		Root: root,
		Users: []sftpserver.User{{
			Name:           "claims",
			Password:       testPassword,
			AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
	})
	pwFile := filepath.Join(secrets, "password")
	writeFile(t, pwFile, []byte(testPassword+"\n"))
	badPwFile := filepath.Join(secrets, "bad-password")
	writeFile(t, badPwFile, []byte("wrong"))

	return &testServer{
		name: "inprocess",
		addr: srv.Addr(),
		root: root,
		remote: func(local string) string {
			rel, err := filepath.Rel(root, local)
			if err != nil {
				t.Fatal(err)
			}
			return "/" + filepath.ToSlash(rel)
		},
		hostKey: srv.HostKey(),
		auth: func(cfg *Config) {
			cfg.User, cfg.PasswordFile = "claims", pwFile
		},
		badAuth: func(cfg *Config) {
			cfg.User, cfg.PasswordFile = "claims", badPwFile
		},
		denyWrites: func(t *testing.T, _ *Config, dir string) {
			chmodReadOnly(t, dir)
		},
	}, srv, ed25519Key{signer: signer, priv: priv}
}

type ed25519Key struct {
	signer ssh.Signer
	priv   []byte
}

// chmodReadOnly makes dir 0500 until the test ends.
func chmodReadOnly(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
}

func TestInProcess(t *testing.T) {
	srv, _, _ := startInProcess(t)
	runSuite(t, srv)
}

func TestWrongPasswordIsNotRetried(t *testing.T) {
	ts, srv, _ := startInProcess(t)
	tc := newCase(t, ts)
	ts.badAuth(&tc.cfg)
	c := tc.client(t, nil, func(c *Config) { c.MaxAttempts = 5 })
	err := c.Put(t.Context(), "x.tmp", bytes.NewReader([]byte("ISA")), 3)
	if !errors.Is(err, ErrAuth) || !IsPermanent(err) {
		t.Fatalf("Put = %v; want a permanent ErrAuth", err)
	}
	if got := srv.Connections(); got != 1 {
		t.Errorf("server saw %d connections, want 1", got)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q reveals the password", err)
	}
}

func TestKeyAuthentication(t *testing.T) {
	ts, _, key := startInProcess(t)
	dir := t.TempDir()
	plain := writeKey(t, dir, "id_plain", key.priv, "")
	encrypted := writeKey(t, dir, "id_encrypted", key.priv, "s3cret passphrase")
	passFile := filepath.Join(dir, "passphrase")
	writeFile(t, passFile, []byte("s3cret passphrase\n"))
	wrongPassFile := filepath.Join(dir, "wrong-passphrase")
	writeFile(t, wrongPassFile, []byte("nope"))

	tests := []struct {
		name       string
		keyFile    string
		passFile   string
		passEnv    string
		wantNewErr bool
	}{
		{name: "plain key", keyFile: plain},
		{name: "encrypted key, passphrase file", keyFile: encrypted, passFile: passFile},
		{name: "encrypted key, passphrase env", keyFile: encrypted, passEnv: "CLAIMS_TEST_KEY_PASSPHRASE"},
		{name: "encrypted key, no passphrase", keyFile: encrypted, wantNewErr: true},
		{name: "encrypted key, wrong passphrase", keyFile: encrypted, passFile: wrongPassFile, wantNewErr: true},
		{name: "encrypted key, unset env", keyFile: encrypted, passEnv: "CLAIMS_TEST_UNSET_VARIABLE", wantNewErr: true},
	}
	t.Setenv("CLAIMS_TEST_KEY_PASSPHRASE", "s3cret passphrase")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newCase(t, ts)
			cfg := tc.cfg
			cfg.PasswordFile = ""
			cfg.KeyFile, cfg.KeyPassphraseFile, cfg.KeyPassphraseEnv = tt.keyFile, tt.passFile, tt.passEnv
			c, err := New(cfg, nil)
			if tt.wantNewErr {
				if err == nil || !errors.Is(err, ErrAuth) {
					t.Fatalf("New = %v; want an error wrapping ErrAuth", err)
				}
				if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "nope") {
					t.Errorf("error %q reveals a secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer c.Close()
			if _, err := c.Stat(t.Context(), "x"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Stat = %v, want fs.ErrNotExist after logging in", err)
			}
		})
	}
}

func TestInsecureWarnsOnEveryConnection(t *testing.T) {
	ts, _, _ := startInProcess(t)
	tc := newCase(t, ts)
	p := newProxy(t, ts.addr)
	tc.via(t, p)
	core, logs := observer.New(zap.WarnLevel)
	c := tc.client(t, zap.New(core), func(c *Config) {
		c.HostKeyFingerprint = ""
		c.InsecureIgnoreHostKey = true
	})
	for i := range 2 {
		if _, err := c.Stat(t.Context(), "x"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat #%d = %v, want fs.ErrNotExist", i, err)
		}
		p.breakAll()
		p.waitEnded(t)
	}
	got := logs.FilterMessageSnippet("host key NOT verified").Len()
	if got != 2 {
		t.Errorf("got %d insecure-mode warnings for 2 connections, want 2", got)
	}
}

func TestCancelDuringHandshake(t *testing.T) {
	addr, accepted := blackhole(t)
	ts, _, _ := startInProcess(t)
	tc := newCase(t, ts)
	tc.cfg.Host, tc.cfg.Port = splitAddr(t, addr)
	c := tc.client(t, nil, func(c *Config) {
		c.HandshakeTimeout = time.Hour
		c.OpTimeout = time.Hour
	})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-accepted
		cancel()
	}()
	start := time.Now()
	_, err := c.Stat(ctx, "x")
	if !errors.Is(err, context.Canceled) || !IsPermanent(err) {
		t.Fatalf("Stat = %v; want a permanent error wrapping context.Canceled", err)
	}
	if got := opError(t, err).Attempts; got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Stat took %v after cancel", d)
	}
}

func TestHandshakeTimeoutIsTransientAndBounded(t *testing.T) {
	addr, accepted := blackhole(t)
	ts, _, _ := startInProcess(t)
	tc := newCase(t, ts)
	tc.cfg.Host, tc.cfg.Port = splitAddr(t, addr)
	c := tc.client(t, nil, func(c *Config) {
		c.HandshakeTimeout = 50 * time.Millisecond
		c.MaxAttempts = 3
	})
	_, err := c.Stat(t.Context(), "x")
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("Stat = %v; want a transient timeout", err)
	}
	if got := opError(t, err).Attempts; got != 3 {
		t.Errorf("attempts = %d, want 3", got)
	}
	if got := len(accepted); got != 3 {
		t.Errorf("connections = %d, want 3", got)
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ts, _, _ := startInProcess(t)
	tc := newCase(t, ts)
	tc.cfg.Host, tc.cfg.Port = splitAddr(t, addr)
	c := tc.client(t, nil, func(c *Config) { c.MaxAttempts = 2 })
	_, err = c.List(t.Context())
	if err == nil || IsPermanent(err) || opError(t, err).Attempts != 2 {
		t.Fatalf("List = %v; want a transient error after 2 attempts", err)
	}
}

func TestClose(t *testing.T) {
	ts, _, _ := startInProcess(t)
	tc := newCase(t, ts)
	c, err := New(tc.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat(t.Context(), "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat = %v", err)
	}
	for range 2 {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	_, err = c.Stat(t.Context(), "x")
	if !errors.Is(err, ErrClosed) || !IsPermanent(err) {
		t.Errorf("Stat after Close = %v, want ErrClosed", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	ts, _, _ := startInProcess(t)
	tc := newCase(t, ts)
	p := newProxy(t, ts.addr)
	tc.via(t, p)
	c := tc.client(t, nil)
	data := randomBytes(200 << 10)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "f" + string(rune('a'+i)) + ".837"
			if err := c.Put(t.Context(), name, bytes.NewReader(data), int64(len(data))); err != nil {
				errs <- err
				return
			}
			if n, err := c.Stat(t.Context(), name); err != nil || n != int64(len(data)) {
				errs <- errors.Join(err, errors.New("wrong size"))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := p.accepted.Load(); got != 1 {
		t.Errorf("connections = %d, want 1 shared connection", got)
	}
}
