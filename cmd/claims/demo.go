package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/adapters/sftp"
	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/samples"
	"github.com/x12claims/claims/x12"
)

type demoOptions struct {
	dir     string
	addr    string
	listen  string
	once    bool
	json    bool
	verbose bool
}

func newDemoCmd(s *streams, g *globals) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole loop on the sample encounters against a built-in clearinghouse",
		Long: `demo loads the sample encounters, scrubs them, builds 837P and 837I files,
uploads them over SFTP (a real pkg/sftp client with a pinned host key) to a
clearinghouse simulator on 127.0.0.1, lets the simulator answer with 999,
277CA and 835 files, collects those, applies them to the claims and posts the
payments to accounts receivable, then prints a summary.

Running it again on the same folder submits nothing new and posts nothing
twice, except the claims corrected in between ("claims claim correct"): their
new versions are sent, answered and paid, which shows the whole rework loop.

Without --once it then serves the web UI on 127.0.0.1:8080 (or --listen) until
interrupted (Ctrl-C), and prints the address, the user (demo, a manager) and
its password: random per folder (kept in the folder's secrets), or
CLAIMS_DEMO_PASSWORD when that is set. "Submit now" and "Collect now" in the
UI run the jobs against the simulator, which answers what was sent.

The working folder is --dir (default ./claims-demo); the other commands read
the same folder by default, so "claims queue" and "claims claim show" work on
the demo's store right after it.`,
		Example: `  claims demo                             # the loop, then the web UI on http://127.0.0.1:8080
  claims demo --listen 127.0.0.1:9090
  claims demo --once
  claims queue
  claims claim correct 5 --set subscriber.member_id=XJH448812901
  claims demo --once                      # sends C5-2, collects its 277CA and 835`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.config != "" {
				return errors.New("demo runs on its own folder (--dir), not on a configuration")
			}
			o.dir, o.json = g.dirOr("./claims-demo"), g.json
			return runDemo(cmd.Context(), o, s)
		},
	}
	cmd.Flags().StringVar(&o.addr, "sftp-addr", "127.0.0.1:0", "where the simulated clearinghouse's SFTP server listens")
	cmd.Flags().BoolVar(&o.once, "once", false, "exit after one cycle, without serving the web UI")
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:8080", "where the web UI listens")
	cmd.Flags().BoolVar(&o.verbose, "verbose", false, "log progress to standard error (at CLAIMS_LOG_LEVEL, default info)")
	return cmd
}

// demoPartner is how the demo practice addresses the simulator.
func demoPartner(t pipeline.Transport) *pipeline.Partner {
	return &pipeline.Partner{
		Name: "claimsim", Transport: t,
		SenderQualifier: "ZZ", SenderID: "CEDARVALLEYMG", ReceiverQualifier: "ZZ", ReceiverID: "CLAIMSIM",
		Usage: "T", AckRequested: "0",
		SubmitterName: "Cedar Valley Medical Group", SubmitterContact: "Billing Office", SubmitterPhone: "3035550100",
		ReceiverName: "X12 Claims Simulator Clearinghouse",
	}
}

func runDemo(ctx context.Context, o demoOptions, s *streams) error {
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo folder: %w", err)
	}
	// Take the web UI's port first: a port in use should fail at once.
	var ln net.Listener
	if !o.once {
		if ln, err = listenUI(o.listen); err != nil {
			return err
		}
		defer ln.Close()
	}
	// The demo logs for people (console), with --verbose or at the
	// level CLAIMS_LOG_LEVEL gives.
	log := zap.NewNop()
	if level := os.Getenv("CLAIMS_LOG_LEVEL"); o.verbose || level != "" {
		if level == "" {
			level = "info"
		}
		if log, err = newLogger(level, "console", s.err); err != nil {
			return fmt.Errorf("CLAIMS_LOG_LEVEL: %w", err)
		}
	}
	defer log.Sync() //nolint:errcheck // best effort at exit

	simCfg := clearinghousesim.DefaultConfig(filepath.Join(dir, "clearinghouse"))
	// Collected responses are archived on the clearinghouse side.
	if err := os.MkdirAll(filepath.Join(simCfg.Root, clearinghousesim.OutboundDir, "archive"), 0o700); err != nil {
		return fmt.Errorf("demo folder: %w", err)
	}
	simCfg.Logger = log.Named("simulator")
	// The simulator's memory (control numbers, claims paid) outlives the
	// run, outside the folder it serves.
	simCfg.StateDir = filepath.Join(dir, "clearinghouse-state")
	simCfg.Addr = o.addr
	sim, err := clearinghousesim.Start(ctx, simCfg)
	if err != nil {
		return fmt.Errorf("start the clearinghouse simulator: %w", err)
	}
	defer sim.Close()
	client, err := simulatorClient(sim, filepath.Join(dir, "secrets"), 30*time.Second, log.Named("sftp"))
	if err != nil {
		return err
	}
	defer client.Close()

	store, err := sqlite.Open(ctx, filepath.Join(dir, "claims.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{demoPartner(client)}, Dir: dir,
		Encounters: encounters.FS{FS: samples.Files, Names: []string{"encounters.jsonl", "encounters.csv"}, Prefix: "samples/"}})
	if err != nil {
		return err
	}
	sum, err := demoCycle(ctx, p, sim, log)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		sum.writeText(s.out, dir)
	}
	if o.once {
		return nil
	}
	password, err := demoUser(ctx, p, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.err, "\nWeb UI: http://%s/\n  user:     %s\n  password: %s\nStop with Ctrl-C.\n", ln.Addr(), demoUserName, password)
	return serveUI(ctx, ln, p, serveOptions{jobs: demoJobs{p: p, sim: sim}, log: log})
}

