package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/x12claims/claims/x12"
)

// Store errors. Adapters wrap them so that errors.Is works.
var (
	// ErrNotFound means the record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a conditional update found the record in another
	// state than expected (another instance got there first).
	ErrConflict = errors.New("conflict")
)

// Store is the pipeline's persistent state. Every state change that
// matters happens inside InTx, and is committed before the pipeline takes
// the next outside step (writing a file, uploading, deleting a remote
// file).
//
// Implementations: adapters/store/sqlite (embedded default) and
// adapters/store/postgres. Both pass pipeline/pipelinetest's conformance
// suite.
type Store interface {
	// InTx runs fn in one database transaction. It commits when fn
	// returns nil and rolls back otherwise (including on panic, which it
	// re-raises). Transactions are serializable in effect: SQLite takes
	// the write lock at BEGIN; PostgreSQL uses row locks and conditional
	// updates, and Tx.Lock for wider critical sections.
	InTx(ctx context.Context, fn func(Tx) error) error
	// JobLock takes the lock of a job (such as "submit") for as long as
	// the job runs, across every process that shares the store: SQLite
	// locks a file beside the database, PostgreSQL takes a session
	// advisory lock. It returns an error wrapping ErrBusy at once when
	// another process holds it. release gives it back; a process that
	// dies gives it back too. Locks are not reentrant.
	JobLock(ctx context.Context, name string) (release func(), err error)
	// Close releases the store.
	Close() error
}

// Tx is the set of operations available inside a transaction.
type Tx interface {
	EncounterTx
	ClaimTx
	BatchTx
	InboundTx
	LedgerTx
	WorkTx
	ReportTx
	AccessTx
	LeaseTx

	// Lock takes an exclusive lock on key until the transaction ends, so
	// that several instances sharing a database do not run the same job
	// at once.
	Lock(ctx context.Context, key string) error
	// NextSequence returns the next value (starting at 1) of the named,
	// persistent, monotonic sequence. Values are never reused.
	NextSequence(ctx context.Context, name string) (int64, error)
	// NextSequences takes the next n values (n ≥ 1) of the named
	// sequence at once and returns the last: the values are last-n+1 to
	// last.
	NextSequences(ctx context.Context, name string, n int) (int64, error)
}

// EncounterRecord is an intake record: the encounter as received and
// what became of it.
type EncounterRecord struct {
	ID         string // encounter ID, or "source:line" when unreadable
	Source     string // file name
	Line       int
	SHA256     string // of the raw record
	Raw        []byte // the record as read (JSON)
	ClaimID    int64  // 0 when held at intake
	Problems   []Reason
	ReceivedAt time.Time
}

// EncounterTx records intake.
type EncounterTx interface {
	// GetEncounter returns the intake record of an encounter ID, or
	// ErrNotFound.
	GetEncounter(ctx context.Context, id string) (*EncounterRecord, error)
	// PutEncounter inserts or replaces an intake record.
	PutEncounter(ctx context.Context, r *EncounterRecord) error
	// KnownEncounters returns which of the IDs have an intake record.
	KnownEncounters(ctx context.Context, ids []string) (map[string]bool, error)
	// AddEncounters inserts intake records of IDs not recorded yet, in
	// a few statements. An ID already recorded returns an error
	// wrapping ErrConflict, and the transaction must end.
	AddEncounters(ctx context.Context, rs []*EncounterRecord) error
}

