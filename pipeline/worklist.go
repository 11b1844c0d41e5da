package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/codes"
)

// DefaultTimelyFilingDays is how long a payer takes a claim after the
// date of service when TimelyFiling does not say.
const DefaultTimelyFilingDays = 90

// TimelyFiling is how many days after the date of service each payer
// accepts a claim.
type TimelyFiling struct {
	DefaultDays int            // DefaultTimelyFilingDays when zero
	Payers      map[string]int // by payer ID
}

func (t TimelyFiling) check() error {
	if t.DefaultDays < 0 {
		return fmt.Errorf("pipeline: timely filing: default days %d is negative", t.DefaultDays)
	}
	for id, d := range t.Payers {
		if d <= 0 {
			return fmt.Errorf("pipeline: timely filing: payer %s: %d days (must be positive)", id, d)
		}
	}
	return nil
}

// Days returns the timely-filing limit of a payer, in days.
func (t TimelyFiling) Days(payerID string) int {
	if d, ok := t.Payers[payerID]; ok {
		return d
	}
	if t.DefaultDays > 0 {
		return t.DefaultDays
	}
	return DefaultTimelyFilingDays
}

// Deadline returns the last day the payer takes a claim for a service
// on that date (zero when the date is).
func (t TimelyFiling) Deadline(payerID string, service x12.Date) x12.Date {
	if service.IsZero() {
		return x12.Date{}
	}
	return x12.DateOf(service.Time().AddDate(0, 0, t.Days(payerID)))
}

// WorklistQuery selects a page of the work queue.
type WorklistQuery struct {
	// Filter selects the items; its Status defaults to open and its
	// Limit is ignored.
	Filter WorkFilter
	// MinAgeDays keeps the items opened at least that many days ago.
	MinAgeDays int
	// Page is from 1; PageSize defaults to 50 and is at most 500.
	Page, PageSize int
}

// Worklist is a page of the work queue, soonest timely-filing deadline
// first, with the groups and the choices its filters offer.
type Worklist struct {
	// Groups count the items by source and root cause, under every
	// filter but the source and category.
	Groups []WorkGroup
	Rows   []WorklistRow
	// Total is the number of matching items; Page and Pages place Rows.
	Total, Page, Pages, PageSize int
	// Payers, Codes and Assignees are the values found in the items, for
	// the filters.
	Payers    []Choice
	Codes     []Choice
	Assignees []string
}

// WorkGroup is the count of items from one source with one root cause.
type WorkGroup struct {
	Source   WorkSource
	Category string
	Label    string
	Count    int
}

// Choice is a filter value and its label.
type Choice struct{ Value, Label string }

// WorklistRow is a work item with what the queue shows of its claim.
type WorklistRow struct {
	Item        *WorkItem
	ClaimState  ClaimState
	PayerName   string
	Amount      x12.Amount
	ServiceDate x12.Date
	// PatientInitials are the patient's initials only: the queue shows
	// no more of the patient.
	PatientInitials string
	// Deadline is the last day to file (zero for items about no claim);
	// DaysLeft counts from today, negative once it passed.
	Deadline x12.Date
	DaysLeft int
	// AgeDays is how long the item has been open.
	AgeDays int
	// Headline is the cause in a few plain words (see Headline).
	Headline string
}

// SourceLabel names a work source in words.
func SourceLabel(s WorkSource) string {
	switch s {
	case SourceIntake:
		return "Encounter intake"
	case SourceScrubber:
		return "Held by the scrubber"
	case SourceTA1:
		return "Interchange rejected (TA1)"
	case Source999:
		return "File errors (999)"
	case Source277CA:
		return "Claim rejections (277CA)"
	case SourceDenial:
		return "Denials (835)"
	case SourceUnmatched:
		return "Unapplied payments"
	case SourceImbalance:
		return "Remittances out of balance"
	case SourceTransport:
		return "File transfer"
	case SourceInboundBad:
		return "Unreadable response files"
	case SourceOverdue:
		return "Overdue responses"
	}
	return string(s)
}

