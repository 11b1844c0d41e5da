package sqlite_test

import (
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

func TestCOBScenarios(t *testing.T) {
	pipelinetest.RunCOBScenarios(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}
