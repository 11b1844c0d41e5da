package encounters

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// column is one CSV column: its header name, whether it is a service
// line column (else it describes the whole encounter and repeats on every
// row), whether the header must have it, and how its non-empty value is
// stored.
type column struct {
	name     string
	line     bool
	required bool
	set      func(d *draft, l *x837.Line, v string) error
}

// draft is an encounter being assembled from CSV rows. The parts that
// become pointers, or whose place depends on the relationship column, are
// kept apart until finish.
type draft struct {
	enc          pipeline.Encounter
	relationship string
	patient      x837.Person
	subscriber   x837.Person
	patientAddr  x837.Address
	subAddr      x837.Address
	billingAddr  x837.Address
	rendering    x837.Provider
	referring    x837.Provider
	attending    x837.Provider
	// operating and otherOperating are 2310B and 2310C (csvinpatient.go).
	operating, otherOperating x837.Provider
	facility                  x837.Facility
	inst                      x837.InstitutionalInfo
	dx                        [12]string
	other                     otherDraft
}

// Setters for the column table. Each takes a function that returns where
// the value goes.

func text(name string, at func(*draft) *string) column {
	return column{name: name, set: func(d *draft, _ *x837.Line, v string) error {
		*at(d) = v
		return nil
	}}
}

func lineText(name string, at func(*x837.Line) *string) column {
	return column{name: name, line: true, set: func(_ *draft, l *x837.Line, v string) error {
		*at(l) = v
		return nil
	}}
}

func date(name string, at func(*draft) *x12.Date) column {
	return column{name: name, set: func(d *draft, _ *x837.Line, v string) error {
		return parseDate(at(d), v)
	}}
}

func lineDate(name string, at func(*x837.Line) *x12.Date) column {
	return column{name: name, line: true, set: func(_ *draft, l *x837.Line, v string) error {
		return parseDate(at(l), v)
	}}
}

func lineAmount(name string, at func(*x837.Line) *x12.Amount) column {
	return column{name: name, line: true, set: func(_ *draft, l *x837.Line, v string) error {
		return parseAmount(at(l), v)
	}}
}

func list(name string, at func(*draft) *[]string) column {
	return column{name: name, set: func(d *draft, _ *x837.Line, v string) error {
		parts, err := splitList(v)
		*at(d) = parts
		return err
	}}
}

func required(c column) column {
	c.required = true
	return c
}

func parseDate(dst *x12.Date, v string) error {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return fmt.Errorf("want a date as YYYY-MM-DD: %w", x12.ErrBadDate)
	}
	if err := dst.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("no such calendar day: %w", x12.ErrBadDate)
	}
	return nil
}

func parseAmount(dst *x12.Amount, v string) error {
	a, err := x12.ParseAmount([]byte(v))
	if err != nil {
		return fmt.Errorf("want a decimal amount such as 125.00 (at most two decimal places): %w", x12.ErrBadAmount)
	}
	*dst = a
	return nil
}

// splitList splits a colon-separated list; empty items are an error.
func splitList(v string) ([]string, error) {
	parts := strings.Split(v, ":")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, fmt.Errorf("empty item %d in a colon-separated list: %w", i+1, ErrBadValue)
		}
	}
	return parts, nil
}