// ClaimTx reads and changes claims, their lines, submissions and history.
type ClaimTx interface {
	// CreateClaim inserts a claim, its lines (all active) and its first
	// version (c.Version, 1 when zero: kind original, by "intake", with
	// the frequency and REF*F8 of c.Data), setting their IDs. A line
	// control number given to two of its lines is a conflict.
	CreateClaim(ctx context.Context, c *Claim) error
	// CreateClaims creates claims as CreateClaim does, in a few
	// statements.
	CreateClaims(ctx context.Context, cs []*Claim) error
	// GetClaim returns a claim with the lines of its current version, or
	// ErrNotFound.
	GetClaim(ctx context.Context, id int64) (*Claim, error)
	// ClaimHead returns a claim's state and current version without its
	// data and lines (what moving it needs, at a fraction of the cost of
	// GetClaim), or ErrNotFound.
	ClaimHead(ctx context.Context, id int64) (ClaimHead, error)
	// ReviseClaim makes v the current version of claim c.ID, provided its
	// current version is still base; otherwise it returns ErrConflict
	// and changes nothing (ErrNotFound when there is no such claim). It
	// stores v (v.Version must be base+1), saves c's kind, payer,
	// clearinghouse, total charge and Data as the claim's, and makes
	// c.Lines its active lines: a line whose control number the claim
	// already has keeps its ID (and is active again if it was not), a
	// new control number makes a new line, and the claim's other lines
	// stay, not active. It sets the line IDs, c.Version and c.UpdatedAt.
	// The state is not changed (see MoveClaim).
	ReviseClaim(ctx context.Context, c *Claim, v *ClaimVersion, base int) error
	// Versions returns a claim's versions, oldest first.
	Versions(ctx context.Context, claimID int64) ([]ClaimVersion, error)
	// ClaimLines returns every line a claim ever had, active or not, in
	// ID order.
	ClaimLines(ctx context.Context, claimID int64) ([]ClaimLine, error)
	// ClaimsInState returns up to limit claims in state s, oldest first.
	ClaimsInState(ctx context.Context, s ClaimState, limit int) ([]*Claim, error)
	// ClaimsInStateAfter returns up to limit claims in state s whose ID
	// is above after, oldest first: the next page of a walk through
	// them (after is the last ID of the page before, 0 for the first).
	// The claims come without their lines (Lines is nil): building reads
	// the data, and loading the lines would cost a sixth of a page.
	ClaimsInStateAfter(ctx context.Context, s ClaimState, after int64, limit int) ([]*Claim, error)
	// MoveClaim changes a claim's state from `from` to `to` and appends ev
	// to its history. It returns a *TransitionError when the move is not
	// legal, and ErrConflict when the claim is not in `from` or, when
	// version is not zero, no longer at that version (a correction made
	// meanwhile).
	MoveClaim(ctx context.Context, id int64, version int, from, to ClaimState, ev Event) error
	// AddEvent appends to a claim's history without changing its state.
	AddEvent(ctx context.Context, ev Event) error
	// Events returns a claim's history, oldest first.
	Events(ctx context.Context, claimID int64) ([]Event, error)
	// SetClaimRefs records the latest submission's PCN and count and the
	// first submission time (when not yet set and t is non-zero).
	SetClaimRefs(ctx context.Context, id int64, pcn string, submissions int, firstSubmitted time.Time) error
	// SetPayerClaimNumber records the payer's claim number from source
	// "835" or "277ca". A number from an 835 always replaces the one on
	// file; one from a 277CA never replaces one from an 835. It reports
	// whether it changed anything.
	SetPayerClaimNumber(ctx context.Context, id int64, number, source string) (bool, error)
	// ForgetPayerClaimNumber clears the payer's claim number when it came
	// from source, and reports whether it did.
	ForgetPayerClaimNumber(ctx context.Context, id int64, source string) (bool, error)
	// CreateSubmission inserts a submission, setting its ID. PCN is
	// unique.
	CreateSubmission(ctx context.Context, s *Submission) error
	// SubmissionByPCN returns the submission with that CLM01, or
	// ErrNotFound.
	SubmissionByPCN(ctx context.Context, pcn string) (*Submission, error)
	// SubmissionsInBatch returns a batch's submissions; when setControl is
	// not empty, only those in that transaction set.
	SubmissionsInBatch(ctx context.Context, batchID int64, setControl string) ([]*Submission, error)
	// Submissions returns a claim's submissions, oldest first.
	Submissions(ctx context.Context, claimID int64) ([]*Submission, error)
	// OverdueClaims returns the claims in state s whose latest
	// submission went in a batch of that clearinghouse uploaded before
	// `before` (Batch.UploadedAt), by upload time then claim ID. It reads
	// no claim content or lines: the overdue check runs it over every
	// claim awaiting a response.
	OverdueClaims(ctx context.Context, clearinghouse string, s ClaimState, before time.Time) ([]OverdueClaim, error)

	// The batch forms, for posting a whole remittance in a few
	// statements (on a database server every statement is a round trip).

	// MoveClaims moves, for each event, claim ev.ClaimID from ev.From to
	// ev.To and appends ev to its history; for the moved claims in
	// payerClaimNumbers it also records the payer's claim number (from an
	// 835). It
	// checks every move first: an illegal one returns a *TransitionError,
	// a missing claim ErrNotFound, claims not in their From state
	// ErrConflict; then nothing moves. A claim may appear once.
	MoveClaims(ctx context.Context, evs []Event, payerClaimNumbers map[int64]string) error
	// MoveClaimVersions is MoveClaims (without payer claim numbers),
	// where a claim also moves only while it is at version ev.Version:
	// one corrected meanwhile makes it return ErrConflict, moving none.
	MoveClaimVersions(ctx context.Context, evs []Event) error
	// MoveClaimVersionsWithNumbers is MoveClaimVersions that also
	// records, for each claim in numbers, its payer's claim number from
	// source as SetPayerClaimNumbersFrom does (an empty number changes
	// nothing; a 277CA's never replaces an 835's), in the UPDATE that
	// moves it, the result being that of SetPayerClaimNumbersFrom then
	// MoveClaimVersions. Every claim in numbers must be moved by evs; an
	// unknown source or a claim in numbers without a move returns an
	// error, changing nothing.
	MoveClaimVersionsWithNumbers(ctx context.Context, evs []Event, numbers map[int64]string, source string) error
	// MoveClaimsAt is MoveClaims (without payer claim numbers), where
	// claim evs[i].ClaimID also moves only while it is at version
	// versions[i] (at least 1), as MoveClaim checks it: one corrected
	// meanwhile makes it return ErrConflict, moving none. Posting moves
	// a claim with several claim payments (a reversal and its
	// correction) with one call per step of every such claim.
	MoveClaimsAt(ctx context.Context, evs []Event, versions []int) error
	// CreateSubmissions inserts submissions as CreateSubmission does, in
	// a few statements. A PCN already used returns an error wrapping
	// ErrConflict, and the transaction must end.
	CreateSubmissions(ctx context.Context, ss []*Submission) error
	// SetPayerClaimNumbers records the payer's claim number (from an 835)
	// of each claim in refs. An unknown claim ID returns ErrNotFound.
	SetPayerClaimNumbers(ctx context.Context, refs map[int64]string) error
	// PostingTargets returns, for each CLM01 in pcns that matches a
	// submission, what posting a payment to it needs, in submission ID
	// order. PCNs that match none are left out.
	PostingTargets(ctx context.Context, pcns []string) ([]PostingTarget, error)

	// The batch forms of what applying acknowledgments (277CA, 999,
	// TA1) reads and writes per claim, so that a set of thousands of
	// claims costs a few statements.

	// SubmissionsByPCN returns the submissions whose CLM01 is in pcns,
	// by PCN. PCNs that match none are left out; a PCN may repeat.
	SubmissionsByPCN(ctx context.Context, pcns []string) (map[string]*Submission, error)
	// ClaimHeads returns the heads (see ClaimHead) of the claims in
	// ids, by ID. IDs that match none are left out; an ID may repeat.
	ClaimHeads(ctx context.Context, ids []int64) (map[int64]ClaimHead, error)
	// SetPayerClaimNumbersFrom records, for each claim in refs, its
	// payer's claim number from source, as SetPayerClaimNumber does
	// (an empty number changes nothing; a 277CA's never replaces an
	// 835's), and returns how many claims it changed. An unknown claim
	// ID returns ErrNotFound and an unknown source an error, changing
	// nothing.
	SetPayerClaimNumbersFrom(ctx context.Context, refs map[int64]string, source string) (int, error)

	// The batch forms of what recording an uploaded file reads and
	// changes of each of its claims (with ClaimHeads and AddEntries),
	// for a file of thousands of claims in a few statements.

	// MoveClaimVersionsWithRefs is MoveClaimVersions(evs) followed by
	// SetClaimRefs for each claim in refs, each claim's row written once:
	// the same checks (nothing moves, and no ref is recorded, when a
	// claim is missing or not in its From state and version), events and
	// columns. Every claim in refs must be moved by evs, and may appear
	// once in refs; otherwise it returns an error, changing nothing.
	MoveClaimVersionsWithRefs(ctx context.Context, evs []Event, refs []ClaimRefs) error
	// ActiveLines returns the active lines of each claim in ids, by
	// claim ID, each claim's by line number (claims without any are
	// left out). A line has only what billing it needs: ID, ClaimID,
	// LineNo, Charge and Active.
	ActiveLines(ctx context.Context, ids []int64) (map[int64][]ClaimLine, error)
}

