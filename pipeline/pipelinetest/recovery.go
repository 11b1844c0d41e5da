package pipelinetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x835"
)

// RunRecoveryScenarios checks that the upload and pickup protocols
// survive a crash at every step: the next run neither sends a batch twice
// nor forgets one, and never records or posts a response twice. A crash
// is simulated by putting the batch (or file) in the state the store
// holds at that point, and the clearinghouse in the state it would have.
func RunRecoveryScenarios(t *testing.T, open func(t *testing.T) pipeline.Store) {
	for _, sc := range recoveryScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, NewHarness(t, open(t)))
		})
	}
}

// built submits an encounter up to a built (not uploaded) batch.
func built(t *testing.T, h *Harness) *pipeline.Batch {
	t.Helper()
	ctx := context.Background()
	if _, err := h.P.Intake(ctx, sliceSource{Encounter("E1", "100.00"), Encounter("E2", "50.00")}); err != nil {
		t.Fatal(err)
	}
	rep, err := h.P.Build(ctx)
	if err != nil || rep.Files != 1 {
		t.Fatalf("Build: %+v, %v", rep, err)
	}
	var bs []*pipeline.Batch
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		bs, err = tx.BatchesInState(ctx, pipeline.BatchBuilt)
		return err
	})
	return bs[0]
}

// crashAt records b in state s, as a crash right after that commit
// leaves it.
func crashAt(h *Harness, b *pipeline.Batch, s pipeline.BatchState) {
	b.State = s
	h.tx(func(ctx context.Context, tx pipeline.Tx) error { return tx.UpdateBatch(ctx, b, "") })
}

func localBytes(t *testing.T, b *pipeline.Batch) []byte {
	t.Helper()
	data, err := os.ReadFile(b.LocalPath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// upload runs Upload and returns its report and the batch afterwards.
func (h *Harness) upload(t *testing.T, b *pipeline.Batch) (pipeline.UploadReport, *pipeline.Batch, error) {
	t.Helper()
	rep, err := h.P.Upload(context.Background())
	var after *pipeline.Batch
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		after, err = tx.GetBatch(ctx, b.ID)
		return err
	})
	return rep, after, err
}

