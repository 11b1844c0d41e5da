package pipeline

import (
	"context"
	"io"
	"iter"
	"strconv"

	"github.com/x12claims/claims/x12/x837"
)

// Encounter is one visit to bill: the claim data as the practice entered
// it, with the practice's own encounter identifier. The encounter format
// is documented in samples/README.md.
type Encounter struct {
	// ID is the practice's encounter identifier, unique per practice.
	ID string `json:"id"`
	x837.Claim
	// Line is where the encounter starts in its file (1-based line of
	// JSON Lines, row of CSV), for the messages about it; 0 when
	// unknown. It is not part of the encounter's content.
	Line int `json:"-"`
}

// RecordError is a malformed input record. The pipeline holds that record
// back and goes on with the rest.
type RecordError struct {
	Source      string // file name
	Line        int    // 1-based line (JSON Lines) or row (CSV) number; 0 when unknown
	EncounterID string // when it could be read
	Field       string // JSON path of the bad field, when known
	Err         error
}

func (e *RecordError) Error() string {
	s := e.Source
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.EncounterID != "" {
		s += " encounter " + e.EncounterID
	}
	if e.Field != "" {
		s += " field " + e.Field
	}
	return s + ": " + e.Err.Error()
}

func (e *RecordError) Unwrap() error { return e.Err }

// EncounterSource yields encounters. A *RecordError for one record is
// yielded in its place and iteration goes on; any other error ends the
// iteration.
//
// A source that also has a Name() string method (the file name) gets it
// recorded with each encounter.
type EncounterSource interface {
	Encounters(ctx context.Context) iter.Seq2[*Encounter, error]
}

// sourceName returns the source's name, when it has one.
func sourceName(src EncounterSource) string {
	if n, ok := src.(interface{ Name() string }); ok {
		return n.Name()
	}
	return ""
}

// EncounterFeed gives the encounter files of one intake run: the files
// waiting, and a way to open each as an EncounterSource. Reading the same
// file again is harmless: intake takes each encounter once, and a changed
// one as a correction.
type EncounterFeed interface {
	// Files returns the names of the files waiting, in intake order.
	Files(ctx context.Context) ([]string, error)
	// Open opens one of them.
	Open(ctx context.Context, name string) (EncounterSource, io.Closer, error)
}
