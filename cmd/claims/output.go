package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

// safeText returns s with every control character, Unicode format
// character (bidi overrides such as U+202E, zero-width characters) and
// invalid UTF-8 byte escaped visibly, as strconv.Quote would escape them
// (\x1b, \x00, \n, \u202e) but without the quotes. Printable text,
// Unicode included, is kept as is. Every text output of file content goes
// through it, so that a file cannot clear the screen, retitle the window
// or reorder what the terminal shows. JSON output escapes on its own.
func safeText(s string) string {
	return escapeText(s, false)
}

// escapeText is safeText; keepLines keeps line breaks and tabs, for
// multi-line text whose layout is ours.
func escapeText(s string, keepLines bool) string {
	clean := true
	for _, r := range s {
		if needsEscape(r, keepLines) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r, keepLines) && (r == 0x7f || r > 0xffff):
			// As JSON escapes them (\u007f, a UTF-16 pair), so that the
			// escaped text of a JSON string is still JSON.
			r1, r2 := utf16.EncodeRune(r)
			if r1 == unicode.ReplacementChar {
				r1 = r
			}
			fmt.Fprintf(&b, `\u%04x`, r1)
			if r > 0xffff {
				fmt.Fprintf(&b, `\u%04x`, r2)
			}
		case needsEscape(r, keepLines):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(r rune, keepLines bool) bool {
	if keepLines && (r == '\n' || r == '\t') {
		return false
	}
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		r == '\u2028' || r == '\u2029'
}

// safeWriter escapes what is written to it with escapeText, keeping line
// breaks and tabs; it holds back an incomplete line (so that a character
// is never split) until Flush.
type safeWriter struct {
	w   io.Writer
	buf []byte
}

func newSafeWriter(w io.Writer) *safeWriter { return &safeWriter{w: w} }

func (s *safeWriter) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	if i := bytes.LastIndexByte(s.buf, '\n'); i >= 0 {
		if _, err := io.WriteString(s.w, escapeText(string(s.buf[:i+1]), true)); err != nil {
			return 0, err
		}
		s.buf = append(s.buf[:0], s.buf[i+1:]...)
	}
	return len(p), nil
}

// Flush writes what is held back.
func (s *safeWriter) Flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(s.w, escapeText(string(s.buf), true))
	s.buf = s.buf[:0]
	return err
}

// safeStreams returns streams whose out escapes file content, and the
// function that flushes it.
func safeStreams(s *streams) (*streams, func()) {
	sw := newSafeWriter(s.out)
	return &streams{in: s.in, out: sw, err: s.err}, func() { sw.Flush() }
}

// writeJSON prints v as indented JSON.
func writeJSON(s *streams, v any) error {
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes aligned columns; its rows are tab-separated.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cols ...string) { fmt.Fprintln(t.tw, strings.Join(cols, "\t")) }

func (t *table) flush() { t.tw.Flush() }

// when formats a time for a table, in the local zone; "" for zero.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

// clip shortens s to n characters for a table column.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// id formats a reference, "" for none.
func id(v int64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

// parseID reads a positive integer argument.
func parseID(what, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive number", what, s)
	}
	return n, nil
}

// explain turns the pipeline's refusals into exit code 2 with a message
// that says what to do, and a claim whose correction fails the scrubber
// into exit code 1 after its problems were printed.
func explain(err error) error {
	var se *pipeline.ScrubError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return errAttention
	case errors.Is(err, pipeline.ErrNotFound):
		return &exitError{code: exitFailure, err: fmt.Errorf("%w (nothing was changed)", err)}
	case errors.Is(err, pipeline.ErrConflict):
		return &exitError{code: exitFailure, err: fmt.Errorf("%w (nothing was changed; look again and retry)", err)}
	}
	return &exitError{code: exitFailure, err: err}
}

// printProblems lists problems by field, for a person to fix.
func printProblems(w io.Writer, problems []pipeline.Reason) {
	for _, r := range problems {
		field := r.Field
		if field == "" {
			field = "(claim)"
		}
		fmt.Fprintf(w, "  %s: %s%s", safeText(field), severityLabel(r), safeText(r.Text))
		if r.Code != "" || r.Location != "" {
			fmt.Fprintf(w, " [%s]", safeText(strings.TrimSpace(r.Code+" "+r.Location)))
		}
		fmt.Fprintln(w)
	}
}

// withApp opens the app the flags name, runs fn with it and closes it.
func (g *globals) withApp(cmd *cobra.Command, s *streams, fn func(ctx context.Context, a *app) error) error {
	a, err := g.open(cmd.Context(), s)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(cmd.Context(), a)
}

// print writes v as JSON with --json, and calls text otherwise.
func (g *globals) print(s *streams, v any, text func()) error {
	if g.json {
		return writeJSON(s, v)
	}
	text()
	return nil
}
