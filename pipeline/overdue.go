package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The codes of the overdue work items, one per missing response. An
// item's key is its code and what it is about: OverdueBatchKey,
// OverdueClaimKey.
const (
	// CodeOverdue999: an uploaded batch whose claims are all still
	// submitted (no 999 moved any) after Overdue.AckAfter.
	CodeOverdue999 = "overdue-999"
	// CodeOverdue277CA: a claim accepted by the 999 with no 277CA after
	// Overdue.AcknowledgmentAfter.
	CodeOverdue277CA = "overdue-277ca"
	// CodeOverdue835: a claim accepted by the 277CA with no 835 after
	// Overdue.PaymentAfter.
	CodeOverdue835 = "overdue-835"
)

// OverdueBatchKey is the key of the item about a batch with no 999.
func OverdueBatchKey(batchID int64) string {
	return CodeOverdue999 + ":batch:" + strconv.FormatInt(batchID, 10)
}

// OverdueClaimKey is the key of the item about a claim with no 277CA
// (code CodeOverdue277CA) or no 835 (CodeOverdue835).
func OverdueClaimKey(code string, claimID int64) string {
	return code + ":claim:" + strconv.FormatInt(claimID, 10)
}

// OverdueCount counts the overdue items of one kind.
type OverdueCount struct {
	// Opened is the items this check opened.
	Opened int `json:"opened"`
	// Open is the items open once the check is done, those it opened
	// included: the gauge to export.
	Open int `json:"open"`
	// Closed is the items this check closed: the response came, the
	// claim or batch moved on, or the wait no longer applies.
	Closed int `json:"closed"`
	// Resolved is the overdue responses still missing whose item a
	// person resolved (ResolveItem): not opened again until the claim
	// or batch is sent again.
	Resolved int `json:"resolved"`
}

// OverdueReport counts what CheckOverdue did, per missing response.
type OverdueReport struct {
	// No999 counts batches with no 999 (code CodeOverdue999).
	No999 OverdueCount `json:"no_999"`
	// No277CA counts claims accepted by the 999 with no 277CA.
	No277CA OverdueCount `json:"no_277ca"`
	// No835 counts claims accepted by the 277CA with no 835.
	No835 OverdueCount `json:"no_835"`
}

// OpenByResponse returns the open overdue items by the response they
// wait for ("999", "277ca", "835"), every kind present: a metric's
// label values.
func (r *OverdueReport) OpenByResponse() map[string]int {
	return map[string]int{"999": r.No999.Open, "277ca": r.No277CA.Open, "835": r.No835.Open}
}

// count returns the counter of items with that code (a throwaway one
// for an unknown code).
func (r *OverdueReport) count(code string) *OverdueCount {
	switch code {
	case CodeOverdue999:
		return &r.No999
	case CodeOverdue277CA:
		return &r.No277CA
	case CodeOverdue835:
		return &r.No835
	}
	return &OverdueCount{}
}

// overdueClaimKind is one of the claim checks: the state a claim waits
// in, the response that would move it, and the wait.
type overdueClaimKind struct {
	code     string
	state    ClaimState
	response string // in words
	after    func(Overdue) time.Duration
	ask      string // whom to ask
}

var overdueClaimKinds = []overdueClaimKind{
	{CodeOverdue277CA, StateAckAccepted, "277CA", func(o Overdue) time.Duration { return o.AcknowledgmentAfter },
		"accepted by the 999; ask the clearinghouse whether the payer received it"},
	{CodeOverdue835, StateAccepted, "835", func(o Overdue) time.Duration { return o.PaymentAfter },
		"accepted for adjudication by the 277CA; ask the payer for its status"},
}

