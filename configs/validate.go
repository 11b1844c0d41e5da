package configs

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

var (
	isaID       = regexp.MustCompile(`^[A-Za-z0-9 ]{1,15}$`)
	isaQual     = regexp.MustCompile(`^(01|14|20|27|28|29|30|33|ZZ)$`)
	gsCode      = regexp.MustCompile(`^[A-Za-z0-9]{2,15}$`)
	partName    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	envName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	placeholder = regexp.MustCompile(`\{[^{}]*\}`)
	phone       = regexp.MustCompile(`^[0-9]{10}$`)
)

// instanceName is an instance's name in its leases (instance.name).
var instanceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// x12Reserved are the delimiters of our 837s and the repetition and
// component separators a value must not contain.
const x12Reserved = "~*:^|"

// x12Text checks a value that goes into an 837 element: at most max
// characters, printable ASCII, no delimiter.
func x12Text(ps *problems, field, v string, max int) {
	if len(v) > max {
		ps.add(field, "is %d characters; at most %d fit the 837 element", len(v), max)
		return
	}
	for _, r := range v {
		if r < 0x20 || r >= 0x7f || strings.ContainsRune(x12Reserved, r) {
			ps.add(field, "%q contains %q: use printable ASCII without %s (X12 delimiters)", v, r, x12Reserved)
			return
		}
	}
}