// ClaimRefs is what SetClaimRefs records of one claim, for
// MoveClaimVersionsWithRefs:
// its latest submission's PCN and count, and its first submission time
// (recorded when the claim has none yet and FirstSubmitted is not zero).
type ClaimRefs struct {
	ClaimID        int64
	PCN            string
	Submissions    int
	FirstSubmitted time.Time
}

// OverdueClaim is a claim awaiting a response, with the submission
// that sent it last and when its file was uploaded.
type OverdueClaim struct {
	ClaimID      int64
	Version      int    // the claim's current version
	PayerID      string // the claim's payer
	SubmissionID int64  // its latest submission
	PCN          string // that submission's CLM01
	BatchID      int64  // the batch that submission went in
	FileName     string // that batch's file name
	UploadedAt   time.Time
}

// PostingTarget is what posting an 835 claim payment to a submission
// needs: the submission, the state and references of its claim, the
// claim's lines and its derived balance.
type PostingTarget struct {
	SubmissionID      int64
	SubmissionVersion int // the claim version the submission sent
	PCN               string
	ClaimID           int64
	EncounterID       string
	PayerID           string
	State             ClaimState
	Version           int         // the claim's current version
	VersionKind       VersionKind // and its kind
	PayerClaimNumber  string
	// Lines are every line of the claim, active ones first in line
	// number order, then the inactive ones in ID order, with ID,
	// ClaimID, LineNo, ControlNumber, Procedure, RevenueCode, Charge,
	// ServiceDate and Active (not Modifiers or Units).
	Lines []ClaimLine
	// Open is what the claim still has open for insurance, lines and
	// claim level together: Balance.Insurance of its entries (charges
	// less payments, adjustments, patient responsibility and write-offs).
	Open x12.Amount
	// OtherCoverage reports whether the claim's current version lists
	// other coverage (x837.Claim.OtherCoverage): a secondary claim may
	// follow its adjudication.
	OtherCoverage bool
}

