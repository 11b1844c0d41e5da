package pipeline

import (
	"fmt"
	"slices"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// ClaimState is where a claim is in its lifecycle.
type ClaimState string

// The claim states. See Transitions for the legal moves.
const (
	StateHeld          ClaimState = "held"           // the scrubber (or intake) found problems
	StateReady         ClaimState = "ready"          // clean, waiting for a batch
	StateBatched       ClaimState = "batched"        // in a built file that is not yet uploaded
	StateSubmitted     ClaimState = "submitted"      // the file was uploaded and verified
	StateAckAccepted   ClaimState = "ack_accepted"   // TA1/999 accepted its interchange and set
	StateAckRejected   ClaimState = "ack_rejected"   // TA1/999 rejected its interchange or set
	StateAccepted      ClaimState = "accepted"       // 277CA: accepted for adjudication
	StateRejected      ClaimState = "rejected"       // 277CA: rejected
	StatePaid          ClaimState = "paid"           // 835: paid in full (nothing left for the payer)
	StatePartiallyPaid ClaimState = "partially_paid" // 835: paid in part
	StateDenied        ClaimState = "denied"         // 835: denied
	StateReversed      ClaimState = "reversed"       // 835: the payment was reversed
	StateVoided        ClaimState = "voided"         // our void (8) was answered by the payer's reversal: nothing is owed
	StateClosed        ClaimState = "closed"         // nothing more to do
)

var transitions = map[ClaimState][]ClaimState{
	StateHeld:          {StateReady, StateClosed},
	StateReady:         {StateBatched, StateHeld, StateClosed},
	StateBatched:       {StateSubmitted, StateReady, StateHeld},
	StateSubmitted:     {StateAckAccepted, StateAckRejected, StateAccepted, StateRejected, StatePaid, StatePartiallyPaid, StateDenied, StateReversed, StateVoided},
	StateAckAccepted:   {StateAccepted, StateRejected, StatePaid, StatePartiallyPaid, StateDenied, StateReversed, StateVoided},
	StateAckRejected:   {StateReady, StateHeld, StateClosed},
	StateAccepted:      {StateRejected, StatePaid, StatePartiallyPaid, StateDenied, StateReversed, StateVoided, StateReady, StateHeld},
	StateRejected:      {StateReady, StateHeld, StateClosed},
	StatePaid:          {StateReversed, StatePaid, StatePartiallyPaid, StateDenied, StateVoided, StateReady, StateHeld, StateClosed},
	StatePartiallyPaid: {StateReversed, StatePaid, StatePartiallyPaid, StateDenied, StateVoided, StateReady, StateHeld, StateClosed},
	StateDenied:        {StateReversed, StatePaid, StatePartiallyPaid, StateDenied, StateVoided, StateReady, StateHeld, StateClosed},
	StateReversed:      {StatePaid, StatePartiallyPaid, StateDenied, StateVoided, StateReady, StateHeld, StateClosed},
	StateClosed:        {StateReady},
}

// CanMove reports whether a claim may move from one state to another.
func CanMove(from, to ClaimState) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ClaimStates returns every claim state, sorted: those a claim can move
// from or to.
func ClaimStates() []ClaimState {
	var out []ClaimState
	for from, tos := range transitions {
		out = append(out, from)
		out = append(out, tos...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Transitions returns the states a claim may move to from s.
func Transitions(s ClaimState) []ClaimState {
	return append([]ClaimState(nil), transitions[s]...)
}

// TransitionError is an illegal state change. It is returned, never
// applied.
type TransitionError struct {
	ClaimID  int64
	From, To ClaimState
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("claim %d: illegal transition %s -> %s", e.ClaimID, e.From, e.To)
}

// ClaimHead is what a state move needs of a claim: its ID, current
// version and state, and its submission counters (see ClaimTx.ClaimHead).
type ClaimHead struct {
	ID               int64
	Version          int
	State            ClaimState
	TotalCharge      x12.Amount
	Submissions      int
	FirstSubmittedAt time.Time
}

// Claim is the lifecycle record of one encounter's claim.
type Claim struct {
	ID          int64
	EncounterID string
	Kind        x837.Kind
	State       ClaimState
	PayerID     string
	PayerName   string
	// Clearinghouse is the name of the clearinghouse that carries it.
	Clearinghouse string
	TotalCharge   x12.Amount
	// Version is the number of the current (latest) version of the
	// claim's content, from 1. Each correction, resubmission or void
	// makes the next one; see ClaimVersion.
	Version int
	// VersionKind is the kind of the current version (read only: the
	// store sets it from the version).
	VersionKind VersionKind
	// Submissions counts the submissions sent (0 before the first).
	Submissions int
	// PCN is CLM01 of the latest submission.
	PCN string
	// PayerClaimNumber is the payer's ICN/DCN, from PayerClaimSource:
	// the 835's CLP07, or a 277CA's REF*1K until an 835 arrives.
	PayerClaimNumber string
	PayerClaimSource string // "835", "277ca" or "" (none yet)
	// Data is the claim content of the current version.
	Data x837.Claim
	// Lines are the service lines of the current version, in line
	// number order.
	Lines            []ClaimLine
	CreatedAt        time.Time
	UpdatedAt        time.Time
	FirstSubmittedAt time.Time // zero until first uploaded
}

// ClaimLine is one service line of a claim. A line keeps its ID and
// control number across versions; a line a correction removes stays, not
// Active, with the charge it was last billed at, so that its ledger
// entries and a reversal of its payment still find it.
type ClaimLine struct {
	ID      int64
	ClaimID int64
	LineNo  int // 1-based, as LX01, among the active lines
	// ControlNumber is the line item control number (REF*6R), unique
	// within the claim. Those intake assigns ("L" and a number of one
	// sequence) are unique across claims too.
	ControlNumber string
	Procedure     string
	Modifiers     []string
	RevenueCode   string
	Charge        x12.Amount
	Units         string
	ServiceDate   x12.Date
	Active        bool // part of the current version
}

// VersionKind is why a claim version was made.
type VersionKind string

// The version kinds.
const (
	VersionOriginal     VersionKind = "original"     // the encounter as taken in
	VersionCorrection   VersionKind = "correction"   // corrected content (by hand or by an encounter update)
	VersionResubmission VersionKind = "resubmission" // the same content sent again
	VersionVoid         VersionKind = "void"         // a cancellation of an adjudicated claim (frequency 8)
)

// ClaimVersion is one version of a claim's content. Versions are never
// changed once made: a correction makes the next one.
type ClaimVersion struct {
	ClaimID int64
	Version int // from 1
	Kind    VersionKind
	// Frequency (CLM05-3) and PayerClaimNumber (REF*F8) are what the
	// pipeline decided when the version was made; Build decides again
	// when it sends it (see frequencyFor).
	Frequency        string
	PayerClaimNumber string
	Data             x837.Claim
	TotalCharge      x12.Amount
	// Changed lists the encounter field paths that differ from the
	// previous version (empty for the first).
	Changed   []string
	Actor     string // who made it: a user name, or "intake"
	Note      string
	CreatedAt time.Time
}

// Submission is one version of a claim sent to a clearinghouse.
type Submission struct {
	ID      int64
	ClaimID int64
	Version int // 1 for the first
	// PCN is CLM01 for this version; unique across all submissions.
	PCN       string
	Frequency string // CLM05-3
	BatchID   int64
	// SetControl is ST02 of the transaction set it went in, and
	// SegFrom/SegTo its segment range in that set (ST = 1), to match 999
	// IK3 positions back to the claim.
	SetControl string
	SegFrom    int
	SegTo      int
	CreatedAt  time.Time
}

// Event is one entry of a claim's append-only history.
type Event struct {
	ID           int64
	ClaimID      int64
	SubmissionID int64
	At           time.Time
	Kind         string // e.g. "intake", "batched", "uploaded", "999", "277ca", "835", "corrected", "voided"
	From, To     ClaimState
	// Version is the claim version the event concerns (0 when none).
	Version int
	// Actor is who caused it: a user name, or "" for the pipeline.
	Actor string
	// FileID is the inbound file the event came from (0 for none);
	// SetControl and Segment locate it in the file.
	FileID     int64
	SetControl string
	Segment    int
	Detail     string
}
