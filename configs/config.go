// Package configs loads and validates the processor's configuration: a
// JSON file decoded strictly (unknown keys are errors) over embedded
// defaults, validated in cascade with the path of every bad field in the
// message. Secrets never appear in a config: passwords and passphrases are
// named by an environment variable or a file, and String masks them.
package configs

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

//go:embed defaults.json
var defaultsJSON []byte

// Config is the whole configuration.
type Config struct {
	// Dir is the working folder: outbox, inbox and the SQLite database.
	Dir string `json:"dir"`
	// Store selects the database.
	Store Store `json:"store"`
	// Encounters lists the encounter files (JSON Lines or CSV) that
	// Submit reads, as paths or globs.
	Encounters []string `json:"encounters"`
	// Intake configures how encounter updates are taken.
	Intake Intake `json:"intake"`
	// Schedule holds the daemon's cron specifications.
	Schedule Schedule `json:"schedule"`
	// Log configures logging.
	Log Log `json:"log"`
	// Clearinghouses are the trading partners.
	Clearinghouses []Clearinghouse `json:"clearinghouses"`
	// Web configures the billing specialists' web UI (claims serve).
	Web Web `json:"web"`
	// TimelyFiling is how many days after the date of service payers
	// take claims; the work queue shows the days left.
	TimelyFiling TimelyFiling `json:"timely_filing"`
}

// Web configures the web UI.
type Web struct {
	// Listen is the address to serve on (default 127.0.0.1:8080).
	Listen string `json:"listen"`
	// IdleTimeout signs a user out after that long without a request
	// (default 15m).
	IdleTimeout Duration `json:"idle_timeout"`
	// TLSCertFile and TLSKeyFile serve HTTPS (and mark the session
	// cookie Secure). SecureCookies marks it Secure without them, for a
	// TLS proxy in front.
	TLSCertFile   string `json:"tls_cert_file"`
	TLSKeyFile    string `json:"tls_key_file"`
	SecureCookies bool   `json:"secure_cookies"`
}

// TimelyFiling is the timely-filing limit, in days after the date of
// service: a default and per payer ID.
type TimelyFiling struct {
	DefaultDays int            `json:"default_days"`
	Payers      map[string]int `json:"payers"`
}

// Store selects and locates the database.
type Store struct {
	// Driver is "sqlite" (default) or "postgres".
	Driver string `json:"driver"`
	// Path is the SQLite file, relative to Dir when not absolute.
	Path string `json:"path"`
	// URLEnv names the environment variable that holds the PostgreSQL
	// URL (which may carry a password, so it is not written here).
	URLEnv string `json:"url_env"`
}

// Intake configures intake.
type Intake struct {
	// ReplaceAdjudicated makes an encounter that comes again with changes,
	// for a claim the payer already adjudicated, a replacement claim (7)
	// at once. Off (the default), a work item lists the changes for a
	// person to decide.
	ReplaceAdjudicated bool `json:"replace_adjudicated"`
}

// Schedule holds cron specifications (five fields, or descriptors such as
// "@hourly").
type Schedule struct {
	Submit  string `json:"submit"`
	Collect string `json:"collect"`
}

// Log configures logging.
type Log struct {
	Level  string `json:"level"`  // debug, info, warn, error
	Format string `json:"format"` // json or console
}

// Clearinghouse is one trading partner.
type Clearinghouse struct {
	Name string `json:"name"`
	// Payers routes these payer IDs here; empty makes this the default.
	Payers []string `json:"payers"`
	// ResponseSenders are more interchange sender IDs (ISA06) the
	// clearinghouse sends responses from, besides isa.receiver_id.
	// Responses from anyone else are quarantined.
	ResponseSenders []string `json:"response_senders"`
	SplitByPayer    bool     `json:"split_by_payer"`
	MaxClaimsPerSet int      `json:"max_claims_per_set"`
	// FileName is the outbound file name pattern; see pipeline.Partner.
	FileName          string    `json:"file_name"`
	MaxUploadAttempts int       `json:"max_upload_attempts"`
	ISA               ISA       `json:"isa"`
	GS                GS        `json:"gs"`
	Submitter         Submitter `json:"submitter"`
	ReceiverName      string    `json:"receiver_name"`
	Transport         Transport `json:"transport"`
}

