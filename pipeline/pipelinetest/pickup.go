package pipelinetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// PickupRemote is a clearinghouse's response folder behind a Transport
// under test, for RunPickupTests.
type PickupRemote struct {
	// Transport lists, fetches and disposes of the folder's files; its
	// Done must take a file out of the folder (delete, or move to an
	// archive). It must list every name (no patterns), and it uploads
	// too: each test first submits a claim through it.
	Transport pipeline.Transport
	// Write writes a response file, replacing one of that name; Append
	// adds bytes at the end of one, as a clearinghouse still writing it.
	Write  func(t testing.TB, name string, data []byte)
	Append func(t testing.TB, name string, data []byte)
	// Names lists the response folder.
	Names func(t testing.TB) []string
	// ErrorNames lists the error folder that Reject moves files to; nil
	// when the transport leaves rejected files where they are.
	ErrorNames func(t testing.TB) []string
}

// PickupOptions say what RunPickupTests wants of a PickupRemote.
type PickupOptions struct {
	// ErrorDir asks for an error folder. A transport that has none
	// returns a PickupRemote whose ErrorNames is nil, and the tests that
	// need one are skipped.
	ErrorDir bool
}

// RunPickupTests checks, through a real Pipeline over the store open
// returns and the transport remote returns (a fresh one for each test),
// how Collect takes files from a response folder:
//
//   - a file that grows (or appears) between the two listings of a settle
//     check is left for the next run, and taken whole once it settles;
//   - with a done-marker suffix a file is taken only once its marker is
//     listed, both are let go of, the marker is never recorded, and a
//     marker left without its file is cleaned up;
//   - a file that is not readable X12 (truncated, not X12) is recorded
//     once as failed with a work item, moved to the error folder or left
//     but never deleted, not recorded again on the next run, and a
//     complete file arriving later under the same name is taken normally;
//   - any legal name is taken ("a..b.999", a 255-byte name, a long UTF-8
//     name), with its full name in the ledger and a bounded local name.
func RunPickupTests(t *testing.T, open func(t *testing.T) pipeline.Store, remote func(t *testing.T, o PickupOptions) PickupRemote) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) pipeline.Store, remote func(t *testing.T, o PickupOptions) PickupRemote)
	}{
		{"Settle", testPickupSettle},
		{"DoneMarker", testPickupDoneMarker},
		{"Reject", testPickupReject},
		{"Names", testPickupNames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open, remote) })
	}
}

// listHook is a Transport that calls before, with the number of the
// call, ahead of each List.
type listHook struct {
	pipeline.Transport
	mu     sync.Mutex
	calls  int
	before func(call int)
}

func (l *listHook) List(ctx context.Context) ([]pipeline.RemoteFile, error) {
	l.mu.Lock()
	l.calls++
	n, fn := l.calls, l.before
	l.mu.Unlock()
	if fn != nil {
		fn(n)
	}
	return l.Transport.List(ctx)
}

// hook replaces the function called ahead of each List and restarts the
// count.
func (l *listHook) hook(fn func(call int)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls, l.before = 0, fn
}

// pickupHarness makes a harness over r whose clearinghouse is edited by
// edit, submits one claim through it, and returns the 999 that accepts
// the claim.
func pickupHarness(t *testing.T, open func(t *testing.T) pipeline.Store, tr pipeline.Transport, edit func(*pipeline.Partner)) (*Harness, *pipeline.Claim, []byte) {
	t.Helper()
	h := NewHarnessWith(t, open(t), func(o *pipeline.Options) {
		o.Partners[0].Transport = tr
		if edit != nil {
			edit(o.Partners[0])
		}
	})
	c := h.Submit(Encounter("E1", "100.00"))["E1"]
	return h, c, h.File999(c, "A")
}

func collect(t *testing.T, h *Harness) pipeline.CollectReport {
	t.Helper()
	rep, err := h.P.Collect(context.Background())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return rep
}

// counts is what a test checks of a CollectReport.
type counts struct{ Listed, Collected, Duplicates, NotSettled, Rejected, Processed, Failed int }

func countsOf(r pipeline.CollectReport) counts {
	return counts{r.Listed, r.Collected, r.Duplicates, r.NotSettled, r.Rejected, r.Processed, r.Failed}
}

func checkCounts(t *testing.T, step string, rep pipeline.CollectReport, want counts) {
	t.Helper()
	if got := countsOf(rep); got != want {
		t.Errorf("%s: Collect counted %+v, want %+v", step, got, want)
	}
}

func inbound(t *testing.T, h *Harness) []*pipeline.InboundFile {
	t.Helper()
	fs, err := h.P.RecentInbound(context.Background(), 0)
	if err != nil {
		t.Fatalf("RecentInbound: %v", err)
	}
	return fs
}

