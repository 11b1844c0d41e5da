package configs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/x12claims/claims/pipeline"
)

// exampleFile writes example.yaml with its /etc/claims files replaced by
// the fixture's and its passphrase variable set, and returns its path.
func exampleFile(t *testing.T, ext string) string {
	t.Helper()
	f := newFixture(t)
	text, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("/etc/claims/keys/availity_ed25519", f.encKey, "/etc/claims/known_hosts", f.knownHosts).Replace(string(text))
	t.Setenv("CLAIMS_AVAILITY_KEY_PASSPHRASE", "right")
	if ext == ".json" {
		var v any
		if err := yaml.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		s = string(b)
	}
	path := filepath.Join(f.dir, "claims"+ext)
	write(t, path, s)
	return path
}

func TestExampleLoads(t *testing.T) {
	c, err := Load(exampleFile(t, ".yaml"))
	if err != nil {
		t.Fatalf("Load(example.yaml): %v", err)
	}
	a, g := c.Clearinghouses[0], c.Clearinghouses[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"GS02 default", a.GS.SenderCode, "CEDARVALLEYMG"},
		{"GS02 default of the second", g.GS.SenderCode, "CEDARVALLEYMG"},
		{"receiver_id that looks like a number", a.ISA.ReceiverID, "030240928"},
		{"schedule with CRON_TZ", c.Schedule.Submit, "CRON_TZ=America/Denver 0 22 * * 1-5"},
		{"daemon.listen", c.Daemon.Listen, "127.0.0.1:9464"},
		{"overdue", g.Overdue, Overdue{AckHours: 48, AcknowledgmentDays: 5, PaymentDays: 45}},
		{"settle", a.Transport.SFTP.Settle, Duration(10 * time.Second)},
		{"settle 0s", g.Transport.LocalDir.Settle, Duration(0)},
		{"done_suffix", g.Transport.LocalDir.DoneSuffix, ".done"},
		{"error_dir", a.Transport.SFTP.ErrorDir, "/ReceiveFiles/errors"},
		{"timely filing by payer", c.TimelyFiling.Payers["87726"], 180},
		{"usage default", g.ISA.Usage, "P"},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

// TestJSONStillLoads: JSON is YAML; the example written as JSON loads to
// the same configuration.
func TestJSONStillLoads(t *testing.T) {
	fromYAML, err := Load(exampleFile(t, ".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Load(exampleFile(t, ".json"))
	if err != nil {
		t.Fatalf("Load(JSON): %v", err)
	}
	// The fixtures differ in their temporary folder only.
	fromJSON.Clearinghouses[0].Transport.SFTP.KeyFile = fromYAML.Clearinghouses[0].Transport.SFTP.KeyFile
	fromJSON.Clearinghouses[0].Transport.SFTP.KnownHostsFile = fromYAML.Clearinghouses[0].Transport.SFTP.KnownHostsFile
	if !reflect.DeepEqual(fromYAML, fromJSON) {
		t.Errorf("JSON and YAML differ:\n%s\n%s", fromYAML, fromJSON)
	}
	// A JSON problem is reported with its path too.
	path := filepath.Join(t.TempDir(), "c.json")
	write(t, path, `{"dir": "x", "clearinghouses": [{"name": "a", "transport": {"type": "sftp", "sftp": {"port": "abc", "known_host_file": "k"}}}]}`)
	_, err = Load(path)
	for _, want := range []string{`clearinghouses[0].transport.sftp.port: "abc" is not a number`,
		"clearinghouses[0].transport.sftp.known_host_file: unknown key"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("JSON error %v does not say %q", err, want)
		}
	}
}

// TestExampleIsComplete: example.yaml shows every key.
func TestExampleIsComplete(t *testing.T) {
	text, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			walk(n.Content[0], path)
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				present[p] = true
				if !strings.HasSuffix(p, "payers") {
					walk(n.Content[i+1], p)
				}
			}
		case yaml.SequenceNode:
			for _, e := range n.Content {
				walk(e, path+"[]")
			}
		}
	}
	walk(&doc, "")
	for key := range allKeys() {
		if !present[key] {
			t.Errorf("example.yaml does not show %s", key)
		}
	}
}

