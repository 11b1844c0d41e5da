package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/x12claims/claims/adapters/sftp"
)

// The bench's simulator runs as a child process ("claims clearinghouse
// --control-stdin"), so that the bench's peak RSS is the product's alone.
// These bound its start and its stop.
const (
	benchSimStartTimeout = 30 * time.Second
	benchSimStopTimeout  = 10 * time.Second
	benchSimUser         = "claims"
)

// benchSimulator is the clearinghouse simulator the bench started as its
// child. Every line the child prints comes through lines; stop ends it.
type benchSimulator struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	lines    chan string // the child's standard output, line by line; closed at its end
	stderr   *tailBuffer
	exited   chan struct{} // closed once the child is waited for
	waitErr  error
	started  clearinghouseStarted
	port     int
	password string
	stopOnce sync.Once
}

// benchSimUsage is what the child used, read from its rusage once it
// exited.
type benchSimUsage struct {
	peakRSSMB, cpuSeconds float64
}

// startBenchSimulator writes the simulator's configuration into root
// (the demo's payers, no delays, one user with a random password, its
// state and host key under root) and starts exe as "claims clearinghouse"
// on it. It returns once the child listens, with its address and host
// key fingerprint read from its --json startup line; when the child
// cannot start or exits first, it returns an error holding the end of
// the child's standard error, and no process is left. With cpuProfile
// the child writes its CPU profile there.
func startBenchSimulator(ctx context.Context, exe, root, cpuProfile string) (*benchSimulator, error) {
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("start the clearinghouse simulator: %w", err)
		}
	}
	cfgPath, password, err := writeBenchSimConfig(root)
	if err != nil {
		return nil, fmt.Errorf("clearinghouse simulator configuration: %w", err)
	}
	args := []string{"clearinghouse", "--config", cfgPath, "--json", "--control-stdin"}
	if cpuProfile != "" {
		abs, err := filepath.Abs(cpuProfile)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		args = append(args, "--cpuprofile", abs)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = root
	// Wait returns this long after the child exited even if something it
	// started still holds its standard error open.
	cmd.WaitDelay = benchSimStopTimeout
	b := &benchSimulator{cmd: cmd, lines: make(chan string), stderr: &tailBuffer{max: 4096}, exited: make(chan struct{}), password: password}
	cmd.Stderr = b.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start the clearinghouse simulator: %w", err)
	}
	if b.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("start the clearinghouse simulator: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the clearinghouse simulator: %w", err)
	}
	go func() {
		defer close(b.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case b.lines <- sc.Text():
			case <-b.exited:
				return
			}
		}
	}()
	go func() {
		b.waitErr = cmd.Wait()
		close(b.exited)
	}()
	if err := b.awaitListening(ctx); err != nil {
		b.stop()
		return nil, fmt.Errorf("start the clearinghouse simulator: %w", err)
	}
	return b, nil
}

// awaitListening reads the child's startup line.
func (b *benchSimulator) awaitListening(ctx context.Context) error {
	line, err := b.readLine(ctx, benchSimStartTimeout)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(line), &b.started); err != nil {
		return fmt.Errorf("its first line is not its startup report: %q", clip(line, 200))
	}
	_, port, err := net.SplitHostPort(b.started.Listen)
	if err == nil {
		b.port, err = strconv.Atoi(port)
	}
	if err != nil || b.started.HostKeyFingerprint == "" {
		return fmt.Errorf("its startup report has no address or host key: %q", clip(line, 200))
	}
	return nil
}

// readLine returns the child's next line of output, or an error when it
// exits first, ctx is done or timeout passes.
func (b *benchSimulator) readLine(ctx context.Context, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case line, ok := <-b.lines:
		if ok {
			return line, nil
		}
		<-b.exited
		return "", fmt.Errorf("the simulator exited (%v)%s", b.waitErr, b.stderr.said())
	case <-ctx.Done():
		return "", ctx.Err()
	case <-t.C:
		return "", fmt.Errorf("the simulator said nothing in %v%s", timeout, b.stderr.said())
	}
}

