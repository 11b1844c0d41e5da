package codes

import (
	"embed"
	"slices"
	"strconv"
	"sync"
)

// List identifies one code table. The zero List is not a table: Lookup
// finds nothing in it, Info returns a zero Meta and All returns nil.
type List int

// The code tables. Each is one embedded file under data/.
const (
	// CARC is the Claim Adjustment Reason Code list (element 1034), used in
	// 835 and 837 CAS segments.
	CARC List = iota + 1
	// RARC is the Remittance Advice Remark Code list (M, MA and N codes) used
	// in 835 LQ*HE (element 1271), MIA and MOA (element 127). Partial: the
	// codes billers see most.
	RARC
	// ClaimStatusCategory is element 507, STC01-1 (and STC10-1, STC11-1) of
	// the 277CA. Each category also has a Verdict; see CategoryVerdict.
	ClaimStatusCategory
	// ClaimStatus is element 508, STC01-2 of the 277CA. Partial.
	ClaimStatus
	// EntityIdentifier is element 98 (NM101, STC01-3). Partial: the codes
	// used in claims, remittances and claim acknowledgments.
	EntityIdentifier
	// AdjustmentGroup is the claim adjustment group code (element 1033,
	// CAS01).
	AdjustmentGroup
	// ClaimPaymentStatus is the 835 claim status code (element 1029, CLP02)
	// as restricted by the 005010X221A1 guide.
	ClaimPaymentStatus
	// PLBReason is the provider-level adjustment reason code (element 426,
	// PLB03-1 and its repeats) as allowed in the 835.
	PLBReason
	// SegmentSyntaxError is the 999 segment syntax error code (element 620,
	// IK304).
	SegmentSyntaxError
	// ElementSyntaxError is the 999 data element syntax error code (element
	// 621, IK403).
	ElementSyntaxError
	// AckCode is the acknowledgment code of the 999 (element 717, IK501, and
	// element 715, AK901). P (partially accepted) is valid in AK901 only.
	AckCode
	// TransactionSetError is the 999 transaction set syntax error code
	// (element 618, IK502 to IK506).
	TransactionSetError
	// GroupError is the 999 functional group syntax error code (element
	// 716, AK905 to AK909).
	GroupError
	// TA1Ack is the interchange acknowledgment code (element I17, TA104).
	TA1Ack
	// TA1Note is the interchange note code (element I18, TA105).
	TA1Note
)

// lastList is the highest defined List.
const lastList = TA1Note

// String returns the Go name of the list ("CARC", "ClaimStatusCategory",
// ...), or "List(n)" for a value that is not a defined list.
func (l List) String() string {
	switch l {
	case CARC:
		return "CARC"
	case RARC:
		return "RARC"
	case ClaimStatusCategory:
		return "ClaimStatusCategory"
	case ClaimStatus:
		return "ClaimStatus"
	case EntityIdentifier:
		return "EntityIdentifier"
	case AdjustmentGroup:
		return "AdjustmentGroup"
	case ClaimPaymentStatus:
		return "ClaimPaymentStatus"
	case PLBReason:
		return "PLBReason"
	case SegmentSyntaxError:
		return "SegmentSyntaxError"
	case ElementSyntaxError:
		return "ElementSyntaxError"
	case AckCode:
		return "AckCode"
	case TransactionSetError:
		return "TransactionSetError"
	case GroupError:
		return "GroupError"
	case TA1Ack:
		return "TA1Ack"
	case TA1Note:
		return "TA1Note"
	}
	return "List(" + strconv.Itoa(int(l)) + ")"
}

// file returns the name of the embedded data file of l, or "" when l is not
// a defined list.
func (l List) file() string {
	switch l {
	case CARC:
		return "carc.tsv"
	case RARC:
		return "rarc.tsv"
	case ClaimStatusCategory:
		return "claim_status_category.tsv"
	case ClaimStatus:
		return "claim_status.tsv"
	case EntityIdentifier:
		return "entity_identifier.tsv"
	case AdjustmentGroup:
		return "adjustment_group.tsv"
	case ClaimPaymentStatus:
		return "clp02_claim_status.tsv"
	case PLBReason:
		return "plb_reason.tsv"
	case SegmentSyntaxError:
		return "ik304_segment_error.tsv"
	case ElementSyntaxError:
		return "ik403_element_error.tsv"
	case AckCode:
		return "ack_code.tsv"
	case TransactionSetError:
		return "ik5_transaction_set_error.tsv"
	case GroupError:
		return "ak9_group_error.tsv"
	case TA1Ack:
		return "ta104_ack.tsv"
	case TA1Note:
		return "ta105_note.tsv"
	}
	return ""
}

// allLists returns every defined List in order.
func allLists() []List {
	ls := make([]List, 0, int(lastList))
	for l := CARC; l <= lastList; l++ {
		ls = append(ls, l)
	}
	return ls
}

