package sftp

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func validConfig() Config {
	return Config{
		Name:               "acme",
		Host:               "sftp.example.com",
		User:               "claims",
		PasswordEnv:        "ACME_SFTP_PASSWORD",
		HostKeyFingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
		UploadDir:          "/inbound",
		ResponseDir:        "/outbound",
		Patterns:           []string{"*.999", "*.835"},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr []string // substrings; nil means valid
	}{
		{"valid", func(*Config) {}, nil},
		{"valid key and known_hosts", func(c *Config) {
			c.PasswordEnv, c.KeyFile, c.KeyPassphraseFile = "", "/keys/id", "/keys/pass"
			c.HostKeyFingerprint, c.KnownHostsFile = "", "/etc/claims/known_hosts"
		}, nil},
		{"valid insecure", func(c *Config) { c.HostKeyFingerprint, c.InsecureIgnoreHostKey = "", true }, nil},
		{"valid move", func(c *Config) { c.AfterPickup, c.ArchiveDir = DisposalMove, "/archive" }, nil},
		{"empty", func(c *Config) { *c = Config{} }, []string{"Name: is required", "Host: is required", "User: is required",
			"KeyFile: or PasswordEnv", "KnownHostsFile: or HostKeyFingerprint", "UploadDir: is required", "ResponseDir: is required"}},
		{"bad host", func(c *Config) { c.Host = "user@host" }, []string{"Host:"}},
		{"bad port", func(c *Config) { c.Port = 70000 }, []string{"Port: must be between 1 and 65535, got 70000"}},
		{"both passwords", func(c *Config) { c.PasswordFile = "/p" }, []string{"PasswordEnv: and PasswordFile are mutually exclusive"}},
		{"bad env name", func(c *Config) { c.PasswordEnv = "not a name" }, []string{"PasswordEnv: \"not a name\" is not an environment variable name"}},
		{"passphrase without key", func(c *Config) { c.KeyPassphraseEnv = "X" }, []string{"KeyPassphraseEnv: is set but KeyFile is empty"}},
		{"both passphrases", func(c *Config) { c.KeyFile, c.KeyPassphraseEnv, c.KeyPassphraseFile = "/k", "X", "/p" },
			[]string{"KeyPassphraseEnv: and KeyPassphraseFile are mutually exclusive"}},
		{"two pins", func(c *Config) { c.KnownHostsFile = "/kh" }, []string{"KnownHostsFile: and HostKeyFingerprint are mutually exclusive"}},
		{"insecure with pin", func(c *Config) { c.InsecureIgnoreHostKey = true }, []string{"InsecureIgnoreHostKey: cannot be combined"}},
		{"bad fingerprint prefix", func(c *Config) { c.HostKeyFingerprint = "MD5:aa:bb" }, []string{"HostKeyFingerprint:", "SHA256:"}},
		{"bad fingerprint", func(c *Config) { c.HostKeyFingerprint = "SHA256:abc" }, []string{"HostKeyFingerprint: \"SHA256:abc\" is not a SHA256 fingerprint"}},
		{"move without archive", func(c *Config) { c.AfterPickup = DisposalMove }, []string{"ArchiveDir: is required when AfterPickup is \"move\""}},
		{"archive is response", func(c *Config) { c.AfterPickup, c.ArchiveDir = DisposalMove, "/outbound/" }, []string{"ArchiveDir: must differ from ResponseDir"}},
		{"bad disposal", func(c *Config) { c.AfterPickup = "shred" }, []string{"AfterPickup: must be"}},
		{"bad pattern", func(c *Config) { c.Patterns = []string{"[", "a/*"} }, []string{"Patterns[0]:", "Patterns[1]:"}},
		{"negative timeout", func(c *Config) { c.OpTimeout = -1 }, []string{"OpTimeout: must not be negative"}},
		{"negative attempts", func(c *Config) { c.MaxAttempts = -1 }, []string{"MaxAttempts: must not be negative"}},
		{"base over max", func(c *Config) { c.BaseDelay = DefaultMaxDelay * 2 }, []string{"BaseDelay:", "exceeds MaxDelay"}},
		{"control char in dir", func(c *Config) { c.UploadDir = "/in\nbox" }, []string{"UploadDir:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.mod(&cfg)
			err := cfg.Validate()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestNewReadsCredentials(t *testing.T) {
	cfg := validConfig()
	cfg.PasswordEnv = "CLAIMS_TEST_SURELY_UNSET"
	_, err := New(cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "CLAIMS_TEST_SURELY_UNSET") {
		t.Fatalf("New = %v; want an error naming the unset variable", err)
	}
	cfg.PasswordEnv, cfg.PasswordFile = "", filepath.Join(t.TempDir(), "missing")
	if _, err := New(cfg, nil); err == nil {
		t.Fatal("New with a missing password file succeeded")
	}
}

// TestSecretsNeverPrinted sets a password and checks that no rendering of
// the Config or Client, and no error, contains it.
func TestSecretsNeverPrinted(t *testing.T) {
	const secret = "hunter2-very-secret"
	t.Setenv("CLAIMS_TEST_PW", secret)
	cfg := validConfig()
	cfg.PasswordEnv = "CLAIMS_TEST_PW"
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var zapOut bytes.Buffer
	zl := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&zapOut), zap.DebugLevel))
	zl.Info("config", zap.Object("sftp", cfg))
	var slogOut bytes.Buffer
	slog.New(slog.NewJSONHandler(&slogOut, nil)).Info("config", "sftp", cfg)

	renderings := map[string]string{
		"String": cfg.String(),
		"%v":     fmt.Sprintf("%v", cfg),
		"%+v":    fmt.Sprintf("%+v", cfg),
		"%#v":    fmt.Sprintf("%#v", cfg),
		"zap":    zapOut.String(),
		"slog":   slogOut.String(),
		"client": fmt.Sprintf("%v %+v", c.Config(), c.Config()),
	}
	for name, s := range renderings {
		if strings.Contains(s, secret) {
			t.Errorf("%s rendering contains the password: %s", name, s)
		}
		if !strings.Contains(s, "CLAIMS_TEST_PW") {
			t.Errorf("%s rendering does not say where the password comes from: %s", name, s)
		}
	}
}
