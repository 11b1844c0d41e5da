// Package setread is the read loop the typed response parsers (x999,
// x997, x277, ta1) share: it hands each segment to the parser, files the
// reader's envelope warnings on the set being read, keeps its other
// recoverable errors (capped at x12.MaxProblems), and stops at the end of
// the input or at a fatal error.
package setread

import (
	"errors"
	"io"

	"github.com/x12claims/claims/x12"
)

// Loop is one parser's side of the loop.
type Loop struct {
	// Reader is in x12.CollectAll mode.
	Reader *x12.Reader
	// Segment takes each segment.
	Segment func(*x12.Segment)
	// End closes what is open when the input ends, or stops at a fatal
	// error.
	End func()
	// Warn files an envelope warning on the set being read, or reports
	// false when there is none (the warning is then an error).
	Warn func(error) bool
	// More stands for the errors past x12.MaxProblems.
	More error
}

// Run reads every segment, appending the reader's recoverable errors to
// errs, and returns the fatal error that stopped it, if any.
func (l Loop) Run(errs *[]error) error {
	seen := 0
	take := func(err error) {
		all := l.Reader.Errors()
		for _, e := range all[seen:] {
			if e == err {
				continue
			}
			if x12.IsEnvelopeWarning(e) && l.Warn(e) {
				continue
			}
			*errs = x12.AppendCapped(*errs, e, l.More)
		}
		seen = len(all)
	}
	for {
		seg, err := l.Reader.Next()
		take(err)
		if err == io.EOF {
			l.End()
			return nil
		}
		if err != nil {
			l.End()
			return err
		}
		l.Segment(seg)
	}
}

// Read runs the loop and returns what a parser's Read returns: the
// errors in errs (the parser's own, and the reader's) joined, with the
// fatal error that stopped it last; none (the parser's ErrNoTransaction)
// when found reports that nothing of its kind was read and nothing went
// wrong; nil otherwise.
func (l Loop) Read(errs *[]error, found func() bool, none error) error {
	if err := l.Run(errs); err != nil {
		return errors.Join(append(*errs, err)...)
	}
	if !found() && len(*errs) == 0 {
		return none
	}
	return errors.Join(*errs...)
}
