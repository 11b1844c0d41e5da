package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/x12claims/claims/adapters/store/postgres"
	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/samples"
	"github.com/x12claims/claims/x12"
)

// envMultiEncounters sets how many encounters TestSeveralInstances
// processes. The figure is 20000 (CLAIMS_MULTI_ENCOUNTERS=20000,
// a few minutes on a 2-core machine); the default is smaller, and still
// has the three instances share batches and files and one take over the
// work of the one killed.
const (
	envMultiEncounters     = "CLAIMS_MULTI_ENCOUNTERS"
	defaultMultiEncounters = 2000
	multiFeedFiles         = 4    // the encounters arrive in this many files, one after the other
	multiLease             = "2s" // instance.lease: a takeover waits that long
)

// TestSeveralInstances runs three daemons (claims run), each a process
// of its own, on one PostgreSQL schema and one clearinghouse simulator
// served over SFTP, and kills one of them in the middle of the night:
//
//  1. The first file of encounters is in the feed. Instance a starts
//     alone; its submit takes the file in, builds a batch per payer and
//     uploads them; at the first rename on the server (the file is there
//     under its final name, the batch is not recorded uploaded) it stops
//     for good, holding the submit job's lock and the batch's lease.
//  2. Instances b and c start. The submit job is a's: they upload the
//     other batches, each under its lease, and collect and apply the
//     responses the simulator writes.
//  3. a is SIGKILLed. Its job lock goes with its connection; b or c
//     takes the batch over (at once: a's process is known dead on this
//     machine; from another machine, once the lease expires, as
//     pipeline's TestTakeoverAfterTheRename shows): the server is asked
//     what it holds, and the batch is recorded uploaded, not sent again.
//  4. The other files of encounters arrive one by one; b and c process
//     them to the end, sharing the work.
//
// Then b and c are stopped (SIGTERM, exit 0) and the store is checked:
// every encounter taken in once; every claim sent in exactly one
// submission that the simulator saw once, and paid, denied or rejected
// as the simulator says; no batch file, ISA13 or GS06 used twice;
// every response file collected and applied once, every remittance
// posted once (pipelinetest's CheckNoDuplicates); the receivables
// invariants with the payments adding up to what the simulator paid
// (CheckLedger); a's lease taken over and no lease left.
//
// It needs PostgreSQL (CLAIMS_TEST_POSTGRES_URL): it skips without it,
// and fails when CLAIMS_INTEGRATION=required.
func TestSeveralInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("three daemons and a night's cycle: not in -short")
	}
	n := defaultMultiEncounters
	if v := os.Getenv(envMultiEncounters); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			t.Fatalf("%s=%q: want a number of encounters, at least 100", envMultiEncounters, v)
		}
	}
	start := time.Now()
	m := newMultiRun(t, n)
	m.feed(0)
	a := m.start("a", "submit:upload-renamed")
	m.waitPaused(a)
	t.Logf("a stopped at submit:upload-renamed after %s", time.Since(start).Round(time.Millisecond))
	b, c := m.start("b", ""), m.start("c", "")
	m.waitFor("b or c uploads a batch while a holds its own", func(s multiStatus) bool { return s.uploaded >= 1 })
	held := m.leasesOf(a)
	if len(held) != 1 {
		t.Fatalf("a holds leases on %v just before it is killed, want one batch", held)
	}
	m.kill(a)
	t.Logf("a (%s) killed holding the lease of batch %d, %s in", a.owner, held[0], time.Since(start).Round(time.Millisecond))
	for i := 1; i < multiFeedFiles; i++ {
		time.Sleep(time.Second)
		m.feed(i)
	}
	st := m.waitFor("every encounter processed", func(s multiStatus) bool { return s.done(n) })
	m.stop(b)
	m.stop(c)
	took := time.Since(start)
	m.stopSimulator()
	t.Logf("%d encounters through three instances, one killed, in %s: %+v", n, took.Round(time.Millisecond), st)
	m.check(a, held[0])
	if !t.Failed() {
		t.Logf("checked in %s; [batches uploaded, response files applied] by instance: %v", time.Since(start.Add(took)).Round(time.Millisecond), m.workBy())
	}
}

// multiRun is one run of TestSeveralInstances: its folders, its schema,
// its simulator and what the simulator answered.
type multiRun struct {
	t       *testing.T
	n       int
	root    string
	url     string // the fresh schema's URL
	db      *pgx.Conn
	sim     *clearinghousesim.Simulator
	creds   clearinghousesim.Credentials
	records [][]byte // the encounters, one JSON line each

	respondStop chan struct{}
	respondDone chan struct{}
	mu          sync.Mutex
	answered    []clearinghousesim.Report
	respondErr  error
}