func sorted(names []string) []string {
	names = slices.Clone(names)
	slices.Sort(names)
	return names
}

func checkNames(t *testing.T, step, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("%s: %s holds %q, want %q", step, what, got, want)
	}
}

func testPickupSettle(t *testing.T, open func(t *testing.T) pipeline.Store, remote func(t *testing.T, o PickupOptions) PickupRemote) {
	tests := []struct {
		name string
		// first is written before the first listing (nil: nothing);
		// then is appended before the second.
		first func(data []byte) []byte
		then  func(data []byte) []byte
	}{
		{"grows between listings", func(d []byte) []byte { return d[:len(d)/2] }, func(d []byte) []byte { return d[len(d)/2:] }},
		{"appears between listings", nil, func(d []byte) []byte { return d }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := remote(t, PickupOptions{})
			lh := &listHook{Transport: r.Transport}
			h, c, data := pickupHarness(t, open, lh, func(pt *pipeline.Partner) {
				// Positive, so that Collect lists twice; too short to
				// be a real wait.
				pt.Settle = time.Nanosecond
			})
			if tt.first != nil {
				r.Write(t, "ack.999", tt.first(data))
			}
			lh.hook(func(call int) {
				if call == 2 {
					if tt.first == nil {
						r.Write(t, "ack.999", tt.then(data))
					} else {
						r.Append(t, "ack.999", tt.then(data))
					}
				}
			})
			rep := collect(t, h)
			lh.hook(nil)
			checkCounts(t, "while written", rep, counts{Listed: 1, NotSettled: 1})
			checkNames(t, "while written", "the response folder", r.Names(t), "ack.999")
			if fs := inbound(t, h); len(fs) != 0 {
				t.Fatalf("while written: %d files recorded, want none", len(fs))
			}

			rep = collect(t, h)
			checkCounts(t, "settled", rep, counts{Listed: 1, Collected: 1, Processed: 1})
			checkNames(t, "settled", "the response folder", r.Names(t))
			fs := inbound(t, h)
			if len(fs) != 1 || fs[0].Name != "ack.999" || fs[0].Size != int64(len(data)) || fs[0].State != pipeline.InboundProcessed {
				t.Fatalf("settled: ledger %+v, want ack.999 whole (%d bytes) and processed", fs, len(data))
			}
			if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
				t.Errorf("claim is %s, want %s", got, pipeline.StateAckAccepted)
			}
		})
	}
}

func testPickupDoneMarker(t *testing.T, open func(t *testing.T) pipeline.Store, remote func(t *testing.T, o PickupOptions) PickupRemote) {
	r := remote(t, PickupOptions{})
	h, c, data := pickupHarness(t, open, r.Transport, func(pt *pipeline.Partner) { pt.DoneSuffix = ".done" })

	r.Write(t, "ack.999", data)
	r.Write(t, "stray.999.done", nil) // a marker whose file was taken before
	rep := collect(t, h)
	checkCounts(t, "without its marker", rep, counts{Listed: 1, NotSettled: 1})
	checkNames(t, "without its marker", "the response folder", r.Names(t), "ack.999")

	r.Write(t, "ack.999.done", nil)
	rep = collect(t, h)
	checkCounts(t, "with its marker", rep, counts{Listed: 1, Collected: 1, Processed: 1})
	checkNames(t, "with its marker", "the response folder", r.Names(t))
	fs := inbound(t, h)
	if len(fs) != 1 || fs[0].Name != "ack.999" {
		t.Fatalf("ledger %+v, want only ack.999 (markers are not responses)", fs)
	}
	if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
		t.Errorf("claim is %s, want %s", got, pipeline.StateAckAccepted)
	}
}

