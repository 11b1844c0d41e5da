package clearinghousesim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// decision is the simulator's answer to one 837 file as plain data: which
// interchanges it rejects (TA1), which transaction sets it accepts (999),
// which claims it accepts (277CA) and what each payer pays (835). Turning
// it into X12 is a separate, last step (see render).
type decision struct {
	ta1       *ta1File    // TA1, nil when no interchange needs one
	ack       *ackFile    // 999, nil when no functional group was acknowledged
	claimAcks *claimFile  // 277CA, nil when no set was accepted
	remits    []payerFile // 835, one per payer
	report    Report
}

// envelope is what a response interchange needs to know: its control
// number and whom it goes to.
type envelope struct {
	control int                   // ISA13 and GS06
	to      x12.InterchangeHeader // the 837 interchange answered (ISA05/06 become ISA07/08)
	toApp   string                // GS03: GS02 of the 837 group, or ISA06
}

// ta1File is one interchange holding a TA1 segment per interchange
// acknowledged.
type ta1File struct {
	env  envelope
	acks []ta1Ack
}

type ta1Ack struct {
	isa13 string // TA101, the ISA13 acknowledged
	date  string // TA102
	time  string // TA103
	code  string // TA104: A or R
	note  string // TA105
}

type ackFile struct {
	env    envelope
	groups []groupAck
}

type groupAck struct {
	gs       x12.GroupHeader
	codes    []string // AK905..AK909
	sets     []setAck // empty when the group is rejected as a whole
	declared int      // AK902
	received int      // AK903
	accepted int      // AK904
	code     string   // AK901
}

type setAck struct {
	st    x12.SetHeader
	code  string   // IK501
	codes []string // IK502..IK506
	errs  []segError
}

type claimFile struct {
	env  envelope
	sets []claimSetAck
}

// claimSetAck is one 277CA transaction set: the claims of one accepted
// 837 set, by billing provider.
type claimSetAck struct {
	batch     string // 2200B TRN02: BHT03 of the 837 set
	receiver  Party  // 2100B: the 837 submitter
	providers []*providerAck
}

type providerAck struct {
	billing Party
	claims  []claimAck
}

type claimAck struct {
	claim    *Claim
	status   status
	icn      string    // REF*1K, accepted claims only
	rejected []lineAck // 2220D, rejected lines only
}

type lineAck struct {
	line   *Line
	status status
}

// status is an STC01 composite with its action code.
type status struct {
	category, code, entity string
}

func (s status) String() string {
	if s.entity == "" {
		return s.category + ":" + s.code
	}
	return s.category + ":" + s.code + ":" + s.entity
}

func (s status) accepted() bool { return s.category == "A2" }

// The statuses the simulator gives.
var (
	statusAccepted      = status{"A2", "20", ""}    // accepted for processing
	statusNotEnrolled   = status{"A7", "164", "IL"} // entity's contract/member number
	statusWrongPayer    = status{"A3", "116", ""}   // claim submitted to the incorrect payer
	statusOutOfBalance  = status{"A7", "400", ""}   // claim is out of balance
	statusFutureService = status{"A7", "187", ""}   // date(s) of service
	statusBatchReceived = status{"A1", "19", "AY"}  // entity acknowledges receipt (batch and provider level)
)

type payerFile struct {
	env   envelope
	payer *Payer
	rems  []*x835.Remittance
}

// state is what the simulator remembers from one file to the next. A
// file's decision works on a copy that replaces the state only once its
// responses are written.
type state struct {
	control     int                              // next response ISA13/GS06
	claimSeq    int                              // next payer claim number sequence
	lastTime    time.Time                        // modification time of the last response written
	deductibles map[string]map[string]x12.Amount // payer ID → member ID → remaining deductible
	seen        map[string]bool                  // sender + ISA13 of interchanges answered
}

func newState(cfg *Config) *state {
	first := cfg.FirstControlNumber
	if first <= 0 {
		first = 1
	}
	st := &state{control: first, claimSeq: first, deductibles: map[string]map[string]x12.Amount{}, seen: map[string]bool{}}
	for _, p := range cfg.Payers {
		st.deductibles[p.ID] = maps.Clone(p.Deductibles)
		if st.deductibles[p.ID] == nil {
			st.deductibles[p.ID] = map[string]x12.Amount{}
		}
	}
	return st
}

func (s *state) clone() *state {
	c := *s
	c.deductibles = make(map[string]map[string]x12.Amount, len(s.deductibles))
	for k, v := range s.deductibles {
		c.deductibles[k] = maps.Clone(v)
	}
	c.seen = maps.Clone(s.seen)
	return &c
}

