package pipelinetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// ackBulkTests cover the batch forms applying acknowledgments uses:
// each must answer as its one-by-one form does.
var ackBulkTests = []storeTest{
	{"Bulk/SubmissionsByPCN", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, sub := range []*pipeline.Submission{
				{ClaimID: c1.ID, Version: 1, PCN: "E1-1", BatchID: 7, SetControl: "0001", SegFrom: 5, SegTo: 40, CreatedAt: t1},
				{ClaimID: c1.ID, Version: 2, PCN: "E1-2", Frequency: "7", CreatedAt: t1},
				{ClaimID: c2.ID, Version: 1, PCN: "E2-1", CreatedAt: t0},
			} {
				must(t, "CreateSubmission", tx.CreateSubmission(ctx, sub))
			}
		})
		tests := []struct {
			name string
			pcns []string
			want []string // the PCNs found
		}{
			{"none", nil, nil},
			{"all", []string{"E2-1", "E1-1", "E1-2"}, []string{"E2-1", "E1-1", "E1-2"}},
			{"unknown left out", []string{"nope", "E1-2", ""}, []string{"E1-2"}},
			{"repeated", []string{"E2-1", "E2-1", "nope", "nope"}, []string{"E2-1"}},
		}
		for _, tc := range tests {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.SubmissionsByPCN(ctx, tc.pcns)
				must(t, tc.name+": SubmissionsByPCN", err)
				want := map[string]*pipeline.Submission{}
				for _, pcn := range tc.want {
					sub, err := tx.SubmissionByPCN(ctx, pcn)
					must(t, "SubmissionByPCN", err)
					want[pcn] = sub
				}
				Same(t, tc.name+": submissions by PCN", got, want)
			})
		}
	}},
	{"Bulk/CreateSubmissionsOfAMissingClaim", func(t *testing.T, _ *suite, s pipeline.Store) {
		// A submission names a claim that exists, as a foreign key would
		// require (PostgreSQL has none there: see its migration 0016).
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateSubmitted)
		ctx := context.Background()
		for _, name := range []string{"alone", "then moved"} {
			err := s.InTx(ctx, func(tx pipeline.Tx) error {
				if err := tx.CreateSubmissions(ctx, []*pipeline.Submission{
					{ClaimID: c1.ID, Version: 1, PCN: "E1-1", CreatedAt: t1},
					{ClaimID: 424242, Version: 1, PCN: "X-1", CreatedAt: t1},
				}); err != nil || name == "alone" {
					return err
				}
				// The build's order: the submissions, then the claims'
				// move, which does not move a missing claim.
				return tx.MoveClaims(ctx, []pipeline.Event{{ClaimID: c1.ID, From: pipeline.StateSubmitted, To: pipeline.StatePaid, Kind: "835", At: t1}}, nil)
			})
			wantErr(t, "CreateSubmissions with a missing claim ("+name+")", err, pipeline.ErrNotFound)
		}
		// Nothing was written, and the claims that exist get their
		// submissions (checked before commit, the claims unknown to the
		// transaction).
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.Submissions(ctx, c1.ID)
			must(t, "Submissions", err)
			if len(got) != 0 {
				t.Errorf("after the refused transactions, claim %d has %d submissions, want none", c1.ID, len(got))
			}
			must(t, "CreateSubmissions", tx.CreateSubmissions(ctx, []*pipeline.Submission{
				{ClaimID: c1.ID, Version: 1, PCN: "E1-1", CreatedAt: t1}, {ClaimID: c2.ID, Version: 1, PCN: "E2-1", CreatedAt: t1}}))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, c := range []*pipeline.Claim{c1, c2} {
				got, err := tx.Submissions(ctx, c.ID)
				must(t, "Submissions", err)
				if len(got) != 1 || got[0].PCN != c.EncounterID+"-1" {
					t.Errorf("claim %d submissions = %+v, want %s-1 alone", c.ID, got, c.EncounterID)
				}
			}
		})
	}},
	{"Bulk/ClaimHeads", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateAccepted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			// A claim created in the same transaction has a head too.
			c3 := sampleClaim("E3", pipeline.StateBatched)
			must(t, "CreateClaim", tx.CreateClaim(ctx, c3))
			must(t, "SetClaimRefs", tx.SetClaimRefs(ctx, c1.ID, "E1-1", 1, t1))
			tests := []struct {
				name string
				ids  []int64
				want []int64 // the claims found
			}{
				{"none", nil, nil},
				{"all", []int64{c3.ID, c1.ID, c2.ID}, []int64{c1.ID, c2.ID, c3.ID}},
				{"unknown left out", []int64{424242, c2.ID}, []int64{c2.ID}},
				{"repeated", []int64{c1.ID, c1.ID, 424242, 424242}, []int64{c1.ID}},
			}
			for _, tc := range tests {
				got, err := tx.ClaimHeads(ctx, tc.ids)
				must(t, tc.name+": ClaimHeads", err)
				want := map[int64]pipeline.ClaimHead{}
				for _, id := range tc.want {
					h, err := tx.ClaimHead(ctx, id)
					must(t, "ClaimHead", err)
					want[id] = h
				}
				Same(t, tc.name+": claim heads", got, want)
			}
		})
	}},
	{"Bulk/SetPayerClaimNumbersFrom", func(t *testing.T, _ *suite, s pipeline.Store) {
		// Each case runs twice, on claims alike: once one by one
		// (SetPayerClaimNumber), once in bulk; both must agree.
		type number = payerNumber
		tests := []struct {
			name   string
			before number // set one by one first ({} for none)
			set    number
			want   number
			change bool
		}{
			{"277CA on none", number{}, number{"A", "277ca"}, number{"A", "277ca"}, true},
			{"277CA on a 277CA's", number{"A", "277ca"}, number{"B", "277ca"}, number{"B", "277ca"}, true},
			{"277CA again", number{"A", "277ca"}, number{"A", "277ca"}, number{"A", "277ca"}, false},
			{"277CA on an 835's", number{"A", "835"}, number{"B", "277ca"}, number{"A", "835"}, false},
			{"835 on a 277CA's", number{"A", "277ca"}, number{"A", "835"}, number{"A", "835"}, true},
			{"835 on an 835's", number{"A", "835"}, number{"C", "835"}, number{"C", "835"}, true},
			{"835 again", number{"A", "835"}, number{"A", "835"}, number{"A", "835"}, false},
			{"empty", number{"A", "277ca"}, number{"", "277ca"}, number{"A", "277ca"}, false},
		}
		befores := make([]payerNumber, len(tests))
		for i, tc := range tests {
			befores[i] = tc.before
		}
		single, bulk := twinClaims(t, s, "E", befores)
		before := map[int64]*pipeline.Claim{}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, c := range bulk {
				got, err := tx.GetClaim(ctx, c.ID)
				must(t, "GetClaim", err)
				before[c.ID] = got
			}
		})
		for _, source := range []string{"277ca", "835"} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				refs := map[int64]string{}
				wantChanged := 0
				for i, tc := range tests {
					if tc.set.source != source {
						continue
					}
					changed, err := tx.SetPayerClaimNumber(ctx, single[i].ID, tc.set.number, tc.set.source)
					must(t, tc.name+": SetPayerClaimNumber", err)
					if changed != tc.change {
						t.Errorf("%s: SetPayerClaimNumber changed = %v, want %v", tc.name, changed, tc.change)
					}
					refs[bulk[i].ID] = tc.set.number
					if tc.change {
						wantChanged++
					}
				}
				changed, err := tx.SetPayerClaimNumbersFrom(ctx, refs, source)
				must(t, "SetPayerClaimNumbersFrom", err)
				if changed != wantChanged {
					t.Errorf("SetPayerClaimNumbersFrom(%s) changed %d claims, want %d", source, changed, wantChanged)
				}
			})
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, tc := range tests {
				for _, c := range []*pipeline.Claim{single[i], bulk[i]} {
					got, err := tx.GetClaim(ctx, c.ID)
					must(t, "GetClaim", err)
					if got.PayerClaimNumber != tc.want.number || got.PayerClaimSource != tc.want.source {
						t.Errorf("%s: claim %d payer claim number %q from %q, want %q from %q", tc.name, c.ID,
							got.PayerClaimNumber, got.PayerClaimSource, tc.want.number, tc.want.source)
					}
				}
				// A claim left unchanged keeps its update time.
				got, err := tx.GetClaim(ctx, bulk[i].ID)
				must(t, "GetClaim", err)
				if was := before[bulk[i].ID].UpdatedAt; !tc.change && !got.UpdatedAt.Equal(was) {
					t.Errorf("%s: unchanged claim updated at %v, was %v", tc.name, got.UpdatedAt, was)
				}
			}
		})
	}},
	{"Bulk/SetPayerClaimNumbersFromRefuses", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.SetPayerClaimNumbersFrom(ctx, map[int64]string{c1.ID: "A", 424242: "B"}, "277ca")
			wantErr(t, "SetPayerClaimNumbersFrom with an unknown claim", err, pipeline.ErrNotFound)
			if _, err := tx.SetPayerClaimNumbersFrom(ctx, map[int64]string{c1.ID: "A"}, "999"); err == nil || errors.Is(err, pipeline.ErrNotFound) {
				t.Errorf("SetPayerClaimNumbersFrom from source 999: %v, want an error", err)
			}
			n, err := tx.SetPayerClaimNumbersFrom(ctx, nil, "277ca")
			must(t, "SetPayerClaimNumbersFrom(none)", err)
			if n != 0 {
				t.Errorf("SetPayerClaimNumbersFrom(none) changed %d claims", n)
			}
			// Nothing changed, and the transaction goes on.
			got, err := tx.GetClaim(ctx, c1.ID)
			must(t, "GetClaim", err)
			if got.PayerClaimNumber != "" {
				t.Errorf("a refused SetPayerClaimNumbersFrom recorded %q", got.PayerClaimNumber)
			}
			n, err = tx.SetPayerClaimNumbersFrom(ctx, map[int64]string{c1.ID: "A"}, "277ca")
			must(t, "SetPayerClaimNumbersFrom", err)
			if n != 1 {
				t.Errorf("SetPayerClaimNumbersFrom changed %d claims, want 1", n)
			}
		})
	}},
	{"Bulk/MoveClaimVersionsWithNumbers", func(t *testing.T, _ *suite, s pipeline.Store) {
		// Each case runs on twin claims: one numbered then moved
		// (SetPayerClaimNumbersFrom, MoveClaimVersions), one in one
		// call; both must end alike.
		type number = payerNumber
		tests := []struct {
			name   string
			before number
			set    string // the 277CA's number ("": none given)
			want   number
		}{
			{"277CA on none", number{}, "A", number{"A", "277ca"}},
			{"277CA on a 277CA's", number{"A", "277ca"}, "B", number{"B", "277ca"}},
			{"277CA again", number{"A", "277ca"}, "A", number{"A", "277ca"}},
			{"277CA on an 835's", number{"A", "835"}, "B", number{"A", "835"}},
			{"empty", number{"A", "277ca"}, "", number{"A", "277ca"}},
			{"no number", number{"A", "835"}, "-", number{"A", "835"}},
		}
		befores := make([]payerNumber, len(tests))
		for i, tc := range tests {
			befores[i] = tc.before
		}
		pair, one := twinClaims(t, s, "N", befores)
		moves := func(cs []*pipeline.Claim) ([]pipeline.Event, map[int64]string) {
			evs := make([]pipeline.Event, len(cs))
			numbers := map[int64]string{}
			for i, c := range cs {
				evs[i] = pipeline.Event{ClaimID: c.ID, At: t1, Kind: "277ca", From: pipeline.StateSubmitted,
					To: pipeline.StateAccepted, Version: 1, Detail: "accepted"}
				if tests[i].set != "-" {
					numbers[c.ID] = tests[i].set
				}
			}
			return evs, numbers
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			evs, numbers := moves(pair)
			_, err := tx.SetPayerClaimNumbersFrom(ctx, numbers, "277ca")
			must(t, "SetPayerClaimNumbersFrom", err)
			must(t, "MoveClaimVersions", tx.MoveClaimVersions(ctx, evs))
			evs, numbers = moves(one)
			must(t, "MoveClaimVersionsWithNumbers", tx.MoveClaimVersionsWithNumbers(ctx, evs, numbers, "277ca"))
			must(t, "MoveClaimVersionsWithNumbers(none)", tx.MoveClaimVersionsWithNumbers(ctx, nil, nil, "277ca"))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, tc := range tests {
				for _, c := range []*pipeline.Claim{pair[i], one[i]} {
					got, err := tx.GetClaim(ctx, c.ID)
					must(t, "GetClaim", err)
					if got.State != pipeline.StateAccepted || got.PayerClaimNumber != tc.want.number || got.PayerClaimSource != tc.want.source ||
						got.UpdatedAt != norm(t1) {
						t.Errorf("%s: claim %d %s, payer claim number %q from %q, updated %v; want accepted, %q from %q, %v", tc.name, c.ID,
							got.State, got.PayerClaimNumber, got.PayerClaimSource, got.UpdatedAt, tc.want.number, tc.want.source, norm(t1))
					}
				}
				a, err := tx.Events(ctx, pair[i].ID)
				must(t, "Events", err)
				b, err := tx.Events(ctx, one[i].ID)
				must(t, "Events", err)
				if len(a) != 1 || len(b) != 1 {
					t.Fatalf("%s: events %+v and %+v, want one each", tc.name, a, b)
				}
				a[0].ID, a[0].ClaimID = b[0].ID, b[0].ClaimID
				Same(t, tc.name+": event", b[0], a[0])
			}
		})
	}},
	{"Bulk/MoveClaimVersionsWithNumbersRefuses", func(t *testing.T, _ *suite, s pipeline.Store) {
		c1 := createClaim(t, s, "E1", pipeline.StateSubmitted)
		c2 := createClaim(t, s, "E2", pipeline.StateRejected) // not in its From state
		move := func(cs ...*pipeline.Claim) []pipeline.Event {
			evs := make([]pipeline.Event, len(cs))
			for i, c := range cs {
				evs[i] = pipeline.Event{ClaimID: c.ID, At: t1, Kind: "277ca", From: pipeline.StateSubmitted,
					To: pipeline.StateAccepted, Version: 1, Detail: "accepted"}
			}
			return evs
		}
		for _, tc := range []struct {
			name    string
			evs     []pipeline.Event
			numbers map[int64]string
			source  string
			want    error  // nil: any error
			says    string // what the error names
		}{
			{"a claim in another state", move(c1, c2), map[int64]string{c1.ID: "A", c2.ID: "B"}, "277ca", pipeline.ErrConflict,
				fmt.Sprintf("claim %d is rejected, not submitted", c2.ID)},
			{"a claim at another version", func() []pipeline.Event {
				evs := move(c1)
				evs[0].Version = 2
				return evs
			}(), map[int64]string{c1.ID: "A"}, "277ca", pipeline.ErrConflict, fmt.Sprintf("claim %d is at version 1, not 2", c1.ID)},
			{"a claim that does not exist", move(c1, &pipeline.Claim{ID: 424242}), map[int64]string{c1.ID: "A", 424242: "B"}, "277ca",
				pipeline.ErrNotFound, "claim 424242"},
			{"a claim twice", move(c1, c1), map[int64]string{c1.ID: "A"}, "277ca", nil, "twice"},
			{"a number without a move", move(c1), map[int64]string{c1.ID: "A", c2.ID: "B"}, "277ca", nil, fmt.Sprintf("claim %d", c2.ID)},
			{"an unknown source", move(c1), map[int64]string{c1.ID: "A"}, "999", nil, "999"},
		} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				err := tx.MoveClaimVersionsWithNumbers(ctx, tc.evs, tc.numbers, tc.source)
				if tc.want != nil {
					wantErr(t, "MoveClaimVersionsWithNumbers with "+tc.name, err, tc.want)
				}
				if err == nil || !strings.Contains(err.Error(), tc.says) {
					t.Errorf("MoveClaimVersionsWithNumbers with %s: %v; want an error saying %q", tc.name, err, tc.says)
				}
				// Nothing changed, and the transaction goes on.
				for _, c := range []*pipeline.Claim{c1, c2} {
					got, err := tx.GetClaim(ctx, c.ID)
					must(t, "GetClaim", err)
					evs, err := tx.Events(ctx, c.ID)
					must(t, "Events", err)
					if got.State != c.State || got.PayerClaimNumber != "" || len(evs) != 0 {
						t.Errorf("%s: claim %d %s, number %q, events %+v; want it unchanged", tc.name, c.ID, got.State, got.PayerClaimNumber, evs)
					}
				}
			})
		}
	}},
}

// payerNumber is a payer's claim number and where it came from ("277ca",
// "835"); the zero value is none.
type payerNumber struct{ number, source string }

// twinClaims creates, for each of befores, two claims alike (encounters
// prefix<i>-0 and prefix<i>-1, submitted), each given that payer claim
// number one by one (SetPayerClaimNumber) unless it is none, for tests
// that change one twin one way and the other another way.
func twinClaims(t *testing.T, s pipeline.Store, prefix string, befores []payerNumber) (first, second []*pipeline.Claim) {
	t.Helper()
	first = make([]*pipeline.Claim, len(befores))
	second = make([]*pipeline.Claim, len(befores))
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		for i, b := range befores {
			for j, c := range []**pipeline.Claim{&first[i], &second[i]} {
				*c = sampleClaim(fmt.Sprintf("%s%d-%d", prefix, i, j), pipeline.StateSubmitted)
				must(t, "CreateClaim", tx.CreateClaim(ctx, *c))
				if b.number != "" {
					_, err := tx.SetPayerClaimNumber(ctx, (*c).ID, b.number, b.source)
					must(t, "SetPayerClaimNumber", err)
				}
			}
		}
	})
	return first, second
}
