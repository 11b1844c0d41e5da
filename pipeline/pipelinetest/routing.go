package pipelinetest

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// RunRoutingScenario checks how claims are split into files: one file per
// clearinghouse (chosen by payer), one per payer where a clearinghouse
// asks for that, and transaction sets capped at MaxClaimsPerSet, each
// with control numbers of its own sender/receiver pair.
func RunRoutingScenario(t *testing.T, store pipeline.Store) {
	a, b := NewMemTransport(), NewMemTransport()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	p, err := pipeline.New(pipeline.Options{Store: store, Dir: t.TempDir(), Now: func() time.Time { return now },
		Partners: []*pipeline.Partner{
			{Name: "alpha", Transport: a, SenderQualifier: "ZZ", SenderID: "PRACTICE01", ReceiverQualifier: "ZZ", ReceiverID: "ALPHA",
				SubmitterName: "Test Practice", SubmitterPhone: "5555550100", ReceiverName: "Alpha", Payers: []string{"P1"}, MaxClaimsPerSet: 2},
			{Name: "beta", Transport: b, SenderQualifier: "ZZ", SenderID: "PRACTICE01", ReceiverQualifier: "01", ReceiverID: "030240928",
				SubmitterName: "Test Practice", SubmitterPhone: "5555550100", ReceiverName: "Beta", SplitByPayer: true,
				FileName: "{sender}_{isa13}.837"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var encs []*pipeline.Encounter
	for i, payer := range []string{"P1", "P1", "P1", "P2", "P3", "P3"} {
		e := Encounter(string(rune('A'+i)), "100.00")
		e.Payer.ID = payer
		encs = append(encs, e)
	}
	ctx := context.Background()
	if _, err := p.Intake(ctx, sliceSource(encs)); err != nil {
		t.Fatal(err)
	}
	rep, err := p.Submit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Build.Files != 3 || rep.Upload.Uploaded != 3 || rep.Upload.ClaimsSent != 6 {
		t.Fatalf("submit: %+v; want 3 files (alpha; beta per payer P2, P3) and 6 claims", rep)
	}
	if got := len(a.Uploaded()); got != 1 {
		t.Errorf("alpha received %d files, want 1", got)
	}
	if got := len(b.Uploaded()); got != 2 {
		t.Errorf("beta received %d files (one per payer), want 2", got)
	}
	var batches []*pipeline.Batch
	if err := store.InTx(ctx, func(tx pipeline.Tx) error {
		var err error
		batches, err = tx.BatchesInState(ctx, pipeline.BatchUploaded)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	isa := map[string][]string{}
	for _, bt := range batches {
		isa[bt.ReceiverID] = append(isa[bt.ReceiverID], bt.ISA13)
		switch bt.Clearinghouse {
		case "alpha":
			if len(bt.Sets) != 2 || bt.Sets[0].Claims != 2 || bt.Sets[1].Claims != 1 {
				t.Errorf("alpha's file has sets %+v, want 2 + 1 claims (at most 2 per ST-SE)", bt.Sets)
			}
		case "beta":
			if bt.PayerID != "P2" && bt.PayerID != "P3" {
				t.Errorf("beta batch for payer %q", bt.PayerID)
			}
		}
	}
	// Each sender/receiver pair counts its own interchanges from 1.
	for _, nums := range isa {
		sort.Strings(nums)
	}
	if got := isa["ALPHA"]; len(got) != 1 || got[0] != "000000001" {
		t.Errorf("alpha ISA13s %v, want [000000001]", got)
	}
	if got := isa["030240928"]; len(got) != 2 || got[0] != "000000001" || got[1] != "000000002" {
		t.Errorf("beta ISA13s %v, want 000000001 and 000000002", got)
	}
}
