package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/samples"
	"github.com/x12claims/claims/x12/x837"
)

// hospitalConfig writes a configuration whose clearinghouses carry a
// hospital's identity (not the demo practice's) and returns its path.
func hospitalConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ch := func(name, sender string, payers ...string) map[string]any {
		up, resp := filepath.Join(dir, name, "up"), filepath.Join(dir, name, "down")
		for _, d := range []string{up, resp} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		return map[string]any{
			"name":          name,
			"payers":        payers,
			"isa":           map[string]string{"sender_qualifier": "ZZ", "sender_id": sender, "receiver_qualifier": "01", "receiver_id": "030240928", "usage": "T"},
			"submitter":     map[string]string{"name": "Millbrook Community Hospital", "contact": "EDI Desk", "phone": "9705550187"},
			"receiver_name": "AVAILITY",
			"transport":     map[string]any{"type": "localdir", "localdir": map[string]any{"upload_dir": up, "response_dir": resp}},
		}
	}
	cfg := map[string]any{"dir": filepath.Join(dir, "work"), "log": map[string]string{"level": "error"},
		"encounters":     []string{filepath.Join(dir, "incoming", "*.jsonl")},
		"clearinghouses": []any{ch("availity", "MILLBROOKCH"), ch("gateway", "MILLBROOKGW", "60054")}}
	b, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "claims.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sampleEncounters writes the shipped sample encounters to a file.
