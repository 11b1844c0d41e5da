package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/x12claims/claims/pipeline"
)

// MemTransport is an in-memory clearinghouse for pipeline tests: an
// upload folder our side writes to and a response folder the test fills.
// It follows pipeline.Transport's contract (Rename refuses to overwrite;
// missing names wrap fs.ErrNotExist).
type MemTransport struct {
	mu        sync.Mutex
	uploads   map[string][]byte
	responses map[string][]byte
	order     []string // response names, oldest first
	rejected  []string // names passed to Reject, in order
	puts      int      // successful Put calls
	putErr    error    // returned by Put while set
	doneErr   error    // returned by Done while set
	beforePut func(name string)
}

// BeforePut makes Put call fn first, with the name it writes (nil: no
// call): a test's way to act while an upload is going on.
func (m *MemTransport) BeforePut(fn func(name string)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.beforePut = fn
}

// NewMemTransport returns an empty MemTransport.
func NewMemTransport() *MemTransport {
	return &MemTransport{uploads: map[string][]byte{}, responses: map[string][]byte{}}
}

// Put implements pipeline.Transport.
func (m *MemTransport) Put(ctx context.Context, name string, content io.Reader, size int64) error {
	m.mu.Lock()
	fail, before := m.putErr, m.beforePut
	m.mu.Unlock()
	if before != nil {
		before(name)
	}
	if fail != nil {
		return fmt.Errorf("put %s: %w", name, fail)
	}
	b, err := io.ReadAll(content)
	if err != nil {
		return err
	}
	if int64(len(b)) != size {
		return fmt.Errorf("put %s: %d bytes, expected %d", name, len(b), size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uploads[name] = b
	m.puts++
	return nil
}

// Rename implements pipeline.Transport.
func (m *MemTransport) Rename(ctx context.Context, from, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.uploads[from]
	if !ok {
		return fmt.Errorf("rename %s: %w", from, fs.ErrNotExist)
	}
	if _, ok := m.uploads[to]; ok {
		return fmt.Errorf("rename to %s: %w", to, fs.ErrExist)
	}
	delete(m.uploads, from)
	m.uploads[to] = b
	return nil
}

// Stat implements pipeline.Transport.
func (m *MemTransport) Stat(ctx context.Context, name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.uploads[name]
	if !ok {
		return 0, fmt.Errorf("stat %s: %w", name, fs.ErrNotExist)
	}
	return int64(len(b)), nil
}

// List implements pipeline.Transport.
func (m *MemTransport) List(ctx context.Context) ([]pipeline.RemoteFile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []pipeline.RemoteFile
	for _, n := range m.order {
		if b, ok := m.responses[n]; ok {
			out = append(out, pipeline.RemoteFile{Name: n, Size: int64(len(b))})
		}
	}
	return out, nil
}

// Fetch implements pipeline.Transport.
func (m *MemTransport) Fetch(ctx context.Context, name string, dst pipeline.Sink) (int64, error) {
	m.mu.Lock()
	b, ok := m.responses[name]
	m.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("fetch %s: %w", name, fs.ErrNotExist)
	}
	n, err := io.Copy(dst, bytes.NewReader(b))
	return n, err
}

// Done implements pipeline.Transport: it deletes the response.
func (m *MemTransport) Done(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.doneErr != nil {
		return fmt.Errorf("done %s: %w", name, m.doneErr)
	}
	delete(m.responses, name)
	return nil
}

// Reject implements pipeline.Transport: it leaves the response where it
// is (as a transport without an error folder does) and remembers the
// name (see Rejected).
func (m *MemTransport) Reject(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.responses[name]; !ok {
		return fmt.Errorf("reject %s: %w", name, fs.ErrNotExist)
	}
	m.rejected = append(m.rejected, name)
	return nil
}

// Rejected returns the names passed to Reject, in order.
func (m *MemTransport) Rejected() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.rejected...)
}

// Responses returns the names in the response folder, oldest first.
func (m *MemTransport) Responses() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, n := range m.order {
		if _, ok := m.responses[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// Respond puts a response file in the response folder.
func (m *MemTransport) Respond(name string, content []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.responses[name]; !ok {
		m.order = append(m.order, name)
	}
	m.responses[name] = append([]byte(nil), content...)
}

// Append adds bytes at the end of a response file (creating it), as a
// clearinghouse still writing it.
func (m *MemTransport) Append(name string, content []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.responses[name]; !ok {
		m.order = append(m.order, name)
	}
	m.responses[name] = append(m.responses[name], content...)
}

// PutRaw places a file in the upload folder without going through Put,
// as an earlier, interrupted run may have left it.
func (m *MemTransport) PutRaw(name string, content []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uploads[name] = append([]byte(nil), content...)
}

// Puts returns how many Put calls succeeded.
func (m *MemTransport) Puts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.puts
}

// FailPuts makes Put fail with err (nil: succeed again).
func (m *MemTransport) FailPuts(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putErr = err
}

// FailDone makes Done fail with err (nil: succeed again).
func (m *MemTransport) FailDone(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.doneErr = err
}

// Uploaded returns the files in the upload folder.
func (m *MemTransport) Uploaded() map[string][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]byte, len(m.uploads))
	for k, v := range m.uploads {
		out[k] = v
	}
	return out
}

// take removes an uploaded file, as a clearinghouse that picked it up.
func (m *MemTransport) take(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.uploads, name)
}
