package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// smallFiles are the options of the IntakeAndBuild tests: batches, files
// and sets small enough that a few encounters span several of each.
func smallFiles(o *pipeline.Options) {
	o.BatchSize = 4
	o.MaxClaimsPerFile = 5
	o.Partners[0].MaxClaimsPerSet = 2
}

// builtFiles returns the content of the files h's store records as built,
// in the order they were built.
func builtFiles(t *testing.T, h *pipelinetest.Harness) [][]byte {
	t.Helper()
	ctx := context.Background()
	var bs []*pipeline.Batch
	if err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		var err error
		bs, err = tx.BatchesInState(ctx, pipeline.BatchBuilt)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(bs))
	for i, b := range bs {
		data, err := os.ReadFile(b.LocalPath)
		if err != nil {
			t.Fatalf("batch %s: %v", b.ISA13, err)
		}
		out[i] = data
	}
	return out
}

// timesBuilt counts the claims of files that are c at its version.
func timesBuilt(files [][]byte, c *pipeline.Claim) int {
	n := 0
	for _, f := range files {
		n += bytes.Count(f, []byte("CLM*"+pipeline.PCN(c.ID, c.Version)+"*"))
	}
	return n
}

// noTemporaryFiles fails when the outbox holds a temporary file.
func noTemporaryFiles(t *testing.T, h *pipelinetest.Harness) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(h.Dir, "outbox", ".*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left in the outbox: %v", left)
	}
}

// claimsOf returns the CLM01s of each file, sorted.
func claimsOf(files [][]byte) [][]string {
	out := make([][]string, len(files))
	for i, f := range files {
		for _, seg := range bytes.Split(f, []byte("~")) {
			if el := bytes.Split(seg, []byte("*")); string(el[0]) == "CLM" {
				out[i] = append(out[i], string(el[1]))
			}
		}
		slices.Sort(out[i])
	}
	return out
}

// TestIntakeAndBuildAsIntakeThenBuild: IntakeAndBuild takes in and
// builds what Intake and then Build do, with the same reports, claim
// states and work items, and the same claims in each file, whatever the
// input holds: clean encounters, one the scrubber holds, a malformed
// record, an encounter twice in one batch. Where the claims sort in the
// order they are taken in, the files are the same byte for byte.
func TestIntakeAndBuildAsIntakeThenBuild(t *testing.T) {
	for _, tc := range []struct {
		name      string
		twice     bool // the 10th encounter comes twice in its batch
		sameBytes bool
		accepted  int
	}{
		{name: "clean, held and malformed", sameBytes: true, accepted: 12},
		// The encounter twice in one batch takes the one-by-one path:
		// its claim is numbered before the others of its batch, and
		// sorts among them differently as Build reads a page.
		{name: "an encounter twice in one batch", twice: true, accepted: 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src mixedSource
			for i := range 13 {
				e := pipelinetest.Encounter(fmt.Sprintf("E%02d", i), "100.00", "25.00")
				if i == 3 {
					e.BillingProvider.NPI = "123" // held by the scrubber
				}
				src = append(src, e)
				if i == 5 {
					src = append(src, &pipeline.RecordError{Source: "in.jsonl", Line: 7, EncounterID: "BAD", Err: errors.New("invalid amount")})
				}
				if i == 9 && tc.twice {
					src = append(src, src[len(src)-1])
				}
			}
			ctx := t.Context()

			apart := newHarness(t, smallFiles)
			wantIn, err := apart.P.Intake(ctx, src)
			if err != nil {
				t.Fatalf("Intake: %v", err)
			}
			wantBuild, err := apart.P.Build(ctx)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}

			h := newHarness(t, smallFiles)
			in, build, err := h.P.IntakeAndBuild(ctx, src)
			if err != nil {
				t.Fatalf("IntakeAndBuild: %v", err)
			}
			pipelinetest.Same(t, "intake report", in, wantIn)
			pipelinetest.Same(t, "build report", build, wantBuild)
			if build.Files != 3 || build.Claims != tc.accepted || in.Held != 2 {
				t.Errorf("built %d claims into %d files, held %d; want %d into 3 (at most 5 each), 2 held", build.Claims, build.Files, in.Held, tc.accepted)
			}
			got, want := builtFiles(t, h), builtFiles(t, apart)
			pipelinetest.Same(t, "claims of each file", claimsOf(got), claimsOf(want))
			for i := range min(len(got), len(want)) {
				if tc.sameBytes && !bytes.Equal(got[i], want[i]) {
					t.Errorf("file %d differs from the one Intake and Build make:\n%s\nwant:\n%s", i+1, got[i], want[i])
				}
			}
			for i := range 13 {
				id := fmt.Sprintf("E%02d", i)
				if g, w := h.ClaimOf(id), apart.ClaimOf(id); g.ID != w.ID || g.State != w.State || g.Version != w.Version {
					t.Errorf("claim of %s: %d %s version %d; want %d %s version %d", id, g.ID, g.State, g.Version, w.ID, w.State, w.Version)
				}
			}
			if g, w := len(h.Work(pipeline.SourceScrubber))+len(h.Work(pipeline.SourceIntake)),
				len(apart.Work(pipeline.SourceScrubber))+len(apart.Work(pipeline.SourceIntake)); g != w || g != 2 {
				t.Errorf("%d work items open, want %d (the held claim and the malformed record)", g, w)
			}
			noTemporaryFiles(t, h)

			again, build, err := h.P.IntakeAndBuild(ctx, src)
			if err != nil || again.Unchanged != len(src) || build.Files != 0 {
				t.Errorf("again: %d unchanged, %d files, %v; want %d unchanged, no file", again.Unchanged, build.Files, err, len(src))
			}
		})
	}
}

