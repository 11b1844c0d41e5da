package pipeline_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// leaseHarness is a harness whose leases last a minute, timed by a clock
// the test moves, with one claim built into a batch, and the lease of
// that batch held by "dead", an instance that died.
func leaseHarness(t *testing.T) (*pipelinetest.Harness, *pipeline.Batch, *time.Time) {
	t.Helper()
	h := newHarness(t, func(o *pipeline.Options) { o.Lease = time.Minute })
	now := time.Now()
	pipeline.SetLeaseClock(h.P, func() time.Time { return now })
	intake(t, h, pipelinetest.Encounter("E1", "100.00"))
	ctx := context.Background()
	if rep, err := h.P.Build(ctx); err != nil || rep.Files != 1 {
		t.Fatalf("Build: %+v, %v", rep, err)
	}
	var b *pipeline.Batch
	err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		bs, err := tx.BatchesInState(ctx, pipeline.BatchBuilt)
		if err != nil || len(bs) != 1 {
			t.Fatalf("built batches: %d, %v", len(bs), err)
		}
		b = bs[0]
		taken, _, err := tx.TakeLease(ctx, pipeline.LeaseUpload, b.ID, "dead", now, time.Minute)
		if err == nil && !taken {
			t.Fatal("the lease of a new batch was taken")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, b, &now
}

func batchState(t *testing.T, h *pipelinetest.Harness, id int64) pipeline.BatchState {
	t.Helper()
	var b *pipeline.Batch
	err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
		var err error
		b, err = tx.GetBatch(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.State
}

// TestUploadLeavesALeasedBatch: a batch another instance holds is not
// uploaded; once its lease expires it is taken over and uploaded once.
func TestUploadLeavesALeasedBatch(t *testing.T) {
	h, b, now := leaseHarness(t)
	ctx := context.Background()
	rep, err := h.P.Upload(ctx)
	if err != nil || rep.Uploaded != 0 || h.Remote.Puts() != 0 || batchState(t, h, b.ID) != pipeline.BatchBuilt {
		t.Fatalf("Upload while another instance holds the batch: %+v, %v, %d puts, batch %s; want nothing done",
			rep, err, h.Remote.Puts(), batchState(t, h, b.ID))
	}
	*now = now.Add(time.Minute)
	rep, err = h.P.Upload(ctx)
	if err != nil || rep.Uploaded != 1 || h.Remote.Puts() != 1 || h.P.Takeovers() != 1 {
		t.Fatalf("Upload once the lease expired: %+v, %v, %d puts, %d takeovers; want the batch taken over and sent once",
			rep, err, h.Remote.Puts(), h.P.Takeovers())
	}
	// Released: anyone may take the unit now.
	err = h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		taken, from, err := tx.TakeLease(ctx, pipeline.LeaseUpload, b.ID, "next", *now, time.Minute)
		if err == nil && (!taken || from != "") {
			t.Errorf("after the upload: lease taken %v from %q, want free", taken, from)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTakeoverAfterTheRename: the instance that held the batch died after
// it renamed the file on the server, before it recorded the upload, and
// the clearinghouse answered at once. The 999 waits while the lease
// holds; once it expires, the batch is taken over and recorded uploaded
// without being sent again, and then the 999 is applied to its claim.
func TestTakeoverAfterTheRename(t *testing.T) {
	h, b, now := leaseHarness(t)
	ctx := context.Background()
	b.State = pipeline.BatchStaged
	if err := h.Store.InTx(ctx, func(tx pipeline.Tx) error { return tx.UpdateBatch(ctx, b, pipeline.BatchBuilt) }); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(b.LocalPath)
	if err != nil {
		t.Fatal(err)
	}
	h.Remote.PutRaw(b.FileName, data)
	c := h.ClaimOf("E1")
	// The claim takes its PCN when it is recorded submitted: the 999
	// names the one its submission carries.
	err = h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		subs, err := tx.SubmissionsInBatch(ctx, b.ID, "")
		if err == nil {
			c.PCN = subs[0].PCN
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Remote.Respond("answer.999", h.File999(c, "A"))

	rep, err := h.P.Collect(ctx)
	if err != nil || rep.Collected != 1 || rep.Processed != 0 {
		t.Fatalf("Collect while the batch's lease holds: %+v, %v; want the 999 recorded, not applied", rep, err)
	}
	if got := h.Claim(c.ID).State; got != pipeline.StateBatched || batchState(t, h, b.ID) != pipeline.BatchStaged {
		t.Fatalf("claim %s, batch %s; want them as the dead instance left them", got, batchState(t, h, b.ID))
	}

	*now = now.Add(time.Minute)
	rep, err = h.P.Collect(ctx)
	if err != nil || rep.Processed != 1 {
		t.Fatalf("Collect once the lease expired: %+v, %v; want the 999 applied", rep, err)
	}
	if batchState(t, h, b.ID) != pipeline.BatchUploaded || h.Remote.Puts() != 0 || h.P.Takeovers() != 1 {
		t.Errorf("batch %s after %d puts and %d takeovers; want it taken over and recorded uploaded, not sent again",
			batchState(t, h, b.ID), h.Remote.Puts(), h.P.Takeovers())
	}
	if got := h.Claim(c.ID).State; got != pipeline.StateAckAccepted {
		t.Errorf("claim %s after the 999, want %s", got, pipeline.StateAckAccepted)
	}
}

// TestDeadHolderOnThisMachine: the lease of a process of this machine
// that no longer runs (an instance that crashed and was started again)
// is taken over at once; that of a process that runs is not, until it
// expires.
func TestDeadHolderOnThisMachine(t *testing.T) {
	h := newHarness(t, func(o *pipeline.Options) { o.Lease = time.Minute })
	f := strings.Split(h.P.LeaseOwner(), "/")
	if len(f) != 4 || f[3] == "" {
		t.Skipf("lease owner %q names no machine: dead holders wait for their leases to expire", h.P.LeaseOwner())
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skipf("no process to outlive: %v", err)
	}
	holder := func(pid int) string { return strings.Join([]string{"other", strconv.Itoa(pid), "0badcafe", f[3]}, "/") }
	ctx := context.Background()
	for _, e := range []*pipeline.Encounter{pipelinetest.Encounter("E1", "100.00"), pipelinetest.Encounter("E2", "50.00")} {
		intake(t, h, e)
		if rep, err := h.P.Build(ctx); err != nil || rep.Files != 1 {
			t.Fatalf("Build: %+v, %v", rep, err)
		}
	}
	var bs []*pipeline.Batch
	err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		var err error
		if bs, err = tx.BatchesInState(ctx, pipeline.BatchBuilt); err != nil || len(bs) != 2 {
			t.Fatalf("built batches: %d, %v", len(bs), err)
		}
		for i, pid := range []int{os.Getpid(), gone.Process.Pid} {
			if _, _, err := tx.TakeLease(ctx, pipeline.LeaseUpload, bs[i].ID, holder(pid), time.Now(), time.Minute); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.P.Upload(ctx)
	if err != nil || rep.Uploaded != 1 || h.P.Takeovers() != 1 {
		t.Fatalf("Upload: %+v, %v, %d takeovers; want the dead holder's batch taken over, the live one's left", rep, err, h.P.Takeovers())
	}
	if batchState(t, h, bs[0].ID) != pipeline.BatchBuilt || batchState(t, h, bs[1].ID) != pipeline.BatchUploaded {
		t.Errorf("batches %s (live holder) and %s (dead holder); want built and uploaded", batchState(t, h, bs[0].ID), batchState(t, h, bs[1].ID))
	}
}

// TestLeaseLostStopsTheWork: work whose lease another owner takes (it
// expired while this process stalled) is told to stop at its next step,
// and the unit is left to the new owner; a lease renewed in time stays.
func TestLeaseLostStopsTheWork(t *testing.T) {
	h := newHarness(t, func(o *pipeline.Options) { o.Lease = 300 * time.Millisecond })
	ctx := context.Background()
	// Renewed for longer than the lease lasts.
	_, lost, err := pipeline.WithLease(h.P, ctx, pipeline.LeaseApply, 1, func(ctx context.Context) error {
		select {
		case <-time.After(time.Second):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil || lost {
		t.Fatalf("work of a second under a lease of 300ms, renewed: lost %v, %v", lost, err)
	}
	// Taken over meanwhile.
	_, lost, err = pipeline.WithLease(h.P, ctx, pipeline.LeaseApply, 2, func(ctx context.Context) error {
		err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
			if err := tx.ReleaseLease(ctx, pipeline.LeaseApply, 2, h.P.LeaseOwner()); err != nil {
				return err
			}
			_, _, err := tx.TakeLease(ctx, pipeline.LeaseApply, 2, "thief", time.Now(), time.Hour)
			return err
		})
		if err != nil {
			return err
		}
		select {
		case <-time.After(10 * time.Second):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if !lost {
		t.Fatalf("work whose lease was taken: %v, want it stopped with the lease lost", err)
	}
	leased, _, _ := pipeline.WithLease(h.P, ctx, pipeline.LeaseApply, 2, func(context.Context) error { return nil })
	if !leased {
		t.Errorf("the unit taken over was released by the owner that lost it")
	}
}
