package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/schedule/scheduletest"
	"github.com/x12claims/claims/internal/clearinghousesim"
)

// daemonConfig is localConfig with the daemon's schedules and a free
// monitor port.
func daemonConfig(t *testing.T) (string, string) {
	t.Helper()
	path, sim := localConfig(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["schedule"] = map[string]string{"submit": "0 22 * * 1-5", "collect": "*/15 * * * *"}
	cfg["daemon"] = map[string]string{"listen": "127.0.0.1:0"}
	cfg["log"] = map[string]string{"level": "info", "format": "json"}
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, sim
}

// TestDaemonRunsTheNight runs the daemon on an injected clock, never
// sleeping: the nightly submit at 22:00, collects every 15 minutes, the
// metrics and the readiness they leave, and a clean stop.
func TestDaemonRunsTheNight(t *testing.T) {
	cfgPath, simRoot := daemonConfig(t)
	sim, err := clearinghousesim.NewResponder(clearinghousesim.DefaultConfig(simRoot))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	a, err := openApp(ctx, cfgPath, &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	clock := scheduletest.New(time.Date(2026, 12, 7, 21, 50, 0, 0, time.UTC)) // a Monday
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- runDaemon(ctx, a, daemonOptions{clock: clock, ready: ready}) }()
	var monitor string
	select {
	case monitor = <-ready:
	case err := <-done:
		t.Fatalf("the daemon stopped: %v", err)
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + monitor + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	step := func(d time.Duration) {
		t.Helper()
		if !clock.WaitIdle(30 * time.Second) {
			t.Fatal("the daemon never waited for its next job")
		}
		clock.Advance(d)
		if !clock.WaitIdle(2 * time.Minute) {
			t.Fatal("the jobs never finished")
		}
	}
	if code, body := get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz before any job: %d %s", code, body)
	}

	step(10 * time.Minute) // 22:00: submit, then collect (nothing yet)
	if _, err := sim.Respond(ctx); err != nil {
		t.Fatal(err)
	}
	step(15 * time.Minute) // 22:15: collect applies the answers
	code, metrics := get("/metrics")
	for _, want := range []string{
		`claims_job_runs_total{job="submit",outcome="attention"} 1`, // three claims held
		`claims_job_runs_total{job="collect",outcome="ok"} 1`,
		`claims_job_runs_total{job="collect",outcome="attention"} 1`, // a rejection and a denial
		`claims_claims{state="paid"}`,
		`claims_claim_transitions_total{to="submitted"} 29`,
		`claims_inbound_files_total{kind="835",outcome="posted"}`,
		`claims_work_items_open{source="scrubber"} 3`,
		`claims_overdue_open{kind="999"} 0`,
		`claims_job_last_success_timestamp_seconds{job="collect"}`,
		`claims_billed_cents`,
	} {
		if code != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("/metrics (%d) has no %s", code, want)
		}
	}
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready":true`) {
		t.Errorf("/readyz after the night: %d %s", code, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runDaemon after the signal: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon did not stop")
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
	}
	for _, want := range []string{`"job":"submit"`, `"job":"collect"`, `"msg":"daemon stopped"`, `"msg":"scheduled"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log has no %s", want)
		}
	}
}

// The main child: TestDaemonStopsOnSIGTERM runs this test binary again
// with CLAIMS_MAIN_CHILD=1 and the command line in CLAIMS_MAIN_ARGS (a
// JSON list), and the child is the claims command.
func init() {
	if os.Getenv("CLAIMS_MAIN_CHILD") != "1" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv("CLAIMS_MAIN_ARGS")), &args); err != nil {
		os.Exit(99)
	}
	os.Args = append([]string{"claims"}, args...)
	main()
}

// TestDaemonStopsOnSIGTERM: the daemon, a real process, stops on SIGTERM
// and exits 0.
func TestDaemonStopsOnSIGTERM(t *testing.T) {
	cfgPath, _ := daemonConfig(t)
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	b, _ := os.ReadFile(cfgPath)
	var cfg map[string]any
	json.Unmarshal(b, &cfg) //nolint:errcheck // written by daemonConfig
	cfg["daemon"] = map[string]string{"listen": addr}
	cfg["schedule"] = map[string]string{"submit": "0 3 1 1 *"} // not during the test
	b, _ = json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal([]string{"run", "--config", cfgPath})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CLAIMS_MAIN_CHILD=1", "CLAIMS_MAIN_ARGS="+string(args))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	up := false
	for i := 0; i < 200 && !up; i++ {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			up = true
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the daemon exited before serving: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if !up {
		cmd.Process.Kill() //nolint:errcheck // the test failed anyway
		t.Fatalf("the daemon never served /healthz\n%s", out.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("after SIGTERM: %v, want exit 0\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill() //nolint:errcheck // the test failed anyway
		t.Fatalf("the daemon did not stop on SIGTERM\n%s", out.String())
	}
	if !strings.Contains(out.String(), "daemon stopped") {
		t.Errorf("no stop in the log:\n%s", out.String())
	}
}