// multiInstance is one daemon process.
type multiInstance struct {
	name   string
	cmd    *exec.Cmd
	log    *os.File
	owner  string // its lease owner, read from its output
	exited chan error
	paused string // the file it writes when it stops at its pause point
}

func newMultiRun(t *testing.T, n int) *multiRun {
	t.Helper()
	m := &multiRun{t: t, n: n, root: t.TempDir()}
	m.url = multiSchema(t)
	var err error
	if m.db, err = pgx.Connect(t.Context(), m.url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.db.Close(context.Background()) })
	cfg := clearinghousesim.DefaultConfig(filepath.Join(m.root, "clearinghouse"))
	for _, d := range []string{clearinghousesim.InboundDir, clearinghousesim.OutboundDir} {
		if err := os.MkdirAll(filepath.Join(cfg.Root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if m.sim, err = clearinghousesim.Start(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.sim.Close() })
	if m.creds, err = m.sim.WriteCredentials(filepath.Join(m.root, "credentials")); err != nil {
		t.Fatal(err)
	}
	m.records = multiEncounters(t, n)
	if err := os.MkdirAll(filepath.Join(m.root, "incoming"), 0o700); err != nil {
		t.Fatal(err)
	}
	// The clearinghouse answers what lands, as it comes.
	m.respondStop, m.respondDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.respondDone)
		for {
			rep, err := m.sim.Respond(context.Background())
			m.mu.Lock()
			if rep.Files > 0 {
				m.answered = append(m.answered, rep)
			}
			m.respondErr = errors.Join(m.respondErr, err)
			m.mu.Unlock()
			select {
			case <-m.respondStop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(m.stopSimulator)
	return m
}

// multiSchema creates a fresh schema and returns the test database's URL
// with it as the search path; the schema is dropped after the test.
func multiSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CLAIMS_TEST_POSTGRES_URL")
	if base == "" {
		pipelinetest.NeedIntegration(t, "PostgreSQL", errors.New("CLAIMS_TEST_POSTGRES_URL is not set"))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		pipelinetest.NeedIntegration(t, "PostgreSQL", err)
	}
	defer admin.Close(context.Background())
	var r [6]byte
	rand.Read(r[:])
	schema := "claims_multi_" + hex.EncodeToString(r[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CLAIMS_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// multiEncounters makes n encounters from the samples, each under an ID
// of its own.
func multiEncounters(t *testing.T, n int) [][]byte {
	t.Helper()
	data, err := fs.ReadFile(samples.Files, "encounters.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	out := make([][]byte, n)
	for i := range out {
		l := lines[i%len(lines)]
		if !strings.HasPrefix(l, `{"id":"`) {
			t.Fatalf("a sample encounter does not start with its id: %.40s", l)
		}
		out[i] = []byte(fmt.Sprintf(`{"id":"M%06d-%s`, i, l[len(`{"id":"`):]))
	}
	return out
}

// feed writes the i-th of multiFeedFiles encounter files into the
// incoming folder (under a temporary name first, so that intake never
// reads half of it).
func (m *multiRun) feed(i int) {
	m.t.Helper()
	per := (m.n + multiFeedFiles - 1) / multiFeedFiles
	var buf bytes.Buffer
	for _, r := range m.records[min(i*per, m.n):min((i+1)*per, m.n)] {
		buf.Write(r)
		buf.WriteByte('\n')
	}
	final := filepath.Join(m.root, "incoming", fmt.Sprintf("night-%d.jsonl", i+1))
	if err := os.WriteFile(final+".tmp", buf.Bytes(), 0o600); err != nil {
		m.t.Fatal(err)
	}
	if err := os.Rename(final+".tmp", final); err != nil {
		m.t.Fatal(err)
	}
}

// config writes the configuration of one instance: the shared schema
// (its URL in CLAIMS_MULTI_URL), the shared working folder and feed, the
// simulator over SFTP with its host key pinned, schedules every second.
func (m *multiRun) config(name string) string {
	m.t.Helper()
	cfg := map[string]any{
		"dir":        filepath.Join(m.root, "work"),
		"store":      map[string]string{"driver": "postgres", "url_env": "CLAIMS_MULTI_URL"},
		"encounters": []string{filepath.Join(m.root, "incoming", "*.jsonl")},
		"schedule":   map[string]string{"submit": "@every 1s", "collect": "@every 1s"},
		"daemon":     map[string]string{"listen": "127.0.0.1:0"},
		"instance":   map[string]string{"name": name, "lease": multiLease},
		"log":        map[string]string{"level": "info", "format": "json"},
		"clearinghouses": []any{map[string]any{
			"name":               "claimsim",
			"isa":                map[string]string{"sender_qualifier": "ZZ", "sender_id": "CEDARVALLEYMG", "receiver_qualifier": "ZZ", "receiver_id": "CLAIMSIM", "usage": "T"},
			"submitter":          map[string]string{"name": "Cedar Valley Medical Group", "phone": "3035550100"},
			"receiver_name":      "X12 Claims Simulator Clearinghouse",
			"split_by_payer":     true,
			"max_claims_per_set": 500,
			"transport": map[string]any{"type": "sftp", "sftp": map[string]any{
				"host": m.sim.Host(), "port": m.sim.Port(), "user": m.sim.User(),
				"password_file": m.creds.PasswordFile, "known_hosts_file": m.creds.KnownHostsFile,
				"upload_dir": m.sim.UploadDir(), "response_dir": m.sim.ResponseDir(),
				"after_pickup": "delete", "patterns": []string{"*.999", "*.277CA", "*.835", "*.TA1"},
				"settle": "0s"}}, // the simulator writes whole files at once
		}},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		m.t.Fatal(err)
	}
	path := filepath.Join(m.root, name+".json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		m.t.Fatal(err)
	}
	return path
}

// start runs an instance; with pause, it stops for good at that crash
// point.
func (m *multiRun) start(name, pause string) *multiInstance {
	m.t.Helper()
	in := &multiInstance{name: name, exited: make(chan error, 1), paused: filepath.Join(m.root, name+".paused")}
	var err error
	if in.log, err = os.Create(filepath.Join(m.root, name+".log")); err != nil {
		m.t.Fatal(err)
	}
	in.cmd = exec.Command(os.Args[0], "-test.run=^$")
	in.cmd.Env = append(os.Environ(), envMultiChild+"=1", envMultiConfig+"="+m.config(name), "CLAIMS_MULTI_URL="+m.url,
		envMultiPause+"="+pause, envMultiPaused+"="+in.paused)
	in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
	if err := in.cmd.Start(); err != nil {
		m.t.Fatalf("start instance %s: %v", name, err)
	}
	go func() { in.exited <- in.cmd.Wait() }()
	m.t.Cleanup(func() {
		if in.cmd.ProcessState == nil {
			in.cmd.Process.Kill()
			<-in.exited
		}
		in.log.Close()
		if m.t.Failed() {
			m.t.Logf("instance %s's output:\n%s", name, tail(in.log.Name(), 40))
		}
	})
	deadline := time.Now().Add(time.Minute)
	for in.owner == "" {
		if time.Now().After(deadline) {
			m.t.Fatalf("instance %s never named its lease owner:\n%s", name, tail(in.log.Name(), 40))
		}
		select {
		case err := <-in.exited:
			m.t.Fatalf("instance %s exited at start (%v):\n%s", name, err, tail(in.log.Name(), 40))
		case <-time.After(20 * time.Millisecond):
		}
		b, _ := os.ReadFile(in.log.Name())
		if _, rest, ok := bytes.Cut(b, []byte("lease owner: ")); ok {
			if line, _, ok := bytes.Cut(rest, []byte("\n")); ok {
				in.owner = string(line)
			}
		}
	}
	return in
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitPaused waits until the instance stops at its pause point.
func (m *multiRun) waitPaused(in *multiInstance) {
	m.t.Helper()
	deadline := time.Now().Add(time.Duration(m.n/50+60) * time.Second)
	for {
		if _, err := os.Stat(in.paused); err == nil {
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("instance %s never reached its pause point:\n%s", in.name, tail(in.log.Name(), 40))
		}
		select {
		case err := <-in.exited:
			m.t.Fatalf("instance %s exited before its pause point (%v):\n%s", in.name, err, tail(in.log.Name(), 40))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// kill SIGKILLs an instance and waits for it to die.
func (m *multiRun) kill(in *multiInstance) {
	m.t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		m.t.Fatal(err)
	}
	<-in.exited
	if ws, ok := in.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		m.t.Fatalf("instance %s did not die by SIGKILL: %v", in.name, in.cmd.ProcessState)
	}
}

// stop SIGTERMs an instance and checks that it stops cleanly.
func (m *multiRun) stop(in *multiInstance) {
	m.t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		m.t.Fatal(err)
	}
	select {
	case err := <-in.exited:
		if err != nil {
			m.t.Errorf("instance %s after SIGTERM: %v:\n%s", in.name, err, tail(in.log.Name(), 40))
		}
	case <-time.After(time.Minute):
		m.t.Fatalf("instance %s did not stop within a minute of SIGTERM", in.name)
	}
}

// stopSimulator stops answering (once) and checks that every answer
// went well.
func (m *multiRun) stopSimulator() {
	select {
	case <-m.respondStop:
		return
	default:
	}
	close(m.respondStop)
	<-m.respondDone
	if m.respondErr != nil {
		m.t.Errorf("simulator: %v", m.respondErr)
	}
}

// multiStatus is how far the night is, from the store.
type multiStatus struct {
	Encounters int // taken in
	Open       int // claims not yet paid, denied, rejected or held
	Pending    int // batches not yet uploaded
	Received   int // response files not yet applied
	Failed     int // batches and response files that failed
	uploaded   int
}

func (s multiStatus) done(n int) bool {
	return s.Encounters == n && s.Open == 0 && s.Pending == 0 && s.Received == 0
}

func (m *multiRun) status() multiStatus {
	m.t.Helper()
	var s multiStatus
	err := m.db.QueryRow(m.t.Context(), `SELECT
  (SELECT count(*) FROM encounters),
  (SELECT count(*) FROM claims WHERE state NOT IN ('held', 'ack_rejected', 'rejected', 'paid', 'partially_paid', 'denied')),
  (SELECT count(*) FROM batches WHERE state IN ('built', 'uploading', 'staged')),
  (SELECT count(*) FROM inbound_files WHERE state = 'received'),
  (SELECT count(*) FROM batches WHERE state = 'failed') + (SELECT count(*) FROM inbound_files WHERE state IN ('failed', 'quarantined')),
  (SELECT count(*) FROM batches WHERE state = 'uploaded')`).
		Scan(&s.Encounters, &s.Open, &s.Pending, &s.Received, &s.Failed, &s.uploaded)
	if err != nil {
		m.t.Fatalf("status: %v", err)
	}
	return s
}

// waitFor polls the store until cond holds, and fails the test when a
// batch or a file failed, or after a time that grows with the number of
// encounters.
func (m *multiRun) waitFor(what string, cond func(multiStatus) bool) multiStatus {
	m.t.Helper()
	deadline := time.Now().Add(time.Duration(m.n/20+60) * time.Second)
	for {
		s := m.status()
		if s.Failed > 0 {
			m.t.Fatalf("waiting for %s: %d batches or response files failed: %+v", what, s.Failed, s)
		}
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("waiting for %s: still %+v; claims by state: %v", what, s, m.claimStates())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// claimStates counts the claims by state.
func (m *multiRun) claimStates() map[string]int {
	m.t.Helper()
	out := map[string]int{}
	rows, err := m.db.Query(m.t.Context(), "SELECT state, count(*) FROM claims GROUP BY state")
	if err != nil {
		m.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			m.t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// leasesOf returns the units an instance holds leases on.
func (m *multiRun) leasesOf(in *multiInstance) []int64 {
	m.t.Helper()
	rows, err := m.db.Query(m.t.Context(), "SELECT unit_id FROM leases WHERE owner = $1 ORDER BY unit_id", in.owner)
	if err != nil {
		m.t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		m.t.Fatal(err)
	}
	return ids
}

// workBy counts, from each instance's log, the batches it uploaded and
// the response files it applied.
func (m *multiRun) workBy() map[string][2]int {
	out := map[string][2]int{}
	for _, name := range []string{"a", "b", "c"} {
		b, _ := os.ReadFile(filepath.Join(m.root, name+".log"))
		for _, line := range bytes.Split(b, []byte("\n")) {
			var rec struct {
				Uploaded int `json:"files_uploaded"`
				Applied  int `json:"applied"`
			}
			if json.Unmarshal(line, &rec) == nil {
				w := out[name]
				w[0] += rec.Uploaded
				w[1] += rec.Applied
				out[name] = w
			}
		}
	}
	return out
}

// check checks the store after the night (see TestSeveralInstances).
func (m *multiRun) check(killed *multiInstance, heldBatch int64) {
	t := m.t
	t.Helper()
	ctx := t.Context()
	store, err := postgres.Open(ctx, m.url)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := &pipelinetest.Harness{T: t, Store: store}

	// What the simulator did: each claim seen once.
	sim := map[string]clearinghousesim.ClaimResult{}
	var paid x12.Amount
	outputs, remits := 0, 0
	for _, rep := range m.answered {
		paid += rep.Paid
		outputs += len(rep.Outputs)
		remits += rep.Remittances
		for _, c := range rep.Claims {
			if prev, dup := sim[c.PCN]; dup {
				t.Errorf("the simulator saw claim %s twice: %+v and %+v", c.PCN, prev, c)
			}
			sim[c.PCN] = c
		}
	}

	var claims []*pipeline.Claim
	held := 0
	err = store.InTx(ctx, func(tx pipeline.Tx) error {
		rows, err := m.db.Query(ctx, "SELECT id FROM claims ORDER BY id")
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.GetClaim(ctx, id)
			if err != nil {
				return err
			}
			if c.State == pipeline.StateHeld {
				held++
				continue
			}
			claims = append(claims, c)
			subs, err := tx.Submissions(ctx, c.ID)
			if err != nil {
				return err
			}
			if c.Version != 1 || len(subs) != 1 {
				t.Errorf("claim %d at version %d with %d submissions, want one submission of version 1", c.ID, c.Version, len(subs))
				continue
			}
			r, ok := sim[subs[0].PCN]
			if !ok {
				t.Errorf("claim %d (%s) never reached the simulator", c.ID, subs[0].PCN)
				continue
			}
			delete(sim, subs[0].PCN)
			pays, err := tx.ClaimPayments(ctx, c.ID)
			if err != nil {
				return err
			}
			var got x12.Amount
			for _, p := range pays {
				got += p.Paid
			}
			switch r.Status {
			case clearinghousesim.ClaimPaid, clearinghousesim.ClaimDenied:
				if len(pays) != 1 || got != r.Paid {
					t.Errorf("claim %d (%s): %d payments of %s; the simulator paid it once, %s", c.ID, subs[0].PCN, len(pays), got, r.Paid)
				}
				if want := map[clearinghousesim.ClaimStatus][]pipeline.ClaimState{
					clearinghousesim.ClaimPaid:   {pipeline.StatePaid, pipeline.StatePartiallyPaid},
					clearinghousesim.ClaimDenied: {pipeline.StateDenied}}[r.Status]; c.State != want[0] && (len(want) == 1 || c.State != want[1]) {
					t.Errorf("claim %d (%s) is %s; the simulator says %s", c.ID, subs[0].PCN, c.State, r.Status)
				}
			case clearinghousesim.ClaimRejected:
				if c.State != pipeline.StateRejected || len(pays) != 0 {
					t.Errorf("claim %d (%s) is %s with %d payments; the simulator rejected it", c.ID, subs[0].PCN, c.State, len(pays))
				}
			default:
				t.Errorf("claim %d (%s): the simulator says %s", c.ID, subs[0].PCN, r.Status)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pcn := range sim {
		t.Errorf("the simulator saw claim %s, which no claim of the store sent", pcn)
	}
	if len(claims) == 0 || held == 0 {
		t.Errorf("%d claims sent and %d held: want both (the samples hold three)", len(claims), held)
	}

	// Control numbers and files: none used twice; every response file
	// collected once and applied.
	var dupes int
	err = m.db.QueryRow(ctx, `SELECT
  (SELECT count(*) - count(DISTINCT isa13) FROM batches) +
  (SELECT count(*) - count(DISTINCT gs06) FROM batches) +
  (SELECT count(*) - count(DISTINCT file_name) FROM batches)`).Scan(&dupes)
	if err != nil {
		t.Fatal(err)
	}
	if dupes != 0 {
		t.Errorf("%d ISA13, GS06 or batch file names used twice", dupes)
	}
	var files, processed int
	if err := m.db.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE state = 'processed') FROM inbound_files").Scan(&files, &processed); err != nil {
		t.Fatal(err)
	}
	if files != outputs || processed != files {
		t.Errorf("%d response files recorded, %d applied; the simulator wrote %d", files, processed, outputs)
	}
	var posted int
	if err := m.db.QueryRow(ctx, "SELECT count(*) FROM remittances WHERE state = $1", string(pipeline.RemitPosted)).Scan(&posted); err != nil {
		t.Fatal(err)
	}
	if posted != remits {
		t.Errorf("%d remittances posted; the simulator paid %d", posted, remits)
	}
	h.CheckNoDuplicates(claims)
	h.CheckLedger(claims, paid)

	// The killed instance's lease was taken over: no lease is left, its
	// batch is uploaded.
	var left int
	if err := m.db.QueryRow(ctx, "SELECT count(*) FROM leases").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d leases left after the night", left)
	}
	var state string
	if err := m.db.QueryRow(ctx, "SELECT state FROM batches WHERE id = $1", heldBatch).Scan(&state); err != nil || state != "uploaded" {
		t.Errorf("batch %d, whose lease %s held when killed, is %q (%v), want uploaded", heldBatch, killed.name, state, err)
	}
	t.Logf("%d claims sent once each, %d held, %d response files, %d remittances posted, paid %s", len(claims), held, files, posted, paid)
}
