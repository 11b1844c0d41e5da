package x837

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"

	"github.com/x12claims/claims/x12"
)

// DefaultMaxClaimsPerSet is the TR3's recommended limit of claims in one
// transaction set (ST-SE).
const DefaultMaxClaimsPerSet = 5000

// ErrNoClaims is returned by Builder.Close and WriteFile when no claim was
// added: an 837 must hold at least one claim, so nothing was written.
var ErrNoClaims = errors.New("x837: no claims to write")

// ErrUnwritable is the cause of an Add error about the claim itself (wrong
// kind, missing institutional data, a delimiter in its data): nothing of
// the claim was written and the Builder is still usable.
var ErrUnwritable = errors.New("claim cannot be written")

// ClaimRef tells where a claim was written, so that 999, 277CA and 835
// responses can be matched back to it.
type ClaimRef struct {
	// Index is the 0-based order in which the claim was added.
	Index int `json:"index"`
	// PCN is CLM01.
	PCN string `json:"pcn"`
	// Set is the 1-based transaction set number in the file and ST02 its
	// control number.
	Set  int    `json:"set"`
	ST02 string `json:"st02"`
	// SegFrom..SegTo is the range of segment positions in the set (ST =
	// 1, as a 999 IK302 counts) written for this claim, including the HL
	// loops (billing provider, subscriber, patient) it opened. ClaimFrom
	// is the position of its CLM. A 999 error at a position in the range
	// belongs to this claim; positions before the first claim belong to
	// the set header.
	SegFrom   int `json:"seg_from"`
	ClaimFrom int `json:"claim_from"`
	SegTo     int `json:"seg_to"`
}

// SetRef describes one transaction set of a file.
type SetRef struct {
	ST02     string `json:"st02"`
	Claims   int    `json:"claims"`
	Segments int    `json:"segments"` // SE01
}

// Result is what WriteFile wrote.
type Result struct {
	ISA13  string     `json:"isa13"`
	GS06   string     `json:"gs06"`
	Sets   []SetRef   `json:"sets"`
	Claims []ClaimRef `json:"claims"`
}

// A Builder writes an 837 file claim by claim. It streams: memory does
// not grow with the number of claims. Claims are grouped under the
// billing provider (2000A) and subscriber (2000B) HL loops they share
// with the claim before them, so sorting claims by billing provider and
// subscriber gives the smallest file. A new transaction set starts every
// MaxClaimsPerSet claims, with HL numbering restarting at 1.
//
// Add does not validate claims; run Claim.Validate first (the writer
// still refuses delimiter characters, and Add refuses a claim it cannot
// write without writing any of it). After any other error the Builder is
// unusable and the output must be discarded.
type Builder struct {
	env Envelope
	w   *x12.Writer
	max int

	started bool
	err     error
	claims  int
	sets    []SetRef
	inSet   bool
	setN    int // claims in the open set
	hl      int

	// The open HL loops.
	billHL, subHL, patHL int
	bill                 Provider
	billAddr             Address
	payTo                *Address
	sub                  Subscriber
	subAddr              *Address
	payer                Payer
	payerAddr            *Address
	self                 bool
	pat                  Patient
	patAddr              *Address
	claimsInHL           int

	buf []byte
}

// NewBuilder checks the envelope and returns a Builder writing to w. It
// writes nothing until the first claim is added. It returns an error
// naming every missing or invalid envelope field.
func NewBuilder(w io.Writer, env Envelope) (*Builder, error) {
	if env.Kind == "" {
		env.Kind = Professional
	}
	if env.Delimiters == (x12.Delimiters{}) {
		env.Delimiters = x12.DefaultDelimiters
	}
	if err := env.check(); err != nil {
		return nil, err
	}
	xw := x12.NewWriter(w)
	xw.Delimiters = env.Delimiters
	xw.Newline = env.Newline
	max := env.MaxClaimsPerSet
	if max <= 0 {
		max = DefaultMaxClaimsPerSet
	}
	return &Builder{env: env, w: xw, max: max, buf: make([]byte, 0, 64)}, nil
}

// Add writes one claim and returns where it went. The claim is read, not
// kept or changed. An error about the claim itself (wrong kind, a
// delimiter in its data) leaves the Builder usable with nothing written;
// any other error is final.
func (b *Builder) Add(c *Claim) (ClaimRef, error) {
	if b.err != nil {
		return ClaimRef{}, b.err
	}
	kind := c.Kind
	if kind == "" {
		kind = Professional
	}
	if kind != b.env.Kind {
		return ClaimRef{}, fmt.Errorf("x837: claim %s is %s but the file is %s: %w", c.PatientControlNumber, kind, b.env.Kind, ErrUnwritable)
	}
	if kind == Institutional && c.Institutional == nil {
		return ClaimRef{}, fmt.Errorf("x837: institutional claim %s has no institutional data: %w", c.PatientControlNumber, ErrUnwritable)
	}
	if field := unwritable(c, b.env.Delimiters); field != "" {
		return ClaimRef{}, fmt.Errorf("x837: claim %s: %s contains a delimiter or control character: %w", c.PatientControlNumber, field, ErrUnwritable)
	}
	if !b.started {
		if err := b.begin(); err != nil {
			return ClaimRef{}, b.fail(err)
		}
	}
	if b.inSet && b.setN >= b.max {
		if err := b.endSet(); err != nil {
			return ClaimRef{}, b.fail(err)
		}
	}
	if !b.inSet {
		if err := b.beginSet(); err != nil {
			return ClaimRef{}, b.fail(err)
		}
	}
	ref := ClaimRef{Index: b.claims, PCN: c.PatientControlNumber, Set: len(b.sets), ST02: b.sets[len(b.sets)-1].ST02}
	ref.SegFrom = b.w.SetSegments() + 1
	b.hierarchy(c)
	ref.ClaimFrom = b.w.SetSegments() + 1
	if kind == Institutional {
		b.claimI(c)
	} else {
		b.claimP(c)
	}
	if err := b.w.Error(); err != nil {
		return ClaimRef{}, b.fail(err)
	}
	ref.SegTo = b.w.SetSegments()
	b.claims++
	b.setN++
	b.sets[len(b.sets)-1].Claims++
	b.claimsInHL++
	return ref, nil
}

