package sftp

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/x12claims/claims/pipeline"
)

type suiteTest struct {
	name string
	run  func(t *testing.T, srv *testServer)
}

// suiteTests are the tests that every server must pass, in-process and
// OpenSSH alike.
func suiteTests() []suiteTest {
	return []suiteTest{
		{"PutRenameStat", testPutRenameStat},
		{"PutContentSizeMismatch", testPutContentSizeMismatch},
		{"Rename", testRename},
		{"Stat", testStat},
		{"ListSanitises", testListSanitises},
		{"Fetch", testFetch},
		{"FetchTooLarge", testFetchTooLarge},
		{"Done", testDone},
		{"PermissionDenied", testPermissionDenied},
		{"HostKey", testHostKey},
		{"WrongCredentials", testWrongCredentials},
		{"FaultUpload", testFaultUpload},
		{"FaultDownload", testFaultDownload},
		{"Reconnect", testReconnect},
		{"CancelUpload", testCancelUpload},
		{"CancelDownload", testCancelDownload},
		{"Reject", testReject},
		{"PutPrivate", testPutPrivate},
		{"LongNames", testLongNames},
		{"Pickup", testPickup},
	}
}

func runSuite(t *testing.T, srv *testServer) {
	t.Helper()
	for _, st := range suiteTests() {
		t.Run(st.name, func(t *testing.T) { st.run(t, srv) })
	}
}

func opError(t *testing.T, err error) *OpError {
	t.Helper()
	var oe *OpError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T) is not an *OpError", err, err)
	}
	return oe
}

func testPutRenameStat(t *testing.T, srv *testServer) {
	for _, size := range []int{0, 1, 32<<10 + 7, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			tc := newCase(t, srv)
			c := tc.client(t, nil)
			ctx := t.Context()
			data := randomBytes(size)
			tmp, final := ".claim.837.tmp", "claim.837"
			// A stale, longer file under the temporary name is replaced.
			writeFile(t, filepath.Join(tc.upload, tmp), randomBytes(size+100))

			if err := c.Put(ctx, tmp, bytes.NewReader(data), int64(size)); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if got, err := c.Stat(ctx, tmp); err != nil || got != int64(size) {
				t.Fatalf("Stat(tmp) = %d, %v; want %d, nil", got, err, size)
			}
			mustNotExist(t, filepath.Join(tc.upload, final))
			if err := c.Rename(ctx, tmp, final); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			mustNotExist(t, filepath.Join(tc.upload, tmp))
			got, err := os.ReadFile(filepath.Join(tc.upload, final))
			if err != nil {
				t.Fatal(err)
			}
			if sum(got) != sum(data) {
				t.Errorf("final file: got %d bytes with sha256 %x, want %d bytes %x", len(got), sum(got), len(data), sum(data))
			}
			if got, err := c.Stat(ctx, final); err != nil || got != int64(size) {
				t.Errorf("Stat(final) = %d, %v; want %d, nil", got, err, size)
			}
		})
	}
}

func testPutContentSizeMismatch(t *testing.T, srv *testServer) {
	tests := []struct {
		name    string
		content []byte
		size    int64
	}{
		{"short", randomBytes(100), 200},
		{"long", randomBytes(300), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newCase(t, srv)
			c := tc.client(t, nil)
			err := c.Put(t.Context(), "x.tmp", bytes.NewReader(tt.content), tt.size)
			if err == nil {
				t.Fatal("Put succeeded, want an error")
			}
			if !IsPermanent(err) || opError(t, err).Attempts != 1 {
				t.Errorf("Put: %v (attempts %d); want a permanent error after 1 attempt", err, opError(t, err).Attempts)
			}
			mustNotExist(t, filepath.Join(tc.upload, "x.tmp"))
		})
	}
}

