package pipeline

import (
	"strconv"
	"time"
)

// WorkSource is where a work item came from.
type WorkSource string

// The work item sources.
const (
	SourceIntake     WorkSource = "intake"         // malformed encounter record, or an encounter changed after adjudication
	SourceScrubber   WorkSource = "scrubber"       // failed pre-submission validation
	SourceTA1        WorkSource = "ta1"            // interchange rejected
	Source999        WorkSource = "999"            // transaction set rejected
	Source277CA      WorkSource = "277ca"          // claim rejected by the clearinghouse or payer
	SourceDenial     WorkSource = "835_denial"     // claim or line denied
	SourceUnmatched  WorkSource = "unmatched"      // 835 claim payment that matches no claim (unapplied cash), or that cannot post
	SourceImbalance  WorkSource = "out_of_balance" // 835 transaction set that does not balance
	SourceTransport  WorkSource = "transport"      // upload or pickup needs an operator
	SourceInboundBad WorkSource = "inbound"        // response file that cannot be read, or is not addressed to us
	SourceOverdue    WorkSource = "overdue"        // a 999, 277CA or 835 that has not come in time (see CheckOverdue)
)

// workSources lists the work item sources, for validating filters.
func workSources() []WorkSource {
	return []WorkSource{SourceIntake, SourceScrubber, SourceTA1, Source999, Source277CA, SourceDenial,
		SourceUnmatched, SourceImbalance, SourceTransport, SourceInboundBad, SourceOverdue, SourceCOB}
}

// WorkStatus is the state of a work item.
type WorkStatus string

// The work item statuses.
const (
	WorkOpen   WorkStatus = "open"
	WorkClosed WorkStatus = "closed"
)

// SystemActor is the ClosedBy of an item the pipeline closed because its
// cause went away.
const SystemActor = "system"

// Reason is one coded reason on a work item, with plain-language text and,
// for scrubber findings, the encounter field and X12 location.
type Reason struct {
	Code     string `json:"code,omitempty"`
	Text     string `json:"text"`
	Field    string `json:"field,omitempty"`
	Location string `json:"location,omitempty"`
	// Severity is "error" or "warning" for scrubber findings (a warning
	// does not hold the claim), empty otherwise.
	Severity string `json:"severity,omitempty"`
}

// WorkItem is one thing a person must look at: a held or rejected claim,
// a denial, an unmatched or unbalanced remittance, a file that failed to
// upload or to apply. The pipeline keeps at most one open item per Key
// (a claim, batch, file or remittance and the cause), and closes it when
// the cause is gone; a person can also close it with a note.
type WorkItem struct {
	ID int64
	// Key identifies the thing and the cause, e.g. "277ca:claim:12" (see
	// the Key functions). The store keeps one open item per key.
	Key    string
	Source WorkSource
	// Code is the main reason code (a scrubber rule, "A7:164:IL",
	// "CO-50", "upload-failed", ...); Reasons has them all.
	Code string
	// Category groups items by root cause (e.g. "eligibility",
	// "authorization", "coding", "provider data", "envelope").
	Category string
	// Summary is the plain-language text.
	Summary string
	Reasons []Reason

	// References: what the item is about. Zero when not applicable.
	ClaimID       int64
	Version       int    // the claim version concerned
	EncounterID   string // for intake and scrubber items
	BatchID       int64
	RemittanceID  int64
	InboundFileID int64
	Segment       int    // position in the file (or transaction set) of the cause
	PayerID       string // the payer concerned, for filtering

	Status    WorkStatus
	Assignee  string
	CreatedAt time.Time // opened
	UpdatedAt time.Time
	ClosedAt  time.Time
	// ClosedBy is SystemActor when the pipeline closed the item, or the
	// user who resolved it.
	ClosedBy string
	// Note is the resolution note (or why the pipeline closed it).
	Note string
}

// The keys of work items: one open item per key.

// ClaimKey is the key of an item about a claim, for a cause.
func ClaimKey(src WorkSource, claimID int64) string {
	return string(src) + ":claim:" + strconv.FormatInt(claimID, 10)
}

// BatchKey is the key of an item about an outbound batch.
func BatchKey(batchID int64) string {
	return string(SourceTransport) + ":batch:" + strconv.FormatInt(batchID, 10)
}

// FileKey is the key of an item about an inbound file.
func FileKey(src WorkSource, fileID int64) string {
	return string(src) + ":file:" + strconv.FormatInt(fileID, 10)
}

// RemitKeyOf is the key of an item about a remittance.
func RemitKeyOf(src WorkSource, remitID int64) string {
	return string(src) + ":remit:" + strconv.FormatInt(remitID, 10)
}

// EncounterKey is the key of an item about an intake record.
func EncounterKey(encounterID string) string {
	return string(SourceIntake) + ":encounter:" + encounterID
}
