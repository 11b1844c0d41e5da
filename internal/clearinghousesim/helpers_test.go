package clearinghousesim

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x997"
	"github.com/x12claims/claims/x12/x999"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testNow is the fixed clock of the tests: after every service date of
// the fixture except PCN1010's.
func testNow() time.Time { return time.Date(2026, 11, 28, 14, 30, 0, 0, time.UTC) }

// newResponder returns a Responder on a fresh folder with the default
// configuration, the fixed clock and any changes mut makes.
func newResponder(t *testing.T, mut func(*Config)) *Responder {
	t.Helper()
	cfg := DefaultConfig(t.TempDir())
	cfg.Now = testNow
	if mut != nil {
		mut(&cfg)
	}
	r, err := NewResponder(cfg)
	if err != nil {
		t.Fatalf("NewResponder: %v", err)
	}
	return r
}

// fixture returns a file of testdata.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replace replaces old with new in s, failing the test when old is absent.
func replace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("fixture has no %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

// drop puts an 837 file into the responder's inbound folder.
func drop(t *testing.T, r *Responder, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(r.Root(), InboundDir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// respond runs Respond and fails the test on error.
func respond(t *testing.T, r *Responder) Report {
	t.Helper()
	rep, err := r.Respond(context.Background())
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	return rep
}

// output reads a response file.
func output(t *testing.T, r *Responder, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.Root(), OutboundDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// segments parses X12 and returns its segments as text ("STC*A2:20*...").
// It fails the test when the content does not read back cleanly.
func segments(t *testing.T, data []byte) []string {
	t.Helper()
	rd := x12.NewReader(bytes.NewReader(data))
	var out []string
	for {
		s, err := rd.Next()
		if err != nil {
			if err == io.EOF {
				return out
			}
			t.Fatalf("response does not read back: %v", err)
		}
		out = append(out, s.Text())
	}
}

// hasSegment reports whether a segment starts with prefix.
func hasSegment(segs []string, prefix string) bool {
	for _, s := range segs {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// kinds returns the extension of each output name, in order.
func kinds(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, strings.TrimPrefix(filepath.Ext(n), "."))
	}
	return out
}

// parsed is every response of a run read back with the project's own
// parsers: what the pipeline will see.
type parsed struct {
	ta1s   []*ta1.Ack
	acks   []*x999.Ack
	claims map[string]*x277.Claim // by patient control number
	rems   []*x835.Remittance
}

// parseOutputs reads every response of rep with x12/ta1, x12/x999,
// x12/x277 and x12/x835 and fails the test on any error or warning.
func parseOutputs(t *testing.T, r *Responder, rep Report) parsed {
	t.Helper()
	p := parsed{claims: map[string]*x277.Claim{}}
	for _, name := range rep.Outputs {
		data := output(t, r, name)
		switch ext := filepath.Ext(name); ext {
		case ".TA1":
			acks, err := ta1.Read(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			p.ta1s = append(p.ta1s, acks...)
		case ".999":
			acks, err := x999.Read(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, a := range acks {
				for _, w := range a.Warnings {
					t.Errorf("%s: warning: %s", name, w.Message)
				}
			}
			p.acks = append(p.acks, acks...)
		case ".277CA":
			acks, err := x277.Read(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, a := range acks {
				for _, w := range a.Warnings {
					t.Errorf("%s: warning: %s", name, w.Message)
				}
				for _, c := range a.Claims() {
					p.claims[c.PatientControlNumber] = c
				}
			}
		case ".997":
			acks, err := x997.Read(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, a := range acks {
				p.acks = append(p.acks, a.As999())
			}
		case ".835":
			rems, err := x835.Read(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			p.rems = append(p.rems, rems...)
		default:
			t.Fatalf("unexpected response %s", name)
		}
	}
	return p
}
