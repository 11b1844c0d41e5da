package sftp

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

// errorFolder makes the case's error folder and returns its local path.
func (tc *testCase) errorFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(tc.resp), "errors")
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		t.Fatal(err)
	}
	return dir
}

func names(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func testReject(t *testing.T, srv *testServer) {
	stamp := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	long := strings.Repeat("l", pipeline.MaxNameLen-4) + ".999"
	tests := []struct {
		name     string
		errorDir string // "": none; "ok": the case's error folder; "missing": a folder that does not exist
		file     string
		absent   bool     // the response file is not there
		occupied []string // names already in the error folder
		want     string   // name in the error folder; "" for left in place
		wantErr  error
	}{
		{name: "no error folder: left", file: "r.999"},
		{name: "moved", errorDir: "ok", file: "r.999", want: "r.999"},
		{name: "name taken", errorDir: "ok", file: "r.999", occupied: []string{"r.999"}, want: "r.999.20260301T123000Z"},
		{name: "names taken", errorDir: "ok", file: "r.999", occupied: []string{"r.999", "r.999.20260301T123000Z"}, want: "r.999.20260301T123000Z-2"},
		{name: "255-byte name", errorDir: "ok", file: long, want: long},
		{name: "255-byte name taken", errorDir: "ok", file: long, occupied: []string{long},
			want: pipeline.ShortenName(long, pipeline.MaxNameLen-17) + ".20260301T123000Z"},
		{name: "missing", errorDir: "ok", file: "gone.999", absent: true, wantErr: fs.ErrNotExist},
		{name: "missing, no error folder", file: "gone.999", absent: true, wantErr: fs.ErrNotExist},
		{name: "error folder missing", errorDir: "missing", file: "r.999", wantErr: fs.ErrNotExist},
		{name: "escape", errorDir: "ok", file: "../inbound/x.999", absent: true, wantErr: ErrInvalidName},
		{name: "format character", file: "r\u202e.999", absent: true, wantErr: ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newCase(t, srv)
			errDir := tc.errorFolder(t)
			c := tc.client(t, nil, func(c *Config) {
				switch tt.errorDir {
				case "ok":
					c.ErrorDir = srv.remote(errDir)
				case "missing":
					c.ErrorDir = srv.remote(filepath.Join(errDir, "missing"))
				}
			})
			c.now = func() time.Time { return stamp }
			content := []byte("ISA*truncated")
			if !tt.absent {
				writeFile(t, filepath.Join(tc.resp, tt.file), content)
			}
			for _, n := range tt.occupied {
				writeFile(t, filepath.Join(errDir, n), []byte("earlier"))
			}
			err := c.Reject(t.Context(), tt.file)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !IsPermanent(err) {
					t.Errorf("Reject = %v, want a permanent error wrapping %v", err, tt.wantErr)
				}
				if !tt.absent {
					if _, err := os.Stat(filepath.Join(tc.resp, tt.file)); err != nil {
						t.Errorf("response file gone after a failed Reject: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Reject: %v", err)
			}
			if tt.want == "" {
				if got, err := os.ReadFile(filepath.Join(tc.resp, tt.file)); err != nil || !bytes.Equal(got, content) {
					t.Errorf("file left in place = %q, %v", got, err)
				}
				return
			}
			mustNotExist(t, filepath.Join(tc.resp, tt.file))
			if got, err := os.ReadFile(filepath.Join(errDir, tt.want)); err != nil || !bytes.Equal(got, content) {
				t.Errorf("error folder/%s = %q, %v; want the file (folder holds %q)", tt.want, got, err, names(t, errDir))
			}
		})
	}
}

// testPutPrivate: an upload is 0600 on the server under its temporary
// and final names, even over a stale file the server made 0644.
func testPutPrivate(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	c := tc.client(t, nil)
	ctx := t.Context()
	stale := filepath.Join(tc.upload, ".a.837.tmp")
	writeFile(t, stale, []byte("stale"))
	if err := os.Chmod(stale, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".a.837.tmp", ".b.837.tmp"} { // over a stale file, and new
		data := randomBytes(40 << 10)
		if err := c.Put(ctx, name, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put %s: %v", name, err)
		}
		final := strings.TrimSuffix(strings.TrimPrefix(name, "."), ".tmp")
		for _, step := range []struct{ what, file string }{{"after Put", name}, {"after Rename", final}} {
			if step.file == final {
				if err := c.Rename(ctx, name, final); err != nil {
					t.Fatalf("Rename: %v", err)
				}
			}
			fi, err := os.Stat(filepath.Join(tc.upload, step.file))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s %s: mode %v, want 0600", step.file, step.what, fi.Mode().Perm())
			}
		}
	}
}