func testRename(t *testing.T, srv *testServer) {
	same := randomBytes(5000)
	other := bytes.Clone(same)
	other[4000] ^= 0xff
	tests := []struct {
		name         string
		from, to     []byte // nil: absent
		wantErr      []error
		wantFrom     bool   // from still exists afterwards
		wantToSHA256 []byte // content of to afterwards
	}{
		{name: "target absent", from: same, wantToSHA256: same},
		{name: "target identical", from: same, to: same, wantToSHA256: same},
		{name: "target differs, same size", from: same, to: other, wantErr: []error{fs.ErrExist}, wantFrom: true, wantToSHA256: other},
		{name: "target differs in size", from: same, to: randomBytes(10), wantErr: []error{fs.ErrExist}, wantFrom: true, wantToSHA256: randomBytes(10)},
		{name: "source missing", wantErr: []error{fs.ErrNotExist}},
		{name: "source missing, target exists", to: same, wantErr: []error{fs.ErrNotExist, fs.ErrExist}, wantToSHA256: same},
	}
	for _, plain := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/plain=%v", tt.name, plain), func(t *testing.T) {
				tc := newCase(t, srv)
				c := tc.client(t, nil)
				c.noPosixRename = plain
				fromPath, toPath := filepath.Join(tc.upload, ".a.tmp"), filepath.Join(tc.upload, "a.837")
				if tt.from != nil {
					writeFile(t, fromPath, tt.from)
				}
				if tt.to != nil {
					writeFile(t, toPath, tt.to)
				}

				err := c.Rename(t.Context(), ".a.tmp", "a.837")
				if len(tt.wantErr) == 0 && err != nil {
					t.Fatalf("Rename: %v", err)
				}
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) || !IsPermanent(err) {
						t.Errorf("Rename: %v; want a permanent error wrapping %v", err, want)
					}
				}
				if _, statErr := os.Stat(fromPath); (statErr == nil) != tt.wantFrom {
					t.Errorf("source exists = %v, want %v", statErr == nil, tt.wantFrom)
				}
				if tt.wantToSHA256 != nil {
					got, err := os.ReadFile(toPath)
					if err != nil || sum(got) != sum(tt.wantToSHA256) {
						t.Errorf("target content changed (err=%v)", err)
					}
				}
			})
		}
	}
	t.Run("same name", func(t *testing.T) {
		c := newCase(t, srv).client(t, nil)
		if err := c.Rename(t.Context(), "a", "a"); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Rename(a, a) = %v, want ErrInvalidName", err)
		}
	})
}

func testStat(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	c := tc.client(t, nil)
	if err := os.Mkdir(filepath.Join(tc.upload, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		wantErr error
	}{
		{"missing", "missing.837", fs.ErrNotExist},
		{"escape", "../outbound", ErrInvalidName},
		{"separator", "a/b", ErrInvalidName},
		{"control", "a\nb", ErrInvalidName},
		{"directory", "sub", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Stat(t.Context(), tt.file)
			if err == nil {
				t.Fatal("Stat succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Stat: %v; want an error wrapping %v", err, tt.wantErr)
			}
			if !IsPermanent(err) {
				t.Errorf("Stat: %v; want a permanent error", err)
			}
		})
	}
}

func testListSanitises(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	core, logs := observer.New(zap.WarnLevel)
	c := tc.client(t, zap.New(core))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	files := []struct {
		name string
		age  time.Duration // after t0
	}{
		{"b.999", 2 * time.Minute},
		{"a.999", time.Minute},
		{"c.835", time.Minute},
		{"z.999", 0},
		{"notes.txt", 0},
		{".hidden.999", 0},
		{"evil\nname.999", 0},
		{"a..b.999", 0},
		{"esc\x1b[31m.999", 0},
		{"tab\t.835", 0},
		{"rlo\u202eevil.999", 0},
	}
	for i, f := range files {
		p := filepath.Join(tc.resp, f.name)
		writeFile(t, p, randomBytes(10+i))
		if err := os.Chtimes(p, t0.Add(f.age), t0.Add(f.age)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(tc.resp, "dir.999"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.999", filepath.Join(tc.resp, "link.999")); err != nil {
		t.Fatal(err)
	}

	got, err := c.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	want := []string{"a..b.999", "z.999", "a.999", "c.835", "b.999"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("List names = %q, want %q", names, want)
	}
	for _, f := range got {
		if f.Name == "a.999" && (f.Size != 11 || !f.ModTime.Equal(t0.Add(time.Minute))) {
			t.Errorf("a.999: size %d modtime %v, want 11 and %v", f.Size, f.ModTime, t0.Add(time.Minute))
		}
	}

	warned := map[string]bool{}
	for _, e := range logs.FilterMessage("sftp skipping response file with unsafe name").All() {
		for _, f := range e.Context {
			if f.Key != "name" && f.Key != "clearinghouse" {
				t.Errorf("warning carries field %q; want only the name", f.Key)
			}
		}
		warned[e.ContextMap()["name"].(string)] = true
	}
	for _, n := range []string{`".hidden.999"`, `"evil\nname.999"`, `"esc\x1b[31m.999"`, `"tab\t.835"`, `"rlo\u202eevil.999"`} {
		if !warned[n] {
			t.Errorf("no warning for %s; warnings: %v", n, warned)
		}
	}
	if len(warned) != 5 {
		t.Errorf("got %d warnings, want 5: %v", len(warned), warned)
	}
}

func testFetch(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	c := tc.client(t, nil)
	data := randomBytes(300<<10 + 5)
	writeFile(t, filepath.Join(tc.resp, "r1.999"), data)
	writeFile(t, filepath.Join(tc.resp, "empty.999"), nil)
	if err := os.Symlink("r1.999", filepath.Join(tc.resp, "link.999")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		file    string
		want    []byte
		wantErr error // nil: success; errAny: some error
	}{
		{"file", "r1.999", data, nil},
		{"empty", "empty.999", nil, nil},
		{"missing", "gone.999", nil, fs.ErrNotExist},
		{"escape", "../inbound/x", nil, ErrInvalidName},
		{"hidden", ".hidden.999", nil, ErrInvalidName},
		{"symlink", "link.999", nil, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &memSink{}
			n, err := c.Fetch(t.Context(), tt.file, sink)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if n != int64(len(tt.want)) || !bytes.Equal(sink.Bytes(), tt.want) || sink.resets != 0 {
					t.Errorf("Fetch: n=%d, %d bytes, %d resets; want %d bytes, 0 resets", n, sink.Len(), sink.resets, len(tt.want))
				}
				return
			}
			if err == nil || !IsPermanent(err) || (tt.wantErr != errAny && !errors.Is(err, tt.wantErr)) {
				t.Errorf("Fetch: %v; want a permanent error wrapping %v", err, tt.wantErr)
			}
		})
	}
}

