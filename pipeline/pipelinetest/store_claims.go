package pipelinetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
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
			Same(t, "encounter", got, r)
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
			Same(t, "replaced encounter", got, second)
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
			Same(t, "encounter", got, r)
		})
	}},
}

var claimTests = []storeTest{
	{"Claim/Head", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MoveClaim", tx.MoveClaim(ctx, c.ID, 0, pipeline.StateSubmitted, pipeline.StateAccepted, pipeline.Event{Kind: "277ca"}))
			h, err := tx.ClaimHead(ctx, c.ID)
			must(t, "ClaimHead", err)
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			want := pipeline.ClaimHead{ID: got.ID, Version: got.Version, State: got.State, TotalCharge: got.TotalCharge,
				Submissions: got.Submissions, FirstSubmittedAt: got.FirstSubmittedAt}
			if h != want || h.State != pipeline.StateAccepted || h.TotalCharge == 0 {
				t.Errorf("ClaimHead = %+v, want %+v (state accepted, read in the same transaction)", h, want)
			}
			_, err = tx.ClaimHead(ctx, c.ID+1000)
			wantErr(t, "ClaimHead(missing)", err, pipeline.ErrNotFound)
		})
	}},
	{"Claim/CreateGet", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateHeld)
		if c.ID == 0 {
			t.Fatal("CreateClaim did not set the ID")
		}
		if c.CreatedAt != norm(t0) || c.UpdatedAt != c.CreatedAt {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v for both", c.CreatedAt, c.UpdatedAt, norm(t0))
		}
		if c.Version != 1 || c.VersionKind != pipeline.VersionOriginal {
			t.Errorf("Version, VersionKind = %d, %q; want 1, original", c.Version, c.VersionKind)
		}
		seen := map[int64]bool{}
		for i, l := range c.Lines {
			if l.ID == 0 || seen[l.ID] || l.ClaimID != c.ID || l.LineNo != i+1 || !l.Active {
				t.Errorf("line %d: ID %d, ClaimID %d, LineNo %d, Active %v; want a new ID, claim %d, line %d, active",
					i, l.ID, l.ClaimID, l.LineNo, l.Active, c.ID, i+1)
			}
			seen[l.ID] = true
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			Same(t, "claim", got, c)
			_, err = tx.GetClaim(ctx, c.ID+1000)
			wantErr(t, "GetClaim(missing)", err, pipeline.ErrNotFound)
			lines, err := tx.ClaimLines(ctx, c.ID)
			must(t, "ClaimLines", err)
			Same(t, "lines", lines, c.Lines)
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions", err)
			Same(t, "versions", vs, []pipeline.ClaimVersion{firstVersion(c)})
		})
	}},
	{"Claim/CreateVersionFromData", func(t *testing.T, _ *suite, s pipeline.Store) {
		// The first version takes its number from the claim, and its
		// frequency and REF*F8 from the content; reads see it in the
		// same transaction.
		c := sampleClaim("E1", pipeline.StateReady)
		c.Version = 3
		c.Data.Frequency, c.Data.PayerClaimNumber = "7", "ICN-0"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim", tx.CreateClaim(ctx, c))
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions", err)
			want := pipeline.ClaimVersion{ClaimID: c.ID, Version: 3, Kind: pipeline.VersionOriginal, Frequency: "7",
				PayerClaimNumber: "ICN-0", Data: c.Data, TotalCharge: c.TotalCharge, Actor: "intake", CreatedAt: norm(t0)}
			Same(t, "versions", vs, []pipeline.ClaimVersion{want})
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			Same(t, "claim", got, c)
		})
		if c.Version != 3 || c.VersionKind != pipeline.VersionOriginal {
			t.Errorf("Version, VersionKind = %d, %q; want 3, original", c.Version, c.VersionKind)
		}
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
			Same(t, "claim", got, c)
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions", err)
			Same(t, "versions", vs, []pipeline.ClaimVersion{{ClaimID: c.ID, Version: 1, Kind: pipeline.VersionOriginal,
				Frequency: "1", Actor: "intake", CreatedAt: c.CreatedAt}})
			lines, err := tx.ClaimLines(ctx, c.ID)
			must(t, "ClaimLines", err)
			if len(lines) != 0 {
				t.Errorf("lines of a claim without lines = %+v", lines)
			}
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
			Same(t, "claim", got, c)
		})
	}},
	{"Claim/ControlNumberPerClaim", func(t *testing.T, _ *suite, s pipeline.Store) {
		// A line item control number is unique within its claim
		// (REF*6R), not across claims.
		createClaim(t, s, "E1", pipeline.StateHeld)
		other := sampleClaim("E2", pipeline.StateHeld)
		other.Lines[1].ControlNumber = "E1-L2"
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "CreateClaim with another claim's control number", tx.CreateClaim(ctx, other))
		})
		c := sampleClaim("E3", pipeline.StateHeld)
		c.Lines[1].ControlNumber = c.Lines[0].ControlNumber
		err := s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.CreateClaim(t.Context(), c) })
		wantErr(t, "CreateClaim with a control number twice", err, pipeline.ErrConflict)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			cs, err := tx.ClaimsInState(ctx, pipeline.StateHeld, 0)
			must(t, "ClaimsInState", err)
			if len(cs) != 2 {
				t.Errorf("%d claims after the failed create, want 2", len(cs))
			}
			lines, err := tx.ClaimLines(ctx, other.ID)
			must(t, "ClaimLines", err)
			Same(t, "lines of the claim with another claim's control number", lines, other.Lines)
		})
	}},
	{"Claim/Revise", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateRejected)
		orig := slices.Clone(c.Lines)
		v1 := firstVersion(c)
		c.Data.PriorAuthorization = "AUTH-2"
		c.Data.Patient = &x837.Patient{Person: x837.Person{LastName: "Doe", FirstName: "Kim"}, Relationship: "19"}
		c.Data.Frequency, c.Data.PayerClaimNumber = "7", "ICN9"
		c.TotalCharge = x12.MustAmount("175.25")
		c.PayerID, c.PayerName, c.Clearinghouse, c.Kind = "PAYER02", "Other Payer", "other", x837.Institutional
		c.State = pipeline.StateClosed // not saved: ReviseClaim leaves the state alone
		// Line 2 keeps its control number and becomes line 1; line 1
		// goes; line 3 is new.
		c.Lines = []pipeline.ClaimLine{
			{LineNo: 1, ControlNumber: "E1-L2", Procedure: "99214", Charge: x12.MustAmount("150.25"), Units: "2",
				ServiceDate: x12.Date{Year: 2024, Month: 3, Day: 2}},
			{LineNo: 2, ControlNumber: "E1-L3", Procedure: "36415", Modifiers: []string{"90"}, Charge: x12.MustAmount("25"), Units: "1"},
		}
		v := &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection, Frequency: "7", PayerClaimNumber: "ICN9",
			Data: c.Data, TotalCharge: c.TotalCharge, Changed: []string{"prior_authorization", "patient", "lines[0].procedure"},
			Actor: "kim", Note: "authorization number corrected", CreatedAt: t1}
		before := c.UpdatedAt
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c, v, 1))
			// Visible in the same transaction.
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim in the same transaction", err)
			if got.Version != 2 || got.VersionKind != pipeline.VersionCorrection || len(got.Lines) != 2 || got.Data.PriorAuthorization != "AUTH-2" {
				t.Errorf("claim in the same transaction: version %d %s, %d lines, authorization %q; want 2 correction, 2, AUTH-2",
					got.Version, got.VersionKind, len(got.Lines), got.Data.PriorAuthorization)
			}
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions in the same transaction", err)
			if len(vs) != 2 {
				t.Errorf("versions in the same transaction = %d, want 2", len(vs))
			}
		})
		if c.Version != 2 || c.VersionKind != pipeline.VersionCorrection {
			t.Errorf("Version, VersionKind = %d, %s; want 2, correction", c.Version, c.VersionKind)
		}
		checkStamp(t, "UpdatedAt", c.UpdatedAt)
		if c.UpdatedAt == before {
			t.Errorf("UpdatedAt not changed")
		}
		if v.ClaimID != c.ID || v.CreatedAt != norm(t1) {
			t.Errorf("version: ClaimID %d, CreatedAt %v; want %d, %v", v.ClaimID, v.CreatedAt, c.ID, norm(t1))
		}
		if c.Lines[0].ID != orig[1].ID {
			t.Errorf("line E1-L2: ID %d, want it kept (%d)", c.Lines[0].ID, orig[1].ID)
		}
		if l := c.Lines[1]; l.ID == 0 || l.ID == orig[0].ID || l.ID == orig[1].ID {
			t.Errorf("new line E1-L3: ID %d, want a new one", l.ID)
		}
		for i, l := range c.Lines {
			if l.ClaimID != c.ID || !l.Active {
				t.Errorf("line %d: ClaimID %d, Active %v; want %d, true", i, l.ClaimID, l.Active, c.ID)
			}
		}
		c.State = pipeline.StateRejected
		dropped := orig[0]
		dropped.Active = false
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			Same(t, "revised claim", got, c)
			cs, err := tx.ClaimsInState(ctx, pipeline.StateRejected, 0)
			must(t, "ClaimsInState", err)
			Same(t, "revised claim in its state", cs, []*pipeline.Claim{c})
			lines, err := tx.ClaimLines(ctx, c.ID)
			must(t, "ClaimLines", err)
			Same(t, "every line", lines, []pipeline.ClaimLine{dropped, c.Lines[0], c.Lines[1]})
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions", err)
			Same(t, "versions", vs, []pipeline.ClaimVersion{v1, *v})
			vs, err = tx.Versions(ctx, 424242)
			must(t, "Versions(missing claim)", err)
			lines, err = tx.ClaimLines(ctx, 424242)
			must(t, "ClaimLines(missing claim)", err)
			if len(vs) != 0 || len(lines) != 0 {
				t.Errorf("a missing claim has %d versions and %d lines", len(vs), len(lines))
			}
		})
	}},
	{"Claim/ReviseMovesAndRestoresLines", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateHeld)
		a, b := c.Lines[0], c.Lines[1]
		revise := func(kind pipeline.VersionKind, lines ...pipeline.ClaimLine) {
			t.Helper()
			c.Lines = lines
			v := &pipeline.ClaimVersion{Version: c.Version + 1, Kind: kind, Frequency: "1", Data: c.Data, TotalCharge: c.TotalCharge, Actor: "kim"}
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "ReviseClaim", tx.ReviseClaim(ctx, c, v, c.Version))
			})
			checkStamp(t, "version CreatedAt", v.CreatedAt)
		}
		at := func(l pipeline.ClaimLine, no int) pipeline.ClaimLine {
			l.LineNo = no
			return l
		}
		check := func(what string, active []pipeline.ClaimLine, all []pipeline.ClaimLine) {
			t.Helper()
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				Same(t, what+": active lines", got.Lines, active)
				lines, err := tx.ClaimLines(ctx, c.ID)
				must(t, "ClaimLines", err)
				Same(t, what+": every line", lines, all)
			})
		}
		inactive := func(l pipeline.ClaimLine) pipeline.ClaimLine {
			l.Active = false
			return l
		}

		// The two lines swap their numbers, and line a's charge changes.
		a2 := at(a, 2)
		a2.Charge = x12.MustAmount("140")
		revise(pipeline.VersionCorrection, at(b, 1), a2)
		if c.Lines[0].ID != b.ID || c.Lines[1].ID != a.ID {
			t.Errorf("line IDs after the swap = %d, %d; want %d, %d", c.Lines[0].ID, c.Lines[1].ID, b.ID, a.ID)
		}
		check("swapped", []pipeline.ClaimLine{at(b, 1), a2}, []pipeline.ClaimLine{a2, at(b, 1)})

		// Line a goes, with the charge it was last billed at.
		revise(pipeline.VersionCorrection, at(b, 1))
		check("a dropped", []pipeline.ClaimLine{at(b, 1)}, []pipeline.ClaimLine{inactive(a2), at(b, 1)})

		// Line a comes back first, keeping its ID; a new line d follows.
		d := pipeline.ClaimLine{LineNo: 3, ControlNumber: "E1-L4", Procedure: "36415", Charge: x12.MustAmount("25"), Units: "1"}
		revise(pipeline.VersionResubmission, at(a, 1), at(b, 2), d)
		if c.Lines[0].ID != a.ID || c.Lines[1].ID != b.ID || !c.Lines[0].Active {
			t.Errorf("restored line: ID %d active %v, then %d; want %d active, then %d", c.Lines[0].ID, c.Lines[0].Active, c.Lines[1].ID, a.ID, b.ID)
		}
		d = c.Lines[2]
		if d.ID <= b.ID || d.ClaimID != c.ID || !d.Active {
			t.Errorf("new line d = %+v; want a new ID of claim %d, active", d, c.ID)
		}
		check("a restored", []pipeline.ClaimLine{at(a, 1), at(b, 2), d}, []pipeline.ClaimLine{at(a, 1), at(b, 2), d})

		// Every version is kept, in order.
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions", err)
			var got []string
			for _, v := range vs {
				got = append(got, fmt.Sprint(v.Version, " ", v.Kind, " ", v.Actor))
			}
			Same(t, "versions", got, []string{"1 original intake", "2 correction kim", "3 correction kim", "4 resubmission kim"})
			cl, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			if cl.Version != 4 || cl.VersionKind != pipeline.VersionResubmission {
				t.Errorf("claim version %d %s, want 4 resubmission", cl.Version, cl.VersionKind)
			}
		})
	}},
	{"Claim/ReviseConflictAndMissing", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateReady)
		stale := *c
		stale.Lines = slices.Clone(c.Lines)
		c.Lines = c.Lines[:1]
		c.TotalCharge = x12.MustAmount("150")
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection,
				Frequency: "1", Data: c.Data, TotalCharge: c.TotalCharge, Actor: "kim"}, 1))
		})
		var want *pipeline.Claim
		var wantLines []pipeline.ClaimLine
		var wantVersions []pipeline.ClaimVersion
		read := func(ctx context.Context, tx pipeline.Tx) (*pipeline.Claim, []pipeline.ClaimLine, []pipeline.ClaimVersion) {
			t.Helper()
			got, err := tx.GetClaim(ctx, c.ID)
			must(t, "GetClaim", err)
			lines, err := tx.ClaimLines(ctx, c.ID)
			must(t, "ClaimLines", err)
			vs, err := tx.Versions(ctx, c.ID)
			must(t, "Versions", err)
			return got, lines, vs
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) { want, wantLines, wantVersions = read(ctx, tx) })
		if len(wantVersions) != 2 || len(wantLines) != 2 || len(want.Lines) != 1 {
			t.Fatalf("after one revision: %d versions, %d lines, %d active; want 2, 2, 1", len(wantVersions), len(wantLines), len(want.Lines))
		}

		// A revision made from version 1, after version 2 was made.
		stale.TotalCharge = 1
		stale.Lines = append(stale.Lines, pipeline.ClaimLine{LineNo: 3, ControlNumber: "E1-L9", Procedure: "36415"})
		stale.Lines[0].Charge = 1
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			v := &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionResubmission, Frequency: "1", Data: stale.Data, Actor: "lee"}
			err := tx.ReviseClaim(ctx, &stale, v, 1)
			wantErr(t, "ReviseClaim(stale base)", err, pipeline.ErrConflict)
			if stale.Version != 1 || stale.Lines[2].ID != 0 {
				t.Errorf("refused revision set version %d, new line ID %d", stale.Version, stale.Lines[2].ID)
			}
			got, lines, vs := read(ctx, tx)
			Same(t, "claim after a conflict", got, want)
			Same(t, "lines after a conflict", lines, wantLines)
			Same(t, "versions after a conflict", vs, wantVersions)

			// A version that does not follow its base.
			err = tx.ReviseClaim(ctx, c, &pipeline.ClaimVersion{Version: 4, Kind: pipeline.VersionCorrection, Data: c.Data}, 2)
			if err == nil {
				t.Errorf("ReviseClaim of version 4 on base 2 succeeded")
			}
			err = tx.ReviseClaim(ctx, &pipeline.Claim{ID: 424242}, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection}, 1)
			wantErr(t, "ReviseClaim(missing)", err, pipeline.ErrNotFound)
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, lines, vs := read(ctx, tx)
			Same(t, "claim after a conflict, committed", got, want)
			Same(t, "lines after a conflict, committed", lines, wantLines)
			Same(t, "versions after a conflict, committed", vs, wantVersions)
		})
	}},
	{"Claim/ReviseRefusesARepeatedControlNumber", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateHeld)
		c2 := createClaim(t, s, "E2", pipeline.StateHeld)
		for _, tc := range []struct {
			why   string
			lines []pipeline.ClaimLine
			want  error
		}{
			{"a control number twice", []pipeline.ClaimLine{c2.Lines[0], {LineNo: 2, ControlNumber: "E2-L1", Procedure: "99213"}}, nil},
		} {
			rev := *c2
			rev.Lines = slices.Clone(tc.lines)
			err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
				return tx.ReviseClaim(t.Context(), &rev, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection, Data: rev.Data}, 1)
			})
			if err == nil {
				t.Errorf("ReviseClaim with %s succeeded", tc.why)
			} else if tc.want != nil {
				wantErr(t, "ReviseClaim with "+tc.why, err, tc.want)
			}
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, c := range []*pipeline.Claim{c1, c2} {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				Same(t, "claim after refused revisions", got, c)
				lines, err := tx.ClaimLines(ctx, c.ID)
				must(t, "ClaimLines", err)
				Same(t, "lines after refused revisions", lines, c.Lines)
				vs, err := tx.Versions(ctx, c.ID)
				must(t, "Versions", err)
				Same(t, "versions after refused revisions", vs, []pipeline.ClaimVersion{firstVersion(c)})
			}
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
			Same(t, "ready claims", got, []*pipeline.Claim{a, c, d})
			got, err = tx.ClaimsInState(ctx, pipeline.StateReady, 2)
			must(t, "ClaimsInState(limit 2)", err)
			Same(t, "first 2 ready claims", got, []*pipeline.Claim{a, c})
			got, err = tx.ClaimsInState(ctx, pipeline.StatePaid, 10)
			must(t, "ClaimsInState(paid)", err)
			if len(got) != 0 {
				t.Errorf("paid claims = %d, want 0", len(got))
			}
		})
	}},
	{"Claim/ClaimsInStateAfter", func(t *testing.T, _ *suite, s pipeline.Store) {
		a := createClaim(t, s, "A", pipeline.StateReady)
		b := createClaim(t, s, "B", pipeline.StateHeld)
		c := createClaim(t, s, "C", pipeline.StateReady)
		d := createClaim(t, s, "D", pipeline.StateReady)
		if len(a.Lines) == 0 {
			t.Fatal("the sample claim has no lines: the test cannot tell that pages leave them out")
		}
		// A page's claims come without their lines.
		a, b, c, d = withoutLines(a), withoutLines(b), withoutLines(c), withoutLines(d)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.ClaimsInStateAfter(ctx, pipeline.StateReady, 0, 2)
			must(t, "ClaimsInStateAfter(0, 2)", err)
			Same(t, "first page", got, []*pipeline.Claim{a, c})
			got, err = tx.ClaimsInStateAfter(ctx, pipeline.StateReady, c.ID, 2)
			must(t, "ClaimsInStateAfter(c, 2)", err)
			Same(t, "second page", got, []*pipeline.Claim{d})
			got, err = tx.ClaimsInStateAfter(ctx, pipeline.StateReady, d.ID, 2)
			must(t, "ClaimsInStateAfter(d, 2)", err)
			if len(got) != 0 {
				t.Errorf("page after the last = %d claims, want 0", len(got))
			}
			got, err = tx.ClaimsInStateAfter(ctx, pipeline.StateHeld, a.ID, 0)
			must(t, "ClaimsInStateAfter(held, a, 0)", err)
			Same(t, "held after a", got, []*pipeline.Claim{b})
		})
	}},
	{"Claim/MoveLegal", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		ev := pipeline.Event{SubmissionID: 7, At: t1, Kind: "835", Version: 1, Actor: "lee", FileID: 9, SetControl: "0001", Segment: 12,
			Detail: "paid in full", From: pipeline.StateHeld, To: pipeline.StateClosed} // From and To come from MoveClaim's arguments
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "MoveClaim", tx.MoveClaim(ctx, c.ID, 0, pipeline.StateSubmitted, pipeline.StatePaid, ev))
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
			Same(t, "event", evs[0], want)
		})
	}},
	{"Claim/MoveIllegal", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StatePaid)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			err := tx.MoveClaim(ctx, c.ID, 0, pipeline.StatePaid, pipeline.StateBatched, pipeline.Event{Kind: "x"})
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
			err := tx.MoveClaim(ctx, c.ID, 0, pipeline.StateSubmitted, pipeline.StatePaid, pipeline.Event{Kind: "835"})
			wantErr(t, "MoveClaim from the wrong state", err, pipeline.ErrConflict)
			var te *pipeline.TransitionError
			if errors.As(err, &te) {
				t.Errorf("a conflict is not an illegal transition: %v", err)
			}
			err = tx.MoveClaim(ctx, 424242, 0, pipeline.StateHeld, pipeline.StateReady, pipeline.Event{Kind: "x"})
			wantErr(t, "MoveClaim(missing)", err, pipeline.ErrNotFound)
			// A version corrected meanwhile: the right state is not
			// enough.
			err = tx.MoveClaim(ctx, other.ID, other.Version+1, pipeline.StateHeld, pipeline.StateReady, pipeline.Event{Kind: "scrubbed"})
			wantErr(t, "MoveClaim at another version", err, pipeline.ErrConflict)
			// The transaction goes on after a conflict.
			must(t, "MoveClaim after a conflict", tx.MoveClaim(ctx, other.ID, other.Version, pipeline.StateHeld, pipeline.StateReady, pipeline.Event{Kind: "scrubbed"}))
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
			{ClaimID: c.ID, At: t1, Kind: "uploaded", Version: 1, Detail: "file x"},
			{ClaimID: c2.ID, At: t1, Kind: "uploaded"},
			{ClaimID: c.ID, SubmissionID: 3, At: t2, Kind: "999", From: pipeline.StateSubmitted, To: pipeline.StateSubmitted,
				Version: 2, FileID: 4, SetControl: "0002", Segment: 17, Detail: "accepted"},
			{ClaimID: c.ID, Kind: "corrected", Version: 3, Actor: "kim"}, // zero At: the store's clock
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
			Same(t, "events", got, want)
			none, err := tx.Events(ctx, 424242)
			must(t, "Events(no claim)", err)
			if len(none) != 0 {
				t.Errorf("events of a missing claim = %d", len(none))
			}
		})
	}},
	{"Claim/SetClaimRefs", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateBatched)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.SetPayerClaimNumber(ctx, c.ID, "ICN9", "277ca")
			must(t, "SetPayerClaimNumber", err)
		})
		check := func(pcn string, subs int, first time.Time) {
			t.Helper()
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				if got.PCN != pcn || got.Submissions != subs || got.FirstSubmittedAt != first {
					t.Errorf("refs = %q %d %v; want %q %d %v", got.PCN, got.Submissions, got.FirstSubmittedAt, pcn, subs, first)
				}
				// The payer's claim number is not SetClaimRefs' to change.
				if got.PayerClaimNumber != "ICN9" || got.PayerClaimSource != "277ca" {
					t.Errorf("payer claim number = %q from %q, want ICN9 from 277ca", got.PayerClaimNumber, got.PayerClaimSource)
				}
			})
		}
		set := func(pcn string, subs int, first time.Time) {
			t.Helper()
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, c.ID, pcn, subs, first))
			})
		}
		set("E1-1", 1, time.Time{})
		check("E1-1", 1, time.Time{})
		set("E1-1", 1, t1)
		check("E1-1", 1, norm(t1))
		set("E1-2", 2, t2) // first submission stays
		check("E1-2", 2, norm(t1))
		set("E1-3", 3, time.Time{})
		check("E1-3", 3, norm(t1))
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			err := tx.SetClaimRefs(ctx, 424242, "x", 1, t1)
			wantErr(t, "SetClaimRefs(missing)", err, pipeline.ErrNotFound)
		})
	}},
	{"Claim/SetPayerClaimNumber", func(t *testing.T, _ *suite, s pipeline.Store) {
		c := createClaim(t, s, "E1", pipeline.StateSubmitted)
		other := createClaim(t, s, "E2", pipeline.StateSubmitted)
		// Each step in its own transaction: a 277CA number stands until an
		// 835 gives one; then only an 835 replaces it.
		for i, st := range []struct {
			number, source string
			changed        bool
			want, wantSrc  string
		}{
			{"", "277ca", false, "", ""}, // no number: nothing to record
			{"ICN-A", "277ca", true, "ICN-A", "277ca"},
			{"ICN-A", "277ca", false, "ICN-A", "277ca"},
			{"ICN-B", "277ca", true, "ICN-B", "277ca"}, // a later 277CA replaces an earlier one
			{"ICN-B", "835", true, "ICN-B", "835"},     // the same number, now from an 835
			{"ICN-C", "277ca", false, "ICN-B", "835"},  // a 277CA never replaces an 835's number
			{"ICN-B", "835", false, "ICN-B", "835"},
			{"ICN-D", "835", true, "ICN-D", "835"}, // an 835 always does
			{"ICN-D", "277ca", false, "ICN-D", "835"},
		} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				changed, err := tx.SetPayerClaimNumber(ctx, c.ID, st.number, st.source)
				must(t, fmt.Sprintf("step %d: SetPayerClaimNumber(%q, %s)", i, st.number, st.source), err)
				if changed != st.changed {
					t.Errorf("step %d: SetPayerClaimNumber(%q, %s) = %v, want %v", i, st.number, st.source, changed, st.changed)
				}
			})
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				if got.PayerClaimNumber != st.want || got.PayerClaimSource != st.wantSrc {
					t.Errorf("step %d: payer claim number %q from %q, want %q from %q", i, got.PayerClaimNumber, got.PayerClaimSource, st.want, st.wantSrc)
				}
			})
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.SetPayerClaimNumber(ctx, 424242, "ICN-X", "835")
			wantErr(t, "SetPayerClaimNumber(missing)", err, pipeline.ErrNotFound)
			if _, err := tx.SetPayerClaimNumber(ctx, other.ID, "ICN-X", "999"); err == nil {
				t.Errorf("SetPayerClaimNumber from an unknown source succeeded")
			}
			got, err := tx.GetClaim(ctx, other.ID)
			must(t, "GetClaim", err)
			if got.PayerClaimNumber != "" || got.PayerClaimSource != "" {
				t.Errorf("other claim: payer claim number %q from %q, want none", got.PayerClaimNumber, got.PayerClaimSource)
			}
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
			Same(t, "submission", got, s3)
			_, err = tx.SubmissionByPCN(ctx, "E9-1")
			wantErr(t, "SubmissionByPCN(missing)", err, pipeline.ErrNotFound)

			subs, err := tx.Submissions(ctx, c.ID)
			must(t, "Submissions", err)
			Same(t, "claim submissions", subs, []*pipeline.Submission{s1, s3})

			subs, err = tx.SubmissionsInBatch(ctx, 5, "")
			must(t, "SubmissionsInBatch", err)
			Same(t, "batch submissions", subs, []*pipeline.Submission{s1, s2, s4})
			subs, err = tx.SubmissionsInBatch(ctx, 5, "0001")
			must(t, "SubmissionsInBatch(set)", err)
			Same(t, "set submissions", subs, []*pipeline.Submission{s1, s4})
			subs, err = tx.SubmissionsInBatch(ctx, 99, "")
			must(t, "SubmissionsInBatch(empty)", err)
			if len(subs) != 0 {
				t.Errorf("submissions of an empty batch = %d", len(subs))
			}
		})
	}},
}

// withoutLines returns a copy of c without its lines, as
// ClaimsInStateAfter returns claims.
func withoutLines(c *pipeline.Claim) *pipeline.Claim {
	out := *c
	out.Lines = nil
	return &out
}
