package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12/x837"
)

// IntakeReport counts what Intake did.
type IntakeReport struct {
	Read      int `json:"read"`      // encounters and malformed records read
	Accepted  int `json:"accepted"`  // new claims ready to batch
	Held      int `json:"held"`      // new claims (or new versions) held by the scrubber, or records held at intake
	Unchanged int `json:"unchanged"` // already taken, identical
	// Updated counts encounters that came again with different claim
	// content; each became a correction (Corrected) or a work item
	// (Conflicts). One that came again with other bytes but the same
	// content counts as unchanged.
	Updated   int `json:"updated"`
	Corrected int `json:"corrected"` // claims corrected from an updated encounter (a new version)
	Conflicts int `json:"conflicts"` // updated encounters left for a person (the claim is in flight or adjudicated)
	// HeldBack lists what was held this run, with the reasons (each
	// with its severity: a held claim may have warnings too).
	HeldBack []HeldEncounter `json:"held_back,omitempty"`
	// WarnedClaims counts the new claims accepted with warnings: they go
	// out, and the warnings are recorded with their encounter. Warned
	// lists the first MaxWarnedListed of them, with the warnings.
	WarnedClaims int             `json:"warned_claims"`
	Warned       []HeldEncounter `json:"warned,omitempty"`
}

// accepted counts a new claim that goes out, and lists it among the
// warned when the scrubber left warnings (errors would have held it).
func (r *IntakeReport) accepted(encounterID string, claimID int64, problems []Reason) {
	r.Accepted++
	if len(problems) == 0 {
		return
	}
	if r.WarnedClaims++; len(r.Warned) < MaxWarnedListed {
		r.Warned = append(r.Warned, HeldEncounter{EncounterID: encounterID, ClaimID: claimID, Reasons: problems})
	}
}

// MaxWarnedListed bounds IntakeReport.Warned, so that a run where every
// claim has a warning does not keep them all in memory.
const MaxWarnedListed = 1000

func (r *IntakeReport) add(o IntakeReport) {
	r.Read += o.Read
	r.Accepted += o.Accepted
	r.Held += o.Held
	r.Unchanged += o.Unchanged
	r.Updated += o.Updated
	r.Corrected += o.Corrected
	r.Conflicts += o.Conflicts
	r.HeldBack = append(r.HeldBack, o.HeldBack...)
	r.WarnedClaims += o.WarnedClaims
	r.Warned = append(r.Warned, o.Warned[:min(len(o.Warned), max(0, MaxWarnedListed-len(r.Warned)))]...)
}

// HeldEncounter is an encounter (or unreadable record) held back, and why.
type HeldEncounter struct {
	EncounterID string   `json:"encounter_id"`
	ClaimID     int64    `json:"claim_id,omitempty"`
	Reasons     []Reason `json:"reasons"`
}

// Intake reads encounters from src, records each, scrubs it and creates
// its claim: ready when clean, held with its reasons otherwise. A
// malformed record is held at intake and the rest go on. Reading the same
// encounters again changes nothing; an encounter that comes again with
// different content is taken as a correction (see encounterChanged).
//
// Encounters are recorded in batches of Options.BatchSize, one
// transaction each, so that memory depends on the batch size and not on
// the file. A crash loses the batch in flight, which the next run reads
// again. When a batch fails, its encounters are taken again one per
// transaction: those before the failing one are kept, and the error
// names it. The next batch is read (see readBatches) while one is
// recorded; memory holds those two at most.
func (p *Pipeline) Intake(ctx context.Context, src EncounterSource) (IntakeReport, error) {
	return p.intake(ctx, src, nil)
}

// intake is Intake. When ready is set, it is given the new claims each
// batch made ready (on the bulk path: see freshItems), after the batch
// commits; an error from it ends intake.
func (p *Pipeline) intake(ctx context.Context, src EncounterSource, ready func([]*Claim) error) (IntakeReport, error) {
	var rep IntakeReport
	rctx, stop := context.WithCancel(ctx)
	reads := make(chan readBatch) // unbuffered: two batches at most
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.readBatches(rctx, src, reads)
	}()
	defer func() {
		// The reader stops at its next encounter or send; nothing it
		// holds is recorded.
		stop()
		<-done
	}()
	b := &intakeBatch{source: sourceName(src)}
	for rb := range reads {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		b.items = rb.items
		if err := p.intakeBatch(ctx, b, &rep); err != nil {
			return rep, err
		}
		if ready != nil && len(b.ready) > 0 {
			if err := ready(b.ready); err != nil {
				return rep, err
			}
		}
		if rb.err != nil {
			return rep, rb.err
		}
	}
	return rep, ctx.Err()
}

