package pipeline_test

import (
	"context"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// mixedSource yields encounters and, at their place, malformed records.
type mixedSource []any // *pipeline.Encounter or *pipeline.RecordError

func (s mixedSource) Encounters(context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for _, x := range s {
			var ok bool
			switch x := x.(type) {
			case *pipeline.Encounter:
				ok = yield(x, nil)
			case *pipeline.RecordError:
				ok = yield(nil, x)
			}
			if !ok {
				return
			}
		}
	}
}

// TestIntakeAndBuildInBatches takes encounters in batches smaller than
// the input (with a malformed record and an encounter repeated inside a
// batch) and builds them a page at a time into several files of several
// sets: every claim is recorded and built once, with unique line control
// numbers and ST02s, and a rerun records and builds nothing.
func TestIntakeAndBuildInBatches(t *testing.T) {
	h := newHarness(t, func(o *pipeline.Options) {
		o.BatchSize = 4
		o.MaxClaimsPerFile = 5
		o.Partners[0].MaxClaimsPerSet = 2
	})
	ctx := t.Context()
	var src mixedSource
	for i := range 12 {
		src = append(src, pipelinetest.Encounter("E"+string(rune('A'+i)), "100.00", "25.00"))
		if i == 5 {
			src = append(src, &pipeline.RecordError{Source: "in.jsonl", Line: 7, EncounterID: "BAD", Err: errors.New("invalid amount")})
		}
		if i == 9 {
			src = append(src, src[len(src)-1]) // the same encounter twice in one batch
		}
	}
	in, err := h.P.Intake(ctx, src)
	if err != nil {
		t.Fatalf("Intake: %v", err)
	}
	if in.Read != 14 || in.Accepted != 12 || in.Held != 1 || in.Unchanged != 1 {
		t.Errorf("intake read %d, accepted %d, held %d, unchanged %d; want 14, 12, 1, 1", in.Read, in.Accepted, in.Held, in.Unchanged)
	}
	controls := map[string]string{}
	for i := range 12 {
		id := "E" + string(rune('A'+i))
		c := h.ClaimOf(id)
		if c.State != pipeline.StateReady {
			t.Errorf("claim of %s is %s, want ready", id, c.State)
		}
		for _, l := range c.Lines {
			if other, dup := controls[l.ControlNumber]; dup || l.ControlNumber == "" {
				t.Errorf("line control number %q of %s is empty or also %s's", l.ControlNumber, id, other)
			}
			controls[l.ControlNumber] = id
		}
	}

	rep, err := h.P.Build(ctx)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if rep.Files != 3 || rep.Claims != 12 || rep.Held != 0 {
		t.Errorf("build: %d files, %d claims, %d held; want 3 files of at most 5 claims, 12 claims", rep.Files, rep.Claims, rep.Held)
	}
	var batches []*pipeline.Batch
	if err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		batches, err = tx.BatchesInState(ctx, pipeline.BatchBuilt)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st02s := map[string]bool{}
	claims := 0
	for _, b := range batches {
		n := 0
		for _, s := range b.Sets {
			if s.Claims > 2 || st02s[s.ST02] {
				t.Errorf("batch %s: set %s of %d claims, or its ST02 used before", b.ISA13, s.ST02, s.Claims)
			}
			st02s[s.ST02] = true
			n += s.Claims
		}
		if n > 5 {
			t.Errorf("batch %s holds %d claims, want at most 5", b.ISA13, n)
		}
		claims += n
		if _, err := os.Stat(b.LocalPath); err != nil {
			t.Errorf("batch %s: %v", b.ISA13, err)
		}
	}
	if len(batches) != 3 || claims != 12 {
		t.Errorf("%d batches of %d claims, want 3 of 12", len(batches), claims)
	}
	for i := range 12 {
		if c := h.ClaimOf("E" + string(rune('A'+i))); c.State != pipeline.StateBatched {
			t.Errorf("claim %d is %s, want batched", c.ID, c.State)
		}
	}
	left, _ := filepath.Glob(filepath.Join(h.Dir, "outbox", ".*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left in the outbox: %v", left)
	}

	again, err := h.P.Intake(ctx, src)
	if err != nil {
		t.Fatalf("Intake again: %v", err)
	}
	if again.Accepted != 0 || again.Held != 0 || again.Unchanged != 14 {
		t.Errorf("intake again: accepted %d, held %d, unchanged %d; want 0, 0, 14", again.Accepted, again.Held, again.Unchanged)
	}
	if rep, err := h.P.Build(ctx); err != nil || rep.Files != 0 {
		t.Errorf("build again: %d files, %v; want none", rep.Files, err)
	}
}

