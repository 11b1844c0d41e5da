package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/x12claims/claims/x12"
)

// Partner is one clearinghouse: how to reach it and how to address files
// to it.
type Partner struct {
	// Name identifies the clearinghouse in the store and in file names.
	Name string
	// Transport moves files; nil for an offline build, which only
	// writes files.
	Transport Transport
	// ISA and GS addressing. SenderQualifier/SenderID are ISA05/ISA06;
	// ReceiverQualifier/ReceiverID are ISA07/ISA08. GS02/GS03 default to
	// the ISA IDs.
	SenderQualifier   string
	SenderID          string
	ReceiverQualifier string
	ReceiverID        string
	AppSender         string
	AppReceiver       string
	// Usage is ISA15: "P" production or "T" test. Responses must carry
	// the same usage indicator to be applied.
	Usage string
	// ResponseSenders are more interchange sender IDs (ISA06) the
	// clearinghouse sends responses from, besides ReceiverID. A response
	// from any other sender, or to anyone but us, is quarantined.
	ResponseSenders []string
	// AckRequested is ISA14: "1" asks for a TA1.
	AckRequested string
	// Submitter is loop 1000A (NM1*41 with the submitter's ETIN, which
	// is SenderID, and PER*IC); ReceiverName is 1000B NM103 (NM109 is
	// ReceiverID).
	SubmitterName    string
	SubmitterContact string
	SubmitterPhone   string
	SubmitterEmail   string
	ReceiverName     string
	// Payers lists the payer IDs routed to this clearinghouse. An empty
	// list makes it the default for payers no partner lists.
	Payers []string
	// SplitByPayer makes one file per payer.
	SplitByPayer bool
	// MaxClaimsPerSet caps the claims in one ST-SE (default 5000).
	MaxClaimsPerSet int
	// FileName is the outbound file name pattern, with {sender},
	// {receiver}, {date} (CCYYMMDD), {time} (HHMMSS), {isa13}, {kind}
	// ("837P" or "837I") and {batch}. Default
	// "{sender}_{date}_{isa13}_{kind}.x12".
	FileName string
	// MaxUploadAttempts is how many runs may fail to upload a batch
	// before it is marked failed for an operator (default 5).
	MaxUploadAttempts int
	// Settle is how long a response file's size must stay the same
	// across two listings before it is taken (0: take it at once).
	Settle time.Duration
	// DoneSuffix, when set, takes a response file only once a marker
	// named after it with this suffix ("X.835.done") is listed too.
	DoneSuffix string
	// MaxDownload is the largest response file Collect downloads, in
	// bytes (0: DefaultMaxDownload). A larger one, by its listed size or
	// by what the download brings, is not kept: it is set aside on the
	// server (Transport.Reject), with a work item.
	MaxDownload int64
	// Overdue says when a missing response needs a person; zero fields
	// check nothing.
	Overdue Overdue
}

// Overdue are the waits after which a missing response opens a work
// item.
type Overdue struct {
	// AckAfter: an uploaded batch with no TA1 or 999.
	AckAfter time.Duration
	// AcknowledgmentAfter: a claim accepted by the 999 with no 277CA.
	AcknowledgmentAfter time.Duration
	// PaymentAfter: a claim accepted by the 277CA with no 835.
	PaymentAfter time.Duration
}

