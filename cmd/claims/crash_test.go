package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
)

// TestCrashSafety proves the cycle crash-safe at every point
// pipeline.Failpoints lists. For each point, in its own folders and in
// parallel, it runs the demo's cycle (the sample encounters through the
// local-folder transport to the clearinghouse simulator) as child
// processes of this test binary (see crashchild_test.go):
//
//  1. submit, SIGKILLed at the point when the submit passes it, then
//     started again (without the point) until it finishes;
//  2. the simulator answers what landed;
//  3. collect, SIGKILLed at the point when the collect passes it, then
//     started again until it finishes;
//  4. the next night: the leftovers of the crash are old enough for the
//     cleanup by now, and submit, the simulator and collect run once more,
//     finding nothing new to do.
//
// The simulator also answers right after the kill, before the restart: a
// clearinghouse does not wait for us, and may take a file we renamed but
// did not verify.
//
// Nothing waits on time: a child dies at its point, and the parent waits
// for it to exit. A point the cycle never passes fails its subtest. Then
// it checks the invariants (checkCrashRun) and that the outcome, claim by
// claim, is the outcome of the same cycle run without a crash.
func TestCrashSafety(t *testing.T) {
	points := pipeline.Failpoints()
	if len(points) < 20 {
		t.Errorf("pipeline.Failpoints lists %d crash points, want at least 20", len(points))
	}
	if dup := duplicated(points); dup != "" {
		t.Errorf("pipeline.Failpoints lists %q twice", dup)
	}
	start := time.Now()
	base := newCrashRun(t, "")
	base.cycle()
	want := checkCrashRun(t, base, nil)
	if t.Failed() {
		t.Fatalf("the cycle without a crash fails its invariants")
	}
	if want.held != 3 || want.claims < 30 || want.remits == 0 || want.files["277CA"] == 0 || want.files["TA1"] == 0 {
		t.Fatalf("the cycle without a crash: %d held, %d claims, %d remittances, files %v; want the demo's figures", want.held, want.claims, want.remits, want.files)
	}
	t.Logf("cycle without a crash: %d claims, %d held, %d batches, response files %v, %d remittances, paid %s, in %s",
		want.claims, want.held, want.batches, want.files, want.remits, want.paid, time.Since(start).Round(time.Millisecond))
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			r := newCrashRun(t, point)
			r.cycle()
			if !r.killed {
				t.Fatalf("the cycle never passed crash point %q", point)
			}
			checkCrashRun(t, r, want)
		})
	}
}

func duplicated(names []string) string {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return n
		}
		seen[n] = true
	}
	return ""
}

// crashRun is one cycle, with its folders and what the simulator did.
type crashRun struct {
	t      *testing.T
	dir    string // the pipeline's working folder (store, outbox, inbox)
	sim    string // the simulator's root
	point  string // the crash point; "" for none
	killed bool   // a child died at the point
	resp   *clearinghousesim.Responder
	// answered are the simulator's reports, one per Respond.
	answered []clearinghousesim.Report
	children int
}

func newCrashRun(t *testing.T, point string) *crashRun {
	t.Helper()
	root := t.TempDir()
	r := &crashRun{t: t, dir: filepath.Join(root, "work"), sim: filepath.Join(root, "clearinghouse"), point: point}
	resp, err := clearinghousesim.NewResponder(clearinghousesim.DefaultConfig(r.sim))
	if err != nil {
		t.Fatal(err)
	}
	r.resp = resp
	return r
}

// cycle runs the cycle and the next night's run (see TestCrashSafety).
func (r *crashRun) cycle() {
	r.job("submit")
	r.respond()
	r.job("collect")

	r.ageLeftovers()
	r.job("submit")
	r.respond()
	r.job("collect")
}

// respond lets the simulator answer what landed.
func (r *crashRun) respond() {
	r.t.Helper()
	rep, err := r.resp.Respond(context.Background())
	if err != nil {
		r.t.Fatalf("simulator: %v", err)
	}
	r.answered = append(r.answered, rep)
}

// job runs a job in a child until it finishes: with the crash point
// until a child dies at it, then without.
func (r *crashRun) job(job string) {
	r.t.Helper()
	for attempt := 1; ; attempt++ {
		if attempt > 3 {
			r.t.Fatalf("%s did not finish in %d runs", job, attempt-1)
		}
		point := r.point
		if r.killed {
			point = ""
		}
		killed, code, out := r.child(job, point)
		switch {
		case killed && point != "":
			// The clearinghouse goes on while we are down: it
			// answers whatever complete file it finds, before the
			// restart asks it what it holds.
			r.killed = true
			r.respond()
			continue
		case killed:
			r.t.Fatalf("%s was killed without a crash point:\n%s", job, out)
		case code == childNotReached && point != "":
			return // the point comes in a later job
		case code == childDone && point == "":
			return
		default:
			r.t.Fatalf("%s (crash point %q) exited %d:\n%s", job, point, code, out)
		}
	}
}

