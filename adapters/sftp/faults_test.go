package sftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testFaultUpload cuts connections mid-upload with the proxy: a retry must
// complete with identical bytes, exhausted retries must fail and leave no
// partial file, and content that cannot be rewound must not be resent.
func testFaultUpload(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	p := newProxy(t, srv.addr)
	tc.via(t, p)
	ctx := t.Context()
	data := randomBytes(1 << 20)
	cutMid := cut{up: 256 << 10}

	t.Run("retry completes", func(t *testing.T) {
		c := tc.client(t, nil) // a new connection, so that the cut plan applies
		before := p.accepted.Load()
		p.cutNext(cutMid)
		if err := c.Put(ctx, ".big.tmp", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put: %v", err)
		}
		if got := p.accepted.Load() - before; got != 2 {
			t.Errorf("connections = %d, want 2 (one cut, one retry)", got)
		}
		mustNotExist(t, filepath.Join(tc.upload, "big.837"))
		if err := c.Rename(ctx, ".big.tmp", "big.837"); err != nil {
			t.Fatalf("Rename: %v", err)
		}
		got, err := os.ReadFile(filepath.Join(tc.upload, "big.837"))
		if err != nil || sum(got) != sum(data) {
			t.Errorf("uploaded file differs: %d bytes, err %v", len(got), err)
		}
	})
	t.Run("every attempt cut", func(t *testing.T) {
		c := tc.client(t, nil) // a new connection, so that the cut plan applies
		p.cutNext(cutMid, cutMid, cutMid)
		err := c.Put(ctx, ".big2.tmp", bytes.NewReader(data), int64(len(data)))
		if err == nil {
			t.Fatal("Put succeeded although every attempt was cut")
		}
		t.Logf("every attempt cut: %v", err)
		if IsPermanent(err) || opError(t, err).Attempts != 3 {
			t.Errorf("Put: %v; want a transient error after 3 attempts", err)
		}
		// The partial file was removed on a fresh connection.
		mustNotExist(t, filepath.Join(tc.upload, ".big2.tmp"))
		mustNotExist(t, filepath.Join(tc.upload, "big2.837"))
	})
	t.Run("unseekable content is not resent", func(t *testing.T) {
		c := tc.client(t, nil) // a new connection, so that the cut plan applies
		before := p.accepted.Load()
		p.cutNext(cutMid)
		content := io.MultiReader(bytes.NewReader(data)) // hides Seek
		err := c.Put(ctx, ".big3.tmp", content, int64(len(data)))
		if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "not seekable") {
			t.Fatalf("Put: %v; want a permanent 'not seekable' error", err)
		}
		if got := p.accepted.Load() - before; got != 2 {
			t.Errorf("connections = %d, want 2 (the cut one and the cleanup)", got)
		}
		mustNotExist(t, filepath.Join(tc.upload, ".big3.tmp"))
	})
}

// testFaultDownload cuts a connection mid-download: the sink is reset and
// the retry delivers identical bytes.
func testFaultDownload(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	p := newProxy(t, srv.addr)
	tc.via(t, p)
	c := tc.client(t, nil)
	data := randomBytes(2 << 20)
	writeFile(t, filepath.Join(tc.resp, "big.835"), data)

	p.cutNext(cut{down: 512 << 10})
	sink := &memSink{}
	n, err := c.Fetch(t.Context(), "big.835", sink)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if n != int64(len(data)) || sum(sink.Bytes()) != sum(data) {
		t.Errorf("Fetch: n=%d, %d bytes; want %d identical bytes", n, sink.Len(), len(data))
	}
	if sink.resets != 1 {
		t.Errorf("sink resets = %d, want 1", sink.resets)
	}
	if got := p.accepted.Load(); got != 2 {
		t.Errorf("connections = %d, want 2 (one cut, one retry)", got)
	}
}

// testReconnect breaks the idle connection between two calls.
func testReconnect(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	p := newProxy(t, srv.addr)
	tc.via(t, p)
	c := tc.client(t, nil)
	ctx := t.Context()
	if _, err := c.Stat(ctx, "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat = %v, want fs.ErrNotExist", err)
	}
	p.breakAll()
	p.waitEnded(t)
	data := randomBytes(1000)
	if err := c.Put(ctx, "x", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put after the connection broke: %v", err)
	}
	if got := p.accepted.Load(); got != 2 {
		t.Errorf("connections = %d, want 2", got)
	}
}

// cancelAfter returns a reader of data that cancels ctx once after n bytes
// and then waits for the proxied connection to end before going on.
type cancelAfter struct {
	t      *testing.T
	r      io.Reader
	n      int64
	cancel context.CancelFunc
	p      *proxy
}

func (c *cancelAfter) Read(b []byte) (int, error) {
	if c.n <= 0 {
		if c.cancel != nil {
			c.cancel()
			c.cancel = nil
			c.p.waitEnded(c.t)
		}
		return c.r.Read(b)
	}
	k, err := c.r.Read(b[:min(int64(len(b)), c.n)])
	c.n -= int64(k)
	return k, err
}

// testCancelUpload cancels the context in the middle of an upload: the
// connection closes at once and nothing is retried.
func testCancelUpload(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	p := newProxy(t, srv.addr)
	tc.via(t, p)
	c := tc.client(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	data := randomBytes(1 << 20)
	content := &cancelAfter{t: t, r: bytes.NewReader(data), n: 128 << 10, cancel: cancel, p: p}

	err := c.Put(ctx, ".c.tmp", content, int64(len(data)))
	if !errors.Is(err, context.Canceled) || !IsPermanent(err) {
		t.Fatalf("Put = %v; want a permanent error wrapping context.Canceled", err)
	}
	if got := opError(t, err).Attempts; got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
	if got := p.accepted.Load(); got != 1 {
		t.Errorf("connections = %d, want 1 (no reconnect after cancel)", got)
	}
	mustNotExist(t, filepath.Join(tc.upload, "c.837"))
}

func testCancelDownload(t *testing.T, srv *testServer) {
	tc := newCase(t, srv)
	p := newProxy(t, srv.addr)
	tc.via(t, p)
	c := tc.client(t, nil)
	writeFile(t, filepath.Join(tc.resp, "big.835"), randomBytes(2<<20))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink := &memSink{}
	sink.onWrite = func() {
		if cancel != nil {
			cancel()
			cancel = nil
			p.waitEnded(t)
		}
	}
	_, err := c.Fetch(ctx, "big.835", sink)
	if !errors.Is(err, context.Canceled) || !IsPermanent(err) {
		t.Fatalf("Fetch = %v; want a permanent error wrapping context.Canceled", err)
	}
	if sink.resets != 0 || p.accepted.Load() != 1 {
		t.Errorf("resets = %d, connections = %d; want 0 and 1 (no retry after cancel)", sink.resets, p.accepted.Load())
	}
}
