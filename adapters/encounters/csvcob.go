package encounters

import (
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// otherDraft is the CSV's one other coverage (the secondary, usually):
// other_* columns that become x837.Claim.OtherCoverage when any is set.
// Encounters with more coverages, or with an earlier payer's
// adjudication, use the JSON format.
type otherDraft struct {
	cov  x837.OtherCoverage
	addr x837.Address
}

// otherCoverageColumns are the other_* columns, in the documented order.
func otherCoverageColumns() []column {
	o := func(d *draft) *x837.OtherCoverage { return &d.other.cov }
	return []column{
		text("insurance_type", func(d *draft) *string { return &d.enc.Subscriber.InsuranceType }),
		text("other_responsibility", func(d *draft) *string { return &o(d).Responsibility }),
		text("other_relationship", func(d *draft) *string { return &o(d).Relationship }),
		text("other_group_number", func(d *draft) *string { return &o(d).GroupNumber }),
		text("other_group_name", func(d *draft) *string { return &o(d).GroupName }),
		text("other_insurance_type", func(d *draft) *string { return &o(d).InsuranceType }),
		text("other_filing_indicator", func(d *draft) *string { return &o(d).FilingIndicator }),
		text("other_subscriber_last_name", func(d *draft) *string { return &o(d).Subscriber.LastName }),
		text("other_subscriber_first_name", func(d *draft) *string { return &o(d).Subscriber.FirstName }),
		text("other_subscriber_middle_name", func(d *draft) *string { return &o(d).Subscriber.MiddleName }),
		text("other_subscriber_suffix", func(d *draft) *string { return &o(d).Subscriber.Suffix }),
		date("other_subscriber_birth_date", func(d *draft) *x12.Date { return &o(d).Subscriber.BirthDate }),
		text("other_subscriber_gender", func(d *draft) *string { return &o(d).Subscriber.Gender }),
		text("other_subscriber_address1", func(d *draft) *string { return &d.other.addr.Line1 }),
		text("other_subscriber_address2", func(d *draft) *string { return &d.other.addr.Line2 }),
		text("other_subscriber_city", func(d *draft) *string { return &d.other.addr.City }),
		text("other_subscriber_state", func(d *draft) *string { return &d.other.addr.State }),
		text("other_subscriber_zip", func(d *draft) *string { return &d.other.addr.ZIP }),
		text("other_member_id", func(d *draft) *string { return &o(d).Subscriber.MemberID }),
		text("other_payer_name", func(d *draft) *string { return &o(d).Payer.Name }),
		text("other_payer_id", func(d *draft) *string { return &o(d).Payer.ID }),
	}
}

// finishOther sets the encounter's other coverage when any other_*
// column has a value; the responsibility defaults to S (secondary).
func (d *draft) finishOther(enc *x837.Claim) {
	if d.other.addr != (x837.Address{}) {
		d.other.cov.Subscriber.Address = &d.other.addr
	}
	cov := d.other.cov
	if cov.Responsibility == "" && cov.Relationship == "" && cov.GroupNumber == "" && cov.GroupName == "" &&
		cov.InsuranceType == "" && cov.FilingIndicator == "" && isZeroPerson(cov.Subscriber.Person) &&
		cov.Subscriber.MemberID == "" && cov.Payer.Name == "" && cov.Payer.ID == "" {
		return
	}
	if cov.Responsibility == "" {
		cov.Responsibility = "S"
	}
	enc.OtherCoverage = []x837.OtherCoverage{cov}
}
