package pipeline_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

func date(y int, m time.Month, d int) x12.Date { return x12.Date{Year: y, Month: m, Day: d} }

func TestTimelyFiling(t *testing.T) {
	tf := pipeline.TimelyFiling{DefaultDays: 120, Payers: map[string]int{"FAST": 30, "SLOW": 365}}
	tests := []struct {
		name    string
		tf      pipeline.TimelyFiling
		payer   string
		service x12.Date
		days    int
		want    x12.Date
	}{
		{"the default when none is set", pipeline.TimelyFiling{}, "ANY", date(2026, 11, 2), pipeline.DefaultTimelyFilingDays, date(2027, 1, 31)},
		{"a configured default", tf, "ANY", date(2026, 11, 2), 120, date(2027, 3, 2)},
		{"a payer's own limit", tf, "FAST", date(2026, 11, 2), 30, date(2026, 12, 2)},
		{"a long payer limit over a leap day", tf, "SLOW", date(2027, 3, 1), 365, date(2028, 2, 29)},
		{"a payer's limit without a default", pipeline.TimelyFiling{Payers: map[string]int{"FAST": 30}}, "FAST", date(2026, 1, 31), 30, date(2026, 3, 2)},
		{"no service date, no deadline", tf, "FAST", x12.Date{}, 30, x12.Date{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tf.Days(tt.payer); got != tt.days {
				t.Errorf("Days(%s) = %d, want %d", tt.payer, got, tt.days)
			}
			if got := tt.tf.Deadline(tt.payer, tt.service); got != tt.want {
				t.Errorf("Deadline(%s, %v) = %v, want %v", tt.payer, tt.service, got, tt.want)
			}
		})
	}
}

