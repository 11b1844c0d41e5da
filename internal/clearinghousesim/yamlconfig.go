package clearinghousesim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"

	"github.com/x12claims/claims/x12"
)

// ConfigError is one problem in a YAML configuration: where it is (file,
// line, column), the key path (e.g. "users[1].faults.slow_transfer") and
// what is wrong.
type ConfigError struct {
	File   string
	Line   int
	Column int
	Path   string
	Msg    string
}

func (e *ConfigError) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos += fmt.Sprintf(":%d:%d", e.Line, e.Column)
	}
	if e.Path == "" {
		return pos + ": " + e.Msg
	}
	return pos + ": " + e.Path + ": " + e.Msg
}

// decoder walks a YAML document by hand, so that every problem names its
// key path and position, unknown keys are refused, and no input panics.
type decoder struct {
	file string
	errs []error
}

func (d *decoder) bad(n *yaml.Node, path, format string, args ...any) {
	e := &ConfigError{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// fields decodes a mapping: each key must be one of fields (whose
// function decodes its value); an unknown or repeated key is an error.
func (d *decoder) fields(n *yaml.Node, path string, fields map[string]func(v *yaml.Node, path string)) {
	if n.Kind != yaml.MappingNode {
		d.bad(n, path, "must be a mapping of keys to values")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		fn, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.bad(k, path, "keys must be plain words")
		case !ok:
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			slices.Sort(known)
			d.bad(k, kp, "unknown key (known: %s)", strings.Join(known, ", "))
		case seen[k.Value]:
			d.bad(k, kp, "is given twice")
		default:
			seen[k.Value] = true
			fn(v, kp)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) scalar(n *yaml.Node, path, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.bad(n, path, "must be %s", what)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, path string) string {
	s, _ := d.scalar(n, path, "a string")
	return s
}

func (d *decoder) integer(n *yaml.Node, path string, lo, hi int64) int64 {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		d.bad(n, path, "%q must be a whole number from %d to %d", s, lo, hi)
		return 0
	}
	return v
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false
	}
	switch s {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	d.bad(n, path, "%q must be true or false", s)
	return false
}

func (d *decoder) duration(n *yaml.Node, path string) time.Duration {
	s, ok := d.scalar(n, path, "a duration such as 90s, 5m or 72h")
	if !ok {
		return 0
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		d.bad(n, path, "%q must be a duration such as 90s, 5m or 72h, not negative", s)
		return 0
	}
	return v
}

func (d *decoder) amount(n *yaml.Node, path string) x12.Amount {
	s, ok := d.scalar(n, path, "an amount such as 92.15")
	if !ok {
		return 0
	}
	a, err := x12.ParseAmount([]byte(s))
	if err != nil || a < 0 {
		d.bad(n, path, "%q must be an amount such as 92.15, not negative", s)
		return 0
	}
	return a
}

// rate reads a percentage ("20%", "12.5%", at most two decimals) as
// basis points.
func (d *decoder) rate(n *yaml.Node, path string) BasisPoints {
	s, ok := d.scalar(n, path, "a percentage such as 20%")
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	bp := math.Round(f * 100)
	if !strings.HasSuffix(s, "%") || err != nil || f < 0 || f > 100 || math.Abs(bp-f*100) > 1e-6 {
		d.bad(n, path, "%q must be a percentage from 0%% to 100%% with at most two decimals, such as 20%% or 2.5%%", s)
		return 0
	}
	return BasisPoints(bp)
}

func (d *decoder) list(n *yaml.Node, path string, item func(v *yaml.Node, path string)) {
	if n.Kind != yaml.SequenceNode {
		d.bad(n, path, "must be a list")
		return
	}
	for i, v := range n.Content {
		item(v, fmt.Sprintf("%s[%d]", path, i))
	}
}

func (d *decoder) strings(n *yaml.Node, path string) []string {
	var out []string
	d.list(n, path, func(v *yaml.Node, p string) { out = append(out, d.str(v, p)) })
	return out
}

// each decodes a mapping with free keys (codes, member IDs).
func (d *decoder) each(n *yaml.Node, path string, fn func(key string, v *yaml.Node, path string)) {
	if n.Kind != yaml.MappingNode {
		d.bad(n, path, "must be a mapping")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			d.bad(k, path, "keys must be plain words")
			continue
		}
		if seen[k.Value] {
			d.bad(k, path+"."+k.Value, "is given twice")
			continue
		}
		seen[k.Value] = true
		fn(k.Value, v, path+"."+k.Value)
	}
}

// document parses data and returns its top node, or nil after recording
// the syntax error.
func (d *decoder) document(data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.errs = append(d.errs, &ConfigError{File: d.file, Msg: "not valid YAML: " + err.Error()})
		return nil
	}
	if len(doc.Content) == 0 {
		d.errs = append(d.errs, &ConfigError{File: d.file, Msg: "is empty"})
		return nil
	}
	return doc.Content[0]
}