// readBatch is what the reader of Intake hands over: the items of a
// batch, in the order read, and the error that ends the reading (after
// those items are recorded), if any.
type readBatch struct {
	items []intakeItem
	err   error
}

// readBatches reads src into batches of Options.BatchSize items and
// sends them to out, which it closes at the end. It runs beside the
// recording of the previous batch: decoding, encoding and hashing the
// encounters takes about as long as writing them, and the two use
// different cores. It records nothing, so that a crash or an error loses
// only what a crash of the one-goroutine loop would: the batches not yet
// committed. It stops when ctx ends.
func (p *Pipeline) readBatches(ctx context.Context, src EncounterSource, out chan<- readBatch) {
	defer close(out)
	send := func(rb readBatch) bool {
		select {
		case out <- rb:
			return true
		case <-ctx.Done():
			return false
		}
	}
	items := make([]intakeItem, 0, p.batchSize)
	name := sourceName(src)
	for enc, err := range src.Encounters(ctx) {
		if ctx.Err() != nil {
			return
		}
		var rerr *RecordError
		switch {
		case errors.As(err, &rerr):
			items = append(items, intakeItem{bad: rerr})
		case err != nil:
			send(readBatch{items: items, err: fmt.Errorf("intake: %w", err)})
			return
		default:
			if rerr := repeatedLineNumber(name, enc); rerr != nil {
				items = append(items, intakeItem{bad: rerr})
				break
			}
			item, err := p.newIntakeItem(enc)
			if err != nil {
				// The items before it are not recorded: the
				// next run reads them again.
				send(readBatch{err: fmt.Errorf("intake: encounter %s: %w", enc.ID, err)})
				return
			}
			items = append(items, item)
		}
		if len(items) >= p.batchSize {
			if !send(readBatch{items: items}) {
				return
			}
			items = make([]intakeItem, 0, p.batchSize)
		}
	}
	if ctx.Err() == nil && len(items) > 0 {
		send(readBatch{items: items})
	}
}

// repeatedLineNumber returns a malformed record error for an encounter
// of source that gives two lines the same line item control number, or
// nil. The number is unique within a claim (REF*6R), so its claim could
// not be recorded.
func repeatedLineNumber(source string, enc *Encounter) *RecordError {
	if _, given := lineNumbersMissing(enc.Lines); given < 2 {
		return nil
	}
	first := map[string]int{}
	for i, l := range enc.Lines {
		if l.ControlNumber == "" {
			continue
		}
		if k, seen := first[l.ControlNumber]; seen {
			return &RecordError{Source: source, Line: enc.Line, EncounterID: enc.ID, Field: "lines[" + strconv.Itoa(i) + "].control_number",
				Err: fmt.Errorf("line control number %q is also given to line %d; it must be unique within the claim (REF*6R)",
					l.ControlNumber, k+1)}
		}
		first[l.ControlNumber] = i
	}
	return nil
}

// intakeBatch is the encounters of one source waiting to be recorded,
// and then the new claims their transaction made ready.
type intakeBatch struct {
	source string
	items  []intakeItem
	ready  []*Claim
}

// intakeItem is one record read: an encounter with its JSON and digest,
// or a malformed record. An encounter comes with the claim it makes when
// it is new (see intakeNew), scrubbed, but for the line item control
// numbers its lines are still to get from the store.
type intakeItem struct {
	enc      *Encounter
	raw      []byte
	digest   string
	claim    *Claim
	problems []Reason // the scrubber's, about claim
	bad      *RecordError
}

func (p *Pipeline) newIntakeItem(enc *Encounter) (intakeItem, error) {
	if enc.Kind == "" {
		enc.Kind = x837.Professional
	}
	// encoding/json, not a faster encoder: the digest of these bytes
	// tells a re-read encounter from a changed one, so they must not
	// change (see TestIntakeDigestPinned).
	raw, err := json.Marshal(enc)
	if err != nil {
		return intakeItem{}, err
	}
	sum := sha256.Sum256(raw)
	// Scrubbed here, beside the recording of the batch before: the
	// scrubber takes a tenth of what recording takes, and the store
	// records one batch at a time.
	c := p.unnumberedClaim(enc.ID, enc.Claim)
	return intakeItem{enc: enc, raw: raw, digest: hex.EncodeToString(sum[:]), claim: c, problems: p.check(c)}, nil
}

