package clearinghousesim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// standalone starts a standalone simulator with two users: "alice"
// (bcrypt password, 999s) and "bob" (an ed25519 key, 997s, the given
// faults), with realistic delays on clk.
func standalone(t *testing.T, dir string, clk *testClock, bobFaults string) (*Standalone, ssh.Signer) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("alice-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	if b, err := os.ReadFile(filepath.Join(dir, "bob.key")); err == nil {
		if signer, err = ssh.ParsePrivateKey(b); err != nil {
			t.Fatal(err)
		}
	} else {
		block, _ := ssh.MarshalPrivateKey(priv, "")
		if err := os.WriteFile(filepath.Join(dir, "bob.key"), pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	yaml := `
listen: 127.0.0.1:0
root: boxes
state_dir: state
host_key: state/host_key
sample_payers: true
timing: {compression: 60, ack: 5m, claim_ack: 2h, remit: 48h}
users:
  - name: alice
    password_hash: "` + string(hash) + `"
  - name: bob
    authorized_keys: ["` + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + `"]
    ack_format: "997"
    faults: ` + bobFaults + `
`
	cfg, err := ParseStandaloneConfig([]byte(yaml), "sim.yaml", dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := StartStandalone(context.Background(), cfg, clk.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, signer
}

func login(t *testing.T, s *Standalone, user string, auth ssh.AuthMethod) *sftp.Client {
	t.Helper()
	conn, err := ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{auth},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
			if ssh.FingerprintSHA256(k) != s.HostKeyFingerprint() {
				return errors.New("host key mismatch")
			}
			return nil
		}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("ssh %s: %v", user, err)
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c
}

func upload(t *testing.T, c *sftp.Client, name, content string) {
	t.Helper()
	f, err := c.Create("/inbound/" + name + ".part")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := c.PosixRename("/inbound/"+name+".part", "/inbound/"+name); err != nil {
		t.Fatal(err)
	}
}

func listNames(t *testing.T, c *sftp.Client, dir string) []string {
	t.Helper()
	fis, err := c.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fi := range fis {
		if !fi.IsDir() {
			out = append(out, fi.Name())
		}
	}
	slices.Sort(out)
	return out
}

// TestStandaloneUsersTimingAndRestart: each user sees only its own
// folder; responses come when due by the injected clock (999 in minutes,
// 277CA in hours, 835 in days, compressed); a restart keeps the host key
// and the responses still due, and answers nothing twice.
func TestStandaloneUsersTimingAndRestart(t *testing.T) {
	dir := t.TempDir()
	clk := &testClock{t: testNow()}
	s, bobKey := standalone(t, dir, clk, "{}")
	fp := s.HostKeyFingerprint()
	if fi, err := os.Stat(filepath.Join(dir, "state", "host_key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key file: %v %v", fi, err)
	}
	alice := login(t, s, "alice", ssh.Password("alice-pw"))
	bob := login(t, s, "bob", ssh.PublicKeys(bobKey))
	fis, err := alice.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, fi := range fis {
		top = append(top, fi.Name())
	}
	if slices.Sort(top); !slices.Equal(top, []string{"inbound", "outbound"}) {
		t.Errorf("alice's root holds %v", top)
	}
	for _, p := range []string{"/../bob/inbound", "/../../state/" + StateFile, "/../../boxes/bob"} {
		if _, err := alice.Stat(p); err == nil {
			t.Errorf("alice reaches %s", p)
		}
	}
	upload(t, alice, "a.x12", fixture(t, "basic.x12"))
	upload(t, bob, "b.x12", strings.ReplaceAll(strings.ReplaceAll(fixture(t, "basic.x12"), "000000101", "000000201"), "PCN", "BOB"))
	ctx := context.Background()
	if _, err := s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, alice, "/outbound"); len(got) != 0 {
		t.Errorf("responses before they are due: %v", got)
	}
	clk.advance(5 * time.Second) // 5m / 60
	s.Step(ctx)
	if got := listNames(t, alice, "/outbound"); !slices.Equal(got, []string{"a.999"}) {
		t.Errorf("alice after 5s: %v", got)
	}
	if got := listNames(t, bob, "/outbound"); !slices.Equal(got, []string{"b.997"}) {
		t.Errorf("bob after 5s: %v", got)
	}
	// Restart with the 277CA and 835s due.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ = standalone(t, dir, clk, "{}")
	defer s.Close()
	if s.HostKeyFingerprint() != fp {
		t.Error("host key changed across a restart")
	}
	alice = login(t, s, "alice", ssh.Password("alice-pw"))
	clk.advance(2 * time.Minute) // 2h / 60
	if rep, _ := s.Step(ctx); rep.Files != 0 {
		t.Errorf("a restart answered again: %+v", rep)
	}
	if got := listNames(t, alice, "/outbound"); !slices.Equal(got, []string{"a.277CA", "a.999"}) {
		t.Errorf("alice after 2m: %v", got)
	}
	clk.advance(48 * time.Minute) // 48h / 60
	s.Step(ctx)
	if got := listNames(t, alice, "/outbound"); len(got) != 5 {
		t.Errorf("alice after 50m: %v", got)
	}
	if n, _, err := s.Pending(ctx); n != 0 || err != nil {
		t.Errorf("pending = %d, %v", n, err)
	}
	// A host key others may read is refused.
	s.Close()
	if err := os.Chmod(filepath.Join(dir, "state", "host_key"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseStandaloneConfig([]byte("root: boxes\nstate_dir: state\nhost_key: state/host_key\nsample_payers: true\nusers: [{name: a, password: x}]\n"), "sim.yaml", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartStandalone(ctx, cfg, clk.now, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a host key readable by others: %v", err)
	}
	if err := os.Chmod(filepath.Join(dir, "state", "host_key"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ = standalone(t, dir, clk, "{}")
	defer s.Close()
	// Wrong password, unknown key.
	if _, err := ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{User: "alice", Auth: []ssh.AuthMethod{ssh.Password("nope")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}); err == nil { //nolint:gosec // a test of refusal
		t.Error("a wrong password logged in")
	}
}

// TestStandaloneFaults: a 999 that never comes, the same 835 under two
// names, a response growing while listed, a connection dropped in the
// middle of a download, slow transfers — set in the config or by the
// control file.
func TestStandaloneFaults(t *testing.T) {
	dir := t.TempDir()
	clk := &testClock{t: testNow()}
	s, bobKey := standalone(t, dir, clk, "{no_ack: true, duplicate_remit: true}")
	defer s.Close()
	ctx := context.Background()
	bob := login(t, s, "bob", ssh.PublicKeys(bobKey))
	upload(t, bob, "b.x12", fixture(t, "basic.x12"))
	s.Step(ctx)
	clk.advance(time.Hour)
	s.Step(ctx)
	got := listNames(t, bob, "/outbound")
	if slices.Contains(got, "b.997") || len(got) != 7 {
		t.Fatalf("with no_ack and duplicate_remit: %v, want the 277CA and each of 3 835s twice", got)
	}
	a, _ := readRemote(bob, "/outbound/LRK60_000000003.835")
	b, _ := readRemote(bob, "/outbound/LRK60_000000003_copy.835")
	if len(a) == 0 || string(a) != string(b) {
		t.Error("the duplicate 835 differs from the first")
	}

	// The control file: drop the connection after 100 bytes, slow
	// transfers.
	ctl := "drop_after_bytes: 100\nslow_transfer: 1ms\n"
	f, err := bob.Create("/" + FaultsFileName)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(ctl))
	f.Close()
	bob2 := login(t, s, "bob", ssh.PublicKeys(bobKey))
	r, err := bob2.Open("/outbound/LRK60_000000003.835")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(r)
	if err == nil {
		t.Error("a download of more than 100 bytes was not cut")
	}
	if err := os.Remove(filepath.Join(dir, "boxes", "bob", FaultsFileName)); err != nil {
		t.Fatal(err)
	}
	bob3 := login(t, s, "bob", ssh.PublicKeys(bobKey))
	if b, err := readRemote(bob3, "/outbound/LRK60_000000003.835"); err != nil || len(b) != len(a) {
		t.Errorf("after the control file is gone the download works: %d bytes, %v", len(b), err)
	}
}

// TestSlowWriteGrows: under slow_write a response is visible under its
// final name while it grows.
func TestSlowWriteGrows(t *testing.T) {
	r := newResponder(t, func(c *Config) { c.Faults = Faults{SlowWrite: true, SlowWriteStep: 30 * time.Millisecond} })
	defer r.Close()
	drop(t, r, "in.x12", fixture(t, "basic.x12"))
	done := make(chan struct{})
	go func() { defer close(done); respond(t, r) }()
	var sizes []int64
	for i := 0; i < 200; i++ {
		select {
		case <-done:
			i = 200
		default:
		}
		if fi, err := os.Stat(filepath.Join(r.Root(), OutboundDir, "in.999")); err == nil {
			if n := len(sizes); n == 0 || sizes[n-1] != fi.Size() {
				sizes = append(sizes, fi.Size())
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	<-done
	if len(sizes) < 2 {
		t.Errorf("in.999 was never seen growing: sizes %v", sizes)
	}
}

func readRemote(c *sftp.Client, name string) ([]byte, error) {
	f, err := c.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
