package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
)

// TestUploadRecordsAsClaimByClaim checks that recording an uploaded file
// set-based records exactly what recording it claim by claim did, for a
// file that mixes claims sent for the first time with claims sent before
// (corrected, resubmitted, replaced after payment): the same events,
// ledger entries (IDs and order included), submission references and
// balances.
func TestUploadRecordsAsClaimByClaim(t *testing.T) {
	bulk, bulkIDs := mixedBatch(t)
	old, oldIDs := mixedBatch(t)
	pipelinetest.Same(t, "claims of the two runs", bulkIDs, oldIDs)
	want := recordUpload(t, old, oldIDs, pipeline.MarkUploadedOneByOne)
	got := recordUpload(t, bulk, bulkIDs, pipeline.MarkUploaded)
	pipelinetest.Same(t, "what the upload recorded", got, want)

	// The file did mix both kinds, and re-billing changed a balance.
	var firsts, again int
	for _, c := range want.Claims {
		if c.Submissions == 1 {
			firsts++
		} else {
			again++
		}
	}
	if firsts < 3 || again < 3 {
		t.Errorf("the file sent %d claims for the first time and %d again, want at least 3 of each", firsts, again)
	}
	if es := want.Entries[bulkIDs["E2"]]; len(es) != 2 || es[1].Memo != "re-billed as "+want.Claims[bulkIDs["E2"]].PCN {
		t.Errorf("E2's entries %+v, want its first charge and the re-billing of its correction", es)
	}
}

// mixedBatch makes one built file carrying E1 (paid, then replaced), E2
// (rejected, then corrected), E3 (rejected, then resubmitted as it was),
// E5 and E6 (new) and E7 (new, corrected before it was ever sent). It
// returns the harness and the claim IDs by encounter.
func mixedBatch(t *testing.T) (*pipelinetest.Harness, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	h := newHarness(t, nil)
	cy := runCycle(t, h)
	correct := func(id int64, sets ...pipeline.FieldSet) {
		t.Helper()
		if _, err := h.P.Correct(ctx, pipeline.CorrectRequest{ClaimID: id, Actor: "ana", Sets: sets}); err != nil {
			t.Fatalf("Correct claim %d: %v", id, err)
		}
	}
	correct(cy.c1.ID, pipeline.FieldSet{Path: "lines[0].charge", Value: "110.00"}, pipeline.FieldSet{Path: "total_charge", Value: "130.00"})
	correct(cy.c2.ID, pipeline.FieldSet{Path: "lines[0].charge", Value: "65.00"}, pipeline.FieldSet{Path: "total_charge", Value: "65.00"})
	if _, err := h.P.Resubmit(ctx, cy.c3.ID, "ana", "enrollment fixed"); err != nil {
		t.Fatalf("Resubmit: %v", err)
	}
	intake(t, h, pipelinetest.Encounter("E5", "40.00", "15.00"), pipelinetest.Encounter("E6", "25.00"),
		pipelinetest.Encounter("E7", "10.00", "20.00"))
	e7 := h.ClaimOf("E7")
	correct(e7.ID, pipeline.FieldSet{Path: "lines[1].charge", Value: "22.00"}, pipeline.FieldSet{Path: "total_charge", Value: "32.00"})
	h.Now = h.Now.Add(time.Hour)
	if _, err := h.P.Build(ctx); err != nil {
		t.Fatalf("Build: %v", err)
	}
	ids := map[string]int64{"E1": cy.c1.ID, "E2": cy.c2.ID, "E3": cy.c3.ID, "E4": cy.c4.ID, "E7": e7.ID}
	for _, e := range []string{"E5", "E6"} {
		ids[e] = h.ClaimOf(e).ID
	}
	return h, ids
}

// uploadRecord is what recording an upload leaves in the store.
type uploadRecord struct {
	Billed   []x12.Amount
	Claims   map[int64]submissionRefs
	Events   map[int64][]pipeline.Event
	Entries  map[int64][]pipeline.LedgerEntry
	Balances map[int64]pipeline.Balance
}

type submissionRefs struct {
	State            pipeline.ClaimState
	Version          int
	PCN              string
	Submissions      int
	FirstSubmittedAt time.Time
}

// recordUpload records the upload of every built file with mark and
// returns what the claims then hold.
func recordUpload(t *testing.T, h *pipelinetest.Harness, ids map[string]int64,
	mark func(p *pipeline.Pipeline, ctx context.Context, id int64, how string) (x12.Amount, error)) uploadRecord {
	t.Helper()
	ctx := context.Background()
	bs, err := h.P.Batches(ctx, 0)
	if err != nil {
		t.Fatalf("Batches: %v", err)
	}
	rec := uploadRecord{Claims: map[int64]submissionRefs{}, Events: map[int64][]pipeline.Event{},
		Entries: map[int64][]pipeline.LedgerEntry{}, Balances: map[int64]pipeline.Balance{}}
	for _, b := range bs {
		if b.State != pipeline.BatchBuilt {
			continue
		}
		billed, err := mark(h.P, ctx, b.ID, "verified: final name present with the expected size")
		if err != nil {
			t.Fatalf("record the upload of batch %d: %v", b.ID, err)
		}
		rec.Billed = append(rec.Billed, billed)
	}
	if len(rec.Billed) != 1 {
		t.Fatalf("%d files built, want one carrying every claim", len(rec.Billed))
	}
	for _, id := range ids {
		c := h.Claim(id)
		rec.Claims[id] = submissionRefs{c.State, c.Version, c.PCN, c.Submissions, c.FirstSubmittedAt}
		rec.Events[id] = h.Events(id)
		rec.Balances[id] = h.Balance(id)
		err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
			var err error
			rec.Entries[id], err = tx.Entries(ctx, id)
			return err
		})
		if err != nil {
			t.Fatalf("Entries: %v", err)
		}
	}
	return rec
}
