package report

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// FuzzBuild checks that no input makes Build, WriteText or the JSON
// encoding panic or fail, and that Build's errors are in the report.
// Seeds are in testdata/fuzz.
func FuzzBuild(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, errs := Build(bytes.NewReader(data), "fuzz")
		if r == nil {
			t.Fatal("nil report")
		}
		if len(r.Errors) != len(errs) {
			t.Fatalf("report lists %d errors, Build returned %d", len(r.Errors), len(errs))
		}
		if err := r.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}
