// Package configs loads and validates the processor's configuration: a
// YAML file (JSON is YAML too) decoded strictly over embedded defaults and
// checked as far as can be without the network. Every problem is reported
// at once, each with the path of its key ("clearinghouses[0].transport.
// sftp.port") and its line in the file. Secrets never appear in a config:
// passwords, passphrases and the PostgreSQL URL are named by an
// environment variable or a file, and the rendering masks them anyway.
package configs

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// Config is the whole configuration.
type Config struct {
	// Dir is the working folder: outbox, inbox and the SQLite database.
	Dir string `json:"dir" yaml:"dir"`
	// Store selects the database.
	Store Store `json:"store" yaml:"store"`
	// Encounters lists the encounter files (JSON Lines or CSV) that
	// Submit reads, as paths or globs.
	Encounters []string `json:"encounters" yaml:"encounters"`
	// Intake configures how encounter updates are taken.
	Intake Intake `json:"intake" yaml:"intake"`
	// Schedule holds the daemon's cron specifications.
	Schedule Schedule `json:"schedule" yaml:"schedule"`
	// Daemon configures the long-running daemon (claims run).
	Daemon Daemon `json:"daemon" yaml:"daemon"`
	// Instance names this process among several sharing one PostgreSQL
	// database, and times the leases of the work they share.
	Instance Instance `json:"instance" yaml:"instance"`
	// Log configures logging.
	Log Log `json:"log" yaml:"log"`
	// Clearinghouses are the trading partners.
	Clearinghouses []Clearinghouse `json:"clearinghouses" yaml:"clearinghouses"`
	// Web configures the billing specialists' web UI (claims serve).
	Web Web `json:"web" yaml:"web"`
	// TimelyFiling is how many days after the date of service payers
	// take claims; the work queue shows the days left.
	TimelyFiling TimelyFiling `json:"timely_filing" yaml:"timely_filing"`
	// COB configures coordination of benefits (secondary claims).
	COB COB `json:"cob" yaml:"cob"`
}

// COB configures coordination of benefits.
type COB struct {
	// Secondary says when the claim to a patient's next payer is built
	// after the primary's 835 posts: "auto" at once, or "on_request"
	// (default): a work item says it is due, and claims secondary build
	// makes it.
	Secondary string `json:"secondary" yaml:"secondary"`
}

// Web configures the web UI.
type Web struct {
	// Listen is the address to serve on (default 127.0.0.1:8080).
	Listen string `json:"listen" yaml:"listen"`
	// IdleTimeout signs a user out after that long without a request
	// (default 15m).
	IdleTimeout Duration `json:"idle_timeout" yaml:"idle_timeout"`
	// TLSCertFile and TLSKeyFile serve HTTPS (and mark the session
	// cookie Secure). SecureCookies marks it Secure without them, for a
	// TLS proxy in front.
	TLSCertFile   string `json:"tls_cert_file" yaml:"tls_cert_file"`
	TLSKeyFile    string `json:"tls_key_file" yaml:"tls_key_file"`
	SecureCookies bool   `json:"secure_cookies" yaml:"secure_cookies"`
}

// Daemon configures claims run.
type Daemon struct {
	// Listen is where the daemon serves /healthz, /readyz and /metrics
	// (default 127.0.0.1:9464).
	Listen string `json:"listen" yaml:"listen"`
}

// Instance configures how an instance shares work with the others on the
// same database: batches to upload and response files to apply are
// leased one at a time.
type Instance struct {
	// Name appears in the leases this instance takes (default: the host
	// name). The process ID is added, so that instances may share it.
	Name string `json:"name" yaml:"name"`
	// Lease is how long a lease lasts unless renewed, which happens
	// every third of it while the work goes on (default 30s): the work of
	// an instance that died waits that long before another takes it over.
	Lease Duration `json:"lease" yaml:"lease"`
}

