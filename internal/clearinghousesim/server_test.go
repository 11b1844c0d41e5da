package clearinghousesim

import (
	"bytes"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func startSimulator(t *testing.T) *Simulator {
	t.Helper()
	cfg := DefaultConfig(t.TempDir())
	cfg.Now = testNow
	sim, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sim
}

// dial connects an SFTP client that pins the simulator's host key.
func dial(t *testing.T, addr string, hostKey ssh.HostKeyCallback, auth ...ssh.AuthMethod) *sftp.Client {
	t.Helper()
	conn, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: User, Auth: auth, HostKeyCallback: hostKey, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh dial: %v", err)
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		conn.Close()
		t.Fatalf("sftp: %v", err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c
}

// TestSFTPRoundTrip uploads an 837 the way the pipeline does (temporary
// name, then rename), lets the simulator respond, and downloads the
// responses over SFTP.
func TestSFTPRoundTrip(t *testing.T) {
	sim := startSimulator(t)
	if !strings.HasPrefix(sim.Addr(), "127.0.0.1:") || sim.Port() == 0 || sim.Host() != "127.0.0.1" {
		t.Fatalf("address %s", sim.Addr())
	}
	if !strings.HasPrefix(sim.HostKeyFingerprint(), "SHA256:") {
		t.Fatalf("fingerprint %q", sim.HostKeyFingerprint())
	}
	c := dial(t, sim.Addr(), ssh.FixedHostKey(sim.HostKey()), ssh.Password(sim.Password()))

	data := fixture(t, "basic.x12")
	part := path.Join(sim.UploadDir(), "batch-000101.x12.part")
	f, err := c.Create(part)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := io.Copy(f, strings.NewReader(data)); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Not answered while it has its temporary name.
	rep, err := sim.Respond(context.Background())
	if err != nil || rep.Files != 0 {
		t.Fatalf("Respond during upload = %+v, %v", rep, err)
	}
	if err := c.Rename(part, path.Join(sim.UploadDir(), "batch-000101.x12")); err != nil {
		t.Fatalf("rename: %v", err)
	}
	rep, err = sim.Respond(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := c.ReadDir(sim.ResponseDir())
	if err != nil {
		t.Fatalf("list responses: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	want := slices.Clone(rep.Outputs)
	slices.Sort(want)
	if !slices.Equal(names, want) || len(names) != 5 {
		t.Fatalf("remote responses %v, want %v", names, want)
	}
	// Listing oldest first gives the order the pipeline should apply
	// them in: 999, 277CA, 835s.
	slices.SortFunc(entries, func(a, b os.FileInfo) int { return a.ModTime().Compare(b.ModTime()) })
	var byTime []string
	for _, e := range entries {
		byTime = append(byTime, e.Name())
	}
	if !slices.Equal(byTime, rep.Outputs) {
		t.Errorf("responses by time %v, want %v", byTime, rep.Outputs)
	}
	for _, n := range names {
		rf, err := c.Open(path.Join(sim.ResponseDir(), n))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rf)
		rf.Close()
		if err != nil {
			t.Fatal(err)
		}
		local, err := os.ReadFile(filepath.Join(sim.Root(), OutboundDir, n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, local) {
			t.Errorf("%s: downloaded bytes differ from the file written", n)
		}
		// The pipeline deletes what it has collected.
		if err := c.Remove(path.Join(sim.ResponseDir(), n)); err != nil {
			t.Errorf("remove %s: %v", n, err)
		}
	}
	if _, err := c.Stat(path.Join(sim.UploadDir(), "processed", "batch-000101.x12")); err != nil {
		t.Errorf("processed 837 not visible: %v", err)
	}
}

func TestSFTPKeyAuthAndCredentials(t *testing.T) {
	sim := startSimulator(t)
	creds, err := sim.WriteCredentials(filepath.Join(t.TempDir(), "secrets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{creds.PasswordFile, creds.KeyFile, creds.KnownHostsFile} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v", p, err, fi.Mode().Perm())
		}
	}
	key, err := os.ReadFile(creds.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		t.Fatalf("client key file: %v", err)
	}
	hk, err := knownhosts.New(creds.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, sim.Addr(), hk, ssh.PublicKeys(signer))
	if _, err := c.ReadDir(sim.ResponseDir()); err != nil {
		t.Fatalf("list with key auth: %v", err)
	}
	pw, err := os.ReadFile(creds.PasswordFile)
	if err != nil || string(pw) != sim.Password() {
		t.Errorf("password file = %q, %v", pw, err)
	}
	if _, err := sim.WriteCredentials(filepath.Join(sim.Root(), "outbound")); err == nil {
		t.Error("WriteCredentials wrote secrets into the served folder")
	}
}

func TestSFTPWrongHostKeyRefused(t *testing.T) {
	sim := startSimulator(t)
	other := startSimulator(t)
	_, err := ssh.Dial("tcp", sim.Addr(), &ssh.ClientConfig{User: User, Auth: []ssh.AuthMethod{ssh.Password(sim.Password())},
		HostKeyCallback: ssh.FixedHostKey(other.HostKey()), Timeout: 10 * time.Second})
	if err == nil {
		t.Fatal("connected although the pinned host key is another server's")
	}
}

func TestStartRejectsBadConfig(t *testing.T) {
	if _, err := Start(context.Background(), Config{Root: t.TempDir()}); err == nil {
		t.Fatal("Start accepted an empty configuration")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Start(ctx, DefaultConfig(t.TempDir())); err == nil {
		t.Fatal("Start ignored a cancelled context")
	}
}
