package pipeline

import (
	"time"

	"github.com/x12claims/claims/x12/x837"
)

// BatchState is where an outbound file is in the upload protocol.
type BatchState string

// The batch states, in order. Each is committed before the next step.
const (
	BatchBuilt     BatchState = "built"     // file written locally (temp, fsync, rename)
	BatchUploading BatchState = "uploading" // Put to the temporary remote name in progress
	BatchStaged    BatchState = "staged"    // temporary remote file verified; rename next
	BatchUploaded  BatchState = "uploaded"  // final remote name verified
	BatchFailed    BatchState = "failed"    // permanent failure; needs an operator (claims batch retry, or cancel)
	BatchCanceled  BatchState = "canceled"  // an operator gave up on it; its claims were queued again
)

// Batch is one outbound 837 file: one interchange with one functional
// group and one or more transaction sets.
type Batch struct {
	ID            int64
	Clearinghouse string
	Kind          x837.Kind
	PayerID       string // set when the clearinghouse splits files per payer
	SenderID      string // ISA06
	ReceiverID    string // ISA08
	ISA13         string
	GS06          string
	Sets          []BatchSet
	FileName      string // final remote and local name
	LocalPath     string
	SHA256        string
	Size          int64
	State         BatchState
	Attempts      int
	LastError     string
	// ResumeFrom is, for a failed batch, the upload step it failed at
	// (uploading or staged): a retry resumes from there.
	ResumeFrom BatchState
	CreatedAt  time.Time
	UploadedAt time.Time
}

// BatchSet is one transaction set of a batch.
type BatchSet struct {
	ST02   string `json:"st02"`
	Claims int    `json:"claims"`
}

// InboundState is where a response file is in processing.
type InboundState string

// The inbound file states.
const (
	InboundReceived  InboundState = "received"  // stored locally and in the ledger
	InboundProcessed InboundState = "processed" // applied to claims and the ledger
	InboundFailed    InboundState = "failed"    // could not be applied; see Error
	// InboundQuarantined is a file not addressed to us (sender,
	// receiver or usage indicator): nothing in it was applied.
	InboundQuarantined InboundState = "quarantined"
)

// InboundFile is one file collected from a clearinghouse. Files are unique
// by SHA256: the same bytes are processed once.
type InboundFile struct {
	ID            int64
	Clearinghouse string
	Name          string
	SHA256        string
	Size          int64
	LocalPath     string
	Kind          string // "TA1", "999", "997", "277CA", "835" or "unknown"
	State         InboundState
	Error         string
	ReceivedAt    time.Time
	ProcessedAt   time.Time
	// Attempts counts the runs that started applying the file while it
	// was received; a retry sets it back to zero.
	Attempts int
}
