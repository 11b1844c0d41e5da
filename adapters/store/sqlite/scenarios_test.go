package sqlite_test

import (
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

func TestPostingScenarios(t *testing.T) {
	pipelinetest.RunPostingScenarios(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestCorpusPosting(t *testing.T) {
	pipelinetest.RunCorpusPosting(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}

// BenchmarkPosting: go test -run '^$' -bench Posting ./adapters/store/sqlite
func BenchmarkPosting(b *testing.B) {
	pipelinetest.BenchPosting(b, func(tb testing.TB) pipeline.Store {
		s, _ := openTemp(tb)
		return s
	})
}

func TestRecoveryScenarios(t *testing.T) {
	pipelinetest.RunRecoveryScenarios(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestRoutingScenario(t *testing.T) {
	s, _ := openTemp(t)
	pipelinetest.RunRoutingScenario(t, s)
}

func TestReworkScenarios(t *testing.T) {
	pipelinetest.RunReworkScenarios(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestAckPaths(t *testing.T) {
	pipelinetest.RunAckPaths(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}
