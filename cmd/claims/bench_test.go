package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestBenchJSON runs "claims bench" on 50 encounters per store and checks
// the shape of its JSON and that every claim built got its final
// answer: posted from an 835, or rejected. It checks no speed.
func TestBenchJSON(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"bench", "--claims", "50", "--store", store, "--json", "--dir", dir}
			if store == "postgres" {
				u := os.Getenv("CLAIMS_TEST_POSTGRES_URL")
				if u == "" {
					pipelinetest.NeedIntegration(t, "PostgreSQL", errors.New("CLAIMS_TEST_POSTGRES_URL is not set"))
				}
				args = append(args, "--postgres-url", u)
			}
			var out, errb bytes.Buffer
			if code := run(t.Context(), args, nil, &out, &errb); code != 0 {
				t.Fatalf("claims %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
			}
			for _, key := range []string{"claims", "seconds_total", "claims_per_second", "peak_rss_mb", "stages"} {
				if _, ok := raw[key]; !ok {
					t.Errorf("JSON lacks %q: %s", key, out.String())
				}
			}
			var rep benchReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			var stages []string
			for st, sec := range rep.Stages {
				stages = append(stages, st)
				if sec < 0 {
					t.Errorf("stage %s took %v s", st, sec)
				}
			}
			slices.Sort(stages)
			want := slices.Clone(benchStages)
			slices.Sort(want)
			if !slices.Equal(stages, want) {
				t.Errorf("stages %v, want %v", stages, want)
			}
			if rep.Claims != 50 || rep.SecondsTotal <= 0 || rep.ClaimsPerSecond <= 0 || rep.PeakRSSMB <= 0 {
				t.Errorf("claims %d, seconds_total %v, claims_per_second %v, peak_rss_mb %v; want 50 and positive figures",
					rep.Claims, rep.SecondsTotal, rep.ClaimsPerSecond, rep.PeakRSSMB)
			}
			if rep.ClaimsBuilt == 0 || rep.ClaimsBuilt+rep.ClaimsHeld != 50 {
				t.Errorf("built %d + held %d, want 50 encounters", rep.ClaimsBuilt, rep.ClaimsHeld)
			}
			if rep.ClaimsPosted+rep.ClaimsRejected != rep.ClaimsBuilt || rep.ClaimsWaiting != 0 {
				t.Errorf("of %d claims built, %d posted, %d rejected, %d waiting; want every claim posted or rejected",
					rep.ClaimsBuilt, rep.ClaimsPosted, rep.ClaimsRejected, rep.ClaimsWaiting)
			}
			if rep.ClaimsHeld == 0 || rep.ClaimsRejected == 0 {
				t.Errorf("held %d, rejected %d; want a few bad encounters of each kind", rep.ClaimsHeld, rep.ClaimsRejected)
			}
			if rep.ClaimsPosted == 0 || rep.Remittances == 0 {
				t.Errorf("posted %d claims from %d remittances, want some", rep.ClaimsPosted, rep.Remittances)
			}
			left, _ := filepath.Glob(filepath.Join(dir, "*"))
			if len(left) != 0 {
				t.Errorf("bench left %v behind", left)
			}
		})
	}
}