// ParseFaults reads a faults block (a user's "faults" in the standalone
// configuration, or the FaultsFileName control file). file names the
// source in errors.
func ParseFaults(data []byte, file string) (Faults, error) {
	d := &decoder{file: file}
	var f Faults
	if n := d.document(data); n != nil {
		f = d.faults(n, "")
	}
	return f, errors.Join(d.errs...)
}

func (d *decoder) faults(n *yaml.Node, path string) Faults {
	var f Faults
	d.fields(n, path, map[string]func(*yaml.Node, string){
		"no_ack":           func(v *yaml.Node, p string) { f.NoAck = d.boolean(v, p) },
		"duplicate_remit":  func(v *yaml.Node, p string) { f.DuplicateRemit = d.boolean(v, p) },
		"slow_write":       func(v *yaml.Node, p string) { f.SlowWrite = d.boolean(v, p) },
		"slow_write_step":  func(v *yaml.Node, p string) { f.SlowWriteStep = d.duration(v, p) },
		"slow_transfer":    func(v *yaml.Node, p string) { f.SlowTransfer = d.duration(v, p) },
		"drop_after_bytes": func(v *yaml.Node, p string) { f.DropAfterBytes = d.integer(v, p, 0, math.MaxInt64) },
	})
	return f
}

// DefaultStandaloneTiming returns the timing of a standalone simulator
// whose configuration does not set it: TA1 at once, the 999 after 5
// minutes, the 277CA after 2 hours and the 835 after 3 days.
func DefaultStandaloneTiming() Timing {
	return Timing{Ack: 5 * time.Minute, ClaimAck: 2 * time.Hour, Remit: 72 * time.Hour}
}

// StandaloneConfig configures "claims clearinghouse": the simulated
// clearinghouse (Config, without Root) and its SFTP server. See
// ParseStandaloneConfig for the YAML form.
type StandaloneConfig struct {
	// Listen is the SFTP server's address; default 127.0.0.1:2222.
	Listen string
	// HostKeyFile holds the server's ed25519 host key (OpenSSH PEM). It
	// is generated (0600) on first start and reused after.
	HostKeyFile string
	// Root holds one folder per user (Folder), each with inbound/ and
	// outbound/; a user sees only its own.
	Root string
	// Poll is how often the inbound folders are looked at and due
	// responses delivered; default 1s.
	Poll time.Duration
	// Compression divides every Timing delay (1 = real time).
	Compression int
	// Sim is the simulator's configuration; Root, Mailbox, AckFormat,
	// Faults and FaultsFile are set per user.
	Sim   Config
	Users []StandaloneUser
}

// StandaloneUser is one SFTP login with its own folders.
type StandaloneUser struct {
	Name string
	// Password is a plain password (for tests) and PasswordHash a bcrypt
	// hash; either, both or neither may be set.
	Password       string
	PasswordHash   string
	AuthorizedKeys []ssh.PublicKey
	// Folder is the user's folder under Root; default its Name.
	Folder    string
	AckFormat string // "999" (default) or "997"
	Faults    Faults
}

