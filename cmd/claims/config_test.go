package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"

	"github.com/x12claims/claims/adapters/sftp"
	"github.com/x12claims/claims/configs"
	"github.com/x12claims/claims/pipeline"
)

// configWith writes localConfig's configuration changed by edit (which
// gets the decoded JSON and its folder) and returns its path.
func configWith(t *testing.T, edit func(cfg map[string]any, dir string)) string {
	t.Helper()
	path, _ := localConfig(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg, filepath.Dir(path))
	if b, err = json.MarshalIndent(cfg, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clearinghouse0 returns the first clearinghouse of a decoded config.
func clearinghouse0(cfg map[string]any) map[string]any {
	return cfg["clearinghouses"].([]any)[0].(map[string]any)
}

// localdir0 returns the localdir section of the first clearinghouse.
func localdir0(cfg map[string]any) map[string]any {
	return clearinghouse0(cfg)["transport"].(map[string]any)["localdir"].(map[string]any)
}

// useSFTP switches the first clearinghouse to an SFTP transport with a
// readable key and known_hosts file in dir, and returns its section.
func useSFTP(t *testing.T, cfg map[string]any, dir string) map[string]any {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key, known := filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(known, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := map[string]any{"host": "sftp.clearinghouse.example", "port": 22, "user": "cedarvalley",
		"key_file": key, "known_hosts_file": known, "upload_dir": "/SendFiles", "response_dir": "/ReceiveFiles",
		"after_pickup": "leave", "patterns": []string{"*.999", "*.835"}}
	clearinghouse0(cfg)["transport"] = map[string]any{"type": "sftp", "sftp": s}
	return s
}

// TestBadConfigs runs submit, collect and config check on the bad
// configurations of issue 15 (each of which ended in a panic once): exit
// 2, every problem with its key path, no panic.
func TestBadConfigs(t *testing.T) {
	os.Unsetenv("CLAIMS_TEST_UNSET_PASSPHRASE") //nolint:errcheck // not set in the first place
	tests := []struct {
		name string
		edit func(t *testing.T, cfg map[string]any, dir string)
		want []string
		n    int // problems
	}{
		{"after_pickup archive", func(_ *testing.T, cfg map[string]any, _ string) {
			localdir0(cfg)["after_pickup"] = "archive"
		}, []string{`clearinghouses[0].transport.localdir.after_pickup: "archive" is not delete, move or leave`}, 1},
		{"port 70000", func(t *testing.T, cfg map[string]any, dir string) {
			useSFTP(t, cfg, dir)["port"] = 70000
		}, []string{"clearinghouses[0].transport.sftp.port: 70000 is not between 1 and 65535"}, 1},
		{"missing key_file", func(t *testing.T, cfg map[string]any, dir string) {
			useSFTP(t, cfg, dir)["key_file"] = filepath.Join(dir, "no-such-key")
		}, []string{`clearinghouses[0].transport.sftp.key_file: cannot read "`, `no-such-key": no such file or directory`}, 1},
		{"unset key passphrase", func(t *testing.T, cfg map[string]any, dir string) {
			useSFTP(t, cfg, dir)["key_passphrase_env"] = "CLAIMS_TEST_UNSET_PASSPHRASE"
		}, []string{"clearinghouses[0].transport.sftp.key_passphrase_env: environment variable CLAIMS_TEST_UNSET_PASSPHRASE is not set"}, 1},
		{"move without archive_dir", func(_ *testing.T, cfg map[string]any, _ string) {
			localdir0(cfg)["after_pickup"] = "move"
		}, []string{`clearinghouses[0].transport.localdir.archive_dir: required when after_pickup is "move"`}, 1},
		{"unknown key", func(t *testing.T, cfg map[string]any, dir string) {
			s := useSFTP(t, cfg, dir)
			s["known_host_file"] = s["known_hosts_file"]
			delete(s, "known_hosts_file")
		}, []string{"clearinghouses[0].transport.sftp.known_host_file: unknown key (did you mean known_hosts_file?)",
			"clearinghouses[0].transport.sftp: pin the host key with known_hosts_file or host_key_fingerprint"}, 2},
		{"three problems together", func(t *testing.T, cfg map[string]any, dir string) {
			cfg["schedule"] = map[string]any{"submit": "CRON_TZ=America/Denverr 0 22 * * 1-5"}
			clearinghouse0(cfg)["overdue"] = map[string]any{"ack_hours": -1}
			localdir0(cfg)["settle"] = "ten seconds"
		}, []string{
			`schedule.submit: "CRON_TZ=America/Denverr 0 22 * * 1-5": unknown time zone "America/Denverr" in CRON_TZ`,
			"clearinghouses[0].overdue.ack_hours: -1 is not 0 (off) to",
			`clearinghouses[0].transport.localdir.settle: "ten seconds" is not a duration`,
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := configWith(t, func(cfg map[string]any, dir string) { tt.edit(t, cfg, dir) })
			for _, args := range [][]string{
				{"submit", "--config", path},
				{"collect", "--config", path},
				{"config", "check", "--config", path},
			} {
				out, errs, code := runCLI(args...)
				if code != exitFailure {
					t.Errorf("claims %s: exit %d, want 2\n%s%s", args[0], code, out, errs)
				}
				if strings.Contains(strings.ToLower(out+errs), "panic") {
					t.Errorf("claims %s panicked:\n%s%s", args[0], out, errs)
				}
				for _, w := range tt.want {
					if !strings.Contains(errs, w) {
						t.Errorf("claims %s: stderr does not say %q:\n%s", args[0], w, errs)
					}
				}
				// One problem a line, after a header that counts them.
				lines := strings.Split(strings.TrimSpace(errs), "\n")
				if tt.n > 1 && (len(lines) != tt.n+1 || !strings.HasSuffix(lines[0], fmt.Sprintf("%d problems:", tt.n))) {
					t.Errorf("claims %s: want a header and %d lines:\n%s", args[0], tt.n, errs)
				}
				if tt.n == 1 && len(lines) != 1 {
					t.Errorf("claims %s: want one line:\n%s", args[0], errs)
				}
			}
		})
	}
}

func TestConfigCheckPrintsTheEffectiveConfig(t *testing.T) {
	t.Setenv("CLAIMS_TEST_PASSWORD", "hunter2-secret")
	path := configWith(t, func(cfg map[string]any, dir string) {
		s := useSFTP(t, cfg, dir)
		s["password_env"] = "CLAIMS_TEST_PASSWORD"
		cfg["schedule"] = map[string]any{"submit": "CRON_TZ=America/Denver 0 22 * * 1-5"}
	})
	out, errs, code := runCLI("config", "check", "--config", path)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "valid") {
		t.Errorf("stderr: %q", errs)
	}
	var c configs.Config
	if err := yaml.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, out)
	}
	ch := c.Clearinghouses[0]
	if c.Daemon.Listen != "127.0.0.1:9464" || ch.Overdue.AckHours != 24 || ch.Overdue.PaymentDays != 30 ||
		ch.Transport.SFTP.Settle != configs.Duration(10*time.Second) || ch.Transport.SFTP.MaxAttempts != 4 ||
		c.Schedule.Submit != "CRON_TZ=America/Denver 0 22 * * 1-5" {
		t.Errorf("defaults not shown:\n%s", out)
	}
	// The secret never shows; the variable that holds it does.
	if strings.Contains(out, "hunter2") || !strings.Contains(out, "password_env: CLAIMS_TEST_PASSWORD") {
		t.Errorf("secrets not masked:\n%s", out)
	}

	var v map[string]any
	runJSON(t, &v, "config", "check", "--config", path, "--json")
	if v["daemon"].(map[string]any)["listen"] != "127.0.0.1:9464" {
		t.Errorf("JSON: %v", v)
	}
}

