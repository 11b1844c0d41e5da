package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// Progress shows on a terminal only: piped or redirected output gets the
// reader back untouched and nothing written.
func TestProgressQuietWithoutTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range []*streams{{err: &bytes.Buffer{}}, {err: f}} {
		in := strings.NewReader(strings.Repeat("x", progressMin+1))
		r, done := withProgress(s, "input", in, progressMin+1)
		if r != io.Reader(in) {
			t.Errorf("stderr %T: the reader was wrapped", s.err)
		}
		done()
	}
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("wrote %d bytes to a file stderr", st.Size())
	}
}
