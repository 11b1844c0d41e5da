package sqlcore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	segjson "github.com/segmentio/encoding/json"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
)

// sampleClaims returns the claims of the sample encounters, decoded with
// encoding/json.
func sampleClaims(t *testing.T) []x837.Claim {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "..", "..", "..", "samples", "*.jsonl"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	var out []x837.Claim
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if l := bytes.TrimSpace(sc.Bytes()); len(l) == 0 || l[0] == '#' {
				continue
			}
			var enc pipeline.Encounter
			if err := json.Unmarshal(sc.Bytes(), &enc); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, enc.Claim)
		}
		f.Close()
	}
	return out
}

// jsonbText renders JSON text the way PostgreSQL prints a JSONB value:
// keys in JSONB's order (shorter first, then bytewise), ", " and ": "
// between items, no HTML escaping.
func jsonbText(t *testing.T, text string) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var render func(v any)
	render = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				if len(keys[i]) != len(keys[j]) {
					return len(keys[i]) < len(keys[j])
				}
				return keys[i] < keys[j]
			})
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteString(", ")
				}
				render(k)
				b.WriteString(": ")
				render(v[k])
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range v {
				if i > 0 {
					b.WriteString(", ")
				}
				render(e)
			}
			b.WriteByte(']')
		default:
			var s bytes.Buffer
			enc := json.NewEncoder(&s)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			b.Write(bytes.TrimSuffix(s.Bytes(), []byte("\n")))
		}
	}
	render(v)
	return b.String()
}

// TestJSONDestRoundTrip: what jsonArg stores, jsonDest (segmentio) reads
// back as encoding/json would, from the text as written (SQLite) and as
// PostgreSQL prints it back from JSONB, for the sample claims and for odd
// strings.
func TestJSONDestRoundTrip(t *testing.T) {
	claims := sampleClaims(t)
	odd := claims[0]
	odd.Payer.Name = "<A&B> \u2028\u2029 \x01\x7f \"q\" \\ / caf\u00e9 \U0001F600 \ufffd"
	odd.Diagnoses = []string{"", "E11.9"}
	odd.TotalCharge = x12.Amount(-12345)
	claims = append(claims, odd)
	for i, c := range claims {
		text, err := jsonArg(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range []string{text, jsonbText(t, text)} {
			var want x837.Claim
			if err := json.Unmarshal([]byte(form), &want); err != nil {
				t.Fatal(err)
			}
			// The fast path is the one taken.
			if rest, err := segjson.Parse([]byte(form), new(x837.Claim), segjson.DisallowUnknownFields); err != nil || len(rest) != 0 {
				t.Errorf("claim %d: segmentio refuses\n%s\n%v", i, form, err)
			}
			for _, src := range []any{form, []byte(form)} {
				var got x837.Claim
				if err := (jsonDest{&got}).Scan(src); err != nil {
					t.Fatalf("claim %d: Scan(%T): %v", i, src, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("claim %d: Scan(%T) of\n%s\ngives %+v, want %+v", i, src, form, got, want)
				}
				if cap(got.Lines) > len(got.Lines)+1 {
					t.Errorf("claim %d: room for %d lines, %d used", i, cap(got.Lines), len(got.Lines))
				}
				if again, _ := jsonArg(got); again != text {
					t.Errorf("claim %d: stored again as\n%s\nwant\n%s", i, again, text)
				}
			}
		}
	}
}

// TestJSONDest: the other destinations, the empty values, the values
// only encoding/json decodes (a key segmentio does not fold, an unknown
// key) and bad values, whose error is encoding/json's.
func TestJSONDest(t *testing.T) {
	var mods []string
	if err := (jsonDest{&mods}).Scan(`["25", "59"]`); err != nil || !reflect.DeepEqual(mods, []string{"25", "59"}) {
		t.Errorf("modifiers: %q, %v", mods, err)
	}
	var reasons []pipeline.Reason
	if err := (jsonDest{&reasons}).Scan([]byte(`[{"code":"A7","text":"t","severity":"error"}]`)); err != nil ||
		!reflect.DeepEqual(reasons, []pipeline.Reason{{Code: "A7", Text: "t", Severity: "error"}}) {
		t.Errorf("reasons: %+v, %v", reasons, err)
	}
	var clp *x835.Claim
	if err := (jsonDest{&clp}).Scan(`{"ordinal": 2, "charge": "10.50", "statement_from": "2026-01-02"}`); err != nil || clp == nil ||
		clp.Ordinal != 2 || clp.Charge != 1050 || clp.StatementFrom != (x12.Date{Year: 2026, Month: 1, Day: 2}) {
		t.Errorf("835 claim: %+v, %v", clp, err)
	}
	for _, src := range []any{nil, "null", "[]", []byte("null")} {
		var m []string
		if err := (jsonDest{&m}).Scan(src); err != nil || m != nil {
			t.Errorf("Scan(%v) = %q, %v; want nothing", src, m, err)
		}
	}
	var c x837.Claim
	if err := (jsonDest{&c}).Scan("{\"\u017fubscriber\": {\"member_id\": \"M1\"}}"); err != nil || c.Subscriber.MemberID != "M1" {
		t.Errorf("key in another case: %+v, %v", c.Subscriber, err)
	}
	c = x837.Claim{}
	if err := (jsonDest{&c}).Scan(`{"frequency": "7", "gone": {"a": [1]}}`); err != nil || c.Frequency != "7" {
		t.Errorf("a field since removed: %+v, %v", c, err)
	}
	for _, bad := range []string{`{"kind": 1}`, `{"total_charge": 1.5}`, `{"lines": [}`, `{} x`} {
		var c x837.Claim
		want := "scan json: " + json.Unmarshal([]byte(bad), new(x837.Claim)).Error()
		if err := (jsonDest{&c}).Scan(bad); err == nil || err.Error() != want {
			t.Errorf("Scan(%s) = %v, want %s", bad, err, want)
		}
	}
	if err := (jsonDest{&c}).Scan(12); err == nil {
		t.Error("Scan(12) succeeded")
	}
}