func (s *state) nextControl() int {
	n := s.control
	s.control++
	if s.control > 999_999_999 {
		s.control = 1
	}
	return n
}

// decide answers one 837 file. It changes st (control numbers, claim
// numbers, deductibles, interchanges seen) and never fails.
func decide(cfg *Config, st *state, in *inbound, now time.Time, file string) *decision {
	d := &decision{}
	rep := &d.report
	rep.Files = 1
	if in.fatal != "" {
		rep.Interchanges, rep.InterchangesRejected = 1, 1
		d.addTA1(in.fatalISA, now, "R", in.fatal)
		d.ta1.env.control = st.nextControl()
		rep.Claims = append(rep.Claims, ClaimResult{File: file, Status: ClaimUnreadable, Reason: "TA1 R " + in.fatal})
		return d
	}
	var accepted []*set // sets whose claims go on to the 277CA
	var first *interchange
	for _, ic := range in.ics {
		rep.Interchanges++
		note := ic.note
		key := ic.isa.SenderQualifier + "/" + ic.isa.SenderID + "/" + ic.isa13
		switch {
		case note != "":
		case len(cfg.ReceiverIDs) > 0 && !slices.Contains(cfg.ReceiverIDs, ic.isa.ReceiverID):
			note = "009" // unknown receiver
		case st.seen[key]:
			note = "025" // duplicate interchange control number
		}
		if note != "" {
			rep.InterchangesRejected++
			d.addTA1(ic.isa, now, "R", note)
			ic.note = note
			for _, g := range ic.groups {
				for _, s := range g.sets {
					rejectClaims(rep, file, s.claims, ClaimAckRejected, "TA1 R "+note)
				}
			}
			continue
		}
		st.seen[key] = true
		if first == nil {
			first = ic
		}
		if ic.isa.AckRequested == "1" {
			d.addTA1(ic.isa, now, "A", "000")
		}
		for _, g := range ic.groups {
			ga := ackGroup(g)
			if d.ack == nil {
				d.ack = &ackFile{}
			}
			d.ack.groups = append(d.ack.groups, ga)
			if len(ga.codes) > 0 {
				rep.SetsRejected += len(g.sets)
				for _, s := range g.sets {
					rejectClaims(rep, file, s.claims, ClaimAckRejected, "999 AK9 R "+strings.Join(ga.codes, ","))
				}
				continue
			}
			for i, s := range g.sets {
				if ga.sets[i].code == "A" {
					rep.SetsAccepted++
					accepted = append(accepted, s)
					continue
				}
				rep.SetsRejected++
				rejectClaims(rep, file, s.claims, ClaimAckRejected, "999 IK5 R "+strings.Join(ga.sets[i].codes, ","))
			}
		}
	}
	// Control numbers in the order the files are written: TA1, 999,
	// 277CA, then the 835s.
	if d.ta1 != nil {
		d.ta1.env.control = st.nextControl()
	}
	if d.ack != nil {
		d.ack.env = envelope{control: st.nextControl(), to: first.isa, toApp: appOf(first)}
	}
	if len(accepted) == 0 {
		return d
	}
	d.claimAcks = &claimFile{env: envelope{control: st.nextControl(), to: first.isa, toApp: first.isa.SenderID}}
	var toPay []*Claim
	for _, s := range accepted {
		cs := claimSetAck{batch: s.bht03, receiver: s.sender}
		if cs.receiver.LastName == "" {
			cs.receiver = Party{LastName: first.isa.SenderID, ID: first.isa.SenderID}
		}
		byNPI := map[string]*providerAck{}
		for _, c := range s.claims {
			ca := judgeClaim(cfg, c, now)
			rep.Billed += c.Charge
			if ca.status.accepted() {
				ca.icn = claimNumber(now, st.claimSeq)
				st.claimSeq++
				toPay = append(toPay, c)
				c.icn = ca.icn
				rep.ClaimsAccepted++
				rep.BilledAccepted += c.Charge
			} else {
				rep.ClaimsRejected++
				rep.Claims = append(rep.Claims, ClaimResult{File: file, Ordinal: c.Ordinal, PCN: c.PCN, PayerID: c.PayerID,
					Status: ClaimRejected, Reason: "277CA " + ca.status.String(), Charge: c.Charge})
			}
			pa := byNPI[c.Billing.ID]
			if pa == nil {
				pa = &providerAck{billing: c.Billing}
				byNPI[c.Billing.ID] = pa
				cs.providers = append(cs.providers, pa)
			}
			pa.claims = append(pa.claims, ca)
		}
		d.claimAcks.sets = append(d.claimAcks.sets, cs)
	}
	d.remits = payClaims(cfg, st, toPay, now, first, file, rep)
	slices.SortStableFunc(rep.Claims, func(a, b ClaimResult) int { return a.Ordinal - b.Ordinal })
	return d
}