func TestDefaults(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if d.Daemon.Listen != DefaultDaemonListen || d.Log.Level != "info" || d.Store.Driver != "sqlite" {
		t.Errorf("defaults: %+v", d)
	}
	// The daemon and claims build (which reads no configuration) take
	// the same batch size.
	if d.Intake.BatchSize != pipeline.DefaultBatchSize {
		t.Errorf("intake.batch_size: %d, pipeline.DefaultBatchSize %d", d.Intake.BatchSize, pipeline.DefaultBatchSize)
	}
	// Keys a clearinghouse leaves out get their defaults; explicit zeros
	// stay zero.
	f := newFixture(t)
	c, err := loadWith(t, f, map[string]string{
		"clearinghouses[0].overdue":                   "{payment_days: 0}",
		"clearinghouses[0].transport.sftp.settle":     "null",
		"clearinghouses[0].transport.sftp.port":       "0",
		"clearinghouses[0].transport.sftp.op_timeout": "0s",
		"clearinghouses[0].max_claims_per_set":        "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	ch := c.Clearinghouses[0]
	if want := (Overdue{AckHours: 24, AcknowledgmentDays: 3, PaymentDays: 0}); ch.Overdue != want {
		t.Errorf("overdue: got %+v, want %+v", ch.Overdue, want)
	}
	if s := ch.Transport.SFTP; s.Settle != Duration(DefaultSettle) || s.Port != 22 || s.OpTimeout != Duration(DefaultOpTimeout) {
		t.Errorf("sftp defaults: %+v", s)
	}
	if ch.MaxClaimsPerSet != DefaultMaxClaimsPerSet {
		t.Errorf("max_claims_per_set: %d", ch.MaxClaimsPerSet)
	}
	if g := c.Clearinghouses[1]; g.Overdue != (Overdue{24, 3, 30}) || g.Transport.LocalDir.Settle != 0 || g.MaxUploadAttempts != 5 {
		t.Errorf("second clearinghouse: %+v", g)
	}
}

// problemsOf returns the problems of a Load error, one string each.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v (%T) is not a *configs.Error", err, err)
	}
	var out []string
	for _, p := range cerr.Problems {
		out = append(out, p.Error())
	}
	return out
}

func TestUnknownKeysWithPaths(t *testing.T) {
	f := newFixture(t)
	_, err := loadWith(t, f, map[string]string{
		"clearinghouses[0].transport.sftp.known_host_file": `"/etc/claims/known_hosts"`,
		"direktory":                    "x",
		"clearinghouses[1].isa.sender": "X",
		"web.tls":                      "true",
		"clearinghouses[1].transport.localdir.settle_s": "5",
	})
	got := problemsOf(t, err)
	for _, want := range []string{
		"clearinghouses[0].transport.sftp.known_host_file: unknown key (did you mean known_hosts_file?) (line ",
		"direktory: unknown key (line ",
		"clearinghouses[1].isa.sender: unknown key",
		"web.tls: unknown key",
		"clearinghouses[1].transport.localdir.settle_s: unknown key (did you mean settle?)",
	} {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("no problem %q in\n%s", want, strings.Join(got, "\n"))
		}
	}
	if len(got) != 5 {
		t.Errorf("%d problems, want 5:\n%s", len(got), strings.Join(got, "\n"))
	}
}

