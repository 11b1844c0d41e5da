package x835

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
)

// ErrNoTransaction is returned by Read when the input holds no 835
// transaction set at all (it may be another kind of X12 file).
var ErrNoTransaction = x12.NoTransaction("835 transaction set")

// ErrStructure is x12.ErrStructure, the cause of every error about the
// order of the set.
var ErrStructure = x12.ErrStructure

// where the parser is in the transaction set.
type state int

const (
	stHeader state = iota // after ST: BPR, TRN, CUR, REF, DTM
	stPayer               // 1000A
	stPayee               // 1000B
	stDetail              // 2000 LX/TS3/TS2, before a claim
	stClaim               // 2100
	stLine                // 2110
	stFooter              // PLB
)

// Parser reads an 835 stream transaction set by transaction set and, in
// each set, claim by claim, holding one claim in memory at a time.
//
// Call NextRemittance to move to the next 835 set; it returns the set's
// header (envelope, payment, payer, payee). Then call Next until it
// returns io.EOF; each call returns one claim with its service lines. When
// Next has returned io.EOF the remittance's ProviderAdjustments and
// Warnings are complete and Totals covers the whole set. Sets of other
// transaction types are skipped.
//
// Problems that do not stop parsing are collected: structural errors in
// Errors, warnings in the Remittance. Only a fatal error (input that is
// not X12, a broken ISA, a read error) is returned by NextRemittance or
// Next, and it is returned again by every later call.
type Parser struct {
	// ReuseClaims makes Next reuse the memory of the claim it returned
	// before (the claim, its lines and their slices): a claim is then
	// valid only until the next call to Next, like bufio.Scanner's
	// tokens, and callers copy what they keep. It saves most allocations
	// when streaming very large files. Set it before the first call.
	ReuseClaims bool

	rd *x12.Reader

	rem     *Remittance // current set
	claim   *Claim      // claim being built
	line    *Line
	ready   *Claim // finished claim waiting to be returned
	st      state
	inSet   bool
	atST    bool // the reader is positioned on an ST not yet consumed
	lx      int
	ordinal int
	totals  Totals
	keep    bool // append claims to rem.Claims (Read)
	seen    int  // reader errors already taken
	errs    []error
	fatal   error
	fstr    string      // the current segment's elements, concatenated
	fok     bool        // fstr is set for the current segment
	codes   [512]string // cache of short code values
	cblk    *claimBlock
	lblk    *lineBlock
	readyB  *claimBlock  // block of p.ready
	lent    *claimBlock  // block of the claim Next returned last
	spare   *claimBlock  // a block free for reuse
	lines   []*lineBlock // line blocks free for reuse
	hasBPR  bool
	hasTRN  bool
	hasPR   bool
	hasPE   bool
	hasQC   bool
	lastRem *Remittance
	// held counts the segments the current claim (claimHeld) and the
	// current set outside its claims (setHeld) keep in memory; see
	// MaxClaimSegments and MaxSetSegments.
	claimHeld, setHeld int
}

// MaxClaimSegments and MaxSetSegments bound what one claim payment (its
// 2100 and 2110 loops, CLP included) and one transaction set outside its
// claims (header, payer, payee, TS3 summaries, PLB adjustments; LX not
// counted) may hold, so that a hostile file cannot make the parser keep
// an unbounded claim or set in memory. Real ones are far below: a claim
// has at most 999 service lines. A segment past either limit is a
// structural error (reported once per claim or set) and is not kept.
const (
	MaxClaimSegments = 100_000
	MaxSetSegments   = 100_000
)

// overLimit counts a segment the parser is about to keep and reports
// whether it is past MaxClaimSegments or MaxSetSegments (the first such
// segment is a structural error).
func (p *Parser) overLimit(s *x12.Segment) bool {
	switch s.ID() {
	case "ST", "SE", "GE", "IEA", "ISA", "GS", "LX":
		return false
	}
	n, limit, what := &p.setHeld, MaxSetSegments, "outside its claims"
	if p.st == stClaim || p.st == stLine || s.ID() == "CLP" {
		n, limit, what = &p.claimHeld, MaxClaimSegments, "in one claim payment"
	}
	*n++
	if *n == limit+1 {
		p.fail(s, 0, fmt.Errorf("more than %d segments %s: %w", limit, what, ErrStructure))
	}
	return *n > limit
}

// NewParser returns a Parser reading from r. It switches r to
// x12.CollectAll mode so that envelope problems are collected rather than
// fatal.
func NewParser(r *x12.Reader) *Parser {
	r.Mode = x12.CollectAll
	return &Parser{rd: r}
}

