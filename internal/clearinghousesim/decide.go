package clearinghousesim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
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
	ta1       *ta1File   // TA1, nil when no interchange needs one
	ack       *ackFile   // 999, nil when no functional group was acknowledged
	claimAcks *claimFile // 277CA, nil when no set was accepted
	payables  []payable  // adjudicated claims, paid later in 835s (see issuePayments)
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

// status is an STC01 composite, with an optional second one (STC10)
// that names the information in error.
type status struct {
	category, code, entity string
	detail                 *status
}

func (s status) String() string {
	out := s.category + ":" + s.code
	if s.entity != "" {
		out += ":" + s.entity
	}
	if s.detail != nil {
		out += "," + s.detail.String()
	}
	return out
}

func (s status) accepted() bool { return s.category == "A2" }

// The statuses the simulator gives.
var (
	statusAccepted      = status{category: "A2", code: "20"}                // accepted for processing
	statusNotEnrolled   = status{category: "A7", code: "164", entity: "IL"} // entity's contract/member number
	statusWrongPayer    = status{category: "A3", code: "116"}               // claim submitted to the incorrect payer
	statusOutOfBalance  = status{category: "A7", code: "400"}               // claim is out of balance
	statusFutureService = status{category: "A7", code: "187"}               // date(s) of service
	statusBatchReceived = status{category: "A1", code: "19", entity: "AY"}  // entity acknowledges receipt (batch and provider level)
	// Subscriber and subscriber ID not found, on the member number.
	statusNoSubscriber = status{category: "A7", code: "164", entity: "IL", detail: &status{category: "A7", code: "33"}}
	// Missing or invalid information: the billing provider's NPI.
	statusNPINotOnFile = status{category: "A7", code: "21", entity: "85", detail: &status{category: "A7", code: "562", entity: "85"}}
	// Missing or invalid information: a diagnosis code (invalid for the
	// date of service).
	statusDiagnosis = status{category: "A7", code: "21", detail: &status{category: "A7", code: "255"}}
	// Duplicate of a claim already processed.
	statusDuplicate = status{category: "A7", code: "54"}
	// A replacement or void of a claim the payer cannot find.
	statusNotFound = status{category: "A4", code: "35"}
)

type payerFile struct {
	env   envelope
	payer *Payer
	rems  []*x835.Remittance
}