// testLongNames: a response file of any legal name (up to 255 bytes,
// UTF-8 included) is listed, fetched, archived again and again under the
// same name, and set aside.
func testLongNames(t *testing.T, srv *testServer) {
	for _, long := range []string{strings.Repeat("r", pipeline.MaxNameLen-4) + ".999", strings.Repeat("é", 125) + ".835"} {
		t.Run(fmt.Sprint(len(long)), func(t *testing.T) {
			tc := newCase(t, srv)
			errDir := tc.errorFolder(t)
			c := tc.client(t, nil, func(c *Config) {
				c.AfterPickup, c.ErrorDir = DisposalMove, srv.remote(errDir)
			})
			c.now = func() time.Time { return time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC) }
			for i := range 3 {
				content := []byte(fmt.Sprint("ISA ", i))
				writeFile(t, filepath.Join(tc.resp, long), content)
				files, err := c.List(t.Context())
				if err != nil || len(files) != 1 || files[0].Name != long {
					t.Fatalf("List = %v, %v; want the long name", files, err)
				}
				sink := &memSink{}
				if n, err := c.Fetch(t.Context(), long, sink); err != nil || !bytes.Equal(sink.Bytes(), content) {
					t.Fatalf("Fetch = %d, %v", n, err)
				}
				dispose, dir := c.Done, tc.archive
				if i == 2 {
					dispose, dir = c.Reject, errDir
				}
				if err := dispose(t.Context(), long); err != nil {
					t.Fatalf("dispose #%d: %v", i, err)
				}
				mustNotExist(t, filepath.Join(tc.resp, long))
				if i == 2 {
					// Once more into the error folder: a suffixed name.
					writeFile(t, filepath.Join(tc.resp, long), content)
					if err := c.Reject(t.Context(), long); err != nil {
						t.Fatalf("second Reject: %v", err)
					}
				}
				for _, n := range names(t, dir) {
					if len(n) > pipeline.MaxNameLen || pipeline.CheckRemoteName(n, false) != nil {
						t.Errorf("moved to %q (%d bytes)", n, len(n))
					}
				}
			}
			if got := len(names(t, tc.archive)); got != 2 {
				t.Errorf("archive holds %d files, want 2", got)
			}
			if got := len(names(t, errDir)); got != 2 {
				t.Errorf("error folder holds %d files, want 2", got)
			}
		})
	}
}

// testPickup runs the pipeline's pickup suite through the server.
func testPickup(t *testing.T, srv *testServer) {
	open := func(t *testing.T) pipeline.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "claims.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	pipelinetest.RunPickupTests(t, open, func(t *testing.T, o pipelinetest.PickupOptions) pipelinetest.PickupRemote {
		tc := newCase(t, srv)
		errDir := ""
		if o.ErrorDir {
			errDir = tc.errorFolder(t)
		}
		c := tc.client(t, nil, func(c *Config) {
			c.AfterPickup, c.Patterns = DisposalDelete, nil
			if errDir != "" {
				c.ErrorDir = srv.remote(errDir)
			}
		})
		r := pipelinetest.PickupRemote{
			Transport: c,
			Write:     func(t testing.TB, name string, data []byte) { writeFile(t, filepath.Join(tc.resp, name), data) },
			Append: func(t testing.TB, name string, data []byte) {
				f, err := os.OpenFile(filepath.Join(tc.resp, name), os.O_WRONLY|os.O_APPEND, 0)
				if err == nil {
					_, err = f.Write(data)
					err = errors.Join(err, f.Close())
				}
				if err != nil {
					t.Fatal(err)
				}
			},
			Names: func(t testing.TB) []string { return names(t, tc.resp) },
		}
		if errDir != "" {
			r.ErrorNames = func(t testing.TB) []string { return names(t, errDir) }
		}
		return r
	})
}