// Errors returns the structural errors found so far, each an *x12.Error
// with the segment's position. A remittance read while Errors is not
// empty must not be posted automatically.
func (p *Parser) Errors() []error { return p.errs }

// Remittance returns the current remittance (nil before the first call to
// NextRemittance). In streaming use its Claims stay empty.
func (p *Parser) Remittance() *Remittance { return p.rem }

// Totals returns the running totals of the current set: the claims
// returned so far and the PLB amounts read so far. After Next returns
// io.EOF they cover the whole set.
func (p *Parser) Totals() Totals { return p.totals }

// NextRemittance skips what is left of the current set and moves to the
// next 835 transaction set. It returns the set's header, or io.EOF when
// the input has no more 835 sets, or a fatal error.
func (p *Parser) NextRemittance() (*Remittance, error) {
	if p.fatal != nil {
		return nil, p.fatal
	}
	for p.inSet {
		if _, err := p.Next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
	}
	for {
		if !p.atST {
			seg, err := p.read()
			if err != nil {
				return nil, err
			}
			if seg.ID() != "ST" {
				continue
			}
		}
		p.atST = false
		if p.rd.Set().ID != "835" {
			continue
		}
		p.begin()
		for p.inSet && p.st < stDetail {
			seg, err := p.read()
			if err == io.EOF {
				p.endSet()
				break
			}
			if err != nil {
				return nil, err
			}
			p.segment(seg)
		}
		return p.rem, nil
	}
}

// Next returns the next claim of the current set with its service lines,
// or io.EOF at the end of the set (or before the first NextRemittance).
func (p *Parser) Next() (*Claim, error) {
	if p.fatal != nil {
		return nil, p.fatal
	}
	if p.ReuseClaims && p.lent != nil {
		// The caller is done with the claim returned last.
		p.spare, p.lent = p.lent, nil
	}
	for {
		if c := p.ready; c != nil {
			p.ready = nil
			if p.ReuseClaims {
				p.lent = p.readyB
			}
			return c, nil
		}
		if !p.inSet {
			return nil, io.EOF
		}
		seg, err := p.read()
		if err == io.EOF {
			p.endSet()
			continue
		}
		if err != nil {
			return nil, err
		}
		p.segment(seg)
	}
}

// Read reads every 835 transaction set of r and returns them
// with their claims. Sets of other types are skipped. It returns
// ErrNoTransaction when there is no 835 set. When the input has
// structural errors it returns the remittances it could read together
// with all the errors joined (each an *x12.Error); such remittances must
// not be posted. A fatal error stops reading.
func Read(r io.Reader) ([]*Remittance, error) {
	p := NewParser(x12.NewReader(r))
	p.keep = true
	var out []*Remittance
	for {
		rem, err := p.NextRemittance()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, errors.Join(append(p.errs, err)...)
		}
		for {
			_, err := p.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return append(out, rem), errors.Join(append(p.errs, err)...)
			}
		}
		out = append(out, rem)
	}
	if len(out) == 0 && len(p.errs) == 0 {
		return nil, ErrNoTransaction
	}
	return out, errors.Join(p.errs...)
}

// read returns the next segment and sorts the reader's new recoverable
// errors into structural errors and warnings.
func (p *Parser) read() (*x12.Segment, error) {
	seg, err := p.rd.Next()
	all := p.rd.Errors()
	for _, e := range all[p.seen:] {
		if e == err {
			continue
		}
		if x12.IsEnvelopeWarning(e) {
			p.warnEnvelope(e)
		} else {
			p.errs = x12.AppendCapped(p.errs, e, errMore)
		}
	}
	p.seen = len(all)
	if err != nil && err != io.EOF {
		p.fatal = err
		p.inSet = false
	}
	return seg, err
}

func (p *Parser) warnEnvelope(e error) {
	r := p.rem
	if r == nil {
		r = p.lastRem
	}
	if r == nil {
		p.errs = x12.AppendCapped(p.errs, e, errMore)
		return
	}
	r.Warnings = x12.AppendWarning(r.Warnings, x12.WarningOf(e))
}

