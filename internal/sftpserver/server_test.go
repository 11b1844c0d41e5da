package sftpserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

const password = "pw"

func newServer(t *testing.T, keys ...ssh.PublicKey) (*Server, string) {
	t.Helper()
	root := t.TempDir()
	srv, err := NewServer(Config{
		Root:  root,
		Users: []User{{Name: "u", Password: password, AuthorizedKeys: keys}},
		Logf:  t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv, root
}

func dial(t *testing.T, srv *Server, auth ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	return ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{
		User:            "u",
		Auth:            []ssh.AuthMethod{auth},
		HostKeyCallback: ssh.FixedHostKey(srv.HostKey()),
	})
}

func client(t *testing.T, srv *Server) *sftp.Client {
	t.Helper()
	conn, err := dial(t, srv, ssh.Password(password))
	if err != nil {
		t.Fatal(err)
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		conn.Close()
	})
	return c
}

func TestNewServerErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	users := []User{{Name: "u", Password: "p"}}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no root", Config{Users: users}},
		{"missing root", Config{Root: filepath.Join(t.TempDir(), "missing"), Users: users}},
		{"root is a file", Config{Root: file, Users: users}},
		{"no users", Config{Root: t.TempDir()}},
		{"bad address", Config{Root: t.TempDir(), Users: users, Addr: "256.0.0.1:0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := NewServer(tt.cfg)
			if err == nil {
				srv.Close()
				t.Fatal("NewServer succeeded, want an error")
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	srv, _ := newServer(t)
	if srv.Host() != "127.0.0.1" || srv.Port() == 0 || srv.Addr() != net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port())) {
		t.Errorf("Host %q Port %d Addr %q", srv.Host(), srv.Port(), srv.Addr())
	}
	if !strings.HasPrefix(srv.Fingerprint(), "SHA256:") || srv.HostKey().Type() != ssh.KeyAlgoED25519 {
		t.Errorf("Fingerprint %q, key type %q", srv.Fingerprint(), srv.HostKey().Type())
	}
	// The known_hosts line is accepted by x/crypto's known_hosts parser.
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(srv.KnownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cb, err := knownhosts.New(kh)
	if err != nil {
		t.Fatal(err)
	}
	if err := cb(srv.Addr(), &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: srv.Port()}, srv.HostKey()); err != nil {
		t.Errorf("known_hosts line does not match the server: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := ssh.NewSignerFromKey(priv)
	_, priv2, _ := ed25519.GenerateKey(rand.Reader)
	bad, _ := ssh.NewSignerFromKey(priv2)
	srv, _ := newServer(t, good.PublicKey())

	tests := []struct {
		name   string
		auth   ssh.AuthMethod
		wantOK bool
	}{
		{"password", ssh.Password(password), true},
		{"wrong password", ssh.Password("nope"), false},
		{"key", ssh.PublicKeys(good), true},
		{"unknown key", ssh.PublicKeys(bad), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.AuthFailures()
			conn, err := dial(t, srv, tt.auth)
			if (err == nil) != tt.wantOK {
				t.Fatalf("dial: %v, want ok=%v", err, tt.wantOK)
			}
			if err == nil {
				conn.Close()
			} else if srv.AuthFailures() == before {
				t.Error("AuthFailures did not grow")
			}
		})
	}
}

func TestConfinedToRoot(t *testing.T) {
	srv, root := newServer(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "secretlink")); err != nil {
		t.Fatal(err)
	}
	c := client(t, srv)

	rel, err := filepath.Rel(root, filepath.Join(outside, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/../../../../../../etc/passwd",
		"../" + filepath.ToSlash(rel),
		"/" + filepath.ToSlash(rel),
		"/escape/secret",
		"/secretlink",
	} {
		if f, err := c.Open(p); err == nil {
			b, _ := io.ReadAll(f)
			f.Close()
			t.Errorf("Open(%q) succeeded and read %q; want it refused", p, b)
		}
	}
	for _, p := range []string{"/escape/new", "/escape/secret", "/secretlink"} {
		if f, err := c.Create(p); err == nil {
			f.Write([]byte("overwritten"))
			f.Close()
			t.Errorf("Create(%q) succeeded; want it refused", p)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Error("a file was created outside the root")
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "outside" {
		t.Errorf("file outside the root was changed to %q", b)
	}
}

func TestOperations(t *testing.T) {
	srv, root := newServer(t)
	c := client(t, srv)
	if err := c.Mkdir("/d"); err != nil {
		t.Fatal(err)
	}
	f, err := c.Create("/d/a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "d", "a")); err != nil || string(b) != "hello" {
		t.Fatalf("file on disk = %q, %v", b, err)
	}
	if fi, err := c.Stat("/d/a"); err != nil || fi.Size() != 5 {
		t.Fatalf("Stat = %v, %v", fi, err)
	}
	if err := os.WriteFile(filepath.Join(root, "d", "b"), []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Plain rename refuses to replace; posix-rename replaces.
	if err := c.Rename("/d/a", "/d/b"); err == nil {
		t.Error("Rename onto an existing file succeeded")
	}
	if _, ok := c.HasExtension("posix-rename@openssh.com"); !ok {
		t.Fatal("posix-rename@openssh.com not offered")
	}
	if err := c.PosixRename("/d/a", "/d/b"); err != nil {
		t.Fatalf("PosixRename: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "d", "b")); string(b) != "hello" {
		t.Errorf("after PosixRename b = %q", b)
	}
	entries, err := c.ReadDir("/d")
	if err != nil || len(entries) != 1 || entries[0].Name() != "b" {
		t.Errorf("ReadDir = %v, %v", entries, err)
	}
	if err := c.Truncate("/d/b", 2); err != nil {
		t.Errorf("Truncate: %v", err)
	}
	if err := c.Remove("/d/b"); err != nil {
		t.Errorf("Remove: %v", err)
	}
	if err := c.RemoveDirectory("/d"); err != nil {
		t.Errorf("RemoveDirectory: %v", err)
	}
	if _, err := c.Stat("/d"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after removal = %v", err)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	srv, root := newServer(t)
	ro := filepath.Join(root, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o700) })
	c := client(t, srv)
	_, err := c.Create("/ro/x")
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Create in a 0500 folder = %v, want permission denied", err)
	}
	if err := c.Mkdir("/ro/sub"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Mkdir in a 0500 folder = %v, want permission denied", err)
	}
}

func TestRefusesShellAndExec(t *testing.T) {
	srv, _ := newServer(t)
	conn, err := dial(t, srv, ssh.Password(password))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Start("id"); err == nil {
		t.Error("exec request accepted")
	}
	sess2, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess2.Close()
	if err := sess2.RequestSubsystem("nope"); err == nil {
		t.Error("unknown subsystem accepted")
	}
}

// TestMisbehavingClients sends garbage, half handshakes and broken SFTP
// packets; the server must survive and Close must return.
func TestMisbehavingClients(t *testing.T) {
	srv, _ := newServer(t)
	// Garbage instead of an SSH version line.
	raw, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	raw.Write([]byte("GET / HTTP/1.0\r\n\r\n" + strings.Repeat("\x00\xff", 1000)))
	raw.Close()
	// A connection that never speaks.
	idle, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// A valid session whose SFTP stream is garbage.
	conn, err := dial(t, srv, ssh.Password(password))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.RequestSubsystem("sftp"); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte{0, 0, 0, 5, 200, 1, 2, 3, 4})                 // unknown packet type
	stdin.Write([]byte{0, 0, 0, 3, 3, 0, 0})                         // truncated open
	stdin.Write([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7}) // absurd length
	stdin.Close()
	io.Copy(io.Discard, stdout)
	sess.Close()

	// The server still serves a well-behaved client.
	c := client(t, srv)
	if _, err := c.Stat("/"); err != nil {
		t.Errorf("Stat after misbehaving clients: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