// CheckOverdue opens a work item (source SourceOverdue) for each
// response that has not come in time, per clearinghouse (Partner.Overdue;
// a zero wait checks nothing):
//   - an uploaded batch whose claims, at the version it sent, are all
//     still submitted (no 999 came, nor a rejecting TA1) AckAfter after
//     its upload: one item per batch;
//   - a claim accepted by the 999 (ack_accepted) with no 277CA
//     AcknowledgmentAfter after the upload of its latest submission;
//   - a claim accepted by the 277CA (accepted) with no 835 PaymentAfter
//     after the upload of its latest submission.
//
// It closes (as SystemActor, with a note saying why) the open overdue
// items whose cause is gone: the batch or claim moved on, the claim was
// sent again, or the wait no longer applies. Running it again changes
// nothing until the clock or the store does. An item a person resolved
// (a payer called: it is in process) stays closed while its cause is the
// same; the next submission of the claim can open a new one.
// It returns an error wrapping ErrBusy while another check runs, in this
// process or another sharing the store.
func (p *Pipeline) CheckOverdue(ctx context.Context) (OverdueReport, error) {
	var rep OverdueReport
	release, err := p.takeJob(ctx, "overdue")
	if err != nil {
		return rep, err
	}
	defer release()
	now := p.now()
	err = p.store.InTx(ctx, func(tx Tx) error {
		rep = OverdueReport{}
		due, err := p.overdueItems(ctx, tx, now)
		if err != nil {
			return err
		}
		byKey := make(map[string]*WorkItem, len(due))
		for _, d := range due {
			byKey[d.item.Key] = d.item
		}
		open, err := tx.WorkItems(ctx, WorkFilter{Status: WorkOpen, Source: SourceOverdue})
		if err != nil {
			return err
		}
		kept := make(map[string]bool, len(open))
		for _, it := range open {
			if !overdueCode(it.Code) {
				continue // a check of another version of the program
			}
			if w := byKey[it.Key]; w != nil && sameCause(w, it) {
				kept[it.Key] = true
				rep.count(it.Code).Open++
				continue
			}
			note, err := p.overdueGone(ctx, tx, it, byKey[it.Key])
			if err != nil {
				return err
			}
			n, err := tx.CloseWorkItems(ctx, it.Key, SystemActor, note)
			if err != nil {
				return err
			}
			rep.count(it.Code).Closed += n
		}
		var fresh []overdueItem
		for _, d := range due {
			if !kept[d.item.Key] {
				fresh = append(fresh, d)
			}
		}
		resolved, err := resolvedByHand(ctx, tx, fresh)
		if err != nil {
			return err
		}
		for _, d := range fresh {
			c := rep.count(d.item.Code)
			if resolved[d.item.Key] {
				c.Resolved++
				continue
			}
			if _, err := tx.OpenWorkItem(ctx, d.item); err != nil {
				return err
			}
			c.Opened++
			c.Open++
		}
		return nil
	})
	if err != nil {
		return OverdueReport{}, fmt.Errorf("overdue responses: %w", err)
	}
	return rep, nil
}

// overdueItem is an item that should be open, and the upload it counts
// from.
type overdueItem struct {
	item     *WorkItem
	uploaded time.Time
}

// sameCause reports whether two overdue items with one key are about the
// same submission: the same batch and claim version.
func sameCause(a, b *WorkItem) bool { return a.BatchID == b.BatchID && a.Version == b.Version }

// resolvedByHand returns the keys of the items of due that a person
// resolved (ResolveItem) for the same cause: they stay closed. Such an
// item was opened after the upload it counts from, and closed later
// still, so one query over the overdue items closed since the oldest of
// those uploads finds them.
func resolvedByHand(ctx context.Context, tx Tx, due []overdueItem) (map[string]bool, error) {
	if len(due) == 0 {
		return nil, nil
	}
	since := due[0].uploaded
	want := make(map[string]*WorkItem, len(due))
	for _, d := range due {
		if d.uploaded.Before(since) {
			since = d.uploaded
		}
		want[d.item.Key] = d.item
	}
	closed, err := tx.WorkItems(ctx, WorkFilter{Status: WorkClosed, Source: SourceOverdue, UpdatedSince: since})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, it := range closed {
		if w := want[it.Key]; w != nil && it.ClosedBy != SystemActor && sameCause(w, it) {
			out[it.Key] = true
		}
	}
	return out, nil
}