// begin starts a remittance at the ST the reader just returned.
func (p *Parser) begin() {
	isa, gs, st := p.rd.Interchange(), p.rd.Group(), p.rd.Set()
	p.rem = &Remittance{
		ISA13: isa.ControlNumber, GS06: gs.ControlNumber, SetControl: st.ControlNumber,
		SenderID: isa.SenderID, ReceiverID: isa.ReceiverID, Version: x12.Guide(gs, st),
	}
	p.lastRem = p.rem
	p.inSet = true
	p.st = stHeader
	p.claim, p.line, p.ready = nil, nil, nil
	p.lx, p.ordinal = 0, 0
	p.totals = Totals{}
	p.claimHeld, p.setHeld = 0, 0
	p.hasBPR, p.hasTRN, p.hasPR, p.hasPE = false, false, false, false
	if g := p.rem.Version; g != Guide {
		p.warn(fmt.Sprintf("implementation guide %q is not %s; read as %s", g, Guide, Guide))
	}
}

// endSet finishes the current set, at its SE or wherever it stops.
func (p *Parser) endSet() {
	if !p.inSet {
		return
	}
	p.finishClaim()
	p.inSet = false
	r := p.rem
	pos := p.rd.Position()
	for _, m := range []struct {
		ok   bool
		what string
	}{{p.hasBPR, "BPR"}, {p.hasTRN, "TRN"}, {p.hasPR, "N1*PR (1000A payer)"}, {p.hasPE, "N1*PE (1000B payee)"}} {
		if !m.ok {
			p.errs = x12.AppendCapped[error](p.errs, &x12.Error{Pos: pos, Err: fmt.Errorf("835 set %s has no %s: %w", r.SetControl, m.what, ErrStructure)}, errMore)
		}
	}
	p.totals.PaymentAmount = r.Payment.Amount
}

// finishClaim closes the claim being built and queues it for Next.
func (p *Parser) finishClaim() {
	c := p.claim
	if c == nil {
		return
	}
	if !p.hasQC {
		p.warnAt(c.Segment, "CLP", fmt.Sprintf("claim %d has no NM1*QC patient name", c.Ordinal))
	}
	p.claim, p.line = nil, nil
	p.totals.ClaimCount++
	p.totals.TotalCharge += c.Charge
	p.totals.TotalPaid += c.Paid
	if p.keep {
		p.rem.Claims = append(p.rem.Claims, c)
	}
	p.ready, p.readyB = c, p.cblk
}

// segment applies one segment of the current set.
func (p *Parser) segment(s *x12.Segment) {
	id := s.ID()
	p.fok = false
	if id == "CLP" {
		p.claimHeld = 0
	}
	if p.overLimit(s) {
		return
	}
	switch id {
	case "ST":
		// A new set starts before this one's SE (the reader reports the
		// missing trailer). Leave the ST for NextRemittance.
		p.endSet()
		p.atST = true
		return
	case "SE", "GE", "IEA", "ISA", "GS":
		p.endSet()
		return
	case "CLP":
		p.startClaim(s)
		return
	case "SVC":
		p.startLine(s)
		return
	case "CAS":
		p.cas(s)
		return
	case "LX":
		p.finishClaim()
		if p.st < stPayee || p.st == stFooter {
			p.misplaced(s)
			return
		}
		p.st = stDetail
		n, ok := atoi(s.Element(1))
		if !ok {
			p.fail(s, 1, fmt.Errorf("LX01 %q is not a number: %w", s.Element(1), ErrStructure))
		}
		p.lx = n
		return
	case "PLB":
		p.finishClaim()
		if p.st < stPayee {
			p.misplaced(s)
		}
		p.st = stFooter
		p.plb(s)
		return
	}
	switch p.st {
	case stHeader, stPayer, stPayee:
		p.header(s)
	case stDetail:
		switch id {
		case "TS3":
			p.ts3(s)
		case "TS2":
			// Provider supplemental summary: informational, not kept.
		default:
			p.other(s)
		}
	case stClaim:
		p.claimSegment(s)
	case stLine:
		p.lineSegment(s)
	case stFooter:
		p.other(s)
	}
}

// known lists the segments of the 835 guide; any other is unknown.
func known(id string) bool {
	switch id {
	case "BPR", "TRN", "CUR", "REF", "DTM", "N1", "N3", "N4", "PER", "RDM", "LX", "TS3", "TS2",
		"CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB":
		return true
	}
	return false
}

// other handles a segment the current loop does not take: an error when
// the 835 guide has the segment elsewhere, a warning when it is unknown.
func (p *Parser) other(s *x12.Segment) {
	if known(s.ID()) {
		p.misplaced(s)
		return
	}
	p.warn(fmt.Sprintf("segment %s is not part of the 835 guide; skipped", s.ID()))
}

func (p *Parser) misplaced(s *x12.Segment) {
	p.fail(s, 0, fmt.Errorf("%s is not allowed %s: %w", s.ID(), p.where(), ErrStructure))
}