func sampleEncounters(t *testing.T) string {
	t.Helper()
	data, err := fs.ReadFile(samples.Files, "encounters.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "enc.jsonl")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBuildIdentity checks that build writes the identity of the
// configuration or the flags, never the demo practice's, and that a
// missing identity is an error naming its flag and configuration key.
func TestBuildIdentity(t *testing.T) {
	cfg := hospitalConfig(t)
	enc := sampleEncounters(t)
	flags := []string{"--sender-id", "STBRIGID", "--receiver-id", "CLEARCO", "--submitter-name", "St Brigid Hospital",
		"--submitter-phone", "2175550199", "--receiver-name", "CLEARCO"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // in the file (when built) or on stderr
	}{
		{"no identity", nil, exitFailure, []string{"--sender-id (clearinghouses[].isa.sender_id)", "--receiver-id", "--submitter-name",
			"--submitter-phone or --submitter-email", "--receiver-name"}},
		{"some flags", []string{"--sender-id", "STBRIGID"}, exitFailure, []string{"missing --receiver-id"}},
		{"flags", flags, exitAttention, []string{"*ZZ*STBRIGID       *ZZ*CLEARCO        *", "GS*HC*STBRIGID*CLEARCO*", "NM1*41*2*St Brigid Hospital*****46*STBRIGID~",
			"PER*IC**TE*2175550199~", "NM1*40*2*CLEARCO*****46*CLEARCO~"}},
		{"config with several clearinghouses", []string{"--config", cfg}, exitFailure, []string{"name one with --clearinghouse"}},
		{"config", []string{"--config", cfg, "--clearinghouse", "gateway"}, exitAttention, []string{"*ZZ*MILLBROOKGW    *01*030240928      *",
			"NM1*41*2*Millbrook Community Hospital*****46*MILLBROOKGW~", "PER*IC*EDI Desk*TE*9705550187~", "NM1*40*2*AVAILITY*****46*030240928~"}},
		{"flag over config", []string{"--config", cfg, "--clearinghouse", "availity", "--sender-id", "OVERRIDE"}, exitAttention,
			[]string{"*ZZ*OVERRIDE       *01*030240928      *", "GS*HC*OVERRIDE*030240928*"}},
		{"unknown clearinghouse", []string{"--config", cfg, "--clearinghouse", "nope"}, exitFailure, []string{`"nope": no such clearinghouse (configured: availity, gateway)`}},
		{"clearinghouse without config", []string{"--clearinghouse", "nope"}, exitFailure, []string{"--clearinghouse needs --config"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.x12")
			args := append([]string{"build", "--encounters", enc, "--out", out, "--dir", t.TempDir()}, tc.args...)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, nil, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			got := stderr.String()
			built := code != exitFailure // the samples hold three encounters: exit 1
			if built {
				data, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				got = string(data)
				if strings.Contains(got, "CEDARVALLEYMG") || strings.Contains(got, "Cedar Valley Medical Group*") {
					t.Error("the file carries the demo practice's identity")
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s lacks %q:\n%s", map[bool]string{true: "file", false: "stderr"}[built], w, clip(got, 2000))
				}
			}
		})
	}
}

// TestBuildLabelsWarnings checks that build prints each reason with its
// severity, and builds a claim that has only warnings.
func TestBuildLabelsWarnings(t *testing.T) {
	enc := filepath.Join(t.TempDir(), "enc.jsonl")
	if err := os.WriteFile(enc, warnedAndHeld(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.x12")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"build", "--encounters", enc, "--out", out, "--dir", t.TempDir(),
		"--sender-id", "S1", "--receiver-id", "R1", "--submitter-name", "N", "--submitter-email", "edi@example.com", "--receiver-name", "R"},
		nil, &stdout, &stderr)
	if code != exitAttention {
		t.Fatalf("exit %d, want %d (an encounter is held); stderr %q", code, exitAttention, stderr.String())
	}
	wantLabels(t, stdout.String())
	if !strings.Contains(stdout.String(), "2 encounter(s) read: 1 built into 1 file(s), 1 held") {
		t.Errorf("output lacks the counts:\n%s", stdout.String())
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(file), "CLM*") || strings.Contains(string(file), "PCN-IGNORED") {
		t.Errorf("the warned claim is not in the file, or its ignored payer claim number is:\n%s", clip(string(file), 800))
	}
}

// TestSubmitLabelsWarnings: submit sends the claim with only a warning,
// holds the one with an error, and prints each reason with its severity.
func TestSubmitLabelsWarnings(t *testing.T) {
	cfg, _ := localConfig(t)
	if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), "incoming", "today.jsonl"), warnedAndHeld(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI("submit", "--config", cfg)
	if code != exitAttention {
		t.Fatalf("exit %d, want %d (a claim is held); stderr %q", code, exitAttention, errs)
	}
	wantLabels(t, out)
	if !strings.Contains(out, "uploaded 1 file(s) with 1 claim(s)") {
		t.Errorf("the warned claim was not sent:\n%s", out)
	}
}

// wantLabels checks the severity labels printed for warnedAndHeld.
func wantLabels(t *testing.T, out string) {
	t.Helper()
	for _, want := range []string{
		"held H1:\n  - error: total charge 1.00 does not equal the sum",
		"  - warning: payer claim number is sent only with frequency 7 or 8",
		"accepted with warnings W1 (it goes out):\n  - warning: payer claim number",
		"(payer_claim_number 2300 REF02) [payer-claim-number]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// warnedAndHeld returns two encounters as JSON Lines: W1 with only a
// warning (a payer claim number on an original claim) and H1 with the
// same warning and an error (its total).
func warnedAndHeld(t *testing.T) []byte {
	t.Helper()
	data, err := fs.ReadFile(samples.Files, "encounters.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]any
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "{") {
			if err := json.Unmarshal([]byte(line), &first); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	warned := clone(t, first)
	warned["id"], warned["payer_claim_number"] = "W1", "PCN-IGNORED"
	held := clone(t, first)
	held["id"], held["payer_claim_number"], held["total_charge"] = "H1", "PCN-IGNORED", "1.00"
	var buf bytes.Buffer
	for _, e := range []map[string]any{warned, held} {
		b, _ := json.Marshal(e)
		buf.Write(append(b, '\n'))
	}
	return buf.Bytes()
}

func clone(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(m)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuildInpatientSample builds samples/inpatient.jsonl and checks the
// file with claims validate: the inpatient stay goes out with its hours,
// external causes in HI*ABN and the other coding data.
func TestBuildInpatientSample(t *testing.T) {
	data, err := fs.ReadFile(samples.Files, "inpatient.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	enc := filepath.Join(t.TempDir(), "inpatient.jsonl")
	if err := os.WriteFile(enc, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "ip.x12")
	if o, errs, code := runCLI("build", "--encounters", enc, "--out", out, "--dir", t.TempDir(), "--sender-id", "MILLBROOKCH",
		"--receiver-id", "030240928", "--submitter-name", "Millbrook Community Hospital", "--submitter-phone", "9705550187",
		"--receiver-name", "AVAILITY"); code != exitOK || !strings.Contains(o, "1 built into 1 file(s), 0 held") {
		t.Fatalf("build: exit %d\n%s%s", code, o, errs)
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, seg := range []string{"DTP*096*TM*1030~", "DTP*435*DT*202611092140~", "CL1*1*7*06~", "HI*ABK:S72001A:::::::Y~", "HI*ABJ:S72001A~",
		"HI*ABN:W010XXA:::::::Y*ABN:Y92009~", "HI*DR:481~", "HI*ABF:I10:::::::Y*ABF:E119:::::::Y~", "HI*BBR:0QS604Z:D8:20261110~",
		"HI*BBQ:BQ0CZZZ:D8:20261109~", "HI*BI:70:RD8:20261109-20261113~", "HI*BH:05:D8:20261109*BH:11:D8:20261109~",
		"HI*BE:80:::4*BE:01:::2300~", "NM1*72*1*Trevino*Anselm****XX*1062853944~", "NM1*ZZ*1*Brennan-Futak*Odalys****XX*1666777887~"} {
		if !strings.Contains(string(file), seg) {
			t.Errorf("the file lacks %s", seg)
		}
	}
	if o, errs, code := runCLI("validate", out); code != exitOK || !strings.Contains(o, "valid (0 warning(s))") {
		t.Errorf("validate: exit %d\n%s%s", code, o, errs)
	}
}

// TestSubmitUsesConfiguredIdentity: submit writes the configured
// clearinghouse's identity into the file it uploads.
func TestSubmitUsesConfiguredIdentity(t *testing.T) {
	cfg := hospitalConfig(t)
	dir := filepath.Dir(cfg)
	data, err := fs.ReadFile(samples.Files, "inpatient.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "incoming"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "incoming", "stay.jsonl"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := runCLI("submit", "--config", cfg); code != exitOK {
		t.Fatalf("submit: exit %d\n%s%s", code, out, errs)
	}
	files, err := filepath.Glob(filepath.Join(dir, "availity", "up", "*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("uploaded %v (%v), want one file", files, err)
	}
	file, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"*ZZ*MILLBROOKCH    *01*030240928      *", "NM1*41*2*Millbrook Community Hospital*****46*MILLBROOKCH~",
		"PER*IC*EDI Desk*TE*9705550187~", "NM1*40*2*AVAILITY*****46*030240928~"} {
		if !strings.Contains(string(file), want) {
			t.Errorf("the uploaded file lacks %q", want)
		}
	}
	if strings.Contains(string(file), "CEDARVALLEYMG") {
		t.Error("the uploaded file carries the demo practice's identity")
	}
}

func TestBuildOutName(t *testing.T) {
	for _, tc := range []struct {
		kind x837.Kind
		both bool
		n    int
		want string
	}{
		{x837.Professional, false, 1, "/tmp/out.x12"},
		{x837.Professional, true, 1, "/tmp/out.x12"},
		{x837.Institutional, false, 1, "/tmp/out.x12"},
		{x837.Institutional, true, 1, "/tmp/out_837I.x12"},
		{x837.Professional, true, 2, "/tmp/out_2.x12"},
		{x837.Institutional, true, 3, "/tmp/out_837I_3.x12"},
	} {
		if got := outName("/tmp/out.x12", tc.kind, tc.both, tc.n); got != tc.want {
			t.Errorf("outName(%s, both %v, %d) = %s, want %s", tc.kind, tc.both, tc.n, got, tc.want)
		}
	}
}

// TestBuildJSON: with --json, build prints one object with snake_case
// keys, the files it wrote and the reasons of what it held, and still
// exits 1 for a held encounter.
func TestBuildJSON(t *testing.T) {
	enc := filepath.Join(t.TempDir(), "enc.jsonl")
	if err := os.WriteFile(enc, warnedAndHeld(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.x12")
	var got struct {
		Intake struct {
			Read     int `json:"read"`
			HeldBack []struct {
				EncounterID string `json:"encounter_id"`
				Reasons     []struct {
					Code string `json:"code"`
				} `json:"reasons"`
			} `json:"held_back"`
		} `json:"intake"`
		Build struct {
			Files  int `json:"files"`
			Claims int `json:"claims"`
		} `json:"build"`
		Held  int `json:"held"`
		Files []struct {
			Path   string `json:"path"`
			Kind   string `json:"kind"`
			Claims int    `json:"claims"`
			ISA13  string `json:"isa13"`
		} `json:"files"`
	}
	runJSONCode(t, exitAttention, &got, "build", "--json", "--encounters", enc, "--out", out, "--dir", t.TempDir(),
		"--sender-id", "S1", "--receiver-id", "R1", "--submitter-name", "N", "--submitter-email", "edi@example.com", "--receiver-name", "R")
	if got.Intake.Read != 2 || got.Build.Files != 1 || got.Build.Claims != 1 || got.Held != 1 ||
		len(got.Intake.HeldBack) != 1 || len(got.Intake.HeldBack[0].Reasons) == 0 || got.Intake.HeldBack[0].Reasons[0].Code == "" {
		t.Errorf("counts or held reasons wrong: %+v", got)
	}
	if len(got.Files) != 1 || got.Files[0].Path != out || got.Files[0].Kind != "professional" || got.Files[0].Claims != 1 || got.Files[0].ISA13 == "" {
		t.Errorf("files = %+v; want %s, professional, 1 claim, with its ISA13", got.Files, out)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the file is not written, or not 0600: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left beside --out: %v", left)
	}
}

// TestBuildDeliversWhatAnEarlierRunDidNot: a build that records its file
// but cannot copy it out (--out in a missing folder) exits 2 and keeps
// the file in the outbox; the next build, with nothing new to build,
// delivers it to its own --out and empties the outbox, and the one after
// delivers nothing more.
func TestBuildDeliversWhatAnEarlierRunDidNot(t *testing.T) {
	enc := filepath.Join(t.TempDir(), "enc.jsonl")
	if err := os.WriteFile(enc, warnedAndHeld(t), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	build := func(out string) []string {
		return []string{"build", "--json", "--encounters", enc, "--out", out, "--dir", dir, "--sender-id", "S1",
			"--receiver-id", "R1", "--submitter-name", "N", "--submitter-email", "edi@example.com", "--receiver-name", "R"}
	}
	missing := filepath.Join(t.TempDir(), "no-such-folder", "out.x12")
	if _, errs, code := runCLI(build(missing)...); code != exitFailure || !strings.Contains(errs, "no-such-folder") {
		t.Fatalf("build to a missing folder: exit %d, %q; want %d naming the path", code, errs, exitFailure)
	}
	outbox := func() []string {
		left, _ := filepath.Glob(filepath.Join(dir, "outbox", "*"))
		return left
	}
	if left := outbox(); len(left) != 1 {
		t.Fatalf("outbox after the failed copy: %v, want the file built", left)
	}

	type result struct {
		Build struct {
			Files int `json:"files"`
		} `json:"build"`
		Files []struct {
			Path  string `json:"path"`
			ISA13 string `json:"isa13"`
		} `json:"files"`
	}
	out := filepath.Join(t.TempDir(), "out.x12")
	var got result
	runJSONCode(t, exitOK, &got, build(out)...)
	if got.Build.Files != 0 || len(got.Files) != 1 || got.Files[0].Path != out || got.Files[0].ISA13 != "000000001" {
		t.Errorf("next build: %+v; want no new file, and the first one delivered to %s", got, out)
	}
	if data, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(data), "ISA*") {
		t.Errorf("delivered file: %v, %.20q", err, data)
	}
	if left := outbox(); len(left) != 0 {
		t.Errorf("outbox after delivery: %v, want it empty", left)
	}

	again := filepath.Join(t.TempDir(), "again.x12")
	got = result{}
	runJSONCode(t, exitOK, &got, build(again)...)
	if len(got.Files) != 0 {
		t.Errorf("third build delivered %+v, want nothing", got.Files)
	}
	if _, err := os.Stat(again); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("third build wrote %s: %v", again, err)
	}
}
