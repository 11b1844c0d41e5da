package encounters

import "errors"

// MaxLineBytes is the longest line, without its line ending, that the
// readers accept (1 MiB).
const MaxLineBytes = 1 << 20

// The causes wrapped by the errors of this package. A *pipeline.RecordError
// wraps one of them (or x12.ErrBadAmount / x12.ErrBadDate for a bad amount
// or date).
var (
	// ErrSyntax: the line is not valid JSON or CSV.
	ErrSyntax = errors.New("malformed record")
	// ErrUnknownField: a JSON field that the encounter format does not
	// have.
	ErrUnknownField = errors.New("unknown field")
	// ErrWrongType: a JSON value of the wrong type (a number where a
	// string is expected, an object where a list is expected, ...).
	ErrWrongType = errors.New("wrong type")
	// ErrBadValue: a CSV value that does not have its column's format
	// (for example a diagnosis pointer that is not a number).
	ErrBadValue = errors.New("invalid value")
	// ErrMissingID: the encounter has no usable ID (it is empty, or
	// starts or ends with white space, or holds control characters).
	ErrMissingID = errors.New("missing or invalid encounter id")
	// ErrDuplicateID: the encounter ID was already used earlier in the
	// same file (for CSV: by rows that are not adjacent to these).
	ErrDuplicateID = errors.New("duplicate encounter id")
	// ErrLineTooLong: a line is longer than MaxLineBytes.
	ErrLineTooLong = errors.New("line too long")
	// ErrEncoding: the line is not valid UTF-8.
	ErrEncoding = errors.New("not valid UTF-8")
	// ErrInconsistent: a CSV encounter-level column differs between the
	// rows of one encounter, or the columns contradict each other.
	ErrInconsistent = errors.New("inconsistent encounter")
	// ErrHeader: the CSV header row is missing, or has unknown, repeated
	// or missing required columns. It ends the iteration.
	ErrHeader = errors.New("bad csv header")
	// ErrConsumed: Encounters was called a second time on a source that
	// reads a stream once.
	ErrConsumed = errors.New("encounter source already read")
	// ErrUnsupported: Open does not know the file's extension.
	ErrUnsupported = errors.New("unsupported encounter file type")
)
