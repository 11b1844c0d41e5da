package postgres_test

import (
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// The pipeline's posting scenarios and the corpus 835s, run on
// PostgreSQL as adapters/store/sqlite runs them on SQLite.

func TestPostingScenarios(t *testing.T) {
	testURL(t)
	pipelinetest.RunPostingScenarios(t, func(t *testing.T) pipeline.Store { return openFresh(t) })
}

func TestCorpusPosting(t *testing.T) {
	testURL(t)
	pipelinetest.RunCorpusPosting(t, func(t *testing.T) pipeline.Store { return openFresh(t) })
}

// BenchmarkPosting: CLAIMS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test go test -run '^$' -bench Posting ./adapters/store/postgres
func BenchmarkPosting(b *testing.B) {
	testURL(b)
	pipelinetest.BenchPosting(b, func(tb testing.TB) pipeline.Store { return openFresh(tb) })
}

func TestRecoveryScenarios(t *testing.T) {
	testURL(t)
	pipelinetest.RunRecoveryScenarios(t, func(t *testing.T) pipeline.Store { return openFresh(t) })
}

func TestRoutingScenario(t *testing.T) {
	testURL(t)
	pipelinetest.RunRoutingScenario(t, openFresh(t))
}

func TestReworkScenarios(t *testing.T) {
	pipelinetest.RunReworkScenarios(t, func(t *testing.T) pipeline.Store { return openFresh(t) })
}

func TestAckPaths(t *testing.T) {
	testURL(t)
	pipelinetest.RunAckPaths(t, func(t *testing.T) pipeline.Store { return openFresh(t) })
}
