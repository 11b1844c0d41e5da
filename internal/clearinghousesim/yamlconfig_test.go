package clearinghousesim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodYAML = `
listen: 127.0.0.1:0
root: boxes
state_dir: state
host_key: state/host_key
seed: 7
sample_payers: true
timing: {compression: 60, ack: 5m, claim_ack: 2h, remit: 72h}
rejections: {subscriber_not_found: 2%, npi_not_on_file: 1.5%}
users:
  - name: cedar
    password: secret
    ack_format: "997"
    faults: {no_ack: true, slow_transfer: 10ms}
  - name: other
    password_hash: "$2a$10$abcdefghijklmnopqrstuv"
`

func TestParseStandaloneConfig(t *testing.T) {
	c, err := ParseStandaloneConfig([]byte(goodYAML), "sim.yaml", "/base")
	if err != nil {
		t.Fatal(err)
	}
	if c.Root != "/base/boxes" || c.Sim.StateDir != "/base/state" || c.HostKeyFile != "/base/state/host_key" {
		t.Errorf("paths = %q %q %q", c.Root, c.Sim.StateDir, c.HostKeyFile)
	}
	if c.Sim.Timing.Ack != 5*time.Second || c.Sim.Timing.Remit != 72*time.Minute {
		t.Errorf("timing = %+v, want delays divided by 60", c.Sim.Timing)
	}
	if c.Sim.Rejections.NPINotOnFile != 150 || len(c.Sim.Payers) != 3 || c.Sim.Seed != 7 {
		t.Errorf("config = %+v", c.Sim)
	}
	if u := c.Users[0]; u.AckFormat != "997" || !u.Faults.NoAck || u.Faults.SlowTransfer != 10*time.Millisecond || u.Folder != "cedar" {
		t.Errorf("user = %+v", u)
	}
}