// ISA is the interchange addressing.
type ISA struct {
	SenderQualifier   string `json:"sender_qualifier"`
	SenderID          string `json:"sender_id"`
	ReceiverQualifier string `json:"receiver_qualifier"`
	ReceiverID        string `json:"receiver_id"`
	Usage             string `json:"usage"`         // P or T
	AckRequested      string `json:"ack_requested"` // 0 or 1
}

// GS is the functional group addressing; empty codes default to the ISA
// IDs.
type GS struct {
	SenderCode   string `json:"sender_code"`
	ReceiverCode string `json:"receiver_code"`
}

// Submitter is the 837 loop 1000A contact.
type Submitter struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
}

// Transport selects how files move.
type Transport struct {
	// Type is "sftp" or "localdir".
	Type     string    `json:"type"`
	SFTP     *SFTP     `json:"sftp,omitempty"`
	LocalDir *LocalDir `json:"localdir,omitempty"`
}

// SFTP is an SFTP account. Exactly one host-key pin is required unless
// insecure_ignore_host_key is set (development only).
type SFTP struct {
	Host                  string   `json:"host"`
	Port                  int      `json:"port"`
	User                  string   `json:"user"`
	KeyFile               string   `json:"key_file"`
	KeyPassphraseEnv      string   `json:"key_passphrase_env"`
	KeyPassphraseFile     string   `json:"key_passphrase_file"`
	PasswordEnv           string   `json:"password_env"`
	PasswordFile          string   `json:"password_file"`
	KnownHostsFile        string   `json:"known_hosts_file"`
	HostKeyFingerprint    string   `json:"host_key_fingerprint"`
	InsecureIgnoreHostKey bool     `json:"insecure_ignore_host_key"`
	UploadDir             string   `json:"upload_dir"`
	ResponseDir           string   `json:"response_dir"`
	ArchiveDir            string   `json:"archive_dir"`
	AfterPickup           string   `json:"after_pickup"`
	Patterns              []string `json:"patterns"`
	DialTimeout           Duration `json:"dial_timeout"`
	HandshakeTimeout      Duration `json:"handshake_timeout"`
	OpTimeout             Duration `json:"op_timeout"`
	MaxAttempts           int      `json:"max_attempts"`
	BaseDelay             Duration `json:"base_delay"`
	MaxDelay              Duration `json:"max_delay"`
}

// LocalDir is a folder-based transport for development.
type LocalDir struct {
	UploadDir   string   `json:"upload_dir"`
	ResponseDir string   `json:"response_dir"`
	ArchiveDir  string   `json:"archive_dir"`
	AfterPickup string   `json:"after_pickup"`
	Patterns    []string `json:"patterns"`
}

// Duration is a time.Duration written as a string such as "30s".
type Duration time.Duration

// UnmarshalJSON parses "30s", "2m", ...
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: use a string such as \"30s\" or \"2m\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Default returns the embedded default configuration.
func Default() (*Config, error) {
	var c Config
	if err := decodeStrict(bytes.NewReader(defaultsJSON), &c); err != nil {
		return nil, fmt.Errorf("embedded defaults: %w", err)
	}
	return &c, nil
}

// Load reads a configuration file over the embedded defaults and
// validates it.
func Load(file string) (*Config, error) {
	c, err := Default()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if err := decodeStrict(f, c); err != nil {
		return nil, fmt.Errorf("config %s: %w", file, err)
	}
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", file, err)
	}
	return c, nil
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// applyDefaults fills per-clearinghouse defaults.
func (c *Config) applyDefaults() {
	if c.Store.Driver == "" {
		c.Store.Driver = "sqlite"
	}
	if c.Web.Listen == "" {
		c.Web.Listen = "127.0.0.1:8080"
	}
	for i := range c.Clearinghouses {
		ch := &c.Clearinghouses[i]
		if ch.GS.SenderCode == "" {
			ch.GS.SenderCode = ch.ISA.SenderID
		}
		if ch.GS.ReceiverCode == "" {
			ch.GS.ReceiverCode = ch.ISA.ReceiverID
		}
		if ch.ISA.Usage == "" {
			ch.ISA.Usage = "P"
		}
		if ch.ISA.AckRequested == "" {
			ch.ISA.AckRequested = "0"
		}
	}
}