// demoUserName is the demo's web UI user, a manager.
const demoUserName = "demo"

// demoUser makes sure the demo user exists with the demo password, and
// returns it: CLAIMS_DEMO_PASSWORD, or else a random one kept in the
// folder's secrets (0600), the same on every run.
func demoUser(ctx context.Context, p *pipeline.Pipeline, dir string) (string, error) {
	password := os.Getenv("CLAIMS_DEMO_PASSWORD")
	if password == "" {
		file := filepath.Join(dir, "secrets", "demo-password")
		b, err := os.ReadFile(file)
		switch {
		case err == nil:
			password = strings.TrimSpace(string(b))
		case errors.Is(err, os.ErrNotExist):
			if password, err = randomPassword(); err != nil {
				return "", err
			}
			if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
				return "", fmt.Errorf("demo password: %w", err)
			}
			if err := writeFileAtomic(file, []byte(password+"\n")); err != nil {
				return "", fmt.Errorf("demo password: %w", err)
			}
		default:
			return "", fmt.Errorf("demo password: %w", err)
		}
	}
	err := p.AddUser(ctx, demoUserName, pipeline.RoleManager, password, "demo")
	if errors.Is(err, pipeline.ErrConflict) {
		same, cerr := p.CheckPassword(ctx, demoUserName, password)
		if cerr != nil {
			return "", cerr
		}
		if !same {
			err = p.SetPassword(ctx, demoUserName, password, "demo")
		} else {
			err = nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("demo user: %w", err)
	}
	return password, nil
}

// randomPassword is 16 random letters and digits.
func randomPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// demoJobs runs the jobs against the simulator: collect first lets it
// answer what was sent.
type demoJobs struct {
	p   *pipeline.Pipeline
	sim *clearinghousesim.Simulator
}

func (j demoJobs) Submit(ctx context.Context) (pipeline.SubmitReport, error) { return j.p.Submit(ctx) }

func (j demoJobs) Collect(ctx context.Context) (pipeline.CollectReport, error) {
	if _, err := j.sim.Respond(ctx); err != nil {
		return pipeline.CollectReport{}, fmt.Errorf("clearinghouse simulator: %w", err)
	}
	return j.p.Collect(ctx)
}

// demoSummary is the demo's report. The counts and amounts are those of
// this run (a rerun on the same folder shows zeros); AROutstanding and
// Totals are the standing figures.
type demoSummary struct {
	EncountersRead  int        `json:"encounters_read"`
	ClaimsSubmitted int        `json:"claims_submitted"`
	ClaimsHeld      int        `json:"claims_held"`
	ClaimsAccepted  int        `json:"claims_accepted"`
	ClaimsRejected  int        `json:"claims_rejected"`
	ClaimsPaid      int        `json:"claims_paid"`
	ClaimsDenied    int        `json:"claims_denied"`
	AmountBilled    x12.Amount `json:"amount_billed"`
	AmountPaid      x12.Amount `json:"amount_paid"`
	AROutstanding   x12.Amount `json:"ar_outstanding"`
	FilesUploaded   int        `json:"files_uploaded"`
	FilesCollected  int        `json:"files_collected"`
	PaymentsPosted  int        `json:"payments_posted"`
	WorkQueueOpen   int        `json:"work_queue_open"`

	Clearinghouse clearinghousesim.Report `json:"clearinghouse"`
	Aging         pipeline.Aging          `json:"aging"`
}

