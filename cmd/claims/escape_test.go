package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

// TestOutputIsEscaped: what the commands print about file content (an 835
// payer name, a work item summary, an inbound file's error) reaches the
// terminal through run's writer, which escapes control and format
// characters.
func TestOutputIsEscaped(t *testing.T) {
	const evil = "PAYER \x1b]0;owned\x07\x1b[2J\u202e\x00"
	cases := map[string]func(s *streams){
		"attention": func(s *streams) {
			printAttention(s, []*pipeline.WorkItem{{ID: 1, Source: "277ca", Code: "A7", Summary: evil}}, 1)
		},
		"remit list": func(s *streams) { writeRemits(s, []pipeline.RemitSummary{{ID: 1, PayerName: evil}}) },
		"remit show": func(s *streams) {
			writeRemit(s, &pipeline.RemitDetail{RemitSummary: pipeline.RemitSummary{ID: 1, PayerName: evil}})
		},
		"inbound list": func(s *streams) { writeInbound(s, []*pipeline.InboundFile{{ID: 1, Name: "x.997", Error: evil}}) },
		"queue":        func(s *streams) { writeQueue(s, []*pipeline.WorkItem{{ID: 1, Summary: evil}}) },
	}
	for name, f := range cases {
		var raw bytes.Buffer
		out := newSafeWriter(&raw) // as run gives every command
		f(&streams{out: out, err: &bytes.Buffer{}})
		out.Flush()
		got := raw.String()
		if strings.ContainsAny(got, "\x1b\x07\x00\u202e") {
			t.Errorf("%s: a control or format character reaches the terminal: %q", name, got)
		}
		if !strings.Contains(got, `\x1b]0;owned`) || !strings.Contains(got, `\u202e`) {
			t.Errorf("%s: the escapes are not visible: %q", name, got)
		}
	}
}

// TestEscapedJSONIsStillJSON: JSON written through run's writer parses to
// the same value, whatever characters its strings hold.
func TestEscapedJSONIsStillJSON(t *testing.T) {
	want := map[string]string{"payer_name": "A\u202eB\x7fC\U000e0001D\u2028E\x1bF\x00G é 中"}
	var raw bytes.Buffer
	out := newSafeWriter(&raw)
	if err := writeJSON(&streams{out: out}, want); err != nil {
		t.Fatal(err)
	}
	out.Flush()
	if strings.ContainsAny(raw.String(), "\u202e\x7f\U000e0001\u2028\x1b\x00") {
		t.Errorf("raw characters in the output: %q", raw.String())
	}
	var got map[string]string
	if err := json.Unmarshal(raw.Bytes(), &got); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, raw.String())
	}
	if got["payer_name"] != want["payer_name"] {
		t.Errorf("round trip: %q, want %q", got["payer_name"], want["payer_name"])
	}
}
