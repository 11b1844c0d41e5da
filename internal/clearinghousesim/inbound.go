package clearinghousesim

import (
	"bytes"
	"errors"
	"io"

	"github.com/x12claims/claims/x12"
)

// The implementation guides the simulator accepts.
const (
	guide837P = "005010X222A1"
	guide837I = "005010X223A2"
)

// inbound is everything the simulator read from one 837 file: its
// interchanges with their envelope problems, groups, sets and claims.
type inbound struct {
	// fatal is the TA105 note for a file that could not be read as X12
	// at all (no ISA, a broken ISA, a runaway segment); then nothing else
	// in the file counts.
	fatal     string
	fatalISA  x12.InterchangeHeader // the interchange being read when it failed, if any
	ics       []*interchange
	claimSeen int
}

// interchange is one ISA..IEA.
type interchange struct {
	isa    x12.InterchangeHeader
	isa13  string // ISA13 exactly as sent
	note   string // TA105 when the envelope is rejected, "" when it is sound
	groups []*group
	iea    bool
	iea01  []byte
	iea02  string
}

// group is one GS..GE.
type group struct {
	gs     x12.GroupHeader
	codes  []string // AK905.. codes; any rejects the whole group
	sets   []*set
	ge     bool
	ge01   string
	ge02   string
	stSeen map[string]bool
}

// set is one ST..SE.
type set struct {
	st     x12.SetHeader
	guide  string
	codes  []string // IK502.. codes
	errs   []segError
	count  int // segments counted, ST through SE
	se     bool
	bht03  string
	sender Party // 1000A submitter (NM1*41)
	claims []*Claim
	syntax bool // an error is a syntax (not implementation guide) error
	// supported is false for a set that is not an 837P/837I: its
	// segments are counted, not read.
	supported bool
}

// segError is one IK3 with its IK4s.
type segError struct {
	id    string
	pos   int
	loop  string
	code  string
	pcn   string // CTX*CLM01 when the segment belongs to a claim
	elems []elemError
}

// elemError is one IK4.
type elemError struct {
	pos  int // element position
	comp int // component position, 0 for a simple element
	ref  string
	code string
	data string
}

// readInbound reads one 837 file. It never fails: what cannot be read
// becomes a TA1, 999 or 277CA decision. Only an I/O error of src is
// returned.
func readInbound(src io.Reader) (*inbound, error) {
	p := &parser837{rd: x12.NewReader(src), in: &inbound{}}
	p.rd.Mode = x12.CollectAll
	for {
		seg, err := p.rd.Next()
		if err == io.EOF {
			p.closeAll()
			return p.in, nil
		}
		if err != nil {
			var xe *x12.Error
			if errors.As(err, &xe) && xe.Err != nil && !isSyntax(xe.Err) {
				return nil, err // a read error, not bad content
			}
			p.in.fatal = fatalNote(err)
			if n := len(p.in.ics); n > 0 {
				last := p.in.ics[n-1]
				p.in.fatalISA = last.isa
				p.in.fatalISA.ControlNumber = last.isa13
			}
			p.in.ics = nil
			return p.in, nil
		}
		p.segment(seg)
	}
}