// demoCycle runs one cycle: intake → submit → the simulator answers →
// collect and post.
func demoCycle(ctx context.Context, p *pipeline.Pipeline, sim *clearinghousesim.Simulator, log *zap.Logger) (*demoSummary, error) {
	var sum demoSummary
	sub, err := runSubmit(ctx, p, log.With(zap.String("job", "submit")))
	if err != nil {
		return nil, err
	}
	sum.EncountersRead = sub.Intake.Read
	sum.ClaimsHeld = sub.Intake.Held + sub.Build.Held
	sum.ClaimsSubmitted = sub.Upload.ClaimsSent
	sum.AmountBilled = sub.Upload.Billed
	sum.FilesUploaded = sub.Upload.Uploaded

	if sum.Clearinghouse, err = sim.Respond(ctx); err != nil {
		return nil, fmt.Errorf("clearinghouse simulator: %w", err)
	}
	col, err := runCollect(ctx, p, log.With(zap.String("job", "collect")))
	if err != nil {
		return nil, err
	}
	r := col.Responses
	sum.FilesCollected = col.Collected
	sum.ClaimsAccepted = r.ClaimsAccepted
	sum.ClaimsRejected = r.ClaimsRejected
	sum.ClaimsPaid = r.ClaimsPaid
	sum.ClaimsDenied = r.ClaimsDenied
	sum.AmountPaid = r.AmountPaid
	sum.PaymentsPosted = r.RemitsPosted

	if sum.Aging, err = p.ARAging(ctx); err != nil {
		return nil, err
	}
	sum.AROutstanding = sum.Aging.Total.Total
	items, err := p.Queue(ctx, pipeline.WorkFilter{Status: pipeline.WorkOpen})
	sum.WorkQueueOpen = len(items)
	return &sum, err
}

func (s *demoSummary) writeText(w io.Writer, dir string) {
	fmt.Fprintf(w, "Claims demo in %s\n\n", dir)
	fmt.Fprintf(w, "  Encounters read          %6d\n", s.EncountersRead)
	fmt.Fprintf(w, "  Claims held (scrubber)   %6d\n", s.ClaimsHeld)
	fmt.Fprintf(w, "  Claims submitted         %6d   in %d file(s), billed %s\n", s.ClaimsSubmitted, s.FilesUploaded, s.AmountBilled)
	fmt.Fprintf(w, "  Response files collected %6d\n", s.FilesCollected)
	fmt.Fprintf(w, "  Claims accepted (277CA)  %6d\n", s.ClaimsAccepted)
	fmt.Fprintf(w, "  Claims rejected          %6d\n", s.ClaimsRejected)
	fmt.Fprintf(w, "  Claims paid              %6d   %d payment(s) posted, %s\n", s.ClaimsPaid, s.PaymentsPosted, s.AmountPaid)
	fmt.Fprintf(w, "  Claims denied            %6d\n", s.ClaimsDenied)
	fmt.Fprintf(w, "  Work queue (open items)  %6d\n\n", s.WorkQueueOpen)
	writeAging(w, s.Aging)
	if s.ClaimsSubmitted == 0 && s.PaymentsPosted == 0 {
		fmt.Fprintln(w, "\nNothing new this run: everything in the samples was already submitted and posted.")
	}
}

// simulatorClient is the SFTP client of a started simulator, as the demo
// and the bench use it: its credentials written to secrets, its host key
// pinned, responses moved to outbound/archive once taken. opTimeout bounds
// one transfer.
func simulatorClient(sim *clearinghousesim.Simulator, secrets string, opTimeout time.Duration, log *zap.Logger) (*sftp.Client, error) {
	creds, err := sim.WriteCredentials(secrets)
	if err != nil {
		return nil, fmt.Errorf("simulator credentials: %w", err)
	}
	return sftp.New(simulatorSFTP(sim.Host(), sim.Port(), sim.User(), creds.PasswordFile, sim.HostKeyFingerprint(),
		sim.UploadDir(), sim.ResponseDir(), opTimeout), log)
}

// simulatorSFTP is the transport configuration of a simulator's SFTP
// user (in this process, or the bench's child): its password file, the
// host key pinned to its fingerprint, and the simulator's folders.
func simulatorSFTP(host string, port int, user, passwordFile, fingerprint, uploadDir, responseDir string, opTimeout time.Duration) sftp.Config {
	return sftp.Config{
		Name: "claimsim", Host: host, Port: port, User: user,
		PasswordFile:       passwordFile,
		HostKeyFingerprint: fingerprint,
		UploadDir:          uploadDir, ResponseDir: responseDir,
		AfterPickup: sftp.DisposalMove, ArchiveDir: responseDir + "/archive",
		Patterns:    []string{"*.TA1", "*.999", "*.277CA", "*.835"},
		DialTimeout: 5 * time.Second, HandshakeTimeout: 5 * time.Second, OpTimeout: opTimeout,
		MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second,
	}
}
