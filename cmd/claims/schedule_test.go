package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// configWithSchedule writes daemonConfig with the given schedules.
func configWithSchedule(t *testing.T, submit, collect string) string {
	t.Helper()
	path, _ := daemonConfig(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["schedule"] = map[string]string{"submit": submit, "collect": collect}
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestScheduleThatNeverFiresIsAConfigProblem: "0 0 30 2 *" (February
// 30th) is a valid cron expression that never fires; config check
// reports it at schedule.submit (the scheduler would otherwise find it
// due forever).
func TestScheduleThatNeverFiresIsAConfigProblem(t *testing.T) {
	path := configWithSchedule(t, "0 0 30 2 *", "*/15 * * * *")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"config", "check", "--config", path}, strings.NewReader(""), &out, &errb)
	if code != exitFailure || !strings.Contains(errb.String(), "schedule.submit") {
		t.Fatalf("config check of a schedule that never fires: exit %d, want 2 naming schedule.submit\nstderr: %s", code, errb.String())
	}
}

// TestRunWithoutSchedule: with both schedules empty the configuration is
// fine for the one-shot commands, and "claims run" says which keys to
// set.
func TestRunWithoutSchedule(t *testing.T) {
	path := configWithSchedule(t, "", "")
	var out, errb bytes.Buffer
	checkCode := run(context.Background(), []string{"config", "check", "--config", path}, strings.NewReader(""), &out, &errb)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rout, rerr bytes.Buffer
	runCode := run(ctx, []string{"run", "--config", path}, strings.NewReader(""), &rout, &rerr)
	if checkCode != exitOK {
		t.Errorf("config check without schedules: exit %d, want 0 (the one-shot commands need none)", checkCode)
	}
	if runCode != exitFailure || !strings.Contains(rerr.String(), "set schedule.submit or schedule.collect") {
		t.Fatalf("claims run without schedules: exit %d, %q; want 2 naming the keys", runCode, rerr.String())
	}
}