// ParseStandaloneConfig decodes the YAML configuration of a standalone
// simulator. file names the source in errors and is the base of relative
// paths (dir is its folder). Every problem is reported, each with its
// position and key path; nothing in data can make it panic. The keys are
// listed in the README ("Clearinghouse simulator").
func ParseStandaloneConfig(data []byte, file, dir string) (*StandaloneConfig, error) {
	d := &decoder{file: file}
	c := &StandaloneConfig{Listen: "127.0.0.1:2222", Poll: time.Second, Compression: 1}
	c.Sim = Config{ID: "CLAIMSIM", Name: "X12 Claims Simulator Clearinghouse", BatchPayments: true}
	top := d.document(data)
	if top == nil {
		return nil, errors.Join(d.errs...)
	}
	// Realistic by default: a 999 in minutes, the 277CA within hours,
	// the 835 in days (timing.compression shortens them all).
	timing := DefaultStandaloneTiming()
	var usersNode *yaml.Node
	var payerNodes []*yaml.Node
	samplePayers := false
	rel := func(p string) string {
		if p == "" || strings.HasPrefix(p, "/") {
			return p
		}
		return dir + "/" + p
	}
	d.fields(top, "", map[string]func(*yaml.Node, string){
		"listen":               func(v *yaml.Node, p string) { c.Listen = d.str(v, p) },
		"host_key":             func(v *yaml.Node, p string) { c.HostKeyFile = rel(d.str(v, p)) },
		"root":                 func(v *yaml.Node, p string) { c.Root = rel(d.str(v, p)) },
		"state_dir":            func(v *yaml.Node, p string) { c.Sim.StateDir = rel(d.str(v, p)) },
		"poll":                 func(v *yaml.Node, p string) { c.Poll = d.duration(v, p) },
		"id":                   func(v *yaml.Node, p string) { c.Sim.ID = d.str(v, p) },
		"name":                 func(v *yaml.Node, p string) { c.Sim.Name = d.str(v, p) },
		"seed":                 func(v *yaml.Node, p string) { c.Sim.Seed = d.integer(v, p, math.MinInt64, math.MaxInt64) },
		"receiver_ids":         func(v *yaml.Node, p string) { c.Sim.ReceiverIDs = d.strings(v, p) },
		"not_enrolled":         func(v *yaml.Node, p string) { c.Sim.NotEnrolled = d.strings(v, p) },
		"first_control_number": func(v *yaml.Node, p string) { c.Sim.FirstControlNumber = int(d.integer(v, p, 1, 999_000_000)) },
		"sample_payers":        func(v *yaml.Node, p string) { samplePayers = d.boolean(v, p) },
		"validator":            func(v *yaml.Node, p string) { c.Sim.NoValidator = !d.boolean(v, p) },
		"batch_payments":       func(v *yaml.Node, p string) { c.Sim.BatchPayments = d.boolean(v, p) },
		"timing": func(v *yaml.Node, p string) {
			d.fields(v, p, map[string]func(*yaml.Node, string){
				"compression": func(v *yaml.Node, p string) { c.Compression = int(d.integer(v, p, 1, 1_000_000_000)) },
				"ta1":         func(v *yaml.Node, p string) { timing.TA1 = d.duration(v, p) },
				"ack":         func(v *yaml.Node, p string) { timing.Ack = d.duration(v, p) },
				"claim_ack":   func(v *yaml.Node, p string) { timing.ClaimAck = d.duration(v, p) },
				"remit":       func(v *yaml.Node, p string) { timing.Remit = d.duration(v, p) },
			})
		},
		"rejections": func(v *yaml.Node, p string) {
			r := &c.Sim.Rejections
			d.fields(v, p, map[string]func(*yaml.Node, string){
				"subscriber_not_found": func(v *yaml.Node, p string) { r.SubscriberNotFound = d.rate(v, p) },
				"npi_not_on_file":      func(v *yaml.Node, p string) { r.NPINotOnFile = d.rate(v, p) },
				"diagnosis_invalid":    func(v *yaml.Node, p string) { r.DiagnosisInvalid = d.rate(v, p) },
			})
		},
		"payers": func(v *yaml.Node, p string) {
			d.list(v, p, func(v *yaml.Node, p string) {
				c.Sim.Payers = append(c.Sim.Payers, d.payer(v, p))
				payerNodes = append(payerNodes, v)
			})
		},
		"users": func(v *yaml.Node, p string) {
			usersNode = v
			d.list(v, p, func(v *yaml.Node, p string) { c.Users = append(c.Users, d.user(v, p)) })
		},
	})
	if c.Poll <= 0 {
		d.bad(top, "poll", "must be more than zero")
	}
	comp := time.Duration(max(c.Compression, 1))
	c.Sim.Timing = Timing{TA1: timing.TA1 / comp, Ack: timing.Ack / comp, ClaimAck: timing.ClaimAck / comp, Remit: timing.Remit / comp}
	if samplePayers {
		samples := DefaultConfig("").Payers
		for i, p := range c.Sim.Payers {
			for _, sp := range samples {
				if p.ID == sp.ID {
					d.bad(payerNodes[i], fmt.Sprintf("payers[%d].id", i), "%q is a sample payer already (sample_payers: true)", p.ID)
				}
			}
		}
		c.Sim.Payers = append(samples, c.Sim.Payers...)
		if c.Sim.NotEnrolled == nil {
			c.Sim.NotEnrolled = []string{NotEnrolledMember}
		}
	}
	switch {
	case c.Root == "":
		d.bad(top, "root", "is required: the folder holding each user's inbound/ and outbound/")
	case c.HostKeyFile == "":
		d.bad(top, "host_key", "is required: the host key file (generated on first start)")
	case c.Sim.StateDir == "":
		d.bad(top, "state_dir", "is required: the folder of the simulator's state database")
	}
	if len(c.Sim.Payers) == 0 {
		d.bad(top, "payers", "at least one payer is required (or sample_payers: true)")
	}
	if len(c.Users) == 0 {
		d.bad(usersNode, "users", "at least one user is required")
	}
	folders := map[string]bool{}
	names := map[string]bool{}
	for i, u := range c.Users {
		p := fmt.Sprintf("users[%d]", i)
		if names[u.Name] {
			d.bad(usersNode, p+".name", "%q is listed twice", u.Name)
		}
		names[u.Name] = true
		if folders[u.Folder] {
			d.bad(usersNode, p+".folder", "%q is another user's folder", u.Folder)
		}
		folders[u.Folder] = true
	}
	// The simulator's own rules (IDs, payers), under the same key names.
	if len(d.errs) == 0 {
		sim := c.Sim
		sim.Root = "."
		if err := sim.Validate(); err != nil {
			d.errs = append(d.errs, &ConfigError{File: file, Msg: err.Error()})
		}
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return c, nil
}

func (d *decoder) user(n *yaml.Node, path string) StandaloneUser {
	var u StandaloneUser
	d.fields(n, path, map[string]func(*yaml.Node, string){
		"name":          func(v *yaml.Node, p string) { u.Name = d.str(v, p) },
		"password":      func(v *yaml.Node, p string) { u.Password = d.str(v, p) },
		"password_hash": func(v *yaml.Node, p string) { u.PasswordHash = d.str(v, p) },
		"authorized_keys": func(v *yaml.Node, p string) {
			d.list(v, p, func(v *yaml.Node, p string) {
				k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(d.str(v, p)))
				if err != nil {
					d.bad(v, p, "not an authorized_keys line (e.g. \"ssh-ed25519 AAAA... comment\"): %v", err)
					return
				}
				u.AuthorizedKeys = append(u.AuthorizedKeys, k)
			})
		},
		"folder":     func(v *yaml.Node, p string) { u.Folder = d.str(v, p) },
		"ack_format": func(v *yaml.Node, p string) { u.AckFormat = d.str(v, p) },
		"faults":     func(v *yaml.Node, p string) { u.Faults = d.faults(v, p) },
	})
	if !safeName(u.Name) {
		d.bad(n, path+".name", "%q must be 1 to 32 letters, digits, '-' or '_'", u.Name)
	}
	if u.Folder == "" {
		u.Folder = u.Name
	}
	if !safeName(u.Folder) {
		d.bad(n, path+".folder", "%q must be 1 to 32 letters, digits, '-' or '_' (a folder directly under root)", u.Folder)
	}
	if u.Password == "" && u.PasswordHash == "" && len(u.AuthorizedKeys) == 0 {
		d.bad(n, path, "needs a password, a password_hash or authorized_keys")
	}
	if h := u.PasswordHash; h != "" && !strings.HasPrefix(h, "$2") {
		d.bad(n, path+".password_hash", "must be a bcrypt hash ($2a$..., $2b$...)")
	}
	switch u.AckFormat {
	case "", "999", "997":
	default:
		d.bad(n, path+".ack_format", "%q must be 999 or 997", u.AckFormat)
	}
	return u
}

