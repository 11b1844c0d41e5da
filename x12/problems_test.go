package x12

import (
	"fmt"
	"testing"
)

func TestProblems(t *testing.T) {
	count := &Error{Pos: Position{SetSegment: 7, SegmentID: "SE"}, Err: fmt.Errorf("SE01 says 9: %w", ErrCount)}
	if !IsEnvelopeWarning(count) || IsEnvelopeWarning(&Error{Err: ErrEmptySegment}) {
		t.Errorf("IsEnvelopeWarning: a count mismatch is a warning, an empty segment is not")
	}
	if w := WarningOf(count); w.Segment != 7 || w.SegmentID != "SE" || w.Message != count.Error() {
		t.Errorf("WarningOf = %+v", w)
	}
	var ws []Warning
	for range MaxProblems + 5 {
		ws = AppendWarning(ws, Warning{Message: "x"})
	}
	if len(ws) != MaxProblems || ws[MaxProblems-1].Message != "more warnings follow; not listed" || ws[MaxProblems-2].Message != "x" {
		t.Errorf("AppendWarning kept %d, last %q", len(ws), ws[len(ws)-1].Message)
	}
}
