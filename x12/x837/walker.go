package x837

import (
	"strconv"

	"github.com/x12claims/claims/x12"
)

// walker places each segment of a transaction set in the loop structure
// of the guide (SNIP level 2): it finds the segment's definition, counts
// uses and loop repeats, and reports required segments and loops that
// were skipped, segments over their maximum use and segments that belong
// nowhere. Segments of one position group may come in any order; a
// segment from an earlier group is out of order.
type walker struct {
	frames []frame // open loops; frames[0] is the transaction set
	depth  int     // number of open frames
	report func(rule, loop, seg, el, msg string)
}

type frame struct {
	loop   *loopDef
	idx    int   // child last matched
	counts []int // uses of each child in this loop instance
}

// reset starts a transaction set: the ST segment has been matched.
func (w *walker) reset(set *loopDef) {
	w.depth = 0
	w.push(set, 0)
}

func (w *walker) push(l *loopDef, idx int) {
	if w.depth == len(w.frames) {
		w.frames = append(w.frames, frame{})
	}
	f := &w.frames[w.depth]
	f.loop, f.idx = l, idx
	n := len(l.children)
	if cap(f.counts) < n {
		f.counts = make([]int, n)
	} else {
		f.counts = f.counts[:n]
		clear(f.counts)
	}
	f.counts[idx] = 1
	w.depth++
}

// loopID returns the ID of the innermost open loop.
func (w *walker) loopID() string {
	if w.depth == 0 {
		return ""
	}
	id := w.frames[w.depth-1].loop.id
	if id == "ST_LOOP" {
		return "HEADER"
	}
	return id
}

// inLoop reports whether a loop with the given ID is open.
func (w *walker) inLoop(id string) bool {
	for i := 0; i < w.depth; i++ {
		if w.frames[i].loop.id == id {
			return true
		}
	}
	return false
}

// match returns the definition of a child that s matches.
func matchSeg(d *segDef, s *x12.Segment) bool {
	if d.id != s.ID() {
		return false
	}
	if d.keyEl == 0 {
		return true
	}
	el := d.elems[d.keyEl-1]
	var v []byte
	if d.keyComp > 0 {
		el = el.comps[d.keyComp-1]
		v = s.Component(d.keyEl, d.keyComp)
	} else {
		v = s.Element(d.keyEl)
	}
	// An empty qualifier matches by ID, so that the element check
	// reports it as missing.
	return len(v) == 0 || inSortedBytes(el.codes, v)
}

// step places segment s. It returns the segment's definition, or nil when
// s belongs nowhere (then the structure state is unchanged).
func (w *walker) step(s *x12.Segment) *segDef {
	for d := w.depth - 1; d >= 0; d-- {
		f := &w.frames[d]
		cur := f.loop.children[f.idx].group
		i := w.find(f, cur, s)
		if i < 0 || (i == 0 && d > 0) {
			// A loop's first segment again starts its next iteration,
			// which the enclosing frame opens (2310A: NM1*DN, NM1*P3).
			continue
		}
		for w.depth > d+1 {
			w.close()
		}
		c := &f.loop.children[i]
		w.skipped(f, cur, c.group)
		f.idx = i
		f.counts[i]++
		if c.seg != nil {
			if c.limit > 0 && f.counts[i] > c.limit {
				w.report(RuleSegmentRepeat, w.loopID(), c.seg.id, "",
					c.seg.id+" ("+c.seg.name+") is used "+strconv.Itoa(f.counts[i])+" times; the limit is "+strconv.Itoa(c.limit))
			}
			return c.seg
		}
		w.push(c.loop, 0)
		if c.limit > 0 && f.counts[i] > c.limit {
			rule := RuleLoopRepeat
			msg := "loop " + c.loop.id + " (" + c.loop.name + ") repeats " + strconv.Itoa(f.counts[i]) + " times; the limit is " + strconv.Itoa(c.limit)
			if c.loop.id == "2400" {
				rule = RuleLinesMax
				msg = "service line " + strconv.Itoa(f.counts[i]) + " exceeds the limit of " + strconv.Itoa(c.limit) + " lines per claim"
			}
			w.report(rule, c.loop.id, s.ID(), "", msg)
		}
		return c.loop.children[0].seg
	}
	return nil
}