// TimelyFiling is the timely-filing limit, in days after the date of
// service: a default and per payer ID.
type TimelyFiling struct {
	DefaultDays int            `json:"default_days" yaml:"default_days"`
	Payers      map[string]int `json:"payers" yaml:"payers"`
}

// Store selects and locates the database.
type Store struct {
	// Driver is "sqlite" (default) or "postgres".
	Driver string `json:"driver" yaml:"driver"`
	// Path is the SQLite file, relative to Dir when not absolute.
	Path string `json:"path" yaml:"path"`
	// URLEnv names the environment variable that holds the PostgreSQL
	// URL (which may carry a password, so it is not written here).
	URLEnv string `json:"url_env" yaml:"url_env"`
}

// Intake configures intake.
type Intake struct {
	// ReplaceAdjudicated makes an encounter that comes again with changes,
	// for a claim the payer already adjudicated, a replacement claim (7)
	// at once. Off (the default), a work item lists the changes for a
	// person to decide.
	ReplaceAdjudicated bool `json:"replace_adjudicated" yaml:"replace_adjudicated"`
	// BatchSize is how many encounters intake records in one
	// transaction, and how many ready claims the build reads at a time
	// (1 to 100000; 0 is the default, 500). Memory grows with it, not
	// with the night's volume.
	BatchSize int `json:"batch_size" yaml:"batch_size"`
}

// Schedule holds cron specifications: five fields or a descriptor such as
// "@hourly" or "@every 15m", optionally after "CRON_TZ=Zone " (an IANA
// time zone; the machine's zone otherwise). Empty runs the job never.
type Schedule struct {
	Submit  string `json:"submit" yaml:"submit"`
	Collect string `json:"collect" yaml:"collect"`
}

// Log configures logging. The environment variable CLAIMS_LOG_LEVEL, when
// set, overrides Level for every command.
type Log struct {
	Level  string `json:"level" yaml:"level"`   // debug, info, warn, error
	Format string `json:"format" yaml:"format"` // json or console
}

// Clearinghouse is one trading partner.
type Clearinghouse struct {
	Name string `json:"name" yaml:"name"`
	// Payers routes these payer IDs here; empty makes this the default.
	Payers []string `json:"payers" yaml:"payers"`
	// ResponseSenders are more interchange sender IDs (ISA06) the
	// clearinghouse sends responses from, besides isa.receiver_id.
	// Responses from anyone else are quarantined.
	ResponseSenders []string `json:"response_senders" yaml:"response_senders"`
	SplitByPayer    bool     `json:"split_by_payer" yaml:"split_by_payer"`
	MaxClaimsPerSet int      `json:"max_claims_per_set" yaml:"max_claims_per_set"`
	// FileName is the outbound file name pattern; see pipeline.Partner.
	FileName          string    `json:"file_name" yaml:"file_name"`
	MaxUploadAttempts int       `json:"max_upload_attempts" yaml:"max_upload_attempts"`
	ISA               ISA       `json:"isa" yaml:"isa"`
	GS                GS        `json:"gs" yaml:"gs"`
	Submitter         Submitter `json:"submitter" yaml:"submitter"`
	ReceiverName      string    `json:"receiver_name" yaml:"receiver_name"`
	// Overdue says when a missing response opens a work item.
	Overdue   Overdue   `json:"overdue" yaml:"overdue"`
	Transport Transport `json:"transport" yaml:"transport"`
}

// Overdue are the waits after which a missing response needs a person.
// Zero disables one; Load applies 24 hours, 3 days and 30 days to a
// clearinghouse that leaves them out.
type Overdue struct {
	// AckHours: an uploaded batch with no TA1 or 999 after that many
	// hours.
	AckHours int `json:"ack_hours" yaml:"ack_hours"`
	// AcknowledgmentDays: a claim accepted by the 999 with no 277CA after
	// that many days.
	AcknowledgmentDays int `json:"acknowledgment_days" yaml:"acknowledgment_days"`
	// PaymentDays: a claim accepted by the 277CA with no 835 after that
	// many days.
	PaymentDays int `json:"payment_days" yaml:"payment_days"`
}

