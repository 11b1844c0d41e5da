package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// runCLIIn runs the CLI with stdin and returns its outputs and exit code.
func runCLIIn(stdin string, args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestUserCommands(t *testing.T) {
	cfg, _ := localConfig(t)
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string // in stdout or stderr
	}{
		{"add", "correct-horse-1\n", []string{"user", "add", "ana", "--role", "biller"}, exitOK, "User ana added as biller"},
		{"add twice", "correct-horse-1\n", []string{"user", "add", "ana", "--role", "biller"}, exitFailure, "exists"},
		{"short password", "short\n", []string{"user", "add", "bo", "--role", "biller"}, exitFailure, "at least 10 characters"},
		{"no password", "", []string{"user", "add", "bo", "--role", "biller"}, exitFailure, "no password"},
		{"bad role", "correct-horse-1\n", []string{"user", "add", "bo", "--role", "boss"}, exitFailure, "unknown role"},
		{"no role", "correct-horse-1\n", []string{"user", "add", "bo"}, exitFailure, `"role" not set`},
		{"bad name", "correct-horse-1\n", []string{"user", "add", "bo b", "--role", "biller"}, exitFailure, "letters, digits"},
		{"admin", "another-horse-2\n", []string{"user", "add", "ops", "--role", "admin"}, exitOK, "added as admin"},
		{"promote", "", []string{"user", "set", "ana", "--role", "manager"}, exitOK, "ana: manager, active"},
		{"disable", "", []string{"user", "set", "ana", "--disable"}, exitOK, "ana: manager, disabled"},
		{"both", "", []string{"user", "set", "ana", "--disable", "--enable"}, exitFailure, "not both"},
		{"unknown user", "", []string{"user", "set", "nobody", "--role", "biller"}, exitFailure, "not found"},
		{"password", "a-new-password-3\n", []string{"user", "password", "ana"}, exitOK, "Password of ana changed"},
		{"list", "", []string{"user", "list"}, exitOK, "ana   manager  disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runCLIIn(tc.stdin, append(tc.args, "--config", cfg)...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("claims %v: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, tc.want, out, errs)
			}
		})
	}
	var users []map[string]any
	runJSON(t, &users, "user", "list", "--json", "--config", cfg)
	if len(users) != 2 || users[0]["name"] != "ana" || users[0]["role"] != "manager" || users[0]["disabled"] != true {
		t.Fatalf("user list --json: %v", users)
	}
}

// TestServe serves the UI from a configuration until canceled, and
// refuses a port in use with a clear message (serve and demo alike).
func TestServe(t *testing.T) {
	cfg, _ := localConfig(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, args := range [][]string{
		{"serve", "--config", cfg, "--listen", busy.Addr().String()},
		{"demo", "--dir", t.TempDir(), "--listen", busy.Addr().String()},
	} {
		_, errs, code := runCLI(args...)
		if code != exitFailure || !strings.Contains(errs, "port is in use") {
			t.Errorf("claims %v on a busy port: exit %d, stderr %q", args, code, errs)
		}
	}

	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfg, "--listen", addr}, strings.NewReader(""), &bytes.Buffer{}, &errb)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/login"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("serve did not answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /login: %s", resp.Status)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d after the interrupt: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
