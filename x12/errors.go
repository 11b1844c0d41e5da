package x12

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel causes. Every error the Reader and the Writer return is an
// *Error whose cause (reachable with errors.Is) is one of these.
var (
	// ErrNoISA means an ISA segment was expected and something else was
	// found: the input is empty or not X12, or there is text before the
	// first interchange or after the IEA of one.
	ErrNoISA = errors.New("ISA segment expected")
	// ErrBadISA means the ISA segment is too short or malformed, so the
	// delimiters cannot be taken from it.
	ErrBadISA = errors.New("malformed ISA segment")
	// ErrBadDelimiters means delimiters (declared in an ISA, or given to
	// the Writer) are not distinct, or are letters, digits, spaces, NUL,
	// or a line break other than the segment terminator.
	ErrBadDelimiters = errors.New("invalid delimiters")
	// ErrSegmentTooLong means a segment exceeds Reader.MaxSegmentSize.
	ErrSegmentTooLong = errors.New("segment too long")
	// ErrEmptySegment means two segment terminators follow each other
	// with nothing between them. The Reader skips the empty segment.
	ErrEmptySegment = errors.New("empty segment")
	// ErrTrailingSeparator means a segment or element ends with a
	// separator; X12 requires trailing empty elements, components and
	// repetitions to be omitted. Only Reader.Strict reports it.
	ErrTrailingSeparator = errors.New("trailing separator")
	// ErrTooManyErrors means the Reader stopped after collecting
	// Reader.MaxErrors errors.
	ErrTooManyErrors = errors.New("too many errors")
	// ErrRead means the underlying io.Reader failed. The error also
	// unwraps to the io.Reader's own error.
	ErrRead = errors.New("read error")
	// ErrWrite means the Writer's underlying io.Writer failed. The error
	// also unwraps to the io.Writer's own error.
	ErrWrite = errors.New("write error")
	// ErrBadSegmentID means a segment identifier is not two or three
	// upper-case letters or digits.
	ErrBadSegmentID = errors.New("invalid segment identifier")
	// ErrUnexpectedSegment means a segment appears where the envelope
	// structure allows none: a segment outside a transaction set, an ST
	// outside a functional group, a GE or SE with nothing open, a TA1
	// inside a functional group.
	ErrUnexpectedSegment = errors.New("unexpected segment")
	// ErrMissingTrailer means an ISA, GS or ST was not closed by its IEA,
	// GE or SE.
	ErrMissingTrailer = errors.New("missing trailer")
	// ErrControlNumber means a trailer's control number differs from its
	// header's (ISA13/IEA02, GS06/GE02, ST02/SE02).
	ErrControlNumber = errors.New("control number mismatch")
	// ErrCount means a trailer's count differs from what the envelope
	// holds (IEA01, GE01, SE01).
	ErrCount = errors.New("count mismatch")
	// ErrBadNumber means a numeric envelope element is not a number.
	ErrBadNumber = errors.New("invalid number")
	// ErrDelimiterInData means the Writer was given data that contains a
	// delimiter character or a line break.
	ErrDelimiterInData = errors.New("delimiter character in data")
	// ErrBadValue means the Writer was given a value that does not fit its
	// element (for example a fixed-width ISA element that is too long).
	ErrBadValue = errors.New("invalid value")
	// ErrEnvelope means the Writer's envelope calls are out of order.
	ErrEnvelope = errors.New("envelope out of order")

	// ErrNoTransaction means a typed response parser (x835, x999, x997,
	// x277, ta1) found nothing of its kind in the input, which may be
	// another kind of X12 file. Each parser's own ErrNoTransaction, made
	// by NoTransaction, names the kind and matches this one with
	// errors.Is.
	ErrNoTransaction = errors.New("no transaction of the expected kind")
	// ErrStructure is the cause of a typed parser's error about the order
	// of a transaction set: a segment where its guide allows none, or a
	// required segment that is missing or malformed. The parsers share
	// this one value.
	ErrStructure = errors.New("segment out of place")
)

