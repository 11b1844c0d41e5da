// Package observe is the daemon's window for operators: Prometheus
// metrics, a liveness check (/healthz) and a readiness check (/readyz:
// the store answers and the last run of every job succeeded). It serves
// them on its own address, 127.0.0.1 by default, apart from the web UI.
package observe

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/x12claims/claims/pipeline"
)

// Monitor keeps the metrics and the state of the jobs.
type Monitor struct {
	reg *prometheus.Registry

	jobDuration *prometheus.HistogramVec
	jobRuns     *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	transitions *prometheus.CounterVec
	inbound     *prometheus.CounterVec
	claims      *prometheus.GaugeVec
	workOpen    *prometheus.GaugeVec
	overdue     *prometheus.GaugeVec
	billed      prometheus.Gauge
	paid        prometheus.Gauge

	mu   sync.Mutex
	last map[string]error // the last run's outcome, by job
	// ping checks that the store answers.
	ping func(ctx context.Context) error
}

// New returns a Monitor whose readiness asks ping whether the store
// answers.
func New(ping func(ctx context.Context) error) *Monitor {
	m := &Monitor{reg: prometheus.NewRegistry(), last: map[string]error{}, ping: ping}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "claims_job_duration_seconds",
		Help: "How long each run of a job took.", Buckets: prometheus.ExponentialBuckets(0.1, 2.5, 12)}, []string{"job"})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "claims_job_runs_total",
		Help: "Runs of each job by outcome: ok, attention (done, but a person must act), failed."}, []string{"job", "outcome"})
	m.lastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "claims_job_last_success_timestamp_seconds",
		Help: "When each job last ran without error (Unix time)."}, []string{"job"})
	m.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "claims_claim_transitions_total",
		Help: "Claims moved by the jobs, by the state they moved to."}, []string{"to"})
	m.inbound = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "claims_inbound_files_total",
		Help: "Response files applied by the collect job, by kind and outcome."}, []string{"kind", "outcome"})
	m.claims = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "claims_claims",
		Help: "Claims by state."}, []string{"state"})
	m.workOpen = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "claims_work_items_open",
		Help: "Open work items by source."}, []string{"source"})
	m.overdue = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "claims_overdue_open",
		Help: "Open overdue-response work items by the response missing."}, []string{"kind"})
	// Money in integer cents: a float64 holds every whole number of
	// cents exactly, and never a fraction of one.
	m.billed = prometheus.NewGauge(prometheus.GaugeOpts{Name: "claims_billed_cents",
		Help: "Total charges of the claims ever submitted, in cents."})
	m.paid = prometheus.NewGauge(prometheus.GaugeOpts{Name: "claims_paid_cents",
		Help: "Total insurance payments posted, in cents."})
	for _, c := range []prometheus.Collector{m.jobDuration, m.jobRuns, m.lastSuccess, m.transitions, m.inbound, m.claims,
		m.workOpen, m.overdue, m.billed, m.paid, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}

// Outcome is how a job run ended.
type Outcome string

// The outcomes.
const (
	OutcomeOK        Outcome = "ok"
	OutcomeAttention Outcome = "attention" // done, but a person must act
	OutcomeFailed    Outcome = "failed"
)

// JobDone records a run of a job.
func (m *Monitor) JobDone(job string, end time.Time, took time.Duration, outcome Outcome, err error) {
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
	m.jobRuns.WithLabelValues(job, string(outcome)).Inc()
	if err == nil {
		m.lastSuccess.WithLabelValues(job).Set(float64(end.Unix()))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last[job] = err
}

// Submitted counts what a submit run did.
func (m *Monitor) Submitted(rep pipeline.SubmitReport) {
	m.transitions.WithLabelValues(string(pipeline.StateSubmitted)).Add(float64(rep.Upload.ClaimsSent))
	m.transitions.WithLabelValues(string(pipeline.StateHeld)).Add(float64(rep.Intake.Held + rep.Build.Held))
}

// Collected counts what a collect run did.
func (m *Monitor) Collected(rep pipeline.CollectReport) {
	r := rep.Responses
	for to, n := range map[pipeline.ClaimState]int{pipeline.StateAccepted: r.ClaimsAccepted, pipeline.StateRejected: r.ClaimsRejected,
		pipeline.StatePaid: r.ClaimsPaid - r.ClaimsPartial, pipeline.StatePartiallyPaid: r.ClaimsPartial,
		pipeline.StateDenied: r.ClaimsDenied, pipeline.StateReversed: r.ClaimsReversed, pipeline.StateVoided: r.ClaimsVoided} {
		if n > 0 {
			m.transitions.WithLabelValues(string(to)).Add(float64(n))
		}
	}
	add := func(kind, outcome string, n int) {
		if n > 0 {
			m.inbound.WithLabelValues(kind, outcome).Add(float64(n))
		}
	}
	add("TA1", "accepted", r.TA1Accepted)
	add("TA1", "rejected", r.TA1Rejected)
	add("999", "set_accepted", r.SetsAccepted)
	add("999", "set_rejected", r.SetsRejected)
	add("835", "posted", r.RemitsPosted)
	add("835", "held", r.RemitsHeld)
	add("835", "duplicate", r.RemitsDuplicate)
	add("any", "failed", r.FailedFiles)
	add("any", "quarantined", r.QuarantinedFiles)
}

// Overdue sets the open overdue items by kind.
func (m *Monitor) Overdue(open map[string]int) {
	for kind, n := range open {
		m.overdue.WithLabelValues(kind).Set(float64(n))
	}
}

// Refresh sets the store-wide gauges.
func (m *Monitor) Refresh(st pipeline.Stats) {
	m.claims.Reset()
	for state, n := range st.ClaimsByState {
		m.claims.WithLabelValues(string(state)).Set(float64(n))
	}
	m.workOpen.Reset()
	for src, n := range st.OpenBySource {
		m.workOpen.WithLabelValues(string(src)).Set(float64(n))
	}
	m.billed.Set(float64(st.Billed))
	m.paid.Set(float64(st.InsurancePaid))
}

// Handler serves /healthz, /readyz and /metrics.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n")) //nolint:errcheck // the client went away
	})
	mux.HandleFunc("GET /readyz", m.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	return mux
}

// ready answers 200 when the store answers and every job's last run
// succeeded, 503 with the reasons otherwise.
func (m *Monitor) ready(w http.ResponseWriter, r *http.Request) {
	var problems []string
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := m.ping(ctx); err != nil {
		problems = append(problems, "store: "+err.Error())
	}
	m.mu.Lock()
	for job, err := range m.last {
		if err != nil {
			problems = append(problems, "last "+job+" failed: "+err.Error())
		}
	}
	m.mu.Unlock()
	sort.Strings(problems)
	w.Header().Set("Content-Type", "application/json")
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusServiceUnavailable
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"ready": len(problems) == 0, "problems": problems}) //nolint:errcheck // the client went away
}
