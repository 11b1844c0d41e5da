package sftp

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// signerCache keeps the last parsed private key, keyed by the key file's
// digest, so that an encrypted key's slow passphrase derivation runs once and
// not on every connection. A changed key file is parsed again.
type signerCache struct {
	mu     sync.Mutex
	sum    [sha256.Size]byte
	signer ssh.Signer
}

// readSecret returns the secret held by the environment variable env or the
// file at path (one of them is set). One trailing newline of a file is
// dropped. Errors name the source, never the secret.
func readSecret(what, env, path string) ([]byte, error) {
	if env != "" {
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return nil, fmt.Errorf("%s: environment variable %s is not set or empty", what, env)
		}
		return []byte(v), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: read file: %w", what, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return nil, fmt.Errorf("%s: file %s is empty", what, path)
	}
	return []byte(s), nil
}

// authMethods reads the configured credentials and returns the SSH
// authentication methods to offer: the private key first, then the
// password. They are read on every connection so that a rotated password
// file or key takes effect without a restart. Errors wrap ErrAuth.
func (c Config) authMethods(cache *signerCache) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if c.KeyFile != "" {
		signer, err := c.loadKey(cache)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAuth, err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if c.PasswordEnv != "" || c.PasswordFile != "" {
		pw, err := readSecret("password", c.PasswordEnv, c.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAuth, err)
		}
		password := string(pw)
		methods = append(methods,
			ssh.Password(password),
			// Some servers only offer keyboard-interactive; answer every
			// prompt with the password, as OpenSSH's sftp does in batch mode.
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	return methods, nil
}

func (c Config) loadKey(cache *signerCache) (ssh.Signer, error) {
	pemBytes, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	sum := sha256.Sum256(pemBytes)
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.signer != nil && cache.sum == sum {
		return cache.signer, nil
	}
	signer, err := c.parseKey(pemBytes)
	if err != nil {
		return nil, err
	}
	cache.sum, cache.signer = sum, signer
	return signer, nil
}

func (c Config) parseKey(pemBytes []byte) (ssh.Signer, error) {
	if c.KeyPassphraseEnv == "" && c.KeyPassphraseFile == "" {
		signer, err := ssh.ParsePrivateKey(pemBytes)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("private key %s is encrypted: set KeyPassphraseEnv or KeyPassphraseFile", c.KeyFile)
		}
		if err != nil {
			return nil, fmt.Errorf("parse private key %s: %w", c.KeyFile, err)
		}
		return signer, nil
	}
	pass, err := readSecret("key passphrase", c.KeyPassphraseEnv, c.KeyPassphraseFile)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKeyWithPassphrase(pemBytes, pass)
	clear(pass)
	if err != nil {
		return nil, fmt.Errorf("parse private key %s with passphrase: %w", c.KeyFile, err)
	}
	return signer, nil
}