// appOf returns GS02 of the interchange's first group, or its ISA06.
func appOf(ic *interchange) string {
	if len(ic.groups) > 0 && ic.groups[0].gs.SenderCode != "" {
		return ic.groups[0].gs.SenderCode
	}
	return ic.isa.SenderID
}

// addTA1 acknowledges the interchange h with TA104 code and TA105 note.
// The TA1 file goes to the sender of the first interchange acknowledged.
func (d *decision) addTA1(h x12.InterchangeHeader, now time.Time, code, note string) {
	if d.ta1 == nil {
		d.ta1 = &ta1File{env: envelope{to: h, toApp: h.SenderID}}
	}
	t := ta1Ack{isa13: h.ControlNumber, date: h.Date, time: h.Time, code: code, note: note}
	if len(t.isa13) != 9 || !digitsOnly(t.isa13) {
		t.isa13 = "000000000"
	}
	if _, err := x12.ParseDate([]byte(t.date)); err != nil {
		t.date = now.Format("060102")
	}
	if !validTime([]byte(t.time)) {
		t.time = now.Format("1504")
	}
	d.ta1.acks = append(d.ta1.acks, t)
}

func rejectClaims(rep *Report, file string, cs []*Claim, st ClaimStatus, reason string) {
	for _, c := range cs {
		rep.Claims = append(rep.Claims, ClaimResult{File: file, Ordinal: c.Ordinal, PCN: c.PCN, PayerID: c.PayerID,
			Status: st, Reason: reason, Charge: c.Charge})
	}
}

// ackGroup decides the 999 of one functional group.
func ackGroup(g *group) groupAck {
	ga := groupAck{gs: g.gs, codes: g.codes, received: len(g.sets), declared: len(g.sets)}
	if n, ok := x12.ParseNumber(g.ge01); ok {
		ga.declared = n
	}
	if len(ga.codes) > 0 {
		if len(ga.codes) > 5 {
			ga.codes = ga.codes[:5]
		}
		ga.code = "R"
		return ga
	}
	for _, s := range g.sets {
		sa := setAck{st: s.st, code: "A", codes: s.codes, errs: s.errs}
		if len(s.errs) > 0 {
			c := "I5"
			if s.syntax {
				c = "5"
			}
			sa.codes = appendCode(slices.Clone(sa.codes), c)
		}
		if len(sa.codes) > 0 {
			sa.code = "R"
			if len(sa.codes) > 5 {
				sa.codes = sa.codes[:5]
			}
		} else {
			ga.accepted++
		}
		ga.sets = append(ga.sets, sa)
	}
	switch {
	case ga.accepted == len(ga.sets) && len(ga.sets) > 0:
		ga.code = "A"
	case ga.accepted == 0:
		ga.code = "R"
	default:
		ga.code = "P"
	}
	return ga
}

// judgeClaim decides the 277CA status of one claim in an accepted set:
// unknown payer, member not enrolled, charge out of balance and service
// in the future reject it, in that order.
func judgeClaim(cfg *Config, c *Claim, now time.Time) claimAck {
	ca := claimAck{claim: c, status: statusAccepted}
	var sum x12.Amount
	for _, l := range c.Lines {
		sum += l.Charge
	}
	today := x12.DateOf(now)
	switch {
	case cfg.payer(c.PayerID) == nil:
		ca.status = statusWrongPayer
	case slices.Contains(cfg.NotEnrolled, c.Subscriber.ID):
		ca.status = statusNotEnrolled
	case sum != c.Charge:
		ca.status = statusOutOfBalance
	default:
		for _, l := range c.Lines {
			if l.From.After(today) || l.To.After(today) {
				ca.rejected = append(ca.rejected, lineAck{line: l, status: statusFutureService})
			}
		}
		if len(ca.rejected) > 0 {
			ca.status = statusFutureService
		}
	}
	return ca
}

