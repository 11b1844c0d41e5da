package configs

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
	"gopkg.in/yaml.v3"
)

// fixture is a folder with the files a configuration names: SSH keys (one
// plain, one encrypted with passphrase "right"), a known_hosts file, a
// password file and TLS files.
type fixture struct {
	dir, key, encKey, knownHosts, password, passphrase, tlsCert, tlsKey string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	f := fixture{dir: dir, key: filepath.Join(dir, "id_ed25519"), encKey: filepath.Join(dir, "id_ed25519_enc"),
		knownHosts: filepath.Join(dir, "known_hosts"), password: filepath.Join(dir, "password"),
		passphrase: filepath.Join(dir, "passphrase"), tlsCert: filepath.Join(dir, "cert.pem"), tlsKey: filepath.Join(dir, "key.pem")}
	keysOnce.Do(func() { keys.plain, keys.enc, keys.knownHosts, keys.err = makeKeys() })
	if keys.err != nil {
		t.Fatal(keys.err)
	}
	write(t, f.key, keys.plain)
	write(t, f.encKey, keys.enc)
	write(t, f.knownHosts, keys.knownHosts)
	write(t, f.password, "s3cret-password\n")
	write(t, f.passphrase, "right\n")
	write(t, f.tlsCert, "not checked here\n")
	write(t, f.tlsKey, "not checked here\n")
	return f
}

// keys are made once: encrypting a key is slow on purpose.
var (
	keysOnce sync.Once
	keys     struct {
		plain, enc, knownHosts string
		err                    error
	}
)

func makeKeys() (plain, enc, hosts string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return "", "", "", err
	}
	plain = string(pem.EncodeToMemory(block))
	block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("right"))
	if err != nil {
		return "", "", "", err
	}
	enc = string(pem.EncodeToMemory(block))
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", "", "", err
	}
	return plain, enc, knownhosts.Line([]string{"sftp.clearinghouse.example"}, sshPub) + "\n", nil
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// expand replaces {dir}, {key}, ... in text with the fixture's paths.
func (f fixture) expand(text string) string {
	return strings.NewReplacer("{dir}", f.dir, "{key}", f.key, "{enc_key}", f.encKey, "{known_hosts}", f.knownHosts,
		"{password}", f.password, "{passphrase}", f.passphrase, "{tls_cert}", f.tlsCert, "{tls_key}", f.tlsKey).Replace(text)
}

// baseYAML is a valid configuration that uses every section: an SFTP
// clearinghouse (index 0) and a local-folder one (index 1).
const baseYAML = `
dir: {dir}/work
store: {driver: sqlite, path: claims.db}
encounters: ["{dir}/incoming/*.jsonl"]
intake: {replace_adjudicated: false}
schedule: {submit: "CRON_TZ=America/Denver 0 22 * * 1-5", collect: "*/15 * * * *"}
daemon: {listen: "127.0.0.1:9464"}
log: {level: info, format: json}
web: {listen: "127.0.0.1:8080", idle_timeout: 15m, tls_cert_file: "{tls_cert}", tls_key_file: "{tls_key}", secure_cookies: true}
timely_filing: {default_days: 90, payers: {"87726": 180}}
clearinghouses:
  - name: availity
    payers: []
    response_senders: [AVAILITY2]
    split_by_payer: false
    max_claims_per_set: 1000
    file_name: "{sender}_{date}_{isa13}_{kind}.x12"
    max_upload_attempts: 5
    isa: {sender_qualifier: ZZ, sender_id: CEDARVALLEYMG, receiver_qualifier: "01", receiver_id: "030240928", usage: P, ack_requested: "0"}
    gs: {sender_code: CEDARVALLEYMG, receiver_code: "030240928"}
    submitter: {name: Cedar Valley Medical Group, contact: Billing Office, phone: "3035550100", email: billing@example.com}
    receiver_name: AVAILITY
    overdue: {ack_hours: 24, acknowledgment_days: 3, payment_days: 30}
    transport:
      type: sftp
      sftp:
        host: sftp.clearinghouse.example
        port: 22
        user: cedarvalley
        key_file: "{key}"
        known_hosts_file: "{known_hosts}"
        upload_dir: /SendFiles
        response_dir: /ReceiveFiles
        archive_dir: /ReceiveFiles/archive
        error_dir: /ReceiveFiles/errors
        after_pickup: move
        patterns: ["*.999", "*.835"]
        settle: 10s
        done_suffix: .done
        dial_timeout: 15s
        handshake_timeout: 15s
        op_timeout: 2m
        max_attempts: 4
        base_delay: 1s
        max_delay: 30s
  - name: gateway
    payers: ["60054"]
    isa: {sender_qualifier: ZZ, sender_id: CEDARVALLEYMG, receiver_qualifier: ZZ, receiver_id: GATEWAYCH, usage: T}
    submitter: {name: Cedar Valley Medical Group, phone: "3035550100"}
    receiver_name: GATEWAY
    transport:
      type: localdir
      localdir:
        upload_dir: "{dir}/gw/out"
        response_dir: "{dir}/gw/in"
        archive_dir: "{dir}/gw/archive"
        error_dir: "{dir}/gw/errors"
        after_pickup: delete
        patterns: ["*.835"]
        settle: 0s
        done_suffix: .done
`

