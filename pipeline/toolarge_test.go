package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/adapters/localdir"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// understated lists every response file at 10 bytes: a file that grew
// after it was listed, or a server that lies about sizes.
type understated struct{ *pipelinetest.MemTransport }

func (u understated) List(ctx context.Context) ([]pipeline.RemoteFile, error) {
	files, err := u.MemTransport.List(ctx)
	for i := range files {
		files[i].Size = 10
	}
	return files, err
}

// TestCollectTooLarge: a response file over the clearinghouse's
// MaxDownload, by its listed size or by what its download brings, is not
// kept: it is set aside on the server, with one work item (however many
// runs see it), and the files after it are collected. Once the limit is
// raised it is taken, and its item closes.
func TestCollectTooLarge(t *testing.T) {
	for _, tc := range []struct {
		name string
		lie  bool // the listing understates the size
	}{{"listed too large", false}, {"downloaded too large", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var pt *pipeline.Partner
			h := newHarness(t, func(o *pipeline.Options) {
				pt = o.Partners[0]
				pt.MaxDownload = 2000
				if tc.lie {
					pt.Transport = understated{pt.Transport.(*pipelinetest.MemTransport)}
				}
			})
			c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
			var clps []*x835.Claim
			for range 20 {
				clps = append(clps, pipelinetest.CLP(c, "1", pipelinetest.Line{Paid: "0", Adj: []x835.Adjustment{pipelinetest.Adj("CO", "45", "100.00")}}))
			}
			big := h.File835(pipelinetest.Remit("T1", x12.Date{Year: 2026, Month: 11, Day: 20}, clps))
			if len(big) <= 2000 {
				t.Fatalf("the big file has %d bytes", len(big))
			}
			small := h.File999(c, "A")
			h.Remote.Respond("big.835", big)
			h.Remote.Respond("small.999", small)
			ctx := context.Background()
			for run := 1; run <= 2; run++ {
				rep, err := h.P.Collect(ctx)
				if err != nil {
					t.Fatalf("run %d: Collect: %v", run, err)
				}
				wantTooLarge, wantCollected := 1, 1
				if run == 2 {
					wantCollected = 0
				}
				if rep.TooLarge != wantTooLarge || rep.Collected != wantCollected {
					t.Errorf("run %d: %d too large, %d collected; want %d, %d", run, rep.TooLarge, rep.Collected, wantTooLarge, wantCollected)
				}
				items := h.Work(pipeline.SourceTransport)
				if len(items) != 1 || items[0].Code != "too-large" || !strings.Contains(items[0].Summary, "max_download_size") ||
					!strings.Contains(items[0].Summary, "big.835") {
					t.Fatalf("run %d: transport items %+v; want one saying how to take big.835", run, items)
				}
			}
			if got := h.Remote.Rejected(); len(got) == 0 || got[0] != "big.835" {
				t.Errorf("set aside on the server: %v; want big.835", got)
			}
			if got := h.ClaimOf("E1").State; got != pipeline.StateAckAccepted {
				t.Errorf("claim after the 999 behind the big file: %s, want %s", got, pipeline.StateAckAccepted)
			}
			files, err := h.P.InboundFiles(ctx, pipeline.InboundProcessed)
			if err != nil || len(files) != 1 {
				t.Fatalf("processed files %d (%v); want only the 999", len(files), err)
			}
			leftovers(t, h.Dir, files[0].LocalPath)

			// The limit raised: the file is taken and its item closes.
			pt.MaxDownload = 1 << 20
			if tc.lie {
				pt.Transport = h.Remote
			}
			rep, err := h.P.Collect(ctx)
			if err != nil || rep.Collected != 1 || rep.TooLarge != 0 || rep.Responses.RemitsPosted != 1 {
				t.Fatalf("after raising the limit: %+v, %v", rep, err)
			}
			if items := h.Work(pipeline.SourceTransport); len(items) != 0 {
				t.Errorf("open transport items after the file was taken: %+v", items)
			}
		})
	}
}

// leftovers fails when the inbox holds anything but the files named.
func leftovers(t *testing.T, dir string, keep ...string) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(dir, "inbox"), func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		for _, k := range keep {
			if path == k {
				return nil
			}
		}
		t.Errorf("left in the inbox: %s", path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLocalDirTooLarge: the local-folder transport has the same limit. A
// file over it stays in the response folder, is moved to the error
// folder, and gets a work item.
func TestLocalDirTooLarge(t *testing.T) {
	root := t.TempDir()
	cfg := localdir.Config{Name: "sim", UploadDir: filepath.Join(root, "up"), ResponseDir: filepath.Join(root, "down"),
		ErrorDir: filepath.Join(root, "errors"), AfterPickup: localdir.DisposalLeave, MaxDownloadSize: 1000}
	for _, d := range []string{cfg.UploadDir, cfg.ResponseDir, cfg.ErrorDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := localdir.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h := newHarness(t, func(o *pipeline.Options) {
		o.Partners[0].Transport = tr
		o.Partners[0].MaxDownload = 1000
	})
	big := make([]byte, 5000)
	copy(big, "ISA")
	if err := os.WriteFile(filepath.Join(cfg.ResponseDir, "big.835"), big, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := h.P.Collect(context.Background())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if rep.TooLarge != 1 || rep.Collected != 0 {
		t.Errorf("%d too large, %d collected; want 1, 0", rep.TooLarge, rep.Collected)
	}
	if _, err := os.Stat(filepath.Join(cfg.ErrorDir, "big.835")); err != nil {
		t.Errorf("big.835 is not in the error folder: %v", err)
	}
	if items := h.Work(pipeline.SourceTransport); len(items) != 1 || items[0].Code != "too-large" {
		t.Errorf("transport items %+v; want one too-large", items)
	}
	leftovers(t, h.Dir)

	// The transport refuses it on its own too.
	if err := os.WriteFile(filepath.Join(cfg.ResponseDir, "big2.835"), big, 0o600); err != nil {
		t.Fatal(err)
	}
	var sink discard
	if _, err := tr.Fetch(context.Background(), "big2.835", &sink); !errors.Is(err, pipeline.ErrTooLarge) || sink.n != 0 {
		t.Errorf("Fetch of a file over the limit: %v, %d bytes written; want ErrTooLarge and nothing", err, sink.n)
	}
}

type discard struct{ n int }

func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }
func (d *discard) Reset() error                { d.n = 0; return nil }