// isSyntax reports whether a fatal reader error is about the content
// (as opposed to an I/O error of the source).
func isSyntax(err error) bool {
	for _, e := range []error{x12.ErrNoISA, x12.ErrBadISA, x12.ErrBadDelimiters, x12.ErrSegmentTooLong, io.ErrNoProgress} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// fatalNote maps a fatal reader error to a TA105 note code.
func fatalNote(err error) string {
	switch {
	case errors.Is(err, x12.ErrBadDelimiters):
		return "026" // invalid data element separator
	case errors.Is(err, x12.ErrSegmentTooLong):
		return "004" // invalid segment terminator
	case errors.Is(err, x12.ErrBadISA):
		if bytes.Contains([]byte(err.Error()), []byte("ends inside")) {
			return "023" // improper end of file
		}
		return "022" // invalid control structure
	default:
		return "022" // not an interchange at all
	}
}

// parser837 walks the segments of an 837 file.
type parser837 struct {
	rd  *x12.Reader
	in  *inbound
	ic  *interchange
	grp *group
	set *set

	// 837 context, reset by HL.
	level      string // HL03 of the current HL: 20, 22, 23
	billing    Party
	subscriber Party
	subQual    string
	patient    *Party
	payerID    string
	payerName  string
	filing     string
	claim      *Claim
	line       *Line
	lineDate   bool
	hasPR      bool
	hasIL      bool
	lineSeg    int // LX position of the current line
}

func (p *parser837) segment(s *x12.Segment) {
	id := s.ID()
	switch id {
	case "ISA":
		p.closeInterchange()
		p.ic = &interchange{isa: p.rd.Interchange(), isa13: s.String(13)}
		p.ic.note = checkISA(s, p.ic.isa)
		p.in.ics = append(p.in.ics, p.ic)
		return
	case "IEA":
		if p.ic == nil {
			return
		}
		p.closeGroup()
		p.ic.iea = true
		p.ic.iea01 = append([]byte(nil), s.Element(1)...)
		p.ic.iea02 = s.String(2)
		p.closeInterchange()
		return
	case "GS":
		if p.ic == nil {
			return
		}
		p.closeGroup()
		p.grp = &group{gs: p.rd.Group(), stSeen: map[string]bool{}}
		p.ic.groups = append(p.ic.groups, p.grp)
		p.checkGS()
		return
	case "GE":
		if p.grp == nil {
			p.interchangeError("024")
			return
		}
		p.closeSet()
		p.grp.ge = true
		p.grp.ge01, p.grp.ge02 = s.String(1), s.String(2)
		p.closeGroup()
		return
	case "ST":
		if p.grp == nil {
			p.interchangeError("024")
			return
		}
		p.closeSet()
		p.openSet(s)
		return
	case "TA1":
		if p.grp != nil {
			p.interchangeError("024")
		}
		return
	}
	if p.set == nil {
		// A segment outside any transaction set.
		p.interchangeError("024")
		return
	}
	p.set.count++
	if id == "SE" {
		p.closeSetAt(s)
		return
	}
	if !x12.ValidSegmentID(id) {
		p.segError(segError{id: safeID(id), pos: p.set.count, code: "1"}, true)
		return
	}
	if !p.set.supported {
		return // not an 837 the simulator reads: only counted
	}
	p.body(s)
}

// interchangeError rejects the current interchange with a TA105 note,
// keeping the first note.
func (p *parser837) interchangeError(note string) {
	if p.ic != nil && p.ic.note == "" {
		p.ic.note = note
	}
}

func (p *parser837) checkGS() {
	g := p.grp
	if g.gs.FunctionalID != "HC" {
		g.codes = appendCode(g.codes, "1") // functional group not supported
	}
	// GS06 itself must be 1 to 9 digits: the spaces ParseNumber allows
	// (so that GE02 " 12" matches GS06 "12") are not part of a valid GS06.
	if v := g.gs.ControlNumber; !digitsOnly(v) || len(v) > 9 {
		g.codes = appendCode(g.codes, "6")
	}
	for _, other := range p.ic.groups[:len(p.ic.groups)-1] {
		if other.gs.ControlNumber == g.gs.ControlNumber {
			g.codes = appendCode(g.codes, "19") // group control number not unique
		}
	}
	if v := g.gs.Version; v != guide837P && v != guide837I {
		g.codes = appendCode(g.codes, "2") // version not supported
	}
}

func (p *parser837) openSet(s *x12.Segment) {
	st := p.rd.Set()
	p.set = &set{st: st, guide: x12.Guide(p.grp.gs, st), count: 1}
	p.grp.sets = append(p.grp.sets, p.set)
	switch {
	case st.ID != "837":
		p.set.codes = appendCode(p.set.codes, "1") // transaction set not supported
	case p.set.guide != guide837P && p.set.guide != guide837I:
		p.set.codes = appendCode(p.set.codes, "I6") // implementation convention not supported
	default:
		p.set.supported = true
	}
	if st.ControlNumber == "" || len(st.ControlNumber) < 4 || len(st.ControlNumber) > 9 {
		p.set.codes = appendCode(p.set.codes, "7") // invalid control number
	}
	if p.grp.stSeen[st.ControlNumber] {
		p.set.codes = appendCode(p.set.codes, "23") // ST02 not unique in the group
	}
	p.grp.stSeen[st.ControlNumber] = true
	p.level, p.billing, p.subscriber, p.patient = "", Party{}, Party{}, nil
	p.payerID, p.payerName, p.filing, p.subQual = "", "", "", ""
	p.hasPR, p.hasIL = false, false
	p.claim, p.line = nil, nil
}

// closeSetAt ends the set at its SE.
func (p *parser837) closeSetAt(s *x12.Segment) {
	st := p.set
	p.finishClaim()
	st.se = true
	if n, ok := x12.ParseNumber(s.String(1)); !ok || n != st.count {
		st.codes = appendCode(st.codes, "4") // SE01 count wrong
	}
	if !x12.SameControl(s.String(2), st.st.ControlNumber) {
		st.codes = appendCode(st.codes, "3") // ST02 ≠ SE02
	}
	if len(st.claims) == 0 && len(st.codes) == 0 && st.supported {
		st.errs = append(st.errs, segError{id: "CLM", pos: st.count, loop: "2300", code: "3"})
	}
	p.set = nil
}

// closeSet ends a set that has no SE.
func (p *parser837) closeSet() {
	if p.set == nil {
		return
	}
	p.finishClaim()
	p.set.codes = appendCode(p.set.codes, "2") // SE missing
	p.set = nil
}

func (p *parser837) closeGroup() {
	if p.grp == nil {
		return
	}
	p.closeSet()
	g := p.grp
	if !g.ge {
		g.codes = appendCode(g.codes, "3") // GE missing
	} else {
		if n, ok := x12.ParseNumber(g.ge01); !ok || n != len(g.sets) {
			g.codes = appendCode(g.codes, "5") // GE01 count wrong
		}
		if !x12.SameControl(g.ge02, g.gs.ControlNumber) {
			g.codes = appendCode(g.codes, "4") // GS06 ≠ GE02
		}
	}
	p.grp = nil
}

func (p *parser837) closeInterchange() {
	if p.ic == nil {
		return
	}
	p.closeGroup()
	ic := p.ic
	switch {
	case !ic.iea:
		p.interchangeError("023") // improper end of file: no IEA
	case !x12.SameControl(ic.iea02, ic.isa13):
		p.interchangeError("001") // ISA13 ≠ IEA02
	default:
		if n, ok := x12.ParseNumber(string(ic.iea01)); !ok || n != len(ic.groups) {
			p.interchangeError("021") // IEA01 count wrong
		}
	}
	if len(ic.groups) == 0 {
		p.interchangeError("024")
	}
	p.ic = nil
}

func (p *parser837) closeAll() { p.closeInterchange() }

// checkISA returns the TA105 note for an ISA whose fields are invalid, or
// "" when they are sound.
func checkISA(s *x12.Segment, h x12.InterchangeHeader) string {
	oneOf := func(v string, vals ...string) bool {
		for _, x := range vals {
			if v == x {
				return true
			}
		}
		return false
	}
	quals := []string{"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"}
	switch {
	case !oneOf(s.String(1), "00", "03"):
		return "010"
	case !oneOf(s.String(3), "00", "01"):
		return "012"
	case !oneOf(s.String(5), quals...):
		return "005"
	case h.SenderID == "":
		return "006"
	case !oneOf(s.String(7), quals...):
		return "007"
	case h.ReceiverID == "":
		return "008"
	}
	if _, err := x12.ParseDate(s.Element(9)); err != nil {
		return "014"
	}
	if !validTime(s.Element(10)) {
		return "015"
	}
	switch v := s.String(12); {
	case len(v) != 5 || !digitsOnly(v):
		return "017"
	case v != "00501":
		return "003"
	}
	if v := s.String(13); len(v) != 9 || !digitsOnly(v) {
		return "018"
	}
	if !oneOf(s.String(14), "0", "1") {
		return "019"
	}
	if !oneOf(s.String(15), "P", "T") {
		return "020"
	}
	return ""
}

// validTime reports whether b is an ISA10 time: HHMM, a real time.
func validTime(b []byte) bool { return len(b) == 4 && x12.ValidTime(b) }

// body handles a segment inside an 837 transaction set.
func (p *parser837) body(s *x12.Segment) {
	switch s.ID() {
	case "BHT":
		p.set.bht03 = str(s, 3)
	case "HL":
		p.finishClaim()
		p.level = str(s, 3)
		switch p.level {
		case "20":
			p.billing = Party{}
			p.subscriber, p.patient, p.payerID, p.payerName, p.filing, p.subQual = Party{}, nil, "", "", "", ""
			p.hasPR, p.hasIL = false, false
		case "22":
			p.subscriber, p.patient, p.payerID, p.payerName, p.filing, p.subQual = Party{}, nil, "", "", "", ""
			p.hasPR, p.hasIL = false, false
		case "23":
			p.patient = &Party{Person: true}
		}
	case "SBR":
		if p.claim == nil && p.level == "22" {
			p.filing = str(s, 9)
		}
	case "NM1":
		p.nm1(s)
	case "CLM":
		p.startClaim(s)
	case "HI":
		if p.claim != nil && p.line == nil {
			for i := 1; i <= 12; i++ {
				if code := comp(s, i, 2); code != "" {
					p.claim.Diagnoses = append(p.claim.Diagnoses, code)
				}
			}
		}
	case "DTP":
		p.dtp(s)
	case "REF":
		switch {
		case p.line != nil && str(s, 1) == "6R":
			p.line.ControlNumber = str(s, 2)
		case p.claim != nil && p.line == nil && str(s, 1) == "D9":
			p.claim.CHTrace = str(s, 2)
		case p.claim != nil && p.line == nil && str(s, 1) == "F8":
			p.claim.OriginalRef = str(s, 2)
		}
	case "LX":
		if p.claim == nil {
			p.segError(segError{id: "LX", pos: p.set.count, loop: "2400", code: "2"}, false)
			return
		}
		p.finishLine()
		p.lineSeg = p.set.count
		p.line = &Line{Number: len(p.claim.Lines) + 1, Units: 1000}
		p.claim.Lines = append(p.claim.Lines, p.line)
	case "SV1", "SV2":
		p.service(s)
	case "SVD":
		// 2430 line adjudication by another payer: the line is done.
		p.finishLine()
	}
}

func (p *parser837) nm1(s *x12.Segment) {
	if p.claim != nil {
		return // 2310x, 2330x and 2420x names do not change the claim's parties
	}
	party := Party{Person: str(s, 2) == "1", LastName: str(s, 3), FirstName: str(s, 4), ID: str(s, 9)}
	switch str(s, 1) {
	case "41":
		if p.level == "" {
			p.set.sender = party
		}
	case "85":
		if p.level == "20" {
			p.billing = party
		}
	case "IL":
		if p.level == "22" {
			p.subscriber, p.subQual, p.hasIL = party, str(s, 8), true
		}
	case "PR":
		if p.level == "22" {
			p.payerID, p.payerName, p.hasPR = party.ID, party.LastName, true
		}
	case "QC":
		if p.level == "23" {
			party.Person = true
			p.patient = &party
		}
	}
}

func (p *parser837) startClaim(s *x12.Segment) {
	p.finishClaim()
	p.in.claimSeen++
	c := &Claim{
		Ordinal: p.in.claimSeen, Segment: p.set.count,
		PCN: str(s, 1), FacilityCode: comp(s, 5, 1), Frequency: comp(s, 5, 3),
		Institutional: p.set.guide == guide837I, Filing: p.filing, Billing: p.billing, Subscriber: p.subscriber,
		PayerID: p.payerID, PayerName: p.payerName, subscriberQual: p.subQual,
	}
	if p.level == "23" && p.patient != nil {
		pt := *p.patient
		c.Patient = &pt
	}
	p.claim = c
	var elems []elemError
	if c.PCN == "" {
		elems = append(elems, elemError{pos: 1, ref: "1028", code: "1"})
	}
	amt, ee := amountElement(s, 2)
	c.Charge = amt
	if ee != nil {
		elems = append(elems, *ee)
	}
	if len(elems) > 0 {
		p.segError(segError{id: "CLM", pos: p.set.count, loop: "2300", code: "8", pcn: c.PCN, elems: elems}, isSyntaxElems(elems))
	}
	if !p.hasIL || c.Subscriber.ID == "" {
		p.segError(segError{id: "NM1", pos: p.set.count, loop: "2010BA", code: "3", pcn: c.PCN}, false)
	}
	if !p.hasPR || c.PayerID == "" {
		p.segError(segError{id: "NM1", pos: p.set.count, loop: "2010BB", code: "3", pcn: c.PCN}, false)
	}
	if c.Billing.ID == "" {
		p.segError(segError{id: "NM1", pos: p.set.count, loop: "2010AA", code: "3", pcn: c.PCN}, false)
	}
}

// amountElement parses a monetary element; a missing or malformed value
// is an IK4 (data element 782).
func amountElement(s *x12.Segment, el int) (x12.Amount, *elemError) {
	b := s.Element(el)
	if len(b) == 0 {
		return 0, &elemError{pos: el, ref: "782", code: "1"}
	}
	a, err := x12.ParseAmount(b)
	if err != nil {
		return 0, &elemError{pos: el, ref: "782", code: "6", data: clean(b)}
	}
	return a, nil
}

func (p *parser837) dtp(s *x12.Segment) {
	var from, to x12.Date
	var err error
	switch str(s, 2) {
	case "D8":
		from, err = x12.ParseDate(s.Element(3))
	case "RD8":
		from, to, err = x12.ParseDateRange(s.Element(3))
	default:
		err = x12.ErrBadDate
	}
	switch {
	case p.line != nil && str(s, 1) == "472":
		if err != nil {
			p.segError(segError{id: "DTP", pos: p.set.count, loop: "2400", code: "8", pcn: p.claim.PCN,
				elems: []elemError{{pos: 3, ref: "1251", code: "8", data: str(s, 3)}}}, true)
			return
		}
		p.line.From, p.line.To = from, to
		if to == from {
			p.line.To = x12.Date{}
		}
		p.lineDate = true
	case p.claim != nil && p.line == nil && str(s, 1) == "434":
		if err != nil {
			p.segError(segError{id: "DTP", pos: p.set.count, loop: "2300", code: "8", pcn: p.claim.PCN,
				elems: []elemError{{pos: 3, ref: "1251", code: "8", data: str(s, 3)}}}, true)
			return
		}
		p.claim.StatementFrom, p.claim.StatementTo = from, to
		if to.IsZero() {
			p.claim.StatementTo = from
		}
	}
}

func (p *parser837) service(s *x12.Segment) {
	id := s.ID()
	if p.line == nil || p.line.Segment != 0 {
		p.segError(segError{id: id, pos: p.set.count, loop: "2400", code: "2", pcn: p.pcn()}, false)
		return
	}
	l := p.line
	l.Segment = p.set.count
	var elems []elemError
	procEl, chargeEl, unitsEl := 1, 2, 4
	if id == "SV2" {
		procEl, chargeEl, unitsEl = 2, 3, 5
		l.RevenueCode = str(s, 1)
		if l.RevenueCode == "" {
			elems = append(elems, elemError{pos: 1, ref: "234", code: "1"})
		}
	}
	l.Qualifier = comp(s, procEl, 1)
	l.Procedure = comp(s, procEl, 2)
	for j := 3; j <= 6; j++ {
		if m := comp(s, procEl, j); m != "" {
			l.Modifiers = append(l.Modifiers, m)
		}
	}
	if id == "SV1" && l.Procedure == "" {
		elems = append(elems, elemError{pos: 1, comp: 2, ref: "234", code: "1"})
	}
	amt, ee := amountElement(s, chargeEl)
	l.Charge = amt
	if ee != nil {
		elems = append(elems, *ee)
	}
	if b := s.Element(unitsEl); len(b) > 0 {
		u, ok := ParseUnits(b)
		switch {
		case !ok:
			elems = append(elems, elemError{pos: unitsEl, ref: "380", code: "6", data: clean(b)})
		case u <= 0:
			elems = append(elems, elemError{pos: unitsEl, ref: "380", code: "I12", data: clean(b)})
		default:
			l.Units = u
		}
	} else {
		elems = append(elems, elemError{pos: unitsEl, ref: "380", code: "1"})
	}
	if len(elems) > 0 {
		p.segError(segError{id: id, pos: p.set.count, loop: "2400", code: "8", pcn: p.pcn(), elems: elems}, isSyntaxElems(elems))
	}
}

func (p *parser837) pcn() string {
	if p.claim != nil {
		return p.claim.PCN
	}
	return ""
}

// finishLine checks the line being read.
func (p *parser837) finishLine() {
	l := p.line
	if l == nil {
		return
	}
	p.line = nil
	if l.Segment == 0 {
		p.segError(segError{id: "SV1", pos: p.lineSeg, loop: "2400", code: "3", pcn: p.claim.PCN}, false)
	}
	if !p.lineDate && !p.claim.Institutional {
		p.segError(segError{id: "DTP", pos: p.lineSeg, loop: "2400", code: "3", pcn: p.claim.PCN}, false)
	}
	p.lineDate = false
}

// finishClaim checks the claim being read and adds it to the set.
func (p *parser837) finishClaim() {
	if p.claim == nil {
		return
	}
	p.finishLine()
	c := p.claim
	p.claim = nil
	if len(c.Lines) == 0 {
		p.segError(segError{id: "LX", pos: c.Segment, loop: "2400", code: "3", pcn: c.PCN}, false)
	}
	if c.Institutional && c.StatementFrom.IsZero() {
		p.segError(segError{id: "DTP", pos: c.Segment, loop: "2300", code: "3", pcn: c.PCN}, false)
	}
	for _, l := range c.Lines {
		if l.From.IsZero() {
			l.From = c.StatementFrom
		}
	}
	p.set.claims = append(p.set.claims, c)
}

func (p *parser837) segError(e segError, syntax bool) {
	if p.set == nil {
		return
	}
	p.set.errs = append(p.set.errs, e)
	if syntax {
		p.set.syntax = true
	}
}

// isSyntaxElems reports whether element errors are X12 syntax errors
// (missing required element, bad character, bad date) rather than
// implementation guide errors (codes starting with I).
func isSyntaxElems(es []elemError) bool {
	for _, e := range es {
		if e.code != "" && e.code[0] != 'I' {
			return true
		}
	}
	return false
}

func appendCode(codes []string, c string) []string {
	for _, x := range codes {
		if x == c {
			return codes
		}
	}
	return append(codes, c)
}

// safeID returns a printable version of a bad segment ID for IK301 (at
// most three letters or digits, "XXX" when nothing is left).
func safeID(id string) string {
	var b []byte
	for i := 0; i < len(id) && len(b) < 3; i++ {
		c := id[i]
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b = append(b, c)
		} else if c >= 'a' && c <= 'z' {
			b = append(b, c-'a'+'A')
		}
	}
	if len(b) < 2 {
		return "XXX"
	}
	return string(b)
}

// str returns element i of s with any character the simulator writes as a
// delimiter (* : ^ ~) or a control character replaced by a space, so that
// every value it echoes can be written. An 837 whose own delimiters differ
// may legally carry such characters in its data.
func str(s *x12.Segment, i int) string { return clean(s.Element(i)) }

// comp returns component j of element i of s, cleaned like str.
func comp(s *x12.Segment, i, j int) string { return clean(s.Component(i, j)) }

func clean(b []byte) string {
	out := []byte(nil)
	for i, c := range b {
		if c < ' ' || c == 0x7f || c == '*' || c == ':' || c == '^' || c == '~' {
			if out == nil {
				out = append([]byte(nil), b...)
			}
			out[i] = ' '
		}
	}
	if out == nil {
		return string(b)
	}
	return string(out)
}