// problems collects the Validate problems.
type problems []*Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, &Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks the whole configuration, without the network, and
// reports every problem, each with the path of its key. It reads the
// files and environment variables the configuration names (key files,
// known_hosts, passphrases) to check that they are there, and prints
// nothing of what they hold. It expects the defaults applied, as Load
// does (an SFTP port of 0, for one, is an error here).
func (c *Config) Validate() error {
	ps := c.problems()
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

func (c *Config) problems() []*Problem {
	var ps problems
	bad := ps.add
	switch {
	case c.Dir == "":
		bad("dir", "required")
	case hasControl(c.Dir):
		bad("dir", "%q contains a control character", c.Dir)
	default:
		if fi, err := os.Stat(c.Dir); err == nil && !fi.IsDir() {
			bad("dir", "%q is a file, not a folder", c.Dir)
		}
	}
	switch c.Store.Driver {
	case "sqlite":
		if c.Store.Path == "" {
			bad("store.path", "required for sqlite")
		} else {
			p := c.Store.Path
			if !filepath.IsAbs(p) {
				p = filepath.Join(c.Dir, p)
			}
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				bad("store.path", "%q is a folder, not a database file", p)
			}
		}
	case "postgres":
		if c.Store.URLEnv == "" {
			bad("store.url_env", "required for postgres: name the environment variable that holds the URL")
		} else {
			checkEnv(&ps, "store.url_env", c.Store.URLEnv)
		}
	default:
		bad("store.driver", "%q is not sqlite or postgres", c.Store.Driver)
	}
	for i, e := range c.Encounters {
		p := fmt.Sprintf("encounters[%d]", i)
		if e == "" {
			bad(p, "empty: give a file or a glob such as /var/lib/claims/incoming/*.jsonl")
		} else if _, err := filepath.Match(e, ""); err != nil {
			bad(p, "%q is not a valid glob: %v", e, err)
		}
	}
	for _, s := range []struct{ field, spec string }{{"schedule.submit", c.Schedule.Submit}, {"schedule.collect", c.Schedule.Collect}} {
		if s.spec == "" {
			continue
		}
		if _, err := ParseSchedule(s.spec); err != nil {
			bad(s.field, "%v", err)
		}
	}
	switch c.COB.Secondary {
	case "", "auto", "on_request":
	default:
		bad("cob.secondary", "%q is not auto or on_request", c.COB.Secondary)
	}
	checkListen(&ps, "daemon.listen", c.Daemon.Listen)
	if c.Instance.Name != "" && !instanceName.MatchString(c.Instance.Name) {
		bad("instance.name", "%q must be 1-64 letters, digits, '.', '-' or '_'", c.Instance.Name)
	}
	if d := time.Duration(c.Instance.Lease); d < 0 || (d > 0 && d < time.Second) || d > time.Hour {
		bad("instance.lease", "%s is not between 1s and 1h", c.Instance.Lease)
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
	routes := map[string]string{} // payer ID → path of the first listing
	defaults := 0
	for i := range c.Clearinghouses {
		ch := &c.Clearinghouses[i]
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
		for j, id := range ch.Payers {
			pp := fmt.Sprintf("%s.payers[%d]", p, j)
			switch {
			case strings.TrimSpace(id) == "" || len(id) > 80 || hasControl(id) || strings.ContainsAny(id, x12Reserved):
				bad(pp, "%q is not a payer ID", id)
			case routes[id] != "":
				bad(pp, "payer %q is already routed by %s", id, routes[id])
			default:
				routes[id] = pp
			}
		}
		ch.validate(&ps, p)
	}
	if defaults > 1 {
		bad("clearinghouses", "only one clearinghouse may omit payers (the default route)")
	}
	checkListen(&ps, "web.listen", c.Web.Listen)
	if c.Web.Listen != "" && c.Web.Listen == c.Daemon.Listen && !strings.HasSuffix(c.Web.Listen, ":0") {
		bad("daemon.listen", "%q is also web.listen: give them different ports", c.Daemon.Listen)
	}
	if d := time.Duration(c.Web.IdleTimeout); d < 0 || (d > 0 && d < time.Minute) || d > 12*time.Hour {
		bad("web.idle_timeout", "%s is not between 1m and 12h", c.Web.IdleTimeout)
	}
	if (c.Web.TLSCertFile == "") != (c.Web.TLSKeyFile == "") {
		bad("web", "tls_cert_file and tls_key_file go together")
	}
	checkFile(&ps, "web.tls_cert_file", c.Web.TLSCertFile)
	checkFile(&ps, "web.tls_key_file", c.Web.TLSKeyFile)
	if c.Intake.BatchSize < 0 || c.Intake.BatchSize > 100000 {
		bad("intake.batch_size", "%d is not 0 (500) to 100000", c.Intake.BatchSize)
	}
	if c.TimelyFiling.DefaultDays < 0 || c.TimelyFiling.DefaultDays > 3650 {
		bad("timely_filing.default_days", "%d is not 0 (90) to 3650", c.TimelyFiling.DefaultDays)
	}
	for _, id := range sortedKeys(c.TimelyFiling.Payers) {
		if d := c.TimelyFiling.Payers[id]; d <= 0 || d > 3650 {
			bad(fmt.Sprintf("timely_filing.payers[%q]", id), "%d is not 1 to 3650 days", d)
		}
	}
	return ps
}

func (ch *Clearinghouse) validate(ps *problems, p string) {
	bad := func(field, format string, args ...any) { ps.add(p+"."+field, format, args...) }
	if !isaQual.MatchString(ch.ISA.SenderQualifier) {
		bad("isa.sender_qualifier", "%q is not a valid ISA05 qualifier (ZZ, 01, 14, 20, 27, 28, 29, 30, 33)", ch.ISA.SenderQualifier)
	}
	if !isaQual.MatchString(ch.ISA.ReceiverQualifier) {
		bad("isa.receiver_qualifier", "%q is not a valid ISA07 qualifier (ZZ, 01, 14, 20, 27, 28, 29, 30, 33)", ch.ISA.ReceiverQualifier)
	}
	if !isaID.MatchString(ch.ISA.SenderID) {
		bad("isa.sender_id", "%q must be 1-15 letters, digits or spaces", ch.ISA.SenderID)
	}
	if !isaID.MatchString(ch.ISA.ReceiverID) {
		bad("isa.receiver_id", "%q must be 1-15 letters, digits or spaces", ch.ISA.ReceiverID)
	}
	if ch.ISA.Usage != "P" && ch.ISA.Usage != "T" {
		bad("isa.usage", "%q is not P (production) or T (test)", ch.ISA.Usage)
	}
	if ch.ISA.AckRequested != "0" && ch.ISA.AckRequested != "1" {
		bad("isa.ack_requested", "%q is not 0 or 1", ch.ISA.AckRequested)
	}
	if !gsCode.MatchString(ch.GS.SenderCode) {
		bad("gs.sender_code", "%q must be 2-15 letters or digits", ch.GS.SenderCode)
	}
	if !gsCode.MatchString(ch.GS.ReceiverCode) {
		bad("gs.receiver_code", "%q must be 2-15 letters or digits", ch.GS.ReceiverCode)
	}
	if ch.Submitter.Name == "" {
		bad("submitter.name", "required (837 loop 1000A)")
	}
	if ch.Submitter.Phone == "" && ch.Submitter.Email == "" {
		bad("submitter", "a phone or an email is required (837 PER*IC)")
	}
	if ch.Submitter.Phone != "" && !phone.MatchString(ch.Submitter.Phone) {
		bad("submitter.phone", "%q must be ten digits, without spaces or punctuation", ch.Submitter.Phone)
	}
	if e := ch.Submitter.Email; e != "" && (strings.Count(e, "@") != 1 || strings.HasPrefix(e, "@") || strings.HasSuffix(e, "@") || strings.ContainsAny(e, " \t")) {
		bad("submitter.email", "%q is not an email address", e)
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{
		{"submitter.name", ch.Submitter.Name, 60}, {"submitter.contact", ch.Submitter.Contact, 60},
		{"submitter.email", ch.Submitter.Email, 256}, {"receiver_name", ch.ReceiverName, 60},
	} {
		x12Text(ps, p+"."+f.field, f.v, f.max)
	}
	if ch.ReceiverName == "" {
		bad("receiver_name", "required (837 loop 1000B)")
	}
	for i, id := range ch.ResponseSenders {
		if !isaID.MatchString(id) {
			bad(fmt.Sprintf("response_senders[%d]", i), "%q must be 1-15 letters, digits or spaces", id)
		}
	}
	if ch.MaxClaimsPerSet < 0 || ch.MaxClaimsPerSet > 5000 {
		bad("max_claims_per_set", "%d is not between 1 and 5000", ch.MaxClaimsPerSet)
	}
	if ch.MaxUploadAttempts < 0 || ch.MaxUploadAttempts > 100 {
		bad("max_upload_attempts", "%d is not between 1 and 100", ch.MaxUploadAttempts)
	}
	checkFileName(ps, p+".file_name", ch.FileName)
	for _, o := range []struct {
		field string
		v     int
		max   int
		unit  string
	}{
		{"overdue.ack_hours", ch.Overdue.AckHours, 24 * 366, "hours"},
		{"overdue.acknowledgment_days", ch.Overdue.AcknowledgmentDays, 3650, "days"},
		{"overdue.payment_days", ch.Overdue.PaymentDays, 3650, "days"},
	} {
		if o.v < 0 || o.v > o.max {
			bad(o.field, "%d is not 0 (off) to %d %s", o.v, o.max, o.unit)
		}
	}
	t := ch.Transport
	switch t.Type {
	case "sftp":
		if t.SFTP == nil {
			bad("transport.sftp", "required when type is sftp")
		} else {
			t.SFTP.validate(ps, p+".transport.sftp")
		}
		if t.LocalDir != nil {
			bad("transport.localdir", "given, but transport.type is sftp: remove it or change the type")
		}
	case "localdir":
		if t.LocalDir == nil {
			bad("transport.localdir", "required when type is localdir")
		} else {
			t.LocalDir.validate(ps, p+".transport.localdir")
		}
		if t.SFTP != nil {
			bad("transport.sftp", "given, but transport.type is localdir: remove it or change the type")
		}
	default:
		bad("transport.type", "%q is not sftp or localdir", t.Type)
	}
}

func (s *SFTP) validate(ps *problems, p string) {
	bad := func(field, format string, args ...any) { ps.add(p+"."+field, format, args...) }
	switch {
	case s.Host == "":
		bad("host", "required")
	case strings.IndexFunc(s.Host, unicode.IsSpace) >= 0 || strings.ContainsAny(s.Host, "/@") || hasControl(s.Host):
		bad("host", "%q is not a host name or IP address", s.Host)
	}
	if s.Port < 1 || s.Port > 65535 {
		bad("port", "%d is not between 1 and 65535", s.Port)
	}
	if s.User == "" {
		bad("user", "required")
	} else if hasControl(s.User) {
		bad("user", "%q contains a control character", s.User)
	}

	// Authentication: the names are well formed, the variables are set
	// and the files are readable; the key opens with its passphrase.
	if s.KeyFile == "" && s.PasswordEnv == "" && s.PasswordFile == "" {
		ps.add(p, "set key_file, password_env or password_file")
	}
	if s.PasswordEnv != "" && s.PasswordFile != "" {
		bad("password_file", "give password_env or password_file, not both")
	}
	if s.KeyPassphraseEnv != "" && s.KeyPassphraseFile != "" {
		bad("key_passphrase_file", "give key_passphrase_env or key_passphrase_file, not both")
	}
	if s.KeyFile == "" && s.KeyPassphraseEnv != "" {
		bad("key_passphrase_env", "set, but key_file is empty")
	}
	if s.KeyFile == "" && s.KeyPassphraseFile != "" {
		bad("key_passphrase_file", "set, but key_file is empty")
	}
	checkEnv(ps, p+".password_env", s.PasswordEnv)
	if checkFile(ps, p+".password_file", s.PasswordFile) {
		checkSecretFile(ps, p+".password_file", s.PasswordFile)
	}
	passOK := checkEnv(ps, p+".key_passphrase_env", s.KeyPassphraseEnv)
	if checkFile(ps, p+".key_passphrase_file", s.KeyPassphraseFile) {
		passOK = checkSecretFile(ps, p+".key_passphrase_file", s.KeyPassphraseFile) && passOK
	} else if s.KeyPassphraseFile != "" {
		passOK = false
	}
	if checkFile(ps, p+".key_file", s.KeyFile) && passOK {
		s.checkKey(ps, p)
	}

	// Host key.
	switch {
	case s.InsecureIgnoreHostKey && (s.KnownHostsFile != "" || s.HostKeyFingerprint != ""):
		bad("insecure_ignore_host_key", "cannot be combined with known_hosts_file or host_key_fingerprint")
	case s.InsecureIgnoreHostKey:
	case s.KnownHostsFile != "" && s.HostKeyFingerprint != "":
		bad("host_key_fingerprint", "give known_hosts_file or host_key_fingerprint, not both")
	case s.KnownHostsFile == "" && s.HostKeyFingerprint == "":
		ps.add(p, "pin the host key with known_hosts_file or host_key_fingerprint (insecure_ignore_host_key is for local development only)")
	}
	if s.HostKeyFingerprint != "" {
		if err := checkFingerprint(s.HostKeyFingerprint); err != nil {
			bad("host_key_fingerprint", "%v", err)
		}
	}
	if checkFile(ps, p+".known_hosts_file", s.KnownHostsFile) {
		if _, err := knownhosts.New(s.KnownHostsFile); err != nil {
			bad("known_hosts_file", "is not a known_hosts file: %v", err)
		}
	}

	checkFolders(ps, p, path.Clean, s.UploadDir, s.ResponseDir, s.ArchiveDir, s.ErrorDir, s.AfterPickup)
	checkPatterns(ps, p+".patterns", s.Patterns)
	checkPickup(ps, p, s.Settle, s.DoneSuffix)
	checkMaxDownload(ps, p, s.MaxDownloadSize)
	for _, d := range []struct {
		field string
		v     Duration
	}{{"dial_timeout", s.DialTimeout}, {"handshake_timeout", s.HandshakeTimeout}, {"op_timeout", s.OpTimeout},
		{"base_delay", s.BaseDelay}, {"max_delay", s.MaxDelay}} {
		if d.v < 0 || time.Duration(d.v) > 24*time.Hour {
			bad(d.field, "%s is not between 0 (the default) and 24h", d.v)
		}
	}
	if s.MaxAttempts < 0 || s.MaxAttempts > 100 {
		bad("max_attempts", "%d is not between 1 and 100", s.MaxAttempts)
	}
	if s.BaseDelay > 0 && s.MaxDelay > 0 && s.BaseDelay > s.MaxDelay {
		bad("base_delay", "%s exceeds max_delay %s", s.BaseDelay, s.MaxDelay)
	}
}

// checkKey parses the private key, with its passphrase when one is named,
// as the SFTP client will.
func (s *SFTP) checkKey(ps *problems, p string) {
	data, err := os.ReadFile(s.KeyFile)
	if err != nil {
		return // reported by checkFile
	}
	if s.KeyPassphraseEnv == "" && s.KeyPassphraseFile == "" {
		_, err := ssh.ParseRawPrivateKey(data)
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			ps.add(p+".key_file", "%q is encrypted: name its passphrase with key_passphrase_env or key_passphrase_file", s.KeyFile)
		case err != nil:
			ps.add(p+".key_file", "%q is not a private key in OpenSSH or PEM format: %v", s.KeyFile, err)
		}
		return
	}
	field, pass := p+".key_passphrase_env", []byte(os.Getenv(s.KeyPassphraseEnv))
	if s.KeyPassphraseFile != "" {
		field, pass = p+".key_passphrase_file", readSecret(s.KeyPassphraseFile)
	}
	defer clear(pass)
	if _, err := ssh.ParseRawPrivateKeyWithPassphrase(data, pass); err != nil {
		if _, perr := ssh.ParseRawPrivateKey(data); perr == nil {
			ps.add(field, "set, but key_file %q is not encrypted: remove it", s.KeyFile)
			return
		}
		if errors.Is(err, x509.IncorrectPasswordError) || strings.Contains(err.Error(), "decrypt") || strings.Contains(err.Error(), "passphrase") {
			ps.add(field, "the passphrase does not open key_file %q", s.KeyFile)
			return
		}
		ps.add(p+".key_file", "%q is not a private key in OpenSSH or PEM format: %v", s.KeyFile, err)
	}
}

func (l *LocalDir) validate(ps *problems, p string) {
	checkFolders(ps, p, filepath.Clean, l.UploadDir, l.ResponseDir, l.ArchiveDir, l.ErrorDir, l.AfterPickup)
	checkPatterns(ps, p+".patterns", l.Patterns)
	checkPickup(ps, p, l.Settle, l.DoneSuffix)
	checkMaxDownload(ps, p, l.MaxDownloadSize)
}

// minMaxDownload is the smallest max_download_size: below it, ordinary
// acknowledgments would not come through.
const minMaxDownload = 64 << 10

func checkMaxDownload(ps *problems, p string, size ByteSize) {
	if size < minMaxDownload {
		ps.add(p+".max_download_size", "%s is below %s: acknowledgments and remittances would be set aside", size, ByteSize(minMaxDownload))
	}
}

// checkFolders checks a transport's folders and what happens to a response
// file after pickup.
func checkFolders(ps *problems, p string, clean func(string) string, upload, response, archive, errorDir, after string) {
	for _, f := range []struct{ field, dir string }{
		{"upload_dir", upload}, {"response_dir", response}, {"archive_dir", archive}, {"error_dir", errorDir},
	} {
		switch {
		case f.dir == "" && (f.field == "upload_dir" || f.field == "response_dir"):
			ps.add(p+"."+f.field, "required")
		case hasControl(f.dir):
			ps.add(p+"."+f.field, "%q contains a control character", f.dir)
		}
	}
	switch after {
	case "", "delete", "leave":
	case "move":
		if archive == "" {
			ps.add(p+".archive_dir", "required when after_pickup is \"move\"")
		}
	default:
		ps.add(p+".after_pickup", "%q is not delete, move or leave", after)
	}
	if archive != "" && response != "" && clean(archive) == clean(response) {
		ps.add(p+".archive_dir", "must differ from response_dir")
	}
	if errorDir != "" && response != "" && clean(errorDir) == clean(response) {
		ps.add(p+".error_dir", "must differ from response_dir")
	}
}

func checkPatterns(ps *problems, field string, pats []string) {
	for i, pat := range pats {
		if _, err := path.Match(pat, ""); err != nil || pat == "" || strings.ContainsAny(pat, `/\`) {
			ps.add(fmt.Sprintf("%s[%d]", field, i), "%q is not a file name pattern such as \"*.835\"", pat)
		}
	}
}

func checkPickup(ps *problems, p string, settle Duration, suffix string) {
	if d := time.Duration(settle); d < 0 || d > time.Hour {
		ps.add(p+".settle", "%s is not between 0s and 1h", settle)
	}
	if suffix == "" {
		return
	}
	if len(suffix) < 2 || suffix[0] != '.' || strings.ContainsAny(suffix, `/\*?[]`) || hasControl(suffix) || strings.TrimSpace(suffix) != suffix {
		ps.add(p+".done_suffix", "%q must start with '.' and be a plain file name suffix such as \".done\" (no path separator or pattern character)", suffix)
	}
}

// checkFileName checks an outbound file name pattern: known placeholders,
// no folder, and unique per file.
func checkFileName(ps *problems, field, pat string) {
	if pat == "" {
		return
	}
	known := map[string]bool{"{sender}": true, "{receiver}": true, "{date}": true, "{time}": true, "{isa13}": true, "{kind}": true, "{batch}": true}
	for _, ph := range placeholder.FindAllString(pat, -1) {
		if !known[ph] {
			ps.add(field, "%q: unknown placeholder %s (use {sender}, {receiver}, {date}, {time}, {isa13}, {kind}, {batch})", pat, ph)
			return
		}
	}
	switch {
	case strings.ContainsAny(pat, `/\`) || hasControl(pat):
		ps.add(field, "%q must be a file name, without a folder or control characters", pat)
	case !strings.Contains(pat, "{isa13}") && !strings.Contains(pat, "{batch}"):
		ps.add(field, "%q must contain {isa13} or {batch}, so that every file has its own name", pat)
	case len(pat) > 200:
		ps.add(field, "is too long (at most 200 characters)")
	}
}

// checkListen checks a listen address: host:port, port 0-65535 (0 picks
// a free port).
func checkListen(ps *problems, field, addr string) {
	if addr == "" {
		return
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		ps.add(field, "%q is not host:port (such as 127.0.0.1:9464)", addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		ps.add(field, "port %q is not a number from 0 to 65535", port)
	}
}

// checkEnv checks that name is a variable name and that it is set and not
// empty. It reports false on a problem.
func checkEnv(ps *problems, field, name string) bool {
	if name == "" {
		return true
	}
	if !envName.MatchString(name) {
		ps.add(field, "%q is not an environment variable name", name)
		return false
	}
	v, ok := os.LookupEnv(name)
	switch {
	case !ok:
		ps.add(field, "environment variable %s is not set", name)
		return false
	case v == "":
		ps.add(field, "environment variable %s is empty", name)
		return false
	}
	return true
}

// maxFileSize bounds the files a configuration names (keys, known_hosts,
// secrets, TLS files), which are read whole.
const maxFileSize = 16 << 20

// checkFile checks that the file named at field exists and can be read.
// It reports false on a problem or when name is empty.
func checkFile(ps *problems, field, name string) bool {
	if name == "" {
		return false
	}
	if hasControl(name) {
		ps.add(field, "%q contains a control character", name)
		return false
	}
	fi, err := os.Stat(name)
	if err != nil {
		ps.add(field, "cannot read %q: %s", name, pathErr(err))
		return false
	}
	switch {
	case fi.IsDir():
		ps.add(field, "%q is a folder, not a file", name)
		return false
	case !fi.Mode().IsRegular():
		ps.add(field, "%q is not a regular file", name)
		return false
	case fi.Size() > maxFileSize:
		ps.add(field, "%q is %d bytes: too large for what it should hold", name, fi.Size())
		return false
	}
	f, err := os.Open(name)
	if err != nil {
		ps.add(field, "cannot read %q: %s", name, pathErr(err))
		return false
	}
	f.Close()
	return true
}

// checkSecretFile checks that a password or passphrase file is not empty.
func checkSecretFile(ps *problems, field, name string) bool {
	s := readSecret(name)
	defer clear(s)
	if len(s) == 0 {
		ps.add(field, "%q is empty", name)
		return false
	}
	return true
}

// readSecret reads a secret file as the SFTP client does: one trailing
// newline is dropped.
func readSecret(name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
	}
	if n > 0 && b[n-1] == '\r' {
		n--
	}
	return b[:n]
}

// checkFingerprint accepts "SHA256:" followed by the unpadded base64 of a
// 32-byte digest, as ssh-keygen -lf prints it.
func checkFingerprint(fp string) error {
	b64, ok := strings.CutPrefix(fp, "SHA256:")
	if !ok {
		return fmt.Errorf("%q must start with \"SHA256:\" (as ssh-keygen -lf prints it)", fp)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return fmt.Errorf("%q is not a SHA256 fingerprint", fp)
	}
	return nil
}

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