// ISA is the interchange addressing.
type ISA struct {
	SenderQualifier   string `json:"sender_qualifier" yaml:"sender_qualifier"`
	SenderID          string `json:"sender_id" yaml:"sender_id"`
	ReceiverQualifier string `json:"receiver_qualifier" yaml:"receiver_qualifier"`
	ReceiverID        string `json:"receiver_id" yaml:"receiver_id"`
	Usage             string `json:"usage" yaml:"usage"`                 // P or T
	AckRequested      string `json:"ack_requested" yaml:"ack_requested"` // 0 or 1
}

// GS is the functional group addressing; empty codes default to the ISA
// IDs.
type GS struct {
	SenderCode   string `json:"sender_code" yaml:"sender_code"`
	ReceiverCode string `json:"receiver_code" yaml:"receiver_code"`
}

// Submitter is the 837 loop 1000A contact.
type Submitter struct {
	Name    string `json:"name" yaml:"name"`
	Contact string `json:"contact" yaml:"contact"`
	Phone   string `json:"phone" yaml:"phone"`
	Email   string `json:"email" yaml:"email"`
}

// Transport selects how files move.
type Transport struct {
	// Type is "sftp" or "localdir".
	Type     string    `json:"type" yaml:"type"`
	SFTP     *SFTP     `json:"sftp,omitempty" yaml:"sftp,omitempty"`
	LocalDir *LocalDir `json:"localdir,omitempty" yaml:"localdir,omitempty"`
}

// MaxDownload returns the selected transport's largest response file
// (DefaultMaxDownloadSize when the selected section is missing).
func (t Transport) MaxDownload() int64 {
	switch {
	case t.Type == "sftp" && t.SFTP != nil:
		return int64(t.SFTP.MaxDownloadSize)
	case t.Type == "localdir" && t.LocalDir != nil:
		return int64(t.LocalDir.MaxDownloadSize)
	}
	return DefaultMaxDownloadSize
}

// Pickup returns the selected transport's settle time and done-marker
// suffix (zero values when the selected section is missing).
func (t Transport) Pickup() (settle time.Duration, doneSuffix string) {
	switch {
	case t.Type == "sftp" && t.SFTP != nil:
		return time.Duration(t.SFTP.Settle), t.SFTP.DoneSuffix
	case t.Type == "localdir" && t.LocalDir != nil:
		return time.Duration(t.LocalDir.Settle), t.LocalDir.DoneSuffix
	}
	return 0, ""
}

