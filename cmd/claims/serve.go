package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/adapters/web"
	"github.com/x12claims/claims/pipeline"
)

func newServeCmd(s *streams, g *globals) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the billing specialists' web UI",
		Long: `serve runs the web UI on the configuration's store until interrupted: the work
queue, claims with their timelines and correction form, remittances, AR aging,
files and the audit trail. Add users first with "claims user add".

The address is web.listen in the configuration (default 127.0.0.1:8080), or
--listen. With web.tls_cert_file and web.tls_key_file it serves HTTPS.
"Submit now" and "Collect now" run the jobs with the configuration's
clearinghouses.`,
		Example: `  claims user add ana --role biller --config /etc/claims/claims.yaml
  claims serve --config /etc/claims/claims.yaml
  claims serve --config /etc/claims/claims.yaml --listen 0.0.0.0:8443`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				o := serveOptions{addr: listen, log: a.log}
				if a.cfg != nil {
					w := a.cfg.Web
					o.certFile, o.keyFile = w.TLSCertFile, w.TLSKeyFile
					o.secure = w.SecureCookies || w.TLSCertFile != ""
					o.idle = time.Duration(w.IdleTimeout)
					if o.addr == "" {
						o.addr = w.Listen
					}
					o.jobs = pipelineJobs{a.pipe}
				}
				if o.addr == "" {
					o.addr = "127.0.0.1:8080"
				}
				ln, err := listenUI(o.addr)
				if err != nil {
					return err
				}
				scheme := "http"
				if o.certFile != "" {
					scheme = "https"
				}
				fmt.Fprintf(s.err, "claims: web UI on %s://%s (Ctrl-C to stop)\n", scheme, ln.Addr())
				return serveUI(ctx, ln, a.pipe, o)
			})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to serve on (default web.listen, or 127.0.0.1:8080)")
	return cmd
}

// pipelineJobs runs the jobs on the configuration's pipeline.
type pipelineJobs struct{ p *pipeline.Pipeline }

func (j pipelineJobs) Submit(ctx context.Context) (pipeline.SubmitReport, error) {
	return j.p.Submit(ctx)
}
func (j pipelineJobs) Collect(ctx context.Context) (pipeline.CollectReport, error) {
	return j.p.Collect(ctx)
}

type serveOptions struct {
	addr              string
	certFile, keyFile string
	secure            bool
	idle              time.Duration
	jobs              web.Jobs
	log               *zap.Logger
}

// listenUI listens on addr, saying plainly when the port is taken.
func listenUI(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot serve the web UI on %s: the port is in use by another program; give another with --listen (e.g. --listen 127.0.0.1:8081)", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot serve the web UI on %s: %w", addr, err)
	}
	return ln, nil
}

// serveUI serves the web UI on ln until ctx ends, then shuts down,
// letting requests in progress finish.
func serveUI(ctx context.Context, ln net.Listener, p *pipeline.Pipeline, o serveOptions) error {
	h, err := web.New(web.Config{Pipeline: p, Jobs: o.jobs, Log: o.log.Named("web"), Secure: o.secure, Idle: o.idle})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: zap.NewStdLog(o.log.Named("http"))}
	done := make(chan error, 1)
	go func() {
		if o.certFile != "" {
			done <- srv.ServeTLS(ln, o.certFile, o.keyFile)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("stop the web UI: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
