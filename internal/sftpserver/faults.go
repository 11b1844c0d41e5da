package sftpserver

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
)

// errDropped is what a request gets once its connection was dropped on
// purpose.
var errDropped = errors.New("connection dropped (simulated fault)")

// faulty wraps a session's handlers with Faults: a pause before every
// read and write, and a counter of file bytes that closes the connection
// (drop) once it passes DropAfterBytes.
type faulty struct {
	inner sftp.Handlers
	f     Faults
	drop  func()
	bytes atomic.Int64
	once  sync.Once
}

func faultyHandlers(h sftp.Handlers, f Faults, drop func()) sftp.Handlers {
	x := &faulty{inner: h, f: f, drop: drop}
	return sftp.Handlers{FileGet: x, FilePut: x, FileCmd: h.FileCmd, FileList: h.FileList}
}

// moved counts n bytes and reports whether the connection must drop.
func (x *faulty) moved(n int) bool {
	total := x.bytes.Add(int64(n))
	if x.f.DropAfterBytes > 0 && total >= x.f.DropAfterBytes {
		x.once.Do(x.drop)
		return true
	}
	return false
}

func (x *faulty) pause() {
	if x.f.Delay > 0 {
		time.Sleep(x.f.Delay)
	}
}

// Fileread opens a file for reading through the faults.
func (x *faulty) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	ra, err := x.inner.FileGet.Fileread(r)
	if err != nil {
		return nil, err
	}
	return &faultyFile{x: x, r: ra, c: closerOf(ra)}, nil
}

// Filewrite opens a file for writing through the faults.
func (x *faulty) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	wa, err := x.inner.FilePut.Filewrite(r)
	if err != nil {
		return nil, err
	}
	return &faultyFile{x: x, w: wa, c: closerOf(wa)}, nil
}

func closerOf(v any) io.Closer {
	if c, ok := v.(io.Closer); ok {
		return c
	}
	return nil
}

// faultyFile is an open file seen through the faults.
type faultyFile struct {
	x *faulty
	r io.ReaderAt
	w io.WriterAt
	c io.Closer
}

func (f *faultyFile) ReadAt(p []byte, off int64) (int, error) {
	f.x.pause()
	n, err := f.r.ReadAt(p, off)
	if f.x.moved(n) {
		return n, errDropped
	}
	return n, err
}

func (f *faultyFile) WriteAt(p []byte, off int64) (int, error) {
	f.x.pause()
	if f.x.moved(len(p)) {
		return 0, errDropped
	}
	return f.w.WriteAt(p, off)
}

func (f *faultyFile) Close() error {
	if f.c != nil {
		return f.c.Close()
	}
	return nil
}
