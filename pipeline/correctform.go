package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// FormField is one field of the correction form: an encounter field
// path, its label and group, and its value in the current version, as
// text SetField takes.
type FormField struct {
	Path  string `json:"path"`
	Label string `json:"label"`
	Group string `json:"group"`
	Value string `json:"value"`
	// Hint says what the value looks like ("2026-09-14", "25, 59").
	Hint string `json:"hint,omitempty"`
}

// CorrectionForm is the correction form of a claim: the fields that
// most often cause rejections, with their current values. Other fields
// are corrected by path (claims claim correct --set).
type CorrectionForm struct {
	ClaimID int64       `json:"claim_id"`
	Version int         `json:"version"`
	State   ClaimState  `json:"state"`
	Fields  []FormField `json:"fields"`
}

// CorrectionForm returns the correction form of a claim's current
// version, or ErrNotFound.
func (p *Pipeline) CorrectionForm(ctx context.Context, id int64) (*CorrectionForm, error) {
	var c *Claim
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.GetClaim(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d: %w", id, err)
	}
	return &CorrectionForm{ClaimID: c.ID, Version: c.Version, State: c.State, Fields: formFields(&c.Data)}, nil
}

func formFields(d *x837.Claim) []FormField {
	var fs []FormField
	add := func(group, label, path, value, hint string) {
		fs = append(fs, FormField{Path: path, Label: label, Group: group, Value: value, Hint: hint})
	}
	date := x12.Date.String // "" for no date
	const dateHint = "YYYY-MM-DD"
	sub := d.Subscriber
	add("Subscriber", "Member ID", "subscriber.member_id", sub.MemberID, "")
	add("Subscriber", "Last name", "subscriber.last_name", sub.LastName, "")
	add("Subscriber", "First name", "subscriber.first_name", sub.FirstName, "")
	add("Subscriber", "Birth date", "subscriber.birth_date", date(sub.BirthDate), dateHint)
	add("Subscriber", "Group number", "subscriber.group_number", sub.GroupNumber, "")
	if pt := d.Patient; pt != nil {
		add("Patient", "Last name", "patient.last_name", pt.LastName, "")
		add("Patient", "First name", "patient.first_name", pt.FirstName, "")
		add("Patient", "Birth date", "patient.birth_date", date(pt.BirthDate), dateHint)
	}
	add("Payer", "Payer ID", "payer.id", d.Payer.ID, "")
	add("Payer", "Payer name", "payer.name", d.Payer.Name, "")
	add("Providers", "Billing NPI", "billing_provider.npi", d.BillingProvider.NPI, "10 digits")
	if d.RenderingProvider != nil {
		add("Providers", "Rendering NPI", "rendering_provider.npi", d.RenderingProvider.NPI, "10 digits")
	}
	if d.ReferringProvider != nil {
		add("Providers", "Referring NPI", "referring_provider.npi", d.ReferringProvider.NPI, "10 digits")
	}
	if in := d.Institutional; in != nil {
		if in.AttendingProvider != nil {
			add("Providers", "Attending NPI", "institutional.attending_provider.npi", in.AttendingProvider.NPI, "10 digits")
		}
		add("Claim", "Statement from", "institutional.statement_from", date(in.StatementFrom), dateHint)
		add("Claim", "Statement to", "institutional.statement_to", date(in.StatementTo), dateHint)
		if x837.IsInpatient(in.FacilityType) {
			add("Inpatient stay", "Admission date", "institutional.admission_date", date(in.AdmissionDate), dateHint)
			add("Inpatient stay", "Admission hour", "institutional.admission_hour", in.AdmissionHour, "HHMM, 24-hour clock")
			add("Inpatient stay", "Discharge hour", "institutional.discharge_hour", in.DischargeHour, "HHMM; final claims (xx1, xx4)")
			add("Inpatient stay", "Admission type", "institutional.admission_type", in.AdmissionType, "NUBC, one digit")
			add("Inpatient stay", "Admission source", "institutional.admission_source", in.AdmissionSource, "NUBC, one character")
			add("Inpatient stay", "Admitting diagnosis", "institutional.admitting_diagnosis", in.AdmittingDiagnosis, "ICD-10-CM")
		}
	}
	add("Claim", "Diagnoses", "diagnoses", strings.Join(d.Diagnoses, ", "), "ICD-10-CM, principal first, comma-separated")
	add("Claim", "Prior authorization", "prior_authorization", d.PriorAuthorization, "")
	add("Claim", "Total charge", "total_charge", d.TotalCharge.String(), "follows the line charges unless changed")
	for i, l := range d.Lines {
		g := fmt.Sprintf("Line %d", i+1)
		at := fmt.Sprintf("lines[%d].", i)
		if d.Kind == x837.Institutional {
			add(g, "Revenue code", at+"revenue_code", l.RevenueCode, "")
		}
		add(g, "Procedure", at+"procedure", l.Procedure, "CPT/HCPCS")
		add(g, "Modifiers", at+"modifiers", strings.Join(l.Modifiers, ", "), "comma-separated")
		add(g, "Units", at+"units", l.Units, "")
		add(g, "Charge", at+"charge", l.Charge.String(), "")
		add(g, "Service date", at+"service_date", date(l.ServiceDate), dateHint)
		add(g, "Diagnosis pointers", at+"diagnosis_pointers", joinInts(l.DiagnosisPointers), "1-4, comma-separated")
	}
	return fs
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// Changes returns the settings that take the form's values to those
// submitted: only the fields of the form whose submitted value differs,
// trimmed. When a line charge changes and the total charge is left as
// it was, the total follows the lines.
func (f *CorrectionForm) Changes(values map[string]string) ([]FieldSet, error) {
	var sets []FieldSet
	var total *FormField
	lineCharge := false
	charges := map[string]string{}
	for i := range f.Fields {
		fld := &f.Fields[i]
		v, ok := values[fld.Path]
		if strings.HasSuffix(fld.Path, "].charge") {
			charges[fld.Path] = fld.Value
			if ok {
				charges[fld.Path] = strings.TrimSpace(v)
			}
		}
		if fld.Path == "total_charge" {
			total = fld
		}
		if !ok || strings.TrimSpace(v) == fld.Value {
			continue
		}
		if strings.HasSuffix(fld.Path, "].charge") {
			lineCharge = true
		}
		sets = append(sets, FieldSet{Path: fld.Path, Value: strings.TrimSpace(v)})
	}
	if !lineCharge || total == nil || changedPath(sets, "total_charge") {
		return sets, nil
	}
	var sum x12.Amount
	for path, v := range charges {
		a, err := x12.ParseAmount([]byte(v))
		if err != nil {
			return nil, &FieldError{Path: path, Err: err}
		}
		sum += a
	}
	return append(sets, FieldSet{Path: "total_charge", Value: sum.String()}), nil
}

func changedPath(sets []FieldSet, path string) bool {
	for _, s := range sets {
		if s.Path == path {
			return true
		}
	}
	return false
}
