package sftp

import (
	"fmt"
	"log/slog"
	"strings"

	"go.uber.org/zap/zapcore"
)

// authSummary describes the configured credentials by their sources.
func (c Config) authSummary() string {
	var parts []string
	if c.KeyFile != "" {
		s := "key file " + c.KeyFile
		switch {
		case c.KeyPassphraseEnv != "":
			s += " (passphrase from env " + c.KeyPassphraseEnv + ")"
		case c.KeyPassphraseFile != "":
			s += " (passphrase from file " + c.KeyPassphraseFile + ")"
		}
		parts = append(parts, s)
	}
	switch {
	case c.PasswordEnv != "":
		parts = append(parts, "password from env "+c.PasswordEnv)
	case c.PasswordFile != "":
		parts = append(parts, "password from file "+c.PasswordFile)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (c Config) hostKeySummary() string {
	switch {
	case c.InsecureIgnoreHostKey:
		return "NOT VERIFIED (InsecureIgnoreHostKey)"
	case c.KnownHostsFile != "":
		return "known_hosts " + c.KnownHostsFile
	case c.HostKeyFingerprint != "":
		return "pinned " + c.HostKeyFingerprint
	}
	return "none"
}

// String describes c for humans. Credentials appear only as the names of
// their sources (environment variable or file); a Config holds no secret.
func (c Config) String() string {
	return fmt.Sprintf("sftp %q %s@%s auth=[%s] hostkey=[%s] upload=%q response=%q archive=%q error=%q after_pickup=%s patterns=%q",
		c.Name, c.User, c.Addr(), c.authSummary(), c.hostKeySummary(),
		c.UploadDir, c.ResponseDir, c.ArchiveDir, c.ErrorDir, c.AfterPickup, c.Patterns)
}

// GoString makes %#v print the same as String.
func (c Config) GoString() string { return c.String() }

// LogValue renders c for log/slog without secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("addr", c.Addr()),
		slog.String("user", c.User),
		slog.String("auth", c.authSummary()),
		slog.String("host_key", c.hostKeySummary()),
		slog.String("upload_dir", c.UploadDir),
		slog.String("response_dir", c.ResponseDir),
		slog.String("archive_dir", c.ArchiveDir),
		slog.String("error_dir", c.ErrorDir),
		slog.String("after_pickup", string(c.AfterPickup)),
		slog.Any("patterns", c.Patterns),
	)
}

// MarshalLogObject renders c for zap.Object without secrets.
func (c Config) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", c.Name)
	enc.AddString("addr", c.Addr())
	enc.AddString("user", c.User)
	enc.AddString("auth", c.authSummary())
	enc.AddString("host_key", c.hostKeySummary())
	enc.AddString("upload_dir", c.UploadDir)
	enc.AddString("response_dir", c.ResponseDir)
	enc.AddString("archive_dir", c.ArchiveDir)
	enc.AddString("error_dir", c.ErrorDir)
	enc.AddString("after_pickup", string(c.AfterPickup))
	enc.AddString("patterns", strings.Join(c.Patterns, ","))
	return nil
}