// claimNumber returns a payer claim control number (277CA REF*1K and 835
// CLP07): the Julian date YYDDD and an 8-digit sequence.
func claimNumber(now time.Time, seq int) string {
	return fmt.Sprintf("%02d%03d%08d", now.Year()%100, now.YearDay(), seq%100_000_000)
}

// payClaims adjudicates the accepted claims: one 835 file per payer, one
// transaction set (one payment) per billing provider.
func payClaims(cfg *Config, st *state, claims []*Claim, now time.Time, first *interchange, file string, rep *Report) []payerFile {
	var files []payerFile
	index := map[string]int{}
	type payee struct {
		billing Party
		claims  []*Claim
	}
	payees := map[string][]*payee{}
	for _, c := range claims {
		if _, ok := index[c.PayerID]; !ok {
			index[c.PayerID] = len(files)
			files = append(files, payerFile{payer: cfg.payer(c.PayerID)})
		}
		list := payees[c.PayerID]
		var pe *payee
		for _, x := range list {
			if x.billing.ID == c.Billing.ID {
				pe = x
			}
		}
		if pe == nil {
			pe = &payee{billing: c.Billing}
			payees[c.PayerID] = append(list, pe)
		}
		pe.claims = append(pe.claims, c)
	}
	today := x12.DateOf(now)
	for i := range files {
		pf := &files[i]
		p := pf.payer
		pf.env = envelope{control: st.nextControl(), to: first.isa, toApp: first.isa.SenderID}
		for n, pe := range payees[p.ID] {
			rem := &x835.Remittance{
				SetControl:     fmt.Sprintf("%04d", n+1),
				ProductionDate: today,
				Payer:          payerParty(p),
				Payee:          x835.Party{Name: pe.billing.Name(), IDQualifier: "XX", ID: pe.billing.ID},
			}
			for _, c := range pe.claims {
				ded := st.deductibles[p.ID][c.Subscriber.ID]
				oc := Adjudicate(p, c, &ded)
				if _, ok := st.deductibles[p.ID][c.Subscriber.ID]; ok {
					st.deductibles[p.ID][c.Subscriber.ID] = ded
				}
				oc.PayerClaimNumber = c.icn
				oc.ReceivedDate = today
				rem.Claims = append(rem.Claims, oc)
				rem.Payment.Amount += oc.Paid
				rep.add835Claim(file, c, oc)
			}
			rem.Payment = payment(p, rem.Payment.Amount, today, fmt.Sprintf("%d%03d", pf.env.control, n+1))
			rep.Remittances++
			pf.rems = append(pf.rems, rem)
		}
	}
	return files
}

func payerParty(p *Payer) x835.Party {
	pr := x835.Party{
		Name:    p.Name,
		Address: &x835.Address{Line1: p.Address.Line1, City: p.Address.City, State: p.Address.State, ZIP: p.Address.ZIP},
		Refs:    []x835.Ref{{Qualifier: "2U", Value: p.ID}},
	}
	c := x835.Contact{Function: "BL", Name: p.ContactName, Numbers: []x835.Ref{{Qualifier: "TE", Value: p.ContactPhone}}}
	if p.ContactURL != "" {
		c.Numbers = append(c.Numbers, x835.Ref{Qualifier: "UR", Value: p.ContactURL})
	}
	pr.Contacts = []x835.Contact{c}
	return pr
}

// payment builds BPR/TRN: a check (BPR01 C) or an ACH transfer with the
// remittance sent separately (BPR01 I); a remittance paying nothing is a
// notification (BPR01 H, BPR04 NON).
func payment(p *Payer, amount x12.Amount, date x12.Date, trace string) x835.Payment {
	pay := x835.Payment{Amount: amount, CreditDebit: "C", Date: date, TraceType: "1", Trace: trace, OriginatorID: "1" + p.TIN}
	switch {
	case amount == 0:
		pay.Handling, pay.Method = "H", "NON"
	case p.Method == "ACH" && p.Bank != nil:
		pay.Handling, pay.Method, pay.Format = "I", "ACH", "CCP"
		pay.Bank = &x835.BankAccounts{
			SenderDFIQualifier: "01", SenderDFI: p.Bank.SenderDFI, SenderAccountQualifier: "DA", SenderAccount: p.Bank.SenderAccount,
			PayerID: "1" + p.TIN, ReceiverDFIQualifier: "01", ReceiverDFI: p.Bank.ReceiverDFI,
			ReceiverAccountQualifier: "DA", ReceiverAccount: p.Bank.ReceiverAccount,
		}
	default:
		pay.Handling, pay.Method = "C", "CHK"
	}
	return pay
}