// BatchTx records outbound files.
type BatchTx interface {
	// CreateBatch inserts a batch with its sets, setting its ID.
	CreateBatch(ctx context.Context, b *Batch) error
	// UpdateBatch saves a batch's file fields, state, attempts, error and
	// upload time, provided its state is still from (any state when from
	// is empty): otherwise it returns ErrConflict and changes nothing, so
	// that two processes, or an operator and a run, never both take a
	// batch through the same step.
	UpdateBatch(ctx context.Context, b *Batch, from BatchState) error
	// GetBatch returns a batch, or ErrNotFound.
	GetBatch(ctx context.Context, id int64) (*Batch, error)
	// BatchesInState returns the batches in any of the states, oldest
	// first.
	BatchesInState(ctx context.Context, states ...BatchState) ([]*Batch, error)
	// RecentBatches returns up to limit batches, newest first.
	RecentBatches(ctx context.Context, limit int) ([]*Batch, error)
	// BatchClaimStates counts, for each batch given, the claims it
	// carried by what became of them: the claim's state when the batch
	// sent its current version, "superseded" when a later version was
	// made since. Batches that carried none are left out.
	BatchClaimStates(ctx context.Context, batchIDs []int64) (map[int64]map[ClaimState]int, error)
	// BatchesByName returns, of the file names given, those a batch
	// records (Batch.FileName), with the batch ID (the newest, when
	// several share a name).
	BatchesByName(ctx context.Context, names []string) (map[string]int64, error)
	// OverdueBatches returns the batches of that clearinghouse in state
	// uploaded, uploaded before `before`, that carried at least one
	// claim still submitted at the version the batch sent and none (at
	// that version) in another state: no TA1 or 999 moved any of their
	// claims. They come by upload time then ID, with their sets.
	OverdueBatches(ctx context.Context, clearinghouse string, before time.Time) ([]*Batch, error)
	// BatchByControl finds the batch a response refers to, by sender,
	// receiver and either ISA13 (when gs06 is empty) or GS06. ISA IDs are
	// compared without padding. It returns ErrNotFound when none matches.
	BatchByControl(ctx context.Context, senderID, receiverID, isa13, gs06 string) (*Batch, error)
}

