package encounters

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCSVExtraColumns(t *testing.T) {
	header := "encounter_id,total_charge,dx1,patient_last_name,member_id,payer_name,payer_id,billing_npi," +
		"related_causes,auto_accident_state,accident_date,delay_reason,referral_number,clia_number,patient_paid," +
		"initial_treatment_date,last_seen_date,disability_from,disability_to,note_code,note_text," +
		"attachment_report_type,attachment_transmission,attachment_control_number,supervising_npi,supervising_last_name,supervising_first_name," +
		"line_procedure,line_charge,line_units,line_service_date,line_dx_pointers,line_ndc,line_ndc_quantity,line_ndc_unit,line_prescription_number," +
		"line_clia_number,line_note_code,line_note_text,line_attachment_report_type,line_attachment_transmission,line_attachment_control_number," +
		"line_emergency,line_epsdt,line_family_planning,line_rendering_npi,line_rendering_last_name,line_rendering_first_name,line_rendering_taxonomy," +
		"line_ordering_npi,line_ordering_last_name,line_ordering_first_name,line_supervising_npi,line_supervising_last_name,line_supervising_first_name\n"
	enc := "E1,160.00,S13.4XXA,Doe,M1,Payer,P1,1234567893," +
		"AA:EM,IL,2026-09-01,7,R55,14D0987654,20.00," +
		"2026-09-02,2026-09-03,2026-09-01,2026-09-30,ADD,SEEN AFTER ACCIDENT," +
		"OZ,FX,ATT1,1556677882,Abernathy,Claire,"
	rows := header +
		enc + "J1885,135.00,2,2026-09-02,1,00409-3795-01,2,ML,RX1,,DCP,NECK PAIN,RR,EL,ATT2,y,N,N,1667788990,Mbeki,Thando,2085R0202X,,,,,,\n" +
		enc + "85025,25.00,1,2026-09-02,1,,,,,14D0123456,,,,,,,,,,,,,1778899009,Fontaine,Luc,1889900118,Oduya,Kemi\n"
	rs := readCSV(t, rows)
	if len(rs) != 1 || rs[0].enc == nil {
		t.Fatalf("got %v", summaries(rs))
	}
	got, _ := json.Marshal(rs[0].enc.Claim)
	for _, want := range []string{
		`"related_causes":["AA","EM"]`, `"auto_accident_state":"IL"`, `"accident_date":"2026-09-01"`, `"delay_reason":"7"`,
		`"referral_number":"R55"`, `"clia_number":"14D0987654"`, `"patient_paid":"20.00"`,
		`"initial_treatment_date":"2026-09-02"`, `"last_seen_date":"2026-09-03"`, `"disability_from":"2026-09-01"`, `"disability_to":"2026-09-30"`,
		`"note":{"code":"ADD","text":"SEEN AFTER ACCIDENT"}`,
		`"attachments":[{"report_type":"OZ","transmission":"FX","control_number":"ATT1"}]`,
		`"supervising_provider":{"npi":"1556677882","last_name":"Abernathy","first_name":"Claire"}`,
		`"drug":{"ndc":"00409-3795-01","quantity":"2","unit":"ML","prescription_number":"RX1"}`,
		`"note":{"code":"DCP","text":"NECK PAIN"}`,
		`"attachments":[{"report_type":"RR","transmission":"EL","control_number":"ATT2"}]`,
		`"emergency":true`,
		`"rendering_provider":{"npi":"1667788990","last_name":"Mbeki","first_name":"Thando","taxonomy":"2085R0202X"}`,
		`"clia_number":"14D0123456"`,
		`"ordering_provider":{"npi":"1778899009","last_name":"Fontaine","first_name":"Luc"}`,
		`"supervising_provider":{"npi":"1889900118","last_name":"Oduya","first_name":"Kemi"}`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	l := rs[0].enc.Lines
	if l[0].EPSDT || l[0].FamilyPlanning || l[1].Drug != nil || l[1].Note != nil || l[0].OrderingProvider != nil {
		t.Errorf("empty or N columns set fields: %+v", l)
	}
}

func TestCSVExtraColumnErrors(t *testing.T) {
	header := "encounter_id,total_charge,dx1,patient_last_name,member_id,payer_name,payer_id,billing_npi,line_charge,line_units,line_service_date,"
	for _, tc := range []struct {
		col, val, field string
		err             error
	}{
		{"line_epsdt", "yes", "line_epsdt", ErrBadValue},
		{"patient_paid", "12.345", "patient_paid", nil},
		{"accident_date", "09/01/2026", "accident_date", nil},
		{"related_causes", "AA::EM", "related_causes", ErrBadValue},
	} {
		t.Run(tc.col, func(t *testing.T) {
			in := header + tc.col + "\nE1,25.00,I10,Doe,M1,Payer,P1,1234567893,25.00,1,2026-09-02," + tc.val + "\n"
			rs := readCSV(t, in)
			if got := summaries(rs); len(got) != 1 || got[0] != "err line 2 E1 "+tc.field {
				t.Fatalf("got %v, want a record error on %s", got, tc.field)
			}
			if tc.err != nil && !errors.Is(rs[0].err, tc.err) {
				t.Errorf("error %v is not %v", rs[0].err, tc.err)
			}
		})
	}
}