func safeName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (d *decoder) payer(n *yaml.Node, path string) Payer {
	var p Payer
	d.fields(n, path, map[string]func(*yaml.Node, string){
		"id":   func(v *yaml.Node, k string) { p.ID = d.str(v, k) },
		"name": func(v *yaml.Node, k string) { p.Name = d.str(v, k) },
		"tin":  func(v *yaml.Node, k string) { p.TIN = d.str(v, k) },
		"address": func(v *yaml.Node, k string) {
			d.fields(v, k, map[string]func(*yaml.Node, string){
				"line1": func(v *yaml.Node, k string) { p.Address.Line1 = d.str(v, k) },
				"city":  func(v *yaml.Node, k string) { p.Address.City = d.str(v, k) },
				"state": func(v *yaml.Node, k string) { p.Address.State = d.str(v, k) },
				"zip":   func(v *yaml.Node, k string) { p.Address.ZIP = d.str(v, k) },
			})
		},
		"contact_name":     func(v *yaml.Node, k string) { p.ContactName = d.str(v, k) },
		"contact_phone":    func(v *yaml.Node, k string) { p.ContactPhone = d.str(v, k) },
		"contact_url":      func(v *yaml.Node, k string) { p.ContactURL = d.str(v, k) },
		"method":           func(v *yaml.Node, k string) { p.Method = d.str(v, k) },
		"filing_indicator": func(v *yaml.Node, k string) { p.FilingIndicator = d.str(v, k) },
		"bank": func(v *yaml.Node, k string) {
			b := &Bank{}
			p.Bank = b
			d.fields(v, k, map[string]func(*yaml.Node, string){
				"sender_dfi":       func(v *yaml.Node, k string) { b.SenderDFI = d.str(v, k) },
				"sender_account":   func(v *yaml.Node, k string) { b.SenderAccount = d.str(v, k) },
				"receiver_dfi":     func(v *yaml.Node, k string) { b.ReceiverDFI = d.str(v, k) },
				"receiver_account": func(v *yaml.Node, k string) { b.ReceiverAccount = d.str(v, k) },
			})
		},
		"fee_schedule": func(v *yaml.Node, k string) {
			p.FeeSchedule = map[string]x12.Amount{}
			d.each(v, k, func(code string, v *yaml.Node, k string) { p.FeeSchedule[code] = d.amount(v, k) })
		},
		"default_allowed": func(v *yaml.Node, k string) { p.DefaultAllowed = d.rate(v, k) },
		"coinsurance":     func(v *yaml.Node, k string) { p.Coinsurance = d.rate(v, k) },
		"not_covered":     func(v *yaml.Node, k string) { p.NotCovered = d.strings(v, k) },
		"deductibles": func(v *yaml.Node, k string) {
			p.Deductibles = map[string]x12.Amount{}
			d.each(v, k, func(m string, v *yaml.Node, k string) { p.Deductibles[m] = d.amount(v, k) })
		},
		"copays": func(v *yaml.Node, k string) {
			p.Copays = map[string]x12.Amount{}
			d.each(v, k, func(code string, v *yaml.Node, k string) { p.Copays[code] = d.amount(v, k) })
		},
		"bundles": func(v *yaml.Node, k string) {
			p.Bundles = map[string][]string{}
			d.each(v, k, func(code string, v *yaml.Node, k string) { p.Bundles[code] = d.strings(v, k) })
		},
		"timely_filing_days": func(v *yaml.Node, k string) { p.TimelyFilingDays = int(d.integer(v, k, 0, 3650)) },
		"missing_info":       func(v *yaml.Node, k string) { p.MissingInfo = d.rate(v, k) },
		"interest":           func(v *yaml.Node, k string) { p.Interest = d.rate(v, k) },
		"recoupment":         func(v *yaml.Node, k string) { p.Recoupment = d.rate(v, k) },
	})
	for _, req := range []struct{ key, val string }{{"id", p.ID}, {"name", p.Name}, {"tin", p.TIN}, {"method", p.Method},
		{"filing_indicator", p.FilingIndicator}, {"contact_name", p.ContactName}, {"contact_phone", p.ContactPhone}} {
		if req.val == "" {
			d.bad(n, path+"."+req.key, "is required")
		}
	}
	for _, x := range []struct{ key, val string }{{"id", p.ID}, {"name", p.Name}, {"contact_name", p.ContactName}, {"contact_url", p.ContactURL},
		{"address.line1", p.Address.Line1}, {"address.city", p.Address.City}, {"address.state", p.Address.State}, {"address.zip", p.Address.ZIP}} {
		if !plainText(x.val) {
			d.bad(n, path+"."+x.key, "must not contain * : ^ ~ or control characters (the simulator's delimiters)")
		}
	}
	if p.ID != "" && !safeName(p.ID) {
		d.bad(n, path+".id", "%q must be letters and digits", p.ID)
	}
	if p.TIN != "" && (len(p.TIN) != 9 || !digitsOnly(p.TIN)) {
		d.bad(n, path+".tin", "%q must be 9 digits", p.TIN)
	}
	if p.ContactPhone != "" && (len(p.ContactPhone) != 10 || !digitsOnly(p.ContactPhone)) {
		d.bad(n, path+".contact_phone", "%q must be 10 digits", p.ContactPhone)
	}
	if p.Address.Line1 == "" || p.Address.City == "" || p.Address.State == "" || p.Address.ZIP == "" {
		d.bad(n, path+".address", "line1, city, state and zip are required (835 N3/N4)")
	}
	switch p.Method {
	case "", "CHK":
	case "ACH":
		if b := p.Bank; b == nil || b.SenderDFI == "" || b.SenderAccount == "" || b.ReceiverDFI == "" || b.ReceiverAccount == "" {
			d.bad(n, path+".bank", "sender_dfi, sender_account, receiver_dfi and receiver_account are required for ACH")
		}
	default:
		d.bad(n, path+".method", "%q must be CHK or ACH", p.Method)
	}
	return p
}
