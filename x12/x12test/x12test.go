// Package x12test helps tests find the shared corpus of real public X12
// files. The corpus lives outside the repository (../shared/corpus/x12
// beside the checkout, or $CLAIMS_CORPUS); tests that use it skip cleanly
// when it is absent. Its files belong to other people and are read in
// place, never copied into the repository.
package x12test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// CorpusDir returns the corpus folder for sub (e.g. "835", "malformed"),
// or skips the test when the corpus is not present.
func CorpusDir(tb testing.TB, sub string) string {
	tb.Helper()
	root := corpusRoot()
	if root == "" {
		tb.Skip("shared X12 corpus not found (set CLAIMS_CORPUS or check out ../shared beside the repository)")
	}
	dir := filepath.Join(root, sub)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("corpus folder %s not found", dir)
	}
	return dir
}

// CorpusFiles returns the files of a corpus folder, sorted, or skips the
// test when the corpus is not present.
func CorpusFiles(tb testing.TB, sub string) []string {
	tb.Helper()
	dir := CorpusDir(tb, sub)
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files
}

func corpusRoot() string {
	if d := os.Getenv("CLAIMS_CORPUS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	// Find the module root, then look beside it.
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(dir), "shared", "corpus", "x12")
			if _, err := os.Stat(c); err == nil {
				return c
			}
			return ""
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}