// columns returns the CSV column table, in the documented order.
func columns() []column {
	cols := []column{
		required(text("encounter_id", func(d *draft) *string { return &d.enc.ID })),
		{name: "kind", set: func(d *draft, _ *x837.Line, v string) error {
			d.enc.Kind = x837.Kind(v)
			return nil
		}},
		text("frequency", func(d *draft) *string { return &d.enc.Frequency }),
		text("payer_claim_number", func(d *draft) *string { return &d.enc.PayerClaimNumber }),
		required(column{name: "total_charge", set: func(d *draft, _ *x837.Line, v string) error {
			return parseAmount(&d.enc.TotalCharge, v)
		}}),
		text("place_of_service", func(d *draft) *string { return &d.enc.PlaceOfService }),
		text("prior_authorization", func(d *draft) *string { return &d.enc.PriorAuthorization }),
		text("medical_record_number", func(d *draft) *string { return &d.enc.MedicalRecordNumber }),
		date("onset_date", func(d *draft) *x12.Date { return &d.enc.OnsetDate }),
	}
	for i := range 12 {
		c := text("dx"+strconv.Itoa(i+1), func(d *draft) *string { return &d.dx[i] })
		c.required = i == 0
		cols = append(cols, c)
	}
	cols = append(cols,
		required(text("patient_last_name", func(d *draft) *string { return &d.patient.LastName })),
		text("patient_first_name", func(d *draft) *string { return &d.patient.FirstName }),
		text("patient_middle_name", func(d *draft) *string { return &d.patient.MiddleName }),
		text("patient_suffix", func(d *draft) *string { return &d.patient.Suffix }),
		date("patient_birth_date", func(d *draft) *x12.Date { return &d.patient.BirthDate }),
		text("patient_gender", func(d *draft) *string { return &d.patient.Gender }),
		text("patient_address1", func(d *draft) *string { return &d.patientAddr.Line1 }),
		text("patient_address2", func(d *draft) *string { return &d.patientAddr.Line2 }),
		text("patient_city", func(d *draft) *string { return &d.patientAddr.City }),
		text("patient_state", func(d *draft) *string { return &d.patientAddr.State }),
		text("patient_zip", func(d *draft) *string { return &d.patientAddr.ZIP }),
		text("relationship", func(d *draft) *string { return &d.relationship }),

		text("subscriber_last_name", func(d *draft) *string { return &d.subscriber.LastName }),
		text("subscriber_first_name", func(d *draft) *string { return &d.subscriber.FirstName }),
		text("subscriber_middle_name", func(d *draft) *string { return &d.subscriber.MiddleName }),
		text("subscriber_suffix", func(d *draft) *string { return &d.subscriber.Suffix }),
		date("subscriber_birth_date", func(d *draft) *x12.Date { return &d.subscriber.BirthDate }),
		text("subscriber_gender", func(d *draft) *string { return &d.subscriber.Gender }),
		text("subscriber_address1", func(d *draft) *string { return &d.subAddr.Line1 }),
		text("subscriber_address2", func(d *draft) *string { return &d.subAddr.Line2 }),
		text("subscriber_city", func(d *draft) *string { return &d.subAddr.City }),
		text("subscriber_state", func(d *draft) *string { return &d.subAddr.State }),
		text("subscriber_zip", func(d *draft) *string { return &d.subAddr.ZIP }),

		required(text("member_id", func(d *draft) *string { return &d.enc.Subscriber.MemberID })),
		text("group_number", func(d *draft) *string { return &d.enc.Subscriber.GroupNumber }),
		text("group_name", func(d *draft) *string { return &d.enc.Subscriber.GroupName }),
		text("responsibility", func(d *draft) *string { return &d.enc.Subscriber.Responsibility }),
		required(text("payer_name", func(d *draft) *string { return &d.enc.Payer.Name })),
		required(text("payer_id", func(d *draft) *string { return &d.enc.Payer.ID })),
		text("filing_indicator", func(d *draft) *string { return &d.enc.Payer.FilingIndicator }),

		required(text("billing_npi", func(d *draft) *string { return &d.enc.BillingProvider.NPI })),
		text("billing_organization", func(d *draft) *string { return &d.enc.BillingProvider.Organization }),
		text("billing_last_name", func(d *draft) *string { return &d.enc.BillingProvider.LastName }),
		text("billing_first_name", func(d *draft) *string { return &d.enc.BillingProvider.FirstName }),
		text("billing_taxonomy", func(d *draft) *string { return &d.enc.BillingProvider.Taxonomy }),
		text("billing_tin", func(d *draft) *string { return &d.enc.BillingProvider.TIN }),
		text("billing_tin_type", func(d *draft) *string { return &d.enc.BillingProvider.TINType }),
		text("billing_address1", func(d *draft) *string { return &d.billingAddr.Line1 }),
		text("billing_address2", func(d *draft) *string { return &d.billingAddr.Line2 }),
		text("billing_city", func(d *draft) *string { return &d.billingAddr.City }),
		text("billing_state", func(d *draft) *string { return &d.billingAddr.State }),
		text("billing_zip", func(d *draft) *string { return &d.billingAddr.ZIP }),
		text("billing_contact_name", func(d *draft) *string { return &d.enc.BillingProvider.ContactName }),
		text("billing_phone", func(d *draft) *string { return &d.enc.BillingProvider.Phone }),

		text("rendering_npi", func(d *draft) *string { return &d.rendering.NPI }),
		text("rendering_last_name", func(d *draft) *string { return &d.rendering.LastName }),
		text("rendering_first_name", func(d *draft) *string { return &d.rendering.FirstName }),
		text("rendering_taxonomy", func(d *draft) *string { return &d.rendering.Taxonomy }),
		text("referring_npi", func(d *draft) *string { return &d.referring.NPI }),
		text("referring_last_name", func(d *draft) *string { return &d.referring.LastName }),
		text("referring_first_name", func(d *draft) *string { return &d.referring.FirstName }),

		text("facility_name", func(d *draft) *string { return &d.facility.Name }),
		text("facility_npi", func(d *draft) *string { return &d.facility.NPI }),
		text("facility_address1", func(d *draft) *string { return &d.facility.Address.Line1 }),
		text("facility_address2", func(d *draft) *string { return &d.facility.Address.Line2 }),
		text("facility_city", func(d *draft) *string { return &d.facility.Address.City }),
		text("facility_state", func(d *draft) *string { return &d.facility.Address.State }),
		text("facility_zip", func(d *draft) *string { return &d.facility.Address.ZIP }),

		text("facility_type", func(d *draft) *string { return &d.inst.FacilityType }),
		date("statement_from", func(d *draft) *x12.Date { return &d.inst.StatementFrom }),
		date("statement_to", func(d *draft) *x12.Date { return &d.inst.StatementTo }),
		date("admission_date", func(d *draft) *x12.Date { return &d.inst.AdmissionDate }),
		text("admission_type", func(d *draft) *string { return &d.inst.AdmissionType }),
		text("admission_source", func(d *draft) *string { return &d.inst.AdmissionSource }),
		text("patient_status", func(d *draft) *string { return &d.inst.PatientStatus }),
		text("admitting_diagnosis", func(d *draft) *string { return &d.inst.AdmittingDiagnosis }),
		list("reason_for_visit", func(d *draft) *[]string { return &d.inst.ReasonForVisit }),
		text("principal_procedure", func(d *draft) *string { return &d.inst.PrincipalProcedure }),
		date("principal_procedure_date", func(d *draft) *x12.Date { return &d.inst.PrincipalProcedureDate }),
		list("condition_codes", func(d *draft) *[]string { return &d.inst.ConditionCodes }),
		text("attending_npi", func(d *draft) *string { return &d.attending.NPI }),
		text("attending_last_name", func(d *draft) *string { return &d.attending.LastName }),
		text("attending_first_name", func(d *draft) *string { return &d.attending.FirstName }),
		text("attending_taxonomy", func(d *draft) *string { return &d.attending.Taxonomy }),
	)
	cols = append(cols, inpatientColumns()...)
	cols = append(cols,

		lineText("line_procedure", func(l *x837.Line) *string { return &l.Procedure }),
		column{name: "line_modifiers", line: true, set: func(_ *draft, l *x837.Line, v string) error {
			parts, err := splitList(v)
			l.Modifiers = parts
			return err
		}},
		lineText("line_description", func(l *x837.Line) *string { return &l.Description }),
		lineText("line_revenue_code", func(l *x837.Line) *string { return &l.RevenueCode }),
		required(lineAmount("line_charge", func(l *x837.Line) *x12.Amount { return &l.Charge })),
		required(lineText("line_units", func(l *x837.Line) *string { return &l.Units })),
		lineText("line_unit_basis", func(l *x837.Line) *string { return &l.UnitBasis }),
		required(lineDate("line_service_date", func(l *x837.Line) *x12.Date { return &l.ServiceDate })),
		lineDate("line_service_date_end", func(l *x837.Line) *x12.Date { return &l.ServiceDateEnd }),
		column{name: "line_dx_pointers", line: true, set: func(_ *draft, l *x837.Line, v string) error {
			parts, err := splitList(v)
			if err != nil {
				return err
			}
			for i, p := range parts {
				n, err := strconv.Atoi(p)
				if err != nil || n < 0 || n > 99 {
					return fmt.Errorf("item %d is not a diagnosis position such as 1: %w", i+1, ErrBadValue)
				}
				l.DiagnosisPointers = append(l.DiagnosisPointers, n)
			}
			return nil
		}},
		lineText("line_place_of_service", func(l *x837.Line) *string { return &l.PlaceOfService }),
		lineAmount("line_non_covered_charge", func(l *x837.Line) *x12.Amount { return &l.NonCoveredCharge }),
	)
	cols = append(cols, extraColumns()...)
	cols = append(cols, otherCoverageColumns()...)
	return cols
}

