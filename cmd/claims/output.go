package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

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
		fmt.Fprintf(w, "  %s: %s", field, r.Text)
		if r.Code != "" || r.Location != "" {
			fmt.Fprintf(w, " [%s]", strings.TrimSpace(r.Code+" "+r.Location))
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