func TestTypeErrors(t *testing.T) {
	f := newFixture(t)
	_, err := loadWith(t, f, map[string]string{
		"clearinghouses[0].transport.sftp.port": `"abc"`,
		"clearinghouses[1].max_claims_per_set":  "1.5",
		"web.secure_cookies":                    "yes",
		"encounters":                            "incoming/*.jsonl",
		"clearinghouses[0].overdue.ack_hours":   `"24"`,
		"clearinghouses[0].transport.sftp.host": "{a: 1}",
		"web.idle_timeout":                      "15",
		"timely_filing.payers":                  `{"87726": "x"}`,
	})
	got := strings.Join(problemsOf(t, err), "\n")
	for _, want := range []string{
		`clearinghouses[0].transport.sftp.port: "abc" is not a number`,
		`clearinghouses[1].max_claims_per_set: 1.5 is not a whole number`,
		`web.secure_cookies: "yes" is not true or false`,
		`encounters: expected a list, found "incoming/*.jsonl"`,
		`clearinghouses[0].overdue.ack_hours: "24" is a string: write the number without quotes`,
		`clearinghouses[0].transport.sftp.host: expected a string, found a mapping`,
		`web.idle_timeout: 15 is not a duration`,
		`timely_filing.payers["87726"]: "x" is not a number`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no problem %q in\n%s", want, got)
		}
	}
}

func TestThreeProblemsTogether(t *testing.T) {
	f := newFixture(t)
	_, err := loadWith(t, f, map[string]string{
		"clearinghouses[0].transport.sftp.port":         "70000",
		"clearinghouses[0].transport.sftp.after_pickup": "archive",
		"clearinghouses[1].transport.localdir.oops":     "1",
	})
	got := problemsOf(t, err)
	want := []string{
		"clearinghouses[0].transport.sftp.port: 70000 is not between 1 and 65535",
		`clearinghouses[0].transport.sftp.after_pickup: "archive" is not delete, move or leave`,
		"clearinghouses[1].transport.localdir.oops: unknown key",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w+" (line ") {
			t.Errorf("problem %d: got %q, want %q with its line (in file order)", i, got[i], w)
		}
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "config ") || !strings.Contains(msg, "3 problems:\n  clearinghouses[0].transport.sftp.port") {
		t.Errorf("message: %q", msg)
	}
}