// Options configure a Pipeline.
type Options struct {
	Store    Store
	Partners []*Partner
	// Dir is the working folder. Built files go to Dir/outbox and
	// collected files to Dir/inbox; both are created 0700.
	Dir string
	// Now is the clock (default time.Now). Tests inject a fixed clock.
	Now func() time.Time
	// Encounters, when set, gives the encounter files Submit takes in
	// before it builds.
	Encounters EncounterFeed
	// ReplaceAdjudicated makes an encounter that comes again with
	// changes, for a claim the payer has adjudicated, a replacement
	// claim at once; without it a work item lists the changes for a
	// person to decide.
	ReplaceAdjudicated bool
	// SessionIdle ends a web session unused for that long (default
	// DefaultSessionIdle).
	SessionIdle time.Duration
	// PasswordCost is the bcrypt cost of new password hashes (default
	// bcrypt.DefaultCost; tests lower it).
	PasswordCost int
	// TimelyFiling is how long each payer accepts claims after the date
	// of service; see Deadline.
	TimelyFiling TimelyFiling
	// Secondary says when a secondary (COB) claim is built once the
	// primary's 835 posts: SecondaryAuto, or SecondaryOnRequest (the
	// default: a work item says it is due).
	Secondary SecondaryMode
	// BatchSize is how many encounters intake records in one
	// transaction, and how many ready claims Build reads at a time
	// (default DefaultBatchSize). Memory grows with it, not with the
	// number of encounters or claims.
	BatchSize int
	// MaxClaimsPerFile caps the claims Build puts in one 837 file
	// (default DefaultMaxClaimsPerFile); more make more files.
	MaxClaimsPerFile int
	// Failpoint, when set, is called with the name of each crash point
	// the pipeline passes (see Failpoints); the crash-safety tests kill
	// the process there. Nil in production.
	Failpoint func(name string)
	// Instance names this process among the instances sharing the
	// store, in the leases of the work units it takes (default: the
	// host name); see LeaseTx.
	Instance string
	// Lease is how long a work unit's lease lasts unless renewed
	// (default DefaultLease): how long the work of an instance that
	// died waits before another instance takes it over.
	Lease time.Duration
	// PostChunk is how many claim payments of an 835 transaction set
	// post in one database transaction (default DefaultPostChunk): the
	// memory that applying an 835 takes depends on it, not on the size
	// of the file.
	PostChunk int
	// AckChunk is how many claims of a 277CA set, or submissions a 999
	// set or a TA1 answers, are looked up and acknowledged together, in
	// a few statements (default DefaultAckChunk). 1 acknowledges each
	// claim on its own, with its own lookups: the path the batch form
	// is tested against.
	AckChunk int
}

// Defaults of Options.
const (
	// DefaultBatchSize is the default Options.BatchSize. The live heap
	// follows it (intake holds two batches: the one recorded and the
	// next, read meanwhile), and under a soft memory limit (the claims
	// command sets one) the garbage collector runs the more often, the
	// less room that heap leaves: claims build on 100k encounters went
	// from 178 collections with a live heap of about 30 MB at 1000 to
	// 94 and 13 MB at 250 (GODEBUG=gctrace=1), and took about 20% less
	// user CPU at 500 and at 250, with twice and four times the
	// transactions (see the README's figures). 500 keeps most of that
	// gain for half the commits of 250.
	DefaultBatchSize = 500
	// DefaultMaxClaimsPerFile is the default Options.MaxClaimsPerFile.
	DefaultMaxClaimsPerFile = 10000
)

// Pipeline runs the claim jobs. Its methods are plain synchronous calls;
// scheduling, signals and logging belong to the caller.
type Pipeline struct {
	store              Store
	partners           []*Partner
	byName             map[string]*Partner
	outbox             string
	inbox              string
	now                func() time.Time
	encounters         EncounterFeed
	replaceAdjudicated bool
	sessionIdle        time.Duration
	passwordCost       int
	timelyFiling       TimelyFiling
	jobs               jobLocks
	failpoint          func(name string)
	secondaryMode      SecondaryMode
	chunkSize          int // Options.PostChunk
	ackChunk           int // Options.AckChunk
	batchSize          int
	maxClaimsPerFile   int
	// sleep waits between the two listings of a settle check (see
	// Partner.Settle): a time.Sleep that ends early with ctx. Tests
	// replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// setAside remembers the unreadable response files left on each
	// clearinghouse's server, so that Collect does not fetch them again
	// while they stay the same (see pickup). Guarded by the collect job.
	setAside map[string]map[remoteKey]bool
	// leases shares work units with the other instances (lease.go).
	leases *leases
}

