package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/adapters/sftp"
	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/samples"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// clock is a settable clock for the simulator: tests move it, never sleep.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// generatedEncounters returns n encounters made from the samples, each
// with its own ID, as JSON Lines in files of at most per encounters.
func generatedEncounters(t *testing.T, n, per int) fstest.MapFS {
	t.Helper()
	data, err := fs.ReadFile(samples.Files, "encounters.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var base []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m["frequency"] != "1" {
			continue // replacements of sample claims refer to sample IDs
		}
		base = append(base, m)
	}
	out := fstest.MapFS{}
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		m := base[i%len(base)]
		m["id"] = fmt.Sprintf("GEN-%05d", i)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
		if (i+1)%per == 0 || i == n-1 {
			out[fmt.Sprintf("enc-%02d.jsonl", i/per)] = &fstest.MapFile{Data: bytes.Clone(buf.Bytes()), Mode: 0o600}
			buf.Reset()
		}
	}
	return out
}

// e2e is the pipeline wired to a standalone simulator over SFTP, as
// "claims demo" wires it to the in-process one, with the simulator on an
// injected clock.
type e2e struct {
	t      *testing.T
	ctx    context.Context
	dir    string
	clk    *clock
	cfg    *clearinghousesim.StandaloneConfig
	sim    *clearinghousesim.Standalone
	client *sftp.Client
	store  *sqlite.Store
	encs   fstest.MapFS
	settle time.Duration

	simPaid, posted     x12.Amount
	simClaims           []clearinghousesim.ClaimResult // every outcome, in order
	submitted, collects int
	collected, dupFiles int
	notSettled          int
	setsAccepted        int
}