func TestMissingSecrets(t *testing.T) {
	f := newFixture(t)
	t.Setenv("CLAIMS_TEST_EMPTY", "")
	os.Unsetenv("CLAIMS_TEST_UNSET") //nolint:errcheck // not set in the first place
	tests := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"unset password", map[string]string{"clearinghouses[0].transport.sftp.password_env": "CLAIMS_TEST_UNSET"},
			"clearinghouses[0].transport.sftp.password_env: environment variable CLAIMS_TEST_UNSET is not set"},
		{"empty password", map[string]string{"clearinghouses[0].transport.sftp.password_env": "CLAIMS_TEST_EMPTY"},
			"clearinghouses[0].transport.sftp.password_env: environment variable CLAIMS_TEST_EMPTY is empty"},
		{"unset passphrase", map[string]string{"clearinghouses[0].transport.sftp.key_file": f.encKey, "clearinghouses[0].transport.sftp.key_passphrase_env": "CLAIMS_TEST_UNSET"},
			"clearinghouses[0].transport.sftp.key_passphrase_env: environment variable CLAIMS_TEST_UNSET is not set"},
		{"unset store URL", map[string]string{"store.driver": "postgres", "store.url_env": "CLAIMS_TEST_UNSET"},
			"store.url_env: environment variable CLAIMS_TEST_UNSET is not set"},
		{"bad variable name", map[string]string{"clearinghouses[0].transport.sftp.password_env": `"1-X"`},
			`clearinghouses[0].transport.sftp.password_env: "1-X" is not an environment variable name`},
		{"missing password file", map[string]string{"clearinghouses[0].transport.sftp.password_file": "/nonexistent/pw"},
			`clearinghouses[0].transport.sftp.password_file: cannot read "/nonexistent/pw": no such file or directory`},
		{"empty password file", map[string]string{"clearinghouses[0].transport.sftp.password_file": f.tlsCert + "-empty"},
			"clearinghouses[0].transport.sftp.password_file: cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadWith(t, f, tt.changes)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestKeyAndPassphrase(t *testing.T) {
	f := newFixture(t)
	t.Setenv("CLAIMS_TEST_PASS", "right")
	t.Setenv("CLAIMS_TEST_WRONG", "wrong")
	empty := filepath.Join(f.dir, "empty")
	write(t, empty, "\n")
	notKey := filepath.Join(f.dir, "not-a-key")
	write(t, notKey, "hello\n")
	sftp := "clearinghouses[0].transport.sftp."
	tests := []struct {
		name    string
		changes map[string]string
		want    string // "" for no problem
	}{
		{"encrypted key with its passphrase", map[string]string{sftp + "key_file": f.encKey, sftp + "key_passphrase_env": "CLAIMS_TEST_PASS"}, ""},
		{"encrypted key with a passphrase file", map[string]string{sftp + "key_file": f.encKey, sftp + "key_passphrase_file": f.passphrase}, ""},
		{"encrypted key without passphrase", map[string]string{sftp + "key_file": f.encKey},
			sftp + "key_file: \"" + f.encKey + "\" is encrypted: name its passphrase with key_passphrase_env or key_passphrase_file"},
		{"wrong passphrase", map[string]string{sftp + "key_file": f.encKey, sftp + "key_passphrase_env": "CLAIMS_TEST_WRONG"},
			sftp + "key_passphrase_env: the passphrase does not open key_file"},
		{"plain key with a passphrase", map[string]string{sftp + "key_passphrase_env": "CLAIMS_TEST_PASS"},
			sftp + "key_passphrase_env: set, but key_file"},
		{"not a key", map[string]string{sftp + "key_file": notKey}, sftp + "key_file: \"" + notKey + "\" is not a private key"},
		{"a folder", map[string]string{sftp + "key_file": f.dir}, sftp + "key_file: \"" + f.dir + "\" is a folder, not a file"},
		{"empty passphrase file", map[string]string{sftp + "key_file": f.encKey, sftp + "key_passphrase_file": empty}, sftp + "key_passphrase_file: \"" + empty + "\" is empty"},
		{"passphrase without key", map[string]string{sftp + "key_file": `""`, sftp + "password_file": f.password, sftp + "key_passphrase_env": "CLAIMS_TEST_PASS"},
			sftp + "key_passphrase_env: set, but key_file is empty"},
		{"known_hosts that is not one", map[string]string{sftp + "known_hosts_file": notKey}, sftp + "known_hosts_file: is not a known_hosts file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadWith(t, f, tt.changes)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "right"):
				t.Errorf("the error shows the passphrase: %v", err)
			}
		})
	}
}

