package sftp

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError reports a host key the client refuses. Its message shows the
// offered key's type and SHA256 fingerprint and how to pin it. It wraps
// ErrHostKey.
type HostKeyError struct {
	Addr   string        // "host:port" dialled
	Key    ssh.PublicKey // the key the server offered
	Reason string        // why it was refused
	Hint   string        // how to pin the key, if it is trusted
}

func (e *HostKeyError) Error() string {
	if e.Key == nil {
		return fmt.Sprintf("host key of %s %s", e.Addr, e.Reason)
	}
	return fmt.Sprintf("host key of %s %s: server offered %s %s; %s",
		e.Addr, e.Reason, e.Key.Type(), e.Fingerprint(), e.Hint)
}

// Unwrap returns ErrHostKey.
func (e *HostKeyError) Unwrap() error { return ErrHostKey }

// Fingerprint returns the offered key's SHA256 fingerprint ("SHA256:...").
func (e *HostKeyError) Fingerprint() string { return ssh.FingerprintSHA256(e.Key) }

// KnownHostsLine returns a known_hosts line that would pin the offered key.
func (e *HostKeyError) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(e.Addr)}, e.Key)
}

// hostKeyPolicy verifies server host keys for one connection.
type hostKeyPolicy struct {
	callback ssh.HostKeyCallback
	// algorithms lists the host key algorithms to ask for, so that a server
	// with several host keys offers the one that is pinned. Empty means the
	// library's default order.
	algorithms []string
}

// hostKeyPolicy builds the verification for a connection to addr, whose
// TCP peer is remote. The known_hosts file is read on every connection.
func (c Config) hostKeyPolicy(addr string, remote net.Addr) (hostKeyPolicy, error) {
	switch {
	case c.InsecureIgnoreHostKey:
		return hostKeyPolicy{callback: ssh.InsecureIgnoreHostKey()}, nil //nolint:gosec // opted in, warned on every connection

	case c.HostKeyFingerprint != "":
		want := c.HostKeyFingerprint
		return hostKeyPolicy{callback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if ssh.FingerprintSHA256(key) == want {
				return nil
			}
			return &HostKeyError{
				Addr:   addr,
				Key:    key,
				Reason: "does not match HostKeyFingerprint " + want,
				Hint: fmt.Sprintf("if the clearinghouse confirms the new key, set HostKeyFingerprint to %q",
					ssh.FingerprintSHA256(key)),
			}
		}}, nil
	}

	db, err := knownhosts.New(c.KnownHostsFile)
	if err != nil {
		return hostKeyPolicy{}, fmt.Errorf("%w: read known_hosts file: %w", ErrHostKey, err)
	}
	file := c.KnownHostsFile
	callback := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := db(hostname, remote, key)
		if err == nil {
			return nil
		}
		hke := &HostKeyError{Addr: addr, Key: key}
		line := hke.KnownHostsLine()
		var keyErr *knownhosts.KeyError
		var revoked *knownhosts.RevokedError
		switch {
		case errors.As(err, &revoked):
			hke.Reason = "is revoked in " + file
			hke.Hint = "a revoked key is never accepted"
		case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
			hke.Reason = "is unknown: " + file + " has no entry for this host"
			hke.Hint = fmt.Sprintf("if the clearinghouse confirms this key, pin it by adding this line to %s: %s", file, line)
		case errors.As(err, &keyErr):
			hke.Reason = fmt.Sprintf("has CHANGED: it does not match %s (possible man-in-the-middle attack)", keyErr.Want[0].String())
			hke.Hint = fmt.Sprintf("only if the clearinghouse confirms the new key, replace the entry in %s with: %s", file, line)
		default:
			return fmt.Errorf("%w: %w", ErrHostKey, err)
		}
		return hke
	}
	return hostKeyPolicy{callback: callback, algorithms: knownAlgorithms(db, addr, remote)}, nil
}

// knownAlgorithms asks the known_hosts database which key types it holds for
// addr by presenting a key it cannot contain, and returns the matching host
// key algorithms.
func knownAlgorithms(db ssh.HostKeyCallback, addr string, remote net.Addr) []string {
	probe, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public())
	if err != nil {
		return nil
	}
	var keyErr *knownhosts.KeyError
	if !errors.As(db(addr, remote, probe), &keyErr) {
		return nil
	}
	var algos []string
	for _, k := range keyErr.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			algos = append(algos, t)
		}
	}
	return algos
}