// TestIntakeAndBuildTakesTheOtherReadyClaims: the claims not made ready
// by the bulk path of this intake (ready before it, or corrected by an
// encounter sent again with changes) are built too, from the store, and
// none twice.
func TestIntakeAndBuildTakesTheOtherReadyClaims(t *testing.T) {
	h := newHarness(t, smallFiles)
	ctx := t.Context()
	if _, err := h.P.Intake(ctx, mixedSource{pipelinetest.Encounter("OLD1", "10.00"), pipelinetest.Encounter("OLD2", "20.00")}); err != nil {
		t.Fatal(err)
	}
	src := mixedSource{pipelinetest.Encounter("OLD2", "20.00", "5.00")} // changed: a correction
	for i := range 6 {
		src = append(src, pipelinetest.Encounter(fmt.Sprintf("NEW%d", i), "30.00"))
	}
	in, build, err := h.P.IntakeAndBuild(ctx, src)
	if err != nil {
		t.Fatalf("IntakeAndBuild: %v", err)
	}
	if in.Accepted != 6 || in.Corrected != 1 {
		t.Errorf("intake accepted %d, corrected %d; want 6, 1", in.Accepted, in.Corrected)
	}
	if build.Claims != 8 {
		t.Errorf("built %d claims, want 8", build.Claims)
	}
	files := builtFiles(t, h)
	for _, id := range []string{"OLD1", "OLD2", "NEW0", "NEW5"} {
		c := h.ClaimOf(id)
		if n := timesBuilt(files, c); c.State != pipeline.StateBatched || n != 1 {
			t.Errorf("claim of %s: %s, in %d file(s); want batched, in one", id, c.State, n)
		}
	}
	if c := h.ClaimOf("OLD2"); c.Version != 2 || len(c.Lines) != 2 {
		t.Errorf("claim of OLD2 went out at version %d with %d lines, want the correction (2, 2 lines)", c.Version, len(c.Lines))
	}
}

// TestIntakeAndBuildIntakeFails: when reading the encounters fails part
// way, IntakeAndBuild returns the error; the files that were full are
// recorded, the others discarded (no temporary file left), and their
// claims stay ready for the next build: nothing is lost or built twice.
func TestIntakeAndBuildIntakeFails(t *testing.T) {
	h := newHarness(t, smallFiles)
	ctx := t.Context()
	readErr := errors.New("read failed")
	in, build, err := h.P.IntakeAndBuild(ctx, &endingSource{n: 7, err: readErr})
	if !errors.Is(err, readErr) {
		t.Fatalf("IntakeAndBuild: %v, want %v", err, readErr)
	}
	if in.Accepted != 7 || build.Claims != 5 || build.Files != 1 {
		t.Errorf("accepted %d, built %d claims in %d files; want 7, and the full file of 5", in.Accepted, build.Claims, build.Files)
	}
	noTemporaryFiles(t, h)
	rest, err := h.P.Build(ctx)
	if err != nil || rest.Claims != 2 {
		t.Fatalf("Build after: %d claims, %v; want the other 2", rest.Claims, err)
	}
	files := builtFiles(t, h)
	for i := range 7 {
		c := h.ClaimOf(fmt.Sprintf("R%d", i))
		if n := timesBuilt(files, c); c.State != pipeline.StateBatched || n != 1 {
			t.Errorf("claim %d: %s, in %d file(s); want batched, in one", c.ID, c.State, n)
		}
	}
}

// TestIntakeAndBuildPlacesAgainAClaimChangedMeanwhile: an encounter sent
// again with changes in a later batch corrects its claim while the claim
// waits in an open file. Recording that file finds the claim at a newer
// version and discards the file; its claims, still ready, go to a new
// file at the end, the corrected one at its new version, without an
// error and none twice.
func TestIntakeAndBuildPlacesAgainAClaimChangedMeanwhile(t *testing.T) {
	h := newHarness(t, func(o *pipeline.Options) { o.BatchSize = 2 })
	ctx := t.Context()
	src := mixedSource{pipelinetest.Encounter("A", "10.00"), pipelinetest.Encounter("B", "20.00"),
		pipelinetest.Encounter("C", "30.00"), pipelinetest.Encounter("A", "10.00", "5.00")}
	in, build, err := h.P.IntakeAndBuild(ctx, src)
	if err != nil {
		t.Fatalf("IntakeAndBuild: %v", err)
	}
	if in.Corrected != 1 || build.Files != 1 || build.Claims != 3 {
		t.Errorf("corrected %d, built %d claims in %d files; want 1, and 3 in one file", in.Corrected, build.Claims, build.Files)
	}
	files := builtFiles(t, h)
	for _, id := range []string{"A", "B", "C"} {
		c := h.ClaimOf(id)
		if n := timesBuilt(files, c); c.State != pipeline.StateBatched || n != 1 {
			t.Errorf("claim of %s: %s, in %d file(s) at version %d; want batched, in one", id, c.State, n, c.Version)
		}
	}
	if c := h.ClaimOf("A"); c.Version != 2 {
		t.Errorf("claim of A went out at version %d, want 2", c.Version)
	}
	if left, _ := filepath.Glob(filepath.Join(h.Dir, "outbox", "*")); len(left) != 1 {
		t.Errorf("outbox holds %v, want the one file recorded", left)
	}
}
