package sftpserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
)

// TestUserRootsHashesAndFaults: each user with its own Root sees only
// it; a bcrypt hash logs in; a given host key is used; faults read at
// every open slow or drop a session.
func TestUserRootsHashesAndFaults(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(b, "secret"), []byte("b's"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a, "big"), []byte(strings.Repeat("x", 64<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("alice-pw"), bcrypt.MinCost)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	host, _ := ssh.NewSignerFromKey(priv)
	var drop atomic.Int64
	srv, err := NewServer(Config{
		Users:   []User{{Name: "alice", PasswordHash: string(hash), Root: a}, {Name: "bob", Password: "bob-pw", Root: b}},
		HostKey: host, Logf: t.Logf,
		Faults: func(user string) Faults {
			if user == "alice" {
				return Faults{DropAfterBytes: drop.Load(), Delay: time.Millisecond}
			}
			return Faults{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.Fingerprint() != ssh.FingerprintSHA256(host.PublicKey()) {
		t.Error("the given host key is not used")
	}
	login := func(user, pw string) (*sftp.Client, error) {
		conn, err := ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pw)},
			HostKeyCallback: ssh.FixedHostKey(host.PublicKey()), Timeout: 5 * time.Second})
		if err != nil {
			return nil, err
		}
		c, err := sftp.NewClient(conn)
		if err != nil {
			conn.Close()
			return nil, err
		}
		t.Cleanup(func() { c.Close(); conn.Close() })
		return c, nil
	}
	if _, err := login("alice", "wrong"); err == nil {
		t.Error("a wrong password matched the hash")
	}
	alice, err := login("alice", "alice-pw")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/secret", "/../secret", "../" + filepath.Base(b) + "/secret"} {
		if _, err := alice.Stat(p); err == nil {
			t.Errorf("alice reaches bob's %s", p)
		}
	}
	bob, err := login("bob", "bob-pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Stat("/secret"); err != nil {
		t.Errorf("bob cannot see his own file: %v", err)
	}
	read := func(c *sftp.Client) error {
		f, err := c.Open("/big")
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.ReadAll(f)
		return err
	}
	if err := read(alice); err != nil {
		t.Fatalf("download without a drop: %v", err)
	}
	drop.Store(1000) // from the next open on, the session drops
	if err := read(alice); err == nil {
		t.Error("a 64 KiB download went through a session that drops after 1000 bytes")
	}
	if _, err := bob.Stat("/secret"); err != nil {
		t.Errorf("bob's session suffered alice's fault: %v", err)
	}
}