func wantUploaded(t *testing.T, h *Harness, b *pipeline.Batch, rep pipeline.UploadReport, err error, puts int) {
	t.Helper()
	if err != nil || b.State != pipeline.BatchUploaded || rep.Uploaded != 1 {
		t.Fatalf("after recovery: batch %s, report %+v, error %v; want uploaded", b.State, rep, err)
	}
	files := h.Remote.Uploaded()
	if len(files) != 1 {
		t.Errorf("the clearinghouse holds %d files, want exactly 1: %v", len(files), keys(files))
	}
	if got := h.Remote.Puts(); got != puts {
		t.Errorf("the file was written %d times, want %d", got, puts)
	}
	for _, id := range []string{"E1", "E2"} {
		if c := h.ClaimOf(id); c.State != pipeline.StateSubmitted {
			t.Errorf("claim of %s is %s, want submitted", id, c.State)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

var recoveryScenarios = []scenario{
	{"crash after marking uploading, before any byte", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchUploading)
		rep, after, err := h.upload(t, b)
		wantUploaded(t, h, after, rep, err, 1)
	}},
	{"crash mid-Put: a partial temporary file", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchUploading)
		h.Remote.PutRaw(b.FileName+".part", localBytes(t, b)[:b.Size/2])
		rep, after, err := h.upload(t, b)
		wantUploaded(t, h, after, rep, err, 1)
		if got := h.Remote.Uploaded()[b.FileName]; string(got) != string(localBytes(t, b)) {
			t.Error("the final file differs from the built file")
		}
	}},
	{"crash after Put, before marking staged", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchUploading)
		h.Remote.PutRaw(b.FileName+".part", localBytes(t, b))
		rep, after, err := h.upload(t, b)
		// The temporary file is rewritten (it cannot be trusted), then
		// renamed: still one file on the server.
		wantUploaded(t, h, after, rep, err, 1)
	}},
	{"crash after staged, before the rename", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchStaged)
		h.Remote.PutRaw(b.FileName+".part", localBytes(t, b))
		rep, after, err := h.upload(t, b)
		wantUploaded(t, h, after, rep, err, 0)
	}},
	{"crash after the rename, before marking uploaded", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchStaged)
		h.Remote.PutRaw(b.FileName, localBytes(t, b))
		rep, after, err := h.upload(t, b)
		wantUploaded(t, h, after, rep, err, 0)
	}},
	{"crash after the rename, file already taken by the clearinghouse", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchStaged)
		// Neither the temporary nor the final name is there: the rename
		// happened and the clearinghouse picked the file up. Sending it
		// again would be a duplicate.
		rep, after, err := h.upload(t, b)
		if err != nil || after.State != pipeline.BatchUploaded || rep.Uploaded != 1 || h.Remote.Puts() != 0 {
			t.Fatalf("batch %s, report %+v, puts %d, error %v; want uploaded without a new Put", after.State, rep, h.Remote.Puts(), err)
		}
	}},
	{"a different file under the final name is never overwritten", func(t *testing.T, h *Harness) {
		b := built(t, h)
		crashAt(h, b, pipeline.BatchStaged)
		h.Remote.PutRaw(b.FileName, []byte("someone else's file"))
		rep, after, err := h.upload(t, b)
		if err == nil || after.State != pipeline.BatchFailed || rep.Failed != 1 {
			t.Fatalf("batch %s, report %+v, error %v; want failed loudly", after.State, rep, err)
		}
		if got := string(h.Remote.Uploaded()[b.FileName]); got != "someone else's file" {
			t.Errorf("the remote file was changed to %q", got)
		}
		if string(localBytes(t, b)) == "" {
			t.Error("the built file is gone")
		}
		if items := h.Work(pipeline.SourceTransport); len(items) != 1 {
			t.Errorf("transport work items: %d, want 1", len(items))
		}
	}},
	{"a permanent failure is never success", func(t *testing.T, h *Harness) {
		b := built(t, h)
		h.Remote.FailPuts(permanentErr{})
		rep, after, err := h.upload(t, b)
		if err == nil || rep.Uploaded != 0 || rep.Failed != 1 || after.State != pipeline.BatchFailed {
			t.Fatalf("report %+v, batch %s, error %v; want a failure", rep, after.State, err)
		}
		for _, id := range []string{"E1", "E2"} {
			if c := h.ClaimOf(id); c.State != pipeline.StateBatched {
				t.Errorf("claim of %s is %s, want still batched (unsent)", id, c.State)
			}
		}
		if len(h.Remote.Uploaded()) != 0 {
			t.Errorf("files on the server: %v", keys(h.Remote.Uploaded()))
		}
	}},
	{"a transient failure is retried on the next run", func(t *testing.T, h *Harness) {
		b := built(t, h)
		h.Remote.FailPuts(errors.New("connection reset by peer"))
		rep, after, err := h.upload(t, b)
		if err == nil || rep.Pending != 1 || after.State != pipeline.BatchUploading || after.Attempts != 1 {
			t.Fatalf("report %+v, batch %s attempts %d, error %v; want pending for a retry", rep, after.State, after.Attempts, err)
		}
		h.Remote.FailPuts(nil)
		rep, after, err = h.upload(t, b)
		wantUploaded(t, h, after, rep, err, 1)
	}},
	{"a response whose remote clean-up failed is skipped next time, not applied again", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		file := h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})}))
		h.Remote.Respond("r1.835", file)
		// The clean-up on the clearinghouse fails after the file was
		// recorded (and applied).
		h.Remote.FailDone(errors.New("connection lost"))
		if _, err := h.P.Collect(context.Background()); err == nil {
			t.Fatal("Collect hid the failed clean-up")
		}
		h.Remote.FailDone(nil)
		rep, err := h.P.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Duplicates != 1 || rep.Collected != 0 {
			t.Errorf("second collect: %+v; want the file skipped as already recorded", rep)
		}
		wantBalance(t, h, c, "100.00", "0", "0", "0")
		h.CheckLedger([]*pipeline.Claim{c}, c.TotalCharge)
		if left, _ := h.Remote.List(context.Background()); len(left) != 0 {
			t.Error("the response was not cleaned up on the clearinghouse")
		}
	}},
	{"a response recorded before a crash is applied on the next run, once", func(t *testing.T, h *Harness) {
		c := h.Submit(Encounter("E1", "100.00"))["E1"]
		file := h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(c, "1", Line{Paid: "100.00"})}))
		// The crash came after the file was stored and recorded, before
		// it was applied: the store holds it as received.
		path := filepath.Join(t.TempDir(), "r1.835")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(file)
		h.tx(func(ctx context.Context, tx pipeline.Tx) error {
			_, err := tx.CreateInbound(ctx, &pipeline.InboundFile{Clearinghouse: "sim", Name: "r1.835", SHA256: hex.EncodeToString(sum[:]),
				Size: int64(len(file)), LocalPath: path, Kind: "unknown", State: pipeline.InboundReceived, ReceivedAt: h.Now})
			return err
		})
		for run := 1; run <= 2; run++ {
			rep, err := h.P.Collect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if want := map[int]int{1: 1, 2: 0}[run]; rep.Responses.RemitsPosted != want {
				t.Errorf("run %d: posted %d remittances, want %d", run, rep.Responses.RemitsPosted, want)
			}
		}
		wantBalance(t, h, c, "100.00", "0", "0", "0")
	}},
}

// permanentErr is a transport error that says no retry can help.
type permanentErr struct{}

func (permanentErr) Error() string   { return "permission denied" }
func (permanentErr) Permanent() bool { return true }
