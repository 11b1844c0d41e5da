package encounters

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"slices"
	"unicode"
	"unicode/utf8"

	segjson "github.com/segmentio/encoding/json"

	"github.com/x12claims/claims/pipeline"
)

// JSONL reads encounters from JSON Lines: one JSON object per line, in the
// encounter format of samples/README.md.
//
// Lines that are empty, white space only, or whose first non-blank
// character is '#' are skipped. A UTF-8 byte order mark before the first
// line and a "\r" before each "\n" are ignored. Decoding is strict: an
// unknown field, a value of the wrong type, an amount that is not a
// decimal string, a date that is not "YYYY-MM-DD", trailing data after the
// object, an empty or duplicate "id", invalid UTF-8 and a line longer than
// MaxLineBytes are each a *pipeline.RecordError for that line, and reading
// goes on with the next line.
type JSONL struct {
	name     string
	r        io.Reader
	consumed bool
}

// NewJSONL returns a source that reads JSON Lines from r. name is the file
// name used in errors.
func NewJSONL(name string, r io.Reader) *JSONL {
	return &JSONL{name: name, r: r}
}

// Encounters yields the encounters of the file in order. A malformed line
// yields a *pipeline.RecordError instead and iteration goes on; a read
// error, a cancelled ctx or a second call (ErrConsumed) yields a plain
// error and ends the iteration.
// Name returns the file name the source was given.
func (s *JSONL) Name() string { return s.name }

// Encounters implements pipeline.EncounterSource.
func (s *JSONL) Encounters(ctx context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		if s.consumed {
			yield(nil, fmt.Errorf("encounters %s: %w", s.name, ErrConsumed))
			return
		}
		s.consumed = true
		br := bufio.NewReaderSize(s.r, 64<<10)
		seen := map[string]int{} // encounter ID -> line
		var buf []byte
		for lineNo := 1; ; lineNo++ {
			if err := ctx.Err(); err != nil {
				yield(nil, fmt.Errorf("encounters %s: %w", s.name, err))
				return
			}
			line, tooLong, err := readLine(br, buf[:0], MaxLineBytes)
			buf = line[:0]
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("encounters %s: read line %d: %w", s.name, lineNo, err))
				return
			}
			if tooLong {
				rerr := fmt.Errorf("longer than %d bytes: %w", MaxLineBytes, ErrLineTooLong)
				if !yield(nil, s.recordError(lineNo, "", "", rerr)) {
					return
				}
				continue
			}
			if lineNo == 1 {
				line = bytes.TrimPrefix(line, []byte("\uFEFF"))
			}
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) == 0 || trimmed[0] == '#' {
				continue
			}
			enc, rerr := s.decode(lineNo, line)
			if rerr == nil {
				enc.Line = lineNo
				if first, dup := seen[enc.ID]; dup {
					rerr = s.recordError(lineNo, enc.ID, "id",
						fmt.Errorf("already used on line %d: %w", first, ErrDuplicateID))
				} else {
					seen[enc.ID] = lineNo
				}
			}
			var ok bool
			if rerr != nil {
				ok = yield(nil, rerr)
			} else {
				ok = yield(enc, nil)
			}
			if !ok {
				return
			}
		}
	}
}

// decode decodes one non-blank line, or explains why it cannot.
func (s *JSONL) decode(lineNo int, line []byte) (*pipeline.Encounter, *pipeline.RecordError) {
	if !utf8.Valid(line) {
		return nil, s.recordError(lineNo, "", "", fmt.Errorf("%w", ErrEncoding))
	}
	enc, ok := decodeFast(line)
	if !ok {
		var rerr *pipeline.RecordError
		if enc, rerr = s.decodeStd(lineNo, line); rerr != nil {
			return nil, rerr
		}
	}
	if !validID(enc.ID) {
		return nil, s.recordError(lineNo, "", "id", fmt.Errorf("%w", ErrMissingID))
	}
	return enc, nil
}