// intakeBatch records the batch's items in one transaction and empties
// the batch. See Intake for what happens when that fails.
func (p *Pipeline) intakeBatch(ctx context.Context, b *intakeBatch, rep *IntakeReport) error {
	if len(b.items) == 0 {
		return nil
	}
	defer func() { b.items = nil }()
	var r IntakeReport
	err := p.store.InTx(ctx, func(tx Tx) error {
		r, b.ready = IntakeReport{}, nil
		fresh, err := freshItems(ctx, tx, b.items)
		if err != nil {
			return fmt.Errorf("intake: %w", err)
		}
		var news []*intakeItem
		for i := range b.items {
			if i == len(b.items)/2 {
				p.crashPoint("submit:intake-mid-batch")
			}
			if fresh[i] {
				news = append(news, &b.items[i])
				continue
			}
			c, err := p.intakeItem(ctx, tx, b.source, &b.items[i], &r)
			if err != nil {
				return err
			}
			b.keep(c)
		}
		claims, err := p.intakeNew(ctx, tx, b.source, news, &r)
		for _, c := range claims {
			b.keep(c)
		}
		return err
	})
	if err == nil {
		rep.add(r)
		p.crashPoint("submit:intake-recorded")
		return nil
	}
	b.ready = nil
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(b.items) == 1 {
		return err
	}
	for i := range b.items {
		var c *Claim
		err := p.store.InTx(ctx, func(tx Tx) error {
			r = IntakeReport{}
			var err error
			c, err = p.intakeItem(ctx, tx, b.source, &b.items[i], &r)
			return err
		})
		if err != nil {
			return err
		}
		rep.add(r)
		b.keep(c)
	}
	return nil
}

// keep notes c, a claim the batch created, among the ready ones when it
// is (nil: none).
func (b *intakeBatch) keep(c *Claim) {
	if c != nil && c.State == StateReady {
		b.ready = append(b.ready, c)
	}
}

// freshItems tells which items are encounters never seen: no intake
// record has their ID, and no other item of the batch has it (as an
// encounter, or as the key of a malformed record). Those take the bulk
// path (intakeNew); the others are recorded one by one, in order.
func freshItems(ctx context.Context, tx Tx, items []intakeItem) ([]bool, error) {
	uses := make(map[string]int, len(items))
	ids := make([]string, 0, len(items))
	for i := range items {
		if it := &items[i]; it.bad != nil {
			uses[recordKey(it.bad)]++
		} else {
			uses[it.enc.ID]++
			ids = append(ids, it.enc.ID)
		}
	}
	known, err := tx.KnownEncounters(ctx, ids)
	if err != nil {
		return nil, err
	}
	fresh := make([]bool, len(items))
	for i := range items {
		if it := &items[i]; it.bad == nil {
			fresh[i] = !known[it.enc.ID] && uses[it.enc.ID] == 1
		}
	}
	return fresh, nil
}

