package encounters

import (
	"fmt"
	"strings"

	"github.com/x12claims/claims/x12/x837"
)

// The CSV columns of the 837I inpatient and coding data. A coded list
// is colon-separated items; an item with a date or amount is CODE=VALUE:
//
//	present_on_admission  Y:N:U:W:1        (one per diagnosis, dx order; empty item not allowed)
//	other_procedures      0QB70ZZ=2026-01-13:3E0336Z=2026-01-12
//	occurrences           01=2026-01-12:11=2026-01-12
//	occurrence_spans      74=2026-01-14/2026-01-16
//	value_codes           80=4:A1=1676.00
func inpatientColumns() []column {
	inst := func(d *draft) *x837.InstitutionalInfo { return &d.inst }
	return []column{
		text("admission_hour", func(d *draft) *string { return &inst(d).AdmissionHour }),
		text("discharge_hour", func(d *draft) *string { return &inst(d).DischargeHour }),
		list("present_on_admission", func(d *draft) *[]string { return &inst(d).PresentOnAdmission }),
		text("drg", func(d *draft) *string { return &inst(d).DRG }),
		pairs("other_procedures", func(d *draft, code, v string) error {
			p := x837.CodeDate{Code: code}
			err := parseDate(&p.Date, v)
			inst(d).OtherProcedures = append(inst(d).OtherProcedures, p)
			return err
		}),
		pairs("occurrences", func(d *draft, code, v string) error {
			o := x837.CodeDate{Code: code}
			err := parseDate(&o.Date, v)
			inst(d).Occurrences = append(inst(d).Occurrences, o)
			return err
		}),
		pairs("occurrence_spans", func(d *draft, code, v string) error {
			s := x837.CodeSpan{Code: code}
			from, to, ok := strings.Cut(v, "/")
			if !ok {
				return fmt.Errorf("want CODE=YYYY-MM-DD/YYYY-MM-DD: %w", ErrBadValue)
			}
			if err := parseDate(&s.From, from); err != nil {
				return err
			}
			err := parseDate(&s.To, to)
			inst(d).OccurrenceSpans = append(inst(d).OccurrenceSpans, s)
			return err
		}),
		pairs("value_codes", func(d *draft, code, v string) error {
			vc := x837.ValueCode{Code: code}
			err := parseAmount(&vc.Amount, v)
			inst(d).ValueCodes = append(inst(d).ValueCodes, vc)
			return err
		}),
		text("operating_npi", func(d *draft) *string { return &d.operating.NPI }),
		text("operating_last_name", func(d *draft) *string { return &d.operating.LastName }),
		text("operating_first_name", func(d *draft) *string { return &d.operating.FirstName }),
		text("other_operating_npi", func(d *draft) *string { return &d.otherOperating.NPI }),
		text("other_operating_last_name", func(d *draft) *string { return &d.otherOperating.LastName }),
		text("other_operating_first_name", func(d *draft) *string { return &d.otherOperating.FirstName }),
	}
}

// pairs is a column of colon-separated CODE=VALUE items; add stores one.
func pairs(name string, add func(d *draft, code, v string) error) column {
	return column{name: name, set: func(d *draft, _ *x837.Line, v string) error {
		items, err := splitList(v)
		if err != nil {
			return err
		}
		for i, it := range items {
			code, val, ok := strings.Cut(it, "=")
			if !ok || strings.TrimSpace(code) == "" {
				return fmt.Errorf("item %d is not CODE=VALUE: %w", i+1, ErrBadValue)
			}
			if err := add(d, strings.TrimSpace(code), strings.TrimSpace(val)); err != nil {
				return fmt.Errorf("item %d: %w", i+1, err)
			}
		}
		return nil
	}}
}

// finishInpatient sets the operating physicians when a column gave them.
func (d *draft) finishInpatient() {
	if d.operating != (x837.Provider{}) {
		d.inst.OperatingPhysician = &d.operating
	}
	if d.otherOperating != (x837.Provider{}) {
		d.inst.OtherOperatingPhysician = &d.otherOperating
	}
}

// isZeroInpatient reports whether none of the inpatient columns was
// given.
func isZeroInpatient(in *x837.InstitutionalInfo) bool {
	return in.AdmissionHour == "" && in.DischargeHour == "" && len(in.PresentOnAdmission) == 0 && in.DRG == "" &&
		len(in.OtherProcedures) == 0 && len(in.Occurrences) == 0 && len(in.OccurrenceSpans) == 0 && len(in.ValueCodes) == 0 &&
		in.OperatingPhysician == nil && in.OtherOperatingPhysician == nil
}