// sentinelErrors lists the sentinel causes, most specific first.
func sentinelErrors() []error {
	return []error{
		ErrNoISA, ErrBadISA, ErrBadDelimiters, ErrSegmentTooLong, ErrEmptySegment, ErrTrailingSeparator,
		ErrTooManyErrors, ErrRead, ErrWrite, ErrBadSegmentID, ErrUnexpectedSegment, ErrMissingTrailer,
		ErrControlNumber, ErrCount, ErrBadNumber, ErrDelimiterInData, ErrBadValue, ErrEnvelope,
	}
}

// Position locates a segment, element and component in an X12 stream.
// Ordinals are 1-based; zero means "not applicable".
type Position struct {
	Interchange int    // index of the interchange in the file
	Segment     int    // ordinal of the segment in the file
	SetSegment  int    // ordinal of the segment in its transaction set (ST = 1)
	SegmentID   string // segment identifier, e.g. "CLM"
	Element     int    // element position, e.g. 2 for CLM02
	Component   int    // component position within the element
	Offset      int64  // byte offset of the segment (or element) in the input; for the Writer, of the segment in the output
}

// String formats the position as "segment N (ID) element E, byte B".
func (p Position) String() string {
	var b strings.Builder
	if p.Segment > 0 {
		b.WriteString("segment ")
		b.WriteString(strconv.Itoa(p.Segment))
		if p.SegmentID != "" {
			b.WriteString(" (")
			b.WriteString(p.SegmentID)
			b.WriteString(")")
		}
	}
	if p.Element > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("element ")
		b.WriteString(strconv.Itoa(p.Element))
		if p.Component > 0 {
			b.WriteString("-")
			b.WriteString(strconv.Itoa(p.Component))
		}
	}
	if b.Len() > 0 {
		b.WriteString(", ")
	}
	b.WriteString("byte ")
	b.WriteString(strconv.FormatInt(p.Offset, 10))
	return b.String()
}

// Error is the one error type of this package: a cause with the position
// where it was found. Use errors.Is with the sentinel causes and errors.As
// with *Error, *CountError and *ControlError.
type Error struct {
	Pos Position
	Err error
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// CountError is the cause of a trailer count that differs from the
// envelope's content. It unwraps to ErrCount.
type CountError struct {
	Element  string // the trailer element, e.g. "SE01"
	Declared int    // the value in the trailer
	Counted  int    // the value the reader counted
	What     string // what was counted, e.g. "segments"
}

func (e *CountError) Error() string {
	return fmt.Sprintf("%s is %d but the envelope holds %d %s", e.Element, e.Declared, e.Counted, e.What)
}

// Unwrap returns ErrCount.
func (e *CountError) Unwrap() error { return ErrCount }

// ControlError is the cause of a trailer control number that differs from
// its header's. It unwraps to ErrControlNumber.
type ControlError struct {
	Header, Trailer           string // element names, e.g. "ST02", "SE02"
	HeaderValue, TrailerValue string
}

func (e *ControlError) Error() string {
	return e.Trailer + " " + quoteCtl(e.TrailerValue) + " does not match " + e.Header + " " + quoteCtl(e.HeaderValue)
}

// Unwrap returns ErrControlNumber.
func (e *ControlError) Unwrap() error { return ErrControlNumber }

// detail wraps a sentinel with a message, keeping errors.Is working.
type detail struct {
	err error
	msg string
}

func (d *detail) Error() string { return d.err.Error() + ": " + d.msg }
func (d *detail) Unwrap() error { return d.err }

func withDetail(err error, format string, args ...any) error {
	return &detail{err: err, msg: fmt.Sprintf(format, args...)}
}

// wrapped gives a sentinel cause to an error from elsewhere (an io.Reader
// or io.Writer); errors.Is finds both.
type wrapped struct {
	sentinel, err error
}

func (w *wrapped) Error() string   { return w.sentinel.Error() + ": " + w.err.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.sentinel, w.err} }

// NoTransaction returns the ErrNoTransaction of a typed parser: its
// message is "no <what> in the input", and errors.Is matches both it and
// x12.ErrNoTransaction.
func NoTransaction(what string) error { return noTransaction{what} }

type noTransaction struct{ what string }

func (e noTransaction) Error() string        { return "no " + e.what + " in the input" }
func (e noTransaction) Is(target error) bool { return target == ErrNoTransaction }
