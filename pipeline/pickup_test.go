package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestPickupMemTransport runs the pickup suite over the in-memory
// clearinghouse (the adapters run it over their own transports).
func TestPickupMemTransport(t *testing.T) {
	pipelinetest.RunPickupTests(t, func(t *testing.T) pipeline.Store { return openStore(t) },
		func(t *testing.T, _ pipelinetest.PickupOptions) pipelinetest.PickupRemote {
			m := pipelinetest.NewMemTransport()
			return pipelinetest.PickupRemote{
				Transport: m,
				Write:     func(_ testing.TB, name string, data []byte) { m.Respond(name, data) },
				Append:    func(_ testing.TB, name string, data []byte) { m.Append(name, data) },
				Names:     func(testing.TB) []string { return m.Responses() },
			}
		})
}

// timedMem is an in-memory clearinghouse whose listings carry the
// modification times a test sets.
type timedMem struct {
	*pipelinetest.MemTransport
	mu  sync.Mutex
	mod map[string]time.Time
}

func (m *timedMem) List(ctx context.Context) ([]pipeline.RemoteFile, error) {
	fs, err := m.MemTransport.List(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range fs {
		fs[i].ModTime = m.mod[fs[i].Name]
	}
	return fs, err
}

func (m *timedMem) touch(name string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mod[name] = at
}

// pickupCounts is what the settle tests check of a CollectReport.
type pickupCounts struct{ Listed, Collected, NotSettled, Processed int }

func pickupCountsOf(r pipeline.CollectReport) pickupCounts {
	return pickupCounts{r.Listed, r.Collected, r.NotSettled, r.Processed}
}

// TestCollectSettle: with a settle time, Collect lists, waits (through
// the injected sleep, during which the test changes the file), lists
// again and takes only the files that did not change.
func TestCollectSettle(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		settle  time.Duration
		written func(data []byte) []byte       // the file before the first run (nil: data)
		between func(m *timedMem, data []byte) // during the first run's wait
		first   pickupCounts
		second  pickupCounts
		sleeps  []time.Duration // over both runs
	}{
		{name: "no settle time: no wait", settle: 0,
			first: pickupCounts{1, 1, 0, 1}, second: pickupCounts{}},
		{name: "unchanged: taken after one wait", settle: 10 * time.Second,
			first: pickupCounts{1, 1, 0, 1}, second: pickupCounts{}, sleeps: []time.Duration{10 * time.Second}},
		{name: "growing: left until it settles", settle: 10 * time.Second,
			written: func(data []byte) []byte { return data[:len(data)/2] },
			between: func(m *timedMem, data []byte) { m.Append("ack.999", data[len(data)/2:]) },
			first:   pickupCounts{1, 0, 1, 0}, second: pickupCounts{1, 1, 0, 1},
			sleeps: []time.Duration{10 * time.Second, 10 * time.Second}},
		{name: "rewritten, same size: left until it settles", settle: time.Minute,
			between: func(m *timedMem, _ []byte) { m.touch("ack.999", t0.Add(time.Second)) },
			first:   pickupCounts{1, 0, 1, 0}, second: pickupCounts{1, 1, 0, 1},
			sleeps: []time.Duration{time.Minute, time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &timedMem{MemTransport: pipelinetest.NewMemTransport(), mod: map[string]time.Time{}}
			h := newHarness(t, func(o *pipeline.Options) {
				o.Partners[0].Transport, o.Partners[0].Settle = m, tt.settle
			})
			var sleeps []time.Duration
			var between func()
			pipeline.SetSleep(h.P, func(_ context.Context, d time.Duration) error {
				sleeps = append(sleeps, d)
				if between != nil {
					between()
					between = nil
				}
				return nil
			})
			c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
			data := h.File999(c, "A")
			if tt.written != nil {
				m.Respond("ack.999", tt.written(data))
			} else {
				m.Respond("ack.999", data)
			}
			if tt.between != nil {
				between = func() { tt.between(m, data) }
			}
			m.touch("ack.999", t0)
			for i, want := range []pickupCounts{tt.first, tt.second} {
				rep, err := h.P.Collect(context.Background())
				if err != nil {
					t.Fatalf("Collect #%d: %v", i+1, err)
				}
				if got := pickupCountsOf(rep); got != want {
					t.Errorf("Collect #%d counted %+v, want %+v", i+1, got, want)
				}
			}
			if !slices.Equal(sleeps, tt.sleeps) {
				t.Errorf("waits %v, want %v", sleeps, tt.sleeps)
			}
			if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
				t.Errorf("claim is %s, want %s", got, pipeline.StateAckAccepted)
			}
			if fs, _ := h.P.RecentInbound(context.Background(), 0); len(fs) != 1 || fs[0].Size != int64(len(data)) {
				t.Errorf("ledger %+v, want the whole file once", fs)
			}
		})
	}
}