// Close ends the file (SE, GE, IEA), flushes it and returns the sets
// written. With no claims added it writes nothing and returns
// ErrNoClaims.
func (b *Builder) Close() ([]SetRef, error) {
	if b.err != nil {
		return nil, b.err
	}
	if !b.started {
		return nil, ErrNoClaims
	}
	if b.inSet {
		if err := b.endSet(); err != nil {
			return nil, b.fail(err)
		}
	}
	b.w.EndGroup()
	b.w.EndInterchange()
	if err := b.w.Flush(); err != nil {
		return nil, b.fail(err)
	}
	b.err = errors.New("x837: builder is closed")
	return b.sets, nil
}

func (b *Builder) fail(err error) error {
	if b.err == nil {
		b.err = fmt.Errorf("x837: write: %w", err)
	}
	return b.err
}

// WriteFile writes the claims as one 837 file (one ISA, one GS, as many
// ST-SE as MaxClaimsPerSet requires) and reports where each claim went.
// It stops at the first error; the output is then incomplete and must be
// discarded. With no claims it writes nothing and returns ErrNoClaims.
func WriteFile(w io.Writer, env Envelope, claims iter.Seq[*Claim]) (*Result, error) {
	b, err := NewBuilder(w, env)
	if err != nil {
		return nil, err
	}
	res := &Result{ISA13: env.ISA13, GS06: env.GS06}
	for c := range claims {
		ref, err := b.Add(c)
		if err != nil {
			return nil, err
		}
		res.Claims = append(res.Claims, ref)
	}
	sets, err := b.Close()
	if err != nil {
		return nil, err
	}
	res.Sets = sets
	return res, nil
}

func (b *Builder) begin() error {
	e := &b.env
	t := e.Created
	ack := "0"
	if e.AckRequested {
		ack = "1"
	}
	if err := b.w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier: e.SenderQualifier, SenderID: e.SenderID,
		ReceiverQualifier: e.ReceiverQualifier, ReceiverID: e.ReceiverID,
		Date: t.Format("060102"), Time: t.Format("1504"), Version: "00501",
		ControlNumber: e.ISA13, AckRequested: ack, Usage: orDefault(e.Usage, "P"),
		Delimiters: e.Delimiters,
	}); err != nil {
		return err
	}
	b.started = true
	return b.w.BeginGroup(x12.GroupHeader{
		FunctionalID: "HC", SenderCode: orDefault(e.SenderCode, e.SenderID), ReceiverCode: orDefault(e.ReceiverCode, e.ReceiverID),
		Date: t.Format("20060102"), Time: t.Format("1504"), ControlNumber: e.GS06, Agency: "X", Version: e.Kind.Guide(),
	})
}

func (b *Builder) st02(n int) string {
	if b.env.ST02 != nil {
		return b.env.ST02(n)
	}
	first := b.env.FirstST02
	if first == 0 {
		first = 1
	}
	s := strconv.Itoa(first + n - 1)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func (b *Builder) beginSet() error {
	e := &b.env
	ctl := b.st02(len(b.sets) + 1)
	if len(ctl) < 4 || len(ctl) > 9 || badChar(ctl, e.Delimiters) >= 0 {
		return fmt.Errorf("ST02 %q for set %d must be 4 to 9 characters without delimiters", ctl, len(b.sets)+1)
	}
	b.sets = append(b.sets, SetRef{ST02: ctl})
	if err := b.w.BeginSet(x12.SetHeader{ID: "837", ControlNumber: ctl, Convention: e.Kind.Guide()}); err != nil {
		return err
	}
	b.inSet, b.setN, b.hl = true, 0, 0
	b.billHL, b.subHL, b.patHL = 0, 0, 0
	t := e.Created
	b.w.Segment("BHT", "0019", orDefault(e.Purpose, "00"), e.BatchID, t.Format("20060102"), t.Format("1504"), orDefault(e.ClaimType, "CH"))
	s := &e.Submitter
	nm102 := "2"
	if s.FirstName != "" {
		nm102 = "1"
	}
	b.w.Segment("NM1", "41", nm102, s.Name, s.FirstName, "", "", "", "46", s.ETIN)
	b.w.Begin("PER")
	b.w.Element("IC")
	b.w.Element(s.ContactName)
	if s.Phone != "" {
		b.w.Element("TE")
		b.w.Element(s.Phone)
		if s.Email != "" {
			b.w.Element("EM")
			b.w.Element(s.Email)
		}
	} else {
		b.w.Element("EM")
		b.w.Element(s.Email)
	}
	b.w.End()
	b.w.Segment("NM1", "40", "2", e.Receiver.Name, "", "", "", "", "46", e.Receiver.ID)
	return b.w.Error()
}

func (b *Builder) endSet() error {
	b.sets[len(b.sets)-1].Segments = b.w.SetSegments() + 1
	b.inSet = false
	return b.w.EndSet()
}