// columnError is a problem with one column's value.
type columnError struct {
	column string
	err    error
}

func (e *columnError) Error() string { return e.column + ": " + e.err.Error() }
func (e *columnError) Unwrap() error { return e.err }

// finish assembles the encounter from the draft: the relationship decides
// whether the patient columns describe the subscriber (18 or empty) or a
// dependent patient; optional parties are set only when one of their
// columns has a value.
func (d *draft) finish() (*pipeline.Encounter, error) {
	enc := d.enc
	last := 0
	for i, dx := range d.dx {
		if dx == "" {
			continue
		}
		if last < i {
			return nil, &columnError{"dx" + strconv.Itoa(last+1),
				fmt.Errorf("empty while dx%d has a code: %w", i+1, ErrInconsistent)}
		}
		enc.Diagnoses = append(enc.Diagnoses, dx)
		last = i + 1
	}
	if d.patientAddr != (x837.Address{}) {
		d.patient.Address = &d.patientAddr
	}
	if d.subAddr != (x837.Address{}) {
		d.subscriber.Address = &d.subAddr
	}
	switch d.relationship {
	case "", "18":
		if !isZeroPerson(d.subscriber) {
			return nil, &columnError{"relationship",
				fmt.Errorf("the patient is the subscriber (18), so the subscriber_* columns must be empty: %w", ErrInconsistent)}
		}
		enc.Subscriber.Person = d.patient
	default:
		enc.Subscriber.Person = d.subscriber
		enc.Patient = &x837.Patient{Person: d.patient, Relationship: d.relationship}
	}
	if d.billingAddr != (x837.Address{}) {
		enc.BillingProvider.Address = &d.billingAddr
	}
	if d.rendering != (x837.Provider{}) {
		enc.RenderingProvider = &d.rendering
	}
	if d.referring != (x837.Provider{}) {
		enc.ReferringProvider = &d.referring
	}
	if d.facility != (x837.Facility{}) {
		enc.ServiceFacility = &d.facility
	}
	if d.attending != (x837.Provider{}) {
		d.inst.AttendingProvider = &d.attending
	}
	d.finishInpatient()
	if !isZeroInst(&d.inst) {
		enc.Institutional = &d.inst
	}
	d.finishOther(&enc.Claim)
	return &enc, nil
}

func isZeroPerson(p x837.Person) bool {
	return p.LastName == "" && p.FirstName == "" && p.MiddleName == "" && p.Suffix == "" &&
		p.BirthDate.IsZero() && p.Gender == "" && p.Address == nil
}

func isZeroInst(in *x837.InstitutionalInfo) bool {
	return in.FacilityType == "" && in.StatementFrom.IsZero() && in.StatementTo.IsZero() &&
		in.AdmissionDate.IsZero() && in.AdmissionType == "" && in.AdmissionSource == "" &&
		in.PatientStatus == "" && in.AdmittingDiagnosis == "" && len(in.ReasonForVisit) == 0 &&
		in.PrincipalProcedure == "" && in.PrincipalProcedureDate.IsZero() &&
		len(in.ConditionCodes) == 0 && in.AttendingProvider == nil && isZeroInpatient(in)
}