// respond asks the child for one pass (take in every 837 uploaded, write
// every response due) and waits for it. It fails when the pass failed or
// left responses due: the bench configures no delays.
func (b *benchSimulator) respond(ctx context.Context) error {
	if _, err := io.WriteString(b.stdin, "step\n"); err != nil {
		return fmt.Errorf("ask the simulator: %w%s", err, b.stderr.said())
	}
	line, err := b.readLine(ctx, time.Hour)
	if err != nil {
		return err
	}
	var st clearinghouseStep
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		return fmt.Errorf("the simulator answered %q", clip(line, 200))
	}
	switch {
	case st.Error != "":
		return fmt.Errorf("the simulator: %s", st.Error)
	case st.Pending != 0:
		return fmt.Errorf("the simulator has %d responses still due after its pass", st.Pending)
	}
	return nil
}

// client returns the SFTP client of the child, as simulatorClient does
// for one in the process: the password written to secrets, the host key
// pinned to the fingerprint the child printed.
func (b *benchSimulator) client(secrets string, opTimeout time.Duration) (*sftp.Client, error) {
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		return nil, fmt.Errorf("simulator credentials: %w", err)
	}
	pwFile := filepath.Join(secrets, "sftp-password")
	if err := os.WriteFile(pwFile, []byte(b.password), 0o600); err != nil {
		return nil, fmt.Errorf("simulator credentials: %w", err)
	}
	return sftp.New(simulatorSFTP("127.0.0.1", b.port, benchSimUser, pwFile, b.started.HostKeyFingerprint,
		"/inbound", "/outbound", opTimeout), zap.NewNop())
}

// stop ends the child (SIGTERM, and SIGKILL if it has not exited within
// benchSimStopTimeout), waits for it and returns what it used. It is safe
// to call more than once.
func (b *benchSimulator) stop() benchSimUsage {
	b.stopOnce.Do(func() {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		_ = b.stdin.Close()
		select {
		case <-b.exited:
		case <-time.After(benchSimStopTimeout):
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
	})
	var u benchSimUsage
	if ru, ok := b.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		u.peakRSSMB = float64(ru.Maxrss) / 1024
		u.cpuSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return u
}

// writeBenchSimConfig writes the child's YAML configuration into root
// and the user's folders (outbound/archive included, where the client
// moves what it collected). It returns the file and the user's password.
func writeBenchSimConfig(root string) (string, string, error) {
	if err := os.MkdirAll(filepath.Join(root, "clearinghouse", benchSimUser, "outbound", "archive"), 0o700); err != nil {
		return "", "", err
	}
	pw := make([]byte, 24)
	if _, err := rand.Read(pw); err != nil {
		return "", "", err
	}
	password := base64.RawURLEncoding.EncodeToString(pw)
	// The demo's simulator (clearinghousesim.DefaultConfig): its payers,
	// one 835 per 837 and payer, no random rejections, no delays.
	cfg := `listen: 127.0.0.1:0
root: clearinghouse
state_dir: clearinghouse-state
host_key: clearinghouse-state/host_key
poll: 1h
sample_payers: true
batch_payments: false
timing: {ta1: 0s, ack: 0s, claim_ack: 0s, remit: 0s}
users:
  - name: ` + benchSimUser + `
    password: "` + password + `"
`
	path := filepath.Join(root, "clearinghouse.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return "", "", err
	}
	return path, password, nil
}

// tailBuffer keeps the last max bytes written to it: the end of the
// child's standard error, for an error message.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

// said returns ": " and the last line of what the child wrote to its
// standard error, or "" when it wrote nothing.
func (t *tailBuffer) said() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(bytes.ToValidUTF8(t.buf, nil)))
	if s == "" {
		return ""
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return ": " + clip(s, 300)
}
