package configs

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mask replaces a secret-like value in a rendering.
const Mask = "********"

var (
	secretKey = regexp.MustCompile(`(?i)password|passphrase|secret|token`)
	// urlPassword is the password of a URL such as postgres://u:p@host/db.
	urlPassword = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^/@:\s]*:)([^/@\s]*)@`)
	// dsnPassword is password=... in a key=value connection string.
	dsnPassword = regexp.MustCompile(`(?i)\b(password\s*=\s*)('[^']*'|\S+)`)
)

// Render returns the configuration as YAML, or as JSON (snake_case keys),
// with the value of every key named like a secret (password, passphrase,
// secret, token) masked, and any password in a URL or connection string.
// The configuration holds only the names of the variables and files that
// hold secrets; the mask is a second line of defence.
func (c *Config) Render(asJSON bool) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, err
	}
	maskNode(&n, false)
	if asJSON {
		var b bytes.Buffer
		if err := writeJSON(&b, &n, ""); err != nil {
			return nil, err
		}
		b.WriteByte('\n')
		return b.Bytes(), nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// secretValue reports whether a key's value would be a secret: a key
// named like one, except the *_env and *_file keys, whose values only
// name where the secret is (an operator needs to see which).
func secretValue(key string) bool {
	if strings.HasSuffix(key, "_env") || strings.HasSuffix(key, "_file") {
		return false
	}
	return secretKey.MatchString(key)
}

// MaskString masks the passwords of URLs and connection strings in s.
func MaskString(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}"+Mask+"@")
	return dsnPassword.ReplaceAllString(s, "${1}"+Mask)
}

func maskNode(n *yaml.Node, secret bool) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			maskNode(c, secret)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			maskNode(n.Content[i+1], secret || secretValue(n.Content[i].Value))
		}
	case yaml.ScalarNode:
		if n.Tag != "!!str" || n.Value == "" {
			return
		}
		if secret {
			n.Value, n.Style = Mask, 0
			return
		}
		n.Value = MaskString(n.Value)
	}
}

// writeJSON writes the node tree as indented JSON, keys in their order.
func writeJSON(b *bytes.Buffer, n *yaml.Node, indent string) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSON(b, n.Content[0], indent)
	case yaml.MappingNode, yaml.SequenceNode:
		open, closing, step := "{", "}", 2
		if n.Kind == yaml.SequenceNode {
			open, closing, step = "[", "]", 1
		}
		if len(n.Content) == 0 {
			b.WriteString(open + closing)
			return nil
		}
		b.WriteString(open)
		inner := indent + "  "
		for i := 0; i < len(n.Content); i += step {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n" + inner)
			if step == 2 {
				k, _ := json.Marshal(n.Content[i].Value)
				b.Write(k)
				b.WriteString(": ")
			}
			if err := writeJSON(b, n.Content[i+step-1], inner); err != nil {
				return err
			}
		}
		b.WriteString("\n" + indent + closing)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	if n.Tag == "!!str" {
		v = n.Value
	}
	j, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(j)
	return nil
}