// Worklist returns a page of the work queue: the items that match q,
// soonest timely-filing deadline first (items about no claim after
// them, oldest first), each with its claim's payer, amount, patient
// initials and days left to file.
func (p *Pipeline) Worklist(ctx context.Context, q WorklistQuery) (*Worklist, error) {
	f := q.Filter
	if f.Status == "" {
		f.Status = WorkOpen
	}
	if f.Source != "" && !validSource(f.Source) {
		return nil, invalid("worklist: unknown source %q (one of %s)", f.Source, sourceList())
	}
	if f.Status != WorkOpen && f.Status != WorkClosed {
		return nil, invalid("worklist: unknown status %q (open or closed)", f.Status)
	}
	if q.MinAgeDays < 0 {
		return nil, invalid("worklist: age %d days is negative", q.MinAgeDays)
	}
	now := p.now()
	if q.MinAgeDays > 0 {
		f.OpenedBefore = now.AddDate(0, 0, -q.MinAgeDays)
	}
	size := q.PageSize
	if size <= 0 {
		size = 50
	}
	size = min(size, 500)
	wl := &Worklist{PageSize: size}
	err := p.store.InTx(ctx, func(tx Tx) error {
		// The groups and choices come from the items under every filter
		// but the group's own.
		all := f
		all.Source, all.Category = "", ""
		rows, err := tx.WorkRows(ctx, all)
		if err != nil {
			return err
		}
		fc := newFacets()
		var keep []WorklistRow
		for _, r := range rows {
			fc.add(r)
			if (f.Source == "" || r.Item.Source == f.Source) && (f.Category == "" || r.Item.Category == f.Category) {
				keep = append(keep, p.worklistRow(r, now))
			}
		}
		sortByDeadline(keep)
		wl.Total = len(keep)
		wl.Pages = max(1, (wl.Total+size-1)/size)
		wl.Page = min(max(q.Page, 1), wl.Pages)
		from := (wl.Page - 1) * size
		wl.Rows = keep[from:min(from+size, len(keep))]
		fc.into(wl)
		return p.fillRows(ctx, tx, wl.Rows, now)
	})
	if err != nil {
		return nil, fmt.Errorf("worklist: %w", err)
	}
	return wl, nil
}

// worklistRow places a work row by its timely-filing deadline.
func (p *Pipeline) worklistRow(r WorkRow, now time.Time) WorklistRow {
	wr := WorklistRow{Item: r.Item, PayerName: r.PayerName, ServiceDate: r.ServiceDate}
	if r.Item.ClaimID != 0 {
		wr.Deadline = p.timelyFiling.Deadline(r.Item.PayerID, r.ServiceDate)
		if !wr.Deadline.IsZero() {
			wr.DaysLeft = int(wr.Deadline.Time().Sub(x12.DateOf(now).Time()).Hours() / 24)
		}
	}
	return wr
}

// sortByDeadline puts the soonest deadline first, rows without one
// last, and equal ones in item order.
func sortByDeadline(rows []WorklistRow) {
	slices.SortFunc(rows, func(a, b WorklistRow) int {
		switch {
		case a.Deadline.IsZero() != b.Deadline.IsZero():
			if a.Deadline.IsZero() {
				return 1
			}
			return -1
		case a.Deadline.Before(b.Deadline):
			return -1
		case b.Deadline.Before(a.Deadline):
			return 1
		}
		return cmp.Compare(a.Item.ID, b.Item.ID)
	})
}