func TestTimelyFilingRefusedByNew(t *testing.T) {
	tests := []struct {
		name string
		tf   pipeline.TimelyFiling
		ok   bool
	}{
		{"zero value", pipeline.TimelyFiling{}, true},
		{"positive days", pipeline.TimelyFiling{DefaultDays: 1, Payers: map[string]int{"P": 1}}, true},
		{"negative default", pipeline.TimelyFiling{DefaultDays: -1}, false},
		{"zero days for a payer", pipeline.TimelyFiling{Payers: map[string]int{"P": 0}}, false},
		{"negative days for a payer", pipeline.TimelyFiling{DefaultDays: 90, Payers: map[string]int{"OK": 10, "P": -30}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pipeline.New(pipeline.Options{Store: openStore(t), Dir: t.TempDir(), TimelyFiling: tt.tf,
				Partners: []*pipeline.Partner{{Name: "sim", Transport: pipelinetest.NewMemTransport(), SenderID: "US", ReceiverID: "CH"}}})
			if (err == nil) != tt.ok {
				t.Errorf("New = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "timely filing") {
				t.Errorf("error %q does not say what is wrong", err)
			}
		})
	}
}

// worklistFixture is a work queue over three submitted claims:
//
//	W1 payer PAYER01 (90 days), served 2026-11-02: deadline 2027-01-31
//	W2 payer FAST (30 days), served 2026-11-02, patient not the subscriber: 2026-12-02
//	W3 payer PAYER01, served 2026-08-01 and -05: deadline 2026-10-30, past
//
// with the items below (by creation order, so by ID), on 2026-11-20.
type worklistFixture struct {
	h     *pipelinetest.Harness
	items map[string]*pipeline.WorkItem
	names map[int64]string
}

func newWorklistFixture(t *testing.T) *worklistFixture {
	t.Helper()
	h := newHarness(t, func(o *pipeline.Options) {
		o.TimelyFiling = pipeline.TimelyFiling{Payers: map[string]int{"FAST": 30}}
	})
	w1 := pipelinetest.Encounter("W1", "100.00")
	w2 := pipelinetest.Encounter("W2", "60.00", "15.00")
	w2.Payer = x837.Payer{Name: "Fast Health", ID: "FAST", FilingIndicator: "CI"}
	w2.Patient = &x837.Patient{Person: x837.Person{LastName: " brannigan", FirstName: "nell", BirthDate: date(2015, 6, 2), Gender: "F",
		Address: &x837.Address{Line1: "48 Birch Lane", City: "Testville", State: "TX", ZIP: "75001"}}, Relationship: "19"}
	w3 := pipelinetest.Encounter("W3", "40.00", "25.00")
	w3.Subscriber.FirstName, w3.Subscriber.LastName = "Alma", "Quintero"
	w3.Lines[0].ServiceDate, w3.Lines[1].ServiceDate = date(2026, 8, 5), date(2026, 8, 1)
	cs := h.Submit(w1, w2, w3)
	if items := h.Work(""); len(items) != 0 {
		t.Fatalf("the submission opened work items: %+v", items)
	}
	now := h.Now
	ago := func(d int) time.Time { return now.AddDate(0, 0, -d) }
	type item struct {
		name string
		w    pipeline.WorkItem
	}
	defs := []item{
		{"transport", pipeline.WorkItem{Source: pipeline.SourceTransport, Code: "upload-failed", Summary: "upload of batch 9 failed",
			CreatedAt: ago(5)}},
		{"rejection", pipeline.WorkItem{Source: pipeline.Source277CA, Code: "A7:164:IL", Category: "eligibility", Summary: "rejected by the 277CA",
			ClaimID: cs["W1"].ID, PayerID: "PAYER01", Assignee: "ana", CreatedAt: ago(10),
			Reasons: []pipeline.Reason{{Code: "A7:164:IL", Text: "Acknowledgement/rejected for invalid information", Field: "subscriber.member_id"}}}},
		{"denial", pipeline.WorkItem{Source: pipeline.SourceDenial, Code: "CO-50", Category: "medical necessity", Summary: "denied by the payer",
			ClaimID: cs["W2"].ID, PayerID: "FAST", CreatedAt: ago(2),
			Reasons: []pipeline.Reason{{Code: "CO-50", Text: "Not deemed a medical necessity by the payer."}}}},
		{"scrubber", pipeline.WorkItem{Source: pipeline.SourceScrubber, Code: "npi", Category: "provider data", Summary: "held",
			ClaimID: cs["W3"].ID, PayerID: "PAYER01", Assignee: "bob", CreatedAt: ago(40),
			Reasons: []pipeline.Reason{{Code: "npi", Text: "the NPI fails its check digit", Field: "billing_provider.npi"}}}},
		{"unreadable", pipeline.WorkItem{Source: pipeline.SourceInboundBad, Code: "unreadable", Category: "envelope", Summary: "cannot read file 3",
			CreatedAt: ago(1)}},
		{"closed", pipeline.WorkItem{Source: pipeline.Source277CA, Code: "A6:164:IL", Category: "eligibility", Summary: "an old rejection",
			ClaimID: cs["W1"].ID, PayerID: "PAYER01", CreatedAt: ago(30)}},
	}
	f := &worklistFixture{h: h, items: map[string]*pipeline.WorkItem{}, names: map[int64]string{}}
	err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
		for _, d := range defs {
			w := d.w
			w.Key = "test:" + d.name
			if _, err := tx.OpenWorkItem(context.Background(), &w); err != nil {
				return err
			}
			f.items[d.name], f.names[w.ID] = &w, d.name
		}
		_, err := tx.CloseWorkItems(context.Background(), "test:closed", "ana", "fixed")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *worklistFixture) rowNames(rows []pipeline.WorklistRow) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, f.names[r.Item.ID])
	}
	return out
}