// intakeNew records encounters never seen (see freshItems) in tx, in
// bulk: it numbers the lines of their claims (made and scrubbed as they
// were read: see newIntakeItem) from one block of the line control
// number sequence, and creates the claims, intake records and events in
// a few statements. Each held claim gets its work item. It returns the
// claims, as created.
func (p *Pipeline) intakeNew(ctx context.Context, tx Tx, source string, items []*intakeItem, rep *IntakeReport) ([]*Claim, error) {
	if len(items) == 0 {
		return nil, nil
	}
	claims := make([]*Claim, len(items))
	problems := make([][]Reason, len(items))
	need, spare := 0, 0
	for i, it := range items {
		// A copy of the claim and its lines: a number taken in a
		// transaction that rolls back must not stay on the item.
		c := *it.claim
		c.Data.Lines = slices.Clone(c.Data.Lines)
		c.CreatedAt, c.UpdatedAt = p.now(), p.now()
		claims[i], problems[i] = &c, it.problems
		missing, given := lineNumbersMissing(c.Data.Lines)
		need += missing
		if missing > 0 {
			spare += given // each may cost one number (see numberLinesFrom)
		}
	}
	var next, last int64
	if need > 0 {
		var err error
		if last, err = tx.NextSequences(ctx, "line-control-number", need+spare); err != nil {
			return nil, fmt.Errorf("intake: %w", err)
		}
		next = last - int64(need+spare) + 1
	}
	fromBlock := func() (int64, error) {
		if next > last {
			return 0, errors.New("intake: the block of line control numbers is used up")
		}
		next++
		return next - 1, nil
	}
	for i, c := range claims {
		if err := numberLinesFrom(c.Data.Lines, fromBlock); err != nil {
			return nil, err
		}
		setLines(c)
		c.State = stateFor(problems[i])
	}
	if err := tx.CreateClaims(ctx, claims); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	recs := make([]*EncounterRecord, len(items))
	for i, it := range items {
		c := claims[i]
		recs[i] = &EncounterRecord{ID: it.enc.ID, Source: source, SHA256: it.digest, Raw: it.raw,
			ClaimID: c.ID, Problems: problems[i], ReceivedAt: p.now()}
		ev := Event{ClaimID: c.ID, At: p.now(), Kind: "intake", To: c.State, Version: c.Version,
			Detail: fmt.Sprintf("encounter %s, %d lines", it.enc.ID, len(it.enc.Lines))}
		if err := tx.AddEvent(ctx, ev); err != nil {
			return nil, fmt.Errorf("intake: encounter %s: %w", it.enc.ID, err)
		}
		rep.Read++
		if c.State != StateHeld {
			rep.accepted(it.enc.ID, c.ID, problems[i])
			continue
		}
		rep.Held++
		rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: it.enc.ID, ClaimID: c.ID, Reasons: heldReasons(problems[i])})
		if _, err := tx.OpenWorkItem(ctx, scrubItem(c, problems[i], p.now())); err != nil {
			return nil, fmt.Errorf("intake: encounter %s: %w", it.enc.ID, err)
		}
	}
	if err := tx.AddEncounters(ctx, recs); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	return claims, nil
}

// intakeItem records one item of a batch in tx, counting it in rep. It
// returns the claim it created, if any.
func (p *Pipeline) intakeItem(ctx context.Context, tx Tx, source string, it *intakeItem, rep *IntakeReport) (*Claim, error) {
	rep.Read++
	if it.bad != nil {
		held, err := p.holdRecord(ctx, tx, it.bad)
		if err != nil {
			return nil, fmt.Errorf("intake: record %s: %w", recordKey(it.bad), err)
		}
		if held {
			rep.Held++
			rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: recordKey(it.bad), Reasons: []Reason{recordReason(it.bad)}})
		} else {
			rep.Unchanged++
		}
		return nil, nil
	}
	c, err := p.intakeOne(ctx, tx, source, it, rep)
	if err != nil {
		return nil, fmt.Errorf("intake: encounter %s: %w", it.enc.ID, err)
	}
	return c, nil
}

func recordKey(re *RecordError) string {
	if re.EncounterID != "" {
		return re.EncounterID
	}
	return positionKey(re)
}

// positionKey names a record by where it is: its file and line, or its
// file and encounter ID when the line is not known.
func positionKey(re *RecordError) string {
	if re.Line == 0 {
		return re.Source + ":" + re.EncounterID
	}
	return re.Source + ":" + strconv.Itoa(re.Line)
}

func recordReason(re *RecordError) Reason {
	loc := re.Source
	if re.Line > 0 {
		loc = strings.TrimSpace(loc + " line " + strconv.Itoa(re.Line))
	}
	return Reason{Code: "malformed-record", Text: re.Err.Error(), Field: re.Field, Location: loc}
}

// holdRecord records a malformed record and opens a work item, once. It
// reports whether it did.
func (p *Pipeline) holdRecord(ctx context.Context, tx Tx, re *RecordError) (bool, error) {
	key := recordKey(re)
	sum := sha256.Sum256([]byte(re.Error()))
	digest := hex.EncodeToString(sum[:])
	old, err := tx.GetEncounter(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	case old.SHA256 == digest:
		return false, nil
	case old.ClaimID != 0:
		// The ID already has a claim (a duplicate ID later in a
		// file, or a bad re-send): hold this record under its
		// position instead.
		key = positionKey(re)
		if again, err := tx.GetEncounter(ctx, key); err == nil && again.SHA256 == digest {
			return false, nil
		}
	}
	reason := recordReason(re)
	if err := tx.PutEncounter(ctx, &EncounterRecord{ID: key, Source: re.Source, Line: re.Line, SHA256: digest,
		Problems: []Reason{reason}, ReceivedAt: p.now()}); err != nil {
		return false, err
	}
	_, err = tx.OpenWorkItem(ctx, &WorkItem{Key: EncounterKey(key), Source: SourceIntake, Code: reason.Code,
		EncounterID: key, Category: "malformed record",
		Summary: "encounter " + key + ": the record cannot be read; fix it in the practice system and send it again",
		Reasons: []Reason{reason}, CreatedAt: p.now()})
	return err == nil, err
}

