package x837

import "strconv"

// hierarchy opens the HL loops the claim needs, reusing the open ones
// when the claim shares them.
func (b *Builder) hierarchy(c *Claim) {
	newBill := b.billHL == 0 || !eqProvider(&b.bill, &c.BillingProvider) || !eqAddrPtr(b.payTo, payTo(c))
	self := c.Patient == nil
	newSub := newBill || b.subHL == 0 || self != b.self || !eqSubscriber(&b.sub, &c.Subscriber) || !eqPayer(&b.payer, &c.Payer) ||
		(self && b.claimsInHL >= 100)
	newPat := !self && (newSub || b.patHL == 0 || !eqPatient(&b.pat, c.Patient) || b.claimsInHL >= 100)
	if newBill {
		b.billingLoop(c)
	}
	if newSub {
		b.subscriberLoop(c)
	}
	if newPat {
		b.patientLoop(c)
	}
}

func (b *Builder) billingLoop(c *Claim) {
	p := &c.BillingProvider
	b.bill = *p
	b.billAddr = Address{}
	if p.Address != nil {
		b.billAddr = *p.Address
	}
	b.bill.Address = &b.billAddr
	b.payTo = copyAddr(payTo(c))
	b.hl++
	b.billHL, b.subHL, b.patHL = b.hl, 0, 0
	b.w.Segment("HL", strconv.Itoa(b.hl), "", "20", "1")
	if p.Taxonomy != "" {
		b.w.Segment("PRV", "BI", "PXC", p.Taxonomy)
	}
	b.name("85", p, b.env.Kind == Institutional)
	b.addr(p.Address)
	b.w.Segment("REF", orDefault(p.TINType, "EI"), p.TIN)
	if p.Phone != "" {
		b.w.Segment("PER", "IC", p.ContactName, "TE", p.Phone)
	}
	if a := payTo(c); a != nil {
		nm102 := "2"
		if p.IsPerson() && b.env.Kind == Professional {
			nm102 = "1"
		}
		b.w.Segment("NM1", "87", nm102)
		b.addr(a)
	}
}

func (b *Builder) subscriberLoop(c *Claim) {
	s := &c.Subscriber
	self := c.Patient == nil
	b.sub = *s
	b.subAddr = copyAddr(s.Address)
	b.sub.Address = b.subAddr
	b.payer = c.Payer
	b.payerAddr = copyAddr(c.Payer.Address)
	b.payer.Address = b.payerAddr
	b.self = self
	b.claimsInHL = 0
	b.hl++
	b.subHL, b.patHL = b.hl, 0
	child := "1"
	rel := ""
	if self {
		child, rel = "0", "18"
	}
	b.w.Segment("HL", strconv.Itoa(b.hl), strconv.Itoa(b.billHL), "22", child)
	groupName := s.GroupName
	if s.GroupNumber != "" {
		groupName = ""
	}
	insType := ""
	if b.env.Kind == Professional {
		insType = s.InsuranceType
	}
	b.w.Segment("SBR", orDefault(s.Responsibility, "P"), rel, s.GroupNumber, groupName, insType, "", "", "", orDefault(c.Payer.FilingIndicator, "CI"))
	b.w.Segment("NM1", "IL", "1", s.LastName, s.FirstName, s.MiddleName, "", s.Suffix, "MI", s.MemberID)
	if self {
		b.addr(s.Address)
		b.dmg(&s.Person)
	}
	b.w.Segment("NM1", "PR", "2", c.Payer.Name, "", "", "", "", "PI", c.Payer.ID)
	if c.Payer.Address != nil {
		b.addr(c.Payer.Address)
	}
}

func (b *Builder) patientLoop(c *Claim) {
	p := c.Patient
	b.pat = *p
	b.patAddr = copyAddr(p.Address)
	b.pat.Address = b.patAddr
	b.claimsInHL = 0
	b.hl++
	b.patHL = b.hl
	b.w.Segment("HL", strconv.Itoa(b.hl), strconv.Itoa(b.subHL), "23", "0")
	b.w.Segment("PAT", p.Relationship)
	b.w.Segment("NM1", "QC", "1", p.LastName, p.FirstName, p.MiddleName, "", p.Suffix)
	b.addr(p.Address)
	b.dmg(&p.Person)
}

// payTo returns the pay-to address to send (2010AB): only one that
// differs from the billing provider's address.
func payTo(c *Claim) *Address {
	a, bp := c.PayToAddress, c.BillingProvider.Address
	if a == nil || bp == nil || eqAddr(a, bp) {
		return nil
	}
	return a
}

func copyAddr(a *Address) *Address {
	if a == nil {
		return nil
	}
	c := *a
	return &c
}

func eqAddr(a, b *Address) bool { return *a == *b }

func eqAddrPtr(a, b *Address) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func eqProvider(a, b *Provider) bool {
	x, y := *a, *b
	x.Address, y.Address = nil, nil
	return x == y && eqAddrPtr(a.Address, b.Address)
}

func eqPerson(a, b *Person) bool {
	x, y := *a, *b
	x.Address, y.Address = nil, nil
	return x == y && eqAddrPtr(a.Address, b.Address)
}

func eqSubscriber(a, b *Subscriber) bool {
	return eqPerson(&a.Person, &b.Person) && a.MemberID == b.MemberID && a.GroupNumber == b.GroupNumber &&
		a.GroupName == b.GroupName && a.Responsibility == b.Responsibility && a.InsuranceType == b.InsuranceType
}

func eqPayer(a, b *Payer) bool {
	return a.Name == b.Name && a.ID == b.ID && a.FilingIndicator == b.FilingIndicator && eqAddrPtr(a.Address, b.Address)
}

func eqPatient(a, b *Patient) bool {
	return a.Relationship == b.Relationship && eqPerson(&a.Person, &b.Person)
}
