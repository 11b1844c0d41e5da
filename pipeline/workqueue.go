package pipeline

import "time"

// WorkSource is where a work item came from.
type WorkSource string

// The work item sources.
const (
	SourceIntake     WorkSource = "intake"     // malformed encounter record
	SourceScrubber   WorkSource = "scrubber"   // failed pre-submission validation
	SourceTA1        WorkSource = "ta1"        // interchange rejected
	Source999        WorkSource = "999"        // transaction set rejected
	Source277CA      WorkSource = "277ca"      // claim rejected by the clearinghouse or payer
	SourceDenial     WorkSource = "835_denial" // claim or line denied
	SourceUnmatched  WorkSource = "unmatched"  // 835 claim that matches no submission
	SourceImbalance  WorkSource = "out_of_balance"
	SourceTransport  WorkSource = "transport" // upload or pickup needs an operator
	SourceInboundBad WorkSource = "inbound"   // response file that cannot be read
)

// WorkStatus is the state of a work item.
type WorkStatus string

// The work item statuses.
const (
	WorkOpen       WorkStatus = "open"
	WorkInProgress WorkStatus = "in_progress"
	WorkResolved   WorkStatus = "resolved"
)

// Reason is one coded reason on a work item, with plain-language text and,
// for scrubber findings, the encounter field and X12 location.
type Reason struct {
	Code     string `json:"code,omitempty"`
	Text     string `json:"text"`
	Field    string `json:"field,omitempty"`
	Location string `json:"location,omitempty"`
}

// WorkItem is one thing a billing specialist must look at: a rejected or
// denied claim, a held encounter, an unmatched or unbalanced remittance.
type WorkItem struct {
	ID            int64
	Source        WorkSource
	ClaimID       int64  // 0 when not tied to a claim
	EncounterID   string // for intake and scrubber items
	RemittanceID  int64
	InboundFileID int64
	// Category groups items by root cause (e.g. "eligibility",
	// "authorization", "coding", "provider data", "envelope").
	Category  string
	Summary   string
	Reasons   []Reason
	Status    WorkStatus
	Assignee  string
	CreatedAt time.Time
	UpdatedAt time.Time
}