var (
	isaID    = regexp.MustCompile(`^[A-Za-z0-9 ]{1,15}$`)
	isaQual  = regexp.MustCompile(`^(01|14|20|27|28|29|30|33|ZZ)$`)
	gsCode   = regexp.MustCompile(`^[A-Za-z0-9]{2,15}$`)
	partName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
)

// Validate checks the whole configuration and reports every problem, each
// with the path of its field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Dir == "" {
		bad("dir", "required")
	}
	switch c.Store.Driver {
	case "sqlite":
		if c.Store.Path == "" {
			bad("store.path", "required for sqlite")
		}
	case "postgres":
		if c.Store.URLEnv == "" {
			bad("store.url_env", "required for postgres: name the environment variable that holds the URL")
		}
	default:
		bad("store.driver", "%q is not sqlite or postgres", c.Store.Driver)
	}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for field, spec := range map[string]string{"schedule.submit": c.Schedule.Submit, "schedule.collect": c.Schedule.Collect} {
		if spec == "" {
			continue
		}
		if _, err := parser.Parse(spec); err != nil {
			bad(field, "%v", err)
		}
	}
	switch c.Log.Level {
	case "", "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "", "json", "console":
	default:
		bad("log.format", "%q is not json or console", c.Log.Format)
	}
	if len(c.Clearinghouses) == 0 {
		bad("clearinghouses", "at least one is required")
	}
	names := map[string]bool{}
	defaults := 0
	for i, ch := range c.Clearinghouses {
		p := fmt.Sprintf("clearinghouses[%d]", i)
		if !partName.MatchString(ch.Name) {
			bad(p+".name", "%q must be 1-40 lower-case letters, digits, '-' or '_'", ch.Name)
		} else if names[ch.Name] {
			bad(p+".name", "%q is used twice", ch.Name)
		}
		names[ch.Name] = true
		if len(ch.Payers) == 0 {
			defaults++
		}
		errs = append(errs, ch.validate(p)...)
	}
	if defaults > 1 {
		bad("clearinghouses", "only one clearinghouse may omit payers (the default route)")
	}
	if c.Web.Listen != "" {
		if _, port, err := net.SplitHostPort(c.Web.Listen); err != nil {
			bad("web.listen", "%q is not host:port", c.Web.Listen)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("web.listen", "port %q is not 0-65535", port)
		}
	}
	if d := time.Duration(c.Web.IdleTimeout); d < 0 || (d > 0 && d < time.Minute) || d > 12*time.Hour {
		bad("web.idle_timeout", "%s is not between 1m and 12h", d)
	}
	if (c.Web.TLSCertFile == "") != (c.Web.TLSKeyFile == "") {
		bad("web", "tls_cert_file and tls_key_file go together")
	}
	for field, f := range map[string]string{"web.tls_cert_file": c.Web.TLSCertFile, "web.tls_key_file": c.Web.TLSKeyFile} {
		if f == "" {
			continue
		}
		if fh, err := os.Open(f); err != nil {
			bad(field, "cannot be read: %v", err)
		} else {
			fh.Close()
		}
	}
	if c.TimelyFiling.DefaultDays < 0 || c.TimelyFiling.DefaultDays > 3650 {
		bad("timely_filing.default_days", "%d is not 0 (90) to 3650", c.TimelyFiling.DefaultDays)
	}
	for id, d := range c.TimelyFiling.Payers {
		if d <= 0 || d > 3650 {
			bad(fmt.Sprintf("timely_filing.payers[%q]", id), "%d is not 1 to 3650 days", d)
		}
	}
	return errors.Join(errs...)
}