func TestConfigCheckJSONProblems(t *testing.T) {
	path := configWith(t, func(cfg map[string]any, _ string) {
		localdir0(cfg)["after_pickup"] = "archive"
		cfg["daemon"] = map[string]any{"listen": "localhost"}
	})
	var v struct {
		Valid    bool `json:"valid"`
		Problems []struct {
			Path    string `json:"path"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	runJSONCode(t, exitFailure, &v, "config", "check", "--config", path, "--json")
	if v.Valid || len(v.Problems) != 2 || v.Problems[0].Path != "clearinghouses[0].transport.localdir.after_pickup" ||
		v.Problems[1].Path != "daemon.listen" {
		t.Errorf("%+v", v)
	}
}

func TestConfigCheckUsage(t *testing.T) {
	_, errs, code := runCLI("config", "check")
	if code != exitFailure || !strings.Contains(errs, "config check needs --config FILE") {
		t.Errorf("exit %d: %s", code, errs)
	}
	out, _, code := runCLI("config", "check", "--help")
	if code != exitOK || !strings.Contains(out, "claims config check --config /etc/claims/claims.yaml") {
		t.Errorf("help: %s", out)
	}
	_, errs, code = runCLI("config", "check", "--config", "/nonexistent/claims.yaml")
	if code != exitFailure || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d: %s", code, errs)
	}
}

func TestLogLevelFromEnvironment(t *testing.T) {
	t.Setenv("CLAIMS_LOG_LEVEL", "")
	if got := logLevel("warn"); got != "warn" {
		t.Errorf("unset: %q", got)
	}
	t.Setenv("CLAIMS_LOG_LEVEL", "debug")
	if got := logLevel("warn"); got != "debug" {
		t.Errorf("set: %q", got)
	}
	// openApp takes it over the configuration's level ("error").
	path, _ := localConfig(t)
	a, err := openApp(context.Background(), path, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !a.log.Core().Enabled(zapcore.DebugLevel) {
		t.Error("CLAIMS_LOG_LEVEL=debug did not override log.level error")
	}
	// A bad level is a configuration problem, named.
	t.Setenv("CLAIMS_LOG_LEVEL", "loud")
	for _, args := range [][]string{{"submit", "--config", path}, {"config", "check", "--config", path}} {
		_, errs, code := runCLI(args...)
		if code != exitFailure || !strings.Contains(errs, `CLAIMS_LOG_LEVEL: "loud" is not debug, info, warn or error`) {
			t.Errorf("claims %s: exit %d: %s", args[0], code, errs)
		}
	}
}

// TestOpenAppFailureAfterTheStore: a failure after the store is opened
// (a transport's folder cannot be made) closes what was opened and
// returns the error; a nil app closes nothing.
func TestOpenAppFailureAfterTheStore(t *testing.T) {
	path := configWith(t, func(cfg map[string]any, dir string) {
		file := filepath.Join(dir, "a-file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		localdir0(cfg)["upload_dir"] = filepath.Join(file, "sub")
	})
	a, err := openApp(context.Background(), path, &bytes.Buffer{})
	if a != nil || err == nil || !strings.Contains(err.Error(), "clearinghouse claimsim") {
		t.Fatalf("openApp: %v, %v", a, err)
	}
	var nilApp *app
	if err := nilApp.Close(); err != nil {
		t.Errorf("nil app: %v", err)
	}
	_, errs, code := runCLI("submit", "--config", path)
	if code != exitFailure || strings.Contains(errs, "panic") || !strings.Contains(errs, "not a directory") {
		t.Errorf("submit: exit %d: %s", code, errs)
	}
}

// TestWireMapsTheNewKeys: overdue, settle, done_suffix and error_dir
// reach the pipeline and the transports; done markers are listed.
func TestWireMapsTheNewKeys(t *testing.T) {
	path := configWith(t, func(cfg map[string]any, dir string) {
		l := localdir0(cfg)
		l["settle"], l["done_suffix"], l["error_dir"] = "0s", ".done", filepath.Join(dir, "errors")
		clearinghouse0(cfg)["overdue"] = map[string]any{"ack_hours": 12, "payment_days": 0}
	})
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ch := cfg.Clearinghouses[0]
	p := partner(ch, nil)
	want := pipeline.Overdue{AckAfter: 12 * time.Hour, AcknowledgmentAfter: 3 * 24 * time.Hour}
	if p.Overdue != want || p.Settle != 0 || p.DoneSuffix != ".done" {
		t.Errorf("partner: overdue %+v settle %v suffix %q", p.Overdue, p.Settle, p.DoneSuffix)
	}
	lc := localdirConfig(ch)
	if lc.ErrorDir != ch.Transport.LocalDir.ErrorDir || strings.Join(lc.Patterns, " ") != "*.999 *.277CA *.835 *.TA1 *.999.done *.277CA.done *.835.done *.TA1.done" {
		t.Errorf("localdir: %+v", lc)
	}

	// The SFTP section, with the defaults Load applies.
	path = configWith(t, func(cfg map[string]any, dir string) {
		s := useSFTP(t, cfg, dir)
		s["error_dir"], s["done_suffix"] = "/ReceiveFiles/errors", ".ok"
	})
	if cfg, err = configs.Load(path); err != nil {
		t.Fatal(err)
	}
	ch = cfg.Clearinghouses[0]
	sc := sftpConfig(ch)
	if sc.ErrorDir != "/ReceiveFiles/errors" || strings.Join(sc.Patterns, " ") != "*.999 *.835 *.999.ok *.835.ok" {
		t.Errorf("sftp: %+v", sc)
	}
	if p := partner(ch, nil); p.Settle != 10*time.Second || p.Overdue.AckAfter != 24*time.Hour || p.Overdue.PaymentAfter != 30*24*time.Hour {
		t.Errorf("sftp partner defaults: %+v", p)
	}
	if err := sc.Validate(); err != nil {
		t.Errorf("the SFTP adapter refuses what the configuration accepted: %v", err)
	}
	if got := listPatterns(nil, ".done"); got != nil {
		t.Errorf("no pattern lists everything: %v", got)
	}
}

// TestConfigDefaultsMatchTheAdapters: the defaults config check shows are
// the ones that run.
func TestConfigDefaultsMatchTheAdapters(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"port", configs.DefaultSFTPPort, sftp.DefaultPort},
		{"dial_timeout", configs.DefaultDialTimeout, sftp.DefaultDialTimeout},
		{"handshake_timeout", configs.DefaultHandshakeTimeout, sftp.DefaultHandshakeTimeout},
		{"op_timeout", configs.DefaultOpTimeout, sftp.DefaultOpTimeout},
		{"max_attempts", configs.DefaultMaxAttempts, sftp.DefaultMaxAttempts},
		{"base_delay", configs.DefaultBaseDelay, sftp.DefaultBaseDelay},
		{"max_delay", configs.DefaultMaxDelay, sftp.DefaultMaxDelay},
		{"idle_timeout", configs.DefaultWebIdleTimeout, pipeline.DefaultSessionIdle},
		{"timely filing", configs.DefaultTimelyFilingDays, pipeline.DefaultTimelyFilingDays},
	} {
		if c.got != c.want {
			t.Errorf("%s: configs says %v, the code uses %v", c.name, c.got, c.want)
		}
	}
}
