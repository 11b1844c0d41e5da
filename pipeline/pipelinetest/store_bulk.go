package pipelinetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
)

var bulkTests = []storeTest{
	{"Bulk/MoveClaims", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		c3 := createClaim(t, s, "E3", pipeline.StateAckAccepted)
		evs := []pipeline.Event{
			{ClaimID: c3.ID, From: pipeline.StateAckAccepted, To: pipeline.StatePaid, At: t1, Kind: "835", Segment: 30},
			{ClaimID: c1.ID, From: pipeline.StateSubmitted, To: pipeline.StateDenied, At: t1, Kind: "835", Segment: 10, Version: 2, Actor: "kim"},
			{ClaimID: c2.ID, From: pipeline.StateSubmitted, To: pipeline.StatePaid, Kind: "835", Segment: 20},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// c1 and c2 have a number from a 277CA.
			for _, c := range []*pipeline.Claim{c1, c2} {
				_, err := tx.SetPayerClaimNumber(ctx, c.ID, c.EncounterID+"-277", "277ca")
				must(t, "SetPayerClaimNumber", err)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MoveClaims", tx.MoveClaims(ctx, evs, map[int64]string{c2.ID: "ICN-2", 777: "not moved"}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, want := range []pipeline.ClaimState{pipeline.StateDenied, pipeline.StatePaid, pipeline.StatePaid} {
				id := []int64{c1.ID, c2.ID, c3.ID}[i]
				got, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if got.State != want {
					t.Errorf("claim %d: state %s, want %s", id, got.State, want)
				}
				evs2, err := tx.Events(ctx, id)
				must(t, "Events", err)
				if len(evs2) != 1 || evs2[0].To != want || evs2[0].ClaimID != id {
					t.Errorf("claim %d: events %+v", id, evs2)
				}
				if i == 0 && (got.UpdatedAt != norm(t1) || evs2[0].At != norm(t1) || evs2[0].Segment != 10 || evs2[0].Version != 2 || evs2[0].Actor != "kim") {
					t.Errorf("claim %d: updated %v, event %+v", id, got.UpdatedAt, evs2[0])
				}
				// Only c2 was given a payer claim number, which comes
				// from an 835; c1 keeps its 277CA's.
				want := map[int64][2]string{c1.ID: {"E1-277", "277ca"}, c2.ID: {"ICN-2", "835"}}[id]
				if got.PayerClaimNumber != want[0] || got.PayerClaimSource != want[1] {
					t.Errorf("claim %d: payer claim number %q from %q, want %q from %q", id, got.PayerClaimNumber, got.PayerClaimSource, want[0], want[1])
				}
			}
			// The 835's number now stands against a 277CA's.
			changed, err := tx.SetPayerClaimNumber(ctx, c2.ID, "E2-277-again", "277ca")
			must(t, "SetPayerClaimNumber", err)
			if changed {
				t.Errorf("a 277CA number replaced the one MoveClaims recorded from an 835")
			}
		})
	}},
	{"Bulk/MoveClaimsChecksFirst", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StatePaid)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			b := tx
			move := func(id int64, from, to pipeline.ClaimState) pipeline.Event {
				return pipeline.Event{ClaimID: id, From: from, To: to, Kind: "835"}
			}
			err := b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(c1.ID, pipeline.StateSubmitted, pipeline.StatePaid)}, nil)
			wantErr(t, "MoveClaims with a claim in another state", err, pipeline.ErrConflict)
			err = b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(424242, pipeline.StateSubmitted, pipeline.StatePaid)}, nil)
			wantErr(t, "MoveClaims with a missing claim", err, pipeline.ErrNotFound)
			err = b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(c1.ID, pipeline.StatePaid, pipeline.StateBatched)}, nil)
			var te *pipeline.TransitionError
			if !errors.As(err, &te) || te.ClaimID != c1.ID {
				t.Errorf("MoveClaims with an illegal move = %v, want a *TransitionError for claim %d", err, c1.ID)
			}
			if err := b.MoveClaims(ctx, []pipeline.Event{move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid), move(c2.ID, pipeline.StateSubmitted, pipeline.StatePaid)}, nil); err == nil {
				t.Errorf("MoveClaims with a claim twice succeeded")
			}
			must(t, "MoveClaims(none)", b.MoveClaims(ctx, nil, nil))
			// Nothing moved, and the transaction goes on.
			got, err := tx.GetClaim(ctx, c2.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StateSubmitted {
				t.Errorf("claim %d moved by a refused MoveClaims: %s", c2.ID, got.State)
			}
			must(t, "MoveClaim", tx.MoveClaim(ctx, c2.ID, 0, pipeline.StateSubmitted, pipeline.StateAccepted, pipeline.Event{Kind: "277ca"}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, c := range []*pipeline.Claim{c1, c2} {
				evs, err := tx.Events(ctx, c.ID)
				must(t, "Events", err)
				if want := map[int64]int{c1.ID: 0, c2.ID: 1}[c.ID]; len(evs) != want {
					t.Errorf("claim %d: %d events, want %d", c.ID, len(evs), want)
				}
			}
		})
	}},
	{"Bulk/MoveClaimsAt", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StatePaid)
		c2 := createClaim(t, s, "E2", pipeline.StatePaid)
		// c2 is corrected: version 2.
		c2.Lines = c2.Lines[:1]
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c2, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "7", Data: c2.Data, TotalCharge: c2.Lines[0].Charge, Actor: "kim"}, 1))
		})
		move := func(c *pipeline.Claim, from, to pipeline.ClaimState) pipeline.Event {
			// The event records the version the payment answered.
			return pipeline.Event{ClaimID: c.ID, From: from, To: to, Kind: "835", Version: 1, At: t1}
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// c2 is not at version 1 any more: nothing moves.
			err := tx.MoveClaimsAt(ctx, []pipeline.Event{move(c1, pipeline.StatePaid, pipeline.StateReversed),
				move(c2, pipeline.StatePaid, pipeline.StateReversed)}, []int{1, 1})
			wantErr(t, "MoveClaimsAt with a claim at another version", err, pipeline.ErrConflict)
			err = tx.MoveClaimsAt(ctx, []pipeline.Event{move(c1, pipeline.StateDenied, pipeline.StateReversed)}, []int{1})
			wantErr(t, "MoveClaimsAt with a claim in another state", err, pipeline.ErrConflict)
			if err := tx.MoveClaimsAt(ctx, []pipeline.Event{move(c1, pipeline.StatePaid, pipeline.StateReversed)}, nil); err == nil {
				t.Errorf("MoveClaimsAt without versions succeeded")
			}
			for _, id := range []int64{c1.ID, c2.ID} {
				got, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if got.State != pipeline.StatePaid {
					t.Errorf("claim %d moved by a refused MoveClaimsAt: %s", id, got.State)
				}
			}
			// At their versions, step by step: both move, each event kept.
			must(t, "MoveClaimsAt", tx.MoveClaimsAt(ctx, []pipeline.Event{move(c1, pipeline.StatePaid, pipeline.StateReversed),
				move(c2, pipeline.StatePaid, pipeline.StateReversed)}, []int{1, 2}))
			must(t, "MoveClaimsAt", tx.MoveClaimsAt(ctx, []pipeline.Event{move(c2, pipeline.StateReversed, pipeline.StatePaid)}, []int{2}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for id, want := range map[int64][]pipeline.ClaimState{c1.ID: {pipeline.StateReversed}, c2.ID: {pipeline.StateReversed, pipeline.StatePaid}} {
				got, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if got.State != want[len(want)-1] {
					t.Errorf("claim %d: state %s, want %s", id, got.State, want[len(want)-1])
				}
				evs, err := tx.Events(ctx, id)
				must(t, "Events", err)
				var tos []pipeline.ClaimState
				for _, ev := range evs {
					if ev.Kind == "835" {
						tos = append(tos, ev.To)
						if ev.Version != 1 || ev.At != norm(t1) {
							t.Errorf("claim %d: event %+v, want version 1 at %v", id, ev, t1)
						}
					}
				}
				Same(t, fmt.Sprintf("claim %d moves", id), tos, want)
			}
		})
	}},
	{"Bulk/AddUnappliedPayments", func(t *testing.T, _ *suite, s pipeline.Store) {
		r := createRemittance(t, s, "T1")
		unapplied := func(ordinal int, pcn string) *pipeline.UnappliedPayment {
			clp := &x835.Claim{Ordinal: ordinal, Segment: 10 * ordinal, PatientControlNumber: pcn, Status: "1",
				Charge: x12.MustAmount("100"), Paid: x12.MustAmount("80"), PayerClaimNumber: "ICN-" + pcn}
			return &pipeline.UnappliedPayment{RemittanceID: r.ID, Ordinal: ordinal, Segment: clp.Segment, PCN: pcn, Status: "1",
				PayerClaimNumber: clp.PayerClaimNumber, Charge: clp.Charge, Paid: clp.Paid, Claim: clp,
				Reason: "CLP01 " + pcn + " matches no claim we sent", CreatedAt: t1}
		}
		u1, u2, u3 := unapplied(1, "X1"), unapplied(2, "X2"), unapplied(3, "X3")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// The same CLP twice: an error, and nothing added.
			err := tx.AddUnappliedPayments(ctx, []*pipeline.UnappliedPayment{unapplied(4, "X4"), unapplied(4, "X4-again")})
			if err == nil {
				t.Errorf("AddUnappliedPayments with a CLP twice succeeded")
			}
			must(t, "AddUnappliedPayments(none)", tx.AddUnappliedPayments(ctx, nil))
			must(t, "AddUnapplied", tx.AddUnapplied(ctx, u1))
			must(t, "AddUnappliedPayments", tx.AddUnappliedPayments(ctx, []*pipeline.UnappliedPayment{u2, u3}))
			if u2.ID == 0 || u3.ID == 0 || u2.ID == u3.ID || u2.ID == u1.ID {
				t.Errorf("unapplied payment IDs %d, %d (and %d added alone): want new, distinct IDs", u2.ID, u3.ID, u1.ID)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.UnappliedPayments(ctx, r.ID, false)
			must(t, "UnappliedPayments", err)
			Same(t, "unapplied payments", got, []*pipeline.UnappliedPayment{u1, u2, u3})
			n, total, err := tx.UnappliedTotals(ctx, r.ID)
			must(t, "UnappliedTotals", err)
			if n != 3 || total != x12.MustAmount("240") {
				t.Errorf("UnappliedTotals = %d, %s; want 3, 240.00", n, total)
			}
		})
	}},
	{"Bulk/PostingTargets", func(t *testing.T, _ *suite, s pipeline.Store) {
		// c1's lines are numbered against their ID order.
		c1 := sampleClaim("E1", pipeline.StatePaid)
		c1.PayerID = "PAYER09"
		c1.Lines[0].LineNo, c1.Lines[1].LineNo = 2, 1
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c1))
		})
		// c2 lists other coverage: posting reads that it does.
		c2 := sampleClaim("E2", pipeline.StateSubmitted)
		c2.Data.OtherCoverage = []x837.OtherCoverage{{Responsibility: "S", Payer: x837.OtherPayer{Name: "Second Payer", ID: "PAYER02"}}}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c2))
		})
		c3 := createClaim(t, s, "E3", pipeline.StateSubmitted) // never submitted: no target
		// Version 2 of c1 replaces both its lines by a new one: they
		// stay, not active.
		old1 := slices.Clone(c1.Lines)
		c1.Lines = []pipeline.ClaimLine{{LineNo: 1, ControlNumber: "E1-L3", Procedure: "99214", Charge: x12.MustAmount("90"),
			Units: "1", ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 4}}}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c1, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "7", Data: c1.Data, TotalCharge: x12.MustAmount("90"), Actor: "kim"}, 1))
		})
		// What posting reads of a line.
		target := func(l pipeline.ClaimLine, active bool) pipeline.ClaimLine {
			return pipeline.ClaimLine{ID: l.ID, ClaimID: l.ClaimID, LineNo: l.LineNo, ControlNumber: l.ControlNumber,
				Procedure: l.Procedure, RevenueCode: l.RevenueCode, Charge: l.Charge, ServiceDate: l.ServiceDate, Active: active}
		}
		// c1: the active line, then the others in ID order (not in
		// line number order).
		lines1 := []pipeline.ClaimLine{target(c1.Lines[0], true), target(old1[0], false), target(old1[1], false)}
		lines2 := []pipeline.ClaimLine{target(c2.Lines[0], true), target(c2.Lines[1], true)}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			subs := []*pipeline.Submission{
				{ClaimID: c2.ID, Version: 1, PCN: "E2-1", CreatedAt: t1},
				{ClaimID: c1.ID, Version: 1, PCN: "E1-1", CreatedAt: t1},
				{ClaimID: c1.ID, Version: 2, PCN: "E1-2", Frequency: "7", CreatedAt: t1},
			}
			for _, sub := range subs {
				must(t, "CreateSubmission", tx.CreateSubmission(ctx, sub))
			}
			must(t, "SetPayerClaimNumbers", tx.SetPayerClaimNumbers(ctx, map[int64]string{c1.ID: "ICN-1"}))
			// Entries added in this transaction count, on inactive lines too.
			must(t, "AddEntries", tx.AddEntries(ctx, []pipeline.LedgerEntry{
				charge(c1, old1[0].ID, "150"), insurance(c1, old1[0].ID, "100", cas("CO", "45", "30"), cas("PR", "1", "12")),
				writeOff(c1, 0, "3"), patientPaid(c1, old1[0].ID, "12"), // a patient payment leaves the insurance balance
				charge(c3, c3.Lines[0].ID, "10"),
			}))
			got, err := tx.PostingTargets(ctx, []string{"E1-2", "nope", "E2-1", "E1-1", "E3-1"})
			must(t, "PostingTargets", err)
			open1 := x12.MustAmount("5") // 150 - 100 - 30 - 12 - 3
			want := []pipeline.PostingTarget{
				{SubmissionID: subs[0].ID, SubmissionVersion: 1, PCN: "E2-1", ClaimID: c2.ID, EncounterID: "E2", PayerID: "PAYER01",
					State: pipeline.StateSubmitted, Version: 1, VersionKind: pipeline.VersionOriginal, OtherCoverage: true, Lines: lines2},
				{SubmissionID: subs[1].ID, SubmissionVersion: 1, PCN: "E1-1", ClaimID: c1.ID, EncounterID: "E1", PayerID: "PAYER09",
					State: pipeline.StatePaid, Version: 2, VersionKind: pipeline.VersionCorrection, PayerClaimNumber: "ICN-1", Lines: lines1, Open: open1},
				{SubmissionID: subs[2].ID, SubmissionVersion: 2, PCN: "E1-2", ClaimID: c1.ID, EncounterID: "E1", PayerID: "PAYER09",
					State: pipeline.StatePaid, Version: 2, VersionKind: pipeline.VersionCorrection, PayerClaimNumber: "ICN-1", Lines: lines1, Open: open1},
			}
			Same(t, "posting targets", got, want)
			none, err := tx.PostingTargets(ctx, nil)
			must(t, "PostingTargets(none)", err)
			if len(none) != 0 {
				t.Errorf("PostingTargets(nil) = %+v", none)
			}
		})
	}},
	{"Bulk/SetPayerClaimNumbers", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		c3 := createClaim(t, s, "E3", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.SetPayerClaimNumber(ctx, c1.ID, "ICN-1-277", "277ca")
			must(t, "SetPayerClaimNumber", err)
			must(t, "SetPayerClaimNumbers", tx.SetPayerClaimNumbers(ctx, map[int64]string{c1.ID: "ICN-1", c3.ID: "ICN-3"}))
		})
		// An unknown claim fails the call, and the transaction rolls back.
		err := s.InTx(context.Background(), func(tx pipeline.Tx) error {
			return tx.SetPayerClaimNumbers(context.Background(), map[int64]string{c2.ID: "X", 999999: "Y"})
		})
		if !errors.Is(err, pipeline.ErrNotFound) {
			t.Errorf("SetPayerClaimNumbers with an unknown claim: %v, want ErrNotFound", err)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// The numbers come from an 835: c1's replaces its 277CA's.
			for id, want := range map[int64][2]string{c1.ID: {"ICN-1", "835"}, c2.ID: {"", ""}, c3.ID: {"ICN-3", "835"}} {
				c, err := tx.GetClaim(ctx, id)
				must(t, "GetClaim", err)
				if c.PayerClaimNumber != want[0] || c.PayerClaimSource != want[1] {
					t.Errorf("claim %d payer claim number %q from %q, want %q from %q", id, c.PayerClaimNumber, c.PayerClaimSource, want[0], want[1])
				}
			}
		})
	}},
	{"Bulk/OpenWorkItems", func(t *testing.T, _ *suite, s pipeline.Store) {
		denial := func(claim int64, code string) *pipeline.WorkItem {
			return &pipeline.WorkItem{Key: pipeline.ClaimKey(pipeline.SourceDenial, claim), Source: pipeline.SourceDenial, Code: code,
				Category: "denial", Summary: fmt.Sprintf("claim %d denied", claim), ClaimID: claim, Version: 1, RemittanceID: 4,
				InboundFileID: 5, Segment: 30, PayerID: "PAYER01", EncounterID: fmt.Sprintf("E%d", claim), CreatedAt: t1,
				Reasons: []pipeline.Reason{{Code: code, Text: "denied", Location: "835 segment 30"}}}
		}
		// Claim 7 has an open item, which someone took.
		first := denial(7, "CO-16")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.OpenWorkItem(ctx, first)
			must(t, "OpenWorkItem", err)
		})
		first.Assignee, first.Note = "kim", "calling the payer"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, first)) })

		again, w8, w9 := denial(7, "CO-50"), denial(8, "CO-197"), denial(9, "CO-29")
		again.CreatedAt = t2 // kept from the open item
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// A key twice, or an item without one: an error, and nothing opened.
			err := tx.OpenWorkItems(ctx, []*pipeline.WorkItem{denial(10, "CO-1"), denial(10, "CO-2")})
			if err == nil {
				t.Errorf("OpenWorkItems with a key twice succeeded")
			}
			err = tx.OpenWorkItems(ctx, []*pipeline.WorkItem{denial(11, "CO-1"), {Source: pipeline.SourceDenial, Summary: "no key"}})
			if err == nil {
				t.Errorf("OpenWorkItems with an item without a key succeeded")
			}
			must(t, "OpenWorkItems(none)", tx.OpenWorkItems(ctx, nil))
			must(t, "OpenWorkItems", tx.OpenWorkItems(ctx, []*pipeline.WorkItem{w8, again, w9}))
		})
		if again.ID != first.ID || again.CreatedAt != first.CreatedAt || again.Assignee != "kim" || again.Note != "calling the payer" ||
			again.Status != pipeline.WorkOpen {
			t.Errorf("updated item: ID %d, opened %v, assignee %q, note %q, status %q; want %d, %v, kim, the note, open",
				again.ID, again.CreatedAt, again.Assignee, again.Note, again.Status, first.ID, first.CreatedAt)
		}
		if w8.ID == 0 || w9.ID <= w8.ID || w8.ID == first.ID {
			t.Errorf("new items' IDs %d and %d (the open item's %d): want new, increasing IDs", w8.ID, w9.ID, first.ID)
		}
		for _, w := range []*pipeline.WorkItem{again, w8, w9} {
			checkStamp(t, "UpdatedAt", w.UpdatedAt)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			items, err := tx.WorkItems(ctx, pipeline.WorkFilter{})
			must(t, "WorkItems", err)
			Same(t, "items", items, []*pipeline.WorkItem{again, w8, w9})
		})
	}},
	{"Bulk/CloseWorkItemsByKey", func(t *testing.T, _ *suite, s pipeline.Store) {
		keys := []string{pipeline.ClaimKey(pipeline.SourceDenial, 1), pipeline.ClaimKey(pipeline.Source277CA, 1), pipeline.ClaimKey(pipeline.SourceDenial, 2)}
		items := make([]*pipeline.WorkItem, len(keys))
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, k := range keys {
				items[i] = &pipeline.WorkItem{Key: k, Source: pipeline.SourceDenial, Summary: k}
				_, err := tx.OpenWorkItem(ctx, items[i])
				must(t, "OpenWorkItem", err)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			n, err := tx.CloseWorkItemsByKey(ctx, map[string]string{keys[0]: "paid in full", keys[1]: "adjudicated", "denial:claim:99": "none", "": "no key"},
				pipeline.SystemActor)
			must(t, "CloseWorkItemsByKey", err)
			if n != 2 {
				t.Errorf("CloseWorkItemsByKey closed %d items, want 2", n)
			}
			n, err = tx.CloseWorkItemsByKey(ctx, map[string]string{keys[0]: "again"}, "kim")
			must(t, "CloseWorkItemsByKey(closed)", err)
			if n != 0 {
				t.Errorf("CloseWorkItemsByKey of a closed key closed %d items", n)
			}
			n, err = tx.CloseWorkItemsByKey(ctx, nil, "kim")
			must(t, "CloseWorkItemsByKey(none)", err)
			if n != 0 {
				t.Errorf("CloseWorkItemsByKey(nil) closed %d items", n)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, note := range []string{"paid in full", "adjudicated", ""} {
				got, err := tx.GetWorkItem(ctx, items[i].ID)
				must(t, "GetWorkItem", err)
				wantStatus, wantBy := pipeline.WorkClosed, pipeline.SystemActor
				if note == "" {
					wantStatus, wantBy = pipeline.WorkOpen, ""
				}
				if got.Status != wantStatus || got.Note != note || got.ClosedBy != wantBy {
					t.Errorf("item %s: status %q, note %q, closed by %q; want %q, %q, %q", keys[i], got.Status, got.Note, got.ClosedBy, wantStatus, note, wantBy)
				}
				if note != "" {
					checkStamp(t, "ClosedAt", got.ClosedAt)
				}
			}
		})
	}},
	{"Bulk/ClaimPaymentsAndReversals", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StatePaid)
		c2 := createClaim(t, s, "E2", pipeline.StatePaid)
		c3 := createClaim(t, s, "E3", pipeline.StateSubmitted) // no payments
		r := createRemittance(t, s, "T1")
		pay := func(c *pipeline.Claim, ordinal int, status string, paid string) *pipeline.ClaimPayment {
			return &pipeline.ClaimPayment{RemittanceID: r.ID, ClaimID: c.ID, Ordinal: ordinal, Status: status, Charge: x12.MustAmount("100"),
				Paid: x12.MustAmount(paid), PayerClaimNumber: "ICN-" + c.EncounterID, Outcome: pipeline.StatePaid}
		}
		p1, p2, p3 := pay(c1, 1, "1", "80"), pay(c2, 2, "1", "70"), pay(c1, 3, "1", "5")
		rev1, rev2 := pay(c1, 4, "22", "-80"), pay(c2, 5, "22", "-70")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, p := range []*pipeline.ClaimPayment{p1, p2, p3} {
				must(t, "AddClaimPayment", tx.AddClaimPayment(ctx, p))
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, p := range []*pipeline.ClaimPayment{rev1, rev2} {
				must(t, "AddClaimPayment", tx.AddClaimPayment(ctx, p))
			}
			// Read in the same transaction: the reversals count.
			got, err := tx.ClaimPaymentsOf(ctx, []int64{c3.ID, c1.ID, c2.ID})
			must(t, "ClaimPaymentsOf", err)
			Same(t, "payments of c1, c2, c3", got, map[int64][]*pipeline.ClaimPayment{c1.ID: {p1, p3, rev1}, c2.ID: {p2, rev2}, c3.ID: nil})
			none, err := tx.ClaimPaymentsOf(ctx, nil)
			must(t, "ClaimPaymentsOf(none)", err)
			if len(none) != 0 {
				t.Errorf("ClaimPaymentsOf(nil) = %v", none)
			}
			// A missing payment, or one reversed by another: an error,
			// and none is marked.
			err = tx.MarkPaymentsReversed(ctx, map[int64]int64{p1.ID: rev1.ID, rev2.ID + 100: rev2.ID})
			wantErr(t, "MarkPaymentsReversed with a missing payment", err, pipeline.ErrNotFound)
			must(t, "MarkReversed", tx.MarkReversed(ctx, p2.ID, rev2.ID))
			err = tx.MarkPaymentsReversed(ctx, map[int64]int64{p1.ID: rev1.ID, p2.ID: rev1.ID})
			wantErr(t, "MarkPaymentsReversed of a payment reversed by another", err, pipeline.ErrConflict)
			got, err = tx.ClaimPaymentsOf(ctx, []int64{c1.ID})
			must(t, "ClaimPaymentsOf", err)
			Same(t, "payments of c1 after refused marks", got, map[int64][]*pipeline.ClaimPayment{c1.ID: {p1, p3, rev1}})
			// Marked again by the same reversal: no change, no error.
			must(t, "MarkPaymentsReversed", tx.MarkPaymentsReversed(ctx, map[int64]int64{p1.ID: rev1.ID, p2.ID: rev2.ID}))
			must(t, "MarkPaymentsReversed(none)", tx.MarkPaymentsReversed(ctx, nil))
		})
		p1.ReversedBy, p2.ReversedBy = rev1.ID, rev2.ID
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ClaimPaymentsOf(ctx, []int64{c1.ID, c2.ID})
			must(t, "ClaimPaymentsOf", err)
			Same(t, "payments after the marks", got, map[int64][]*pipeline.ClaimPayment{c1.ID: {p1, p3, rev1}, c2.ID: {p2, rev2}})
			for _, c := range []*pipeline.Claim{c1, c2} {
				one, err := tx.ClaimPayments(ctx, c.ID)
				must(t, "ClaimPayments", err)
				Same(t, "ClaimPayments as ClaimPaymentsOf", one, got[c.ID])
			}
		})
	}},
}
