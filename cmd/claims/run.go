package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/adapters/observe"
	"github.com/x12claims/claims/adapters/schedule"
	"github.com/x12claims/claims/pipeline"
)

func newRunCmd(s *streams, g *globals) *cobra.Command {
	var web bool
	cmd := &cobra.Command{
		Use:   "run --config FILE",
		Short: "Run the daemon: submit and collect on the configuration's cron schedules",
		Long: `run is the long-running daemon. It runs the submit and collect jobs on the
schedules of the configuration (schedule.submit, schedule.collect: cron
specifications, optionally prefixed with CRON_TZ=Zone), one job at a time;
after each collect it checks for overdue responses. A job that fails or
panics is logged and counted, and the daemon goes on.

Several daemons may share one PostgreSQL database (store.driver postgres,
instance.name, instance.lease). Each job runs in one of them at a time;
while another instance runs it, this one uploads the built batches and
applies the downloaded responses that no instance holds, each under a
lease, and takes over the work of an instance that died once its lease
expires (at once when it ran on this machine).

It serves /healthz, /readyz and Prometheus /metrics on daemon.listen (default
127.0.0.1:9464), and with --web the web UI on web.listen too.

SIGINT or SIGTERM stops it: the job running stops at its next safe point
(what it did is committed, the rest resumes at the next run) and the daemon
exits 0. A second signal exits at once; what it leaves is resumable too.

Logs are JSON lines (log.format) at log.level, or CLAIMS_LOG_LEVEL: job,
claim, batch and file IDs, counts and codes, never patient data.`,
		Example: `  claims run --config /etc/claims/claims.yaml
  claims run --config /etc/claims/claims.yaml --web
  curl -s 127.0.0.1:9464/readyz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config == "" {
				return errors.New("run needs --config FILE (the schedules and the clearinghouses)")
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				return runDaemon(ctx, a, daemonOptions{web: web, clock: schedule.System{}})
			})
		},
	}
	cmd.Flags().BoolVar(&web, "web", false, "serve the web UI on web.listen as well")
	return cmd
}

type daemonOptions struct {
	web   bool
	clock schedule.Clock
	// ready, when set, receives the monitor's address once it listens
	// (for tests).
	ready chan<- string
}

// runDaemon schedules the jobs and serves the monitor until ctx ends.
func runDaemon(ctx context.Context, a *app, o daemonOptions) error {
	cfg, log, p := a.cfg, a.log, a.pipe
	mon := observe.New(p.Ping)
	var jobs []schedule.Job
	if spec := cfg.Schedule.Submit; spec != "" {
		jobs = append(jobs, schedule.Job{Name: "submit", Spec: spec, Run: func(ctx context.Context) error {
			jl := log.With(zap.String("job", "submit"))
			rep, err := runSubmit(ctx, p, jl)
			if errors.Is(err, pipeline.ErrBusy) {
				rep, err = shareSubmit(ctx, p, jl)
			}
			mon.Submitted(rep)
			return jobOutcome(err, rep.NeedsAttention())
		}})
	}
	if spec := cfg.Schedule.Collect; spec != "" {
		jobs = append(jobs, schedule.Job{Name: "collect", Spec: spec, Run: func(ctx context.Context) error {
			jl := log.With(zap.String("job", "collect"))
			rep, err := runCollect(ctx, p, jl)
			if errors.Is(err, pipeline.ErrBusy) {
				rep, err = shareCollect(ctx, p, jl)
			}
			mon.Collected(rep)
			oerr := checkOverdue(ctx, p, mon, jl)
			return jobOutcome(errors.Join(err, oerr), rep.NeedsAttention())
		}})
	}
	if len(jobs) == 0 {
		return errors.New("schedule: set schedule.submit or schedule.collect (both are empty): the daemon would have nothing to do")
	}
	sched, err := schedule.New(o.clock, func(r schedule.Result) { finished(ctx, log, mon, p, r) }, jobs...)
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if st, err := p.Stats(ctx); err == nil {
		mon.Refresh(st)
	}
	if err := checkOverdue(ctx, p, mon, log.With(zap.String("job", "overdue"))); err != nil {
		log.Warn("overdue check", zap.Error(err))
	}

	ln, err := net.Listen("tcp", cfg.Daemon.Listen)
	if err != nil {
		return fmt.Errorf("daemon.listen %s: %w", cfg.Daemon.Listen, err)
	}
	srv := &http.Server{Handler: mon.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ErrServerClosed at shutdown
	defer shutdown(srv)
	if o.ready != nil {
		o.ready <- ln.Addr().String()
	}
	if o.web {
		wl, err := listenUI(cfg.Web.Listen)
		if err != nil {
			return err
		}
		go func() {
			err := serveUI(ctx, wl, p, serveOptions{jobs: pipelineJobs{p}, log: log, secure: cfg.Web.SecureCookies || cfg.Web.TLSCertFile != "",
				certFile: cfg.Web.TLSCertFile, keyFile: cfg.Web.TLSKeyFile, idle: time.Duration(cfg.Web.IdleTimeout)})
			if err != nil {
				log.Error("web UI", zap.Error(err))
			}
		}()
	}
	next := sched.Next(o.clock.Now())
	for _, j := range jobs {
		log.Info("scheduled", zap.String("job", j.Name), zap.String("schedule", j.Spec), zap.Time("next", next[j.Name]))
	}
	log.Info("daemon started", zap.String("monitor", ln.Addr().String()))

	// The first signal cancels ctx: the running job stops at its next
	// safe point. From then on a second signal takes the default action
	// and ends the process at once.
	go func() {
		<-ctx.Done()
		log.Info("stopping: the running job stops at its next safe point; a second signal exits at once")
		signal.Reset(os.Interrupt, syscall.SIGTERM)
	}()
	if err := sched.Run(ctx); err != nil {
		return err
	}
	log.Info("daemon stopped")
	return nil
}

// shareSubmit does, while another instance runs the submit job, the part
// of it instances share: it uploads the built batches no instance holds
// (pipeline.LeaseUpload), those of an instance that died included.
func shareSubmit(ctx context.Context, p *pipeline.Pipeline, log *zap.Logger) (pipeline.SubmitReport, error) {
	var rep pipeline.SubmitReport
	var err error
	rep.Upload, err = p.Upload(ctx)
	log.Info("submit runs in another instance: uploaded the batches no instance holds",
		zap.Int("files_uploaded", rep.Upload.Uploaded), zap.Int("claims_sent", rep.Upload.ClaimsSent),
		zap.Int("recovered", rep.Upload.RecoveredAfter), zap.Int("upload_pending", rep.Upload.Pending),
		zap.Int("upload_failed", rep.Upload.Failed), zap.Int("takeovers_since_start", p.Takeovers()))
	return rep, err
}

// shareCollect does, while another instance runs the collect job, the
// part of it instances share: it applies the recorded response files no
// instance holds (pipeline.LeaseApply).
func shareCollect(ctx context.Context, p *pipeline.Pipeline, log *zap.Logger) (pipeline.CollectReport, error) {
	var rep pipeline.CollectReport
	resp, err := p.ApplyPending(ctx)
	rep.Processed, rep.Responses = resp.Files, resp
	rep.Failed = resp.FailedFiles + resp.QuarantinedFiles
	log.Info("collect runs in another instance: applied the response files no instance holds",
		zap.Int("applied", rep.Processed), zap.Int("failed", resp.FailedFiles), zap.Int("quarantined", resp.QuarantinedFiles),
		zap.Int("remittances_posted", resp.RemitsPosted), zap.Int("remittances_held", resp.RemitsHeld),
		zap.Int("takeovers_since_start", p.Takeovers()))
	return rep, err
}

// errNeedsAttention marks a run that did its work but left something for
// a person: it counts as done, not failed.
var errNeedsAttention = errors.New("done; a person must act (see the work queue)")

func jobOutcome(err error, attention bool) error {
	if err == nil && attention {
		return errNeedsAttention
	}
	return err
}

// finished logs a job's run and records it in the monitor.
func finished(ctx context.Context, log *zap.Logger, mon *observe.Monitor, p *pipeline.Pipeline, r schedule.Result) {
	end := r.Start.Add(r.Duration)
	fields := []zap.Field{zap.String("job", r.Job), zap.Duration("took", r.Duration)}
	var pe *schedule.PanicError
	switch {
	case r.Err == nil:
		mon.JobDone(r.Job, end, r.Duration, observe.OutcomeOK, nil)
		log.Info("job done", fields...)
	case errors.Is(r.Err, errNeedsAttention):
		mon.JobDone(r.Job, end, r.Duration, observe.OutcomeAttention, nil)
		log.Warn("job done; a person must act", fields...)
	case errors.As(r.Err, &pe):
		mon.JobDone(r.Job, end, r.Duration, observe.OutcomeFailed, r.Err)
		log.Error("job panicked", append(fields, zap.Any("panic", pe.Value), zap.ByteString("stack", pe.Stack))...)
	case ctx.Err() != nil:
		log.Info("job interrupted; it resumes at the next run", fields...)
	default:
		mon.JobDone(r.Job, end, r.Duration, observe.OutcomeFailed, r.Err)
		log.Error("job failed", append(fields, zap.Error(r.Err))...)
	}
	if ctx.Err() != nil {
		return
	}
	if st, err := p.Stats(ctx); err == nil {
		mon.Refresh(st)
	} else {
		log.Warn("metrics", zap.Error(err))
	}
}

// checkOverdue opens work items for missing responses and exports the
// open ones. A check already running elsewhere is skipped.
func checkOverdue(ctx context.Context, p *pipeline.Pipeline, mon *observe.Monitor, log *zap.Logger) error {
	od, err := p.CheckOverdue(ctx)
	if errors.Is(err, pipeline.ErrBusy) {
		return nil
	}
	if err != nil {
		return err
	}
	open := od.OpenByResponse()
	mon.Overdue(open)
	for kind, n := range open {
		if n > 0 {
			log.Warn("overdue responses", zap.String("missing", kind), zap.Int("open", n))
		}
	}
	return nil
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx) //nolint:errcheck // best effort at exit
}