// intakeOne records one encounter in tx: a new claim, a correction, or
// nothing when it is known and unchanged. It returns the new claim, if
// it made one.
func (p *Pipeline) intakeOne(ctx context.Context, tx Tx, source string, it *intakeItem, rep *IntakeReport) (*Claim, error) {
	enc, raw, digest := it.enc, it.raw, it.digest
	old, err := tx.GetEncounter(ctx, enc.ID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	case old.SHA256 == digest:
		rep.Unchanged++
		return nil, nil
	case old.ClaimID != 0:
		return nil, p.encounterChanged(ctx, tx, enc, old, raw, digest, rep)
	default:
		// A malformed record of this ID, now readable: its item
		// is resolved by this record.
		if _, err := tx.CloseWorkItems(ctx, EncounterKey(enc.ID), SystemActor, "the encounter was sent again and could be read"); err != nil {
			return nil, err
		}
	}
	claim, problems, err := p.newClaim(ctx, tx, enc.ID, enc.Claim)
	if err != nil {
		return nil, err
	}
	if err := tx.CreateClaim(ctx, claim); err != nil {
		return nil, err
	}
	if err := tx.PutEncounter(ctx, &EncounterRecord{ID: enc.ID, Source: source, SHA256: digest, Raw: raw,
		ClaimID: claim.ID, Problems: problems, ReceivedAt: p.now()}); err != nil {
		return nil, err
	}
	ev := Event{ClaimID: claim.ID, At: p.now(), Kind: "intake", To: claim.State, Version: claim.Version,
		Detail: fmt.Sprintf("encounter %s, %d lines", enc.ID, len(enc.Lines))}
	if err := tx.AddEvent(ctx, ev); err != nil {
		return nil, err
	}
	if claim.State == StateHeld {
		rep.Held++
		rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: enc.ID, ClaimID: claim.ID, Reasons: heldReasons(problems)})
		if _, err := tx.OpenWorkItem(ctx, scrubItem(claim, problems, p.now())); err != nil {
			return nil, err
		}
		return claim, nil
	}
	rep.accepted(enc.ID, claim.ID, problems)
	return claim, nil
}

// newClaim builds the claim record for an encounter's claim data and
// scrubs it.
func (p *Pipeline) newClaim(ctx context.Context, tx Tx, encounterID string, data x837.Claim) (*Claim, []Reason, error) {
	c := p.unnumberedClaim(encounterID, data)
	if err := p.numberLines(ctx, tx, c); err != nil {
		return nil, nil, err
	}
	problems := p.check(c)
	c.State = stateFor(problems)
	return c, problems, nil
}

// unnumberedClaim is the claim record for an encounter's claim data, as
// newClaim makes it but for the line item control numbers the lines
// without one are still to get, and the state.
func (p *Pipeline) unnumberedClaim(encounterID string, data x837.Claim) *Claim {
	c := &Claim{
		EncounterID: encounterID,
		Version:     1,
		CreatedAt:   p.now(),
		UpdatedAt:   p.now(),
	}
	fillContent(c, data)
	return c
}

// stateFor is the state of a new claim, or version, with the scrubber's
// findings: held when one is an error.
func stateFor(problems []Reason) ClaimState {
	if blocking(problems) {
		return StateHeld
	}
	return StateReady
}

// heldReasons are the reasons reported for a claim the scrubber held,
// of its findings.
func heldReasons(problems []Reason) []Reason { return problems }

// setContent makes data the content of c: the claim's kind, payer,
// total, lines (numbered, with line item control numbers) and
// clearinghouse, and returns the scrubber's findings about it.
func (p *Pipeline) setContent(ctx context.Context, tx Tx, c *Claim, data x837.Claim) ([]Reason, error) {
	fillContent(c, data)
	if err := p.numberLines(ctx, tx, c); err != nil {
		return nil, err
	}
	return p.check(c), nil
}

