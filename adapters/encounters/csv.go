package encounters

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x837"
)

// CSV reads encounters from comma-separated values with a header row: one
// row per service line, the encounter-level columns repeated on every row
// of the encounter, and the rows of one encounter next to each other
// (grouped by encounter_id). The columns are listed in samples/README.md;
// only the columns a file uses need to be in its header, besides the
// required ones.
//
// The header is matched without regard to case or surrounding spaces.
// An unknown, repeated or missing required column ends the iteration
// with an ErrHeader error before any encounter. Values are trimmed of
// surrounding spaces, and an empty value means "not given". Blank lines
// are skipped; a UTF-8 byte order mark is ignored.
//
// A row that is malformed (wrong number of columns, an amount or date that
// does not parse, an encounter-level value that differs from the first
// row of its encounter, rows of one encounter that are not adjacent) is a
// *pipeline.RecordError naming the row's line and column, and the whole
// encounter is dropped with it. A row so broken that its encounter cannot
// be told (a quoting error) drops the encounters just before and just
// after it, since it may belong to either.
type CSV struct {
	name     string
	r        io.Reader
	consumed bool
}

// NewCSV returns a source that reads CSV from r. name is the file name used
// in errors.
func NewCSV(name string, r io.Reader) *CSV {
	return &CSV{name: name, r: r}
}

// Encounters yields the encounters of the file in order. A malformed row
// yields a *pipeline.RecordError for its encounter and iteration goes on.
// A bad header, a read error, a line longer than MaxLineBytes, a
// cancelled ctx or a second call (ErrConsumed) yields a plain error and
// ends the iteration.
// Name returns the file name the source was given.
func (s *CSV) Name() string { return s.name }

// Encounters implements pipeline.EncounterSource.
func (s *CSV) Encounters(ctx context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		if s.consumed {
			yield(nil, fmt.Errorf("encounters %s: %w", s.name, ErrConsumed))
			return
		}
		s.consumed = true
		g := &grouper{src: s, yield: yield, seen: map[string]int{}}
		if err := g.run(ctx); err != nil {
			yield(nil, fmt.Errorf("encounters %s: %w", s.name, err))
		}
	}
}

// grouper turns rows into encounters.
type grouper struct {
	src   *CSV
	yield func(*pipeline.Encounter, error) bool
	cols  []column // by field index in a row
	idCol int
	seen  map[string]int // encounter ID -> first line

	cur *group
	// taint is the line of an unreadable row that the next encounter may
	// own; taintErr is its cause.
	taint    int
	taintErr error
	// absorbed is set when the encounter before the unreadable row was
	// dropped for it, so it need not be reported on its own.
	absorbed bool
	stopped  bool // the consumer stopped the iteration
}

// group is the rows of one encounter read so far.
type group struct {
	id    string
	line  int      // first row
	first []string // the first row's values
	d     *draft
	err   *pipeline.RecordError // the first problem; the encounter is dropped
}

func (g *grouper) run(ctx context.Context) error {
	limited := &lineLimiter{r: g.src.r, max: MaxLineBytes}
	br := bufio.NewReader(limited)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("no header row: %w", ErrHeader)
	}
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	if err := g.header(header); err != nil {
		return err
	}
	cr.FieldsPerRecord = len(header)
	for !g.stopped {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if err == io.EOF {
			g.flush()
			if g.taint != 0 && !g.absorbed {
				g.emit(nil, g.recordError(g.taint, "", "", g.taintErr))
			}
			return nil
		}
		var pe *csv.ParseError
		switch {
		case err == nil:
			line, _ := cr.FieldPos(0)
			g.row(line, rec, nil)
		case errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount) && rec != nil:
			cause := fmt.Errorf("%d columns, want %d: %w", len(rec), len(g.cols), ErrSyntax)
			g.row(pe.StartLine, rec, cause)
		case errors.As(err, &pe):
			g.unreadable(pe.StartLine, fmt.Errorf("%s at line %d column %d: %w", csvCause(pe.Err), pe.Line, pe.Column, ErrSyntax))
		default:
			return err
		}
	}
	return nil
}

// csvCause is the text of an encoding/csv error without the package
// prefix, or a generic one.
func csvCause(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return `extraneous or missing " in quoted field`
	case errors.Is(err, csv.ErrBareQuote):
		return `bare " in non-quoted field`
	}
	return "unreadable row"
}

// header maps the header row to columns.
func (g *grouper) header(names []string) error {
	table := columns()
	byName := make(map[string]column, len(table))
	for _, c := range table {
		byName[c.name] = c
	}
	g.cols = make([]column, len(names))
	have := map[string]bool{}
	var unknown, repeated []string
	known := 0
	for i, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		c, ok := byName[n]
		switch {
		case !ok:
			unknown = append(unknown, columnLabel(n, i))
		case have[n]:
			repeated = append(repeated, n)
		}
		if ok {
			known++
		}
		have[n] = true
		g.cols[i] = c
		if n == "encounter_id" {
			g.idCol = i
		}
	}
	var missing []string
	for _, c := range table {
		if c.required && !have[c.name] {
			missing = append(missing, c.name)
		}
	}
	if known == 0 {
		return fmt.Errorf("the first row has no known column name; is the header row missing? %w", ErrHeader)
	}
	var problems []string
	if len(unknown) > 5 {
		unknown = append(unknown[:5], fmt.Sprintf("and %d more", len(unknown)-5))
	}
	if len(unknown) > 0 {
		problems = append(problems, "unknown columns "+strings.Join(unknown, ", "))
	}
	if len(repeated) > 0 {
		problems = append(problems, "repeated columns "+strings.Join(repeated, ", "))
	}
	if len(missing) > 0 {
		problems = append(problems, "missing required columns "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %w", strings.Join(problems, "; "), ErrHeader)
	}
	return nil
}

