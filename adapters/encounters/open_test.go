package encounters

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	jsonl := write("a.jsonl", withID("J1")+"\n")
	ndjson := write("b.NDJSON", withID("N1")+"\n")
	csvPath := write("c.csv", csvHeader()+csvRow(t, "C1"))
	if err := os.Mkdir(filepath.Join(dir, "d.csv"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		want    []string
		wantErr error
	}{
		{jsonl, []string{"J1"}, nil},
		{ndjson, []string{"N1"}, nil},
		{csvPath, []string{"C1"}, nil},
		{write("e.json", "{}"), nil, ErrUnsupported},
		{write("noext", ""), nil, ErrUnsupported},
		{filepath.Join(dir, "missing.jsonl"), nil, fs.ErrNotExist},
		{filepath.Join(dir, "d.csv"), nil, nil}, // a directory: an error, no panic
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			src, closer, err := Open(tt.path)
			if tt.want == nil {
				if err == nil {
					closer.Close()
					t.Fatal("got no error")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer closer.Close()
			if got := summaries(collect(t, src)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpenNamesTheFileInRecordErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "batch-7.jsonl")
	if err := os.WriteFile(p, []byte("{oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src, closer, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	got := collect(t, src)
	if len(got) != 1 || got[0].err == nil {
		t.Fatalf("got %q, want one error", summaries(got))
	}
	if want := "batch-7.jsonl:1: "; len(got[0].err.Error()) < len(want) || got[0].err.Error()[:len(want)] != want {
		t.Errorf("got %q, want it to start with %q", got[0].err, want)
	}
}
