package encounters

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// result is one item yielded by a source.
type result struct {
	enc *pipeline.Encounter
	err error
}

// collect reads a source to its end.
func collect(t testing.TB, src pipeline.EncounterSource) []result {
	t.Helper()
	var out []result
	for enc, err := range src.Encounters(context.Background()) {
		if enc == nil && err == nil {
			t.Fatalf("item %d: nil encounter without an error", len(out))
		}
		if enc != nil && err != nil {
			t.Fatalf("item %d: both an encounter and an error: %v", len(out), err)
		}
		out = append(out, result{enc, err})
	}
	return out
}

// summary is a compact, comparable form of a result: "E1" for an
// encounter, "err line 4 E1 lines[0].charge" for a RecordError, "fatal"
// for any other error.
func summary(r result) string {
	if r.enc != nil {
		return r.enc.ID
	}
	var re *pipeline.RecordError
	if errors.As(r.err, &re) {
		s := "err line " + strconv.Itoa(re.Line)
		if re.EncounterID != "" {
			s += " " + re.EncounterID
		}
		if re.Field != "" {
			s += " " + re.Field
		}
		return s
	}
	return "fatal"
}

func summaries(rs []result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = summary(r)
	}
	return out
}

// errorsOf returns the errors among the results.
func errorsOf(rs []result) []error {
	var out []error
	for _, r := range rs {
		if r.err != nil {
			out = append(out, r.err)
		}
	}
	return out
}