// overdueItems returns the items that should be open at now, batches
// first, each kind in upload order.
func (p *Pipeline) overdueItems(ctx context.Context, tx Tx, now time.Time) ([]overdueItem, error) {
	var out []overdueItem
	for _, pt := range p.partners {
		wait := pt.Overdue.AckAfter
		if wait <= 0 {
			continue
		}
		bs, err := tx.OverdueBatches(ctx, pt.Name, now.Add(-wait))
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			out = append(out, overdueItem{overdueBatchItem(b, now, wait), b.UploadedAt})
		}
	}
	for _, k := range overdueClaimKinds {
		for _, pt := range p.partners {
			wait := k.after(pt.Overdue)
			if wait <= 0 {
				continue
			}
			cs, err := tx.OverdueClaims(ctx, pt.Name, k.state, now.Add(-wait))
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				out = append(out, overdueItem{overdueClaimItem(k, c, now, wait), c.UploadedAt})
			}
		}
	}
	return out, nil
}

func overdueBatchItem(b *Batch, now time.Time, wait time.Duration) *WorkItem {
	claims := 0
	for _, s := range b.Sets {
		claims += s.Claims
	}
	return &WorkItem{
		Key: OverdueBatchKey(b.ID), Source: SourceOverdue, Code: CodeOverdue999, Category: "no 999",
		Summary: fmt.Sprintf("No 999 for file %s (batch %d, %s), uploaded %s, %s ago; the wait is %s. "+
			"Ask the clearinghouse whether it received the file.",
			b.FileName, b.ID, plural(claims, "claim"), uploadStamp(b.UploadedAt), agoWords(now.Sub(b.UploadedAt), wait), waitWords(wait)),
		Reasons:   []Reason{{Code: CodeOverdue999, Text: "No 999 after " + waitWords(wait)}},
		BatchID:   b.ID,
		PayerID:   b.PayerID,
		CreatedAt: now,
	}
}

func overdueClaimItem(k overdueClaimKind, c OverdueClaim, now time.Time, wait time.Duration) *WorkItem {
	return &WorkItem{
		Key: OverdueClaimKey(k.code, c.ClaimID), Source: SourceOverdue, Code: k.code, Category: "no " + k.response,
		Summary: fmt.Sprintf("No %s for claim %d (PCN %s), %s. It went in file %s, uploaded %s, %s ago; the wait is %s.",
			k.response, c.ClaimID, c.PCN, k.ask, c.FileName, uploadStamp(c.UploadedAt), agoWords(now.Sub(c.UploadedAt), wait), waitWords(wait)),
		Reasons:   []Reason{{Code: k.code, Text: "No " + k.response + " after " + waitWords(wait)}},
		ClaimID:   c.ClaimID,
		Version:   c.Version,
		BatchID:   c.BatchID,
		PayerID:   c.PayerID,
		CreatedAt: now,
	}
}

// overdueGone says why an open overdue item closes: due is the item that
// should be open under its key now (another submission or version of
// the claim), or nil.
func (p *Pipeline) overdueGone(ctx context.Context, tx Tx, it, due *WorkItem) (string, error) {
	if due != nil {
		return fmt.Sprintf("the claim was sent again (version %d, batch %d), and is overdue again: see the new item",
			due.Version, due.BatchID), nil
	}
	b, err := tx.GetBatch(ctx, it.BatchID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Sprintf("batch %d is not on file", it.BatchID), nil
	}
	if err != nil {
		return "", err
	}
	if it.Code == CodeOverdue999 {
		return p.batchGone(ctx, tx, b)
	}
	for _, k := range overdueClaimKinds {
		if k.code == it.Code {
			return p.claimGone(ctx, tx, it, b, k)
		}
	}
	return "", fmt.Errorf("work item %d: unknown overdue code %q", it.ID, it.Code)
}

