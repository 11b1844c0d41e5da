package encounters

import (
	"errors"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

const otherCoverageJSON = `"other_coverage":[{"responsibility":"S","relationship":"01","group_number":"G9","filing_indicator":"CI",` +
	`"subscriber":{"last_name":"Doe","first_name":"Sam","birth_date":"1969-02-03","gender":"M","member_id":"W77"},` +
	`"payer":{"name":"Second Plan","id":"SP2"},` +
	`"adjudication":{"paid":"100.00","date":"2026-09-20","adjustments":[{"group":"CO","reason":"45","amount":"60.00"}]}}]`

func TestJSONLOtherCoverage(t *testing.T) {
	line := replace(t, `"frequency":"1"`, `"frequency":"1",`+otherCoverageJSON)
	rs := collect(t, NewJSONL("t.jsonl", strings.NewReader(line+"\n")))
	if len(rs) != 1 || rs[0].err != nil {
		t.Fatalf("got %v", summaries(rs))
	}
	got := rs[0].enc.OtherCoverage
	want := x837.OtherCoverage{Responsibility: "S", Relationship: "01", GroupNumber: "G9", FilingIndicator: "CI",
		Subscriber: x837.OtherSubscriber{Person: x837.Person{LastName: "Doe", FirstName: "Sam", BirthDate: x12.Date{Year: 1969, Month: 2, Day: 3}, Gender: "M"}, MemberID: "W77"},
		Payer:      x837.OtherPayer{Name: "Second Plan", ID: "SP2"}}
	if len(got) != 1 || got[0].Adjudication == nil || got[0].Adjudication.Paid != x12.MustAmount("100") {
		t.Fatalf("other coverage %+v", got)
	}
	got[0].Adjudication = nil
	if g, w := got[0], want; g.Responsibility != w.Responsibility || g.Relationship != w.Relationship || g.Subscriber.MemberID != w.Subscriber.MemberID ||
		g.Subscriber.BirthDate != w.Subscriber.BirthDate || g.Payer != w.Payer || g.FilingIndicator != w.FilingIndicator {
		t.Errorf("got %+v\nwant %+v", g, w)
	}
}

func TestJSONLOtherCoverageBadFields(t *testing.T) {
	base := replace(t, `"frequency":"1"`, `"frequency":"1",`+otherCoverageJSON)
	for _, tc := range []struct {
		name, old, new, field string
		cause                 error
	}{
		{"unknown key", `"group_number":"G9"`, `"group_numbr":"G9"`, "other_coverage[0].group_numbr", ErrUnknownField},
		{"paid as a number", `"paid":"100.00"`, `"paid":100`, "other_coverage[0].adjudication.paid", ErrWrongType},
		{"CAS amount with three decimals", `"amount":"60.00"`, `"amount":"60.001"`, "other_coverage[0].adjudication.adjustments[0].amount", x12.ErrBadAmount},
		{"subscriber birth date", `"birth_date":"1969-02-03"`, `"birth_date":"1969-02-30"`, "other_coverage[0].subscriber.birth_date", x12.ErrBadDate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("%q not in the line", tc.old)
			}
			line := strings.Replace(base, tc.old, tc.new, 1)
			rs := collect(t, NewJSONL("t.jsonl", strings.NewReader(line+"\n")))
			var re *pipeline.RecordError
			if len(rs) != 1 || !errors.As(rs[0].err, &re) {
				t.Fatalf("got %v, want one record error", summaries(rs))
			}
			if re.Field != tc.field || !errors.Is(re, tc.cause) {
				t.Errorf("field %q (%v), want %q (%v)", re.Field, re.Err, tc.field, tc.cause)
			}
		})
	}
}

func TestCSVOtherCoverage(t *testing.T) {
	cols := []string{"other_relationship", "other_filing_indicator", "other_subscriber_last_name", "other_subscriber_first_name",
		"other_subscriber_birth_date", "other_member_id", "other_payer_name", "other_payer_id"}
	vals := []string{"01", "CI", "Doe", "Sam", "1969-02-03", "W77", "Second Plan", "SP2"}
	header := strings.TrimSuffix(csvHeader(), "\n") + "," + strings.Join(cols, ",") + "\n"
	row := func(r string) string { return strings.TrimSuffix(r, "\n") + "," + strings.Join(vals, ",") + "\n" }
	plain := func(r string) string { return strings.TrimSuffix(r, "\n") + strings.Repeat(",", len(cols)) + "\n" }
	in := header + row(csvRow(t, "E1")) + row(secondLine(t, "E1")) + plain(csvRow(t, "E2")) + plain(secondLine(t, "E2"))
	rs := readCSV(t, in)
	if len(rs) != 2 || rs[0].err != nil || rs[1].err != nil {
		t.Fatalf("got %v", summaries(rs))
	}
	oc := rs[0].enc.OtherCoverage
	if len(oc) != 1 || oc[0].Responsibility != "S" || oc[0].Relationship != "01" || oc[0].Subscriber.MemberID != "W77" ||
		oc[0].Payer.ID != "SP2" || oc[0].Subscriber.BirthDate != (x12.Date{Year: 1969, Month: 2, Day: 3}) || oc[0].Subscriber.Address != nil {
		t.Errorf("E1 other coverage %+v", oc)
	}
	if len(rs[1].enc.OtherCoverage) != 0 {
		t.Errorf("E2 has other coverage %+v, want none", rs[1].enc.OtherCoverage)
	}
	bad := header + strings.Replace(row(csvRow(t, "E3")), "1969-02-03", "02/03/1969", 1) + row(secondLine(t, "E3"))
	rs = readCSV(t, bad)
	var re *pipeline.RecordError
	if len(rs) != 1 || !errors.As(rs[0].err, &re) || !strings.Contains(re.Field, "other_subscriber_birth_date") {
		t.Errorf("bad birth date: %v", summaries(rs))
	}
}
