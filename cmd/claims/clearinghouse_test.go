package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

// TestStandaloneClearinghouseEndToEnd drives 1,000 generated encounters
// through the pipeline (submit, collect, the calls "claims demo" makes)
// over SFTP to the standalone simulator with realistic delays on an
// injected clock, restarting the simulator in the middle with responses
// still due. Then it reconciles: every 837 answered once, no control
// number reused, every response collected once, and the money the
// pipeline posted is the money the simulator paid.
func TestStandaloneClearinghouseEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 1,000 encounters")
	}
	ctx := context.Background()
	dir := t.TempDir()
	clk := &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	yaml := `
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
  - name: other
    password: other-secret
    ack_format: "997"
`
	cfg, err := clearinghousesim.ParseStandaloneConfig([]byte(yaml), "sim.yaml", dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Sim.Payers {
		cfg.Sim.Payers[i].MissingInfo = clearinghousesim.Percent(3)
		cfg.Sim.Payers[i].Copays = map[string]x12.Amount{"99213": x12.MustAmount("20.00")}
	}
	start := func() *clearinghousesim.Standalone {
		sim, err := clearinghousesim.StartStandalone(ctx, cfg, clk.now, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sim
	}
	sim := start()
	cfg.Listen = sim.Addr() // a restart listens where the client expects it
	fingerprint := sim.HostKeyFingerprint()
	box := filepath.Join(dir, "boxes", "cedar")
	if err := os.MkdirAll(filepath.Join(box, clearinghousesim.OutboundDir, "archive"), 0o700); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "sftp-password")
	if err := os.WriteFile(pw, []byte("e2e-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := sftp.New(sftp.Config{
		Name: "claimsim", Host: "127.0.0.1", Port: sim.Port(), User: "cedar", PasswordFile: pw,
		HostKeyFingerprint: fingerprint, UploadDir: "/inbound", ResponseDir: "/outbound",
		AfterPickup: sftp.DisposalMove, ArchiveDir: "/outbound/archive",
		Patterns:    []string{"*.TA1", "*.999", "*.277CA", "*.835"},
		DialTimeout: 5 * time.Second, HandshakeTimeout: 5 * time.Second, OpTimeout: 30 * time.Second,
		MaxAttempts: 3, BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	encs := generatedEncounters(t, 1000, 250)
	pipe := func(names ...string) *pipeline.Pipeline {
		p, err := pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{demoPartner(client)}, Dir: filepath.Join(dir, "work"),
			Encounters: encounters.FS{FS: encs, Names: names}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var simPaid, posted x12.Amount
	var submitted, collected int
	step := func() {
		t.Helper()
		rep, err := sim.Step(ctx)
		if err != nil {
			t.Fatalf("simulator: %v", err)
		}
		for _, c := range rep.Claims {
			simPaid += c.Paid
		}
	}
	collect := func(p *pipeline.Pipeline) {
		t.Helper()
		col, err := p.Collect(ctx)
		if err != nil {
			t.Fatalf("collect: %v", err)
		}
		collected += col.Collected
		posted += col.Responses.AmountPaid + col.Responses.AmountUnapplied
	}
	submit := func(p *pipeline.Pipeline) {
		t.Helper()
		sub, err := p.Submit(ctx)
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		submitted += sub.Upload.ClaimsSent
	}

	// Day 1: half the encounters; the 999s come, the rest is still due
	// when the simulator stops.
	p := pipe("enc-00.jsonl", "enc-01.jsonl")
	submit(p)
	step()
	clk.advance(10 * time.Minute)
	step()
	collect(p)
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	sim = start()
	if sim.HostKeyFingerprint() != fingerprint {
		t.Fatal("the host key changed across a restart")
	}
	// The rest of the encounters, then days pass.
	p = pipe("enc-00.jsonl", "enc-01.jsonl", "enc-02.jsonl", "enc-03.jsonl")
	submit(p)
	for _, d := range []time.Duration{10 * time.Minute, 3 * time.Hour, 4 * 24 * time.Hour} {
		clk.advance(d)
		step()
		collect(p)
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	// A last restart delivers nothing new.
	sim = start()
	defer sim.Close()
	step()
	collect(p)

	if submitted < 900 {
		t.Fatalf("only %d claims submitted", submitted)
	}
	answered, err := sim.Store().AnsweredFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for sha, n := range answered {
		if n != 1 {
			t.Errorf("837 %s answered %d times", sha[:12], n)
		}
	}
	// Every response was collected once; no ISA13 appears twice.
	archived, err := os.ReadDir(filepath.Join(box, clearinghousesim.OutboundDir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	if len(archived) != collected {
		t.Errorf("%d responses archived, %d collected", len(archived), collected)
	}
	isa13 := map[string]string{}
	var paid835 x12.Amount
	for _, e := range archived {
		b, err := os.ReadFile(filepath.Join(box, clearinghousesim.OutboundDir, "archive", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		seg, err := x12.NewReader(bytes.NewReader(b)).Next()
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if prev, dup := isa13[seg.String(13)]; dup {
			t.Errorf("ISA13 %s in %s and %s", seg.String(13), prev, e.Name())
		}
		isa13[seg.String(13)] = e.Name()
		if strings.HasSuffix(e.Name(), ".835") {
			rems, err := x835.ReadRemittances(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			for _, r := range rems {
				for _, be := range r.Balance() {
					t.Errorf("%s: %v", e.Name(), be)
				}
				for _, c := range r.Claims {
					paid835 += c.Paid
				}
			}
		}
	}
	if left, _ := os.ReadDir(filepath.Join(box, clearinghousesim.OutboundDir)); len(left) != 1 {
		t.Errorf("outbound holds %d entries besides archive/", len(left)-1)
	}
	if n, _, err := pendingOf(ctx, sim); err != nil || n != 0 {
		t.Errorf("responses still due: %d, %v", n, err)
	}
	if simPaid != paid835 || posted != simPaid {
		t.Errorf("paid: simulator %s, in its 835s %s, posted by the pipeline %s", simPaid, paid835, posted)
	}
	t.Logf("%d claims submitted, %d responses collected, %s paid", submitted, collected, posted)
}

func pendingOf(ctx context.Context, s *clearinghousesim.Standalone) (int, time.Time, error) {
	return s.Pending(ctx)
}
