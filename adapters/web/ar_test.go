package web_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestARCSV: the aging as CSV, with snake_case columns and exact
// amounts.
func TestARCSV(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn(managerUser)
	r := c.get("/ar.csv")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q, want text/csv", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="ar-aging-2026-11-20.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.Body)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	for _, col := range rows[0] {
		if !snake.MatchString(col) {
			t.Errorf("column %q is not snake_case", col)
		}
	}
	// The rejected claim (120.50) and the accepted one (2,500.00) are
	// owed by the payer; the paid claim's patient share (34.56) by the
	// patient; all sent today. The unapplied 250.00 belongs to no claim.
	want := [][]string{
		{"payer_id", "payer_name", "days_0_30", "days_31_60", "days_61_90", "days_91_120", "days_over_120", "total"},
		{"PAYER01", "Test Payer", "2620.50", "0.00", "0.00", "0.00", "0.00", "2620.50"},
		{"", "Patient responsibility", "34.56", "0.00", "0.00", "0.00", "0.00", "34.56"},
		{"", "Total", "2655.06", "0.00", "0.00", "0.00", "0.00", "2655.06"},
	}
	if got, w := strings.Join(flat(rows), "|"), strings.Join(flat(want), "|"); got != w {
		t.Errorf("ar.csv:\n%s\nwant:\n%q", r.Body, want)
	}
	// The same as the page and the pipeline.
	a, err := e.P.ARAging(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if a.Total.Total.String() != "2655.06" {
		t.Errorf("the pipeline's AR total is %s", a.Total.Total)
	}
	page := c.get("/ar").Body
	for _, s := range []string{"2,620.50", "34.56", "2,655.06", "Patients (their share)", "250.00"} {
		if !strings.Contains(page, s) {
			t.Errorf("the AR page lacks %q", s)
		}
	}

	// Amounts over a month move buckets; 61 days on, all of it is in
	// 61–90.
	e.Clock.Advance(61 * 24 * time.Hour)
	c = e.signedIn(managerUser)
	rows, err = csv.NewReader(strings.NewReader(c.get("/ar.csv").Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[len(rows)-1], ","); got != ",Total,0.00,0.00,2655.06,0.00,0.00,2655.06" {
		t.Errorf("total row 61 days later: %s", got)
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}