// decide answers one 837 file. It changes st (control numbers, claim
// numbers, deductibles, interchanges seen, claims paid) and never fails;
// a store error is kept in st.err.
func decide(cfg *Config, st *txState, in *inbound, now time.Time, file string) *decision {
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
		case st.seen(key):
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
	st.knownFingerprints(accepted)
	var toPay []*Claim
	for _, s := range accepted {
		cs := claimSetAck{batch: s.bht03, receiver: s.sender}
		if cs.receiver.LastName == "" {
			cs.receiver = Party{LastName: first.isa.SenderID, ID: first.isa.SenderID}
		}
		byNPI := map[string]*providerAck{}
		for _, c := range s.claims {
			ca := judgeClaim(cfg, st, c, now)
			rep.Billed += c.Charge
			if ca.status.accepted() {
				ca.icn = claimNumber(now, st.nextClaimSeq())
				st.saveClaim(ca.icn, c.PayerID, c.PCN, claimFingerprint(c))
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
	d.payables = payClaims(cfg, st, toPay, now, first, file, rep)
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
// unknown payer, member not enrolled, charge out of balance, service in
// the future, a replacement or void of a claim the payer does not know,
// a duplicate of a claim accepted before, and then the random rejections
// (Config.Rejections, by seed) reject it, in that order.
func judgeClaim(cfg *Config, st *txState, c *Claim, now time.Time) claimAck {
	ca := claimAck{claim: c, status: statusAccepted}
	var sum x12.Amount
	for _, l := range c.Lines {
		sum += l.Charge
	}
	today := x12.DateOf(now)
	key := claimKey(c)
	rj := cfg.Rejections
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
		switch {
		case len(ca.rejected) > 0:
			ca.status = statusFutureService
		case c.Frequency == "7" || c.Frequency == "8":
			if st.findClaim(c.PayerID, c.OriginalRef, c.PCN, "") == nil {
				ca.status = statusNotFound
			}
		case st.duplicate(claimFingerprint(c)):
			ca.status = statusDuplicate
		case chance(cfg.Seed, "subscriber", key, rj.SubscriberNotFound):
			ca.status = statusNoSubscriber
		case chance(cfg.Seed, "npi", key, rj.NPINotOnFile):
			ca.status = statusNPINotOnFile
		case len(c.Diagnoses) > 0 && chance(cfg.Seed, "diagnosis", key, rj.DiagnosisInvalid):
			ca.status = statusDiagnosis
		}
	}
	return ca
}

// claimKey identifies a claim's content for the seeded choices, so that
// they do not depend on the order claims arrive in.
func claimKey(c *Claim) string {
	return c.PayerID + "|" + c.PCN + "|" + c.Charge.String() + "|" + c.Frequency
}

// claimFingerprint returns the claim's fingerprint, computing it once.
func claimFingerprint(c *Claim) string {
	if c.fp == "" {
		c.fp = fingerprint(c)
	}
	return c.fp
}

// fingerprint identifies a claim for duplicate detection: payer, member,
// patient control number, charge, and each line's procedure, charge and
// dates. Its form is a hash: member IDs never reach the store in clear.
func fingerprint(c *Claim) string {
	h := sha256.New()
	for i, s := range []string{c.PayerID, c.Subscriber.ID, c.PCN, c.Charge.String()} {
		if i > 0 {
			h.Write([]byte{'|'})
		}
		h.Write([]byte(s))
	}
	for _, l := range c.Lines {
		for i, s := range []string{l.Procedure, l.RevenueCode, l.Charge.String(), l.From.X12(), l.To.X12()} {
			sep := byte(':')
			if i == 0 {
				sep = '|'
			}
			h.Write([]byte{sep})
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// chance reports, for a rate in basis points, whether the seeded draw for
// (purpose, key) falls under it: the same seed and key always give the
// same answer, and over many keys about rate of them say yes.
func chance(seed int64, purpose, key string, rate BasisPoints) bool {
	if rate <= 0 {
		return false
	}
	h := sha256.Sum256([]byte(strconv.FormatInt(seed, 10) + "|" + purpose + "|" + key))
	return binary.BigEndian.Uint64(h[:8])%10000 < uint64(rate)
}

// claimNumber returns a payer claim control number (277CA REF*1K and 835
// CLP07): the Julian date YYDDD and an 8-digit sequence.
func claimNumber(now time.Time, seq int) string {
	return fmt.Sprintf("%02d%03d%08d", now.Year()%100, now.YearDay(), seq%100_000_000)
}

// payable is one adjudicated claim (or reversal) waiting for its payment:
// the 835 that pays it is issued when it is due, together with every
// other claim of the same payer, payment date and trading partner (see
// Responder.issuePayments).
type payable struct {
	payer   string
	payee   Party // the billing provider
	claim   *x835.Claim
	to      x12.InterchangeHeader // the 837 interchange answered
	toApp   string
	billing string // payee NPI, for grouping
}

// payClaims adjudicates the accepted claims, payer by payer and billing
// provider by billing provider in the order they came, and returns them
// as payables. A replacement (7) is preceded by the reversal of the
// claim it replaces; a void (8) gives the reversal only.
func payClaims(cfg *Config, st *txState, claims []*Claim, now time.Time, first *interchange, file string, rep *Report) []payable {
	type payee struct {
		billing Party
		claims  []*Claim
	}
	var order []string
	payees := map[string][]*payee{}
	for _, c := range claims {
		list, ok := payees[c.PayerID]
		if !ok {
			order = append(order, c.PayerID)
		}
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
	received := x12.DateOf(now)
	out := make([]payable, 0, len(claims)) // a reversal may add one more now and then
	for _, id := range order {
		p := cfg.payer(id)
		for _, pe := range payees[id] {
			add := func(oc *x835.Claim) {
				out = append(out, payable{payer: p.ID, payee: pe.billing, billing: pe.billing.ID, claim: oc,
					to: first.isa, toApp: first.isa.SenderID})
			}
			for _, c := range pe.claims {
				if c.Frequency == "7" || c.Frequency == "8" {
					if rev := reverse(st, p, c); rev != nil {
						add(rev)
						rep.addReversal(file, c, rev)
					}
					if c.Frequency == "8" {
						st.reverseClaim(c.icn) // a void pays nothing and cannot be replaced
						continue
					}
				}
				before, has := st.deductible(p, c.Subscriber.ID)
				ded := x12.Amount(before)
				oc := adjudicate(p, c, &ded, adjOptions{today: received, missingInfo: chance(cfg.Seed, "missing-info", claimKey(c), p.MissingInfo)})
				if has && int64(ded) != before {
					st.setDeductible(p.ID, c.Subscriber.ID, int64(ded))
				}
				oc.PayerClaimNumber = c.icn
				oc.ReceivedDate = received
				st.setRemit(c.icn, oc)
				add(oc)
				rep.add835Claim(file, c, oc)
			}
		}
	}
	return out
}

// reverse returns the reversal (CLP02 22) of the claim a replacement or
// void refers to, with every amount of the original payment negated, and
// marks the original reversed; the deductible it took (PR-1) is given
// back to the member. It returns nil when there is nothing to reverse.
func reverse(st *txState, p *Payer, c *Claim) *x835.Claim {
	orig := st.findClaim(c.PayerID, c.OriginalRef, c.PCN, c.icn)
	if orig == nil || orig.state != "paid" || len(orig.remit) == 0 {
		return nil
	}
	var oc x835.Claim
	if err := decodeRemit(orig.remit, &oc); err != nil {
		st.fail(fmt.Errorf("claim %s: %w", orig.icn, err))
		return nil
	}
	st.reverseClaim(orig.icn)
	var ded x12.Amount
	for _, l := range oc.Lines {
		for _, a := range l.Adjustments {
			if a.Group == "PR" && a.Reason == reasonDeductible {
				ded += a.Amount
			}
		}
	}
	if left, has := st.deductible(p, c.Subscriber.ID); has && ded > 0 {
		st.setDeductible(p.ID, c.Subscriber.ID, left+int64(ded))
	}
	oc.Status = "22"
	oc.Charge, oc.Paid, oc.PatientResponsibility = -oc.Charge, -oc.Paid, -oc.PatientResponsibility
	for i := range oc.Adjustments {
		oc.Adjustments[i].Amount = -oc.Adjustments[i].Amount
	}
	for _, l := range oc.Lines {
		l.Charge, l.Paid, l.Allowed = -l.Charge, -l.Paid, nil
		for i := range l.Adjustments {
			l.Adjustments[i].Amount = -l.Adjustments[i].Amount
		}
	}
	return &oc
}

// providerAdjustments returns the PLB adjustments of one payment: a
// forwarding balance (FB) when reversals leave it negative, else now and
// then (by seed) interest (L6, increasing it) or an overpayment recovery
// (WO, reducing it, never below zero).
func providerAdjustments(cfg *Config, p *Payer, rem *x835.Remittance, total x12.Amount, day x12.Date) []x835.ProviderAdjustment {
	npi := rem.Payee.ID
	ref := rem.Claims[0].PayerClaimNumber
	key := p.ID + "|" + npi + "|" + ref
	switch {
	case total < 0:
		return []x835.ProviderAdjustment{{ProviderID: npi, FiscalDate: yearEnd(day), Reason: "FB", Reference: ref, Amount: total}}
	case total > 0 && chance(cfg.Seed, "interest", key, p.Interest):
		interest := max(Share(total, 150), 1) // 1.5 %
		return []x835.ProviderAdjustment{{ProviderID: npi, FiscalDate: yearEnd(day), Reason: "L6", Reference: ref, Amount: -interest}}
	case total > 0 && chance(cfg.Seed, "recoupment", key, p.Recoupment):
		wo := max(Share(total, 2000), 1) // a fifth of the payment
		return []x835.ProviderAdjustment{{ProviderID: npi, FiscalDate: yearEnd(day), Reason: "WO", Reference: ref, Amount: wo}}
	}
	return nil
}

// yearEnd is PLB02, the last day of the provider's fiscal year (taken as
// the calendar year).
func yearEnd(d x12.Date) x12.Date { return x12.Date{Year: d.Year, Month: time.December, Day: 31} }

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
