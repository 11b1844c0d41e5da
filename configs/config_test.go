package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleLoads(t *testing.T) {
	c, err := Load("example.json")
	if err != nil {
		t.Fatalf("Load(example.json): %v", err)
	}
	if got := c.Clearinghouses[0].GS.SenderCode; got != "CEDARVALLEYMG" {
		t.Errorf("GS02 default: got %q, want the ISA06", got)
	}
}

func TestDefaultsAreValidJSON(t *testing.T) {
	if _, err := Default(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejects(t *testing.T) {
	base, err := os.ReadFile("example.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		old, new  string
		wantInErr []string
	}{
		{"unknown key", `"dir":`, `"direktory": "x", "dir":`, []string{"unknown field", "direktory"}},
		{"bad store driver", `"driver": "sqlite"`, `"driver": "mysql"`, []string{"store.driver"}},
		{"no host key pin", `"known_hosts_file": "/etc/claims/known_hosts",`, ``, []string{"clearinghouses[0].transport.sftp", "pin the host key"}},
		{"bad usage", `"usage": "P"`, `"usage": "X"`, []string{"clearinghouses[0].isa.usage"}},
		{"bad cron", `"0 21 * * 1-5"`, `"99 99 * * *"`, []string{"schedule.submit"}},
		{"bad qualifier", `"sender_qualifier": "ZZ"`, `"sender_qualifier": "Q"`, []string{"isa.sender_qualifier"}},
		{"bad pattern", `"*.835"`, `"a/*.835"`, []string{"patterns[3]"}},
		{"bad duration", `"15s"`, `"fifteen"`, []string{"invalid duration", "fifteen"}},
		{"too many claims per set", `"max_claims_per_set": 1000`, `"max_claims_per_set": 9000`, []string{"max_claims_per_set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := string(base)
			if !strings.Contains(text, tt.old) {
				t.Fatalf("example.json lacks %q", tt.old)
			}
			path := filepath.Join(t.TempDir(), "c.json")
			if err := os.WriteFile(path, []byte(strings.Replace(text, tt.old, tt.new, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load accepted a bad configuration")
			}
			for _, w := range tt.wantInErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestStringHoldsNoSecretValues(t *testing.T) {
	t.Setenv("CLAIMS_AVAILITY_KEY_PASSPHRASE", "hunter2-secret")
	c, err := Load("example.json")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "hunter2-secret") || !strings.Contains(s, "CLAIMS_AVAILITY_KEY_PASSPHRASE") {
		t.Errorf("String must name the secret's variable, never its value:\n%s", s)
	}
}
