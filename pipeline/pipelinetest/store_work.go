package pipelinetest

import (
	"context"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

var workTests = []storeTest{
	{"Work/OpenGetFilter", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateDenied)
		items := []*pipeline.WorkItem{
			{Key: pipeline.ClaimKey(pipeline.SourceDenial, c.ID), Source: pipeline.SourceDenial, Code: "CO-27", Category: "eligibility",
				Summary: "claim denied", ClaimID: c.ID, Version: 2, EncounterID: "E1", RemittanceID: 3, InboundFileID: 4, Segment: 17,
				PayerID: "PAYER01", Assignee: "kim", Note: "called the payer", CreatedAt: t0,
				Reasons: []pipeline.Reason{{Code: "CO-27", Text: "expenses incurred after coverage terminated", Location: "835 CAS"}}},
			{Key: pipeline.EncounterKey("E9"), Source: pipeline.SourceIntake, Code: "json", EncounterID: "E9", Category: "intake",
				Summary: "unreadable record", Reasons: []pipeline.Reason{{Code: "json", Text: "invalid JSON", Field: "lines[0].charge"}}},
			{Source: pipeline.SourceTransport, Code: "upload-failed", BatchID: 12, PayerID: "PAYER02", Category: "transport",
				Summary: "batch 12 failed to upload", Status: pipeline.WorkClosed}, // no key; the status is set to open
			{Key: pipeline.RemitKeyOf(pipeline.SourceImbalance, 3), Source: pipeline.SourceImbalance, RemittanceID: 3,
				Category: "out of balance", Assignee: "lee", ClosedBy: "not saved", ClosedAt: t2},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, w := range items {
				inserted, err := tx.OpenWorkItem(ctx, w)
				must(t, "OpenWorkItem", err)
				if !inserted || w.ID == 0 {
					t.Fatalf("OpenWorkItem(%q) = %v, ID %d; want an insert with an ID", w.Key, inserted, w.ID)
				}
				if w.Status != pipeline.WorkOpen || !w.ClosedAt.IsZero() || w.ClosedBy != "" {
					t.Errorf("opened item %d: status %q, closed %v by %q; want open, not closed", w.ID, w.Status, w.ClosedAt, w.ClosedBy)
				}
				checkStamp(t, "UpdatedAt", w.UpdatedAt)
			}
			// Readable in the same transaction.
			got, err := tx.GetWorkItem(ctx, items[0].ID)
			must(t, "GetWorkItem", err)
			Same(t, "item in the same transaction", got, items[0])
		})
		if items[0].CreatedAt != norm(t0) {
			t.Errorf("CreatedAt = %v, want %v", items[0].CreatedAt, norm(t0))
		}
		checkStamp(t, "zero CreatedAt", items[1].CreatedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, w := range items {
				got, err := tx.GetWorkItem(ctx, w.ID)
				must(t, "GetWorkItem", err)
				Same(t, "work item", got, w)
			}
			_, err := tx.GetWorkItem(ctx, 424242)
			wantErr(t, "GetWorkItem(missing)", err, pipeline.ErrNotFound)
		})

		// Item 2 is closed and item 1 changes later than the others.
		after(items[3].UpdatedAt)
		w := items[2]
		w.Status, w.ClosedAt, w.ClosedBy, w.Note = pipeline.WorkClosed, t1, "kim", "uploaded by hand"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, w)) })
		w.ClosedAt = norm(t1)
		after(w.UpdatedAt)
		items[1].Assignee = "lee"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, items[1])) })
		if !(items[1].UpdatedAt.After(w.UpdatedAt) && w.UpdatedAt.After(items[3].UpdatedAt)) {
			t.Fatalf("update times not increasing: %v, %v, %v", items[3].UpdatedAt, w.UpdatedAt, items[1].UpdatedAt)
		}

		for _, tc := range []struct {
			name string
			f    pipeline.WorkFilter
			want []*pipeline.WorkItem
		}{
			{"all", pipeline.WorkFilter{}, items},
			{"open", pipeline.WorkFilter{Status: pipeline.WorkOpen}, []*pipeline.WorkItem{items[0], items[1], items[3]}},
			{"closed", pipeline.WorkFilter{Status: pipeline.WorkClosed}, items[2:3]},
			{"denials", pipeline.WorkFilter{Source: pipeline.SourceDenial}, items[:1]},
			{"claim", pipeline.WorkFilter{ClaimID: c.ID}, items[:1]},
			{"payer", pipeline.WorkFilter{PayerID: "PAYER02"}, items[2:3]},
			{"assignee", pipeline.WorkFilter{Assignee: "lee"}, []*pipeline.WorkItem{items[1], items[3]}},
			{"key", pipeline.WorkFilter{Key: pipeline.EncounterKey("E9")}, items[1:2]},
			{"updated since", pipeline.WorkFilter{UpdatedSince: w.UpdatedAt}, []*pipeline.WorkItem{items[1], items[2]}},
			{"updated since, later", pipeline.WorkFilter{UpdatedSince: items[1].UpdatedAt}, items[1:2]},
			{"open, updated since", pipeline.WorkFilter{Status: pipeline.WorkOpen, UpdatedSince: w.UpdatedAt}, items[1:2]},
			{"open denials of the claim's payer", pipeline.WorkFilter{Status: pipeline.WorkOpen, Source: pipeline.SourceDenial,
				ClaimID: c.ID, PayerID: "PAYER01", Assignee: "kim", Key: items[0].Key}, items[:1]},
			{"code", pipeline.WorkFilter{Code: "CO-27"}, items[:1]},
			{"code is exact", pipeline.WorkFilter{Code: "CO"}, nil},
			{"category", pipeline.WorkFilter{Category: "intake"}, items[1:2]},
			{"open, category", pipeline.WorkFilter{Status: pipeline.WorkOpen, Category: "transport"}, nil},
			{"opened before", pipeline.WorkFilter{OpenedBefore: items[1].CreatedAt}, items[:1]},
			{"opened before, exclusive", pipeline.WorkFilter{OpenedBefore: items[0].CreatedAt}, nil},
			{"open, opened before, updated since", pipeline.WorkFilter{Status: pipeline.WorkOpen,
				OpenedBefore: items[1].CreatedAt.Add(time.Microsecond), UpdatedSince: w.UpdatedAt}, items[1:2]},
			{"limit", pipeline.WorkFilter{Status: pipeline.WorkOpen, Limit: 2}, items[:2]},
			{"none", pipeline.WorkFilter{Source: pipeline.SourceTA1}, nil},
			{"no such payer", pipeline.WorkFilter{Status: pipeline.WorkOpen, PayerID: "PAYER02"}, nil},
			{"no such key", pipeline.WorkFilter{Key: "999:claim:1"}, nil},
		} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				// CountWorkItems counts what WorkItems returns, but for
				// the limit, which it ignores.
				n, err := tx.CountWorkItems(ctx, tc.f)
				must(t, "CountWorkItems("+tc.name+")", err)
				all := tc.f
				all.Limit = 0
				unlimited, err := tx.WorkItems(ctx, all)
				must(t, "WorkItems("+tc.name+", no limit)", err)
				if n != len(unlimited) || n < len(tc.want) {
					t.Errorf("CountWorkItems(%s) = %d; WorkItems without a limit returns %d", tc.name, n, len(unlimited))
				}
				got, err := tx.WorkItems(ctx, tc.f)
				must(t, "WorkItems("+tc.name+")", err)
				if len(got) == 0 && len(tc.want) == 0 {
					return
				}
				Same(t, "work items ("+tc.name+")", got, tc.want)
			})
		}
	}},
	{"Work/OpenSameKeyUpdates", func(t *testing.T, _ *suite, s pipeline.Store) {
		key := pipeline.ClaimKey(pipeline.Source277CA, 7)
		first := &pipeline.WorkItem{Key: key, Source: pipeline.Source277CA, Code: "A7:21", Category: "coding", Summary: "rejected",
			ClaimID: 7, Version: 1, InboundFileID: 3, Segment: 40, PayerID: "PAYER01", CreatedAt: t0,
			Reasons: []pipeline.Reason{{Code: "A7:21", Text: "missing or invalid information"}, {Code: "A7:562", Text: "provider"}}}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			inserted, err := tx.OpenWorkItem(ctx, first)
			must(t, "OpenWorkItem", err)
			if !inserted {
				t.Fatal("the first item of a key was not inserted")
			}
		})
		// Someone takes it and writes a note.
		first.Assignee, first.Note = "kim", "checking the NPI"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, first)) })

		// The cause comes again, with other reasons and references.
		again := &pipeline.WorkItem{Key: key, Source: pipeline.Source999, Code: "IK5:R", Category: "envelope", Summary: "rejected again",
			ClaimID: 7, Version: 2, BatchID: 5, RemittanceID: 6, InboundFileID: 8, Segment: 12, PayerID: "PAYER02", EncounterID: "E7",
			Reasons:   []pipeline.Reason{{Code: "IK5:R", Text: "set rejected", Location: "999 IK5"}},
			Assignee:  "lee",               // kept from the open item
			Note:      "",                  // kept from the open item
			CreatedAt: t2,                  // kept from the open item
			Status:    pipeline.WorkClosed, // set to open
		}
		other := &pipeline.WorkItem{Key: pipeline.ClaimKey(pipeline.Source277CA, 8), Source: pipeline.Source277CA, Summary: "another claim"}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			inserted, err := tx.OpenWorkItem(ctx, again)
			must(t, "OpenWorkItem(same key)", err)
			if inserted {
				t.Errorf("OpenWorkItem with the key of an open item inserted")
			}
			inserted, err = tx.OpenWorkItem(ctx, other)
			must(t, "OpenWorkItem(other key)", err)
			if !inserted || other.ID == first.ID {
				t.Errorf("OpenWorkItem with another key = %v, ID %d; want a new item", inserted, other.ID)
			}
		})
		if again.ID != first.ID || again.CreatedAt != first.CreatedAt || again.Assignee != "kim" || again.Note != "checking the NPI" ||
			again.Status != pipeline.WorkOpen {
			t.Errorf("updated item: ID %d, opened %v, assignee %q, note %q, status %q; want %d, %v, kim, the note, open",
				again.ID, again.CreatedAt, again.Assignee, again.Note, again.Status, first.ID, first.CreatedAt)
		}
		checkStamp(t, "UpdatedAt", again.UpdatedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetWorkItem(ctx, first.ID)
			must(t, "GetWorkItem", err)
			Same(t, "item updated by key", got, again)
			items, err := tx.WorkItems(ctx, pipeline.WorkFilter{})
			must(t, "WorkItems", err)
			Same(t, "items", items, []*pipeline.WorkItem{again, other})
		})
	}},
	{"Work/EmptyKeyNeverMerges", func(t *testing.T, _ *suite, s pipeline.Store) {
		var items []*pipeline.WorkItem
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for range 3 {
				w := &pipeline.WorkItem{Source: pipeline.SourceTransport, Code: "upload-failed", Summary: "same cause, no key"}
				inserted, err := tx.OpenWorkItem(ctx, w)
				must(t, "OpenWorkItem", err)
				if !inserted {
					t.Errorf("an item without a key was not inserted")
				}
				items = append(items, w)
			}
			n, err := tx.CloseWorkItems(ctx, "", "kim", "all of them?")
			must(t, "CloseWorkItems(empty key)", err)
			if n != 0 {
				t.Errorf("CloseWorkItems(empty key) closed %d items", n)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.WorkItems(ctx, pipeline.WorkFilter{Status: pipeline.WorkOpen})
			must(t, "WorkItems", err)
			Same(t, "open items without a key", got, items)
		})
	}},
	{"Work/CloseByKeyAndReopen", func(t *testing.T, _ *suite, s pipeline.Store) {
		k1, k2 := pipeline.BatchKey(1), pipeline.BatchKey(2)
		open := func(ctx context.Context, tx pipeline.Tx, key string) *pipeline.WorkItem {
			t.Helper()
			w := &pipeline.WorkItem{Key: key, Source: pipeline.SourceTransport, Code: "upload-failed", Summary: key}
			inserted, err := tx.OpenWorkItem(ctx, w)
			must(t, "OpenWorkItem", err)
			if !inserted {
				t.Errorf("OpenWorkItem(%s) did not insert", key)
			}
			return w
		}
		closeKey := func(ctx context.Context, tx pipeline.Tx, key, by, note string, want int) {
			t.Helper()
			n, err := tx.CloseWorkItems(ctx, key, by, note)
			must(t, "CloseWorkItems", err)
			if n != want {
				t.Errorf("CloseWorkItems(%s) = %d, want %d", key, n, want)
			}
		}
		var a, b, a2 *pipeline.WorkItem
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			a, b = open(ctx, tx, k1), open(ctx, tx, k2)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			closeKey(ctx, tx, k1, "kim", "uploaded by hand", 1)
			closeKey(ctx, tx, k1, "kim", "again", 0)
			closeKey(ctx, tx, "transport:batch:9", "kim", "none", 0)
			// A closed key opens a new item.
			a2 = open(ctx, tx, k1)
		})
		if a2.ID == a.ID || a2.Note != "" || a2.Assignee != "" {
			t.Errorf("reopened key: ID %d (closed item %d), note %q, assignee %q; want a new item", a2.ID, a.ID, a2.Note, a2.Assignee)
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetWorkItem(ctx, a.ID)
			must(t, "GetWorkItem", err)
			if got.Status != pipeline.WorkClosed || got.ClosedBy != "kim" || got.Note != "uploaded by hand" {
				t.Errorf("closed item: status %q, closed by %q, note %q", got.Status, got.ClosedBy, got.Note)
			}
			checkStamp(t, "ClosedAt", got.ClosedAt)
			if got.UpdatedAt.Before(got.ClosedAt) {
				t.Errorf("UpdatedAt %v before ClosedAt %v", got.UpdatedAt, got.ClosedAt)
			}
			a = got
			// Only the open item of k1 closes; the earlier one keeps
			// how it closed, and k2's stays open.
			closeKey(ctx, tx, k1, pipeline.SystemActor, "the batch was uploaded", 1)
			got, err = tx.GetWorkItem(ctx, a.ID)
			must(t, "GetWorkItem", err)
			Same(t, "item closed before", got, a)
			got, err = tx.GetWorkItem(ctx, a2.ID)
			must(t, "GetWorkItem", err)
			if got.Status != pipeline.WorkClosed || got.ClosedBy != pipeline.SystemActor || got.Note != "the batch was uploaded" {
				t.Errorf("reopened item after closing: status %q, closed by %q, note %q", got.Status, got.ClosedBy, got.Note)
			}
			got, err = tx.GetWorkItem(ctx, b.ID)
			must(t, "GetWorkItem", err)
			Same(t, "item of another key", got, b)
			items, err := tx.WorkItems(ctx, pipeline.WorkFilter{Key: k1})
			must(t, "WorkItems(key)", err)
			if len(items) != 2 || items[0].ID != a.ID || items[1].ID != a2.ID {
				t.Errorf("items of %s = %+v, want items %d and %d", k1, items, a.ID, a2.ID)
			}
		})
	}},
	{"Work/UpdateRoundTrip", func(t *testing.T, _ *suite, s pipeline.Store) {
		key := pipeline.FileKey(pipeline.SourceInboundBad, 4)
		w := &pipeline.WorkItem{Key: key, Source: pipeline.SourceInboundBad, Code: "not-for-us", Summary: "file not addressed to us",
			InboundFileID: 4, Reasons: []pipeline.Reason{{Code: "not-for-us", Text: "ISA08 is not our ID"}}}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.OpenWorkItem(ctx, w)
			must(t, "OpenWorkItem", err)
		})
		before := w.UpdatedAt
		after(before)
		w.Status, w.Assignee, w.Note, w.ClosedAt, w.ClosedBy = pipeline.WorkClosed, "lee", "sent back to the clearinghouse", t1, "lee"
		w.Summary, w.Code = "not saved by UpdateWorkItem", "not saved"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, w))
			err := tx.UpdateWorkItem(ctx, &pipeline.WorkItem{ID: 424242, Status: pipeline.WorkClosed})
			wantErr(t, "UpdateWorkItem(missing)", err, pipeline.ErrNotFound)
		})
		checkStamp(t, "UpdatedAt", w.UpdatedAt)
		if !w.UpdatedAt.After(before) {
			t.Errorf("UpdatedAt %v not after %v", w.UpdatedAt, before)
		}
		w.Summary, w.Code, w.ClosedAt = "file not addressed to us", "not-for-us", norm(t1)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetWorkItem(ctx, w.ID)
			must(t, "GetWorkItem", err)
			Same(t, "closed item", got, w)
		})

		// Opened again by hand: the closing fields go.
		w.Status, w.ClosedAt, w.ClosedBy, w.Note = pipeline.WorkOpen, time.Time{}, "", ""
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { must(t, "UpdateWorkItem", tx.UpdateWorkItem(ctx, w)) })
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetWorkItem(ctx, w.ID)
			must(t, "GetWorkItem", err)
			Same(t, "reopened item", got, w)
		})

		// Not while another item of its key is open: close it, open a
		// new one for the key, and try to reopen the first.
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.CloseWorkItems(ctx, key, "lee", "done")
			must(t, "CloseWorkItems", err)
			_, err = tx.OpenWorkItem(ctx, &pipeline.WorkItem{Key: key, Source: pipeline.SourceInboundBad})
			must(t, "OpenWorkItem", err)
		})
		old, err := func() (*pipeline.WorkItem, error) {
			var got *pipeline.WorkItem
			err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
				var err error
				got, err = tx.GetWorkItem(t.Context(), w.ID)
				return err
			})
			return got, err
		}()
		must(t, "GetWorkItem", err)
		old.Status, old.ClosedAt, old.ClosedBy = pipeline.WorkOpen, time.Time{}, ""
		err = s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.UpdateWorkItem(t.Context(), old) })
		wantErr(t, "UpdateWorkItem reopening a second item of a key", err, pipeline.ErrConflict)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			items, err := tx.WorkItems(ctx, pipeline.WorkFilter{Key: key, Status: pipeline.WorkOpen})
			must(t, "WorkItems", err)
			if len(items) != 1 || items[0].ID == w.ID {
				t.Errorf("open items of %s = %+v, want the new one only", key, items)
			}
		})
	}},
	{"Work/Rows", func(t *testing.T, _ *suite, s pipeline.Store) {
		day := func(m time.Month, d int) x12.Date { return x12.Date{Year: 2024, Month: m, Day: d} }
		// c1's earliest line (2024-02-29) goes in a correction: its
		// earliest active one is then 2024-03-01, and it has another
		// payer and charge.
		c1 := createClaim(t, s, "E1", pipeline.StateRejected)
		c1.Lines = []pipeline.ClaimLine{c1.Lines[0],
			{LineNo: 2, ControlNumber: "E1-L3", Procedure: "36415", Charge: x12.MustAmount("25"), Units: "1", ServiceDate: day(3, 5)}}
		c1.PayerID, c1.PayerName, c1.TotalCharge = "PAYER02", "Other Payer", x12.MustAmount("175")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c1, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "7", Data: c1.Data, TotalCharge: c1.TotalCharge, Actor: "kim"}, 1))
		})
		// c2 keeps both lines; c3's lines have no service date but one,
		// which is its earliest; c4 has no line with a date.
		c2 := createClaim(t, s, "E2", pipeline.StateDenied)
		c3 := sampleClaim("E3", pipeline.StateHeld)
		c3.Lines[0].ServiceDate, c3.Lines[1].ServiceDate = x12.Date{}, day(4, 2)
		c4 := sampleClaim("E4", pipeline.StateHeld)
		c4.Lines = c4.Lines[:1]
		c4.Lines[0].ServiceDate = x12.Date{}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c3))
			must(t, "CreateClaim", tx.CreateClaim(ctx, c4))
		})

		items := []*pipeline.WorkItem{
			{Key: pipeline.ClaimKey(pipeline.SourceDenial, c2.ID), Source: pipeline.SourceDenial, Code: "CO-27", Category: "eligibility",
				ClaimID: c2.ID, PayerID: "PAYER01", CreatedAt: t2},
			{Key: pipeline.ClaimKey(pipeline.Source277CA, c1.ID), Source: pipeline.Source277CA, Code: "A7:21", Category: "coding",
				ClaimID: c1.ID, Version: 2, PayerID: "PAYER02", CreatedAt: t0,
				Reasons: []pipeline.Reason{{Code: "A7:21", Text: "missing or invalid information"}}},
			{Key: pipeline.EncounterKey("E9"), Source: pipeline.SourceIntake, Code: "json", Category: "intake", EncounterID: "E9"},
			{Key: pipeline.ClaimKey(pipeline.SourceScrubber, c3.ID), Source: pipeline.SourceScrubber, Code: "NPI", Category: "coding",
				ClaimID: c3.ID, CreatedAt: t1},
			{Key: pipeline.ClaimKey(pipeline.SourceScrubber, c4.ID), Source: pipeline.SourceScrubber, Code: "DATE", Category: "coding",
				ClaimID: c4.ID, CreatedAt: t1},
			// A claim the store does not have: no claim fields.
			{Source: pipeline.SourceTA1, Code: "TA1:R", Category: "envelope", ClaimID: 424242},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, w := range items {
				_, err := tx.OpenWorkItem(ctx, w)
				must(t, "OpenWorkItem", err)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			n, err := tx.CloseWorkItems(ctx, items[4].Key, "kim", "dates added")
			must(t, "CloseWorkItems", err)
			if n != 1 {
				t.Fatalf("CloseWorkItems = %d, want 1", n)
			}
			items[4], err = tx.GetWorkItem(ctx, items[4].ID)
			must(t, "GetWorkItem", err)
		})
		row := func(w *pipeline.WorkItem, payer string, date x12.Date) pipeline.WorkRow {
			return pipeline.WorkRow{Item: &pipeline.WorkItem{ID: w.ID, Source: w.Source, Category: w.Category, Code: w.Code,
				ClaimID: w.ClaimID, PayerID: w.PayerID, Assignee: w.Assignee}, PayerName: payer, ServiceDate: date}
		}
		rows := []pipeline.WorkRow{
			row(items[0], "Test Payer", day(2, 29)),
			row(items[1], "Other Payer", day(3, 1)),
			row(items[2], "", x12.Date{}),
			row(items[3], "Test Payer", day(4, 2)),
			row(items[4], "Test Payer", x12.Date{}),
			row(items[5], "", x12.Date{}),
		}
		pick := func(is ...int) []int { return is }
		for _, tc := range []struct {
			name string
			f    pipeline.WorkFilter
			want []int // indexes into items and rows
		}{
			{"all", pipeline.WorkFilter{}, pick(0, 1, 2, 3, 4, 5)},
			{"open", pipeline.WorkFilter{Status: pipeline.WorkOpen}, pick(0, 1, 2, 3, 5)},
			{"closed", pipeline.WorkFilter{Status: pipeline.WorkClosed}, pick(4)},
			{"claim", pipeline.WorkFilter{ClaimID: c1.ID}, pick(1)},
			{"payer", pipeline.WorkFilter{PayerID: "PAYER02"}, pick(1)},
			{"code", pipeline.WorkFilter{Code: "NPI"}, pick(3)},
			{"category", pipeline.WorkFilter{Category: "coding"}, pick(1, 3, 4)},
			{"open, category", pipeline.WorkFilter{Status: pipeline.WorkOpen, Category: "coding"}, pick(1, 3)},
			{"category and code", pipeline.WorkFilter{Category: "coding", Code: "A7:21"}, pick(1)},
			{"code of another category", pipeline.WorkFilter{Category: "eligibility", Code: "NPI"}, nil},
			{"opened before", pipeline.WorkFilter{OpenedBefore: t1}, pick(0, 1)},
			{"opened before, exclusive", pipeline.WorkFilter{OpenedBefore: norm(t0)}, pick(0)},
			{"opened before, category", pipeline.WorkFilter{OpenedBefore: t1.Add(time.Microsecond), Category: "coding"}, pick(1, 3, 4)},
			{"open, opened before, source", pipeline.WorkFilter{Status: pipeline.WorkOpen, Source: pipeline.SourceScrubber,
				OpenedBefore: t1.Add(time.Hour)}, pick(3)},
			{"key", pipeline.WorkFilter{Key: items[2].Key}, pick(2)},
			{"none", pipeline.WorkFilter{Code: "CO-16"}, nil},
		} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				var wantItems []*pipeline.WorkItem
				var wantRows []pipeline.WorkRow
				for _, i := range tc.want {
					wantItems, wantRows = append(wantItems, items[i]), append(wantRows, rows[i])
				}
				got, err := tx.WorkItems(ctx, tc.f)
				must(t, "WorkItems("+tc.name+")", err)
				if len(got) != 0 || len(wantItems) != 0 {
					Same(t, "work items ("+tc.name+")", got, wantItems)
				}
				// WorkRows ignores the limit.
				tc.f.Limit = 1
				gotRows, err := tx.WorkRows(ctx, tc.f)
				must(t, "WorkRows("+tc.name+")", err)
				if len(gotRows) != 0 || len(wantRows) != 0 {
					Same(t, "work rows ("+tc.name+")", gotRows, wantRows)
				}
			})
		}

		// Rows follow their claims' lines, in the same transaction: a
		// correction that drops c2's earliest line moves its date.
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			c2.Lines = c2.Lines[1:]
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c2, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "1", Data: c2.Data, TotalCharge: c2.TotalCharge, Actor: "kim"}, 1))
			got, err := tx.WorkRows(ctx, pipeline.WorkFilter{ClaimID: c2.ID})
			must(t, "WorkRows", err)
			if len(got) != 1 || got[0].ServiceDate != c2.Lines[0].ServiceDate {
				t.Errorf("work rows of a revised claim = %+v, want one from %s", got, c2.Lines[0].ServiceDate)
			}
		})
	}},
	{"Sequence/MonotonicPerName", func(t *testing.T, _ *suite, s pipeline.Store) {
		next := func(ctx context.Context, tx pipeline.Tx, name string, want int64) {
			t.Helper()
			got, err := tx.NextSequence(ctx, name)
			must(t, "NextSequence", err)
			if got != want {
				t.Errorf("NextSequence(%q) = %d, want %d", name, got, want)
			}
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			next(ctx, tx, "isa13/sim", 1)
			next(ctx, tx, "isa13/sim", 2)
			next(ctx, tx, "gs06/sim", 1)
			next(ctx, tx, "isa13/other", 1)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			next(ctx, tx, "isa13/sim", 3)
			next(ctx, tx, "gs06/sim", 2)
		})
	}},
	{"Lock/Sequential", func(t *testing.T, _ *suite, s pipeline.Store) {
		for range 2 {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "Lock", tx.Lock(ctx, "job/submit"))
				must(t, "Lock another key", tx.Lock(ctx, "job/collect"))
			})
		}
	}},
}