// New validates the options and returns a Pipeline. It creates the
// working folders.
func New(o Options) (*Pipeline, error) {
	if o.Store == nil {
		return nil, errors.New("pipeline: no store")
	}
	if len(o.Partners) == 0 {
		return nil, errors.New("pipeline: no clearinghouse configured")
	}
	if o.Dir == "" {
		return nil, errors.New("pipeline: no working folder")
	}
	p := &Pipeline{
		store:  o.Store,
		byName: make(map[string]*Partner),
		outbox: filepath.Join(o.Dir, "outbox"),
		inbox:  filepath.Join(o.Dir, "inbox"),
		now:    o.Now,

		encounters:         o.Encounters,
		replaceAdjudicated: o.ReplaceAdjudicated,
		sessionIdle:        o.SessionIdle,
		passwordCost:       o.PasswordCost,
		timelyFiling:       o.TimelyFiling,
		failpoint:          o.Failpoint,
		secondaryMode:      o.Secondary,
		batchSize:          o.BatchSize,
		maxClaimsPerFile:   o.MaxClaimsPerFile,
		sleep:              sleepContext,
	}
	if p.chunkSize = o.PostChunk; p.chunkSize <= 0 {
		p.chunkSize = DefaultPostChunk
	}
	if p.ackChunk = o.AckChunk; p.ackChunk <= 0 {
		p.ackChunk = DefaultAckChunk
	}
	if p.batchSize <= 0 {
		p.batchSize = DefaultBatchSize
	}
	if p.maxClaimsPerFile <= 0 {
		p.maxClaimsPerFile = DefaultMaxClaimsPerFile
	}
	if p.sessionIdle <= 0 {
		p.sessionIdle = DefaultSessionIdle
	}
	if p.passwordCost == 0 {
		p.passwordCost = bcrypt.DefaultCost
	}
	if err := p.timelyFiling.check(); err != nil {
		return nil, err
	}
	if p.now == nil {
		p.now = time.Now
	}
	var err error
	if p.leases, err = newLeases(o.Instance, o.Lease); err != nil {
		return nil, err
	}
	defaults := 0
	for _, pt := range o.Partners {
		if pt.Name == "" || pt.SenderID == "" || pt.ReceiverID == "" {
			return nil, fmt.Errorf("pipeline: clearinghouse %q: name, sender and receiver IDs are required", pt.Name)
		}
		if _, dup := p.byName[pt.Name]; dup {
			return nil, fmt.Errorf("pipeline: clearinghouse %q configured twice", pt.Name)
		}
		if len(pt.Payers) == 0 {
			defaults++
		}
		p.byName[pt.Name] = pt
		p.partners = append(p.partners, pt)
	}
	if defaults > 1 {
		return nil, errors.New("pipeline: more than one clearinghouse without a payer list (only one may be the default)")
	}
	for _, d := range []string{o.Dir, p.outbox, p.inbox} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("pipeline: create folder: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, fmt.Errorf("pipeline: secure folder: %w", err)
		}
	}
	return p, nil
}

// route returns the clearinghouse that carries claims for a payer.
func (p *Pipeline) route(payerID string) *Partner {
	var def *Partner
	for _, pt := range p.partners {
		if len(pt.Payers) == 0 {
			def = pt
			continue
		}
		for _, id := range pt.Payers {
			if id == payerID {
				return pt
			}
		}
	}
	return def
}

func (pt *Partner) maxPerSet() int {
	if pt.MaxClaimsPerSet > 0 {
		return pt.MaxClaimsPerSet
	}
	return 5000
}

func (pt *Partner) maxAttempts() int {
	if pt.MaxUploadAttempts > 0 {
		return pt.MaxUploadAttempts
	}
	return 5
}

// today returns the current calendar date.
func (p *Pipeline) today() x12.Date { return x12.DateOf(p.now()) }
