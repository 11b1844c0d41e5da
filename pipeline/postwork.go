package pipeline

import "context"

// itemChanges are the work item changes that posting a chunk of an 835
// decides claim by claim (settleItems), kept in order and written in a
// few statements by write: on a database server a statement per claim
// would be a round trip per claim.
type itemChanges struct {
	ops []itemChange
}

// itemChange opens item, or closes the open items with key, noting
// note.
type itemChange struct {
	item      *WorkItem
	key, note string
}

func (c *itemChanges) open(w *WorkItem) { c.ops = append(c.ops, itemChange{item: w, key: w.Key}) }

func (c *itemChanges) close(key, note string) {
	c.ops = append(c.ops, itemChange{key: key, note: note})
}

// write applies the changes as the one-by-one calls would have, in
// rounds: a change goes in the round after the one of the last change
// before it with the same key, so that the changes of one key keep
// their order, and those of a round, each of another key, can go
// together (usually all in the first round).
func (c *itemChanges) write(ctx context.Context, tx Tx) error {
	last := make(map[string]int, len(c.ops)) // key -> 1 + the round of its last change
	var rounds [][]itemChange
	for _, op := range c.ops {
		r := last[op.key]
		last[op.key] = r + 1
		if r == len(rounds) {
			rounds = append(rounds, nil)
		}
		rounds[r] = append(rounds[r], op)
	}
	for _, round := range rounds {
		var opens []*WorkItem
		closes := map[string]string{}
		for _, op := range round {
			if op.item != nil {
				opens = append(opens, op.item)
			} else {
				closes[op.key] = op.note
			}
		}
		if err := tx.OpenWorkItems(ctx, opens); err != nil {
			return err
		}
		if len(closes) > 0 {
			if _, err := tx.CloseWorkItemsByKey(ctx, closes, SystemActor); err != nil {
				return err
			}
		}
	}
	c.ops = c.ops[:0]
	return nil
}

// stepMoves are the history events of the claims that a chunk's posting
// moves several times (a reversal and its correction), written in
// rounds: round k holds the k-th event of each such claim, so each
// claim's events keep their order and each round moves its claims in one
// batch (MoveClaimsAt, from each step's state at the claim's version, as
// MoveClaim per step would).
type stepMoves struct {
	rounds []stepRound
	n      map[int64]int // events of each claim so far
}

// stepRound is one round: the events that move a claim (with the
// version it must be at) and those that only note an adjudication.
type stepRound struct {
	moves    []Event
	versions []int
	notes    []Event
}

// add adds the next event of claim ev.ClaimID, at version.
func (m *stepMoves) add(ev Event, version int) {
	if m.n == nil {
		m.n = map[int64]int{}
	}
	k := m.n[ev.ClaimID]
	m.n[ev.ClaimID] = k + 1
	if k == len(m.rounds) {
		m.rounds = append(m.rounds, stepRound{})
	}
	r := &m.rounds[k]
	if ev.To == "" {
		r.notes = append(r.notes, ev)
		return
	}
	r.moves = append(r.moves, ev)
	r.versions = append(r.versions, version)
}

// write writes the rounds in order.
func (m *stepMoves) write(ctx context.Context, tx Tx) error {
	for _, r := range m.rounds {
		for _, ev := range r.notes {
			if err := tx.AddEvent(ctx, ev); err != nil {
				return err
			}
		}
		if err := tx.MoveClaimsAt(ctx, r.moves, r.versions); err != nil {
			return err
		}
	}
	return nil
}
