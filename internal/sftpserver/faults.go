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
// read and write, and a counter of the session's file bytes that closes
// the connection (drop) once it passes DropAfterBytes. The faults are
// asked for at every open.
type faulty struct {
	inner  sftp.Handlers
	faults func() Faults // asked at every open, so faults can change during a session
	drop   func()
	bytes  atomic.Int64
	once   sync.Once
}

func faultyHandlers(h sftp.Handlers, faults func() Faults, drop func()) sftp.Handlers {
	x := &faulty{inner: h, faults: faults, drop: drop}
	return sftp.Handlers{FileGet: x, FilePut: x, FileCmd: h.FileCmd, FileList: h.FileList}
}

// moved counts n bytes moved under faults f and reports whether the
// connection must drop.
func (x *faulty) moved(f Faults, n int) bool {
	total := x.bytes.Add(int64(n))
	if f.DropAfterBytes > 0 && total >= f.DropAfterBytes {
		x.once.Do(x.drop)
		return true
	}
	return false
}

func pause(f Faults) {
	if f.Delay > 0 {
		time.Sleep(f.Delay)
	}
}

// Fileread opens a file for reading through the faults.
func (x *faulty) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	ra, err := x.inner.FileGet.Fileread(r)
	if err != nil {
		return nil, err
	}
	return &faultyFile{x: x, f: x.faults(), r: ra, c: closerOf(ra)}, nil
}

// Filewrite opens a file for writing through the faults.
func (x *faulty) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	wa, err := x.inner.FilePut.Filewrite(r)
	if err != nil {
		return nil, err
	}
	return &faultyFile{x: x, f: x.faults(), w: wa, c: closerOf(wa)}, nil
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
	f Faults // in force when the file was opened
	r io.ReaderAt
	w io.WriterAt
	c io.Closer
}

func (f *faultyFile) ReadAt(p []byte, off int64) (int, error) {
	pause(f.f)
	n, err := f.r.ReadAt(p, off)
	if f.x.moved(f.f, n) {
		return n, errDropped
	}
	return n, err
}

func (f *faultyFile) WriteAt(p []byte, off int64) (int, error) {
	pause(f.f)
	if f.x.moved(f.f, len(p)) {
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
