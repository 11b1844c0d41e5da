package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestZZProfBuild(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PROF_N"))
	if n == 0 {
		t.Skip()
	}
	dir := t.TempDir()
	if _, err := generateEncounters(t.Context(), dir, n, n, 1); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	s := &streams{out: &out, err: &errb}
	o := buildOptions{partner: *demoPartner(nil), encounters: filepath.Join(dir, "encounters-0001.jsonl"), out: filepath.Join(dir, "out.x12"), dir: filepath.Join(dir, "w")}
	o.partner.Usage = "T"
	if err := runBuild(t.Context(), o, s); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String()[max(0, out.Len()-400):])
}