// child runs one job in a child process and waits for it. It reports
// whether the child died by SIGKILL, else its exit code, and its output.
func (r *crashRun) child(job, point string) (killed bool, code int, out string) {
	r.t.Helper()
	r.children++
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashDir+"="+r.dir, envCrashSim+"="+r.sim,
		envCrashJob+"="+job, envFailpoint+"="+point)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start the %s child: %v", job, err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		r.t.Fatalf("wait for the %s child: %v", job, err)
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		r.t.Fatalf("no wait status for the %s child", job)
	}
	if ws.Signaled() {
		if ws.Signal() != syscall.SIGKILL {
			r.t.Fatalf("the %s child died by %v:\n%s", job, ws.Signal(), buf.String())
		}
		return true, -1, buf.String()
	}
	return false, ws.ExitStatus(), buf.String()
}

// ageLeftovers makes every file in the outbox and the inbox older than
// pipeline.LeftoverAge, as they are when the next night's run comes:
// Cleanup leaves younger ones to a run that may be going on.
func (r *crashRun) ageLeftovers() {
	r.t.Helper()
	old := time.Now().Add(-2 * pipeline.LeftoverAge)
	for _, d := range []string{"outbox", "inbox"} {
		err := filepath.WalkDir(filepath.Join(r.dir, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			return os.Chtimes(path, old, old)
		})
		if err != nil {
			r.t.Fatal(err)
		}
	}
}

// crashOutcome is what a cycle leaves, claim by claim and in all, in
// figures that do not depend on when it ran or where it crashed.
type crashOutcome struct {
	claims, held, batches, remits int
	files                         map[string]int // response files by kind
	paid                          x12.Amount
	byEncounter                   map[string]encounterOutcome
	openItems                     map[string]int // open work items by source and code
}

type encounterOutcome struct {
	State       pipeline.ClaimState
	Version     int
	Submissions int
	Payments    int
	Paid        x12.Amount
	Insurance   x12.Amount // open
	Patient     x12.Amount // open
}