// columnLabel names an unknown header column: by its name when that looks
// like a column name (lower-case letters, digits and '_', at most 40), else
// by its position only, so that a data row mistaken for the header is not
// repeated in the error.
func columnLabel(name string, i int) string {
	plain := name != "" && len(name) <= 40
	for _, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return fmt.Sprintf("%q (column %d)", name, i+1)
	}
	return fmt.Sprintf("column %d", i+1)
}

// row adds one row to its encounter. rowErr, when set, is a problem with
// the row as a whole (its column count).
func (g *grouper) row(line int, rec []string, rowErr error) {
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	id := ""
	if g.idCol < len(rec) {
		id = rec[g.idCol]
	}
	switch {
	case g.cur != nil && id == g.cur.id && id != "":
		g.taint = 0 // an unreadable row between two of these rows was one of them
	case !validID(id):
		g.flush()
		cause := rowErr
		if cause == nil {
			cause = fmt.Errorf("%w", ErrMissingID)
		}
		g.emit(nil, g.recordError(line, "", "encounter_id", cause))
		return
	default:
		g.flush()
		g.cur = &group{id: id, line: line, first: rec, d: &draft{}}
		if first, dup := g.seen[id]; dup {
			g.fail(line, "encounter_id", fmt.Errorf("rows of this encounter also on line %d; keep them together: %w", first, ErrDuplicateID))
		} else {
			g.seen[id] = line
		}
		if g.taint != 0 {
			g.fail(g.taint, "", fmt.Errorf("an unreadable row just before this encounter may belong to it: %w", g.taintErr))
			g.taint = 0
		}
	}
	cur := g.cur
	if rowErr != nil {
		g.fail(line, "", rowErr)
	}
	if cur.err != nil {
		return // the encounter is dropped; skip its other rows
	}
	var l x837.Line
	for i, c := range g.cols {
		v := rec[i]
		if !c.line && cur.first != nil && line != cur.line && v != cur.first[i] {
			g.fail(line, c.name, fmt.Errorf("differs from the encounter's first row (line %d): %w", cur.line, ErrInconsistent))
			return
		}
		if v == "" || (!c.line && line != cur.line) {
			continue
		}
		if err := c.set(cur.d, &l, v); err != nil {
			g.fail(line, c.name, err)
			return
		}
	}
	cur.d.enc.Lines = append(cur.d.enc.Lines, l)
}

// unreadable handles a row whose encounter cannot be told: it drops the
// open encounter and marks the next one.
func (g *grouper) unreadable(line int, cause error) {
	g.taint, g.taintErr, g.absorbed = line, cause, false
	if g.cur != nil && g.cur.err == nil {
		g.fail(line, "", fmt.Errorf("a row of this encounter may be unreadable: %w", cause))
		g.absorbed = true
	}
}

// fail records the first problem of the open encounter.
func (g *grouper) fail(line int, col string, err error) {
	if g.cur.err == nil {
		g.cur.err = g.recordError(line, g.cur.id, col, err)
	}
}

// flush yields the open encounter, or its error.
func (g *grouper) flush() {
	cur := g.cur
	if cur == nil {
		return
	}
	g.cur = nil
	if cur.err != nil {
		g.emit(nil, cur.err)
		return
	}
	enc, err := cur.d.finish()
	if err != nil {
		col := ""
		var ce *columnError
		if errors.As(err, &ce) {
			col, err = ce.column, ce.err
		}
		g.emit(nil, g.recordError(cur.line, cur.id, col, err))
		return
	}
	enc.Line = cur.line
	g.emit(enc, nil)
}

func (g *grouper) emit(enc *pipeline.Encounter, err error) {
	if g.stopped {
		return
	}
	if !g.yield(enc, err) {
		g.stopped = true
	}
}

func (g *grouper) recordError(line int, id, col string, err error) *pipeline.RecordError {
	return &pipeline.RecordError{Source: g.src.name, Line: line, EncounterID: id, Field: col, Err: err}
}

// lineLimiter fails the read once a physical line grows longer than max
// bytes, so a file without line breaks cannot exhaust memory.
type lineLimiter struct {
	r    io.Reader
	max  int
	cur  int // bytes in the current line so far
	line int // 1-based number of the current line, minus one
	err  error
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		seg := len(b)
		if i >= 0 {
			seg = i
		}
		if l.cur+seg > l.max+1 { // allow a "\r" before "\n"
			l.err = fmt.Errorf("line %d longer than %d bytes: %w", l.line+1, l.max, ErrLineTooLong)
			return n - len(b), l.err
		}
		if i < 0 {
			l.cur += seg
			break
		}
		l.cur = 0
		l.line++
		b = b[i+1:]
	}
	return n, err
}

// compile-time check that both readers are sources.
var (
	_ pipeline.EncounterSource = (*CSV)(nil)
	_ pipeline.EncounterSource = (*JSONL)(nil)
)