// TestCollectSettleOneWait: clearinghouses with settle times are listed
// first, then one wait, as long as the longest, serves them all; one
// with nothing to offer is not waited for.
func TestCollectSettleOneWait(t *testing.T) {
	other := pipelinetest.NewMemTransport()
	h := newHarness(t, func(o *pipeline.Options) {
		o.Partners[0].Settle = 3 * time.Second
		o.Partners = append(o.Partners, &pipeline.Partner{Name: "other", Transport: other, Settle: 10 * time.Second,
			SenderID: "PRACTICE01", ReceiverID: "OTHERCH", Payers: []string{"OTHERPAYER"}})
	})
	var sleeps []time.Duration
	pipeline.SetSleep(h.P, func(_ context.Context, d time.Duration) error {
		sleeps = append(sleeps, d)
		return nil
	})
	if _, err := h.P.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sleeps) != 0 {
		t.Errorf("waited %v with nothing listed, want no wait", sleeps)
	}
	h.Remote.Respond("a.999", []byte("not X12"))
	other.Respond("b.999", []byte("not X12 either"))
	rep, err := h.P.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{10 * time.Second}; !slices.Equal(sleeps, want) {
		t.Errorf("waits %v, want %v", sleeps, want)
	}
	if rep.Listed != 2 || rep.Rejected != 2 {
		t.Errorf("listed %d, rejected %d; want 2 and 2", rep.Listed, rep.Rejected)
	}
}

// TestCollectSettleCanceled: a run stopped during the wait takes
// nothing and returns the context's error.
func TestCollectSettleCanceled(t *testing.T) {
	h := newHarness(t, func(o *pipeline.Options) { o.Partners[0].Settle = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	pipeline.SetSleep(h.P, func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	})
	h.Remote.Respond("a.999", []byte("ISA"))
	rep, err := h.P.Collect(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Collect = %v, want context.Canceled", err)
	}
	if rep.Collected+rep.Rejected != 0 || len(h.Remote.Responses()) != 1 {
		t.Errorf("Collect took files (%+v); want none", rep)
	}
}

// TestCollectKnownUnreadable: an unreadable file that stays on the
// server is fetched again only when it changes (its size or time, as
// listed), and is never recorded twice.
func TestCollectKnownUnreadable(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	m := &timedMem{MemTransport: pipelinetest.NewMemTransport(), mod: map[string]time.Time{}}
	fetches := 0
	h := newHarness(t, func(o *pipeline.Options) { o.Partners[0].Transport = &countFetch{timedMem: m, n: &fetches} })
	m.Respond("r.835", []byte("ISA*00*truncated"))
	m.touch("r.835", t0)
	for i, want := range []int{1, 1, 2} {
		if i == 2 {
			m.touch("r.835", t0.Add(time.Hour)) // rewritten, same bytes
		}
		rep, err := h.P.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rejected != 1 || fetches != want {
			t.Errorf("run %d: rejected %d, fetched %d times; want 1 and %d", i+1, rep.Rejected, fetches, want)
		}
	}
	if fs, _ := h.P.RecentInbound(context.Background(), 0); len(fs) != 1 || fs[0].State != pipeline.InboundFailed {
		t.Errorf("ledger %+v, want the file once, failed", fs)
	}
	if got := m.Rejected(); !slices.Equal(got, []string{"r.835", "r.835"}) {
		t.Errorf("Reject calls %q, want one per fetch", got)
	}
}

type countFetch struct {
	*timedMem
	n *int
}

func (c *countFetch) Fetch(ctx context.Context, name string, dst pipeline.Sink) (int64, error) {
	*c.n++
	return c.timedMem.Fetch(ctx, name, dst)
}

// TestCollectCrashPoints: the pickup passes its crash points in order,
// once per file, and mid-download comes with half the file written.
func TestCollectCrashPoints(t *testing.T) {
	var passed []string
	var inbox string
	half := int64(-1)
	h := newHarness(t, func(o *pipeline.Options) {
		o.Partners[0].DoneSuffix = ".done"
		o.Failpoint = func(name string) {
			if !slices.Contains(pickupPoints, name) {
				return // submitting or applying
			}
			passed = append(passed, name)
			if name == "collect:mid-download" {
				half = tempSize(t, inbox)
			}
		}
	})
	inbox = filepath.Join(h.Dir, "inbox", "sim")
	c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
	passed = nil
	data := h.File999(c, "A")
	h.Remote.Respond("ack.999", data)
	h.Remote.Respond("ack.999.done", nil)
	if rep := h.DeliverAll(); rep.Collected != 1 {
		t.Fatalf("collected %d, want 1", rep.Collected)
	}
	want := pickupPoints
	if !slices.Equal(passed, want) {
		t.Errorf("crash points passed %q, want %q", passed, want)
	}
	if want := int64(len(data)+1) / 2; half != want {
		t.Errorf("at mid-download the temporary file holds %d bytes, want %d of %d", half, want, len(data))
	}
	all := pipeline.Failpoints()
	for _, n := range want {
		if !slices.Contains(all, n) {
			t.Errorf("Failpoints() does not list %s", n)
		}
	}
}

// tempSize returns the size of the one temporary file in dir.
func tempSize(t *testing.T, dir string) int64 {
	t.Helper()
	es, _ := os.ReadDir(dir)
	size := int64(-1)
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".tmp") {
			fi, err := e.Info()
			if err != nil || size >= 0 {
				t.Errorf("temporary files in %s: %v", dir, err)
			}
			size = fi.Size()
		}
	}
	return size
}

