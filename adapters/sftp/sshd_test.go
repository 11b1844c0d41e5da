package sftp

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestSSHD runs the suite against OpenSSH's sshd, started by the test on
// 127.0.0.1 with its own configuration, host key and client key. It skips
// when sshd is not installed, unless CLAIMS_INTEGRATION=required, in which
// case it fails.
func TestSSHD(t *testing.T) {
	srv := startSSHD(t)
	runSuite(t, srv)
}

// needSSHD returns the path of sshd, or skips (or, with
// CLAIMS_INTEGRATION=required, fails) the test.
func needSSHD(t *testing.T) string {
	t.Helper()
	bin := "/usr/sbin/sshd"
	_, err := os.Stat(bin)
	if err != nil {
		var lookErr error
		if bin, lookErr = exec.LookPath("sshd"); lookErr == nil {
			err = nil
		}
	}
	if err != nil {
		err = fmt.Errorf("sshd not found (install the openssh-server package): %w", err)
	}
	pipelinetest.NeedIntegration(t, "OpenSSH sshd", err)
	return bin
}

// sshdLog collects sshd's stderr and reports when it is listening.
type sshdLog struct {
	mu        sync.Mutex
	lines     []string
	listening map[string]bool
	ready     chan struct{}
	want      int
}

var listeningRE = regexp.MustCompile(`Server listening on 127\.0\.0\.1 port (\d+)`)

func (l *sshdLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if m := listeningRE.FindStringSubmatch(line); m != nil && !l.listening[m[1]] {
		l.listening[m[1]] = true
		if len(l.listening) == l.want {
			close(l.ready)
		}
	}
}

func (l *sshdLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// freePorts returns n ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// startSSHD starts "sshd -D -e -f <config>" as the current user, listening
// on two ports of 127.0.0.1: the first serves SFTP normally, the second in
// read-only mode (internal-sftp -R), which the permission test uses when it
// runs as root (root ignores "chmod 0500").
func startSSHD(t *testing.T) *testServer {
	t.Helper()
	bin := needSSHD(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// Privilege separation needs this directory when sshd runs as root.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatalf("create /run/sshd: %v", err)
		}
	}

	dir := t.TempDir()
	hostSigner, hostPriv := newKey(t)
	hostKeyFile := writeKey(t, dir, "ssh_host_ed25519_key", hostPriv, "")
	clientSigner, clientPriv := newKey(t)
	clientKeyFile := writeKey(t, dir, "id_ed25519", clientPriv, "")
	_, strangerPriv := newKey(t)
	strangerKeyFile := writeKey(t, dir, "id_stranger", strangerPriv, "")
	authorizedKeys := filepath.Join(dir, "authorized_keys")
	writeFile(t, authorizedKeys, ssh.MarshalAuthorizedKey(clientSigner.PublicKey()))
	root := filepath.Join(dir, "files")
	if err := os.Mkdir(root, 0o700); err != nil {
		t.Fatal(err)
	}

	var cmd *exec.Cmd
	var log *sshdLog
	var ports []int
	for try := 0; ; try++ {
		ports = freePorts(t, 2)
		config := sshdConfig(ports, hostKeyFile, authorizedKeys, me.Username)
		configFile := filepath.Join(dir, "sshd_config")
		writeFile(t, configFile, []byte(config))
		if out, err := exec.Command(bin, "-t", "-f", configFile).CombinedOutput(); err != nil {
			t.Fatalf("sshd -t rejected the test configuration: %v\n%s\n--- config ---\n%s", err, out, config)
		}
		cmd, log, err = runSSHD(t, bin, configFile)
		if err == nil {
			break
		}
		if try == 2 || !strings.Contains(log.String(), "Address already in use") {
			t.Fatalf("start sshd: %v\n--- sshd log ---\n%s", err, log)
		}
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("--- sshd log ---\n%s", log)
		}
	})

	addr := func(port int) string { return net.JoinHostPort("127.0.0.1", fmt.Sprint(port)) }
	return &testServer{
		name:    "sshd",
		addr:    addr(ports[0]),
		root:    root,
		remote:  func(local string) string { return filepath.ToSlash(local) },
		hostKey: hostSigner.PublicKey(),
		auth: func(cfg *Config) {
			cfg.User, cfg.KeyFile = me.Username, clientKeyFile
		},
		badAuth: func(cfg *Config) {
			cfg.User, cfg.KeyFile = me.Username, strangerKeyFile
		},
		denyWrites: func(t *testing.T, cfg *Config, dir string) {
			if os.Geteuid() != 0 {
				chmodReadOnly(t, dir)
				return
			}
			cfg.Port = ports[1]
		},
	}
}

func sshdConfig(ports []int, hostKey, authorizedKeys, userName string) string {
	var b strings.Builder
	for _, p := range ports {
		fmt.Fprintf(&b, "Port %d\n", p)
	}
	fmt.Fprintf(&b, `ListenAddress 127.0.0.1
HostKey %s
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowUsers %s
PubkeyAuthentication yes
AuthorizedKeysFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
MaxStartups 100
Subsystem sftp internal-sftp
Match LocalPort %d
	ForceCommand internal-sftp -R
`, hostKey, userName, authorizedKeys, ports[1])
	return b.String()
}

// runSSHD starts sshd and waits until it listens on every port, or exits.
func runSSHD(t *testing.T, bin, configFile string) (*exec.Cmd, *sshdLog, error) {
	t.Helper()
	log := &sshdLog{listening: map[string]bool{}, ready: make(chan struct{}), want: 2}
	cmd := exec.Command(bin, "-D", "-e", "-f", configFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, log, err
	}
	if err := cmd.Start(); err != nil {
		return nil, log, err
	}
	exited := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.add(sc.Text())
		}
		close(exited)
	}()
	select {
	case <-log.ready:
		return cmd, log, nil
	case <-exited:
		err := cmd.Wait()
		return nil, log, fmt.Errorf("sshd exited before listening: %w", errors.Join(err, errors.New("see log")))
	case <-time.After(time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		return nil, log, errors.New("sshd did not start listening within a minute")
	}
}