// fillContent makes data (with a copy of its lines) the content of c:
// its kind, payer and total.
func fillContent(c *Claim, data x837.Claim) {
	if data.Kind == "" {
		data.Kind = x837.Professional
	}
	data.Lines = append([]x837.Line(nil), data.Lines...)
	c.Kind, c.PayerID, c.PayerName, c.TotalCharge, c.Data = data.Kind, data.Payer.ID, data.Payer.Name, data.TotalCharge, data
}

// check scrubs c's content and routes it to its clearinghouse, and
// returns the scrubber's findings (with one for a payer no clearinghouse
// takes).
func (p *Pipeline) check(c *Claim) []Reason {
	problems := p.scrub(&c.Data)
	c.Clearinghouse = ""
	if pt := p.route(c.PayerID); pt != nil {
		c.Clearinghouse = pt.Name
	} else {
		problems = append(problems, Reason{Code: "no-clearinghouse", Field: "payer.id", Severity: "error",
			Text: "no clearinghouse is configured for payer " + strconv.Quote(c.PayerID)})
	}
	return problems
}

// numberLines gives each line without one a line item control number
// (REF*6R) from a store sequence (see numberLinesFrom), and builds the
// claim lines.
func (p *Pipeline) numberLines(ctx context.Context, tx Tx, c *Claim) error {
	err := numberLinesFrom(c.Data.Lines, func() (int64, error) { return tx.NextSequence(ctx, "line-control-number") })
	if err != nil {
		return err
	}
	setLines(c)
	return nil
}

// lineNumbersMissing counts the lines without a line item control number,
// and those with one.
func lineNumbersMissing(lines []x837.Line) (missing, given int) {
	for _, l := range lines {
		if l.ControlNumber == "" {
			missing++
		}
	}
	return missing, len(lines) - missing
}

// numberLinesFrom gives each line without a line item control number
// "L" and the next number of next, skipping a number that another line
// of the claim was given: a control number is unique within its claim.
// Numbers come from one sequence, so they are unique across claims too,
// but for a number an encounter gave (any text, unique within its
// claim only).
func numberLinesFrom(lines []x837.Line, next func() (int64, error)) error {
	missing, given := lineNumbersMissing(lines)
	if missing == 0 {
		return nil
	}
	var taken map[string]bool
	if given > 0 {
		taken = make(map[string]bool, given)
		for _, l := range lines {
			if l.ControlNumber != "" {
				taken[l.ControlNumber] = true
			}
		}
	}
	for i := range lines {
		for lines[i].ControlNumber == "" {
			n, err := next()
			if err != nil {
				return err
			}
			if s := "L" + strconv.FormatInt(n, 10); !taken[s] {
				lines[i].ControlNumber = s
			}
		}
	}
	return nil
}

// setLines builds the claim lines of c from its content, whose lines all
// have their control numbers.
func setLines(c *Claim) {
	c.Lines = c.Lines[:0]
	for i, l := range c.Data.Lines {
		c.Lines = append(c.Lines, ClaimLine{LineNo: i + 1, ControlNumber: l.ControlNumber, Procedure: l.Procedure,
			Modifiers: l.Modifiers, RevenueCode: l.RevenueCode, Charge: l.Charge, Units: l.Units, ServiceDate: l.ServiceDate,
			Active: true})
	}
}

// scrub validates a claim before it may be sent. It never changes it.
// Errors hold the claim; warnings are kept with it but do not.
func (p *Pipeline) scrub(c *x837.Claim) []Reason {
	var out []Reason
	for _, pr := range c.Validate(x837.ValidateOptions{Today: p.today(), PCNAssignedLater: true}) {
		out = append(out, Reason{Code: pr.Rule, Text: pr.Message, Field: pr.Field, Location: pr.Location(),
			Severity: pr.Severity.String()})
	}
	return out
}

// blocking reports whether any of the problems is an error.
func blocking(problems []Reason) bool {
	for _, r := range problems {
		if r.Severity != "warning" {
			return true
		}
	}
	return false
}

// errorsOnly returns the problems that are errors.
func errorsOnly(problems []Reason) []Reason {
	var out []Reason
	for _, r := range problems {
		if r.Severity != "warning" {
			out = append(out, r)
		}
	}
	return out
}

