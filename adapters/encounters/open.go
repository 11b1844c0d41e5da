package encounters

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/x12claims/claims/pipeline"
)

// Open opens an encounter file and returns a source for it, chosen by the
// file's extension (case-insensitive): ".jsonl" or ".ndjson" for JSON
// Lines, ".csv" for CSV. Errors name the file's base name as their
// source. The caller closes the returned io.Closer when done.
//
// Open returns an error wrapping ErrUnsupported for any other extension,
// and the os error (for example fs.ErrNotExist) when the file cannot be
// opened or is a directory.
//
// watch, when given, wraps the file's reader (of size bytes), for
// example to show progress.
func Open(path string, watch ...func(r io.Reader, size int64) io.Reader) (pipeline.EncounterSource, io.Closer, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".jsonl" && ext != ".ndjson" && ext != ".csv" {
		return nil, nil, fmt.Errorf("open encounters %s: extension %q (want .jsonl, .ndjson or .csv): %w",
			path, ext, ErrUnsupported)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open encounters: %w", err)
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = fmt.Errorf("%s is a directory", path)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open encounters: %w", err)
	}
	name := filepath.Base(path)
	var r io.Reader = f
	for _, w := range watch {
		r = w(r, st.Size())
	}
	if ext == ".csv" {
		return NewCSV(name, r), f, nil
	}
	return NewJSONL(name, r), f, nil
}