// SFTP is an SFTP account. Exactly one host-key pin is required unless
// insecure_ignore_host_key is set (development only).
type SFTP struct {
	Host                  string   `json:"host" yaml:"host"`
	Port                  int      `json:"port" yaml:"port"`
	User                  string   `json:"user" yaml:"user"`
	KeyFile               string   `json:"key_file" yaml:"key_file"`
	KeyPassphraseEnv      string   `json:"key_passphrase_env" yaml:"key_passphrase_env"`
	KeyPassphraseFile     string   `json:"key_passphrase_file" yaml:"key_passphrase_file"`
	PasswordEnv           string   `json:"password_env" yaml:"password_env"`
	PasswordFile          string   `json:"password_file" yaml:"password_file"`
	KnownHostsFile        string   `json:"known_hosts_file" yaml:"known_hosts_file"`
	HostKeyFingerprint    string   `json:"host_key_fingerprint" yaml:"host_key_fingerprint"`
	InsecureIgnoreHostKey bool     `json:"insecure_ignore_host_key" yaml:"insecure_ignore_host_key"`
	UploadDir             string   `json:"upload_dir" yaml:"upload_dir"`
	ResponseDir           string   `json:"response_dir" yaml:"response_dir"`
	ArchiveDir            string   `json:"archive_dir" yaml:"archive_dir"`
	ErrorDir              string   `json:"error_dir" yaml:"error_dir"`
	AfterPickup           string   `json:"after_pickup" yaml:"after_pickup"`
	Patterns              []string `json:"patterns" yaml:"patterns"`
	// Settle is how long a response file's size must stay the same
	// across two listings before it is taken (default 10s; 0s takes it
	// at once).
	Settle Duration `json:"settle" yaml:"settle"`
	// DoneSuffix, when set (".done"), takes a response file only once a
	// marker named after it with this suffix is listed too.
	DoneSuffix string `json:"done_suffix" yaml:"done_suffix"`
	// MaxDownloadSize is the largest response file collect downloads
	// (default 2GiB): a larger one is left on the server, set aside
	// (moved to error_dir) when it can be, with a work item.
	MaxDownloadSize  ByteSize `json:"max_download_size" yaml:"max_download_size"`
	DialTimeout      Duration `json:"dial_timeout" yaml:"dial_timeout"`
	HandshakeTimeout Duration `json:"handshake_timeout" yaml:"handshake_timeout"`
	OpTimeout        Duration `json:"op_timeout" yaml:"op_timeout"`
	MaxAttempts      int      `json:"max_attempts" yaml:"max_attempts"`
	BaseDelay        Duration `json:"base_delay" yaml:"base_delay"`
	MaxDelay         Duration `json:"max_delay" yaml:"max_delay"`
}

// LocalDir is a folder-based transport: for development, or for a gateway
// that moves files in and out of local folders.
type LocalDir struct {
	UploadDir   string   `json:"upload_dir" yaml:"upload_dir"`
	ResponseDir string   `json:"response_dir" yaml:"response_dir"`
	ArchiveDir  string   `json:"archive_dir" yaml:"archive_dir"`
	ErrorDir    string   `json:"error_dir" yaml:"error_dir"`
	AfterPickup string   `json:"after_pickup" yaml:"after_pickup"`
	Patterns    []string `json:"patterns" yaml:"patterns"`
	Settle      Duration `json:"settle" yaml:"settle"`
	DoneSuffix  string   `json:"done_suffix" yaml:"done_suffix"`
	// MaxDownloadSize is the largest response file collect takes
	// (default 2GiB); see SFTP.MaxDownloadSize.
	MaxDownloadSize ByteSize `json:"max_download_size" yaml:"max_download_size"`
}

// ByteSize is a number of bytes written as "2GiB", "500MB", "64KiB" or a
// plain number of bytes.
type ByteSize int64

// byteUnits are the units a ByteSize may be written in, largest first
// within each family.
var byteUnits = []struct {
	suffix string
	size   int64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1},
}

// ParseByteSize reads "2GiB", "500MB", "64KiB", "1000B" or "1000": a whole
// number, then optionally a unit (KB, MB, GB, TB are powers of 1000; KiB,
// MiB, GiB, TiB powers of 1024).
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	unit := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.size
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("not a size: write it such as \"2GiB\", \"500MB\" or a number of bytes")
	}
	return ByteSize(n * unit), nil
}

