package x837

import (
	"fmt"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
)

// Envelope is everything in an 837 file that is not a claim: the
// interchange (ISA), functional group (GS) and transaction set header
// (BHT, submitter 1000A and receiver 1000B), and how to split sets.
type Envelope struct {
	// Kind selects 837P or 837I; every claim must be of this kind. The
	// zero value is Professional.
	Kind Kind
	// SenderQualifier/SenderID are ISA05/ISA06 and ReceiverQualifier/
	// ReceiverID ISA07/ISA08 (IDs at most 15 characters, unpadded).
	SenderQualifier, SenderID     string
	ReceiverQualifier, ReceiverID string
	// SenderCode and ReceiverCode are GS02 and GS03; empty means ISA06
	// and ISA08.
	SenderCode, ReceiverCode string
	// Usage is ISA15: "P" production (default) or "T" test.
	Usage string
	// AckRequested sets ISA14 to 1 (TA1 requested).
	AckRequested bool
	// ISA13 and GS06 are the interchange and group control numbers (1 to
	// 9 digits), from the caller's persistent sequence.
	ISA13, GS06 string
	// FirstST02 is the control number (ST02) of the first transaction
	// set; later sets count up from it. Zero means 1. ST02 is written
	// with at least four digits.
	FirstST02 int
	// ST02, when set, returns ST02 for the n-th (1-based) set instead.
	ST02 func(n int) string
	// BatchID is BHT03, the originator's identifier of this batch (1-50
	// characters); the 277CA echoes it. Required.
	BatchID string
	// Purpose is BHT02: "00" original (default) or "18" reissue.
	Purpose string
	// ClaimType is BHT06: "CH" chargeable (default) or "RP" reporting
	// (encounters).
	ClaimType string
	// Created is the creation time written to ISA09/10, GS04/05 and
	// BHT04/05, in the caller's time zone. Required.
	Created time.Time
	// Submitter is loop 1000A and Receiver loop 1000B.
	Submitter Submitter
	Receiver  Receiver
	// MaxClaimsPerSet is the most claims in one ST-SE; 0 means
	// DefaultMaxClaimsPerSet.
	MaxClaimsPerSet int
	// Delimiters are the separators to write with; the zero value means
	// x12.DefaultDelimiters.
	Delimiters x12.Delimiters
	// Newline writes a line feed after each segment terminator.
	Newline bool
}

// Submitter is loop 1000A: who sends the file.
type Submitter struct {
	// Name is the organization (or, with FirstName, the person's last
	// name).
	Name      string
	FirstName string
	// ETIN is the submitter ID the receiver assigned (NM109).
	ETIN string
	// ContactName, Phone (ten digits) and Email go to PER*IC; Phone or
	// Email is required.
	ContactName string
	Phone       string
	Email       string
}

// Receiver is loop 1000B: the clearinghouse or payer receiving the file.
type Receiver struct {
	Name string
	ID   string // NM109, qualifier 46
}

// check validates the envelope.
func (e *Envelope) check() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if e.Kind != Professional && e.Kind != Institutional {
		bad("kind %q is neither professional nor institutional", e.Kind)
	}
	if err := e.Delimiters.Validate(); err != nil {
		bad("delimiters: %v", err)
	}
	field := func(name, v string, min, max int) {
		switch {
		case v == "" && min > 0:
			bad("%s is required", name)
		case len(v) > max || len(v) < min:
			bad("%s is %d characters; it must be %d to %d", name, len(v), min, max)
		default:
			for i := 0; i < len(v); i++ {
				c := v[i]
				if c == e.Delimiters.Element || c == e.Delimiters.Component || c == e.Delimiters.Segment ||
					(e.Delimiters.Repetition != 0 && c == e.Delimiters.Repetition) || c < 0x20 || c >= 0x7f {
					bad("%s contains the delimiter or control character %q", name, c)
					return
				}
			}
		}
	}
	for _, q := range [...]struct{ name, v string }{{"sender qualifier (ISA05)", e.SenderQualifier}, {"receiver qualifier (ISA07)", e.ReceiverQualifier}} {
		if !inSorted(interchangeQualifiers, q.v) {
			bad("%s %q must be one of %s", q.name, q.v, strings.Join(interchangeQualifiers, ", "))
		}
	}
	field("sender ID (ISA06)", e.SenderID, 1, 15)
	field("receiver ID (ISA08)", e.ReceiverID, 1, 15)
	field("sender code (GS02)", orDefault(e.SenderCode, e.SenderID), 2, 15)
	field("receiver code (GS03)", orDefault(e.ReceiverCode, e.ReceiverID), 2, 15)
	if u := e.Usage; u != "" && u != "P" && u != "T" {
		bad("usage (ISA15) %q must be P or T", u)
	}
	if len(e.ISA13) == 0 || len(e.ISA13) > 9 || !allDigits(e.ISA13) {
		bad("ISA13 %q must be 1 to 9 digits", e.ISA13)
	}
	if len(e.GS06) == 0 || len(e.GS06) > 9 || !allDigits(e.GS06) {
		bad("GS06 %q must be 1 to 9 digits", e.GS06)
	}
	if e.FirstST02 < 0 || e.FirstST02 > 999999999 {
		bad("first ST02 %d is out of range", e.FirstST02)
	}
	field("batch ID (BHT03)", e.BatchID, 1, 50)
	if p := e.Purpose; p != "" && p != "00" && p != "18" {
		bad("purpose (BHT02) %q must be 00 or 18", p)
	}
	if t := e.ClaimType; t != "" && t != "CH" && t != "RP" {
		bad("claim type (BHT06) %q must be CH or RP", t)
	}
	if e.Created.IsZero() {
		bad("creation time is required")
	}
	field("submitter name", e.Submitter.Name, 1, 60)
	field("submitter first name", e.Submitter.FirstName, 0, 35)
	field("submitter ETIN", e.Submitter.ETIN, 2, 80)
	field("submitter contact name", e.Submitter.ContactName, 0, 60)
	field("submitter phone", e.Submitter.Phone, 0, 256)
	field("submitter email", e.Submitter.Email, 0, 256)
	if e.Submitter.Phone == "" && e.Submitter.Email == "" {
		bad("submitter phone or email is required (PER*IC)")
	}
	field("receiver name", e.Receiver.Name, 1, 60)
	field("receiver ID", e.Receiver.ID, 2, 80)
	if e.MaxClaimsPerSet < 0 {
		bad("max claims per set %d is negative", e.MaxClaimsPerSet)
	}
	if len(errs) > 0 {
		return fmt.Errorf("x837: invalid envelope: %s", strings.Join(errs, "; "))
	}
	return nil
}

// interchangeQualifiers are the ISA05/ISA07 values HIPAA allows.
var interchangeQualifiers = []string{"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
