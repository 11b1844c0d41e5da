// Package pipelinetest holds test support shared by the pipeline and its
// adapters: the store conformance suite and the integration-test guard.
package pipelinetest

import (
	"os"
	"testing"
)

// IntegrationRequired reports whether CLAIMS_INTEGRATION=required, which
// CI sets: tests that need a server or a browser must then run, not skip.
func IntegrationRequired() bool { return os.Getenv("CLAIMS_INTEGRATION") == "required" }

// NeedIntegration skips the test with a clear message when the named
// dependency is unavailable (unavailable != nil), or fails it when
// CLAIMS_INTEGRATION=required.
func NeedIntegration(tb testing.TB, what string, unavailable error) {
	tb.Helper()
	if unavailable == nil {
		return
	}
	if IntegrationRequired() {
		tb.Fatalf("%s is required (CLAIMS_INTEGRATION=required) but unavailable: %v", what, unavailable)
	}
	tb.Skipf("skipping: %s unavailable: %v (set CLAIMS_INTEGRATION=required to make this a failure)", what, unavailable)
}
