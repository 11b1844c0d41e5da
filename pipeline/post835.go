package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// DefaultPostChunk is how many claim payments (CLPs) of an 835
// transaction set post in one database transaction (Options.PostChunk).
const DefaultPostChunk = 1000

// Applying an 835 of any size with bounded memory.
//
// An 835 file is read twice, claim by claim, never whole:
//
//  1. checkRemittances streams it once and keeps, per transaction set, a
//     single bit: whether the set balances at its three levels (line,
//     claim, and BPR02 = ΣCLP04 − ΣPLB). A file with structural errors
//     fails here, before anything is posted.
//  2. apply835 streams it again and applies each set (postSet): one that
//     balances posts in transactions of at most about Options.PostChunk
//     claim payments, one that does not is held with nothing posted, one
//     whose payment was posted before is a duplicate.
//
// A balanced set is recorded first, in its own transaction, as a
// remittance in state posting: the set-level marker. Each chunk then
// posts its claim payments and moves the marker's Progress past them in
// the same transaction, and a last transaction adds the PLB adjustments
// and marks the remittance posted. A run stopped anywhere leaves every
// chunk wholly posted or not at all, and the next run resumes after the
// last committed chunk: nothing is posted twice, nothing is lost. While
// it is posting, the remittance holds its payment's key as a posted one
// does, so no other copy of the payment posts meanwhile.
//
// Balancing is decided before the first chunk: a set posts in full
// (every claim payment posted, or kept as unapplied cash with a work
// item) or not at all, as when it posted in one transaction. Chunks end
// between two claim payments with different CLP01 where they can, so
// that a reversal and its correction, which payers send one after the
// other, post together.

// claimSource gives the claim payments of one 835 transaction set in
// order, then io.EOF; once it has given io.EOF the remittance's PLB
// adjustments are complete. *x835.Parser is one.
type claimSource interface {
	Next() (*x835.Claim, error)
}

// claimList is a claimSource over a remittance read whole.
type claimList struct {
	claims []*x835.Claim
	i      int
}

func (l *claimList) Next() (*x835.Claim, error) {
	if l.i >= len(l.claims) {
		return nil, io.EOF
	}
	l.i++
	return l.claims[l.i-1], nil
}

// claimStream numbers the claims of a source (from 1) and cuts them into
// chunks.
type claimStream struct {
	src  claimSource
	n    int         // claims taken from src
	peek *x835.Claim // claim n, taken but not yet given out
	err  error       // io.EOF at the end of the set, or a read error
}

// next returns the next claim and its number.
func (s *claimStream) next() (*x835.Claim, int, error) {
	if c := s.peek; c != nil {
		s.peek = nil
		return c, s.n, nil
	}
	if s.err != nil {
		return nil, s.n, s.err
	}
	c, err := s.src.Next()
	if err != nil {
		s.err = err
		return nil, s.n, err
	}
	s.n++
	return c, s.n, nil
}

// done reports whether every claim was given out.
func (s *claimStream) done() bool { return s.peek == nil && s.err == io.EOF }

// chunk returns the next claims after claim number after (those up to it
// were handled by an earlier run), and the number of the last one: at
// least size of them unless the set ends first, more while the next one
// has the same CLP01 as the last (a reversal and its correction), but
// never more than twice size.
func (s *claimStream) chunk(size, after int) ([]*x835.Claim, int, error) {
	var out []*x835.Claim
	last := after
	for {
		c, n, err := s.next()
		if err == io.EOF {
			return out, last, nil
		}
		if err != nil {
			return nil, 0, err
		}
		if n <= after {
			continue
		}
		if k := len(out); k >= size && (k >= 2*size || c.PatientControlNumber != out[k-1].PatientControlNumber) {
			s.peek = c
			return out, last, nil
		}
		out = append(out, c)
		last = n
	}
}

