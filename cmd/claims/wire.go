package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
	// edit, when set, changes the pipeline's options before the
	// pipeline is made (tests set a failpoint).
	edit func(*pipeline.Options)
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
// store, the transports and the pipeline from it. On any failure it
// closes what it opened and returns the error that stopped it, never a
// half-built app.
func openApp(ctx context.Context, path string, logTo io.Writer) (*app, error) {
	return openAppWith(ctx, path, logTo, nil)
}

// openAppWith is openApp with edit, when not nil, applied to the
// pipeline's options before the pipeline is made.
func openAppWith(ctx context.Context, path string, logTo io.Writer, edit func(*pipeline.Options)) (*app, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, err
	}
	log, err := newAppLogger(orDefault(cfg.Log.Level, "info"), orDefault(cfg.Log.Format, "json"), logTo)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, edit: edit}
	if err := a.build(ctx); err != nil {
		if cerr := a.Close(); cerr != nil {
			err = fmt.Errorf("%w (closing what was opened: %v)", err, cerr)
		}
		return nil, err
	}
	return a, nil
}

// logLevel returns CLAIMS_LOG_LEVEL when it is set, which overrides the
// level of every command, and def otherwise.
func logLevel(def string) string {
	if v := strings.TrimSpace(os.Getenv("CLAIMS_LOG_LEVEL")); v != "" {
		return v
	}
	return def
}

// newAppLogger is newLogger at logLevel(level), naming CLAIMS_LOG_LEVEL
// when it is the variable that holds a bad level.
func newAppLogger(level, format string, w io.Writer) (*zap.Logger, error) {
	lvl := logLevel(level)
	log, err := newLogger(lvl, format, w)
	if err != nil && lvl != level {
		return nil, fmt.Errorf("CLAIMS_LOG_LEVEL: %q is not debug, info, warn or error", lvl)
	}
	return log, err
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
		ReplaceAdjudicated: cfg.Intake.ReplaceAdjudicated, BatchSize: cfg.Intake.BatchSize, SessionIdle: time.Duration(cfg.Web.IdleTimeout),
		TimelyFiling: pipeline.TimelyFiling{DefaultDays: cfg.TimelyFiling.DefaultDays, Payers: cfg.TimelyFiling.Payers},
		Secondary:    pipeline.SecondaryMode(cfg.COB.Secondary),
		Instance:     cfg.Instance.Name, Lease: time.Duration(cfg.Instance.Lease)}
	if len(cfg.Encounters) > 0 {
		opts.Encounters = encounters.Glob{Patterns: cfg.Encounters}
	}
	if a.edit != nil {
		a.edit(&opts)
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
	log, err := newAppLogger("warn", "console", logTo)
	if err != nil {
		return nil, err
	}
	a := &app{log: log}
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	a.store = store
	a.closers = append(a.closers, store.Close)
	a.pipe, err = pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{demoPartner(nil)}, Dir: dir})
	if err != nil {
		if cerr := a.Close(); cerr != nil {
			err = fmt.Errorf("%w (closing what was opened: %v)", err, cerr)
		}
		return nil, err
	}
	return a, nil
}

// Close releases the app in reverse order. A nil app closes nothing.
func (a *app) Close() error {
	if a == nil {
		return nil
	}
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		if c := a.closers[i]; c != nil {
			errs = append(errs, c())
		}
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
		if ch.Transport.SFTP == nil {
			break
		}
		c, err := sftp.New(sftpConfig(ch), log.Named("sftp").With(zap.String("clearinghouse", ch.Name)))
		if err != nil {
			return nil, nil, err
		}
		return c, c.Close, nil
	case "localdir":
		if ch.Transport.LocalDir == nil {
			break
		}
		t, err := localdir.New(localdirConfig(ch), log.Named("localdir").With(zap.String("clearinghouse", ch.Name)))
		if err != nil {
			return nil, nil, err
		}
		return t, t.Close, nil
	}
	return nil, nil, fmt.Errorf("transport type %q without its section", ch.Transport.Type)
}

// sftpConfig maps a clearinghouse's SFTP section to the adapter's Config.
// The caller checks that the section is there.
func sftpConfig(ch configs.Clearinghouse) sftp.Config {
	s := ch.Transport.SFTP
	return sftp.Config{
		Name: ch.Name, Host: s.Host, Port: s.Port, User: s.User,
		KeyFile: s.KeyFile, KeyPassphraseEnv: s.KeyPassphraseEnv, KeyPassphraseFile: s.KeyPassphraseFile,
		PasswordEnv: s.PasswordEnv, PasswordFile: s.PasswordFile,
		KnownHostsFile: s.KnownHostsFile, HostKeyFingerprint: s.HostKeyFingerprint, InsecureIgnoreHostKey: s.InsecureIgnoreHostKey,
		UploadDir: s.UploadDir, ResponseDir: s.ResponseDir, ArchiveDir: s.ArchiveDir, ErrorDir: s.ErrorDir,
		AfterPickup: sftp.Disposal(s.AfterPickup),
		Patterns:    listPatterns(s.Patterns, s.DoneSuffix), MaxDownloadSize: int64(s.MaxDownloadSize),
		DialTimeout: time.Duration(s.DialTimeout), HandshakeTimeout: time.Duration(s.HandshakeTimeout), OpTimeout: time.Duration(s.OpTimeout),
		MaxAttempts: s.MaxAttempts, BaseDelay: time.Duration(s.BaseDelay), MaxDelay: time.Duration(s.MaxDelay),
	}
}

// localdirConfig maps a clearinghouse's localdir section to the adapter's
// Config. The caller checks that the section is there.
func localdirConfig(ch configs.Clearinghouse) localdir.Config {
	l := ch.Transport.LocalDir
	return localdir.Config{Name: ch.Name, UploadDir: l.UploadDir, ResponseDir: l.ResponseDir,
		ArchiveDir: l.ArchiveDir, ErrorDir: l.ErrorDir, AfterPickup: localdir.Disposal(l.AfterPickup),
		Patterns: listPatterns(l.Patterns, l.DoneSuffix), MaxDownloadSize: int64(l.MaxDownloadSize)}
}

// listPatterns returns the response patterns a transport lists: the
// configured ones and, with a done suffix, each of them followed by it, so
// that the markers ("X.835.done") are listed too. No pattern lists every
// file, markers included.
func listPatterns(patterns []string, doneSuffix string) []string {
	if doneSuffix == "" || len(patterns) == 0 {
		return patterns
	}
	out := make([]string, 0, 2*len(patterns))
	out = append(out, patterns...)
	for _, p := range patterns {
		out = append(out, p+doneSuffix)
	}
	return out
}

func partner(ch configs.Clearinghouse, t pipeline.Transport) *pipeline.Partner {
	settle, doneSuffix := ch.Transport.Pickup()
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
		Settle: settle, DoneSuffix: doneSuffix, MaxDownload: ch.Transport.MaxDownload(),
		Overdue: pipeline.Overdue{
			AckAfter:            time.Duration(ch.Overdue.AckHours) * time.Hour,
			AcknowledgmentAfter: time.Duration(ch.Overdue.AcknowledgmentDays) * 24 * time.Hour,
			PaymentAfter:        time.Duration(ch.Overdue.PaymentDays) * 24 * time.Hour,
		},
	}
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