// checkCrashRun checks the invariants of a finished cycle and returns its
// outcome; with want, it checks that the outcome is the same.
//   - Every encounter of the samples ends held (the scrubber's three) or
//     as one claim at version 1 with exactly one submission, uploaded
//     once, that the 999 accepted and the 277CA answered once; the
//     simulator saw each claim once and the store agrees with its
//     verdict and payment.
//   - No file was uploaded twice: the simulator's inbound folder holds
//     one file per batch, with the batch's SHA-256, none twice.
//   - Every response file written was collected once (one record per
//     file, by SHA-256), applied (processed), and archived on the server.
//   - No remittance is posted twice, and each claim has at most one
//     payment (pipelinetest's CheckNoDuplicates: events, remittances,
//     claim payments, inbound files, batches).
//   - No temporary or orphan file is left in the outbox or the inbox, or
//     on the server.
//   - The receivables invariants hold (pipelinetest's CheckLedger), with
//     the payments adding up to what the simulator paid.
func checkCrashRun(t *testing.T, r *crashRun, want *crashOutcome) *crashOutcome {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(r.dir, "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := &pipelinetest.Harness{T: t, Store: store}
	got := &crashOutcome{files: map[string]int{}, byEncounter: map[string]encounterOutcome{}, openItems: map[string]int{}}

	// What the simulator did.
	simClaims := map[string][]clearinghousesim.ClaimResult{}
	var written []string
	for _, rep := range r.answered {
		got.paid += rep.Paid
		written = append(written, rep.Outputs...)
		for _, c := range rep.Claims {
			simClaims[c.PCN] = append(simClaims[c.PCN], c)
		}
	}
	for pcn, cs := range simClaims {
		if len(cs) != 1 {
			t.Errorf("the simulator saw claim %s %d times: %+v", pcn, len(cs), cs)
		}
	}

	// Every encounter: held, or one claim sent once and answered.
	ids := sampleEncounterIDs(t)
	var claims []*pipeline.Claim
	batches := map[int64]*pipeline.Batch{}
	var files []*pipeline.InboundFile
	var remits []*pipeline.Remittance
	err = store.InTx(ctx, func(tx pipeline.Tx) error {
		for _, id := range ids {
			rec, err := tx.GetEncounter(ctx, id)
			if err != nil {
				return fmt.Errorf("encounter %s: %w", id, err)
			}
			if rec.ClaimID == 0 {
				got.held++
				continue
			}
			c, err := tx.GetClaim(ctx, rec.ClaimID)
			if err != nil {
				return err
			}
			subs, err := tx.Submissions(ctx, c.ID)
			if err != nil {
				return err
			}
			if c.State == pipeline.StateHeld {
				got.held++
				if len(subs) != 0 {
					t.Errorf("encounter %s: held claim %d has %d submissions", id, c.ID, len(subs))
				}
				continue
			}
			got.claims++
			claims = append(claims, c)
			pays, err := tx.ClaimPayments(ctx, c.ID)
			if err != nil {
				return err
			}
			bal, err := tx.LineBalances(ctx, c.ID)
			if err != nil {
				return err
			}
			o := encounterOutcome{State: c.State, Version: c.Version, Submissions: len(subs), Payments: len(pays)}
			for _, p := range pays {
				o.Paid += p.Paid
			}
			for _, b := range bal {
				o.Insurance += b.Insurance()
				o.Patient += b.Patient()
			}
			got.byEncounter[id] = o
			if c.Version != 1 || len(subs) != 1 {
				t.Errorf("encounter %s: claim %d at version %d with %d submissions, want one submission of version 1", id, c.ID, c.Version, len(subs))
				continue
			}
			s := subs[0]
			if batches[s.BatchID] == nil {
				if batches[s.BatchID], err = tx.GetBatch(ctx, s.BatchID); err != nil {
					return err
				}
			}
			evs, err := tx.Events(ctx, c.ID)
			if err != nil {
				return err
			}
			n := map[string]int{}
			accepted := 0
			for _, e := range evs {
				if e.SubmissionID == s.ID {
					n[e.Kind]++
					if e.To == pipeline.StateAckAccepted {
						accepted++
					}
				}
			}
			if n["batched"] != 1 || n["uploaded"] != 1 || n["ta1"] != 1 || n["999"] != 1 || accepted != 1 || n["277ca"] != 1 {
				t.Errorf("encounter %s: claim %d (%s): events of its submission %v, %d accepting it; want batched, uploaded, ta1, 999 (accepting it) and 277ca once each",
					id, c.ID, s.PCN, n, accepted)
			}
			sim := simClaims[s.PCN]
			if len(sim) == 0 {
				t.Errorf("encounter %s: claim %d (%s) never reached the simulator", id, c.ID, s.PCN)
				continue
			}
			last := sim[len(sim)-1]
			switch {
			case last.Status == clearinghousesim.ClaimRejected && c.State != pipeline.StateRejected,
				last.Status == clearinghousesim.ClaimPaid && c.State != pipeline.StatePaid && c.State != pipeline.StatePartiallyPaid,
				last.Status == clearinghousesim.ClaimDenied && c.State != pipeline.StateDenied:
				t.Errorf("encounter %s: claim %d (%s) is %s; the simulator says %s", id, c.ID, s.PCN, c.State, last.Status)
			}
			if (last.Status == clearinghousesim.ClaimPaid || last.Status == clearinghousesim.ClaimDenied) && (len(pays) != 1 || o.Paid != last.Paid) {
				t.Errorf("encounter %s: claim %d (%s): %d payments of %s; the simulator paid it once, %s", id, c.ID, s.PCN, len(pays), o.Paid, last.Paid)
			}
		}
		all, err := tx.RecentBatches(ctx, 0)
		if err != nil {
			return err
		}
		got.batches = len(all)
		for _, b := range all {
			if batches[b.ID] == nil {
				t.Errorf("batch %d (%s) carries none of the claims", b.ID, b.FileName)
				batches[b.ID] = b
			}
		}
		if files, err = tx.RecentInbound(ctx, 0); err != nil {
			return err
		}
		if remits, err = tx.Remittances(ctx, 0); err != nil {
			return err
		}
		items, err := tx.WorkItems(ctx, pipeline.WorkFilter{Status: pipeline.WorkOpen})
		if err != nil {
			return err
		}
		for _, it := range items {
			got.openItems[string(it.Source)+" "+it.Code]++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store: %v", err)
	}

	// No file uploaded twice: one file on the server per batch.
	server := hashFiles(t, filepath.Join(r.sim, clearinghousesim.ProcessedDir))
	for _, b := range batches {
		if b.State != pipeline.BatchUploaded {
			t.Errorf("batch %d (%s) is %s, want uploaded", b.ID, b.FileName, b.State)
		}
		if names := server[b.SHA256]; len(names) != 1 {
			t.Errorf("batch %d (%s) is on the server %d times: %v", b.ID, b.FileName, len(names), names)
		}
	}
	if len(server) != len(batches) {
		t.Errorf("the server received %d different files for %d batches: %v", len(server), len(batches), server)
	}

	// Every response collected once, applied and archived.
	archived := hashFiles(t, filepath.Join(r.sim, clearinghousesim.OutboundDir, "archive"))
	recorded := map[string]bool{}
	for _, f := range files {
		recorded[f.SHA256] = true
		got.files[f.Kind]++
		if f.State != pipeline.InboundProcessed {
			t.Errorf("response file %d (%s) is %s (%s), want processed", f.ID, f.Name, f.State, f.Error)
		}
		if names := archived[f.SHA256]; len(names) != 1 {
			t.Errorf("response file %d (%s) is archived on the server %d times: %v", f.ID, f.Name, len(names), names)
		}
	}
	if len(files) != len(written) || len(archived) != len(written) {
		t.Errorf("the simulator wrote %d response files; %d are recorded, %d archived", len(written), len(files), len(archived))
	}
	for sum, names := range archived {
		if !recorded[sum] {
			t.Errorf("archived response %v is not recorded", names)
		}
	}

	// Remittances: all posted, none twice.
	for _, rm := range remits {
		if rm.State != pipeline.RemitPosted {
			t.Errorf("remittance %d (trace %s) is %s: %s", rm.ID, rm.Trace, rm.State, rm.Reason)
		}
	}
	got.remits = len(remits)
	h.CheckNoDuplicates(claims)

	// No leftovers, here or on the server.
	owned := map[string]bool{}
	for _, b := range batches {
		owned[filepath.Join(r.dir, "outbox", b.FileName)] = true
	}
	for _, f := range files {
		owned[f.LocalPath] = true
	}
	for _, d := range []string{"outbox", "inbox"} {
		for _, path := range regularFiles(t, filepath.Join(r.dir, d)) {
			if !owned[path] {
				t.Errorf("left in the %s: %s (no batch or response file records it)", d, path)
			}
		}
	}
	for _, d := range []string{clearinghousesim.InboundDir, clearinghousesim.OutboundDir} {
		for _, path := range regularFiles(t, filepath.Join(r.sim, d)) {
			rel, _ := filepath.Rel(r.sim, path)
			dir, base := filepath.Split(rel)
			switch {
			case strings.HasPrefix(base, ".") || strings.HasSuffix(base, ".part") || strings.HasSuffix(base, ".tmp"):
				t.Errorf("temporary file left on the server: %s", rel)
			case filepath.Clean(dir) == clearinghousesim.InboundDir:
				t.Errorf("an upload was never answered (not a complete 837 under its final name?): %s", rel)
			case filepath.Clean(dir) == clearinghousesim.OutboundDir:
				t.Errorf("a response was never collected: %s", rel)
			}
		}
	}

	// The receivables.
	h.CheckLedger(claims, got.paid)

	if want != nil {
		compareOutcomes(t, got, want)
	}
	return got
}

// compareOutcomes reports how got differs from want.
func compareOutcomes(t *testing.T, got, want *crashOutcome) {
	if got.claims != want.claims || got.held != want.held || got.batches != want.batches || got.remits != want.remits || got.paid != want.paid {
		t.Errorf("%d claims, %d held, %d batches, %d remittances, paid %s; without a crash: %d, %d, %d, %d, %s",
			got.claims, got.held, got.batches, got.remits, got.paid, want.claims, want.held, want.batches, want.remits, want.paid)
	}
	if !mapsEqual(got.files, want.files) {
		t.Errorf("response files by kind %v; without a crash %v", got.files, want.files)
	}
	if !mapsEqual(got.openItems, want.openItems) {
		t.Errorf("open work items %v; without a crash %v", got.openItems, want.openItems)
	}
	for id, w := range want.byEncounter {
		if g, ok := got.byEncounter[id]; !ok || g != w {
			t.Errorf("encounter %s: %+v; without a crash %+v", id, g, w)
		}
	}
	for id := range got.byEncounter {
		if _, ok := want.byEncounter[id]; !ok {
			t.Errorf("encounter %s has a claim; without a crash it has none", id)
		}
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// sampleEncounterIDs returns the IDs of the sample encounters, as the
// demo's feed reads them.
func sampleEncounterIDs(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	feed := crashFeed()
	names, err := feed.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range names {
		src, closer, err := feed.Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for e, err := range src.Encounters(ctx) {
			if err != nil {
				continue // recorded by intake under another key, and held
			}
			ids = append(ids, e.ID)
		}
		closer.Close()
	}
	slices.Sort(ids)
	if len(ids) < 30 || duplicated(ids) != "" {
		t.Fatalf("sample encounter IDs: %v", ids)
	}
	return ids
}

// hashFiles returns the regular files under dir by SHA-256 (their paths
// relative to dir); none when dir does not exist.
func hashFiles(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, path := range regularFiles(t, dir) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, path)
		out[hex.EncodeToString(sum[:])] = append(out[hex.EncodeToString(sum[:])], rel)
	}
	return out
}

// regularFiles lists every file under dir, in sub-folders too; none when
// dir does not exist. Anything but a regular file or a folder is an
// error.
func regularFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist) && path == dir:
			return nil
		case err != nil:
			return err
		case e.IsDir():
			return nil
		case !e.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file", path)
		}
		out = append(out, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