func TestSchedules(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ spec, want string }{
		{`"0 22 * * 1-5"`, ""},
		{`"CRON_TZ=America/Denver 0 22 * * 1-5"`, ""},
		{`"TZ=UTC @every 15m"`, ""},
		{`"@hourly"`, ""},
		{`"99 99 * * *"`, `schedule.submit: "99 99 * * *" is not a cron schedule`},
		{`"0 22 * *"`, `schedule.submit: "0 22 * *" is not a cron schedule`},
		{`"CRON_TZ=America/Denverr 0 22 * * *"`, `schedule.submit: "CRON_TZ=America/Denverr 0 22 * * *": unknown time zone "America/Denverr" in CRON_TZ`},
		{`"CRON_TZ=America/Denver"`, `no schedule after CRON_TZ=America/Denver`},
		{`"CRON_TZ= 0 22 * * *"`, `CRON_TZ= needs a time zone`},
		{`"CRON_TZ=UTC CRON_TZ=UTC 0 22 * * *"`, `give the time zone once`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := loadWith(t, f, map[string]string{"schedule.submit": tt.spec})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	s, err := ParseSchedule("CRON_TZ=America/Denver 0 22 * * 1-5")
	if err != nil {
		t.Fatal(err)
	}
	denver, _ := time.LoadLocation("America/Denver")
	if got := s.(*cron.SpecSchedule).Location; got.String() != denver.String() {
		t.Errorf("location %v", got)
	}
	from := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // a Monday
	if next := s.Next(from).In(denver); next.Hour() != 22 || next.Weekday() != time.Monday {
		t.Errorf("next run %v, want Monday 22:00 in Denver", next)
	}
}

func TestFileProblems(t *testing.T) {
	f := newFixture(t)
	_, err := Load(filepath.Join(f.dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.yaml: cannot be read: no such file") {
		t.Errorf("missing file: %v", err)
	}
	for _, tt := range []struct{ name, text, want string }{
		{"syntax", "dir: x\nclearinghouses: [\n", "c.yaml: line 2: did not find expected node content"},
		{"tab", "dir: x\n\tstore: {}\n", "c.yaml: line 2: found a tab character that violates indentation"},
		{"two documents", "dir: x\n---\ndir: y\n", "c.yaml: line 2: a second YAML document: a configuration is one document"},
		{"a list", "- a\n- b\n", "the configuration: expected a mapping of keys to values, found a list"},
		{"duplicate", "dir: x\ndir: y\n", "dir: given twice (first on line 1) (line 2)"},
		{"merge into itself", "dir: x\nstore: &s\n  <<: *s\n", "store: a merge (<<) of a mapping into itself (line 2)"},
		{"alias into itself", "dir: x\nencounters: &a [*a]\n", "encounters[0]: expected a string, found a list"},
		{"anchor and merge", "dir: x\n" + "clearinghouses:\n  - &base\n    name: a\n  - <<: *base\n    name: b\n    nope: 1\n", "clearinghouses[1].nope: unknown key (did you mean name?) (line 7)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			write(t, path, tt.text)
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	// An empty file is the defaults, which lack a clearinghouse.
	path := filepath.Join(t.TempDir(), "empty.yaml")
	write(t, path, "# nothing\n")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "clearinghouses: at least one is required") {
		t.Errorf("empty file: %v", err)
	}
}

func TestRenderMasksSecrets(t *testing.T) {
	f := newFixture(t)
	t.Setenv("CLAIMS_TEST_PASS", "hunter2-secret")
	c, err := loadWith(t, f, map[string]string{
		"clearinghouses[0].transport.sftp.key_file":           f.encKey,
		"clearinghouses[0].transport.sftp.key_passphrase_env": "CLAIMS_TEST_PASS",
		"clearinghouses[0].transport.sftp.password_file":      f.password,
	})
	if err == nil {
		t.Fatal("the wrong passphrase was accepted")
	}
	t.Setenv("CLAIMS_TEST_PASS", "right")
	c, err = loadWith(t, f, map[string]string{
		"clearinghouses[0].transport.sftp.key_file":           f.encKey,
		"clearinghouses[0].transport.sftp.key_passphrase_env": "CLAIMS_TEST_PASS",
		"clearinghouses[0].transport.sftp.password_file":      f.password,
		"encounters": `["postgres://u:pw123@db/*.jsonl"]`,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, asJSON := range []bool{false, true} {
		b, err := c.Render(asJSON)
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		// The names of where secrets are (a variable, a file) show: an
		// operator checks them. The secrets do not.
		for _, leak := range []string{"pw123", "right", "s3cret"} {
			if strings.Contains(out, leak) {
				t.Errorf("json=%v: the rendering shows %q:\n%s", asJSON, leak, out)
			}
		}
		for _, want := range []string{Mask, f.key[:len(f.key)-len("id_ed25519")], "CLAIMS_TEST_PASS", f.password, "settle", "overdue", "daemon"} {
			if !strings.Contains(out, want) {
				t.Errorf("json=%v: the rendering lacks %q", asJSON, want)
			}
		}
		if asJSON {
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			checkSnakeCase(t, v, "")
		} else {
			// The rendering loads again (masked values aside).
			var back Config
			if probs := decode(b, &back); len(probs) > 0 {
				t.Errorf("the YAML rendering does not decode: %v", probs)
			}
		}
	}
	if s := c.String(); strings.Contains(s, "right") || !strings.Contains(s, Mask) {
		t.Errorf("String:\n%s", s)
	}
	if got := MaskString("host=db user=u password=p4ss dbname=x"); strings.Contains(got, "p4ss") {
		t.Errorf("MaskString: %s", got)
	}
}

func checkSnakeCase(t *testing.T, v any, path string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if k != strings.ToLower(k) || strings.ContainsAny(k, " -") {
				if !strings.HasSuffix(path, "payers") {
					t.Errorf("key %q at %s is not snake_case", k, path)
				}
			}
			checkSnakeCase(t, e, path+"."+k)
		}
	case []any:
		for i, e := range v {
			checkSnakeCase(t, e, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func TestErrorUnwrapsToProblems(t *testing.T) {
	f := newFixture(t)
	_, err := loadWith(t, f, map[string]string{"dir": `""`, "log.level": "loud"})
	var cerr *Error
	if !errors.As(err, &cerr) || len(cerr.Problems) != 2 {
		t.Fatalf("%v", err)
	}
	var p *Problem
	if !errors.As(err, &p) || p.Path != "dir" || p.Line == 0 {
		t.Errorf("first problem: %+v", p)
	}
	if n := len(cerr.Unwrap()); n != 2 {
		t.Errorf("Unwrap: %d errors", n)
	}
}

func TestProblemsAreCapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	write(t, path, "dir: x\nencounters: ["+strings.Repeat("{a: 1}, ", 300)+"]\n")
	_, err := Load(path)
	got := problemsOf(t, err)
	if len(got) != maxProblems+1 || !strings.HasPrefix(got[maxProblems], "and ") {
		t.Errorf("%d problems, last %q", len(got), got[len(got)-1])
	}
}

// FuzzLoad: no file makes Load panic.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{baseYAML, "dir: x\n", "{}", "[]", "a: &a [*a]", "<<: {dir: x}", `{"dir": "x", "clearinghouses": [{"transport": {"type": "sftp", "sftp": {"port": 70000}}}]}`} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		if err == nil {
			if _, rerr := c.Render(true); rerr != nil {
				t.Errorf("Render: %v", rerr)
			}
		} else if err.Error() == "" {
			t.Error("empty error")
		}
	})
}

func TestSpecialFiles(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"/dev/zero", "/dev/null"} {
		if _, err := os.Stat(name); err != nil {
			continue
		}
		_, err := loadWith(t, f, map[string]string{"clearinghouses[0].transport.sftp.key_file": name})
		if err == nil || !strings.Contains(err.Error(), "clearinghouses[0].transport.sftp.key_file: \""+name+"\" is not a regular file") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSchedulesAgreeWithCron: what the configuration accepts, the cron
// parser the daemon uses accepts, in the same zone.
func TestSchedulesAgreeWithCron(t *testing.T) {
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for _, spec := range []string{"0 22 * * 1-5", "CRON_TZ=America/Denver 0 22 * * 1-5", "TZ=UTC @every 15m",
		" CRON_TZ=UTC 0 22 * * *", "CRON_TZ=UTC  0 22 * * *", "0 22 * * * ", "@daily", "CRON_TZ=Europe/Paris @daily"} {
		ours, err := ParseSchedule(spec)
		theirs, cerr := p.Parse(spec)
		if (err == nil) != (cerr == nil) {
			t.Errorf("%q: ParseSchedule says %v, cron says %v", spec, err, cerr)
			continue
		}
		if err == nil {
			from := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			if a, b := ours.Next(from), theirs.Next(from); !a.Equal(b) {
				t.Errorf("%q: next %v, cron %v", spec, a, b)
			}
		}
	}
}