// overdueCode reports whether code is one of the overdue checks.
func overdueCode(code string) bool {
	return code == CodeOverdue999 || code == CodeOverdue277CA || code == CodeOverdue835
}

// batchGone says why a batch is no longer waiting for its 999.
func (p *Pipeline) batchGone(ctx context.Context, tx Tx, b *Batch) (string, error) {
	if b.State != BatchUploaded {
		return fmt.Sprintf("the file %s is %s now", b.FileName, b.State), nil
	}
	states, err := tx.BatchClaimStates(ctx, []int64{b.ID})
	if err != nil {
		return "", err
	}
	var moved []string
	for st, n := range states[b.ID] {
		if st != StateSubmitted && st != "superseded" {
			moved = append(moved, fmt.Sprintf("%d %s", n, st))
		}
	}
	sort.Strings(moved)
	switch {
	case len(moved) > 0:
		return fmt.Sprintf("a response to %s came: its claims are %s", b.FileName, strings.Join(moved, ", ")), nil
	case states[b.ID][StateSubmitted] == 0:
		return fmt.Sprintf("every claim of %s was changed since (a later version)", b.FileName), nil
	}
	return p.waitChanged(b.Clearinghouse, CodeOverdue999, func(o Overdue) time.Duration { return o.AckAfter }), nil
}

// claimGone says why a claim is no longer waiting for the response of
// kind k; b is the batch the item named.
func (p *Pipeline) claimGone(ctx context.Context, tx Tx, it *WorkItem, b *Batch, k overdueClaimKind) (string, error) {
	c, err := tx.GetClaim(ctx, it.ClaimID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Sprintf("claim %d is not on file", it.ClaimID), nil
	}
	if err != nil {
		return "", err
	}
	if c.State != k.state {
		return fmt.Sprintf("the claim moved on: it is %s now (it was %s, waiting for a %s)", c.State, k.state, k.response), nil
	}
	if c.Version != it.Version {
		return fmt.Sprintf("the claim is at version %d now (the item was about version %d)", c.Version, it.Version), nil
	}
	subs, err := tx.Submissions(ctx, c.ID)
	if err != nil {
		return "", err
	}
	if n := len(subs); n > 0 && subs[n-1].BatchID != b.ID {
		return fmt.Sprintf("the claim was sent again (PCN %s, batch %d)", subs[n-1].PCN, subs[n-1].BatchID), nil
	}
	return p.waitChanged(b.Clearinghouse, k.code, k.after), nil
}

// waitChanged says why an item whose cause is still there closes: its
// clearinghouse no longer checks that response, or waits longer now.
func (p *Pipeline) waitChanged(clearinghouse, code string, after func(Overdue) time.Duration) string {
	pt := p.byName[clearinghouse]
	if pt == nil {
		return fmt.Sprintf("clearinghouse %s is not configured any more", clearinghouse)
	}
	wait := after(pt.Overdue)
	if wait <= 0 {
		return fmt.Sprintf("%s is not checked for clearinghouse %s any more", code, clearinghouse)
	}
	return fmt.Sprintf("not overdue under the wait configured now for clearinghouse %s (%s)", clearinghouse, waitWords(wait))
}

// uploadStamp writes an upload time, in UTC to the minute.
func uploadStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// waitWords writes a wait in days (from 3 days), hours, or as Go
// writes it.
func waitWords(d time.Duration) string {
	switch {
	case inDays(d):
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return d.String()
}

// agoWords writes how long ago something was, in whole days when the
// wait is written in days, in whole hours otherwise.
func agoWords(d, wait time.Duration) string {
	if inDays(wait) {
		return plural(int(d/(24*time.Hour)), "day")
	}
	return plural(int(d/time.Hour), "hour")
}

// inDays reports whether a wait is written in days: whole days, 3 or
// more (48 hours stays 48 hours).
func inDays(d time.Duration) bool { return d%(24*time.Hour) == 0 && d >= 72*time.Hour }