func testPickupReject(t *testing.T, open func(t *testing.T) pipeline.Store, remote func(t *testing.T, o PickupOptions) PickupRemote) {
	tests := []struct {
		name     string
		errorDir bool
		marker   bool
		bad      func(data []byte) []byte
	}{
		{"truncated, left", false, false, func(d []byte) []byte { return d[:bytes.LastIndex(d, []byte("IEA*"))] }},
		{"cut in a segment, left", false, false, func(d []byte) []byte { return d[:len(d)/2] }},
		{"not X12, left", false, false, func([]byte) []byte { return []byte("Service unavailable, try again later\n") }},
		{"empty, left", false, false, func([]byte) []byte { return nil }},
		{"truncated, to the error folder", true, false, func(d []byte) []byte { return d[:bytes.LastIndex(d, []byte("IEA*"))] }},
		{"truncated with its marker, left", false, true, func(d []byte) []byte { return d[:bytes.LastIndex(d, []byte("GE*"))] }},
		{"truncated with its marker, to the error folder", true, true, func(d []byte) []byte { return d[:bytes.LastIndex(d, []byte("GE*"))] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := remote(t, PickupOptions{ErrorDir: tt.errorDir})
			if tt.errorDir && r.ErrorNames == nil {
				t.Skip("the transport has no error folder")
			}
			h, c, data := pickupHarness(t, open, r.Transport, func(pt *pipeline.Partner) {
				if tt.marker {
					pt.DoneSuffix = ".done"
				}
			})
			names := []string{"ack.999"}
			r.Write(t, "ack.999", tt.bad(data))
			if tt.marker {
				r.Write(t, "ack.999.done", nil)
				names = append(names, "ack.999.done")
			}
			rep := collect(t, h)
			checkCounts(t, "unreadable", rep, counts{Listed: 1, Rejected: 1, Failed: 1})
			if tt.errorDir {
				checkNames(t, "unreadable", "the response folder", r.Names(t))
				checkNames(t, "unreadable", "the error folder", r.ErrorNames(t), names...)
			} else {
				checkNames(t, "unreadable", "the response folder", r.Names(t), names...)
			}
			fs := inbound(t, h)
			if len(fs) != 1 || fs[0].Name != "ack.999" || fs[0].State != pipeline.InboundFailed || fs[0].Error == "" {
				t.Fatalf("unreadable: ledger %+v, want ack.999 failed with its cause", fs)
			}
			items := h.Work(pipeline.SourceInboundBad)
			if len(items) != 1 || items[0].InboundFileID != fs[0].ID || items[0].Code != "unreadable" {
				t.Fatalf("unreadable: work items %+v, want one, unreadable, for file %d", items, fs[0].ID)
			}
			if !rep.NeedsAttention() {
				t.Error("unreadable: the report does not need attention")
			}

			// The next run neither records it again nor opens another
			// item.
			rep = collect(t, h)
			want := counts{Listed: 1, Rejected: 1}
			if tt.errorDir {
				want = counts{}
			}
			checkCounts(t, "again", rep, want)
			if fs := inbound(t, h); len(fs) != 1 {
				t.Errorf("again: %d files recorded, want 1", len(fs))
			}
			if items := h.Work(pipeline.SourceInboundBad); len(items) != 1 {
				t.Errorf("again: %d work items, want 1", len(items))
			}

			// The complete file, under the same name, is taken.
			r.Write(t, "ack.999", data)
			if tt.marker {
				r.Write(t, "ack.999.done", nil)
			}
			rep = collect(t, h)
			checkCounts(t, "complete", rep, counts{Listed: 1, Collected: 1, Processed: 1})
			checkNames(t, "complete", "the response folder", r.Names(t))
			if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
				t.Errorf("complete: claim is %s, want %s", got, pipeline.StateAckAccepted)
			}
			if fs := inbound(t, h); len(fs) != 2 || fs[0].Size != int64(len(data)) || fs[0].State != pipeline.InboundProcessed {
				t.Errorf("complete: ledger %+v, want the complete file processed besides the bad one", fs)
			}
		})
	}
}

func testPickupNames(t *testing.T, open func(t *testing.T) pipeline.Store, remote func(t *testing.T, o PickupOptions) PickupRemote) {
	tests := []struct {
		name   string
		remote string
	}{
		{"two dots inside", "a..b.999"},
		{"255 bytes", strings.Repeat("r", pipeline.MaxNameLen-4) + ".999"},
		{"254 bytes of UTF-8", strings.Repeat("é", 125) + ".999"},
		{"128 bytes", strings.Repeat("s", 124) + ".999"},
		{"129 bytes", strings.Repeat("s", 125) + ".999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := remote(t, PickupOptions{})
			h, c, data := pickupHarness(t, open, r.Transport, nil)
			r.Write(t, tt.remote, data)
			rep := collect(t, h)
			checkCounts(t, "collect", rep, counts{Listed: 1, Collected: 1, Processed: 1})
			checkNames(t, "collect", "the response folder", r.Names(t))
			fs := inbound(t, h)
			if len(fs) != 1 || fs[0].Name != tt.remote {
				t.Fatalf("ledger %+v, want the file under its full name", fs)
			}
			if base := filepath.Base(fs[0].LocalPath); len(base) > 160 {
				t.Errorf("local name %q is %d bytes long, want at most 160", base, len(base))
			}
			if got, err := os.ReadFile(fs[0].LocalPath); err != nil || !bytes.Equal(got, data) {
				t.Errorf("local copy: %d bytes, %v; want the %d bytes sent", len(got), err, len(data))
			}
			if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
				t.Errorf("claim is %s, want %s", got, pipeline.StateAckAccepted)
			}
		})
	}
}