// remitCheck is what the first pass over an 835 file keeps: the number
// of 835 transaction sets and, one bit each, whether they balance.
type remitCheck struct {
	sets     int
	balanced []uint64
}

func (c *remitCheck) add(ok bool) {
	if c.sets%64 == 0 {
		c.balanced = append(c.balanced, 0)
	}
	if ok {
		c.balanced[c.sets/64] |= 1 << (c.sets % 64)
	}
	c.sets++
}

// balances reports whether the set-th set (from 1) balances.
func (c *remitCheck) balances(set int) bool {
	i := set - 1
	return i >= 0 && i < c.sets && c.balanced[i/64]&(1<<(i%64)) != 0
}

// checkRemittances streams the 835 file at path once: it returns its
// structural errors (every one an *x12.Error, joined), or which of its
// sets balance at all three levels.
func checkRemittances(path string) (*remitCheck, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	ps := x835.NewParser(x12.NewReader(fh))
	ps.ReuseClaims = true
	var check remitCheck
	for {
		rem, err := ps.NextRemittance()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Join(append(ps.Errors(), err)...)
		}
		ok := true
		for {
			c, err := ps.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, errors.Join(append(ps.Errors(), err)...)
			}
			if ok && len(c.Balance(rem.SetControl)) > 0 {
				ok = false
			}
		}
		check.add(ok && ps.Totals().Balance(rem.SetControl) == nil)
	}
	if errs := ps.Errors(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if check.sets == 0 {
		return nil, x835.ErrNoTransaction
	}
	return &check, nil
}

// apply835 applies the 835 transaction sets of f, streaming the file
// twice (see checkRemittances and postSet), in order. A set of f applied
// before is skipped, one left part way is resumed.
func (p *Pipeline) apply835(ctx context.Context, f *InboundFile, rep *ResponseReport) error {
	check, err := checkRemittances(f.LocalPath)
	if err != nil {
		return fmt.Errorf("read 835: %w", err)
	}
	p.crashPoint("collect:835-checked")
	fh, err := os.Open(f.LocalPath)
	if err != nil {
		return fmt.Errorf("read 835: %w", err)
	}
	defer fh.Close()
	ps := x835.NewParser(x12.NewReader(fh))
	for set := 1; ; set++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := ps.NextRemittance()
		if err == io.EOF {
			if set-1 != check.sets {
				return fmt.Errorf("read 835: %d transaction sets, %d when the file was checked", set-1, check.sets)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read 835: %w", err)
		}
		if set > check.sets {
			return fmt.Errorf("read 835: more than the %d transaction sets found when the file was checked", check.sets)
		}
		out, err := p.postSet(ctx, f, set, r, ps, check.balances(set))
		if err != nil {
			return fmt.Errorf("835 set %s: %w", r.SetControl, err)
		}
		rep.count(out)
		p.crashPoint("collect:835-set-posted")
	}
}

// PostRemittances posts the 835 transaction sets rems, read whole from
// the recorded inbound file f, in order, as apply835 posts the sets it
// streams (see postSet), and counts what it did in rep. A set of f
// already applied is skipped.
func (p *Pipeline) PostRemittances(ctx context.Context, f *InboundFile, rems []*x835.Remittance, rep *ResponseReport) error {
	for i, r := range rems {
		out, err := p.postSet(ctx, f, i+1, r, &claimList{claims: r.Claims}, len(r.Balance()) == 0)
		if err != nil {
			return fmt.Errorf("835 set %s: %w", r.SetControl, err)
		}
		rep.count(out)
		p.crashPoint("collect:835-set-posted")
	}
	return nil
}