// TestIntakeBatchFailsOneByOne: when a batch's transaction fails, its
// encounters are taken again one per transaction, so that a failure of
// the bulk path alone loses nothing, and a failure of one encounter
// keeps the batch's encounters before it and names it.
func TestIntakeBatchFailsOneByOne(t *testing.T) {
	fs := pipelinetest.NewFaultStore(openStore(t))
	h := newHarnessOver(t, fs, func(o *pipeline.Options) { o.BatchSize = 10 })
	ctx := t.Context()
	src := mixedSource{pipelinetest.Encounter("F1", "10.00"), pipelinetest.Encounter("F2", "20.00"), pipelinetest.Encounter("F3", "30.00")}

	fs.Fail("CreateClaims", errors.New("bulk insert refused"))
	in, err := h.P.Intake(ctx, src)
	if err != nil || in.Accepted != 3 {
		t.Fatalf("Intake with the bulk path failing: accepted %d, %v; want 3, nil", in.Accepted, err)
	}
	for _, id := range []string{"F1", "F2", "F3"} {
		if c := h.ClaimOf(id); c.State != pipeline.StateReady {
			t.Errorf("claim of %s is %s, want ready", id, c.State)
		}
	}

	more := mixedSource{pipelinetest.Encounter("G1", "10.00"), pipelinetest.Encounter("G2", "20.00")}
	fs.Fail("CreateClaim", errors.New("disk full"))
	in, err = h.P.Intake(ctx, more)
	if err == nil || !strings.Contains(err.Error(), "encounter G1") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Intake with every insert failing: %v; want an error naming encounter G1 and the cause", err)
	}
	if in.Accepted != 0 {
		t.Errorf("accepted %d, want 0", in.Accepted)
	}
	fs.Fail("CreateClaim", nil)
	fs.Fail("CreateClaims", nil)
	if in, err = h.P.Intake(ctx, more); err != nil || in.Accepted != 2 {
		t.Errorf("Intake again: accepted %d, %v; want 2, nil", in.Accepted, err)
	}
}

// endingSource yields n encounters (without end when n < 0), then err
// when it is not nil; it counts what it yielded.
type endingSource struct {
	n       int
	err     error
	yielded int
}

func (s *endingSource) Encounters(context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for i := 0; s.n < 0 || i < s.n; i++ {
			s.yielded++
			if !yield(pipelinetest.Encounter("R"+strconv.Itoa(i), "10.00"), nil) {
				return
			}
		}
		if s.err != nil {
			yield(nil, s.err)
		}
	}
}

// TestIntakeReaderEnds: intake reads a batch ahead of the one it records,
// in a goroutine of its own. A source that ends with an error still has
// the encounters read before it recorded, and the error returned; when
// recording fails, the reader stops (an endless source would otherwise
// keep it, and Intake, from returning) without reading more than the
// batches in hand.
func TestIntakeReaderEnds(t *testing.T) {
	readErr := errors.New("read failed")
	for _, tc := range []struct {
		name     string
		src      *endingSource
		fail     bool // every claim insert fails
		wantErr  string
		accepted int
	}{
		{name: "source error after a batch and a half", src: &endingSource{n: 3, err: readErr}, wantErr: "read failed", accepted: 3},
		{name: "records failing, endless source", src: &endingSource{n: -1}, fail: true, wantErr: "disk full", accepted: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := pipelinetest.NewFaultStore(openStore(t))
			h := newHarnessOver(t, fs, func(o *pipeline.Options) { o.BatchSize = 2 })
			if tc.fail {
				fs.Fail("CreateClaims", errors.New("disk full"))
				fs.Fail("CreateClaim", errors.New("disk full"))
			}
			in, err := h.P.Intake(t.Context(), tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Intake: %v; want an error with %q", err, tc.wantErr)
			}
			if in.Accepted != tc.accepted {
				t.Errorf("accepted %d, want %d", in.Accepted, tc.accepted)
			}
			// The batch recorded, the one read ahead, and the
			// encounter whose yield saw the reader stop.
			if tc.src.n < 0 && tc.src.yielded > 5 {
				t.Errorf("the source yielded %d encounters after recording failed, want at most 5", tc.src.yielded)
			}
		})
	}
}