func TestWorklistRows(t *testing.T) {
	f := newWorklistFixture(t)
	wl, err := f.h.P.Worklist(context.Background(), pipeline.WorklistQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Soonest deadline first, a passed one first of all; items about no
	// claim last, by ID.
	if got, want := f.rowNames(wl.Rows), []string{"scrubber", "denial", "rejection", "transport", "unreadable"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if wl.Total != 5 || wl.Page != 1 || wl.Pages != 1 || wl.PageSize != 50 {
		t.Errorf("total %d, page %d of %d, size %d; want 5, 1 of 1, 50", wl.Total, wl.Page, wl.Pages, wl.PageSize)
	}
	type row struct {
		deadline        x12.Date
		daysLeft, age   int
		initials, payer string
		amount          string
		service         x12.Date
		headline        string
	}
	want := map[string]row{
		"scrubber": {date(2026, 10, 30), -21, 40, "A.Q.", "Test Payer", "65.00", date(2026, 8, 1),
			"the NPI fails its check digit (field billing_provider.npi)"},
		"denial":     {date(2026, 12, 2), 12, 2, "N.B.", "Fast Health", "75.00", date(2026, 11, 2), "Not deemed a medical necessity by the payer."},
		"rejection":  {date(2027, 1, 31), 72, 10, "P.D.", "Test Payer", "100.00", date(2026, 11, 2), "Insured or subscriber: contract or member number is not valid"},
		"transport":  {x12.Date{}, 0, 5, "", "", "0.00", x12.Date{}, "upload of batch 9 failed"},
		"unreadable": {x12.Date{}, 0, 1, "", "", "0.00", x12.Date{}, "cannot read file 3"},
	}
	for _, r := range wl.Rows {
		name := f.names[r.Item.ID]
		w := want[name]
		got := row{r.Deadline, r.DaysLeft, r.AgeDays, r.PatientInitials, r.PayerName, r.Amount.String(), r.ServiceDate, r.Headline}
		if got != w {
			t.Errorf("%s: %+v\nwant %+v", name, got, w)
		}
		if (r.Item.ClaimID != 0) != (r.ClaimState == pipeline.StateSubmitted) {
			t.Errorf("%s: claim state %q", name, r.ClaimState)
		}
	}
	wantGroups := []pipeline.WorkGroup{
		{Source: pipeline.Source277CA, Category: "eligibility", Label: "Claim rejections (277CA): eligibility", Count: 1},
		{Source: pipeline.SourceDenial, Category: "medical necessity", Label: "Denials (835): medical necessity", Count: 1},
		{Source: pipeline.SourceTransport, Label: "File transfer", Count: 1},
		{Source: pipeline.SourceScrubber, Category: "provider data", Label: "Held by the scrubber: provider data", Count: 1},
		{Source: pipeline.SourceInboundBad, Category: "envelope", Label: "Unreadable response files: envelope", Count: 1},
	}
	if !reflect.DeepEqual(wl.Groups, wantGroups) {
		t.Errorf("groups %+v\nwant %+v", wl.Groups, wantGroups)
	}
	wantPayers := []pipeline.Choice{{Value: "FAST", Label: "Fast Health FAST"}, {Value: "PAYER01", Label: "Test Payer PAYER01"}}
	if !reflect.DeepEqual(wl.Payers, wantPayers) {
		t.Errorf("payers %+v, want %+v", wl.Payers, wantPayers)
	}
	// The codes, sorted; each label starts with its code (the wording
	// after it is the label's own).
	var codes []string
	for _, c := range wl.Codes {
		codes = append(codes, c.Value)
		if !strings.HasPrefix(c.Label, c.Value) {
			t.Errorf("code %s labelled %q", c.Value, c.Label)
		}
	}
	if want := []string{"A7:164:IL", "CO-50", "npi", "unreadable", "upload-failed"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
	if !reflect.DeepEqual(wl.Assignees, []string{"ana", "bob"}) {
		t.Errorf("assignees %v, want ana, bob", wl.Assignees)
	}
}

func TestWorklistFilters(t *testing.T) {
	f := newWorklistFixture(t)
	tests := []struct {
		name   string
		q      pipeline.WorklistQuery
		rows   []string
		groups map[string]int // label: count
	}{
		{"by source", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Source: pipeline.Source277CA}}, []string{"rejection"}, nil},
		{"by category", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Category: "provider data"}}, []string{"scrubber"}, nil},
		{"by source and category", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Source: pipeline.SourceDenial, Category: "medical necessity"}},
			[]string{"denial"}, nil},
		{"by a source and another source's category", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Source: pipeline.SourceDenial, Category: "eligibility"}},
			[]string{}, nil},
		{"by payer", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{PayerID: "PAYER01"}}, []string{"scrubber", "rejection"},
			map[string]int{"Held by the scrubber: provider data": 1, "Claim rejections (277CA): eligibility": 1}},
		{"by payer and source: the groups still count the payer's other sources",
			pipeline.WorklistQuery{Filter: pipeline.WorkFilter{PayerID: "PAYER01", Source: pipeline.Source277CA}}, []string{"rejection"},
			map[string]int{"Held by the scrubber: provider data": 1, "Claim rejections (277CA): eligibility": 1}},
		{"by code", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Code: "CO-50"}}, []string{"denial"},
			map[string]int{"Denials (835): medical necessity": 1}},
		{"by assignee", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Assignee: "bob"}}, []string{"scrubber"},
			map[string]int{"Held by the scrubber: provider data": 1}},
		{"by age", pipeline.WorklistQuery{MinAgeDays: 7}, []string{"scrubber", "rejection"},
			map[string]int{"Held by the scrubber: provider data": 1, "Claim rejections (277CA): eligibility": 1}},
		{"by a younger age", pipeline.WorklistQuery{MinAgeDays: 3}, []string{"scrubber", "rejection", "transport"}, nil},
		{"by an age no item has", pipeline.WorklistQuery{MinAgeDays: 41}, []string{}, map[string]int{}},
		{"closed", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Status: pipeline.WorkClosed}}, []string{"closed"},
			map[string]int{"Claim rejections (277CA): eligibility": 1}},
		{"closed, by source", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Status: pipeline.WorkClosed, Source: pipeline.SourceDenial}},
			[]string{}, map[string]int{"Claim rejections (277CA): eligibility": 1}},
		{"the limit is ignored", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Limit: 1}},
			[]string{"scrubber", "denial", "rejection", "transport", "unreadable"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wl, err := f.h.P.Worklist(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.rowNames(wl.Rows); !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows %v, want %v", got, tt.rows)
			}
			if wl.Total != len(tt.rows) {
				t.Errorf("total %d, want %d", wl.Total, len(tt.rows))
			}
			if tt.groups != nil {
				got := map[string]int{}
				for _, g := range wl.Groups {
					got[g.Label] = g.Count
				}
				if !reflect.DeepEqual(got, tt.groups) {
					t.Errorf("groups %v, want %v", got, tt.groups)
				}
			}
		})
	}
	// The choices come from the items under the other filters.
	wl, err := f.h.P.Worklist(context.Background(), pipeline.WorklistQuery{Filter: pipeline.WorkFilter{PayerID: "FAST"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(wl.Payers) != 1 || wl.Payers[0].Value != "FAST" || len(wl.Codes) != 1 || wl.Codes[0].Value != "CO-50" || len(wl.Assignees) != 0 {
		t.Errorf("choices for payer FAST: %+v %+v %v", wl.Payers, wl.Codes, wl.Assignees)
	}
}

func TestWorklistBadQuery(t *testing.T) {
	f := newWorklistFixture(t)
	for _, q := range []pipeline.WorklistQuery{
		{Filter: pipeline.WorkFilter{Source: "bogus"}},
		{Filter: pipeline.WorkFilter{Source: "277CA"}},
		{Filter: pipeline.WorkFilter{Status: "all"}},
		{MinAgeDays: -1},
	} {
		wl, err := f.h.P.Worklist(context.Background(), q)
		if !errors.Is(err, pipeline.ErrInvalid) || wl != nil {
			t.Errorf("Worklist(%+v) = %v, %v; want ErrInvalid", q, wl, err)
		}
	}
}

func TestWorklistPages(t *testing.T) {
	f := newWorklistFixture(t)
	all := []string{"scrubber", "denial", "rejection", "transport", "unreadable"}
	tests := []struct {
		name              string
		q                 pipeline.WorklistQuery
		rows              []string
		page, pages, size int
	}{
		{"first page", pipeline.WorklistQuery{PageSize: 2, Page: 1}, all[0:2], 1, 3, 2},
		{"middle page", pipeline.WorklistQuery{PageSize: 2, Page: 2}, all[2:4], 2, 3, 2},
		{"last, short page", pipeline.WorklistQuery{PageSize: 2, Page: 3}, all[4:], 3, 3, 2},
		{"a page past the end is the last", pipeline.WorklistQuery{PageSize: 2, Page: 99}, all[4:], 3, 3, 2},
		{"page 0 is the first", pipeline.WorklistQuery{PageSize: 2}, all[0:2], 1, 3, 2},
		{"a negative page is the first", pipeline.WorklistQuery{PageSize: 2, Page: -3}, all[0:2], 1, 3, 2},
		{"a page that holds all exactly", pipeline.WorklistQuery{PageSize: 5, Page: 2}, all, 1, 1, 5},
		{"the default size", pipeline.WorklistQuery{Page: 1}, all, 1, 1, 50},
		{"a negative size is the default", pipeline.WorklistQuery{PageSize: -1}, all, 1, 1, 50},
		{"at most 500 a page", pipeline.WorklistQuery{PageSize: 100000}, all, 1, 1, 500},
		{"no rows is one empty page", pipeline.WorklistQuery{Filter: pipeline.WorkFilter{Code: "none"}, PageSize: 2, Page: 4}, []string{}, 1, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wl, err := f.h.P.Worklist(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.rowNames(wl.Rows); !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows %v, want %v", got, tt.rows)
			}
			if wl.Page != tt.page || wl.Pages != tt.pages || wl.PageSize != tt.size {
				t.Errorf("page %d of %d, size %d; want %d of %d, size %d", wl.Page, wl.Pages, wl.PageSize, tt.page, tt.pages, tt.size)
			}
			if tt.q.Filter.Code == "" && wl.Total != len(all) {
				t.Errorf("total %d, want %d whatever the page", wl.Total, len(all))
			}
		})
	}
}

// TestWorklistSortTies: items with the same deadline keep their ID order,
// and an item about a claim without a service date goes with the items
// about no claim.
func TestWorklistSortTies(t *testing.T) {
	h := newHarness(t, nil)
	cs := h.Submit(pipelinetest.Encounter("T1", "10.00"), pipelinetest.Encounter("T2", "20.00"))
	var ids []int64
	err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
		for _, w := range []pipeline.WorkItem{
			{Source: pipeline.SourceTransport, Code: "upload-failed", CreatedAt: h.Now},
			{Source: pipeline.SourceDenial, Code: "CO-16", ClaimID: cs["T2"].ID, PayerID: pipelinetest.HarnessPayerID, CreatedAt: h.Now},
			{Source: pipeline.Source277CA, Code: "A7:21", ClaimID: cs["T1"].ID, PayerID: pipelinetest.HarnessPayerID, CreatedAt: h.Now},
			{Source: pipeline.SourceScrubber, Code: "x", ClaimID: cs["T1"].ID, PayerID: pipelinetest.HarnessPayerID, CreatedAt: h.Now},
		} {
			if _, err := tx.OpenWorkItem(context.Background(), &w); err != nil {
				return err
			}
			ids = append(ids, w.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wl, err := h.P.Worklist(context.Background(), pipeline.WorklistQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range wl.Rows {
		got = append(got, r.Item.ID)
	}
	if want := []int64{ids[1], ids[2], ids[3], ids[0]}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v (same deadline by ID, no claim last)", got, want)
	}
}

func TestHeadline(t *testing.T) {
	tests := []struct {
		name string
		it   pipeline.WorkItem
		want string
	}{
		{"no reasons: the summary", pipeline.WorkItem{Source: pipeline.SourceTransport, Summary: "upload failed"}, "upload failed"},
		{"a 277CA member ID rejection", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7:164:IL", Text: "raw"}}}, "Insured or subscriber: contract or member number is not valid"},
		{"a missing member ID", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A6:164:IL", Text: "raw"}}}, "Insured or subscriber: contract or member number is missing"},
		{"a disagreeing NPI", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A8:562:85", Text: "raw"}}}, "Billing provider: National Provider Identifier (NPI) does not agree with related fields"},
		{"status 21 has no predicate", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7:21", Text: "raw"}}}, "Missing or invalid information"},
		{"a category without a predicate", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A1:164", Text: "raw"}}}, "Contract or member number"},
		{"an unknown entity is left out", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7:164:ZZZ", Text: "raw"}}}, "Contract or member number is not valid"},
		{"an unknown status: the reason text", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7:999999:IL", Text: "the payer said no"}}}, "the payer said no"},
		{"a code without a status: the reason text", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7", Text: "the payer said no"}}}, "the payer said no"},
		{"a 277CA message without a code", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Text: "free text"}}}, "free text"},
		{"only the first reason counts", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7:999999", Text: "first"}, {Code: "A7:164:IL", Text: "second"}}}, "first"},
		{"a status code outside a 277CA item is not worded", pipeline.WorkItem{Source: pipeline.SourceDenial,
			Reasons: []pipeline.Reason{{Code: "A7:164:IL", Text: "denied"}}}, "denied"},
		{"a scrubber reason with its field", pipeline.WorkItem{Source: pipeline.SourceScrubber,
			Reasons: []pipeline.Reason{{Code: "npi", Text: "the NPI fails its check digit", Field: "billing_provider.npi"}}},
			"the NPI fails its check digit (field billing_provider.npi)"},
		{"a reason that names its field already", pipeline.WorkItem{Source: pipeline.SourceScrubber,
			Reasons: []pipeline.Reason{{Text: "subscriber.member_id is empty", Field: "subscriber.member_id"}}}, "subscriber.member_id is empty"},
		{"a 277CA reason with a field, worded", pipeline.WorkItem{Source: pipeline.Source277CA,
			Reasons: []pipeline.Reason{{Code: "A7:164:IL", Text: "raw", Field: "subscriber.member_id"}}},
			"Insured or subscriber: contract or member number is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pipeline.Headline(&tt.it); got != tt.want {
				t.Errorf("Headline = %q, want %q", got, tt.want)
			}
		})
	}
}