func (ch *Clearinghouse) validate(p string) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", p, field, fmt.Sprintf(format, args...)))
	}
	if !isaQual.MatchString(ch.ISA.SenderQualifier) {
		bad("isa.sender_qualifier", "%q is not a valid ISA05 qualifier", ch.ISA.SenderQualifier)
	}
	if !isaQual.MatchString(ch.ISA.ReceiverQualifier) {
		bad("isa.receiver_qualifier", "%q is not a valid ISA07 qualifier", ch.ISA.ReceiverQualifier)
	}
	if !isaID.MatchString(ch.ISA.SenderID) {
		bad("isa.sender_id", "must be 1-15 letters, digits or spaces")
	}
	if !isaID.MatchString(ch.ISA.ReceiverID) {
		bad("isa.receiver_id", "must be 1-15 letters, digits or spaces")
	}
	if ch.ISA.Usage != "P" && ch.ISA.Usage != "T" {
		bad("isa.usage", "%q is not P or T", ch.ISA.Usage)
	}
	if ch.ISA.AckRequested != "0" && ch.ISA.AckRequested != "1" {
		bad("isa.ack_requested", "%q is not 0 or 1", ch.ISA.AckRequested)
	}
	if !gsCode.MatchString(ch.GS.SenderCode) {
		bad("gs.sender_code", "must be 2-15 letters or digits")
	}
	if !gsCode.MatchString(ch.GS.ReceiverCode) {
		bad("gs.receiver_code", "must be 2-15 letters or digits")
	}
	if ch.Submitter.Name == "" {
		bad("submitter.name", "required (837 loop 1000A)")
	}
	if ch.Submitter.Phone == "" && ch.Submitter.Email == "" {
		bad("submitter", "a phone or an email is required (837 PER*IC)")
	}
	if ch.ReceiverName == "" {
		bad("receiver_name", "required (837 loop 1000B)")
	}
	for i, id := range ch.ResponseSenders {
		if !isaID.MatchString(id) {
			bad(fmt.Sprintf("response_senders[%d]", i), "must be 1-15 letters, digits or spaces")
		}
	}
	if ch.MaxClaimsPerSet < 0 || ch.MaxClaimsPerSet > 5000 {
		bad("max_claims_per_set", "%d is not between 1 and 5000", ch.MaxClaimsPerSet)
	}
	switch ch.Transport.Type {
	case "sftp":
		if ch.Transport.SFTP == nil {
			bad("transport.sftp", "required when type is sftp")
			break
		}
		s := ch.Transport.SFTP
		if s.Host == "" || s.User == "" {
			bad("transport.sftp", "host and user are required")
		}
		if s.UploadDir == "" || s.ResponseDir == "" {
			bad("transport.sftp", "upload_dir and response_dir are required")
		}
		pins := 0
		if s.KnownHostsFile != "" {
			pins++
		}
		if s.HostKeyFingerprint != "" {
			pins++
		}
		if pins == 0 && !s.InsecureIgnoreHostKey {
			bad("transport.sftp", "pin the host key with known_hosts_file or host_key_fingerprint")
		}
		if pins > 1 {
			bad("transport.sftp", "use one of known_hosts_file and host_key_fingerprint")
		}
		if s.KeyFile == "" && s.PasswordEnv == "" && s.PasswordFile == "" {
			bad("transport.sftp", "set key_file, password_env or password_file")
		}
		errs = append(errs, checkPatterns(p+".transport.sftp.patterns", s.Patterns)...)
	case "localdir":
		if ch.Transport.LocalDir == nil {
			bad("transport.localdir", "required when type is localdir")
			break
		}
		l := ch.Transport.LocalDir
		if l.UploadDir == "" || l.ResponseDir == "" {
			bad("transport.localdir", "upload_dir and response_dir are required")
		}
		errs = append(errs, checkPatterns(p+".transport.localdir.patterns", l.Patterns)...)
	default:
		bad("transport.type", "%q is not sftp or localdir", ch.Transport.Type)
	}
	return errs
}

func checkPatterns(field string, pats []string) []error {
	var errs []error
	for i, pat := range pats {
		if _, err := path.Match(pat, ""); err != nil || strings.Contains(pat, "/") {
			errs = append(errs, fmt.Errorf("%s[%d]: %q is not a file name pattern", field, i, pat))
		}
	}
	return errs
}

// String renders the configuration as JSON. It holds no secrets (only the
// names of the variables and files that hold them), so it is safe to log.
func (c *Config) String() string {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "config: " + err.Error()
	}
	return string(b)
}
