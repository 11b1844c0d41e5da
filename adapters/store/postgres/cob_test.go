package postgres_test

import (
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

func TestCOBScenarios(t *testing.T) {
	testURL(t)
	pipelinetest.RunCOBScenarios(t, func(t *testing.T) pipeline.Store { return openFresh(t) })
}
