package encounters

import (
	"fmt"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// extraColumns are the CSV columns of the 837P billing fields (NDC, CLIA,
// accident, referral, attachments, notes, dates, supervising, ordering
// and line rendering providers). The nested EPSDT and ambulance data is
// JSON Lines only. An optional object is created by the first of its
// columns that has a value.
func extraColumns() []column {
	claim := func(d *draft) *x837.Claim { return &d.enc.Claim }
	note := func(d *draft) *x837.Note {
		if d.enc.Note == nil {
			d.enc.Note = &x837.Note{}
		}
		return d.enc.Note
	}
	attachment := func(d *draft) *x837.Attachment {
		if len(d.enc.Attachments) == 0 {
			d.enc.Attachments = []x837.Attachment{{}}
		}
		return &d.enc.Attachments[0]
	}
	supervising := func(d *draft) *x837.Provider {
		if d.enc.SupervisingProvider == nil {
			d.enc.SupervisingProvider = &x837.Provider{}
		}
		return d.enc.SupervisingProvider
	}
	primaryCare := func(d *draft) *x837.Provider {
		if d.enc.PrimaryCareProvider == nil {
			d.enc.PrimaryCareProvider = &x837.Provider{}
		}
		return d.enc.PrimaryCareProvider
	}
	drug := func(l *x837.Line) *x837.Drug {
		if l.Drug == nil {
			l.Drug = &x837.Drug{}
		}
		return l.Drug
	}
	lineNote := func(l *x837.Line) *x837.Note {
		if l.Note == nil {
			l.Note = &x837.Note{}
		}
		return l.Note
	}
	lineAttachment := func(l *x837.Line) *x837.Attachment {
		if len(l.Attachments) == 0 {
			l.Attachments = []x837.Attachment{{}}
		}
		return &l.Attachments[0]
	}
	lineProvider := func(at func(l *x837.Line) **x837.Provider) func(l *x837.Line) *x837.Provider {
		return func(l *x837.Line) *x837.Provider {
			p := at(l)
			if *p == nil {
				*p = &x837.Provider{}
			}
			return *p
		}
	}
	rendering := lineProvider(func(l *x837.Line) **x837.Provider { return &l.RenderingProvider })
	ordering := lineProvider(func(l *x837.Line) **x837.Provider { return &l.OrderingProvider })
	lineSupervising := lineProvider(func(l *x837.Line) **x837.Provider { return &l.SupervisingProvider })

	return []column{
		list("related_causes", func(d *draft) *[]string { return &claim(d).RelatedCauses }),
		text("auto_accident_state", func(d *draft) *string { return &claim(d).AutoAccidentState }),
		text("auto_accident_country", func(d *draft) *string { return &claim(d).AutoAccidentCountry }),
		date("accident_date", func(d *draft) *x12.Date { return &claim(d).AccidentDate }),
		text("delay_reason", func(d *draft) *string { return &claim(d).DelayReason }),
		text("referral_number", func(d *draft) *string { return &claim(d).ReferralNumber }),
		text("clia_number", func(d *draft) *string { return &claim(d).CLIANumber }),
		{name: "patient_paid", set: func(d *draft, _ *x837.Line, v string) error {
			return parseAmount(&claim(d).PatientPaid, v)
		}},
		date("initial_treatment_date", func(d *draft) *x12.Date { return &claim(d).InitialTreatmentDate }),
		date("last_seen_date", func(d *draft) *x12.Date { return &claim(d).LastSeenDate }),
		date("disability_from", func(d *draft) *x12.Date { return &claim(d).DisabilityFrom }),
		date("disability_to", func(d *draft) *x12.Date { return &claim(d).DisabilityTo }),
		text("note_code", func(d *draft) *string { return &note(d).Code }),
		text("note_text", func(d *draft) *string { return &note(d).Text }),
		text("attachment_report_type", func(d *draft) *string { return &attachment(d).ReportType }),
		text("attachment_transmission", func(d *draft) *string { return &attachment(d).Transmission }),
		text("attachment_control_number", func(d *draft) *string { return &attachment(d).ControlNumber }),
		text("supervising_npi", func(d *draft) *string { return &supervising(d).NPI }),
		text("supervising_last_name", func(d *draft) *string { return &supervising(d).LastName }),
		text("supervising_first_name", func(d *draft) *string { return &supervising(d).FirstName }),
		text("primary_care_npi", func(d *draft) *string { return &primaryCare(d).NPI }),
		text("primary_care_last_name", func(d *draft) *string { return &primaryCare(d).LastName }),
		text("primary_care_first_name", func(d *draft) *string { return &primaryCare(d).FirstName }),

		lineText("line_ndc", func(l *x837.Line) *string { return &drug(l).NDC }),
		lineText("line_ndc_quantity", func(l *x837.Line) *string { return &drug(l).Quantity }),
		lineText("line_ndc_unit", func(l *x837.Line) *string { return &drug(l).Unit }),
		lineText("line_prescription_number", func(l *x837.Line) *string { return &drug(l).PrescriptionNumber }),
		lineText("line_clia_number", func(l *x837.Line) *string { return &l.CLIANumber }),
		lineText("line_prior_authorization", func(l *x837.Line) *string { return &l.PriorAuthorization }),
		lineText("line_referral_number", func(l *x837.Line) *string { return &l.ReferralNumber }),
		lineText("line_note_code", func(l *x837.Line) *string { return &lineNote(l).Code }),
		lineText("line_note_text", func(l *x837.Line) *string { return &lineNote(l).Text }),
		lineText("line_attachment_report_type", func(l *x837.Line) *string { return &lineAttachment(l).ReportType }),
		lineText("line_attachment_transmission", func(l *x837.Line) *string { return &lineAttachment(l).Transmission }),
		lineText("line_attachment_control_number", func(l *x837.Line) *string { return &lineAttachment(l).ControlNumber }),
		lineFlag("line_emergency", func(l *x837.Line) *bool { return &l.Emergency }),
		lineFlag("line_epsdt", func(l *x837.Line) *bool { return &l.EPSDT }),
		lineFlag("line_family_planning", func(l *x837.Line) *bool { return &l.FamilyPlanning }),
		lineText("line_rendering_npi", func(l *x837.Line) *string { return &rendering(l).NPI }),
		lineText("line_rendering_last_name", func(l *x837.Line) *string { return &rendering(l).LastName }),
		lineText("line_rendering_first_name", func(l *x837.Line) *string { return &rendering(l).FirstName }),
		lineText("line_rendering_taxonomy", func(l *x837.Line) *string { return &rendering(l).Taxonomy }),
		lineText("line_ordering_npi", func(l *x837.Line) *string { return &ordering(l).NPI }),
		lineText("line_ordering_last_name", func(l *x837.Line) *string { return &ordering(l).LastName }),
		lineText("line_ordering_first_name", func(l *x837.Line) *string { return &ordering(l).FirstName }),
		lineText("line_supervising_npi", func(l *x837.Line) *string { return &lineSupervising(l).NPI }),
		lineText("line_supervising_last_name", func(l *x837.Line) *string { return &lineSupervising(l).LastName }),
		lineText("line_supervising_first_name", func(l *x837.Line) *string { return &lineSupervising(l).FirstName }),
	}
}

// lineFlag is a Y/N line column; Y sets the flag.
func lineFlag(name string, at func(*x837.Line) *bool) column {
	return column{name: name, line: true, set: func(_ *draft, l *x837.Line, v string) error {
		switch strings.ToUpper(v) {
		case "Y":
			*at(l) = true
		case "N":
		default:
			return fmt.Errorf("want Y or N: %w", ErrBadValue)
		}
		return nil
	}}
}
