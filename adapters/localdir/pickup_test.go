package localdir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

func openStore(t *testing.T) pipeline.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPickup runs the pipeline's pickup suite over local folders.
func TestPickup(t *testing.T) {
	pipelinetest.RunPickupTests(t, openStore, func(t *testing.T, o pipelinetest.PickupOptions) pipelinetest.PickupRemote {
		errDir := ""
		tr, d := newTransport(t, nil, func(c *Config) {
			c.AfterPickup, c.Patterns = DisposalMove, nil
			if o.ErrorDir {
				errDir = filepath.Join(filepath.Dir(c.ResponseDir), "errors")
				c.ErrorDir = errDir
			}
		})
		r := pipelinetest.PickupRemote{
			Transport: tr,
			Write:     func(t testing.TB, name string, data []byte) { write(t, filepath.Join(d.resp, name), data) },
			Append: func(t testing.TB, name string, data []byte) {
				f, err := os.OpenFile(filepath.Join(d.resp, name), os.O_WRONLY|os.O_APPEND, 0)
				if err == nil {
					_, err = f.Write(data)
					err = errors.Join(err, f.Close())
				}
				if err != nil {
					t.Fatal(err)
				}
			},
			Names: func(t testing.TB) []string { return entries(t, d.resp) },
		}
		if errDir != "" {
			r.ErrorNames = func(t testing.TB) []string { return entries(t, errDir) }
		}
		return r
	})
}

func TestValidateErrorDir(t *testing.T) {
	c := Config{Name: "n", UploadDir: "/a", ResponseDir: "/b", ErrorDir: "/b/"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "ErrorDir: must differ from ResponseDir") {
		t.Errorf("Validate = %v, want ErrorDir refused", err)
	}
	c.ErrorDir = "/b/errors"
	if err := c.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
}

func TestNewCreatesErrorDir(t *testing.T) {
	_, d := newTransport(t, nil, func(c *Config) { c.ErrorDir = filepath.Join(filepath.Dir(c.ResponseDir), "errors") })
	fi, err := os.Stat(filepath.Join(filepath.Dir(d.resp), "errors"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("error folder: %v, want it created 0700", err)
	}
}

func TestReject(t *testing.T) {
	stamp := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	long := strings.Repeat("l", pipeline.MaxNameLen-4) + ".999"
	tests := []struct {
		name     string
		errorDir bool
		file     string
		occupied []string // names already in the error folder
		want     string   // name in the error folder; "" for left in place
		wantErr  error
	}{
		{name: "no error folder: left", file: "r.999"},
		{name: "moved", errorDir: true, file: "r.999", want: "r.999"},
		{name: "name taken", errorDir: true, file: "r.999", occupied: []string{"r.999"}, want: "r.999.20260301T123000Z"},
		{name: "names taken", errorDir: true, file: "r.999", occupied: []string{"r.999", "r.999.20260301T123000Z"}, want: "r.999.20260301T123000Z-2"},
		{name: "255-byte name", errorDir: true, file: long, want: long},
		{name: "255-byte name taken", errorDir: true, file: long, occupied: []string{long},
			want: pipeline.ShortenName(long, pipeline.MaxNameLen-17) + ".20260301T123000Z"},
		{name: "missing", errorDir: true, file: "gone.999", wantErr: fs.ErrNotExist},
		{name: "missing, no error folder", file: "gone.999", wantErr: fs.ErrNotExist},
		{name: "escape", errorDir: true, file: "../in/x.999", wantErr: ErrInvalidName},
		{name: "format character", file: "r\u202e.999", wantErr: ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errDir string
			tr, d := newTransport(t, nil, func(c *Config) {
				if tt.errorDir {
					errDir = filepath.Join(filepath.Dir(c.ResponseDir), "errors")
					c.ErrorDir = errDir
				}
			})
			tr.now = func() time.Time { return stamp }
			content := []byte("ISA*truncated")
			if tt.wantErr == nil {
				write(t, filepath.Join(d.resp, tt.file), content)
			}
			for _, n := range tt.occupied {
				write(t, filepath.Join(errDir, n), []byte("earlier"))
			}
			err := tr.Reject(t.Context(), tt.file)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Reject = %v, want an error wrapping %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Reject: %v", err)
			}
			if tt.want == "" {
				if got, err := os.ReadFile(filepath.Join(d.resp, tt.file)); err != nil || !bytes.Equal(got, content) {
					t.Errorf("file left in place = %q, %v", got, err)
				}
				return
			}
			absent(t, filepath.Join(d.resp, tt.file))
			if got, err := os.ReadFile(filepath.Join(errDir, tt.want)); err != nil || !bytes.Equal(got, content) {
				t.Errorf("error folder/%s = %q, %v; want the file (folder holds %q)", tt.want, got, err, entries(t, errDir))
			}
			for _, n := range entries(t, errDir) {
				if len(n) > pipeline.MaxNameLen {
					t.Errorf("name %q is %d bytes long", n, len(n))
				}
			}
		})
	}
}

