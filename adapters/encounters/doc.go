// Package encounters reads encounter files into the pipeline: JSON Lines
// (one encounter per line) and CSV (one row per service line). Both
// implement pipeline.EncounterSource. The encounter format itself, with
// every field, is documented in samples/README.md.
//
// # Malformed records
//
// A record that cannot be read as an encounter (bad JSON, an unknown
// field, an amount or date that does not parse, a duplicate encounter ID,
// a CSV row with the wrong number of columns, ...) is yielded as a
// *pipeline.RecordError in its place, with the file name, the 1-based
// line, the encounter ID when it could be read and the field: a JSON path
// such as "lines[0].charge" (array indices are 0-based) for JSON Lines, the
// column name for CSV. Iteration then goes on with the next record.
// Anything else (the file cannot be read, a CSV header is wrong, a line is
// longer than MaxLineBytes in a CSV file, the context is cancelled) ends
// the iteration with a plain error.
//
// The readers only check that a record is well formed. Business rules
// (NPI check digits, a missing member ID, a total that does not match the
// lines) belong to the scrubber, so such encounters are yielded normally.
//
// Error messages never repeat values from the input (they may be names,
// birth dates or member IDs); they name the file, line, encounter ID and
// field only.
//
// # Limits
//
// A line may be at most MaxLineBytes long. In JSON Lines a longer line is
// a RecordError and the reader goes on; in CSV it ends the iteration,
// because the row boundaries can no longer be trusted.
//
// A source reads its io.Reader once: a second call to Encounters yields
// ErrConsumed. Sources are not safe for concurrent use.
package encounters