// pickupPoints are the crash points of the pickup, in the order a file
// passes them.
var pickupPoints = []string{"collect:mid-download", "collect:after-download", "collect:after-record", "collect:after-done"}

type crash struct{ point string }

// TestCollectResumesAfterCrash stops a Collect at each pickup crash
// point (a panic stands in for the kill) and runs it again: the file is
// recorded and applied once, the server keeps neither it nor its done
// marker, and the inbox holds only the recorded copy.
func TestCollectResumesAfterCrash(t *testing.T) {
	for _, point := range pickupPoints {
		t.Run(point, func(t *testing.T) {
			armed := true
			h := newHarness(t, func(o *pipeline.Options) {
				o.Partners[0].DoneSuffix = ".done"
				o.Failpoint = func(name string) {
					if armed && name == point {
						armed = false
						panic(crash{name})
					}
				}
			})
			c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
			h.Remote.Respond("ack.999", h.File999(c, "A"))
			h.Remote.Respond("ack.999.done", nil)
			func() {
				defer func() {
					if r := recover(); r != (crash{point}) {
						t.Fatalf("Collect ended with %v, want a crash at %s", r, point)
					}
				}()
				h.P.Collect(context.Background()) //nolint:errcheck // it panics
			}()
			// The restarted run's cleanup removes temporary files old
			// enough to be an earlier run's.
			inbox := filepath.Join(h.Dir, "inbox", "sim")
			es, _ := os.ReadDir(inbox)
			for _, e := range es {
				old := time.Now().Add(-2 * pipeline.LeftoverAge)
				if err := os.Chtimes(filepath.Join(inbox, e.Name()), old, old); err != nil {
					t.Fatal(err)
				}
			}
			rep := h.DeliverAll()
			if rep.Collected+rep.Duplicates > 1 {
				t.Errorf("restart: collected %d, duplicates %d", rep.Collected, rep.Duplicates)
			}
			if got := h.Remote.Responses(); len(got) != 0 {
				t.Errorf("the server still holds %q", got)
			}
			fs, _ := h.P.RecentInbound(context.Background(), 0)
			if len(fs) != 1 || fs[0].State != pipeline.InboundProcessed {
				t.Fatalf("ledger %+v, want the file once, processed", fs)
			}
			es, _ = os.ReadDir(inbox)
			if len(es) != 1 || filepath.Join(inbox, es[0].Name()) != fs[0].LocalPath {
				t.Errorf("inbox holds %v, want only %s", names(es), filepath.Base(fs[0].LocalPath))
			}
			if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
				t.Errorf("claim is %s, want %s", got, pipeline.StateAckAccepted)
			}
			n999 := 0
			for _, ev := range h.Events(c.ID) {
				if ev.Kind == "999" {
					n999++
				}
			}
			if n999 != 1 {
				t.Errorf("%d 999 events, want 1", n999)
			}
		})
	}
}

func names(es []os.DirEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%q", e.Name()))
	}
	return out
}