// InboundTx keeps the inbound-file ledger.
type InboundTx interface {
	// CreateInbound inserts a file record unless one with the same
	// SHA256 exists. It reports whether it inserted (setting f.ID) and,
	// when it did not, leaves f unchanged.
	CreateInbound(ctx context.Context, f *InboundFile) (bool, error)
	// InboundBySHA returns the record with that content hash, or
	// ErrNotFound.
	InboundBySHA(ctx context.Context, sha256 string) (*InboundFile, error)
	// UpdateInbound saves a file's kind, state, error, processed time and
	// attempts.
	UpdateInbound(ctx context.Context, f *InboundFile) error
	// InboundInState returns the files in state s, oldest first.
	InboundInState(ctx context.Context, s InboundState) ([]*InboundFile, error)
	// RecentInbound returns up to limit file records, newest first.
	RecentInbound(ctx context.Context, limit int) ([]*InboundFile, error)
	// GetInbound returns a file record, or ErrNotFound.
	GetInbound(ctx context.Context, id int64) (*InboundFile, error)
	// MarkSetApplied records that the ordinal-th response of kind (a
	// TA1, a 999 or a 277CA transaction set, from 1) of file fileID was
	// applied, unless it was recorded before; it reports whether it
	// recorded it.
	MarkSetApplied(ctx context.Context, fileID int64, kind string, ordinal int) (bool, error)
}

// RemitKey identifies a remittance: payer, trace, date and amount.
type RemitKey struct {
	PayerID     string
	Trace       string
	PaymentDate x12.Date
	Amount      x12.Amount
}

// LedgerTx posts remittances and keeps the receivables ledger.
type LedgerTx interface {
	// CreateRemittance inserts a remittance unless one with the same
	// RemitKey and state posted or posting exists when r is posted or
	// posting; it reports whether it inserted. Held remittances do not
	// block a later posting of the same key.
	CreateRemittance(ctx context.Context, r *Remittance) (bool, error)
	// FindRemittance returns the posted (or posting) remittance with
	// that key, or ErrNotFound.
	FindRemittance(ctx context.Context, k RemitKey) (*Remittance, error)
	// UpdateRemittance saves a remittance's state, reason and progress,
	// provided its progress is still from: it returns ErrConflict when
	// another run moved it meanwhile, ErrNotFound when there is none.
	UpdateRemittance(ctx context.Context, r *Remittance, from int) error
	// RemittanceInFile returns the remittance (posted, held or
	// duplicate) recorded for the set-th transaction set (from 1) of
	// inbound file fileID, or ErrNotFound.
	RemittanceInFile(ctx context.Context, fileID int64, set int) (*Remittance, error)
	// AddClaimPayment inserts a claim payment, setting its ID.
	AddClaimPayment(ctx context.Context, p *ClaimPayment) error
	// ClaimPayments returns a claim's payments, oldest first.
	ClaimPayments(ctx context.Context, claimID int64) ([]*ClaimPayment, error)
	// MarkReversed records that payment id was reversed by reversal.
	MarkReversed(ctx context.Context, id, reversal int64) error
	// AddEntries appends ledger entries, setting their IDs.
	AddEntries(ctx context.Context, es []LedgerEntry) error
	// Entries returns a claim's ledger entries, oldest first.
	Entries(ctx context.Context, claimID int64) ([]LedgerEntry, error)
	// AddProviderAdjustments appends PLB adjustments.
	AddProviderAdjustments(ctx context.Context, as []ProviderAdjustment) error
	// ProviderAdjustments returns the PLB adjustments of a remittance.
	ProviderAdjustments(ctx context.Context, remittanceID int64) ([]ProviderAdjustment, error)
	// GetRemittance returns a remittance, or ErrNotFound.
	GetRemittance(ctx context.Context, id int64) (*Remittance, error)
	// Remittances returns up to limit remittances, newest first.
	Remittances(ctx context.Context, limit int) ([]*Remittance, error)
	// RemittancePayments returns the claim payments a remittance posted,
	// in order.
	RemittancePayments(ctx context.Context, remittanceID int64) ([]*ClaimPayment, error)
	// AddUnapplied records a claim payment that could not be applied to
	// a claim, setting its ID.
	AddUnapplied(ctx context.Context, u *UnappliedPayment) error
	// UnappliedPayments returns the unapplied payments of a remittance
	// (all remittances when remittanceID is 0), open ones only when
	// openOnly, oldest first.
	UnappliedPayments(ctx context.Context, remittanceID int64, openOnly bool) ([]*UnappliedPayment, error)
	// UnappliedTotals returns how many unapplied payments a remittance
	// has kept, applied since or not, and their CLP04 sum.
	UnappliedTotals(ctx context.Context, remittanceID int64) (int, x12.Amount, error)
	// MarkApplied records that unapplied payment id was applied to
	// claimID by actor. It returns ErrConflict when it is not open any
	// more, ErrNotFound when there is no such payment.
	MarkApplied(ctx context.Context, id, claimID int64, actor string) error

	// The batch forms, for posting a chunk of an 835 in a few
	// statements.

	// ClaimPaymentsOf returns the payments of each claim of claimIDs,
	// oldest first, as ClaimPayments does: every ID is a key, with no
	// payments for a claim that has none.
	ClaimPaymentsOf(ctx context.Context, claimIDs []int64) (map[int64][]*ClaimPayment, error)
	// MarkPaymentsReversed records, for each payment ID of reversedBy,
	// that it was reversed by the payment reversedBy gives, as
	// MarkReversed does. A payment that does not exist returns
	// ErrNotFound, one reversed by another payment ErrConflict; then
	// none is marked.
	MarkPaymentsReversed(ctx context.Context, reversedBy map[int64]int64) error
	// AddUnappliedPayments records claim payments that could not be
	// applied, as AddUnapplied does, setting their IDs. Two of the same
	// remittance and ordinal return an error, and none is added.
	AddUnappliedPayments(ctx context.Context, us []*UnappliedPayment) error
}