// keyPaths lists every key of the configuration, "clearinghouses[]"
// standing for an entry, and reports whether each is a leaf.
func keyPaths(t reflect.Type, prefix string, out map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		path := prefix + yamlKey(f)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			out[path] = false
			keyPaths(ft, path+".", out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out[path] = true
			keyPaths(ft.Elem(), path+"[].", out)
		default:
			out[path] = true
		}
	}
}

func allKeys() map[string]bool {
	keys := map[string]bool{}
	keyPaths(reflect.TypeFor[Config](), "", keys)
	return keys
}

// concrete turns a key with "clearinghouses[]" into the path in baseYAML:
// the local-folder transport is clearinghouse 1, everything else 0.
func concrete(key string) string {
	if strings.Contains(key, "transport.localdir") {
		return strings.Replace(key, "clearinghouses[]", "clearinghouses[1]", 1)
	}
	return strings.Replace(key, "clearinghouses[]", "clearinghouses[0]", 1)
}

// setPath sets the value at a concrete key path ("a.b[1].c") in a YAML
// document, creating mapping keys as needed; value is YAML text.
func setPath(t *testing.T, doc *yaml.Node, path, value string) {
	t.Helper()
	var v yaml.Node
	if err := yaml.Unmarshal([]byte("v: "+value), &v); err != nil {
		t.Fatalf("value %q: %v", value, err)
	}
	val := v.Content[0].Content[1]
	n := doc.Content[0]
	parts := strings.Split(path, ".")
	for i, part := range parts {
		name, idx := part, -1
		if j := strings.IndexByte(part, '['); j >= 0 {
			name = part[:j]
			idx, _ = strconv.Atoi(strings.Trim(part[j:], "[]"))
		}
		last := i == len(parts)-1
		var child *yaml.Node
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == name {
				child = n.Content[k+1]
				if last && idx < 0 {
					n.Content[k+1] = val
					return
				}
			}
		}
		if child == nil {
			if last && idx < 0 {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, val)
				return
			}
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, child)
		}
		if idx >= 0 {
			if idx >= len(child.Content) {
				t.Fatalf("%s: no entry %d", path, idx)
			}
			if last {
				child.Content[idx] = val
				return
			}
			child = child.Content[idx]
		}
		n = child
	}
}

// loadWith writes baseYAML with the changes (concrete path → YAML value)
// and loads it, failing the test on a panic.
func loadWith(t *testing.T, f fixture, changes map[string]string) (cfg *Config, err error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(f.expand(baseYAML)), &doc); err != nil {
		t.Fatal(err)
	}
	for path, value := range changes {
		setPath(t, &doc, path, value)
	}
	b, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "claims.yaml")
	write(t, file, string(b))
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Load panicked: %v\n%s", r, b)
			err = nil
		}
	}()
	return Load(file)
}
