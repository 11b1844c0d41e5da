package pipeline

import (
	"context"
	"fmt"
	"time"
)

// DefaultAckChunk is the default Options.AckChunk: how many claims of
// an acknowledgment are looked up and acknowledged together, in a few
// statements rather than several per claim (each a round trip on a
// database server), with memory bounded by the chunk.
const DefaultAckChunk = 1000

// ackEvent is the event that acknowledging sub records on its claim c,
// and whether the claim moves to `to` with it: only when sub is the
// claim's current version and the claim is behind `to` (ackRank).
// Otherwise the detail says why the state stays.
func ackEvent(sub *Submission, c ClaimHead, to ClaimState, ev Event) (Event, bool) {
	ev.ClaimID, ev.Version = c.ID, sub.Version
	if sub.Version != c.Version {
		ev.Detail += fmt.Sprintf(" (for version %d; the claim is at version %d, %s: state unchanged)", sub.Version, c.Version, c.State)
		return ev, false
	}
	if r, ok := ackRank[c.State]; !ok || r >= ackRank[to] || !CanMove(c.State, to) {
		if to != StateSubmitted {
			ev.Detail += fmt.Sprintf(" (claim already %s; state unchanged)", c.State)
		}
		return ev, false
	}
	ev.From, ev.To = c.State, to
	return ev, true
}

// ackGroup acknowledges, in a few statements, the claims of one chunk
// that take the common path: a first version (whose acceptance closes no
// work item), its claim found and named once in the chunk. The others
// go one by one (acknowledge, reject): the caller applies them when
// take, or single, says so, and by then the group has written what it
// held of their claim, so that every claim sees its acknowledgments in
// file order. The heads are read once, when the chunk starts: a claim
// is taken at most once per chunk (a second mention goes one by one), so
// its head is current when it is used.
type ackGroup struct {
	tx      Tx
	to      ClaimState
	at      time.Time // the time of the chunk's events: the store moves claims sharing one in one statement
	heads   map[int64]ClaimHead
	touched map[int64]bool   // claims acknowledged in this chunk, either way
	queued  map[int64]bool   // claims in the group, not written yet
	refs    map[int64]string // 277CA payer claim numbers to record, by claim
	events  []Event          // acknowledgments that leave the state as it is
	moves   []Event          // and those that move the claim to `to`
	moved   int              // claims the group moved
}

// newAckGroup starts the group of a chunk that acknowledges (to state
// to) the submissions subs, reading the heads of their claims. A chunk
// of one (Options.AckChunk 1) takes none: each claim goes one by one.
func (p *Pipeline) newAckGroup(ctx context.Context, tx Tx, to ClaimState, subs []*Submission) (*ackGroup, error) {
	ids := make([]int64, 0, len(subs))
	for _, s := range subs {
		if s.Version == 1 && p.ackChunk > 1 {
			ids = append(ids, s.ClaimID)
		}
	}
	heads, err := tx.ClaimHeads(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &ackGroup{tx: tx, to: to, at: p.now(), heads: heads, touched: make(map[int64]bool, len(subs)),
		queued: make(map[int64]bool, len(subs)), refs: make(map[int64]string)}, nil
}

// take queues the acknowledgment of sub (its event ev, and ref, the
// payer claim number a 277CA gave, or "") and reports true, when it
// takes the common path. Otherwise it reports false, having written the
// group if it held sub's claim: the caller applies it one by one.
func (g *ackGroup) take(ctx context.Context, sub *Submission, ev Event, ref string) (bool, error) {
	h, ok := g.heads[sub.ClaimID]
	if !ok || sub.Version != 1 || g.touched[sub.ClaimID] {
		return false, g.single(ctx, sub.ClaimID)
	}
	g.touched[h.ID], g.queued[h.ID] = true, true
	ev.At = g.at
	if ref != "" && sub.Version == h.Version {
		// REF*1K until an 835 gives CLP07 (the store keeps an 835's
		// number), and only for the current version.
		g.refs[h.ID] = ref
	}
	ev, move := ackEvent(sub, h, g.to, ev)
	if move {
		g.moves = append(g.moves, ev)
	} else {
		g.events = append(g.events, ev)
	}
	return true, nil
}

// single tells the group that the caller applies an acknowledgment of
// claim id one by one: the group writes what it holds first when it
// holds that claim, and takes no more of it in this chunk.
func (g *ackGroup) single(ctx context.Context, id int64) error {
	g.touched[id] = true
	if g.queued[id] {
		return g.flush(ctx)
	}
	return nil
}

// flush writes the queued acknowledgments as acknowledge would, claim by
// claim: the payer claim numbers, then the events and the moves (which
// check each claim's state and version, failing the transaction when one
// changed). A moved claim's number goes in the UPDATE that moves it
// (MoveClaimVersionsWithNumbers), so that its row is written once; the
// numbers of the claims that stay go first, on their own.
func (g *ackGroup) flush(ctx context.Context) error {
	var moving map[int64]string
	if len(g.refs) > 0 {
		moving = make(map[int64]string, len(g.refs))
		for _, ev := range g.moves {
			if ref, ok := g.refs[ev.ClaimID]; ok {
				moving[ev.ClaimID] = ref
				delete(g.refs, ev.ClaimID)
			}
		}
	}
	if len(g.refs) > 0 {
		if _, err := g.tx.SetPayerClaimNumbersFrom(ctx, g.refs, "277ca"); err != nil {
			return err
		}
	}
	for _, ev := range g.events {
		if err := g.tx.AddEvent(ctx, ev); err != nil {
			return err
		}
	}
	var err error
	if len(moving) > 0 {
		err = g.tx.MoveClaimVersionsWithNumbers(ctx, g.moves, moving, "277ca")
	} else {
		err = g.tx.MoveClaimVersions(ctx, g.moves)
	}
	if err != nil {
		return err
	}
	g.moved += len(g.moves)
	clear(g.queued)
	clear(g.refs)
	g.events, g.moves = g.events[:0], g.moves[:0]
	return nil
}

// acknowledgeAll acknowledges every submission of subs (a batch's, or a
// set's, that a TA1 or a 999 accepted) to state to, each with its
// event, p.ackChunk at a time: in bulk where it can (ackGroup), one by one
// (acknowledge, which closes the items of the sources in closes) where
// it cannot.
func (p *Pipeline) acknowledgeAll(ctx context.Context, tx Tx, subs []*Submission, to ClaimState, event func(*Submission) Event, closes ...WorkSource) error {
	for start := 0; start < len(subs); start += p.ackChunk {
		chunk := subs[start:min(start+p.ackChunk, len(subs))]
		g, err := p.newAckGroup(ctx, tx, to, chunk)
		if err != nil {
			return err
		}
		for _, sub := range chunk {
			ev := event(sub)
			taken, err := g.take(ctx, sub, ev, "")
			if err == nil && !taken {
				_, err = p.acknowledge(ctx, tx, sub, to, ev, closes...)
			}
			if err != nil {
				return err
			}
		}
		if err := g.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}
