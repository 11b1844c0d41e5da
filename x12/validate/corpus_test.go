package validate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden from the shared corpus")

// corpusToday is the date 837 dates are judged against, fixed so that
// the verdicts do not change with the calendar.
var corpusToday = x12.Date{Year: 2026, Month: 3, Day: 15}

// TestCorpusVerdicts judges every file of the shared corpus and compares
// each verdict (its set kinds, the number of errors and warnings and the
// rules broken) with testdata/corpus.golden, the table CORPUS.md explains.
// Run with -update to rewrite it after a deliberate change.
func TestCorpusVerdicts(t *testing.T) {
	root := x12test.CorpusDir(t, ".")
	var lines []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if !strings.Contains(rel, string(filepath.Separator)) || strings.HasPrefix(rel, "LICENSES") {
			return nil // PROVENANCE.md, the licences
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines = append(lines, verdictLine(t, filepath.ToSlash(rel), data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "corpus.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("verdict changed:\n got  %s\n want %s", g, w)
			}
		}
		t.Log("after a deliberate change: go test ./x12/validate -run TestCorpusVerdicts -update, and update CORPUS.md")
	}
}

// verdictLine is one row of the golden table: file, kinds, verdict,
// error and warning counts, and the rules of the errors.
func verdictLine(t *testing.T, rel string, data []byte) string {
	probs, err := File(data, Options{Today: corpusToday})
	if err != nil {
		return fmt.Sprintf("%s\t-\tunreadable\t%v", rel, err)
	}
	kinds := map[string]bool{}
	if env, err := x12.CheckEnvelopes(strings.NewReader(string(data))); err == nil {
		for _, s := range env.Sets {
			kinds[Kind(s)] = true
		}
	}
	ks := slices.Sorted(mapsKeys(kinds))
	if len(ks) == 0 {
		ks = []string{"none"}
	}
	errs, warns := Counts(probs)
	rules := map[string]bool{}
	for _, p := range probs {
		if p.Severity == Error {
			rules[p.Rule] = true
		}
		if p.Position.Byte < 0 || p.Position.Byte > int64(len(data)) {
			t.Errorf("%s: %s: byte %d outside the file", rel, p.Text(), p.Position.Byte)
		}
	}
	verdict := "valid"
	if errs > 0 {
		verdict = "invalid"
	}
	return fmt.Sprintf("%s\t%s\t%s\terrors=%d\twarnings=%d\t%s", rel, strings.Join(ks, "+"), verdict, errs, warns,
		strings.Join(slices.Sorted(mapsKeys(rules)), ","))
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