// WorkFilter selects work items. Zero fields match everything.
type WorkFilter struct {
	Status   WorkStatus
	Source   WorkSource
	ClaimID  int64
	PayerID  string
	Assignee string
	Key      string
	// Code keeps the items with that main reason code; Category those in
	// that root-cause group.
	Code     string
	Category string
	// UpdatedSince keeps the items opened or changed at or after it;
	// OpenedBefore those opened before it (by age).
	UpdatedSince time.Time
	OpenedBefore time.Time
	Limit        int
}

// WorkRow is what a worklist sorts and groups a work item by: a summary
// of the item and, when it is about a claim the store has, the claim's
// payer name and earliest active service date.
type WorkRow struct {
	// Item has only ID, Source, Category, Code, ClaimID, PayerID and
	// Assignee (GetWorkItem has the rest).
	Item      *WorkItem
	PayerName string
	// ServiceDate is the earliest service date of the claim's active
	// lines, from which the timely-filing limit runs.
	ServiceDate x12.Date
}

// WorkTx keeps the work queue.
type WorkTx interface {
	// OpenWorkItem opens w, unless an open item with the same non-empty
	// Key exists: then it updates that item with w's source, code,
	// category, summary, reasons and references (keeping its ID, opening
	// time, assignee and note) and sets w's ID, CreatedAt, Assignee and
	// Note to that item's. It reports whether it inserted. w.Status is
	// set to open.
	OpenWorkItem(ctx context.Context, w *WorkItem) (bool, error)
	// CloseWorkItems closes the open items with key (none when key is
	// empty), recording who closed them and why, and returns how many
	// it closed.
	CloseWorkItems(ctx context.Context, key, by, note string) (int, error)
	// GetWorkItem returns an item, or ErrNotFound.
	GetWorkItem(ctx context.Context, id int64) (*WorkItem, error)
	// WorkItems returns matching items, oldest first.
	WorkItems(ctx context.Context, f WorkFilter) ([]*WorkItem, error)
	// CountWorkItems returns how many items match f (f.Limit ignored).
	CountWorkItems(ctx context.Context, f WorkFilter) (int, error)
	// UpdateWorkItem saves an item's status, assignee, note and closing
	// time and actor, and sets w.UpdatedAt. It returns ErrNotFound when
	// there is no such item.
	UpdateWorkItem(ctx context.Context, w *WorkItem) error
	// WorkRows returns a WorkRow for each item that matches f (f.Limit
	// ignored), oldest first. It must stay fast with tens of thousands
	// of items: one query, no per-row decoding.
	WorkRows(ctx context.Context, f WorkFilter) ([]WorkRow, error)

	// The batch forms, for posting a chunk of an 835 in a few
	// statements (on a database server every statement is a round trip).

	// OpenWorkItems opens each item of ws as OpenWorkItem does, in a
	// few statements. Every item needs a key, distinct from the others':
	// otherwise it returns an error and opens nothing.
	OpenWorkItems(ctx context.Context, ws []*WorkItem) error
	// CloseWorkItemsByKey closes, for each key of notes, the open items
	// with that key as CloseWorkItems does, each with its note, and
	// returns how many it closed.
	CloseWorkItemsByKey(ctx context.Context, notes map[string]string, by string) (int, error)
}

