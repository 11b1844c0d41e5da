package pipelinetest

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

var encounterTests = []storeTest{
	{"Encounter/PutGet", func(t *testing.T, _ *suite, s pipeline.Store) {
		r := &pipeline.EncounterRecord{ID: "E1", Source: "in/encounters.jsonl", Line: 3, SHA256: "ab12",
			Raw: []byte{'{', 0, 0xff, '}'}, Problems: []pipeline.Reason{
				{Code: "missing", Text: "member ID is missing", Field: "subscriber.member_id", Location: "2010BA NM109"},
				{Text: "no code"},
			}, ReceivedAt: t0}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "PutEncounter", tx.PutEncounter(ctx, r))
		})
		if r.ReceivedAt != norm(t0) {
			t.Errorf("ReceivedAt = %v, want %v", r.ReceivedAt, norm(t0))
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetEncounter(ctx, "E1")
			must(t, "GetEncounter", err)
			same(t, "encounter", got, r)
			_, err = tx.GetEncounter(ctx, "E2")
			wantErr(t, "GetEncounter(missing)", err, pipeline.ErrNotFound)
		})
	}},
	{"Encounter/Replace", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateReady)
		first := &pipeline.EncounterRecord{ID: "E1", Source: "a.jsonl", Line: 1, SHA256: "11",
			Raw: []byte(`{"id":"E1"}`), Problems: []pipeline.Reason{{Text: "bad"}}, ReceivedAt: t0}
		second := &pipeline.EncounterRecord{ID: "E1", Source: "b.jsonl", Line: 7, SHA256: "22",
			Raw: []byte(`{"id":"E1","x":1}`), ClaimID: c.ID, ReceivedAt: t1}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "PutEncounter", tx.PutEncounter(ctx, first))
			must(t, "PutEncounter again", tx.PutEncounter(ctx, second))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetEncounter(ctx, "E1")
			must(t, "GetEncounter", err)
			same(t, "replaced encounter", got, second)
		})
	}},
	{"Encounter/ZeroReceivedAtIsFilled", func(t *testing.T, _ *suite, s pipeline.Store) {
		r := &pipeline.EncounterRecord{ID: "unreadable.jsonl:4", Source: "unreadable.jsonl", Line: 4}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "PutEncounter", tx.PutEncounter(ctx, r))
		})
		checkStamp(t, "ReceivedAt", r.ReceivedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetEncounter(ctx, r.ID)
			must(t, "GetEncounter", err)
			same(t, "encounter", got, r)
		})
	}},
}

