package observe_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/adapters/observe"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestReadiness(t *testing.T) {
	storeErr := error(nil)
	m := observe.New(func(context.Context) error { return storeErr })
	h := m.Handler()
	if code, body := get(t, h, "/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready":true`) {
		t.Fatalf("fresh: %d %s", code, body)
	}
	now := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	m.JobDone("collect", now, time.Second, observe.OutcomeFailed, errors.New("clearinghouse unreachable"))
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "last collect failed: clearinghouse unreachable") {
		t.Fatalf("after a failed collect: %d %s", code, body)
	}
	m.JobDone("collect", now.Add(15*time.Minute), time.Second, observe.OutcomeAttention, nil)
	storeErr = errors.New("database is locked")
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "store: database is locked") ||
		strings.Contains(body, "collect") {
		t.Fatalf("store down, collect recovered: %d %s", code, body)
	}
	if code, body := get(t, h, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
}

func TestMetrics(t *testing.T) {
	m := observe.New(func(context.Context) error { return nil })
	end := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	m.JobDone("submit", end, 3*time.Second, observe.OutcomeOK, nil)
	m.Submitted(pipeline.SubmitReport{Upload: pipeline.UploadReport{ClaimsSent: 29}, Intake: pipeline.IntakeReport{Held: 3}})
	m.Collected(pipeline.CollectReport{Responses: pipeline.ResponseReport{ClaimsAccepted: 28, ClaimsRejected: 1,
		ClaimsPaid: 27, ClaimsPartial: 1, RemitsPosted: 3, SetsAccepted: 2}})
	m.Refresh(pipeline.Stats{Counts: pipeline.Counts{ClaimsByState: map[pipeline.ClaimState]int{pipeline.StatePaid: 26},
		Billed: x12.MustAmount("4586.15"), InsurancePaid: x12.MustAmount("3001.07")},
		OpenBySource: map[pipeline.WorkSource]int{pipeline.SourceScrubber: 3}})
	m.Overdue(map[string]int{"999": 0, "277ca": 2, "835": 0})
	_, body := get(t, m.Handler(), "/metrics")
	for _, want := range []string{
		`claims_job_runs_total{job="submit",outcome="ok"} 1`,
		`claims_job_last_success_timestamp_seconds{job="submit"} 1.7966808e+09`,
		`claims_job_duration_seconds_count{job="submit"} 1`,
		`claims_claim_transitions_total{to="submitted"} 29`,
		`claims_claim_transitions_total{to="held"} 3`,
		`claims_claim_transitions_total{to="paid"} 26`,
		`claims_claim_transitions_total{to="partially_paid"} 1`,
		`claims_inbound_files_total{kind="835",outcome="posted"} 3`,
		`claims_claims{state="paid"} 26`,
		`claims_work_items_open{source="scrubber"} 3`,
		`claims_overdue_open{kind="277ca"} 2`,
		`claims_billed_cents 458615`,
		`claims_paid_cents 300107`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}