// AccessTx keeps the users of the web UI, their sessions and the audit
// trail of who viewed or changed what.
type AccessTx interface {
	// PutUser inserts u, or updates the role, password hash and disabled
	// flag of the user with that name; it sets CreatedAt (on insert)
	// and UpdatedAt, and reports whether it inserted.
	PutUser(ctx context.Context, u *User) (bool, error)
	// GetUser returns a user by name, or ErrNotFound.
	GetUser(ctx context.Context, name string) (*User, error)
	// Users returns every user, by name.
	Users(ctx context.Context) ([]*User, error)
	// CreateSession inserts a session. TokenHash is unique.
	CreateSession(ctx context.Context, s *Session) error
	// GetSession returns the session with that token hash, with its
	// user's current role, or ErrNotFound (also when the user is
	// disabled or gone).
	GetSession(ctx context.Context, tokenHash string) (*Session, error)
	// TouchSession sets a session's LastSeen (ErrNotFound when there is
	// no such session).
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteSession removes a session; removing a missing one is not an
	// error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteSessions removes the sessions last seen before idleBefore,
	// and every session of user when user is not empty; it returns how
	// many it removed.
	DeleteSessions(ctx context.Context, user string, idleBefore time.Time) (int, error)
	// Audit appends an entry to the audit trail, setting its ID.
	Audit(ctx context.Context, e *AuditEntry) error
	// AuditEntries returns the entries that match f, newest first.
	AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}

// Counts are totals across the store for reports.
type Counts struct {
	ClaimsByState  map[ClaimState]int
	Batches        int
	BatchesByState map[BatchState]int
	InboundFiles   int
	Remittances    int
	OpenWorkItems  int
	Billed         x12.Amount // sum of claim charges ever submitted
	InsurancePaid  x12.Amount // sum of payment entries
}

// AgingRow is the outstanding balance of one payer (or of patients) in
// age buckets.
type AgingRow struct {
	PayerID   string        `json:"payer_id"` // "" for patient responsibility
	PayerName string        `json:"payer_name"`
	Buckets   [5]x12.Amount `json:"buckets"` // 0-30, 31-60, 61-90, 91-120, 120+ days
	Total     x12.Amount    `json:"total"`
}

// ReportTx answers reporting queries.
type ReportTx interface {
	// Counts returns store-wide totals.
	Counts(ctx context.Context) (Counts, error)
	// LineBalances returns the derived balance of every line of a claim,
	// keyed by line ID (0 for claim-level entries).
	LineBalances(ctx context.Context, claimID int64) (map[int64]Balance, error)
	// OpenBalances returns, for every claim with a non-zero insurance or
	// patient balance, its balance and first submission time.
	OpenBalances(ctx context.Context) ([]ClaimBalance, error)
}

// ClaimBalance is a claim's derived balance for aging.
type ClaimBalance struct {
	ClaimID          int64
	PayerID          string
	PayerName        string
	FirstSubmittedAt time.Time
	Balance          Balance
}
