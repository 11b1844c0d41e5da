package localdir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
)

type dirs struct{ upload, resp, archive string }

func newTransport(t *testing.T, log *zap.Logger, mods ...func(*Config)) (*Transport, dirs) {
	t.Helper()
	base := t.TempDir()
	d := dirs{filepath.Join(base, "in"), filepath.Join(base, "out"), filepath.Join(base, "archive")}
	cfg := Config{Name: "local", UploadDir: d.upload, ResponseDir: d.resp, ArchiveDir: d.archive,
		Patterns: []string{"*.999", "*.835"}}
	for _, m := range mods {
		m(&cfg)
	}
	if log == nil {
		log = zaptest.NewLogger(t)
	}
	tr, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	return tr, d
}

func write(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func absent(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists (err=%v), want it absent", p, err)
	}
}

func entries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestNewCreatesPrivateFolders(t *testing.T) {
	_, d := newTransport(t, nil)
	for _, dir := range []string{d.upload, d.resp, d.archive} {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, mode %v; want 0700", dir, err, fi.Mode().Perm())
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{Name: "n", UploadDir: "/a", ResponseDir: "/b"}, nil},
		{"empty", Config{}, []string{"Name: is required", "UploadDir: is required", "ResponseDir: is required"}},
		{"move without archive", Config{Name: "n", UploadDir: "/a", ResponseDir: "/b", AfterPickup: DisposalMove}, []string{"ArchiveDir: is required"}},
		{"bad disposal", Config{Name: "n", UploadDir: "/a", ResponseDir: "/b", AfterPickup: "burn"}, []string{"AfterPickup: must be"}},
		{"bad pattern", Config{Name: "n", UploadDir: "/a", ResponseDir: "/b", Patterns: []string{"["}}, []string{"Patterns[0]:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != (tt.want == nil) {
				t.Fatalf("Validate = %v", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestPutRenameStat(t *testing.T) {
	for _, size := range []int{0, 1, 100 << 10} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			tr, d := newTransport(t, nil)
			ctx := t.Context()
			data := bytes.Repeat([]byte{'x'}, size)
			write(t, filepath.Join(d.upload, ".a.tmp"), []byte("stale and longer than the new content, maybe"))
			if err := tr.Put(ctx, ".a.tmp", bytes.NewReader(data), int64(size)); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if got, err := tr.Stat(ctx, ".a.tmp"); err != nil || got != int64(size) {
				t.Fatalf("Stat = %d, %v; want %d", got, err, size)
			}
			fi, _ := os.Stat(filepath.Join(d.upload, ".a.tmp"))
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			if err := tr.Rename(ctx, ".a.tmp", "a.837"); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			got, err := os.ReadFile(filepath.Join(d.upload, "a.837"))
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("final file = %d bytes, %v; want %d", len(got), err, size)
			}
			if names := entries(t, d.upload); len(names) != 1 {
				t.Errorf("upload folder = %q, want only a.837", names)
			}
		})
	}
}

func TestPutFailuresLeaveNothing(t *testing.T) {
	tests := []struct {
		name    string
		content io.Reader
		size    int64
		wantErr error
	}{
		{"short", bytes.NewReader(make([]byte, 10)), 20, nil},
		{"long", bytes.NewReader(make([]byte, 30)), 20, nil},
		{"read error", iotest.TimeoutReader(bytes.NewReader(make([]byte, 100<<10))), 100 << 10, iotest.ErrTimeout},
		{"invalid name", bytes.NewReader(nil), 0, ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, d := newTransport(t, nil)
			name := "x.tmp"
			if tt.wantErr == ErrInvalidName {
				name = "../x"
			}
			err := tr.Put(t.Context(), name, tt.content, tt.size)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("Put = %v, want an error wrapping %v", err, tt.wantErr)
			}
			if names := entries(t, d.upload); len(names) != 0 {
				t.Errorf("upload folder = %q, want empty", names)
			}
		})
	}
}

func TestPutCanceled(t *testing.T) {
	tr, d := newTransport(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := tr.Put(ctx, "x", bytes.NewReader([]byte("abc")), 3)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put = %v, want context.Canceled", err)
	}
	absent(t, filepath.Join(d.upload, "x"))
}

func TestPutPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: the kernel ignores folder permission bits")
	}
	tr, d := newTransport(t, nil)
	if err := os.Chmod(d.upload, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(d.upload, 0o700) })
	err := tr.Put(t.Context(), "x", bytes.NewReader([]byte("abc")), 3)
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Put = %v, want fs.ErrPermission", err)
	}
}

func TestRename(t *testing.T) {
	same := []byte("ISA*same content")
	tests := []struct {
		name     string
		from, to []byte
		wantErr  []error
		wantFrom bool
		wantTo   []byte
	}{
		{name: "target absent", from: same, wantTo: same},
		{name: "target identical", from: same, to: same, wantTo: same},
		{name: "target differs", from: same, to: []byte("ISA*SAME CONTENT"), wantErr: []error{fs.ErrExist}, wantFrom: true, wantTo: []byte("ISA*SAME CONTENT")},
		{name: "source missing", wantErr: []error{fs.ErrNotExist}},
		{name: "source missing, target exists", to: same, wantErr: []error{fs.ErrNotExist, fs.ErrExist}, wantTo: same},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, d := newTransport(t, nil)
			fp, tp := filepath.Join(d.upload, ".a.tmp"), filepath.Join(d.upload, "a.837")
			if tt.from != nil {
				write(t, fp, tt.from)
			}
			if tt.to != nil {
				write(t, tp, tt.to)
			}
			err := tr.Rename(t.Context(), ".a.tmp", "a.837")
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("Rename: %v", err)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Rename = %v, want an error wrapping %v", err, want)
				}
			}
			if _, err := os.Stat(fp); (err == nil) != tt.wantFrom {
				t.Errorf("source exists = %v, want %v", err == nil, tt.wantFrom)
			}
			if tt.wantTo != nil {
				if got, _ := os.ReadFile(tp); !bytes.Equal(got, tt.wantTo) {
					t.Errorf("target = %q, want %q", got, tt.wantTo)
				}
			}
		})
	}
}