// find returns the index of the child of f, at or after position group
// cur, that s matches, or -1. When several segments of one position group
// match (same ID and qualifier, as the two PWK of 2400), it prefers the
// one whose elements fit best, then one not yet at its maximum use.
func (w *walker) find(f *frame, cur int, s *x12.Segment) int {
	best, bestScore := -1, 0
	for _, i := range f.loop.byID[s.ID()] {
		c := &f.loop.children[i]
		if c.group < cur {
			continue
		}
		if best >= 0 && c.group != f.loop.children[best].group {
			break
		}
		if !matchSeg(c.first(), s) {
			continue
		}
		if c.loop != nil || !c.shared || !w.ambiguous(f, i, s) {
			if best < 0 {
				return i
			}
			continue
		}
		score := 2 * misfit(c.seg, s)
		if c.limit > 0 && f.counts[i] >= c.limit {
			score++
		}
		if best < 0 || score < bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// ambiguous reports whether another segment of child i's position group
// also matches s.
func (w *walker) ambiguous(f *frame, i int, s *x12.Segment) bool {
	g := f.loop.children[i].group
	for _, k := range f.loop.byID[s.ID()] {
		c := &f.loop.children[k]
		if k != i && c.group == g && c.seg != nil && matchSeg(c.seg, s) {
			return true
		}
	}
	return false
}

// misfit counts the element problems s would have as d.
func misfit(d *segDef, s *x12.Segment) int {
	n := 0
	checkElements(s, d, func(string, string, int, int, string) { n++ })
	return n
}

// skipped reports the required children of f in position groups from cur
// up to (not including) next that were never used.
func (w *walker) skipped(f *frame, cur, next int) {
	if next == cur {
		return
	}
	for i := range f.loop.children {
		c := &f.loop.children[i]
		if c.group < cur || c.group >= next {
			continue
		}
		if c.usage == required && f.counts[i] == 0 {
			w.missing(f, c)
		}
	}
}

func (w *walker) missing(f *frame, c *child) {
	loop := f.loop.id
	if loop == "ST_LOOP" {
		loop = "HEADER"
	}
	if c.seg != nil {
		w.report(RuleSegmentMissing, loop, c.seg.id, "", "required segment "+c.seg.id+" ("+c.seg.name+") is missing")
		return
	}
	w.report(RuleLoopMissing, c.loop.id, c.first().id, "", "required loop "+c.loop.id+" ("+c.loop.name+") is missing")
}

// close ends the innermost loop, reporting its required children that
// were never used.
func (w *walker) close() {
	f := &w.frames[w.depth-1]
	cur := f.loop.children[f.idx].group
	for i := range f.loop.children {
		c := &f.loop.children[i]
		if c.group >= cur && c.usage == required && f.counts[i] == 0 {
			w.missing(f, c)
		}
	}
	w.depth--
}

// finish closes every loop at the end of the set, after the SE was
// stepped.
func (w *walker) finish() {
	for w.depth > 0 {
		w.close()
	}
}

// sameID returns a child of the innermost loop (at or after its current
// position) with the segment's ID, for a segment whose qualifier matched
// nothing.
func (w *walker) sameID(s *x12.Segment) *segDef {
	for d := w.depth - 1; d >= 0; d-- {
		f := &w.frames[d]
		cur := f.loop.children[f.idx].group
		for i := range f.loop.children {
			c := &f.loop.children[i]
			if c.seg != nil && c.group >= cur && c.seg.id == s.ID() {
				return c.seg
			}
		}
		if d == w.depth-1 && f.loop.children[0].seg != nil && f.loop.children[0].seg.id == s.ID() {
			// The loop's own first segment with an unknown qualifier.
			return f.loop.children[0].seg
		}
	}
	return nil
}