func scrubItem(c *Claim, problems []Reason, now time.Time) *WorkItem {
	errs := errorsOnly(problems)
	w := &WorkItem{Key: ClaimKey(SourceScrubber, c.ID), Source: SourceScrubber, ClaimID: c.ID, Version: c.Version,
		EncounterID: c.EncounterID, PayerID: c.PayerID, Category: "claim data",
		Summary: fmt.Sprintf("claim %d (encounter %s): held, %d problem(s) to fix before it can be sent", c.ID, c.EncounterID, len(errs)),
		Reasons: errs, CreatedAt: now}
	if len(errs) > 0 {
		w.Code = errs[0].Code
	}
	return w
}

// encounterChanged takes an encounter that arrives again with different
// content than its record. When the claim content changes, it is a
// correction, by the same path as a manual one (revise):
//
//   - a claim not yet sent (held or ready), or rejected before
//     adjudication, is corrected at once: the new version is queued, or
//     held when it does not pass the scrubber;
//   - an adjudicated claim is corrected (as a replacement) only when
//     Options.ReplaceAdjudicated is set; otherwise, and for a claim in
//     flight, a work item lists the changed fields, and the claim can be
//     corrected from this record later (CorrectRequest.FromIntake).
//
// The change is never absorbed silently: the report counts it.
func (p *Pipeline) encounterChanged(ctx context.Context, tx Tx, enc *Encounter, old *EncounterRecord, raw []byte, digest string, rep *IntakeReport) error {
	claim, err := tx.GetClaim(ctx, old.ClaimID)
	if err != nil {
		return err
	}
	old.SHA256, old.Raw, old.ReceivedAt = digest, raw, p.now()
	changed := contentChanges(claim.Data, enc.Claim)
	if len(changed) == 0 {
		// Different bytes, same claim (e.g. what a correction already
		// made): nothing to send.
		rep.Unchanged++
		return tx.PutEncounter(ctx, old)
	}
	rep.Updated++
	refusal := p.correctable(ctx, tx, claim)
	var ref *Refusal
	if refusal != nil && !errors.As(refusal, &ref) {
		return refusal
	}
	adjudicated := claimAdjudicated(claim)
	if refusal == nil && (!adjudicated || p.replaceAdjudicated) {
		next := mergeContent(claim.Data, enc.Claim)
		rev, err := p.revise(ctx, tx, claim, VersionCorrection, next, changed, "intake",
			"encounter "+enc.ID+" sent again with changes", true)
		if err != nil {
			return err
		}
		old.Problems = rev.Problems
		if err := tx.PutEncounter(ctx, old); err != nil {
			return err
		}
		rep.Corrected++
		if rev.State == StateHeld {
			rep.Held++
			rep.HeldBack = append(rep.HeldBack, HeldEncounter{EncounterID: enc.ID, ClaimID: claim.ID, Reasons: errorsOnly(rev.Problems)})
		}
		return nil
	}
	rep.Conflicts++
	if err := tx.PutEncounter(ctx, old); err != nil {
		return err
	}
	why := "it is adjudicated, and intake.replace_adjudicated is off: correct it as a replacement when the change is right"
	code := "changed-after-adjudication"
	if refusal != nil {
		why, code = refusal.Error()+"; correct it from this encounter when it can be", "changed-in-flight"
	}
	reasons := make([]Reason, 0, len(changed))
	for _, f := range changed {
		reasons = append(reasons, Reason{Code: "changed-field", Field: f, Text: "changed in the encounter file"})
	}
	if err := tx.AddEvent(ctx, Event{ClaimID: claim.ID, At: p.now(), Kind: "encounter-changed", Version: claim.Version, Actor: "intake",
		Detail: fmt.Sprintf("encounter %s sent again with %d changed field(s): %s; not applied: %s", enc.ID, len(changed),
			strings.Join(changed, ", "), why)}); err != nil {
		return err
	}
	_, err = tx.OpenWorkItem(ctx, &WorkItem{Key: ClaimKey(SourceIntake, claim.ID), Source: SourceIntake, Code: code,
		ClaimID: claim.ID, Version: claim.Version, EncounterID: enc.ID, PayerID: claim.PayerID, Category: "changed encounter",
		Summary: fmt.Sprintf("claim %d (encounter %s, %s): the encounter changed (%d field(s)); %s (claims claim correct %d --from-intake)",
			claim.ID, enc.ID, claim.State, len(changed), why, claim.ID),
		Reasons: reasons, CreatedAt: p.now()})
	return err
}
