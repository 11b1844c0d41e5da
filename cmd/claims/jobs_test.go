package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/configs"
	"github.com/x12claims/claims/internal/clearinghousesim"
	"github.com/x12claims/claims/pipeline"
)

// TestSubmitCollectFromConfig runs the production commands from a
// configuration file, with the local-folder transport pointed at the
// simulator's folders: submit, the clearinghouse answers, collect.
func TestSubmitCollectFromConfig(t *testing.T) {
	cfgPath, simRoot := localConfig(t)
	sim, err := clearinghousesim.NewResponder(clearinghousesim.DefaultConfig(simRoot))
	if err != nil {
		t.Fatal(err)
	}

	// Three sample encounters are held: done, but a person must act.
	var s pipeline.SubmitReport
	runJSONCode(t, exitAttention, &s, "submit", "--config", cfgPath, "--json")
	if s.Upload.Uploaded != 2 || s.Upload.ClaimsSent != 29 || s.Intake.Held != 3 || len(s.Attention) != 3 {
		t.Fatalf("submit: %+v, want 2 files and 29 claims uploaded, 3 held with 3 work items", s)
	}
	simRep, err := sim.Respond(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A 277CA rejection and a denied line: exit 1.
	var col pipeline.CollectReport
	runJSONCode(t, exitAttention, &col, "collect", "--config", cfgPath, "--json")
	if col.Responses.AmountPaid != simRep.Paid || col.Responses.RemitsPosted != simRep.Remittances {
		t.Errorf("collect posted %d remittances, %s; the clearinghouse wrote %d, %s",
			col.Responses.RemitsPosted, col.Responses.AmountPaid, simRep.Remittances, simRep.Paid)
	}
	// A second collect finds nothing; a second submit sends nothing.
	var again pipeline.CollectReport
	runJSON(t, &again, "collect", "--config", cfgPath, "--json")
	if again.Collected != 0 || again.Responses.RemitsPosted != 0 {
		t.Errorf("second collect: %+v", again)
	}
	var s2 pipeline.SubmitReport
	runJSON(t, &s2, "submit", "--config", cfgPath, "--json")
	if s2.Upload.ClaimsSent != 0 || len(s2.Attention) != 0 {
		t.Errorf("second submit: %+v", s2)
	}
}

func TestCommandErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing config", []string{"submit", "--config", "/nonexistent/claims.json"}, exitFailure, "no such file"},
		{"unreadable encounters", []string{"build", "--encounters", "/nonexistent.jsonl", "--out", "/tmp/x.x12", "--dir", t.TempDir(),
			"--sender-id", "S", "--receiver-id", "R", "--submitter-name", "N", "--submitter-phone", "3035550100", "--receiver-name", "R"}, exitFailure, "no such file"},
		{"validate missing file", []string{"validate", "/nonexistent.x12"}, exitFailure, "no such file"},
		{"parse not X12", []string{"parse", "jobs_test.go"}, exitAttention, "ISA segment expected"},
		{"unknown command", []string{"frobnicate"}, exitFailure, "unknown command"},
		{"ar on a missing folder", []string{"ar", "--dir", "/nonexistent/claims"}, exitFailure, "no claims store in /nonexistent/claims"},
		{"queue on a missing folder", []string{"queue", "--dir", "/nonexistent/claims"}, exitFailure, "no claims store in /nonexistent/claims"},
		{"config and dir", []string{"queue", "--config", "x.json", "--dir", "y"}, exitFailure, "not both"},
		{"submit without a config", []string{"submit"}, exitFailure, "submit needs --config"},
		{"demo on a port in use", []string{"demo", "--once", "--dir", t.TempDir(), "--sftp-addr", busy.Addr().String()}, exitFailure, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, nil, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if !bytes.Contains(errb.Bytes(), []byte(tt.want)) {
				t.Errorf("stderr %q does not mention %q", errb.String(), tt.want)
			}
		})
	}
}

// TestSubmitWhileAnotherRuns: a submit started while another process
// runs one exits 2 at once with a clear message, and does nothing.
func TestSubmitWhileAnotherRuns(t *testing.T) {
	cfgPath, simRoot := localConfig(t)
	// A first run creates the store; then another "process" (a second
	// store on the same file) holds the submit lock.
	runCLI("submit", "--config", cfgPath)
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sqlite.Open(context.Background(), filepath.Join(cfg.Dir, cfg.Store.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	release, err := other.JobLock(context.Background(), "submit")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(filepath.Join(simRoot, clearinghousesim.InboundDir))
	_, errs, code := runCLI("submit", "--config", cfgPath)
	if code != exitFailure || !strings.Contains(errs, "another process runs it") || !strings.Contains(errs, "nothing was done") {
		t.Errorf("submit while another runs: exit %d, %q", code, errs)
	}
	after, _ := os.ReadDir(filepath.Join(simRoot, clearinghousesim.InboundDir))
	if len(after) != len(before) {
		t.Errorf("the refused submit uploaded %d file(s)", len(after)-len(before))
	}
	release()
	if _, errs, code := runCLI("submit", "--config", cfgPath); code == exitFailure {
		t.Errorf("submit after the other finished: exit %d, %s", code, errs)
	}
}

// TestPrintAttention: a run's summary counts every work item it left and
// lists those its report has, saying how many more the queue holds.
func TestPrintAttention(t *testing.T) {
	items := []*pipeline.WorkItem{{ID: 7, Source: "835", Code: "CO-50", Summary: "denied"}}
	tests := []struct {
		name  string
		items []*pipeline.WorkItem
		total int
		want  []string
		not   []string
	}{
		{"none", nil, 0, nil, []string{"work item"}},
		{"all listed", items, 1, []string{"1 work item(s) need a person", "#7 835 [CO-50] denied"}, []string{"more"}},
		{"more than listed", items, 250, []string{"250 work item(s) need a person", "#7 835 [CO-50] denied", "… and 249 more: claims queue"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printAttention(&streams{out: &out, err: &bytes.Buffer{}}, tt.items, tt.total)
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}