// String writes the size in the largest binary unit that divides it:
// "2GiB", "1500B".
func (b ByteSize) String() string {
	for _, u := range byteUnits[:4] {
		if b != 0 && int64(b)%u.size == 0 {
			return strconv.FormatInt(int64(b)/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

// UnmarshalJSON parses "2GiB" or a number of bytes.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		s = string(data)
	}
	v, err := ParseByteSize(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalJSON writes the size as a string such as "2GiB".
func (b ByteSize) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }

// UnmarshalYAML parses "2GiB" or a number of bytes.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalYAML writes the size as a string such as "2GiB".
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }

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
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// String writes the duration as time.Duration does, without zero trailing
// units: "15m", "1h30m", "10s".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// UnmarshalYAML parses "30s", "2m", ...
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Defaults applied by Load when a key is left out (or, for the SFTP
// timeouts, port and retries, set to zero). They match the adapters' and
// the pipeline's own defaults.
const (
	DefaultSettle             = 10 * time.Second
	DefaultMaxDownloadSize    = 2 << 30 // bytes
	DefaultAckHours           = 24
	DefaultAcknowledgmentDays = 3
	DefaultPaymentDays        = 30
	DefaultSFTPPort           = 22
	DefaultDialTimeout        = 15 * time.Second
	DefaultHandshakeTimeout   = 15 * time.Second
	DefaultOpTimeout          = 2 * time.Minute
	DefaultMaxAttempts        = 4
	DefaultBaseDelay          = 1 * time.Second
	DefaultMaxDelay           = 30 * time.Second
	DefaultMaxClaimsPerSet    = 5000
	DefaultMaxUploadAttempts  = 5
	DefaultFileName           = "{sender}_{date}_{isa13}_{kind}.x12"
	DefaultTimelyFilingDays   = 90
	DefaultWebIdleTimeout     = 15 * time.Minute
	DefaultWebListen          = "127.0.0.1:8080"
	DefaultDaemonListen       = "127.0.0.1:9464"
	DefaultLease              = 30 * time.Second
	DefaultAfterPickup        = "leave"
	DefaultLogLevel           = "info"
	DefaultLogFormat          = "json"
)

// newValue returns the starting value of a list entry or section the file
// adds, so that keys it leaves out get their defaults and an explicit zero
// ("settle: 0s", "payment_days: 0") stays zero.
func newValue(t any) any {
	switch t.(type) {
	case *Clearinghouse:
		return &Clearinghouse{Overdue: Overdue{AckHours: DefaultAckHours,
			AcknowledgmentDays: DefaultAcknowledgmentDays, PaymentDays: DefaultPaymentDays}}
	case *SFTP:
		return &SFTP{Settle: Duration(DefaultSettle), MaxDownloadSize: DefaultMaxDownloadSize}
	case *LocalDir:
		return &LocalDir{Settle: Duration(DefaultSettle), MaxDownloadSize: DefaultMaxDownloadSize}
	}
	return nil
}

// Default returns the embedded default configuration.
func Default() (*Config, error) {
	var c Config
	if probs := decode(defaultsYAML, &c); len(probs) > 0 {
		return nil, &Error{File: "(embedded defaults)", Problems: probs}
	}
	return &c, nil
}

// Load reads a configuration file (YAML or JSON) over the embedded
// defaults, applies the defaults of what it leaves out and validates it.
// Any error is an *Error that lists every problem found: unknown keys,
// values of the wrong type and everything Validate reports.
func Load(file string) (*Config, error) {
	c, err := Default()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Problems: []*Problem{{Message: "cannot be read: " + pathErr(err), err: err}}}
	}
	d := newDecoder()
	d.decodeDocument(data, c)
	if d.fatal {
		return nil, &Error{File: file, Problems: noLines(data, d.problems)}
	}
	c.applyDefaults()
	probs := d.problems
	for _, p := range c.problems() {
		if under(p.Path, d.problems) {
			continue // the value was not taken: its type was wrong
		}
		if p.Line == 0 {
			p.Line = d.lines[p.Path]
		}
		probs = append(probs, p)
	}
	// In the order of the file; problems with defaults last.
	sort.SliceStable(probs, func(i, j int) bool {
		li, lj := probs[i].Line, probs[j].Line
		return li != 0 && (lj == 0 || li < lj)
	})
	if len(probs) > maxProblems {
		more := len(probs) - maxProblems
		probs = append(probs[:maxProblems:maxProblems], &Problem{Message: fmt.Sprintf("and %d more problems", more)})
	}
	if len(probs) > 0 {
		return nil, &Error{File: file, Problems: noLines(data, probs)}
	}
	return c, nil
}

// maxProblems is how many problems an error lists.
const maxProblems = 100

// under reports whether path is, or is inside, the path of one of the
// problems.
func under(path string, probs []*Problem) bool {
	for _, p := range probs {
		if p.Path == "" {
			continue
		}
		if path == p.Path || strings.HasPrefix(path, p.Path+".") || strings.HasPrefix(path, p.Path+"[") {
			return true
		}
	}
	return false
}

// noLines drops the line numbers of a file written on one line (compact
// JSON), where they say nothing.
func noLines(data []byte, probs []*Problem) []*Problem {
	if bytes.Count(bytes.TrimSpace(data), []byte("\n")) == 0 {
		for _, p := range probs {
			p.Line = 0
		}
	}
	return probs
}

// applyDefaults fills in what a zero value leaves to a default, so that
// the configuration shows what runs.
func (c *Config) applyDefaults() {
	c.Store.Driver = orDefault(c.Store.Driver, "sqlite")
	c.Web.Listen = orDefault(c.Web.Listen, DefaultWebListen)
	if c.Web.IdleTimeout == 0 {
		c.Web.IdleTimeout = Duration(DefaultWebIdleTimeout)
	}
	c.Daemon.Listen = orDefault(c.Daemon.Listen, DefaultDaemonListen)
	if c.Instance.Lease == 0 {
		c.Instance.Lease = Duration(DefaultLease)
	}
	c.Log.Level = orDefault(c.Log.Level, DefaultLogLevel)
	c.Log.Format = orDefault(c.Log.Format, DefaultLogFormat)
	if c.TimelyFiling.DefaultDays == 0 {
		c.TimelyFiling.DefaultDays = DefaultTimelyFilingDays
	}
	for i := range c.Clearinghouses {
		ch := &c.Clearinghouses[i]
		ch.GS.SenderCode = orDefault(ch.GS.SenderCode, ch.ISA.SenderID)
		ch.GS.ReceiverCode = orDefault(ch.GS.ReceiverCode, ch.ISA.ReceiverID)
		ch.ISA.Usage = orDefault(ch.ISA.Usage, "P")
		ch.ISA.AckRequested = orDefault(ch.ISA.AckRequested, "0")
		ch.FileName = orDefault(ch.FileName, DefaultFileName)
		if ch.MaxClaimsPerSet == 0 {
			ch.MaxClaimsPerSet = DefaultMaxClaimsPerSet
		}
		if ch.MaxUploadAttempts == 0 {
			ch.MaxUploadAttempts = DefaultMaxUploadAttempts
		}
		if s := ch.Transport.SFTP; s != nil {
			if s.Port == 0 {
				s.Port = DefaultSFTPPort
			}
			s.AfterPickup = orDefault(s.AfterPickup, DefaultAfterPickup)
			for _, d := range []struct {
				v   *Duration
				def time.Duration
			}{{&s.DialTimeout, DefaultDialTimeout}, {&s.HandshakeTimeout, DefaultHandshakeTimeout},
				{&s.OpTimeout, DefaultOpTimeout}, {&s.BaseDelay, DefaultBaseDelay}, {&s.MaxDelay, DefaultMaxDelay}} {
				if *d.v == 0 {
					*d.v = Duration(d.def)
				}
			}
			if s.MaxAttempts == 0 {
				s.MaxAttempts = DefaultMaxAttempts
			}
		}
		if l := ch.Transport.LocalDir; l != nil {
			l.AfterPickup = orDefault(l.AfterPickup, DefaultAfterPickup)
		}
	}
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// String renders the configuration as YAML with every secret-like value
// masked, so it is safe to log.
func (c *Config) String() string {
	b, err := c.Render(false)
	if err != nil {
		return "config: " + err.Error()
	}
	return string(b)
}