func TestStat(t *testing.T) {
	tr, d := newTransport(t, nil)
	if err := os.Mkdir(filepath.Join(d.upload, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]error{
		"missing": fs.ErrNotExist, "../out": ErrInvalidName, "a/b": ErrInvalidName, "sub": nil,
	} {
		_, err := tr.Stat(t.Context(), name)
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Errorf("Stat(%q) = %v, want an error wrapping %v", name, err, want)
		}
	}
}

func TestListSanitises(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	tr, d := newTransport(t, zap.New(core))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, f := range []struct {
		name string
		age  time.Duration
	}{
		{"b.999", 2 * time.Minute}, {"a.999", time.Minute}, {"c.835", time.Minute}, {"z.999", 0},
		{"notes.txt", 0}, {".hidden.999", 0}, {"evil\nname.999", 0}, {"a..b.999", 0}, {"esc\x1b.999", 0},
		{"rlo\u202eevil.999", 0},
	} {
		p := filepath.Join(d.resp, f.name)
		write(t, p, make([]byte, i+1))
		if err := os.Chtimes(p, t0.Add(f.age), t0.Add(f.age)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(d.resp, "dir.999"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.999", filepath.Join(d.resp, "link.999")); err != nil {
		t.Fatal(err)
	}
	got, err := tr.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	if want := "a..b.999 z.999 a.999 c.835 b.999"; strings.Join(names, " ") != want {
		t.Errorf("List = %q, want %s", names, want)
	}
	if n := logs.FilterMessageSnippet("unsafe name").Len(); n != 4 {
		t.Errorf("%d unsafe-name warnings, want 4", n)
	}
}

// sink is a pipeline.Sink in memory.
type sink struct {
	bytes.Buffer
	resets int
}

func (s *sink) Reset() error { s.resets++; s.Buffer.Reset(); return nil }

func TestFetch(t *testing.T) {
	tr, d := newTransport(t, nil)
	data := bytes.Repeat([]byte("ISA*00*"), 10000)
	write(t, filepath.Join(d.resp, "r.999"), data)
	outside := filepath.Join(t.TempDir(), "secret")
	write(t, outside, []byte("secret"))
	if err := os.Symlink(outside, filepath.Join(d.resp, "link.999")); err != nil {
		t.Fatal(err)
	}
	anyErr := errors.New("any error")
	tests := []struct {
		name    string
		file    string
		wantErr error
	}{
		{"file", "r.999", nil},
		{"missing", "gone.999", fs.ErrNotExist},
		{"escape", "../in/x", ErrInvalidName},
		{"hidden", ".r.999", ErrInvalidName},
		{"symlink", "link.999", anyErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sink
			n, err := tr.Fetch(t.Context(), tt.file, &s)
			if tt.wantErr == nil {
				if err != nil || n != int64(len(data)) || !bytes.Equal(s.Bytes(), data) {
					t.Errorf("Fetch = %d, %v; want %d identical bytes", n, err, len(data))
				}
				return
			}
			if err == nil || (tt.wantErr != anyErr && !errors.Is(err, tt.wantErr)) {
				t.Errorf("Fetch = %v, want an error wrapping %v", err, tt.wantErr)
			}
			if strings.Contains(s.String(), "secret") {
				t.Error("Fetch followed a symlink out of the response folder")
			}
		})
	}
}

func TestDone(t *testing.T) {
	t.Run("delete", func(t *testing.T) {
		tr, d := newTransport(t, nil, func(c *Config) { c.AfterPickup = DisposalDelete })
		write(t, filepath.Join(d.resp, "r.999"), []byte("x"))
		if err := tr.Done(t.Context(), "r.999"); err != nil {
			t.Fatal(err)
		}
		absent(t, filepath.Join(d.resp, "r.999"))
		if err := tr.Done(t.Context(), "r.999"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("second Done = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("move", func(t *testing.T) {
		tr, d := newTransport(t, nil, func(c *Config) { c.AfterPickup = DisposalMove })
		tr.now = func() time.Time { return time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC) }
		for i, want := range []string{"r.999", "r.999.20260301T123000Z", "r.999.20260301T123000Z-2"} {
			content := []byte(fmt.Sprint("ISA ", i))
			write(t, filepath.Join(d.resp, "r.999"), content)
			if err := tr.Done(t.Context(), "r.999"); err != nil {
				t.Fatalf("Done #%d: %v", i, err)
			}
			absent(t, filepath.Join(d.resp, "r.999"))
			if got, err := os.ReadFile(filepath.Join(d.archive, want)); err != nil || !bytes.Equal(got, content) {
				t.Errorf("archive/%s = %q, %v; want %q", want, got, err, content)
			}
		}
	})
	t.Run("leave", func(t *testing.T) {
		tr, d := newTransport(t, nil)
		write(t, filepath.Join(d.resp, "r.999"), []byte("x"))
		if err := tr.Done(t.Context(), "r.999"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(d.resp, "r.999")); err != nil {
			t.Errorf("file gone after leave: %v", err)
		}
		if err := tr.Done(t.Context(), "nope.999"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Done(missing) = %v, want fs.ErrNotExist", err)
		}
	})
}