// TestIntakeNumbersLines: intake gives the lines without a line item
// control number one from the store's sequence, as it records a batch in
// bulk (the claims were scrubbed as they were read, before); the numbers
// an encounter gives stay. A control number is unique within its claim
// (REF*6R), not across claims: practice systems number lines per claim.
// A number taken skips one the claim gives another line; an encounter
// that gives two lines the same number is held as a malformed record,
// with its position, and the encounters after it are taken in.
// (Recording one by one, the path after a failed batch, fails here: every
// case takes the bulk path.)
func TestIntakeNumbersLines(t *testing.T) {
	enc := func(id string, numbers ...string) *pipeline.Encounter {
		e := pipelinetest.Encounter(id, "10.00", "20.00")
		for i, n := range numbers {
			e.Lines[i].ControlNumber = n
		}
		e.Line = 3
		return e
	}
	for _, tc := range []struct {
		name string
		src  []*pipeline.Encounter
		want map[string][]string // line numbers of each encounter's claim; nil: no claim
	}{
		{name: "none given", src: []*pipeline.Encounter{enc("A", "", ""), enc("B")},
			want: map[string][]string{"A": {"L1", "L2"}, "B": {"L3", "L4"}}},
		{name: "all given", src: []*pipeline.Encounter{enc("A", "A1", "A2")},
			want: map[string][]string{"A": {"A1", "A2"}}},
		{name: "one given", src: []*pipeline.Encounter{enc("A", "", "A2")},
			want: map[string][]string{"A": {"L1", "A2"}}},
		{name: "the same numbers in two claims", src: []*pipeline.Encounter{enc("A", "1", "2"), enc("B", "1", "2")},
			want: map[string][]string{"A": {"1", "2"}, "B": {"1", "2"}}},
		{name: "given the number another claim takes", src: []*pipeline.Encounter{enc("A", "L1", "L2"), enc("B")},
			want: map[string][]string{"A": {"L1", "L2"}, "B": {"L1", "L2"}}},
		{name: "given the number it would take", src: []*pipeline.Encounter{enc("A", "", "L1")},
			want: map[string][]string{"A": {"L2", "L1"}}},
		{name: "one number given to two lines", src: []*pipeline.Encounter{enc("A", "7", "7"), enc("B")},
			want: map[string][]string{"A": nil, "B": {"L1", "L2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := pipelinetest.NewFaultStore(openStore(t))
			h := newHarnessOver(t, fs, nil)
			fs.Fail("CreateClaim", errors.New("not the bulk path"))
			var src mixedSource
			for _, e := range tc.src {
				src = append(src, e)
			}
			in, err := h.P.Intake(t.Context(), src)
			if err != nil {
				t.Fatalf("Intake: %v", err)
			}
			for id, want := range tc.want {
				if want == nil {
					continue
				}
				c := h.ClaimOf(id)
				var got []string
				for _, l := range c.Lines {
					got = append(got, l.ControlNumber)
				}
				if !slices.Equal(got, want) || c.State != pipeline.StateReady {
					t.Errorf("claim of %s: lines numbered %q, %s; want %q, ready", id, got, c.State, want)
				}
			}
			if tc.want["A"] != nil {
				return
			}
			items := h.Work(pipeline.SourceIntake)
			if in.Held != 1 || len(items) != 1 || items[0].EncounterID != "A" || len(items[0].Reasons) != 1 {
				t.Fatalf("held %d, work items %+v; want encounter A held as a malformed record", in.Held, items)
			}
			if r := items[0].Reasons[0]; r.Code != "malformed-record" || r.Field != "lines[1].control_number" ||
				r.Location != "line 3" || !strings.Contains(r.Text, `"7" is also given to line 1`) {
				t.Errorf("reason %+v; want malformed-record at lines[1].control_number, line 3, naming the number and line 1", r)
			}
		})
	}
}