// TestStandaloneConfigErrors: every bad configuration is refused with its
// position and key path, never a panic.
func TestStandaloneConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"not yaml", "root: [", []string{"sim.yaml", "not valid YAML"}},
		{"empty", "", []string{"is empty"}},
		{"not a mapping", "- a\n- b\n", []string{"sim.yaml:1:1", "must be a mapping"}},
		{"unknown key", strings.Replace(goodYAML, "seed: 7", "sede: 7", 1), []string{"sim.yaml:6:1: sede: unknown key"}},
		{"bad duration", strings.Replace(goodYAML, "ack: 5m", "ack: soon", 1), []string{"timing.ack", `"soon" must be a duration`}},
		{"bad rate", strings.Replace(goodYAML, "1.5%", "150%", 1), []string{"rejections.npi_not_on_file", "percentage"}},
		{"rate without percent", strings.Replace(goodYAML, "1.5%", "0.015", 1), []string{"rejections.npi_not_on_file"}},
		{"bad ack format", strings.Replace(goodYAML, `"997"`, `"998"`, 1), []string{"users[0].ack_format", `"998" must be 999 or 997`}},
		{"bad fault", strings.Replace(goodYAML, "no_ack: true", "no_ack: maybe", 1), []string{"users[0].faults.no_ack"}},
		{"unknown fault", strings.Replace(goodYAML, "no_ack: true", "no_acks: true", 1), []string{"users[0].faults.no_acks: unknown key"}},
		{"no login", strings.Replace(goodYAML, "    password: secret\n", "", 1), []string{"users[0]", "needs a password"}},
		{"bad hash", strings.Replace(goodYAML, "$2a$10$abcdefghijklmnopqrstuv", "plain", 1), []string{"users[1].password_hash", "bcrypt"}},
		{"bad name", strings.Replace(goodYAML, "name: cedar", "name: ../cedar", 1), []string{"users[0].name"}},
		{"same name", strings.Replace(goodYAML, "name: other", "name: cedar", 1), []string{"users[1].name", "listed twice"}},
		{"bad key", strings.Replace(goodYAML, "password: secret", "authorized_keys: [nonsense]", 1), []string{"users[0].authorized_keys[0]", "authorized_keys line"}},
		{"no users", strings.Split(goodYAML, "users:")[0], []string{"users: at least one user"}},
		{"no root", strings.Replace(goodYAML, "root: boxes", "", 1), []string{"root: is required"}},
		{"no payers", strings.Replace(goodYAML, "sample_payers: true", "", 1), []string{"payers: at least one payer"}},
		{"payer without id", goodYAML + "payers:\n  - name: X\n", []string{"payers[0].id: is required", "payers[0].tin: is required"}},
		{"bad fee", goodYAML + "payers:\n  - id: P1\n    fee_schedule: {'99213': abc}\n", []string{"payers[0].fee_schedule.99213", "amount"}},
		{"bad payer", goodYAML + "payers:\n  - {id: 'P*1', name: X, tin: '12', method: ACH, filing_indicator: CI, contact_name: A, contact_phone: '1'}\n",
			[]string{"sim.yaml:18:5: payers[0].id", "payers[0].tin: \"12\" must be 9 digits", "payers[0].contact_phone", "payers[0].address", "payers[0].bank"}},
		{"sample payer again", goodYAML + "payers:\n  - {id: LRK60}\n", []string{"payers[0].id: \"LRK60\" is a sample payer already"}},
		{"bad number", strings.Replace(goodYAML, "seed: 7", "seed: seven", 1), []string{"seed", "whole number"}},
		{"list as string", strings.Replace(goodYAML, "sample_payers: true", "sample_payers: true\nnot_enrolled: abc", 1), []string{"not_enrolled: must be a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseStandaloneConfig([]byte(tt.yaml), "sim.yaml", "/base")
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestStandaloneTimingDefaults(t *testing.T) {
	c, err := ParseStandaloneConfig([]byte("root: r\nstate_dir: s\nhost_key: k\nsample_payers: true\ntiming: {compression: 2, ack: 1m}\nusers: [{name: a, password: x}]\n"), "sim.yaml", "/")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Timing{Ack: 30 * time.Second, ClaimAck: time.Hour, Remit: 36 * time.Hour}); c.Sim.Timing != want {
		t.Errorf("timing = %+v, want %+v (the defaults, halved, with ack set)", c.Sim.Timing, want)
	}
}

func TestParseFaults(t *testing.T) {
	f, err := ParseFaults([]byte("duplicate_remit: true\nslow_write: yes\ndrop_after_bytes: 4096\n"), FaultsFileName)
	if err != nil || !f.DuplicateRemit || !f.SlowWrite || f.DropAfterBytes != 4096 {
		t.Fatalf("ParseFaults = %+v, %v", f, err)
	}
	if _, err := ParseFaults([]byte("drop_after_bytes: -1\n"), FaultsFileName); err == nil || !strings.Contains(err.Error(), "faults.yaml:1:19: drop_after_bytes") {
		t.Errorf("negative byte count: %v", err)
	}
}

// FuzzStandaloneConfig: no configuration panics the decoder.
func FuzzStandaloneConfig(f *testing.F) {
	f.Add([]byte(goodYAML))
	f.Add([]byte("users: [{faults: {slow_transfer: -1s}}]"))
	f.Add([]byte("payers: [{bundles: {a: [b, [c]]}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseStandaloneConfig(data, "f.yaml", "/")
		_, _ = ParseFaults(data, "f.yaml")
	})
}

// TestREADMEConfiguration parses the configuration shown in the README.
func TestREADMEConfiguration(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Skip("README.md not found:", err)
	}
	s := string(b)
	i := strings.Index(s, "## Clearinghouse simulator")
	if i < 0 {
		t.Fatal("README has no Clearinghouse simulator section")
	}
	s = s[i:]
	start := strings.Index(s, "```yaml\n")
	end := strings.Index(s[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no yaml block in the section")
	}
	c, err := ParseStandaloneConfig([]byte(s[start+8:start+8+end]), "README.md", "/srv/chsim")
	if err != nil {
		t.Fatalf("the README's configuration does not parse: %v", err)
	}
	if len(c.Sim.Payers) != 4 || len(c.Users) != 1 || c.Users[0].Folder != "cedarvalley" || c.Sim.Timing.Remit != 72*time.Minute {
		t.Errorf("parsed as %+v", c)
	}
}
