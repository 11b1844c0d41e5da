package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/adapters/localdir"
	"github.com/x12claims/claims/adapters/sftp"
	"github.com/x12claims/claims/adapters/store/postgres"
	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/configs"
	"github.com/x12claims/claims/pipeline"
)

// app is everything a configuration builds: the composition root. Close
// releases it in reverse order of construction.
type app struct {
	cfg     *configs.Config
	log     *zap.Logger
	store   pipeline.Store
	pipe    *pipeline.Pipeline
	closers []func() error
}

// open builds the app from the --config file, or else over the embedded
// store in the --dir folder (which must hold one).
func (g *globals) open(ctx context.Context, s *streams) (*app, error) {
	if g.config != "" {
		if g.dir != "" {
			return nil, errors.New("give --config or --dir, not both")
		}
		return openApp(ctx, g.config, s.err)
	}
	return openLocal(ctx, g.dirOr("./claims-demo"), s.err)
}

// openApp loads and validates the configuration at path and builds the
// store, the transports and the pipeline from it.
func openApp(ctx context.Context, path string, logTo io.Writer) (*app, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, err
	}
	log, err := newLogger(orDefault(cfg.Log.Level, "info"), orDefault(cfg.Log.Format, "json"), logTo)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log}
	if err := a.build(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// build opens the configuration's store and transports and the pipeline.
func (a *app) build(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	var err error
	if a.store, err = openStore(ctx, cfg); err != nil {
		return err
	}
	a.closers = append(a.closers, a.store.Close)
	var partners []*pipeline.Partner
	for _, ch := range cfg.Clearinghouses {
		t, closeT, err := newTransport(ch, log)
		if err != nil {
			return fmt.Errorf("clearinghouse %s: %w", ch.Name, err)
		}
		a.closers = append(a.closers, closeT)
		partners = append(partners, partner(ch, t))
	}
	opts := pipeline.Options{Store: a.store, Partners: partners, Dir: cfg.Dir,
		ReplaceAdjudicated: cfg.Intake.ReplaceAdjudicated, SessionIdle: time.Duration(cfg.Web.IdleTimeout),
		TimelyFiling: pipeline.TimelyFiling{DefaultDays: cfg.TimelyFiling.DefaultDays, Payers: cfg.TimelyFiling.Payers}}
	if len(cfg.Encounters) > 0 {
		opts.Encounters = encounters.Glob{Patterns: cfg.Encounters}
	}
	a.pipe, err = pipeline.New(opts)
	return err
}

// openLocal opens the embedded store of a working folder (the demo's, or
// one a configuration names), with the demo's clearinghouse and no
// transport: enough to read, correct and queue, not to send.
func openLocal(ctx context.Context, dir string, logTo io.Writer) (*app, error) {
	db := filepath.Join(dir, "claims.db")
	if _, err := os.Stat(db); err != nil {
		return nil, fmt.Errorf("no claims store in %s (run claims demo there, or give --config): %w", dir, err)
	}
	log, err := newLogger("warn", "console", logTo)
	if err != nil {
		return nil, err
	}
	a := &app{log: log}
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	a.store = store
	a.closers = append(a.closers, store.Close)
	a.pipe, err = pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{demoPartner(nil)}, Dir: dir})
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the app in reverse order.
func (a *app) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	if a.log != nil {
		_ = a.log.Sync()
	}
	return errors.Join(errs...)
}

func openStore(ctx context.Context, cfg *configs.Config) (pipeline.Store, error) {
	switch cfg.Store.Driver {
	case "postgres":
		url := os.Getenv(cfg.Store.URLEnv)
		if url == "" {
			return nil, fmt.Errorf("store: environment variable %s (store.url_env) is empty", cfg.Store.URLEnv)
		}
		return postgres.Open(ctx, url)
	default:
		path := cfg.Store.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(cfg.Dir, path)
		}
		return sqlite.Open(ctx, path)
	}
}

func newTransport(ch configs.Clearinghouse, log *zap.Logger) (pipeline.Transport, func() error, error) {
	switch ch.Transport.Type {
	case "sftp":
		s := ch.Transport.SFTP
		c, err := sftp.New(sftp.Config{
			Name: ch.Name, Host: s.Host, Port: s.Port, User: s.User,
			KeyFile: s.KeyFile, KeyPassphraseEnv: s.KeyPassphraseEnv, KeyPassphraseFile: s.KeyPassphraseFile,
			PasswordEnv: s.PasswordEnv, PasswordFile: s.PasswordFile,
			KnownHostsFile: s.KnownHostsFile, HostKeyFingerprint: s.HostKeyFingerprint, InsecureIgnoreHostKey: s.InsecureIgnoreHostKey,
			UploadDir: s.UploadDir, ResponseDir: s.ResponseDir, ArchiveDir: s.ArchiveDir, AfterPickup: sftp.Disposal(s.AfterPickup),
			Patterns:    s.Patterns,
			DialTimeout: time.Duration(s.DialTimeout), HandshakeTimeout: time.Duration(s.HandshakeTimeout), OpTimeout: time.Duration(s.OpTimeout),
			MaxAttempts: s.MaxAttempts, BaseDelay: time.Duration(s.BaseDelay), MaxDelay: time.Duration(s.MaxDelay),
		}, log.Named("sftp").With(zap.String("clearinghouse", ch.Name)))
		if err != nil {
			return nil, nil, err
		}
		return c, c.Close, nil
	case "localdir":
		l := ch.Transport.LocalDir
		t, err := localdir.New(localdir.Config{Name: ch.Name, UploadDir: l.UploadDir, ResponseDir: l.ResponseDir,
			ArchiveDir: l.ArchiveDir, AfterPickup: localdir.Disposal(l.AfterPickup), Patterns: l.Patterns},
			log.Named("localdir").With(zap.String("clearinghouse", ch.Name)))
		if err != nil {
			return nil, nil, err
		}
		return t, func() error { return nil }, nil
	}
	return nil, nil, fmt.Errorf("transport type %q", ch.Transport.Type)
}

func partner(ch configs.Clearinghouse, t pipeline.Transport) *pipeline.Partner {
	return &pipeline.Partner{
		Name: ch.Name, Transport: t,
		SenderQualifier: ch.ISA.SenderQualifier, SenderID: ch.ISA.SenderID,
		ReceiverQualifier: ch.ISA.ReceiverQualifier, ReceiverID: ch.ISA.ReceiverID,
		AppSender: ch.GS.SenderCode, AppReceiver: ch.GS.ReceiverCode,
		Usage: ch.ISA.Usage, AckRequested: ch.ISA.AckRequested,
		SubmitterName: ch.Submitter.Name, SubmitterContact: ch.Submitter.Contact,
		SubmitterPhone: ch.Submitter.Phone, SubmitterEmail: ch.Submitter.Email,
		ReceiverName: ch.ReceiverName, Payers: ch.Payers, SplitByPayer: ch.SplitByPayer, ResponseSenders: ch.ResponseSenders,
		MaxClaimsPerSet: ch.MaxClaimsPerSet, FileName: ch.FileName, MaxUploadAttempts: ch.MaxUploadAttempts,
	}
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