// decodeFast decodes a line that holds one valid encounter and nothing
// else but white space, with github.com/segmentio/encoding/json: about
// three times faster than encoding/json, the largest JSON cost of intake.
// It reports false for any other line, which decodeStd then decodes or
// explains with encoding/json: the errors, rare, stay those of
// encoding/json and locate, and a line only encoding/json takes (a key in
// another case outside ASCII, which segmentio folds differently) still
// decodes. The lines segmentio takes, it decodes as encoding/json does
// (TestJSONLStrictness, FuzzJSONLDecodersAgree): keys matched without
// regard to case, x12.Amount and x12.Date by their UnmarshalText from
// strings only, null as encoding/json takes it.
func decodeFast(line []byte) (*pipeline.Encounter, bool) {
	enc := new(pipeline.Encounter)
	rest, err := segjson.Parse(line, enc, segjson.DisallowUnknownFields)
	if err != nil || len(rest) != 0 { // Parse skips the white space after the value
		return nil, false
	}
	// segmentio makes room for 10 items in a slice at least: 3.6 kB for
	// the lines of an encounter that has two, and intake holds two
	// batches of encounters. Keep only what the lines use.
	enc.Lines = slices.Clone(enc.Lines)
	return enc, true
}

// decodeStd decodes line with encoding/json, or explains why it cannot.
func (s *JSONL) decodeStd(lineNo int, line []byte) (*pipeline.Encounter, *pipeline.RecordError) {
	enc := new(pipeline.Encounter)
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(enc); err != nil {
		field, cause := describe(line, err)
		return nil, s.recordError(lineNo, peekID(line), field, cause)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		cause := fmt.Errorf("data after the encounter, which ends at column %d: %w", end, ErrSyntax)
		return nil, s.recordError(lineNo, enc.ID, "", cause)
	}
	return enc, nil
}

func (s *JSONL) recordError(line int, id, field string, err error) *pipeline.RecordError {
	return &pipeline.RecordError{Source: s.name, Line: line, EncounterID: id, Field: field, Err: err}
}

// describe turns a decoding error for line into a field path and a cause
// that does not repeat input values.
func describe(line []byte, err error) (string, error) {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return "", fmt.Errorf("invalid JSON at column %d: %w", se.Offset, ErrSyntax)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", fmt.Errorf("invalid JSON: the line ends inside the encounter: %w", ErrSyntax)
	}
	if field, cause, ok := locate(line, reflect.TypeFor[pipeline.Encounter](), ""); ok {
		return field, cause
	}
	// locate and encoding/json disagree; keep what encoding/json knows
	// without its message, which may quote the value.
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field, fmt.Errorf("want %s, got %s: %w", te.Type, te.Value, ErrWrongType)
	}
	return "", fmt.Errorf("%w", ErrSyntax)
}

// peekID returns the top-level "id" of a line that failed to decode, when
// it is a string that appears before the problem, or "".
func peekID(line []byte) string {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if key, _ := tok.(string); key == "id" {
			tok, err := dec.Token()
			if id, ok := tok.(string); err == nil && ok && validID(id) {
				return id
			}
			return ""
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

// validID reports whether id can name an encounter: not empty, no white
// space at either end, no control characters.
func validID(id string) bool {
	if id == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(id)
	last, _ := utf8.DecodeLastRuneInString(id)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return false
	}
	for _, c := range id {
		if unicode.IsControl(c) {
			return false
		}
	}
	return true
}

// readLine reads one line from br into buf, without its "\n" or "\r\n".
// A line longer than limit is read to its end and dropped: readLine then
// returns tooLong and no data. It returns io.EOF only when no byte is
// left.
func readLine(br *bufio.Reader, buf []byte, limit int) (line []byte, tooLong bool, err error) {
	read := false
	for {
		chunk, err := br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if !tooLong {
			if len(buf)+len(chunk) > limit+2 { // room for "\r\n"
				tooLong = true
				buf = buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && read:
			err = nil
		case err != nil:
			return buf, false, err
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if !tooLong && len(buf) > limit {
			tooLong = true
		}
		if tooLong {
			return buf[:0], true, nil
		}
		return buf, false, nil
	}
}