func (p *Parser) where() string {
	switch p.st {
	case stHeader:
		return "in the header"
	case stPayer:
		return "in the payer loop (1000A)"
	case stPayee:
		return "in the payee loop (1000B)"
	case stDetail:
		return "in the header number loop (2000)"
	case stClaim:
		return "in the claim payment loop (2100)"
	case stLine:
		return "in the service payment loop (2110)"
	}
	return "after the PLB segments"
}

// fail records a structural error at element el (0 = whole segment).
func (p *Parser) fail(s *x12.Segment, el int, err error) {
	pos := p.rd.Position()
	if el > 0 {
		pos.Element = el
	}
	p.errs = x12.AppendCapped[error](p.errs, &x12.Error{Pos: pos, Err: err}, errMore)
}

func (p *Parser) warn(msg string) {
	pos := p.rd.Position()
	p.warnAt(pos.SetSegment, pos.SegmentID, msg)
}

func (p *Parser) warnAt(seg int, id, msg string) {
	if p.rem != nil {
		p.rem.Warnings = x12.AppendWarning(p.rem.Warnings, Warning{Segment: seg, SegmentID: id, Message: msg})
	}
}

// amount parses a monetary element; a bad or missing value is an error.
func (p *Parser) amount(s *x12.Segment, el int) x12.Amount {
	b := s.Element(el)
	a, err := x12.ParseAmount(b)
	if err != nil {
		if len(b) == 0 {
			p.fail(s, el, fmt.Errorf("%s%02d is missing: %w", s.ID(), el, x12.ErrBadAmount))
		} else {
			p.fail(s, el, fmt.Errorf("%s%02d %q: %w", s.ID(), el, b, x12.ErrBadAmount))
		}
	}
	return a
}

// optAmount parses a monetary element that may be absent.
func (p *Parser) optAmount(s *x12.Segment, el int) (x12.Amount, bool) {
	if !s.Has(el) {
		return 0, false
	}
	return p.amount(s, el), true
}

// date parses a CCYYMMDD element; a bad date is a warning (dates never
// enter the balancing).
func (p *Parser) date(s *x12.Segment, el int) x12.Date {
	b := s.Element(el)
	if len(b) == 0 {
		return x12.Date{}
	}
	if d, ok := fastDate(b); ok {
		return d
	}
	d, err := x12.ParseDate(b)
	if err != nil {
		p.warn(fmt.Sprintf("%s%02d %q is not a valid date", s.ID(), el, b))
	}
	return d
}

// fastDate parses a valid CCYYMMDD date without going through package
// time; it reports false for anything else, which x12.ParseDate then
// judges.
func fastDate(b []byte) (x12.Date, bool) {
	if len(b) != 8 {
		return x12.Date{}, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return x12.Date{}, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, n/100%100, n%100
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return x12.Date{}, false
	}
	return x12.Date{Year: y, Month: time.Month(m), Day: d}, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// el returns element i of the current segment as a string, "" when it
// is absent. The first non-empty element asked for converts the whole
// segment in one allocation; later elements are substrings of it.
func (p *Parser) el(s *x12.Segment, i int) string {
	b := s.Element(i)
	if len(b) == 0 {
		return ""
	}
	if !p.fok {
		n := 0
		for k := 1; k <= s.Len(); k++ {
			n += len(s.Element(k))
		}
		var sb strings.Builder
		sb.Grow(n)
		for k := 1; k <= s.Len(); k++ {
			sb.Write(s.Element(k))
		}
		p.fstr = sb.String()
		p.fok = true
	}
	off := 0
	for k := 1; k < i; k++ {
		off += len(s.Element(k))
	}
	return p.fstr[off : off+len(b)]
}

// code1 returns element i, a short code value, from a small cache so that
// repeated codes ("CO", "45", "HC", "N130") are not allocated again.
func (p *Parser) code1(s *x12.Segment, i int) string {
	b := s.Element(i)
	if len(b) > 6 {
		return p.el(s, i)
	}
	return p.code(b)
}

// code returns b as a string, from the cache when it is short.
func (p *Parser) code(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 6 {
		return string(b)
	}
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &p.codes[h%uint32(len(p.codes))]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// component returns component j (1-based) of v split at sep.
func component(v string, sep byte, j int) string {
	for k := 1; ; k++ {
		i := strings.IndexByte(v, sep)
		if k == j {
			if i < 0 {
				return v
			}
			return v[:i]
		}
		if i < 0 {
			return ""
		}
		v = v[i+1:]
	}
}

func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// errMore replaces the errors past x12.MaxProblems.
var errMore = errors.New("x835: more problems follow; not listed")