// Entry is one code of a table.
type Entry struct {
	// Code is the value as it appears in the X12 element ("45", "A7",
	// "MA130").
	Code string
	// Description says what the code means, in plain language.
	Description string
	// Start is the date (YYYY-MM-DD) the code became available, or "" when
	// the table does not record it.
	Start string
	// Stop is the date (YYYY-MM-DD) after which the code may no longer be
	// used in new original transactions, or "" when the code is active or
	// the date is not recorded (Notes then says "Deactivated").
	Stop string
	// Notes holds usage rules (allowed group codes, remark codes required,
	// replacement codes), or "".
	Notes string
}

// Meta describes a table: what it is, where its content comes from and how
// current it is.
type Meta struct {
	// Name is the table's name ("CARC", "Claim status category code").
	Name string
	// Element is the X12 data element number(s) the codes belong to.
	Element string
	// Source names the publication the table was compiled from.
	Source string
	// AsOf is the date (YYYY-MM-DD) on which the table was last compared
	// with its source.
	AsOf string
	// Partial is true when the table holds only a selection of the codes
	// of its source list.
	Partial bool
}

// Verdict is how a 277CA claim status category code is to be treated by
// the work queue.
type Verdict int

// Verdicts. The zero Verdict is Review, so an unset verdict is never taken
// for an acceptance.
const (
	// Review means the category is unknown: a person must look at it.
	Review Verdict = iota
	// Accepted means the claim entered the payer's adjudication system.
	Accepted
	// Rejected means the claim was refused and will not be adjudicated; it
	// must be corrected and sent again.
	Rejected
	// Pending means the claim was received or forwarded but no decision has
	// been made yet; keep waiting for a later response.
	Pending
	// Informational means the category reports claim status (pending,
	// finalized, request for information) rather than an acknowledgment.
	Informational
	// Exception means the response could not be produced or the request
	// needs correction before it can be answered (E categories).
	Exception
)

// String returns the lower-case name of v ("accepted", "review", ...), or
// "Verdict(n)" for an undefined value.
func (v Verdict) String() string {
	switch v {
	case Review:
		return "review"
	case Accepted:
		return "accepted"
	case Rejected:
		return "rejected"
	case Pending:
		return "pending"
	case Informational:
		return "informational"
	case Exception:
		return "exception"
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// parseVerdict maps the verdict column of the category table to a Verdict.
func parseVerdict(s string) (Verdict, bool) {
	for v := Review; v <= Exception; v++ {
		if v.String() == s {
			return v, true
		}
	}
	return Review, false
}

//go:embed data/*.tsv
var dataFS embed.FS

// loadCatalog parses every embedded table once, on first use.
var loadCatalog = sync.OnceValues(func() (*catalog, error) {
	return parseCatalog(dataFS, "data")
})

// tables returns the parsed tables. The embedded data is checked by the
// package tests, so a parse failure here is a build defect and panics.
func tables() *catalog {
	c, err := loadCatalog()
	if err != nil {
		panic("codes: embedded code tables are invalid: " + err.Error())
	}
	return c
}

// Lookup returns the entry for code in list l, and whether it was found.
// The code must match exactly (X12 codes are upper case, and "000" is not
// "0"). It returns false for an undefined List.
func Lookup(l List, code string) (Entry, bool) {
	t := tables().byList[l]
	if t == nil {
		return Entry{}, false
	}
	i, ok := t.byCode[code]
	if !ok {
		return Entry{}, false
	}
	return t.entries[i], true
}

// Describe returns the description of code in list l. For a code that is
// not in the table (or an undefined List) it returns exactly
// "unknown code " followed by the code, so the result is never empty and
// always carries the code.
func Describe(l List, code string) string {
	if e, ok := Lookup(l, code); ok {
		return e.Description
	}
	return "unknown code " + code
}

// Info returns the metadata of list l: its name, element, source, as-of date
// and whether it is partial. It returns a zero Meta for an undefined List.
func Info(l List) Meta {
	t := tables().byList[l]
	if t == nil {
		return Meta{}
	}
	return t.meta
}

// All returns a copy of the entries of list l, sorted by code in natural
// order: numeric runs compare as numbers ("2" before "10", "B9" before
// "B10"), and digits sort before letters ("308" before "A0"). It returns nil
// for an undefined List.
func All(l List) []Entry {
	t := tables().byList[l]
	if t == nil {
		return nil
	}
	out := make([]Entry, len(t.entries))
	copy(out, t.entries)
	return out
}

// CategoryVerdict returns how a 277CA claim status category code (STC01-1,
// STC10-1, STC11-1) is to be treated: A2 and A5 are Accepted; A3, A4, A6, A7
// and A8 are Rejected; A0 and A1 are Pending (received or forwarded is not
// accepted); E codes are Exception; P, F, R and D codes are Informational.
// A category not in the table yields Review, never Accepted.
func CategoryVerdict(category string) Verdict {
	t := tables().byList[ClaimStatusCategory]
	if t == nil {
		return Review
	}
	v, ok := t.verdicts[category]
	if !ok {
		return Review
	}
	return v
}

// sortEntries orders entries by code in natural order (see All).
func sortEntries(es []Entry) {
	slices.SortStableFunc(es, func(a, b Entry) int {
		return compareCodes(a.Code, b.Code)
	})
}