// testFetchTooLarge: a client with MaxDownloadSize refuses a larger file
// at once, permanently, with an error wrapping pipeline.ErrTooLarge,
// having written nothing; a file at the limit comes through.
func testFetchTooLarge(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	c := tc.client(t, nil, func(cfg *Config) { cfg.MaxDownloadSize = 64 << 10 })
	writeFile(t, filepath.Join(tc.resp, "big.835"), randomBytes(64<<10+1))
	writeFile(t, filepath.Join(tc.resp, "fits.835"), randomBytes(64<<10))
	sink := &memSink{}
	if _, err := c.Fetch(t.Context(), "big.835", sink); !errors.Is(err, pipeline.ErrTooLarge) || !IsPermanent(err) || sink.Len() != 0 {
		t.Errorf("Fetch over the limit: %v, %d bytes written; want a permanent ErrTooLarge, nothing written", err, sink.Len())
	}
	if n, err := c.Fetch(t.Context(), "fits.835", &memSink{}); err != nil || n != 64<<10 {
		t.Errorf("Fetch at the limit: %d bytes, %v", n, err)
	}
}

// errAny stands for "any error" in test tables.
var errAny = errors.New("any error")

func testDone(t *testing.T, srv *testServer) {
	t.Run("delete", func(t *testing.T) {
		tc := newCase(t, srv)
		c := tc.client(t, nil, func(c *Config) { c.AfterPickup = DisposalDelete })
		writeFile(t, filepath.Join(tc.resp, "r.999"), []byte("ISA*"))
		if err := c.Done(t.Context(), "r.999"); err != nil {
			t.Fatalf("Done: %v", err)
		}
		mustNotExist(t, filepath.Join(tc.resp, "r.999"))
		if err := c.Done(t.Context(), "r.999"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("second Done = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("move", func(t *testing.T) {
		tc := newCase(t, srv)
		c := tc.client(t, nil, func(c *Config) { c.AfterPickup = DisposalMove })
		c.now = func() time.Time { return time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC) }
		for i, wantName := range []string{"r.999", "r.999.20260301T123000Z", "r.999.20260301T123000Z-2"} {
			content := []byte(fmt.Sprintf("ISA*%d", i))
			writeFile(t, filepath.Join(tc.resp, "r.999"), content)
			if err := c.Done(t.Context(), "r.999"); err != nil {
				t.Fatalf("Done #%d: %v", i, err)
			}
			mustNotExist(t, filepath.Join(tc.resp, "r.999"))
			got, err := os.ReadFile(filepath.Join(tc.archive, wantName))
			if err != nil || !bytes.Equal(got, content) {
				t.Errorf("archive/%s = %q, %v; want %q", wantName, got, err, content)
			}
		}
	})
	t.Run("move without archive folder", func(t *testing.T) {
		tc := newCase(t, srv)
		c := tc.client(t, nil, func(c *Config) {
			c.AfterPickup = DisposalMove
			c.ArchiveDir = srv.remote(filepath.Join(tc.archive, "missing"))
		})
		writeFile(t, filepath.Join(tc.resp, "r.999"), []byte("ISA*"))
		err := c.Done(t.Context(), "r.999")
		if !errors.Is(err, fs.ErrNotExist) || !IsPermanent(err) {
			t.Errorf("Done = %v, want a permanent fs.ErrNotExist", err)
		}
		if _, err := os.Stat(filepath.Join(tc.resp, "r.999")); err != nil {
			t.Errorf("response file gone after failed move: %v", err)
		}
	})
	t.Run("leave", func(t *testing.T) {
		tc := newCase(t, srv)
		c := tc.client(t, nil)
		writeFile(t, filepath.Join(tc.resp, "r.999"), []byte("ISA*"))
		if err := c.Done(t.Context(), "r.999"); err != nil {
			t.Fatalf("Done: %v", err)
		}
		if _, err := os.Stat(filepath.Join(tc.resp, "r.999")); err != nil {
			t.Errorf("file gone after leave: %v", err)
		}
		if err := c.Done(t.Context(), "other.999"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Done(missing) = %v, want fs.ErrNotExist", err)
		}
	})
}

func testPermissionDenied(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	srv.denyWrites(t, &tc.cfg, tc.upload)
	p := newProxy(t, tc.cfg.Addr())
	tc.via(t, p)
	c := tc.client(t, nil)

	data := randomBytes(10 << 10)
	err := c.Put(t.Context(), ".x.tmp", bytes.NewReader(data), int64(len(data)))
	if err == nil {
		t.Fatal("Put into a read-only folder succeeded")
	}
	t.Logf("Put into a read-only folder: %v", err)
	if !errors.Is(err, fs.ErrPermission) || !IsPermanent(err) {
		t.Errorf("Put: %v; want a permanent error wrapping fs.ErrPermission", err)
	}
	if got := opError(t, err).Attempts; got != 1 {
		t.Errorf("attempts = %d, want 1 (permanent errors are not retried)", got)
	}
	if got := p.accepted.Load(); got != 1 {
		t.Errorf("connections = %d, want 1", got)
	}
	if !strings.Contains(err.Error(), "put") || !strings.Contains(err.Error(), tc.cfg.UploadDir) {
		t.Errorf("error %q does not name the operation and path", err)
	}
	entries, _ := os.ReadDir(tc.upload)
	if len(entries) != 0 {
		t.Errorf("upload folder has %d entries, want none", len(entries))
	}
}

func testHostKey(t *testing.T, srv *testServer) {
	other, _ := newKey(t)
	offered := ssh.FingerprintSHA256(srv.hostKey)
	tests := []struct {
		name       string
		knownHosts func(addr string) string // file content; nil: use fingerprint
		fp         string
		wantErr    bool
		wantText   []string
	}{
		{name: "fingerprint mismatch", fp: ssh.FingerprintSHA256(other.PublicKey()), wantErr: true,
			wantText: []string{offered, "HostKeyFingerprint"}},
		{name: "known_hosts unknown host", wantErr: true, knownHosts: func(string) string {
			return knownhosts.Line([]string{"example.invalid"}, srv.hostKey) + "\n"
		}, wantText: []string{offered, "unknown", "ssh-ed25519 AAAA"}},
		{name: "known_hosts changed key", wantErr: true, knownHosts: func(addr string) string {
			return knownhosts.Line([]string{knownhosts.Normalize(addr)}, other.PublicKey()) + "\n"
		}, wantText: []string{offered, "CHANGED"}},
		{name: "known_hosts match", knownHosts: func(addr string) string {
			return knownhosts.Line([]string{knownhosts.Normalize(addr)}, srv.hostKey) + "\n"
		}},
		{name: "fingerprint match", fp: offered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newCase(t, srv)
			p := newProxy(t, srv.addr)
			tc.via(t, p)
			tc.cfg.HostKeyFingerprint = tt.fp
			if tt.knownHosts != nil {
				kh := filepath.Join(t.TempDir(), "known_hosts")
				writeFile(t, kh, []byte(tt.knownHosts(p.addr())))
				tc.cfg.KnownHostsFile = kh
			}
			c := tc.client(t, nil)
			_, err := c.Stat(t.Context(), "nothing.837")
			if !tt.wantErr {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("Stat = %v, want fs.ErrNotExist from a trusted server", err)
				}
				return
			}
			t.Logf("host key error: %v", err)
			var hke *HostKeyError
			if !errors.As(err, &hke) || !errors.Is(err, ErrHostKey) || !IsPermanent(err) {
				t.Fatalf("Stat = %v; want a permanent *HostKeyError", err)
			}
			if hke.Fingerprint() != offered {
				t.Errorf("offered fingerprint %s, want %s", hke.Fingerprint(), offered)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if got := p.accepted.Load(); got != 1 {
				t.Errorf("connections = %d, want 1", got)
			}
		})
	}
}

func testWrongCredentials(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	p := newProxy(t, srv.addr)
	tc.via(t, p)
	srv.badAuth(&tc.cfg)
	c := tc.client(t, nil)
	_, err := c.Stat(t.Context(), "x")
	t.Logf("wrong credentials: %v", err)
	if !errors.Is(err, ErrAuth) || !IsPermanent(err) {
		t.Fatalf("Stat = %v; want a permanent ErrAuth", err)
	}
	if got := opError(t, err).Attempts; got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
	if got := p.accepted.Load(); got != 1 {
		t.Errorf("connections = %d, want 1 (authentication failures are not retried)", got)
	}
}
