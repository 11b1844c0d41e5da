package encounters

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/x12claims/claims/pipeline"
)

// Glob is a pipeline.EncounterFeed of the files that match its patterns
// (filepath.Glob syntax), in name order, each once.
type Glob struct {
	Patterns []string
}

var _ pipeline.EncounterFeed = Glob{}

// Files implements pipeline.EncounterFeed. A malformed pattern is an
// error naming it.
func (g Glob) Files(context.Context) ([]string, error) {
	var files []string
	for _, pat := range g.Patterns {
		m, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("encounters pattern %q: %w", pat, err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// Open implements pipeline.EncounterFeed (see Open).
func (g Glob) Open(_ context.Context, name string) (pipeline.EncounterSource, io.Closer, error) {
	return Open(name)
}

// FS is a pipeline.EncounterFeed of named files in a file system (the
// embedded samples of the demo), read under Prefix+name.
type FS struct {
	FS     fs.FS
	Names  []string
	Prefix string // e.g. "samples/": the name recorded with each encounter
}

var _ pipeline.EncounterFeed = FS{}

// Files implements pipeline.EncounterFeed.
func (f FS) Files(context.Context) ([]string, error) { return f.Names, nil }

// Open implements pipeline.EncounterFeed, by extension as Open does.
func (f FS) Open(_ context.Context, name string) (pipeline.EncounterSource, io.Closer, error) {
	r, err := f.FS.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("open encounters: %w", err)
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".jsonl", ".ndjson":
		return NewJSONL(f.Prefix+name, r), r, nil
	case ".csv":
		return NewCSV(f.Prefix+name, r), r, nil
	}
	r.Close()
	return nil, nil, fmt.Errorf("open encounters %s: extension %q (want .jsonl, .ndjson or .csv): %w", name, path.Ext(name), ErrUnsupported)
}

// DecodeEncounter reads one encounter given as a JSON object (a file
// holding one encounter, pretty-printed or not), strictly: an unknown
// field, a value of the wrong type, a bad amount or date is a
// *pipeline.RecordError naming the field, as for JSON Lines.
func DecodeEncounter(name string, data []byte) (*pipeline.Encounter, error) {
	s := &JSONL{name: name}
	enc, rerr := s.decode(1, data)
	if rerr != nil {
		return nil, rerr
	}
	return enc, nil
}