func newE2E(t *testing.T, yaml string, encs fstest.MapFS, settle time.Duration) *e2e {
	t.Helper()
	e := &e2e{t: t, ctx: context.Background(), dir: t.TempDir(), clk: &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
		encs: encs, settle: settle}
	cfg, err := clearinghousesim.ParseStandaloneConfig([]byte(yaml), "sim.yaml", e.dir)
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	e.start()
	cfg.Listen = e.sim.Addr() // a restart listens where the client expects it
	if err := os.MkdirAll(filepath.Join(e.box(), clearinghousesim.OutboundDir, "archive"), 0o700); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(e.dir, "sftp-password")
	if err := os.WriteFile(pw, []byte("e2e-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.client, err = sftp.New(sftp.Config{
		Name: "claimsim", Host: "127.0.0.1", Port: e.sim.Port(), User: "cedar", PasswordFile: pw,
		HostKeyFingerprint: e.sim.HostKeyFingerprint(), UploadDir: "/inbound", ResponseDir: "/outbound",
		AfterPickup: sftp.DisposalMove, ArchiveDir: "/outbound/archive",
		Patterns:    []string{"*.TA1", "*.999", "*.997", "*.277CA", "*.835"},
		DialTimeout: 5 * time.Second, HandshakeTimeout: 5 * time.Second, OpTimeout: 30 * time.Second,
		MaxAttempts: 3, BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.store, err = sqlite.Open(e.ctx, filepath.Join(e.dir, "claims.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.client.Close()
		e.store.Close()
		if e.sim != nil {
			e.sim.Close()
		}
	})
	return e
}

func (e *e2e) box() string { return filepath.Join(e.dir, "boxes", "cedar") }

func (e *e2e) start() {
	sim, err := clearinghousesim.StartStandalone(e.ctx, e.cfg, e.clk.now, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sim = sim
}

func (e *e2e) restart() {
	e.t.Helper()
	fp := e.sim.HostKeyFingerprint()
	if err := e.sim.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.start()
	if e.sim.HostKeyFingerprint() != fp {
		e.t.Fatal("the host key changed across a restart")
	}
}

func (e *e2e) pipeline(names ...string) *pipeline.Pipeline {
	e.t.Helper()
	partner := demoPartner(e.client)
	partner.Settle = e.settle
	p, err := pipeline.New(pipeline.Options{Store: e.store, Partners: []*pipeline.Partner{partner}, Dir: filepath.Join(e.dir, "work"),
		Encounters: encounters.FS{FS: e.encs, Names: names}})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// writing reports whether a response is visible in outbound/.
func (e *e2e) writing() bool {
	entries, _ := os.ReadDir(filepath.Join(e.box(), clearinghousesim.OutboundDir))
	for _, x := range entries {
		if x.Type().IsRegular() && !strings.HasPrefix(x.Name(), ".") {
			return true
		}
	}
	return false
}

func (e *e2e) step() {
	e.t.Helper()
	rep, err := e.sim.Step(e.ctx)
	if err != nil {
		e.t.Fatalf("simulator: %v", err)
	}
	for _, c := range rep.Claims {
		e.simPaid += c.Paid
		if c.PCN != "" {
			e.simClaims = append(e.simClaims, c)
		}
	}
}

func (e *e2e) collect(p *pipeline.Pipeline) {
	e.t.Helper()
	col, err := p.Collect(e.ctx)
	e.collects++
	if err != nil {
		e.t.Logf("collect %d: %v", e.collects, err) // a fault may fail a run; the next one recovers
	}
	e.collected += col.Collected
	e.dupFiles += col.Duplicates
	e.notSettled += col.NotSettled
	e.setsAccepted += col.Responses.SetsAccepted
	e.posted += col.Responses.AmountPaid + col.Responses.AmountUnapplied
	if col.Responses.FailedFiles > 0 || col.Responses.RemitsHeld > 0 {
		e.t.Errorf("collect %d: %d files failed, %d remittances held", e.collects, col.Responses.FailedFiles, col.Responses.RemitsHeld)
	}
}

func (e *e2e) submit(p *pipeline.Pipeline) {
	e.t.Helper()
	sub, err := p.Submit(e.ctx)
	if err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	e.submitted += sub.Upload.ClaimsSent
}

// reconcile checks that every 837 was answered once, every response
// collected once with no ISA13 reused, every 835 balances, nothing is
// still due, and the pipeline posted exactly what the simulator paid, in
// total and per claim: billed = paid + adjustments + patient
// responsibility + the balance still open with the payer.
func (e *e2e) reconcile(p *pipeline.Pipeline) {
	t := e.t
	t.Helper()
	// The simulator's outcomes by claim: a claim's versions (a
	// replacement, a void) add up, reversals included.
	type outcome struct {
		paid, patient x12.Amount
		last          clearinghousesim.ClaimStatus
		pcn           string
	}
	byClaim := map[int64]*outcome{}
	var ids []int64
	for _, r := range e.simClaims {
		id, err := p.ResolveClaim(e.ctx, r.PCN)
		if err != nil {
			t.Errorf("claim %s: %v", r.PCN, err)
			continue
		}
		o := byClaim[id]
		if o == nil {
			o = &outcome{}
			byClaim[id] = o
			ids = append(ids, id)
		}
		o.paid += r.Paid
		o.patient += r.PatientResp
		o.last, o.pcn = r.Status, r.PCN
	}
	for _, id := range ids {
		want := byClaim[id]
		d, err := p.ShowClaim(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b := d.BalanceDetail
		if b.Charge != b.Payments+b.Adjustments+b.PatientResp+b.Insurance {
			t.Errorf("claim %s: billed %s != paid %s + adjustments %s + patient %s + open %s", want.pcn, b.Charge, b.Payments, b.Adjustments, b.PatientResp, b.Insurance)
		}
		switch want.last {
		case clearinghousesim.ClaimPaid, clearinghousesim.ClaimDenied, clearinghousesim.ClaimReversed:
			if b.Payments != want.paid || b.PatientResp != want.patient {
				t.Errorf("claim %s (%s): posted paid %s, patient %s; the simulator paid %s, patient %s", want.pcn, d.State, b.Payments, b.PatientResp, want.paid, want.patient)
			}
			if want.last != clearinghousesim.ClaimReversed && b.Insurance != 0 {
				t.Errorf("claim %s: %s still open with the payer", want.pcn, b.Insurance)
			}
		case clearinghousesim.ClaimRejected, clearinghousesim.ClaimAckRejected:
			if b.Payments != want.paid || b.Insurance != b.Charge-b.Adjustments-b.PatientResp-b.Payments {
				t.Errorf("rejected claim %s: paid %s, open %s of %s", want.pcn, b.Payments, b.Insurance, b.Charge)
			}
		}
	}
	answered, err := e.sim.Store().AnsweredFiles(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for sha, n := range answered {
		if n != 1 {
			t.Errorf("837 %s answered %d times", sha[:12], n)
		}
	}
	archiveDir := filepath.Join(e.box(), clearinghousesim.OutboundDir, "archive")
	archived, err := os.ReadDir(archiveDir)
	if err != nil {
		t.Fatal(err)
	}
	isa13 := map[string]string{}
	var paid835 x12.Amount
	for _, f := range archived {
		b, err := os.ReadFile(filepath.Join(archiveDir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		seg, err := x12.NewReader(bytes.NewReader(b)).Next()
		if err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		if strings.Contains(f.Name(), "_copy") {
			continue // the duplicate-835 fault: the same interchange again
		}
		if prev, dup := isa13[seg.String(13)]; dup {
			t.Errorf("ISA13 %s in %s and %s", seg.String(13), prev, f.Name())
		}
		isa13[seg.String(13)] = f.Name()
		if strings.HasSuffix(f.Name(), ".835") {
			rems, err := x835.Read(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			for _, r := range rems {
				for _, be := range r.Balance() {
					t.Errorf("%s: %v", f.Name(), be)
				}
				for _, c := range r.Claims {
					paid835 += c.Paid
				}
			}
		}
	}
	if len(archived) != e.collected+e.dupFiles {
		t.Errorf("%d responses archived, %d collected and %d duplicates", len(archived), e.collected, e.dupFiles)
	}
	if left, _ := os.ReadDir(filepath.Join(e.box(), clearinghousesim.OutboundDir)); len(left) != 1 {
		t.Errorf("outbound holds %d entries besides archive/", len(left)-1)
	}
	if e.simPaid != paid835 || e.posted != e.simPaid {
		t.Errorf("paid: simulator %s, in its 835s %s, posted by the pipeline %s", e.simPaid, paid835, e.posted)
	}
}

const e2eYAML = `
listen: 127.0.0.1:0
root: boxes
state_dir: state
host_key: state/host_key
sample_payers: true
seed: 16
timing: {ack: 5m, claim_ack: 2h, remit: 72h}
rejections: {subscriber_not_found: 2%, npi_not_on_file: 1%, diagnosis_invalid: 1%}
users:
  - name: cedar
    password: e2e-secret
    faults: FAULTS
  - name: other
    password: other-secret
    ack_format: "997"
`

// TestStandaloneClearinghouseEndToEnd drives 1,000 generated encounters
// through the pipeline (submit, collect, the calls "claims demo" makes)
// over SFTP to the standalone simulator with realistic delays on an
// injected clock, restarting the simulator in the middle with responses
// still due. Then it reconciles (see e2e.reconcile).
func TestStandaloneClearinghouseEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 1,000 encounters")
	}
	e := newE2E(t, strings.Replace(e2eYAML, "FAULTS", "{}", 1), generatedEncounters(t, 1000, 250), 0)
	for i := range e.cfg.Sim.Payers {
		e.cfg.Sim.Payers[i].MissingInfo = clearinghousesim.Percent(3)
		e.cfg.Sim.Payers[i].Copays = map[string]x12.Amount{"99213": x12.MustAmount("20.00")}
	}
	e.restart() // with the payers changed

	// Day 1: half the encounters; the 999s come, the rest is still due
	// when the simulator stops.
	p := e.pipeline("enc-00.jsonl", "enc-01.jsonl")
	e.submit(p)
	e.step()
	e.clk.advance(10 * time.Minute)
	e.step()
	e.collect(p)
	e.restart()
	// The rest of the encounters, then days pass.
	p = e.pipeline("enc-00.jsonl", "enc-01.jsonl", "enc-02.jsonl", "enc-03.jsonl")
	e.submit(p)
	for _, d := range []time.Duration{10 * time.Minute, 3 * time.Hour, 4 * 24 * time.Hour} {
		e.clk.advance(d)
		e.step()
		e.collect(p)
	}
	// A last restart delivers nothing new.
	e.restart()
	e.step()
	e.collect(p)

	// A replacement and a void of paid claims: the payer reverses the
	// payments (and pays the replacement again).
	var changed int
	for _, r := range e.simClaims {
		if r.Status != clearinghousesim.ClaimPaid || r.Paid == 0 || changed == 2 {
			continue
		}
		id, err := p.ResolveClaim(e.ctx, r.PCN)
		if err != nil {
			t.Fatal(err)
		}
		if changed == 0 {
			_, err = p.Resubmit(e.ctx, id, "test", "replacement")
		} else {
			_, err = p.Void(e.ctx, id, "test", "void")
		}
		if err != nil {
			t.Fatal(err)
		}
		changed++
	}
	e.submit(p)
	e.step()
	e.clk.advance(4 * 24 * time.Hour)
	e.step()
	e.collect(p)
	reversed := 0
	for _, r := range e.simClaims {
		if r.Status == clearinghousesim.ClaimReversed {
			reversed++
		}
	}
	if reversed != 2 {
		t.Errorf("%d reversals, want 2 (a replacement and a void)", reversed)
	}
	if e.submitted < 902 {
		t.Fatalf("only %d claims submitted", e.submitted)
	}
	if n, _, err := e.sim.Pending(e.ctx); err != nil || n != 0 {
		t.Errorf("responses still due: %d, %v", n, err)
	}
	e.reconcile(p)
	t.Logf("%d claims submitted, %d responses collected, %s paid", e.submitted, e.collected, e.posted)
}

// TestPipelineRecoversFromFaults runs the samples through each fault of
// the simulator; the pipeline ends with nothing lost or doubled.
func TestPipelineRecoversFromFaults(t *testing.T) {
	tests := []struct {
		name, faults string
		settle       time.Duration
		check        func(t *testing.T, e *e2e)
	}{
		{"999 never comes", "{no_ack: true}", 0, func(t *testing.T, e *e2e) {
			if n, _, _ := e.sim.Pending(e.ctx); n != 0 {
				t.Errorf("%d responses still due", n)
			}
		}},
		{"835 twice under two names", "{duplicate_remit: true}", 0, func(t *testing.T, e *e2e) {
			if e.dupFiles == 0 {
				t.Error("the second copies were not seen as duplicates")
			}
		}},
		{"file growing while listed", "{slow_write: true, slow_write_step: 15ms}", 60 * time.Millisecond, func(t *testing.T, e *e2e) {
			if e.notSettled == 0 {
				t.Error("no growing file was left for later")
			}
		}},
		// Set by the control file once the 837 is in: downloads fail.
		{"connection dropped mid-transfer", "{}", 0, nil},
		{"slow transfers", "{slow_transfer: 2ms}", 0, nil},
		{"a 4010 997 instead of the 999", "{}\n    ack_format: \"997\"", 0, func(t *testing.T, e *e2e) {
			if e.setsAccepted == 0 {
				t.Error("the 997 accepted no transaction set")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, strings.Replace(e2eYAML, "FAULTS", tt.faults, 1), generatedEncounters(t, 40, 40), tt.settle)
			p := e.pipeline("enc-00.jsonl")
			e.submit(p)
			ctl := filepath.Join(e.box(), clearinghousesim.FaultsFileName)
			dropping := tt.name == "connection dropped mid-transfer"
			if dropping {
				if err := os.WriteFile(ctl, []byte("drop_after_bytes: 3000\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			e.step()
			e.clk.advance(4 * 24 * time.Hour)
			if tt.settle > 0 {
				// Collect while the simulator writes slowly.
				done := make(chan struct{})
				go func() { defer close(done); e.step() }()
				// Collect as soon as the first response starts growing.
				for i := 0; i < 400 && !e.writing(); i++ {
					time.Sleep(5 * time.Millisecond)
				}
				for i := 0; i < 3; i++ {
					e.collect(p)
				}
				<-done
			} else {
				e.step()
			}
			for i := 0; i < 2 && e.posted != e.simPaid; i++ {
				e.collect(p) // a dropped connection fails a run: the next ones go on
			}
			if dropping {
				if e.posted == e.simPaid {
					t.Error("every download went through a connection that drops after 3000 bytes")
				}
				// Lift the fault: every response must still arrive, once.
				if err := os.Remove(ctl); err != nil {
					t.Fatal(err)
				}
				e.collect(p)
			}
			e.collect(p)
			if e.submitted == 0 {
				t.Fatal("nothing submitted")
			}
			e.reconcile(p)
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

func pendingOf(ctx context.Context, s *clearinghousesim.Standalone) (int, time.Time, error) {
	return s.Pending(ctx)
}

// TestClearinghouseCommand: --help has examples; a missing or bad
// configuration exits 2 naming the key; a good one starts the server,
// prints the host key fingerprint, keeps the host key across runs and
// stops cleanly when its context ends (SIGTERM and Ctrl-C in main).
func TestClearinghouseCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"clearinghouse", "--help"}, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "Examples:") {
		t.Errorf("--help: exit %d, %q", code, out.String())
	}
	if code := run(context.Background(), []string{"clearinghouse"}, nil, &out, &errb); code != exitFailure {
		t.Errorf("without --config: exit %d", code)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sim.yaml")
	if err := os.WriteFile(cfg, []byte("root: boxes\nusers: [{name: a, password: x, faults: {slow_transfer: soon}}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"clearinghouse", "--config", cfg}, nil, &out, &errb); code != exitFailure ||
		!strings.Contains(errb.String(), "sim.yaml:2:") || !strings.Contains(errb.String(), "users[0].faults.slow_transfer") {
		t.Errorf("bad config: exit %d, %q", code, errb.String())
	}
	good := "listen: 127.0.0.1:0\nroot: boxes\nstate_dir: state\nhost_key: state/host_key\nsample_payers: true\nusers: [{name: a, password: x}]\n"
	if err := os.WriteFile(cfg, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	fingerprint := func() string {
		ctx, cancel := context.WithCancel(context.Background())
		var out syncBuffer
		done := make(chan int)
		go func() { done <- run(ctx, []string{"clearinghouse", "--config", cfg}, nil, &out, io.Discard) }()
		for i := 0; i < 500 && !strings.Contains(out.String(), "Stop with"); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d after the context ended: %s", code, out.String())
		}
		s := out.String()
		if !strings.Contains(s, "stopped") {
			t.Errorf("no clean stop: %q", s)
		}
		i := strings.Index(s, "SHA256:")
		if i < 0 {
			t.Fatalf("no fingerprint in %q", s)
		}
		return strings.Fields(s[i:])[0]
	}
	if a, b := fingerprint(), fingerprint(); a != b {
		t.Errorf("the host key changed between runs: %s, %s", a, b)
	}
	if fi, err := os.Stat(filepath.Join(dir, "state", "host_key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, %v", fi, err)
	}
	// --json: one object with snake_case keys.
	ctx, cancel := context.WithCancel(context.Background())
	var js syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"clearinghouse", "--config", cfg, "--json"}, nil, &js, io.Discard) }()
	for i := 0; i < 500 && !strings.Contains(js.String(), "}"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	var started struct {
		Listen, HostKeyFingerprint string
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(js.String()), &raw); err != nil {
		t.Fatalf("--json printed %q: %v", js.String(), err)
	}
	started.Listen, _ = raw["listen"].(string)
	started.HostKeyFingerprint, _ = raw["host_key_fingerprint"].(string)
	if !strings.HasPrefix(started.Listen, "127.0.0.1:") || !strings.HasPrefix(started.HostKeyFingerprint, "SHA256:") {
		t.Errorf("--json printed %q", js.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
