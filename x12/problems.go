package x12

import "errors"

// Warning is a problem a typed parser (x835, x277, x999) found that did
// not stop it: a count or control number mismatch in an envelope, a
// segment the guide does not know, an unexpected guide version. Segment is
// its position in its transaction set (ST = 1), 0 in the envelope.
type Warning struct {
	Segment   int    `json:"segment,omitempty"`
	SegmentID string `json:"segment_id,omitempty"`
	Message   string `json:"message"`
}

// MaxProblems bounds the errors, and the warnings of one transaction set,
// that a typed parser keeps, so that a hostile file cannot exhaust memory.
const MaxProblems = 1000

// AppendCapped appends v to list; when list is one short of MaxProblems it
// appends more instead (a note that more problems follow), and once list
// is full it appends nothing.
func AppendCapped[T any](list []T, v, more T) []T {
	switch {
	case len(list) < MaxProblems-1:
		return append(list, v)
	case len(list) == MaxProblems-1:
		return append(list, more)
	}
	return list
}

// AppendWarning is AppendCapped for warnings.
func AppendWarning(ws []Warning, w Warning) []Warning {
	return AppendCapped(ws, w, Warning{Message: "more warnings follow; not listed"})
}

// IsEnvelopeWarning reports whether a Reader error is a count or control
// number mismatch: the data is intact, so typed parsers report it as a
// warning of the transaction set rather than an error.
func IsEnvelopeWarning(err error) bool {
	return errors.Is(err, ErrCount) || errors.Is(err, ErrControlNumber)
}

// WarningOf turns a Reader error into a warning at its position.
func WarningOf(err error) Warning {
	w := Warning{Message: err.Error()}
	var xe *Error
	if errors.As(err, &xe) {
		w.Segment, w.SegmentID = xe.Pos.SetSegment, xe.Pos.SegmentID
	}
	return w
}
