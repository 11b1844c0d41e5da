package pipelinetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x837"
)

func sampleBatch(isa13, gs06 string, st pipeline.BatchState) *pipeline.Batch {
	return &pipeline.Batch{Clearinghouse: "sim", Kind: x837.Professional, PayerID: "PAYER01",
		SenderID: "SENDER01       ", ReceiverID: "CLEARINGHOUSE  ", ISA13: isa13, GS06: gs06,
		Sets:     []pipeline.BatchSet{{ST02: "0001", Claims: 3}, {ST02: "0002", Claims: 1}},
		FileName: "837P_" + isa13 + ".x12", LocalPath: "/var/lib/claims/out/837P_" + isa13 + ".x12",
		State: st, CreatedAt: t0}
}

var batchTests = []storeTest{
	{"Batch/CreateGetUpdate", func(t *testing.T, _ *suite, s pipeline.Store) {
		b := sampleBatch("000000042", "42", pipeline.BatchBuilt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateBatch", tx.CreateBatch(ctx, b))
		})
		if b.ID == 0 || b.CreatedAt != norm(t0) {
			t.Errorf("ID, CreatedAt = %d, %v", b.ID, b.CreatedAt)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetBatch(ctx, b.ID)
			must(t, "GetBatch", err)
			Same(t, "batch", got, b)
			_, err = tx.GetBatch(ctx, b.ID+100)
			wantErr(t, "GetBatch(missing)", err, pipeline.ErrNotFound)
		})
		b.FileName, b.LocalPath, b.SHA256, b.Size = "final.x12", "/tmp/final.x12", "cafe", 1<<40
		b.State, b.Attempts, b.LastError, b.UploadedAt = pipeline.BatchUploaded, 3, "timeout at 10:00", t1
		b.ResumeFrom = pipeline.BatchStaged
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// Conditional on the state it is in: a step taken by
			// someone else meanwhile is a conflict, and changes nothing.
			stale := *b
			stale.Attempts = 99
			err := tx.UpdateBatch(ctx, &stale, pipeline.BatchStaged)
			wantErr(t, "UpdateBatch(from another state)", err, pipeline.ErrConflict)
			must(t, "UpdateBatch", tx.UpdateBatch(ctx, b, pipeline.BatchBuilt))
			err = tx.UpdateBatch(ctx, &pipeline.Batch{ID: b.ID + 100, State: pipeline.BatchFailed}, "")
			wantErr(t, "UpdateBatch(missing)", err, pipeline.ErrNotFound)
			err = tx.UpdateBatch(ctx, &stale, pipeline.BatchBuilt)
			wantErr(t, "UpdateBatch(from the state it left)", err, pipeline.ErrConflict)
		})
		b.UploadedAt = norm(t1)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetBatch(ctx, b.ID)
			must(t, "GetBatch", err)
			Same(t, "updated batch", got, b)
		})
	}},
	{"Batch/NoSets", func(t *testing.T, _ *suite, s pipeline.Store) {
		b := sampleBatch("000000001", "1", pipeline.BatchBuilt)
		b.Sets = nil
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateBatch", tx.CreateBatch(ctx, b))
			got, err := tx.GetBatch(ctx, b.ID)
			must(t, "GetBatch", err)
			Same(t, "batch", got, b)
		})
	}},
	{"Batch/InState", func(t *testing.T, _ *suite, s pipeline.Store) {
		b1 := sampleBatch("1", "1", pipeline.BatchBuilt)
		b2 := sampleBatch("2", "2", pipeline.BatchUploaded)
		b3 := sampleBatch("3", "3", pipeline.BatchStaged)
		b4 := sampleBatch("4", "4", pipeline.BatchBuilt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, b := range []*pipeline.Batch{b1, b2, b3, b4} {
				must(t, "CreateBatch", tx.CreateBatch(ctx, b))
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.BatchesInState(ctx, pipeline.BatchBuilt)
			must(t, "BatchesInState", err)
			Same(t, "built", got, []*pipeline.Batch{b1, b4})
			got, err = tx.BatchesInState(ctx, pipeline.BatchStaged, pipeline.BatchBuilt)
			must(t, "BatchesInState(2 states)", err)
			Same(t, "built or staged", got, []*pipeline.Batch{b1, b3, b4})
			got, err = tx.BatchesInState(ctx)
			must(t, "BatchesInState()", err)
			if len(got) != 0 {
				t.Errorf("BatchesInState() = %d batches, want none", len(got))
			}
		})
	}},
	{"Batch/RecentAndByName", func(t *testing.T, _ *suite, s pipeline.Store) {
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.RecentBatches(ctx, 10)
			must(t, "RecentBatches(empty store)", err)
			paths, err := tx.BatchesByName(ctx, []string{"837P_1.x12"})
			must(t, "BatchesByName(empty store)", err)
			if len(got) != 0 || len(paths) != 0 {
				t.Errorf("an empty store has batches %+v and paths %v", got, paths)
			}
		})
		var bs []*pipeline.Batch
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, st := range []pipeline.BatchState{pipeline.BatchUploaded, pipeline.BatchFailed, pipeline.BatchBuilt, pipeline.BatchUploaded} {
				b := sampleBatch(fmt.Sprint(i+1), fmt.Sprint(i+1), st)
				must(t, "CreateBatch", tx.CreateBatch(ctx, b))
				bs = append(bs, b)
			}
		})
		// An operator cancels the failed batch.
		bs[1].State = pipeline.BatchCanceled
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "UpdateBatch", tx.UpdateBatch(ctx, bs[1], pipeline.BatchFailed))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, tc := range []struct {
				limit int
				want  []*pipeline.Batch
			}{
				{0, []*pipeline.Batch{bs[3], bs[2], bs[1], bs[0]}},
				{2, []*pipeline.Batch{bs[3], bs[2]}},
				{10, []*pipeline.Batch{bs[3], bs[2], bs[1], bs[0]}},
			} {
				got, err := tx.RecentBatches(ctx, tc.limit)
				must(t, "RecentBatches", err)
				Same(t, fmt.Sprintf("recent batches (limit %d)", tc.limit), got, tc.want)
			}
			got, err := tx.BatchesInState(ctx, pipeline.BatchCanceled)
			must(t, "BatchesInState(canceled)", err)
			Same(t, "canceled batches", got, bs[1:2])

			paths, err := tx.BatchesByName(ctx, []string{bs[2].FileName, "other.x12", bs[0].FileName, bs[1].FileName})
			must(t, "BatchesByName", err)
			Same(t, "batches by name", paths, map[string]int64{bs[0].FileName: bs[0].ID, bs[1].FileName: bs[1].ID, bs[2].FileName: bs[2].ID})
			paths, err = tx.BatchesByName(ctx, nil)
			must(t, "BatchesByName(none)", err)
			if len(paths) != 0 {
				t.Errorf("BatchesByName(nil) = %v", paths)
			}
		})
	}},
	{"Batch/ByControl", func(t *testing.T, _ *suite, s pipeline.Store) {
		b := sampleBatch("000000042", "42", pipeline.BatchUploaded)
		other := sampleBatch("000000043", "43", pipeline.BatchUploaded)
		other.ReceiverID = "OTHERCH"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateBatch", tx.CreateBatch(ctx, b))
			must(t, "CreateBatch", tx.CreateBatch(ctx, other))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, tc := range []struct{ sender, receiver, isa13, gs06 string }{
				{"SENDER01", "CLEARINGHOUSE", "000000042", ""},
				{"SENDER01       ", "CLEARINGHOUSE  ", "000000042", ""},
				{"  SENDER01", "CLEARINGHOUSE", "", "42"},
				{"SENDER01", "CLEARINGHOUSE", "000000099", "42"}, // GS06 decides when given
			} {
				got, err := tx.BatchByControl(ctx, tc.sender, tc.receiver, tc.isa13, tc.gs06)
				if err != nil {
					t.Errorf("BatchByControl(%q, %q, %q, %q): %v", tc.sender, tc.receiver, tc.isa13, tc.gs06, err)
					continue
				}
				if got.ID != b.ID {
					t.Errorf("BatchByControl(%q, %q, %q, %q) = batch %d, want %d", tc.sender, tc.receiver, tc.isa13, tc.gs06, got.ID, b.ID)
				}
			}
			got, err := tx.BatchByControl(ctx, "SENDER01", "OTHERCH", "000000043", "")
			must(t, "BatchByControl(other)", err)
			Same(t, "other batch", got, other)
			for _, tc := range []struct{ sender, receiver, isa13, gs06 string }{
				{"SENDER01", "OTHERCH", "000000042", ""},       // wrong receiver
				{"SENDER02", "CLEARINGHOUSE", "000000042", ""}, // wrong sender
				{"SENDER01", "CLEARINGHOUSE", "000000042", "43"},
				{"SENDER01", "CLEARINGHOUSE", "000000044", ""},
			} {
				_, err := tx.BatchByControl(ctx, tc.sender, tc.receiver, tc.isa13, tc.gs06)
				wantErr(t, "BatchByControl(no match)", err, pipeline.ErrNotFound)
			}
		})
	}},
	{"Inbound/CreateDuplicateUpdate", func(t *testing.T, _ *suite, s pipeline.Store) {
		f := &pipeline.InboundFile{Clearinghouse: "sim", Name: "resp_1.999", SHA256: "aa11", Size: 512,
			LocalPath: "/var/lib/claims/in/aa11", Kind: "999", State: pipeline.InboundReceived, ReceivedAt: t0}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			ok, err := tx.CreateInbound(ctx, f)
			must(t, "CreateInbound", err)
			if !ok || f.ID == 0 {
				t.Fatalf("CreateInbound = %v, ID %d; want true and an ID", ok, f.ID)
			}
			dup := &pipeline.InboundFile{Clearinghouse: "sim", Name: "resp_1_again.999", SHA256: "aa11", Size: 512,
				Kind: "unknown", State: pipeline.InboundReceived}
			want := *dup
			ok, err = tx.CreateInbound(ctx, dup)
			must(t, "CreateInbound(duplicate)", err)
			if ok {
				t.Errorf("CreateInbound(duplicate) inserted")
			}
			Same(t, "duplicate left unchanged", dup, &want)
		})
		if f.ReceivedAt != norm(t0) {
			t.Errorf("ReceivedAt = %v", f.ReceivedAt)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.InboundBySHA(ctx, "aa11")
			must(t, "InboundBySHA", err)
			Same(t, "inbound file", got, f)
			_, err = tx.InboundBySHA(ctx, "bb22")
			wantErr(t, "InboundBySHA(missing)", err, pipeline.ErrNotFound)
			got, err = tx.GetInbound(ctx, f.ID)
			must(t, "GetInbound", err)
			Same(t, "inbound file by ID", got, f)
			_, err = tx.GetInbound(ctx, f.ID+10)
			wantErr(t, "GetInbound(missing)", err, pipeline.ErrNotFound)
		})
		f.Kind, f.State, f.Error, f.ProcessedAt = "835", pipeline.InboundFailed, "segment 4: bad BPR", t1
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "UpdateInbound", tx.UpdateInbound(ctx, f))
			err := tx.UpdateInbound(ctx, &pipeline.InboundFile{ID: f.ID + 10, State: pipeline.InboundProcessed})
			wantErr(t, "UpdateInbound(missing)", err, pipeline.ErrNotFound)
		})
		f.ProcessedAt = norm(t1)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.InboundBySHA(ctx, "aa11")
			must(t, "InboundBySHA", err)
			Same(t, "updated inbound file", got, f)
			got, err = tx.GetInbound(ctx, f.ID)
			must(t, "GetInbound", err)
			Same(t, "updated inbound file by ID", got, f)
		})
	}},
	{"Inbound/InState", func(t *testing.T, _ *suite, s pipeline.Store) {
		var fs []*pipeline.InboundFile
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, st := range []pipeline.InboundState{pipeline.InboundReceived, pipeline.InboundProcessed, pipeline.InboundReceived,
				pipeline.InboundReceived, pipeline.InboundQuarantined} {
				f := &pipeline.InboundFile{Clearinghouse: "sim", Name: "f", SHA256: string(rune('a' + i)), State: st, Kind: "TA1"}
				ok, err := tx.CreateInbound(ctx, f)
				must(t, "CreateInbound", err)
				if !ok {
					t.Fatal("CreateInbound did not insert")
				}
				checkStamp(t, "zero ReceivedAt", f.ReceivedAt)
				fs = append(fs, f)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.InboundInState(ctx, pipeline.InboundReceived)
			must(t, "InboundInState", err)
			Same(t, "received files", got, []*pipeline.InboundFile{fs[0], fs[2], fs[3]})
			got, err = tx.InboundInState(ctx, pipeline.InboundQuarantined)
			must(t, "InboundInState(quarantined)", err)
			Same(t, "quarantined files", got, fs[4:])
			got, err = tx.InboundInState(ctx, pipeline.InboundFailed)
			must(t, "InboundInState(failed)", err)
			if len(got) != 0 {
				t.Errorf("failed files = %d", len(got))
			}
		})
	}},
	{"Inbound/MarkSetApplied", func(t *testing.T, _ *suite, s pipeline.Store) {
		type set struct {
			file    int64
			kind    string
			ordinal int
		}
		mark := func(ctx context.Context, tx pipeline.Tx, st set, want bool) {
			t.Helper()
			got, err := tx.MarkSetApplied(ctx, st.file, st.kind, st.ordinal)
			must(t, "MarkSetApplied", err)
			if got != want {
				t.Errorf("MarkSetApplied(%d, %s, %d) = %v, want %v", st.file, st.kind, st.ordinal, got, want)
			}
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, tc := range []struct {
				set
				want bool
			}{
				{set{1, "999", 1}, true},
				{set{1, "999", 1}, false}, // twice: recorded once
				{set{1, "999", 2}, true},
				{set{1, "277CA", 1}, true}, // another kind
				{set{1, "TA1", 1}, true},
				{set{2, "999", 1}, true}, // another file
			} {
				mark(ctx, tx, tc.set, tc.want)
			}
		})
		// What a rolled back transaction recorded is not recorded.
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			mark(t.Context(), tx, set{3, "999", 1}, true)
			return errBoom
		})
		wantErr(t, "InTx", err, errBoom)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			mark(ctx, tx, set{1, "999", 1}, false)
			mark(ctx, tx, set{1, "277CA", 1}, false)
			mark(ctx, tx, set{2, "999", 2}, true)
			mark(ctx, tx, set{3, "999", 1}, true)
		})
	}},
}