var claimTests = []storeTest{
	{"Claim/CreateGet", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateHeld)
		if c.ID == 0 {
			t.Fatal("CreateClaim did not set the ID")
		}
		if c.CreatedAt != norm(t0) || c.UpdatedAt != c.CreatedAt {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v for both", c.CreatedAt, c.UpdatedAt, norm(t0))
		}
		seen := map[int64]bool{}
		for i, l := range c.Lines {
			if l.ID == 0 || seen[l.ID] || l.ClaimID != c.ID || l.LineNo != i+1 {
				t.Errorf("line %d: ID %d, ClaimID %d, LineNo %d; want a new ID, claim %d, line %d", i, l.ID, l.ClaimID, l.LineNo, c.ID, i+1)
			}
			seen[l.ID] = true
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			same(t, "claim", got, c)
			_, err = tx.GetClaim(ctx, c.ID+1000)
			wantErr(t, "GetClaim(missing)", err, pipeline.ErrNotFound)
		})
	}},
	{"Claim/NoLinesAndDefaults", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := &pipeline.Claim{EncounterID: "E1", State: pipeline.StateHeld}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c))
		})
		checkStamp(t, "CreatedAt", c.CreatedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			same(t, "claim", got, c)
		})
	}},
	{"Claim/LineNumbersDefault", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := sampleClaim("E1", pipeline.StateHeld)
		c.Lines[0].LineNo, c.Lines[1].LineNo = 0, 0
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c))
		})
		if c.Lines[0].LineNo != 1 || c.Lines[1].LineNo != 2 {
			t.Errorf("line numbers = %d, %d; want 1, 2", c.Lines[0].LineNo, c.Lines[1].LineNo)
		}
	}},
	{"Claim/MoneyRoundTrip", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := sampleClaim("E1", pipeline.StateHeld)
		c.TotalCharge = math.MaxInt64
		c.Lines[0].Charge = math.MinInt64
		c.Lines[1].Charge = -1
		c.Lines = append(c.Lines, pipeline.ClaimLine{LineNo: 3, Charge: 0, Units: "0.001"})
		c.Data.TotalCharge = 99_999_999_999_99
		c.Data.Lines[0].Charge = -99_999_999_999_99
		c.Data.Lines[1].Charge = 1
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			same(t, "claim", got, c)
		})
	}},
	{"Claim/DuplicateControlNumber", func(t *testing.T, _ *suite, s pipeline.Store) {
		createClaim(t, s, "E1", pipeline.StateHeld)
		c := sampleClaim("E2", pipeline.StateHeld)
		c.Lines[1].ControlNumber = "E1-L2"
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.CreateClaim(t.Context(), c) })
		wantErr(t, "CreateClaim with a used control number", err, pipeline.ErrConflict)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			cs, err := tx.ClaimsInState(ctx, pipeline.StateHeld, 0)
			must(t, "ClaimsInState", err)
			if len(cs) != 1 {
				t.Errorf("%d claims after the failed create, want 1", len(cs))
			}
		})
	}},
	{"Claim/UpdateData", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateHeld)
		line1, line2 := c.Lines[0].ID, c.Lines[1].ID
		c.Data.PriorAuthorization = "AUTH-2"
		c.Data.Patient = &x837.Patient{Person: x837.Person{LastName: "Doe", FirstName: "Kim"}, Relationship: "19"}
		c.TotalCharge = x12.MustAmount("175.25")
		c.PayerID, c.PayerName, c.Clearinghouse, c.Kind = "PAYER02", "Other Payer", "other", x837.Institutional
		// Line 1 changes and takes line 2's control number; line 2 goes;
		// line 3 is new.
		c.Lines = []pipeline.ClaimLine{
			{LineNo: 1, ControlNumber: "E1-L2", Procedure: "99214", Charge: x12.MustAmount("150.25"), Units: "2",
				ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 2}},
			{LineNo: 3, ControlNumber: "E1-L3", Procedure: "36415", Modifiers: []string{"90"}, Charge: x12.MustAmount("25"), Units: "1"},
		}
		before := c.UpdatedAt
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "UpdateClaimData", tx.UpdateClaimData(ctx, c))
		})
		if c.Lines[0].ID != line1 {
			t.Errorf("line 1 ID = %d, want it kept (%d)", c.Lines[0].ID, line1)
		}
		if c.Lines[1].ID == 0 || c.Lines[1].ID == line1 || c.Lines[1].ID == line2 || c.Lines[1].ClaimID != c.ID {
			t.Errorf("new line 3: ID %d, ClaimID %d; want a new ID and claim %d", c.Lines[1].ID, c.Lines[1].ClaimID, c.ID)
		}
		checkStamp(t, "UpdatedAt", c.UpdatedAt)
		if c.UpdatedAt == before {
			t.Errorf("UpdatedAt not changed")
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			same(t, "updated claim", got, c)
		})
	}},
	{"Claim/UpdateDataNeedsHeldOrRejected", func(t *testing.T, _ *suite, s pipeline.Store) {
		for _, st := range []pipeline.ClaimState{pipeline.StateRejected, pipeline.StateAckRejected} {
			c := createClaim(t, s, "ok-"+string(st), st)
			c.TotalCharge = 1
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "UpdateClaimData("+string(st)+")", tx.UpdateClaimData(ctx, c))
			})
		}
		for _, st := range []pipeline.ClaimState{pipeline.StateReady, pipeline.StateBatched, pipeline.StateSubmitted, pipeline.StatePaid} {
			c := createClaim(t, s, "no-"+string(st), st)
			want := *c
			c.TotalCharge = 1
			c.Lines = c.Lines[:1]
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				err := tx.UpdateClaimData(ctx, c)
				wantErr(t, "UpdateClaimData("+string(st)+")", err, pipeline.ErrConflict)
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				same(t, "claim after refused update", got, &want)
			})
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			err := tx.UpdateClaimData(ctx, &pipeline.Claim{ID: 424242})
			wantErr(t, "UpdateClaimData(missing)", err, pipeline.ErrNotFound)
		})
	}},
	{"Claim/ClaimsInState", func(t *testing.T, _ *suite, s pipeline.Store) {
		a := createClaim(t, s, "A", pipeline.StateReady)
		createClaim(t, s, "B", pipeline.StateHeld)
		c := createClaim(t, s, "C", pipeline.StateReady)
		d := createClaim(t, s, "D", pipeline.StateReady)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ClaimsInState(ctx, pipeline.StateReady, 0)
			must(t, "ClaimsInState", err)
			same(t, "ready claims", got, []*pipeline.Claim{a, c, d})
			got, err = tx.ClaimsInState(ctx, pipeline.StateReady, 2)
			must(t, "ClaimsInState(limit 2)", err)
			same(t, "first 2 ready claims", got, []*pipeline.Claim{a, c})
			got, err = tx.ClaimsInState(ctx, pipeline.StatePaid, 10)
			must(t, "ClaimsInState(paid)", err)
			if len(got) != 0 {
				t.Errorf("paid claims = %d, want 0", len(got))
			}
		})
	}},
	{"Claim/MoveLegal", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		ev := pipeline.Event{SubmissionID: 7, At: t1, Kind: "835", FileID: 9, SetControl: "0001", Segment: 12, Detail: "paid in full",
			From: pipeline.StateHeld, To: pipeline.StateClosed} // From and To come from MoveClaim's arguments
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MoveClaim", tx.MoveClaim(ctx, c.ID, pipeline.StateSubmitted, pipeline.StatePaid, ev))
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StatePaid {
				t.Errorf("state in the same transaction = %s, want paid", got.State)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StatePaid || got.UpdatedAt != norm(t1) {
				t.Errorf("state, updated = %s, %v; want paid, %v", got.State, got.UpdatedAt, norm(t1))
			}
			evs, err := tx.Events(ctx, c.ID)
			must(t, "Events", err)
			if len(evs) != 1 || evs[0].ID == 0 {
				t.Fatalf("events = %+v, want one with an ID", evs)
			}
			want := ev
			want.ID, want.ClaimID, want.From, want.To, want.At = evs[0].ID, c.ID, pipeline.StateSubmitted, pipeline.StatePaid, norm(t1)
			same(t, "event", evs[0], want)
		})
	}},
	{"Claim/MoveIllegal", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StatePaid)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			err := tx.MoveClaim(ctx, c.ID, pipeline.StatePaid, pipeline.StateBatched, pipeline.Event{Kind: "x"})
			var te *pipeline.TransitionError
			if !errors.As(err, &te) {
				t.Fatalf("MoveClaim(paid -> batched) = %v, want a *TransitionError", err)
			}
			if te.ClaimID != c.ID || te.From != pipeline.StatePaid || te.To != pipeline.StateBatched {
				t.Errorf("TransitionError = %+v", te)
			}
			if errors.Is(err, pipeline.ErrConflict) {
				t.Errorf("an illegal move is not a conflict: %v", err)
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			evs, err := tx.Events(ctx, c.ID)
			must(t, "Events", err)
			if got.State != pipeline.StatePaid || len(evs) != 0 {
				t.Errorf("after an illegal move: state %s, %d events; want paid, 0", got.State, len(evs))
			}
		})
	}},
	{"Claim/MoveConflictAndMissing", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StatePaid)
		other := createClaim(t, s, "E2", pipeline.StateHeld)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			err := tx.MoveClaim(ctx, c.ID, pipeline.StateSubmitted, pipeline.StatePaid, pipeline.Event{Kind: "835"})
			wantErr(t, "MoveClaim from the wrong state", err, pipeline.ErrConflict)
			var te *pipeline.TransitionError
			if errors.As(err, &te) {
				t.Errorf("a conflict is not an illegal transition: %v", err)
			}
			err = tx.MoveClaim(ctx, 424242, pipeline.StateHeld, pipeline.StateReady, pipeline.Event{Kind: "x"})
			wantErr(t, "MoveClaim(missing)", err, pipeline.ErrNotFound)
			// The transaction goes on after a conflict.
			must(t, "MoveClaim after a conflict", tx.MoveClaim(ctx, other.ID, pipeline.StateHeld, pipeline.StateReady, pipeline.Event{Kind: "scrubbed"}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StatePaid {
				t.Errorf("state = %s, want paid", got.State)
			}
			got, err = tx.GetClaim(ctx, other.ID)
			must(t, "GetClaim", err)
			if got.State != pipeline.StateReady {
				t.Errorf("other claim state = %s, want ready", got.State)
			}
			evs, err := tx.Events(ctx, c.ID)
			must(t, "Events", err)
			if len(evs) != 0 {
				t.Errorf("events after a conflict: %d, want 0", len(evs))
			}
		})
	}},
	{"Claim/Events", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		evs := []pipeline.Event{
			{ClaimID: c.ID, At: t1, Kind: "uploaded", Detail: "file x"},
			{ClaimID: c2.ID, At: t1, Kind: "uploaded"},
			{ClaimID: c.ID, SubmissionID: 3, At: t2, Kind: "999", From: pipeline.StateSubmitted, To: pipeline.StateSubmitted,
				FileID: 4, SetControl: "0002", Segment: 17, Detail: "accepted"},
			{ClaimID: c.ID, Kind: "note"}, // zero At: the store's clock
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, ev := range evs {
				must(t, "AddEvent", tx.AddEvent(ctx, ev))
			}
			err := tx.AddEvent(ctx, pipeline.Event{Kind: "orphan"})
			if err == nil {
				t.Errorf("AddEvent without a claim ID succeeded")
			}
			got, err := tx.Events(ctx, c.ID)
			must(t, "Events in the same transaction", err)
			if len(got) != 3 {
				t.Errorf("events in the same transaction = %d, want 3", len(got))
			}
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.Events(ctx, c.ID)
			must(t, "Events", err)
			if len(got) != 3 {
				t.Fatalf("events = %d, want 3", len(got))
			}
			checkStamp(t, "zero At", got[2].At)
			want := []pipeline.Event{evs[0], evs[2], evs[3]}
			for i := range want {
				want[i].ID = got[i].ID
				want[i].At = norm(want[i].At)
				if i > 0 && got[i].ID <= got[i-1].ID {
					t.Errorf("event IDs not increasing: %d then %d", got[i-1].ID, got[i].ID)
				}
			}
			want[2].At = got[2].At
			same(t, "events", got, want)
			none, err := tx.Events(ctx, 424242)
			must(t, "Events(no claim)", err)
			if len(none) != 0 {
				t.Errorf("events of a missing claim = %d", len(none))
			}
		})
	}},
	{"Claim/SetClaimRefs", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateBatched)
		check := func(pcn string, subs int, icn string, first time.Time) {
			t.Helper()
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				if got.PCN != pcn || got.Submissions != subs || got.PayerClaimNumber != icn || got.FirstSubmittedAt != first {
					t.Errorf("refs = %q %d %q %v; want %q %d %q %v", got.PCN, got.Submissions, got.PayerClaimNumber, got.FirstSubmittedAt,
						pcn, subs, icn, first)
				}
			})
		}
		set := func(pcn string, subs int, icn string, first time.Time) {
			t.Helper()
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, c.ID, pcn, subs, icn, first))
			})
		}
		set("E1-1", 1, "", time.Time{})
		check("E1-1", 1, "", time.Time{})
		set("E1-1", 1, "", t1)
		check("E1-1", 1, "", norm(t1))
		set("E1-2", 2, "ICN9", t2) // first submission stays
		check("E1-2", 2, "ICN9", norm(t1))
		set("E1-3", 3, "", time.Time{}) // payer claim number stays
		check("E1-3", 3, "ICN9", norm(t1))
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			err := tx.SetClaimRefs(ctx, 424242, "x", 1, "", t1)
			wantErr(t, "SetClaimRefs(missing)", err, pipeline.ErrNotFound)
		})
	}},
	{"Claim/Submissions", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateBatched)
		c2 := createClaim(t, s, "E2", pipeline.StateBatched)
		s1 := &pipeline.Submission{ClaimID: c.ID, Version: 1, PCN: "E1-1", Frequency: "1", BatchID: 5, SetControl: "0001",
			SegFrom: 5, SegTo: 30, CreatedAt: t0}
		s2 := &pipeline.Submission{ClaimID: c2.ID, Version: 1, PCN: "E2-1", Frequency: "1", BatchID: 5, SetControl: "0002",
			SegFrom: 31, SegTo: 60}
		s3 := &pipeline.Submission{ClaimID: c.ID, Version: 2, PCN: "E1-2", Frequency: "7", BatchID: 6, SetControl: "0001",
			SegFrom: 5, SegTo: 33, CreatedAt: t1}
		s4 := &pipeline.Submission{ClaimID: c2.ID, Version: 2, PCN: "E2-2", Frequency: "8", BatchID: 5, SetControl: "0001",
			SegFrom: 31, SegTo: 40, CreatedAt: t1}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, sub := range []*pipeline.Submission{s1, s2, s3, s4} {
				must(t, "CreateSubmission", tx.CreateSubmission(ctx, sub))
				if sub.ID == 0 {
					t.Fatal("CreateSubmission did not set the ID")
				}
			}
			dup := &pipeline.Submission{ClaimID: c2.ID, Version: 3, PCN: "E1-2", Frequency: "1"}
			err := tx.CreateSubmission(ctx, dup)
			wantErr(t, "CreateSubmission(duplicate PCN)", err, pipeline.ErrConflict)
			if dup.ID != 0 {
				t.Errorf("duplicate got ID %d", dup.ID)
			}
		})
		checkStamp(t, "zero CreatedAt", s2.CreatedAt)
		if s1.CreatedAt != norm(t0) {
			t.Errorf("CreatedAt = %v, want %v", s1.CreatedAt, norm(t0))
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.SubmissionByPCN(ctx, "E1-2")
			must(t, "SubmissionByPCN", err)
			same(t, "submission", got, s3)
			_, err = tx.SubmissionByPCN(ctx, "E9-1")
			wantErr(t, "SubmissionByPCN(missing)", err, pipeline.ErrNotFound)

			subs, err := tx.Submissions(ctx, c.ID)
			must(t, "Submissions", err)
			same(t, "claim submissions", subs, []*pipeline.Submission{s1, s3})

			subs, err = tx.SubmissionsInBatch(ctx, 5, "")
			must(t, "SubmissionsInBatch", err)
			same(t, "batch submissions", subs, []*pipeline.Submission{s1, s2, s4})
			subs, err = tx.SubmissionsInBatch(ctx, 5, "0001")
			must(t, "SubmissionsInBatch(set)", err)
			same(t, "set submissions", subs, []*pipeline.Submission{s1, s4})
			subs, err = tx.SubmissionsInBatch(ctx, 99, "")
			must(t, "SubmissionsInBatch(empty)", err)
			if len(subs) != 0 {
				t.Errorf("submissions of an empty batch = %d", len(subs))
			}
		})
	}},
}