// fillRows replaces the page's item summaries by the whole items and
// adds what the page shows of their claims.
func (p *Pipeline) fillRows(ctx context.Context, tx Tx, rows []WorklistRow, now time.Time) error {
	for i := range rows {
		row := &rows[i]
		full, err := tx.GetWorkItem(ctx, row.Item.ID)
		if err != nil {
			return err
		}
		row.Item, row.Headline = full, Headline(full)
		row.AgeDays = int(now.Sub(full.CreatedAt).Hours() / 24)
		if full.ClaimID == 0 {
			continue
		}
		c, err := tx.GetClaim(ctx, full.ClaimID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		row.ClaimState, row.Amount, row.PatientInitials = c.State, c.TotalCharge, initials(c)
	}
	return nil
}

// facets count the work rows by group and collect the filter choices.
type facets struct {
	groups        map[[2]string]*WorkGroup
	payers, codes map[string]string
	assignees     map[string]bool
}

func newFacets() *facets {
	return &facets{groups: map[[2]string]*WorkGroup{}, payers: map[string]string{}, codes: map[string]string{},
		assignees: map[string]bool{}}
}

func (fc *facets) add(r WorkRow) {
	it := r.Item
	gk := [2]string{string(it.Source), it.Category}
	if fc.groups[gk] == nil {
		label := SourceLabel(it.Source)
		if it.Category != "" {
			label += ": " + it.Category
		}
		fc.groups[gk] = &WorkGroup{Source: it.Source, Category: it.Category, Label: label}
	}
	fc.groups[gk].Count++
	if it.PayerID != "" && fc.payers[it.PayerID] == "" {
		fc.payers[it.PayerID] = strings.TrimSpace(r.PayerName + " " + it.PayerID)
	}
	if it.Code != "" && fc.codes[it.Code] == "" {
		fc.codes[it.Code] = codeLabel(it.Source, it.Code)
	}
	if it.Assignee != "" {
		fc.assignees[it.Assignee] = true
	}
}

// into sets the worklist's groups, largest first, and its choices.
func (fc *facets) into(wl *Worklist) {
	for _, g := range fc.groups {
		wl.Groups = append(wl.Groups, *g)
	}
	sort.Slice(wl.Groups, func(i, j int) bool {
		if wl.Groups[i].Count != wl.Groups[j].Count {
			return wl.Groups[i].Count > wl.Groups[j].Count
		}
		return wl.Groups[i].Label < wl.Groups[j].Label
	})
	wl.Payers, wl.Codes = choices(fc.payers), choices(fc.codes)
	for a := range fc.assignees {
		wl.Assignees = append(wl.Assignees, a)
	}
	sort.Strings(wl.Assignees)
}

func choices(m map[string]string) []Choice {
	out := make([]Choice, 0, len(m))
	for v, l := range m {
		out = append(out, Choice{Value: v, Label: l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// codeLabel words a reason code for a filter list: "CO-50: Not
// covered: ...", "A7:164:IL: Insured or subscriber: ...", or the code
// alone (a scrubber rule's name says what it checks).
func codeLabel(src WorkSource, code string) string {
	switch {
	case src == Source277CA:
		if h := statusHeadline(code); h != "" {
			return code + ": " + h
		}
	case src == SourceDenial:
		if _, carc, ok := strings.Cut(code, "-"); ok {
			if e, ok := codes.Lookup(codes.CARC, carc); ok {
				return code + ": " + e.Description
			}
		}
	}
	return code
}

// initials returns the patient's initials ("J.S."), from the patient
// when not the subscriber.
func initials(c *Claim) string {
	person := c.Data.Subscriber.Person
	if c.Data.Patient != nil {
		person = c.Data.Patient.Person
	}
	var b strings.Builder
	for _, n := range []string{person.FirstName, person.LastName} {
		if r := []rune(strings.TrimSpace(n)); len(r) > 0 {
			b.WriteString(strings.ToUpper(string(r[0])) + ".")
		}
	}
	return b.String()
}

// lowerFirst lowers the first letter of a phrase, unless it starts an
// acronym ("NPI").
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ErrBusy means a job of that kind is already running, in this process or
// in another that shares the store.
var ErrBusy = errors.New("already running")

// jobLocks lets one job of each kind run at a time in a process.
type jobLocks struct {
	mu      sync.Mutex
	running map[string]time.Time
}

// takeJob takes the lock of a job in this process, then in the store
// (across processes), or returns an error wrapping ErrBusy.
func (p *Pipeline) takeJob(ctx context.Context, kind string) (release func(), err error) {
	local, err := p.jobs.take(kind, p.now())
	if err != nil {
		return nil, err
	}
	shared, err := p.store.JobLock(ctx, kind)
	if err != nil {
		local()
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	return func() { shared(); local() }, nil
}

// take marks kind running, or returns ErrBusy; release undoes it.
func (j *jobLocks) take(kind string, now time.Time) (release func(), err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if since, ok := j.running[kind]; ok {
		return nil, fmt.Errorf("%s: %w since %s", kind, ErrBusy, since.Format(time.TimeOnly))
	}
	if j.running == nil {
		j.running = map[string]time.Time{}
	}
	j.running[kind] = now
	return func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		delete(j.running, kind)
	}, nil
}

// Headline is a work item's cause in a few plain words, for a list: a
// 277CA rejection as "Insured or subscriber: contract or member number
// is not valid", a denial or scrubber finding as its first reason. The
// codes go beside it, not in it.
func Headline(it *WorkItem) string {
	if len(it.Reasons) == 0 {
		return it.Summary
	}
	r := it.Reasons[0]
	if it.Source == Source277CA {
		if h := statusHeadline(r.Code); h != "" {
			return h
		}
	}
	if r.Field != "" && !strings.Contains(r.Text, r.Field) {
		return r.Text + " (field " + r.Field + ")"
	}
	return r.Text
}

// statusHeadline words a 277CA status "category:status[:entity]".
func statusHeadline(code string) string {
	parts := strings.Split(code, ":")
	if len(parts) < 2 {
		return ""
	}
	what, ok := codes.Lookup(codes.ClaimStatus, parts[1])
	if !ok {
		return ""
	}
	noun := strings.TrimSuffix(what.Description, ".")
	stripped := false
	for _, p := range []string{"The entity's ", "The "} {
		if rest, ok := strings.CutPrefix(noun, p); ok {
			noun, stripped = rest, true
			break
		}
	}
	pred := map[string]string{"A3": "was returned as unprocessable", "A6": "is missing", "A7": "is not valid",
		"A8": "does not agree with related fields"}[parts[0]]
	h := noun
	if pred != "" && parts[1] != "21" {
		h += " " + pred
	}
	if len(parts) > 2 {
		if ent, ok := codes.Lookup(codes.EntityIdentifier, parts[2]); ok {
			if !stripped {
				// A sentence's capital, not a name's.
				h = lowerFirst(h)
			}
			return strings.TrimSuffix(ent.Description, ".") + ": " + h
		}
	}
	return strings.ToUpper(h[:1]) + h[1:]
}
