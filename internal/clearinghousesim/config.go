package clearinghousesim

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/x12"
)

// The folders of a simulator, relative to Config.Root. Our uploads land in
// InboundDir, responses appear in OutboundDir, and handled 837 files are
// moved to ProcessedDir.
const (
	InboundDir   = "inbound"
	OutboundDir  = "outbound"
	ProcessedDir = "inbound/processed"
)

// BasisPoints is a rate in hundredths of a percent: 10000 is 100 %, 2000
// is 20 %. Rates are whole numbers so that every amount computed from them
// is exact; see Share for the rounding rule.
type BasisPoints int

// Percent returns p percent as BasisPoints (Percent(20) == 2000).
func Percent(p int) BasisPoints { return BasisPoints(p * 100) }

// String formats the rate as a percentage, e.g. "20%" or "62.5%".
func (b BasisPoints) String() string {
	s := fmt.Sprintf("%d.%02d", int(b)/100, abs(int(b))%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Address is a postal address written in N3/N4.
type Address struct {
	Line1 string `json:"line1"`
	City  string `json:"city"`
	State string `json:"state"`
	ZIP   string `json:"zip"`
}

// Bank holds the (made-up) bank routing and account numbers of an ACH
// payment: BPR06 to BPR15.
type Bank struct {
	SenderDFI       string `json:"sender_dfi"`       // BPR07, payer's bank routing number
	SenderAccount   string `json:"sender_account"`   // BPR09
	ReceiverDFI     string `json:"receiver_dfi"`     // BPR13, provider's bank routing number
	ReceiverAccount string `json:"receiver_account"` // BPR15
}

// Payer describes one payer the simulator adjudicates for: who it is
// (written in the 835 payer loop) and its adjudication rules.
//
// A line is adjudicated as follows (see Adjudicate): a procedure in
// NotCovered is denied (CO-50, the whole charge, remark N386). Otherwise
// the allowed amount is FeeSchedule[code] × units, or DefaultAllowed of
// the charge when the code has no fee, and never more than the charge;
// CO-45 is the charge less the allowed amount. The member's remaining
// deductible (Deductibles) takes what it can of the allowed amount (PR-1),
// Coinsurance of the rest is PR-2, and the payer pays the remainder.
type Payer struct {
	// ID is the payer identifier our 837s carry in 2010BB NM109.
	ID string `json:"id"`
	// Name is the payer's name (835 N1*PR).
	Name string `json:"name"`
	// TIN is the payer's 9-digit tax ID; TRN03 is "1" followed by it.
	TIN     string  `json:"tin"`
	Address Address `json:"address"`
	// Contact is the technical contact (835 PER*BL): name, phone (ten
	// digits) and web address.
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	ContactURL   string `json:"contact_url,omitempty"`
	// Method is the payment method: "CHK" (check) or "ACH" (electronic
	// funds transfer, which needs Bank). A remittance that pays nothing is
	// written as "NON" whatever the method.
	Method string `json:"method"`
	Bank   *Bank  `json:"bank,omitempty"`
	// FilingIndicator is CLP06 when the 837 did not carry SBR09.
	FilingIndicator string `json:"filing_indicator"`

	// FeeSchedule is the allowed amount per unit, by procedure code
	// (SV101-2 / SV202-2, modifiers ignored).
	FeeSchedule map[string]x12.Amount `json:"fee_schedule"`
	// DefaultAllowed is the share of the charge allowed for a procedure
	// that is not in FeeSchedule.
	DefaultAllowed BasisPoints `json:"default_allowed"`
	// Coinsurance is the patient's share of the allowed amount after the
	// deductible.
	Coinsurance BasisPoints `json:"coinsurance"`
	// NotCovered lists procedure codes this payer does not cover.
	NotCovered []string `json:"not_covered,omitempty"`
	// Copays are the patient's copayment (PR-3) per line, by procedure
	// code, taken from the allowed amount after the deductible.
	Copays map[string]x12.Amount `json:"copays,omitempty"`
	// Bundles maps a procedure code to the codes it is bundled into: a
	// line with the code is denied CO-97 (remark M15) when the claim
	// also bills one of them.
	Bundles map[string][]string `json:"bundles,omitempty"`
	// TimelyFilingDays denies (CO-29) a claim whose first service date is
	// more than this many days before it arrives; zero never does.
	TimelyFilingDays int `json:"timely_filing_days,omitempty"`
	// MissingInfo is the fraction of claims denied CO-16 (remarks M51
	// and MA130) at random, by the simulator's seed.
	MissingInfo BasisPoints `json:"missing_info,omitempty"`
	// Interest and Recoupment are the fractions of payments that carry
	// an interest PLB (L6) or an overpayment recovery PLB (WO).
	Interest   BasisPoints `json:"interest,omitempty"`
	Recoupment BasisPoints `json:"recoupment,omitempty"`
	// Deductibles is the remaining deductible of each member (by member
	// ID) at the start. It is consumed claim by claim, line by line, in the
	// order the simulator adjudicates them (and given back by a reversal);
	// what is left is kept in the Store. A member not listed has none
	// left.
	Deductibles map[string]x12.Amount `json:"deductibles,omitempty"`
}

// Config configures a simulator. DefaultConfig returns one matching the
// demo's sample payers.
type Config struct {
	// Root is the folder holding inbound/, outbound/ and
	// inbound/processed/. It is created (0700) when missing.
	Root string `json:"root"`
	// Addr is where Start's SFTP server listens; empty means 127.0.0.1
	// on a random port.
	Addr string `json:"addr,omitempty"`
	// ID is the simulator's interchange ID: ISA06 and GS02 of its
	// responses (qualifier ZZ), and the 277CA information source (NM1*AY).
	// At most 15 characters.
	ID string `json:"id"`
	// Name is the clearinghouse name written in the 277CA.
	Name string `json:"name"`
	// ReceiverIDs, when not empty, are the ISA08 values the simulator
	// accepts; an interchange addressed to anyone else is rejected with a
	// TA1 (TA105 = 009, unknown receiver). Empty accepts any receiver.
	ReceiverIDs []string `json:"receiver_ids,omitempty"`
	// NotEnrolled are member IDs that no payer knows: their claims are
	// rejected in the 277CA (A7:164, entity IL).
	NotEnrolled []string `json:"not_enrolled,omitempty"`
	// Payers are the payers the simulator adjudicates for. A claim for
	// any other payer ID is rejected in the 277CA (A3:116).
	Payers []Payer `json:"payers"`
	// FirstControlNumber is the first interchange control number (ISA13)
	// of the simulator's responses, and the first sequence number of its
	// payer claim numbers; the next ones follow by one. Zero means 1. It
	// counts only for a new Store: a restarted simulator continues from
	// the numbers its store remembers.
	FirstControlNumber int `json:"first_control_number,omitempty"`
	// Now is the clock: response dates, BPR16, file times and claim
	// numbers derive from it. Nil means time.Now. Inject a fixed clock for
	// byte-identical output.
	Now func() time.Time `json:"-"`
	// Logger receives one line per handled file and per Respond run,
	// with file names and counts only (never claim content). Nil logs
	// nothing.
	Logger *zap.Logger `json:"-"`

	// StateDir is the folder of the simulator's state database (see
	// Store). Empty keeps the state in memory for the life of the
	// Responder. Ignored when Store is set.
	StateDir string `json:"state_dir,omitempty"`
	// Store is a state store shared by several Responders (one per SFTP
	// user of a standalone simulator). The Responder does not close it.
	Store *Store `json:"-"`
	// Mailbox names the Responder's folders in the store: the SFTP user.
	// Empty means User.
	Mailbox string `json:"mailbox,omitempty"`
	// AckFormat is "999" (the default) or "997": the functional
	// acknowledgment this trading partner gets.
	AckFormat string `json:"ack_format,omitempty"`
	// Timing says when each response is due; the zero Timing delivers
	// everything at once.
	Timing Timing `json:"timing"`
	// Faults are the faults this mailbox's responses suffer (see Faults);
	// FaultsFile, when set, is a control file whose faults replace them
	// while it exists.
	Faults     Faults `json:"faults"`
	FaultsFile string `json:"faults_file,omitempty"`
	// Seed drives every "now and then" decision (rejections, denials,
	// interest, recoupments): the same seed and the same claims give the
	// same answers.
	Seed int64 `json:"seed,omitempty"`
	// Rejections are the fractions of claims the 277CA rejects at random
	// (by Seed), per reason; zero rejects none.
	Rejections Rejections `json:"rejections"`
	// BatchPayments pays the claims of several 837s together: one 835
	// per payer, payment date and trading partner, whichever file they
	// came in. Without it (the demo), each 837 file's claims are paid in
	// their own 835s.
	BatchPayments bool `json:"batch_payments,omitempty"`
	// NoValidator turns off the 837 file validator (x12/x837) behind
	// the 999's segment and element errors; only the simulator's own
	// structure checks remain.
	NoValidator bool `json:"no_validator,omitempty"`
	// NoClaimResults leaves Report.Claims empty in what Respond returns:
	// one entry per claim answered, which a long-running simulator
	// ("claims clearinghouse") has no use for and which would grow with
	// the claims of a pass. The counts are kept.
	NoClaimResults bool `json:"-"`
}

// Timing is how long after an 837 arrives each response is due.
type Timing struct {
	TA1      time.Duration `json:"ta1"`
	Ack      time.Duration `json:"ack"`       // 999 or 997
	ClaimAck time.Duration `json:"claim_ack"` // 277CA
	Remit    time.Duration `json:"remit"`     // 835; its payment date is then
}

// delay returns the delay of a response kind.
func (t Timing) delay(kind string) time.Duration {
	switch kind {
	case "TA1":
		return t.TA1
	case "999", "997":
		return t.Ack
	case "277CA":
		return t.ClaimAck
	default:
		return t.Remit
	}
}

// Rejections are fractions (in basis points of the claims reaching the
// 277CA) rejected for each reason, chosen by Seed and the claim.
type Rejections struct {
	SubscriberNotFound BasisPoints `json:"subscriber_not_found"` // A7:33:IL (with A7:164:IL)
	NPINotOnFile       BasisPoints `json:"npi_not_on_file"`      // A7:21:85 with A7:562:85
	DiagnosisInvalid   BasisPoints `json:"diagnosis_invalid"`    // A7:21 with A7:255 (diagnosis code)
}

// Faults are misbehaviours a clearinghouse shows now and then, for
// testing a client. The SFTP ones (SlowTransfer, DropAfterBytes) are
// applied by the standalone server.
type Faults struct {
	// NoAck withholds the 999 (or 997): it is recorded, never delivered.
	NoAck bool `json:"no_ack,omitempty"`
	// DuplicateRemit delivers each 835 twice, under two names.
	DuplicateRemit bool `json:"duplicate_remit,omitempty"`
	// SlowWrite writes responses in small pieces under their final name,
	// so that a client listing the folder sees them grow.
	SlowWrite bool `json:"slow_write,omitempty"`
	// SlowWriteStep is the pause between pieces (default 200ms).
	SlowWriteStep time.Duration `json:"slow_write_step,omitempty"`
	// SlowTransfer delays every SFTP read and write request.
	SlowTransfer time.Duration `json:"slow_transfer,omitempty"`
	// DropAfterBytes closes an SFTP connection once it has transferred
	// this many bytes of file content (zero: never).
	DropAfterBytes int64 `json:"drop_after_bytes,omitempty"`
}

func (c *Config) validate999() bool { return !c.NoValidator }

// Validate reports every problem in c, one per line, each naming the
// field. It returns nil for a usable configuration.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("clearinghouse config: %s: "+format, append([]any{field}, args...)...))
	}
	if c.Root == "" {
		bad("Root", "is required")
	}
	switch {
	case c.ID == "":
		bad("ID", "is required")
	case len(c.ID) > 15 || !plainText(c.ID):
		bad("ID", "%q must be 1 to 15 letters, digits or spaces", c.ID)
	}
	if !plainText(c.Name) {
		bad("Name", "must not contain X12 delimiters")
	}
	switch c.AckFormat {
	case "", "999", "997":
	default:
		bad("AckFormat", "%q must be 999 or 997", c.AckFormat)
	}
	for _, d := range []time.Duration{c.Timing.TA1, c.Timing.Ack, c.Timing.ClaimAck, c.Timing.Remit} {
		if d < 0 {
			bad("Timing", "delays must not be negative")
			break
		}
	}
	for _, f := range []BasisPoints{c.Rejections.SubscriberNotFound, c.Rejections.NPINotOnFile, c.Rejections.DiagnosisInvalid} {
		if f < 0 || f > 10000 {
			bad("Rejections", "fractions must be between 0 and 10000 basis points")
			break
		}
	}
	if c.Faults.SlowWriteStep < 0 || c.Faults.SlowTransfer < 0 || c.Faults.DropAfterBytes < 0 {
		bad("Faults", "durations and byte counts must not be negative")
	}
	if c.FirstControlNumber < 0 || c.FirstControlNumber > 999_000_000 {
		bad("FirstControlNumber", "must be between 0 and 999000000, got %d", c.FirstControlNumber)
	}
	if len(c.Payers) == 0 {
		bad("Payers", "at least one payer is required")
	}
	seen := map[string]bool{}
	for i, p := range c.Payers {
		f := fmt.Sprintf("Payers[%d]", i)
		if p.ID == "" || !plainText(p.ID) || strings.ContainsAny(p.ID, " /\\.") {
			bad(f+".ID", "%q must be letters and digits", p.ID)
		}
		if seen[p.ID] {
			bad(f+".ID", "%q is listed twice", p.ID)
		}
		seen[p.ID] = true
		if p.Name == "" || !plainText(p.Name) {
			bad(f+".Name", "is required and must not contain X12 delimiters")
		}
		if len(p.TIN) != 9 || !digitsOnly(p.TIN) {
			bad(f+".TIN", "must be 9 digits")
		}
		if p.Address.Line1 == "" || p.Address.City == "" || p.Address.State == "" || p.Address.ZIP == "" {
			bad(f+".Address", "line1, city, state and zip are required (835 N3/N4)")
		}
		if p.ContactName == "" || len(p.ContactPhone) != 10 || !digitsOnly(p.ContactPhone) {
			bad(f+".ContactPhone", "a contact name and a 10-digit phone are required (835 PER*BL)")
		}
		for _, s := range []string{p.Address.Line1, p.Address.City, p.Address.State, p.Address.ZIP, p.ContactName, p.ContactURL, p.FilingIndicator} {
			if !plainText(s) {
				bad(f, "value %q contains an X12 delimiter", s)
			}
		}
		switch p.Method {
		case "CHK":
		case "ACH":
			if p.Bank == nil || p.Bank.SenderDFI == "" || p.Bank.SenderAccount == "" || p.Bank.ReceiverDFI == "" || p.Bank.ReceiverAccount == "" {
				bad(f+".Bank", "all four numbers are required for ACH")
			}
		default:
			bad(f+".Method", "%q must be CHK or ACH", p.Method)
		}
		if p.FilingIndicator == "" {
			bad(f+".FilingIndicator", "is required (e.g. CI, BL, MC)")
		}
		if p.DefaultAllowed < 0 || p.DefaultAllowed > 10000 {
			bad(f+".DefaultAllowed", "%d must be between 0 and 10000 basis points", p.DefaultAllowed)
		}
		if p.Coinsurance < 0 || p.Coinsurance > 10000 {
			bad(f+".Coinsurance", "%d must be between 0 and 10000 basis points", p.Coinsurance)
		}
		for _, r := range []BasisPoints{p.MissingInfo, p.Interest, p.Recoupment} {
			if r < 0 || r > 10000 {
				bad(f, "missing_info, interest and recoupment must be between 0 and 10000 basis points")
				break
			}
		}
		if p.TimelyFilingDays < 0 {
			bad(f+".TimelyFilingDays", "must not be negative")
		}
		for code, fee := range p.Copays {
			if fee < 0 {
				bad(f+".Copays", "copay for %s is negative", code)
			}
		}
		for code, fee := range p.FeeSchedule {
			if fee < 0 {
				bad(f+".FeeSchedule", "fee for %s is negative", code)
			}
		}
		for _, d := range p.Deductibles {
			if d < 0 {
				// Member IDs are PHI: name the payer only.
				bad(f+".Deductibles", "a remaining deductible is negative")
				break
			}
		}
	}
	return errors.Join(errs...)
}

// payer returns the payer with the given ID, or nil.
func (c *Config) payer(id string) *Payer {
	for i := range c.Payers {
		if c.Payers[i].ID == id {
			return &c.Payers[i]
		}
	}
	return nil
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// plainText reports whether s is free of the delimiters the simulator
// writes with (* : ^ ~) and of control characters.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c == 0x7f || c == '*' || c == ':' || c == '^' || c == '~' {
			return false
		}
	}
	return true
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