// count adds what posting one set did.
func (rep *ResponseReport) count(out remitOutcome) {
	switch {
	case out.posted:
		rep.RemitsPosted++
	case out.held:
		rep.RemitsHeld++
	case out.duplicate:
		rep.RemitsDuplicate++
	case out.again:
		rep.RemitsSkipped++
	}
	rep.AmountPaid += out.paid
	rep.ClaimsPaid += out.claimsPaid
	rep.ClaimsPartial += out.partial
	rep.ClaimsDenied += out.denied
	rep.ClaimsReversed += out.reversed
	rep.ClaimsVoided += out.voided
	rep.PaymentsUnapplied += out.unapplied
	rep.AmountUnapplied += out.unappliedPaid
}

// add adds the figures of a chunk's posting.
func (o *remitOutcome) add(c remitOutcome) {
	o.paid += c.paid
	o.claimsPaid += c.claimsPaid
	o.denied += c.denied
	o.partial += c.partial
	o.reversed += c.reversed
	o.voided += c.voided
	o.unapplied += c.unapplied
	o.unappliedPaid += c.unappliedPaid
}

// postSet applies one 835 transaction set, the set-th of file f: its
// header r and its claim payments from src; balanced says whether it
// balances at all three levels (decided before). Every outcome is
// recorded as a remittance of the file, so that applying the file again
// (after a crash before the file was marked processed) does nothing
// twice:
//
//   - a set recorded before is skipped, or resumed after its last
//     committed chunk when it was left posting (or noting a duplicate);
//   - a remittance already posted (same payer, trace, date and amount,
//     from this file or any other) is a duplicate: nothing posts, and
//     each claim it names gets an event saying so;
//   - a set that does not balance is held for review with nothing
//     posted, and a work item;
//   - otherwise every claim payment that can post posts, and the others
//     are kept as unapplied cash of the remittance, with a work item,
//     until a person applies them (ApplyPayment): one that matches no
//     claim we sent, or that would move its claim illegally or credit it
//     beyond what is open on it (a duplicate payment, a correction
//     without its reversal). One bad claim never holds the others'
//     money. It posts in chunks (see the comment at the top of this
//     file).
func (p *Pipeline) postSet(ctx context.Context, f *InboundFile, set int, r *x835.Remittance, src claimSource, balanced bool) (remitOutcome, error) {
	var out remitOutcome
	rem, prev, again, err := p.startSet(ctx, f, set, r, balanced)
	if err != nil || rem == nil {
		out.duplicate = rem == nil && err == nil
		return out, err
	}
	out.again = again
	claims := &claimStream{src: src}
	switch rem.State {
	case RemitPosting:
		out.again = false
		if err := p.postChunks(ctx, f, rem, claims, &out); err != nil {
			return out, err
		}
		return out, p.finishSet(ctx, f, r, rem, &out)
	case RemitDuplicate:
		out.duplicate = !again
		return out, p.noteChunks(ctx, f, rem, prev, claims)
	case RemitHeld:
		if again {
			return out, nil
		}
		out.held = true
		return out, p.holdSet(ctx, f, set, r, rem, claims)
	}
	return out, nil
}

