// Package x12 reads and writes ASC X12 interchanges, such as the HIPAA
// 837, 835, 999, 277CA and TA1 files, as a stream of segments. It knows
// the envelopes (ISA/IEA, GS/GE, ST/SE) and nothing of any transaction
// set: the sub-packages build on it. It uses only the standard library
// and never logs.
//
// # Reading
//
// A Reader returns one segment per call to Next and io.EOF after the
// last. A segment is an identifier and elements; elements may hold
// components and repetitions. Elements are numbered as in the
// implementation guides: Element(1) of a CLM segment is CLM01, Component(5,
// 3) is CLM05-3, and RepComponent(2, 2, 1) is the first component of the
// second repetition of the second element.
//
// The slices returned by Element, Component and Repetition point into the
// Reader's buffer: reading them allocates nothing, and they are valid only
// until the next call to Next. Segment.String, ComponentString and Clone
// copy. Absent parts are nil; present but empty parts are empty, non-nil
// slices.
//
// The Reader accepts this format:
//
//   - The input is one or more interchanges. Each begins with an ISA
//     segment, from which the Reader takes that interchange's delimiters.
//     The element separator is the byte after "ISA" (byte 3). The
//     component separator is ISA16, the byte after the sixteenth element
//     separator, and the segment terminator is the byte after ISA16. The
//     repetition separator is ISA11, but only when ISA12 is a version of
//     00402 or later (five digits) and ISA11 is not a letter, digit or
//     space; otherwise (4010 files, ISA11 "U") the interchange has none
//     and ISA11 is data. Each interchange may use different delimiters.
//   - Delimiters must be distinct, and none may be a letter, digit, space
//     or NUL. Only the segment terminator may be a line break (CR or LF).
//   - The Reader finds ISA16 by counting element separators, not at the
//     fixed offset 104, so an ISA whose elements are padded to the wrong
//     widths still reads (Strict reports it). A line break inside the ISA
//     is an error (ErrBadISA): the file was wrapped or cut.
//   - Between segments, any run of spaces, tabs, CRs and LFs is skipped:
//     CR, LF or CRLF after each terminator, indentation and blank lines
//     are all accepted. When the terminator is LF, a CR before it is
//     dropped too, so CRLF files with a newline terminator read the same.
//   - A UTF-8 byte order mark at byte 0 is skipped; BOM reports it. Byte
//     offsets still count its three bytes, so they are offsets in the file.
//   - White space before the first ISA is skipped. Anything else before
//     the first ISA, or after an IEA where only another ISA may follow, is
//     a fatal error (ErrNoISA) that names the offset. Empty input is the
//     same error.
//   - The last segment may lack its terminator; trailing white space is
//     then dropped.
//   - Two terminators in a row are an empty segment: it is reported
//     (ErrEmptySegment) and skipped, and counts nowhere.
//   - A segment identifier must be two or three upper-case letters or
//     digits (ErrBadSegmentID).
//   - A segment longer than MaxSegmentSize (DefaultMaxSegmentSize, 1 MiB)
//     is a fatal error (ErrSegmentTooLong), never a silent truncation.
//
// The Reader checks the envelopes as it goes: ISA13 = IEA02 and IEA01 =
// the number of functional groups; GS06 = GE02 and GE01 = the number of
// transaction sets; ST02 = SE02 and SE01 = the number of segments from ST
// to SE inclusive. A mismatch is a *CountError (ErrCount) or a
// *ControlError (ErrControlNumber) carrying both values. It also reports
// trailers that never come (ErrMissingTrailer: at the next ISA, or at the
// end of the input), segments outside a transaction set, an ST outside a
// group, and a TA1 inside a group (ErrUnexpectedSegment). A TA1-only
// interchange (ISA, TA1..., IEA*0) is valid.
//
// Where it deviates from the standard, it is more lenient by default and
// strict with the Strict option:
//
//   - X12 wants the ISA at byte 0; the Reader skips white space and a BOM
//     first (pyx12, for one, rejects both).
//   - X12 fixes every ISA element's width; the Reader accepts any widths.
//     Strict reports each wrong width (ErrBadISA).
//   - X12 forbids trailing element, component and repetition separators
//     (NM1*82*1*~); the Reader accepts them. Strict reports them
//     (ErrTrailingSeparator). The Writer never writes them.
//   - The Reader compares control numbers as numbers when both are numeric
//     ("000000011" matches "11"); Strict compares them character for
//     character.
//
// It does not check what belongs to a validator or to a transaction-set
// package: the values of ISA and GS elements (qualifiers, dates, versions,
// usage), the uniqueness of control numbers, data against the X12
// character sets, or loops, element usage and codes.
//
// # Errors
//
// Every error is an *Error: a cause and the Position where it was found
// (interchange index, segment ordinal in the file and in its transaction
// set, segment ID, element, component and byte offset). The causes are
// the sentinel errors ErrNoISA ... ErrEnvelope, reachable with errors.Is;
// *CountError and *ControlError are reachable with errors.As. Error
// strings have the form "segment N (ID) element E, byte B: message",
// with the parts that do not apply left out; FormatError prefixes a file
// name, as `claims parse` prints errors.
//
// Errors never carry element values, which may be PHI, with two
// exceptions that cannot be: control numbers, and at most three bytes of
// unexpected text (a segment ID of up to three bytes, or the start of the
// text where an ISA was expected).
//
// In StopAtFirst mode (the default) Next returns the first error and then
// returns it again from every call. In CollectAll mode Next returns only
// fatal errors (text where an ISA must be, a bad ISA, a segment over the
// limit, a read error, ErrTooManyErrors) and keeps the others in Errors,
// returning each segment as read, so one pass diagnoses a whole file.
// MaxErrors (DefaultMaxErrors, 1000) bounds what is kept.
//
// # Memory
//
// The Reader holds one read chunk (64 KiB) and the current segment. The
// buffer grows only for a segment longer than a chunk, and never beyond
// MaxSegmentSize plus one chunk, so a 1 GB file streams in constant
// memory. Reading a segment allocates nothing once the reader has seen the
// segment IDs in use (identifiers are interned).
//
// # Writing
//
// A Writer writes segments with chosen Delimiters (DefaultDelimiters is
// * : ^ ~), element by element (Begin, Element, Composite, Repeated,
// RepeatedComposite, End), in one call (Segment), or from a Segment read
// elsewhere (WriteSegment, which re-encodes components and repetitions,
// so it converts between delimiter sets). It refuses data that contains a
// delimiter or a line break with ErrDelimiterInData, naming the segment,
// element and component but never the value. Begin..End drops trailing
// empty elements, components and repetitions.
//
// BeginInterchange, BeginGroup and BeginSet write ISA, GS and ST with the
// caller's control numbers; EndSet, EndGroup and EndInterchange write SE,
// GE and IEA with SE01, GE01 and IEA01 computed. The ISA is padded to its
// fixed widths (106 bytes with the terminator) and ISA13 zero-padded to
// nine digits. For ISA12 before 00402 the Writer writes ISA11 "U" and uses
// no repetition separator. Newline adds a line feed after each
// terminator, for people; partners generally want it off.
//
// The Writer is buffered and its first error sticks, as in encoding/csv:
// check the error of Flush.
//
// # Outline
//
// Outline reads a whole file in CollectAll mode and returns its Structure
// (interchanges, groups and sets with per-ID segment counts) and every
// error; Structure.WriteText prints it for people and its JSON tags give
// the machine form. This is `claims parse`.
//
// # Performance
//
// BenchmarkReader and BenchmarkWriter use a generated 835 of 10.5 MB
// (testdata/sample835.edi, our own text, with its claims repeated: about
// 418,000 segments of 25 bytes on average). Reproduce with
//
//	go test ./x12 -run '^$' -bench 'Reader|Writer' -count 6 | benchstat -
//
// On the 2-core development machine (Intel Xeon, go1.26.8, linux/amd64),
// shared with other builds at a load average near 10 while measured, so
// wall-clock figures are the best of six runs and cpu-MB/s (bytes per
// second of process CPU time, which the load does not stretch) the median:
//
//	                                       MB/s (best)  cpu-MB/s  ns/segment  allocs/op
//	Reader/lines    one segment per line       350        427         71         59
//	Reader/oneline  the whole file on a line   461        426         52         59
//	Writer/segments WriteSegment               196        354          -         22
//	Writer/elements Begin/Element/End          172        359          -         22
//
// The allocations per op are the Reader's or Writer's fixed set-up (read
// buffer, ID table, envelope headers), whatever the size of the file:
// reading a segment allocates nothing in steady state
// (TestReaderSteadyStateAllocs), and a streamed 1 GB file is read with
// under 1 MiB allocated in all (TestReaderConstantMemory with
// X12_STREAM_1GB=1). For scale: azoner/gox12 reads about 30 MB/s, a bare
// zero-allocation tokenizer about 450 MB/s, moov-io/x12 about 3 MB/s.
package x12