// TestDoneLongName: a 255-byte name is listed, fetched and archived,
// again and again under the same name.
func TestDoneLongName(t *testing.T) {
	tr, d := newTransport(t, nil, func(c *Config) { c.AfterPickup, c.Patterns = DisposalMove, nil })
	tr.now = func() time.Time { return time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC) }
	long := strings.Repeat("é", 125) + ".999" // 254 bytes
	for i := range 3 {
		content := []byte(fmt.Sprint("ISA ", i))
		write(t, filepath.Join(d.resp, long), content)
		files, err := tr.List(t.Context())
		if err != nil || len(files) != 1 || files[0].Name != long {
			t.Fatalf("List = %v, %v; want the long name", files, err)
		}
		var s sink
		if n, err := tr.Fetch(t.Context(), long, &s); err != nil || n != int64(len(content)) {
			t.Fatalf("Fetch = %d, %v", n, err)
		}
		if err := tr.Done(t.Context(), long); err != nil {
			t.Fatalf("Done #%d: %v", i, err)
		}
	}
	names := entries(t, d.archive)
	if len(names) != 3 {
		t.Fatalf("archive holds %q, want 3 files", names)
	}
	for _, n := range names {
		if len(n) > pipeline.MaxNameLen || pipeline.CheckRemoteName(n, false) != nil {
			t.Errorf("archived as %q (%d bytes)", n, len(n))
		}
	}
}

// TestUploadPrivate: uploads are 0600 under their temporary and final
// names, whatever was there before.
func TestUploadPrivate(t *testing.T) {
	tr, d := newTransport(t, nil)
	stale := filepath.Join(d.upload, ".a.tmp")
	write(t, stale, []byte("stale"))
	if err := os.Chmod(stale, 0o644); err != nil {
		t.Fatal(err)
	}
	data := []byte("ISA*00*...")
	if err := tr.Put(t.Context(), ".a.tmp", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ name, file string }{{"after Put", ".a.tmp"}, {"after Rename", "a.837"}} {
		if step.file == "a.837" {
			if err := tr.Rename(t.Context(), ".a.tmp", "a.837"); err != nil {
				t.Fatal(err)
			}
		}
		fi, err := os.Stat(filepath.Join(d.upload, step.file))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", step.name, fi.Mode().Perm())
		}
	}
}

// TestPutAfterCrash: what a Put killed half way left is replaced by the
// next Put to the same name, so nothing is left behind.
func TestPutAfterCrash(t *testing.T) {
	for _, name := range []string{".a.837.part", "." + strings.Repeat("b", pipeline.MaxNameLen-6) + ".part"} {
		t.Run(fmt.Sprint(len(name)), func(t *testing.T) {
			tr, d := newTransport(t, nil)
			left := filepath.Join(d.upload, partialName(name))
			write(t, left, []byte("half of an upload"))
			if err := os.Chmod(left, 0o644); err != nil {
				t.Fatal(err)
			}
			data := []byte("ISA*00*complete")
			if err := tr.Put(t.Context(), name, bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatal(err)
			}
			if got := entries(t, d.upload); len(got) != 1 || got[0] != name {
				t.Errorf("upload folder holds %q, want only %q", got, name)
			}
			if got, _ := os.ReadFile(filepath.Join(d.upload, name)); !bytes.Equal(got, data) {
				t.Errorf("uploaded %q, want %q", got, data)
			}
		})
	}
}