// startSet decides, in one transaction, what becomes of a set: it
// returns the remittance recorded for it by an earlier run (again), or a
// new one: a duplicate of prev (recorded), a held one (recorded by
// holdSet once its imbalances are listed), or one in state posting
// (recorded: the set-level marker). It returns no remittance when the
// payment's key was taken by another posting between two reads.
func (p *Pipeline) startSet(ctx context.Context, f *InboundFile, set int, r *x835.Remittance, balanced bool) (rem, prev *Remittance, again bool, err error) {
	key := remitKey(r)
	err = p.store.InTx(ctx, func(tx Tx) error {
		rem, prev, again = nil, nil, false
		got, err := tx.RemittanceInFile(ctx, f.ID, set)
		if err == nil {
			rem, again = got, true
			if got.State == RemitDuplicate {
				if prev, err = tx.FindRemittance(ctx, key); errors.Is(err, ErrNotFound) {
					err = nil
				}
			}
			return err
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		rem = &Remittance{InboundFileID: f.ID, FileSet: set, SetControl: r.SetControl, PayerID: key.PayerID, PayerName: r.Payer.Name,
			Trace: key.Trace, PaymentDate: key.PaymentDate, Amount: key.Amount, Method: r.Payment.Method, CreatedAt: p.now()}
		prev, err = tx.FindRemittance(ctx, key)
		switch {
		case err == nil:
			rem.State = RemitDuplicate
			rem.Reason = fmt.Sprintf("the same payment as remittance %d (file %d, ST02 %s); nothing posted again", prev.ID, prev.InboundFileID, prev.SetControl)
			_, err = tx.CreateRemittance(ctx, rem)
			return err
		case !errors.Is(err, ErrNotFound):
			return err
		}
		prev = nil
		if !balanced {
			rem.State = RemitHeld
			return nil
		}
		rem.State = RemitPosting
		inserted, err := tx.CreateRemittance(ctx, rem)
		if err == nil && !inserted {
			rem = nil
		}
		return err
	})
	if err != nil {
		return nil, nil, false, err
	}
	if rem != nil && rem.State == RemitPosting && !again {
		p.crashPoint("collect:835-set-started")
	}
	return rem, prev, again, nil
}

// postChunks posts the claim payments of a set in state posting after
// rem.Progress, a chunk per transaction, each moving rem.Progress past
// the claims it posted.
func (p *Pipeline) postChunks(ctx context.Context, f *InboundFile, rem *Remittance, claims *claimStream, out *remitOutcome) error {
	for !claims.done() {
		chunk, last, err := claims.chunk(p.chunkSize, rem.Progress)
		if err != nil {
			return fmt.Errorf("read 835: %w", err)
		}
		if len(chunk) == 0 {
			continue
		}
		var got remitOutcome
		next := *rem
		next.Progress = last
		err = p.store.InTx(ctx, func(tx Tx) error {
			var err error
			got, err = p.postChunk(ctx, tx, f, &next, chunk)
			if err != nil {
				return err
			}
			return tx.UpdateRemittance(ctx, &next, rem.Progress)
		})
		if err != nil {
			return err
		}
		*rem = next
		out.add(got)
		p.crashPoint("collect:835-chunk-posted")
	}
	return nil
}

// postChunk posts a chunk of claim payments of rem inside tx.
func (p *Pipeline) postChunk(ctx context.Context, tx Tx, f *InboundFile, rem *Remittance, claims []*x835.Claim) (remitOutcome, error) {
	var out remitOutcome
	plan, err := p.planPosting(ctx, tx, claims)
	if err != nil {
		return out, err
	}
	if err := p.writePosting(ctx, tx, f, rem, plan); err != nil {
		return out, err
	}
	if err := p.keepUnapplied(ctx, tx, f, rem, plan.unmatched); err != nil {
		return out, err
	}
	if err := p.secondariesAfterPosting(ctx, tx, rem, plan); err != nil {
		return out, err
	}
	p.crashPoint("collect:835-mid-set")
	for _, u := range plan.unmatched {
		out.unapplied++
		out.unappliedPaid += u.clp.Paid
	}
	for _, st := range plan.steps {
		out.paid += st.clp.Paid
		switch st.to {
		case StatePaid:
			out.claimsPaid++
		case StatePartiallyPaid:
			out.claimsPaid++
			out.partial++
		case StateDenied:
			out.denied++
		case StateReversed:
			out.reversed++
		case StateVoided:
			out.reversed++
			out.voided++
		}
	}
	return out, nil
}

// finishSet ends the posting of a set whose claim payments are all
// posted: it adds the PLB adjustments, closes the item of an earlier,
// unbalanced copy of the payment, and marks the remittance posted, in
// one transaction.
func (p *Pipeline) finishSet(ctx context.Context, f *InboundFile, r *x835.Remittance, rem *Remittance, out *remitOutcome) error {
	next := *rem
	err := p.store.InTx(ctx, func(tx Tx) error {
		if len(r.ProviderAdjustments) > 0 {
			plb := make([]ProviderAdjustment, 0, len(r.ProviderAdjustments))
			for _, a := range r.ProviderAdjustments {
				plb = append(plb, ProviderAdjustment{RemittanceID: rem.ID, ProviderID: a.ProviderID, FiscalDate: a.FiscalDate,
					Reason: a.Reason, Reference: a.Reference, Amount: a.Amount})
			}
			if err := tx.AddProviderAdjustments(ctx, plb); err != nil {
				return err
			}
		}
		if _, err := tx.CloseWorkItems(ctx, TraceKey(SourceImbalance, rem.PayerID, rem.Trace), SystemActor,
			fmt.Sprintf("remittance %d with the same payer and trace posted (file %d, ST02 %s)", rem.ID, f.ID, rem.SetControl)); err != nil {
			return err
		}
		n, _, err := tx.UnappliedTotals(ctx, rem.ID)
		if err != nil {
			return err
		}
		next.State, next.Reason = RemitPosted, ""
		if n > 0 {
			next.Reason = fmt.Sprintf("%d claim payment(s) could not be applied to a claim: kept as unapplied cash", n)
		}
		return tx.UpdateRemittance(ctx, &next, rem.Progress)
	})
	if err != nil {
		return err
	}
	*rem = next
	out.posted = true
	return nil
}

// noteChunks records, chunk by chunk, on each claim a duplicate set
// names, that its payment was posted before (by prev), after the claims
// an earlier run noted.
func (p *Pipeline) noteChunks(ctx context.Context, f *InboundFile, rem, prev *Remittance, claims *claimStream) error {
	for !claims.done() {
		chunk, last, err := claims.chunk(p.chunkSize, rem.Progress)
		if err != nil {
			return fmt.Errorf("read 835: %w", err)
		}
		if len(chunk) == 0 {
			continue
		}
		next := *rem
		next.Progress = last
		err = p.store.InTx(ctx, func(tx Tx) error {
			if prev != nil {
				if err := p.noteDuplicateRemit(ctx, tx, f, rem.SetControl, chunk, prev); err != nil {
					return err
				}
			}
			return tx.UpdateRemittance(ctx, &next, rem.Progress)
		})
		if err != nil {
			return err
		}
		*rem = next
	}
	return nil
}

// holdSet reads the claims of a set that does not balance, listing its
// imbalances, and records it held with its work item.
func (p *Pipeline) holdSet(ctx context.Context, f *InboundFile, set int, r *x835.Remittance, rem *Remittance, claims *claimStream) error {
	var reasons []Reason
	more := Reason{Text: "more imbalances follow; not listed"}
	add := func(b *x835.BalanceError) {
		reasons = x12.AppendCapped(reasons, Reason{Code: "out-of-balance-" + b.Level, Text: b.Error(), Location: fmt.Sprintf("835 ST02 %s", b.SetControl)}, more)
	}
	points := 0
	t := x835.Totals{PaymentAmount: r.Payment.Amount}
	for {
		c, _, err := claims.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read 835: %w", err)
		}
		t.TotalPaid += c.Paid
		for _, b := range c.Balance(r.SetControl) {
			points++
			add(b)
		}
	}
	for _, a := range r.ProviderAdjustments {
		t.PLBTotal += a.Amount
	}
	if b := t.Balance(r.SetControl); b != nil {
		points++
		add(b)
	}
	return p.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.RemittanceInFile(ctx, f.ID, set); err == nil {
			return nil // recorded meanwhile
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		held := *rem
		return p.holdRemit(ctx, tx, &held,
			fmt.Sprintf("remittance %s (trace %s, %s) is out of balance at %d point(s); nothing posted: ask the payer for a corrected 835 (this item closes when one with the same trace posts)",
				r.SetControl, rem.Trace, rem.Amount, points),
			reasons)
	})
}
