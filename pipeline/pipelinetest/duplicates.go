package pipelinetest

import (
	"context"
	"fmt"

	"github.com/x12claims/claims/pipeline"
)

// CheckNoDuplicates checks that nothing a crash and a restart could do
// twice was recorded twice, over the claims given and the whole store:
//   - no claim has two events of the same kind for the same submission,
//     inbound file, transaction set and segment (two "uploaded" events
//     of a submission, the same 999 or 835 applied twice);
//   - no two inbound files have the same SHA-256 (a response collected
//     twice);
//   - no remittance (payer, trace, payment date and amount) is posted
//     twice, and no transaction set of an inbound file is recorded as two
//     remittances;
//   - no claim payment (a CLP of a posted remittance) is recorded twice;
//   - no batch file name is recorded twice.
//
// It needs only h.T and h.Store: a test can check a store it did not fill
// through a Harness with &Harness{T: t, Store: store}.
func (h *Harness) CheckNoDuplicates(claims []*pipeline.Claim) {
	h.T.Helper()
	type eventKey struct {
		kind       string
		submission int64
		file       int64
		set        string
		segment    int
	}
	for _, c := range claims {
		seen := map[eventKey]pipeline.Event{}
		for _, e := range h.Events(c.ID) {
			k := eventKey{e.Kind, e.SubmissionID, e.FileID, e.SetControl, e.Segment}
			if prev, dup := seen[k]; dup {
				h.T.Errorf("claim %d: event %q twice (submission %d, file %d, set %q, segment %d): %q and %q",
					c.ID, e.Kind, e.SubmissionID, e.FileID, e.SetControl, e.Segment, prev.Detail, e.Detail)
			}
			seen[k] = e
		}
	}

	var files []*pipeline.InboundFile
	var remits []*pipeline.Remittance
	var batches []*pipeline.Batch
	payments := map[int64][]*pipeline.ClaimPayment{}
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		if files, err = tx.RecentInbound(ctx, 0); err != nil {
			return err
		}
		if batches, err = tx.RecentBatches(ctx, 0); err != nil {
			return err
		}
		if remits, err = tx.Remittances(ctx, 0); err != nil {
			return err
		}
		for _, r := range remits {
			if payments[r.ID], err = tx.RemittancePayments(ctx, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	bySHA := map[string]int64{}
	for _, f := range files {
		if id, dup := bySHA[f.SHA256]; dup {
			h.T.Errorf("inbound files %d and %d (%s) have the same content", id, f.ID, f.Name)
		}
		bySHA[f.SHA256] = f.ID
	}
	byName := map[string]int64{}
	for _, b := range batches {
		if id, dup := byName[b.FileName]; dup {
			h.T.Errorf("batches %d and %d are both recorded as %s", id, b.ID, b.FileName)
		}
		byName[b.FileName] = b.ID
	}
	posted := map[pipeline.RemitKey]int64{}
	inFile := map[string]int64{}
	for _, r := range remits {
		where := fmt.Sprintf("%d/%d", r.InboundFileID, r.FileSet)
		if id, dup := inFile[where]; dup && r.FileSet != 0 {
			h.T.Errorf("remittances %d and %d both record set %d of inbound file %d", id, r.ID, r.FileSet, r.InboundFileID)
		}
		inFile[where] = r.ID
		if r.State != pipeline.RemitPosted {
			continue
		}
		k := pipeline.RemitKey{PayerID: r.PayerID, Trace: r.Trace, PaymentDate: r.PaymentDate, Amount: r.Amount}
		if id, dup := posted[k]; dup {
			h.T.Errorf("remittances %d and %d post the same payment (payer %s, trace %s, %s)", id, r.ID, r.PayerID, r.Trace, r.Amount)
		}
		posted[k] = r.ID
		ordinals := map[int]int64{}
		for _, cp := range payments[r.ID] {
			if id, dup := ordinals[cp.Ordinal]; dup {
				h.T.Errorf("remittance %d: CLP %d is recorded twice, as claim payments %d and %d", r.ID, cp.Ordinal, id, cp.ID)
			}
			ordinals[cp.Ordinal] = cp.ID
		}
	}
}
