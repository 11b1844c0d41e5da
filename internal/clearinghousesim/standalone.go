package clearinghousesim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/crypto/ssh"

	"github.com/x12claims/claims/internal/sftpserver"
)

// Standalone is a clearinghouse simulator running on its own: an SFTP
// server with one chrooted folder per user (inbound/ and outbound/), a
// Responder per user sharing one Store on disk, and a loop that takes in
// uploads and delivers responses when they are due. "claims
// clearinghouse" runs one; tests run one in-process.
type Standalone struct {
	cfg   *StandaloneConfig
	log   *zap.Logger
	store *Store
	resp  []*Responder
	srv   *sftpserver.Server
}

// StartStandalone opens the state, loads or creates the host key,
// creates every user's folders and starts the SFTP server. now is the
// clock (nil: time.Now) and log receives file names and counts only.
// Call Run to start answering, and Close to stop.
func StartStandalone(ctx context.Context, cfg *StandaloneConfig, now func() time.Time, log *zap.Logger) (*Standalone, error) {
	if log == nil {
		log = zap.NewNop()
	}
	signer, err := loadOrCreateHostKey(cfg.HostKeyFile)
	if err != nil {
		return nil, err
	}
	store, err := OpenStore(ctx, cfg.Sim.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Standalone{cfg: cfg, log: log, store: store}
	var users []sftpserver.User
	for _, u := range cfg.Users {
		folder := filepath.Join(cfg.Root, u.Folder)
		sim := cfg.Sim
		sim.Root, sim.Mailbox, sim.AckFormat, sim.Faults = folder, u.Name, u.AckFormat, u.Faults
		sim.FaultsFile = filepath.Join(folder, FaultsFileName)
		sim.Store, sim.StateDir, sim.Now, sim.Logger = store, "", now, log.With(zap.String("user", u.Name))
		r, err := NewResponder(sim)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("clearinghousesim: user %s: %w", u.Name, err)
		}
		s.resp = append(s.resp, r)
		users = append(users, sftpserver.User{Name: u.Name, Password: u.Password, PasswordHash: u.PasswordHash,
			AuthorizedKeys: u.AuthorizedKeys, Root: folder})
	}
	srv, err := sftpserver.NewServer(sftpserver.Config{
		Addr: cfg.Listen, Users: users, HostKey: signer,
		Logf:   func(format string, args ...any) { log.Debug(fmt.Sprintf(format, args...)) },
		Faults: s.connFaults,
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("clearinghousesim: start SFTP server: %w", err)
	}
	s.srv = srv
	log.Info("clearinghouse simulator listening", zap.String("addr", srv.Addr()), zap.String("host_key", srv.Fingerprint()),
		zap.Int("users", len(users)))
	return s, nil
}

// connFaults are the SFTP faults of a user's session: the control file's
// when there is one, else the configured ones.
func (s *Standalone) connFaults(user string) sftpserver.Faults {
	for _, r := range s.resp {
		if r.mailbox == user {
			f := r.faults()
			return sftpserver.Faults{Delay: f.SlowTransfer, DropAfterBytes: f.DropAfterBytes}
		}
	}
	return sftpserver.Faults{}
}

// Addr returns the SFTP server's address.
func (s *Standalone) Addr() string { return s.srv.Addr() }

// Port returns the SFTP server's port.
func (s *Standalone) Port() int { return s.srv.Port() }

// HostKeyFingerprint returns the host key's "SHA256:..." fingerprint.
func (s *Standalone) HostKeyFingerprint() string { return s.srv.Fingerprint() }

// Store returns the shared state.
func (s *Standalone) Store() *Store { return s.store }

// Step runs one pass: every user's uploads are taken in and every due
// response delivered, the users side by side (a slow write for one does
// not hold up the others). It returns what was answered, users in
// configuration order, and the errors of all users joined.
func (s *Standalone) Step(ctx context.Context) (Report, error) {
	reps := make([]Report, len(s.resp))
	errs := make([]error, len(s.resp))
	var wg sync.WaitGroup
	for i, r := range s.resp {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr, err := r.Respond(ctx)
			reps[i] = rr
			if err != nil {
				errs[i] = fmt.Errorf("user %s: %w", r.mailbox, err)
			}
		}()
	}
	wg.Wait()
	var rep Report
	for i := range reps {
		rep.merge(&reps[i])
	}
	return rep, errors.Join(errs...)
}

// Run calls Step every Poll until ctx is done, logging (not returning)
// the errors of a pass: a file that cannot be handled now is tried again
// on the next pass. It returns nil when ctx is done.
func (s *Standalone) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("clearinghouse pass", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Close stops the SFTP server and closes the state. It is safe to call
// more than once.
func (s *Standalone) Close() error {
	var errs []error
	if s.srv != nil {
		errs = append(errs, s.srv.Close())
		s.srv = nil
	}
	for _, r := range s.resp {
		errs = append(errs, r.Close())
	}
	s.resp = nil
	if s.store != nil {
		errs = append(errs, s.store.Close())
		s.store = nil
	}
	return errors.Join(errs...)
}

// loadOrCreateHostKey reads the host key file, or creates it (ed25519,
// OpenSSH PEM, 0600, in a 0700 folder) when it does not exist. A key
// file others may read is refused, as sshd refuses it.
func loadOrCreateHostKey(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("clearinghousesim: host key %s is open to others (mode %#o): chmod 600 it", path, fi.Mode().Perm())
		}
		signer, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("clearinghousesim: host key %s: %w", path, err)
		}
		return signer, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("clearinghousesim: host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: generate host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "x12claims clearinghouse simulator")
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: encode host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("clearinghousesim: host key folder: %w", err)
	}
	tmp := path + ".tmp"
	if err := writeTemp(tmp, pem.EncodeToMemory(block), time.Now()); err != nil {
		return nil, fmt.Errorf("clearinghousesim: host key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("clearinghousesim: host key: %w", err)
	}
	return ssh.NewSignerFromKey(priv)
}

// Pending returns how many responses of all users are recorded and not
// delivered yet (withheld ones excluded), and when the next is due.
func (s *Standalone) Pending(ctx context.Context) (int, time.Time, error) {
	total := 0
	var next time.Time
	for _, r := range s.resp {
		n, due, err := r.Pending(ctx)
		if err != nil {
			return 0, time.Time{}, err
		}
		total += n
		if !due.IsZero() && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return total, next, nil
}
