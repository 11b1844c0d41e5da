package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/x12claims/claims/samples"
)

// samplePHI returns the patient and subscriber names, member IDs, birth
// dates and street addresses of every sample encounter.
func samplePHI(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	add := func(v string) {
		// Short values (an initial, "Jr") would match by chance.
		if v = strings.TrimSpace(v); len(v) >= 4 {
			seen[v] = true
		}
	}
	f, err := samples.Files.Open("encounters.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type person struct {
		LastName  string `json:"last_name"`
		FirstName string `json:"first_name"`
		BirthDate string `json:"birth_date"`
		MemberID  string `json:"member_id"`
		Address   *struct {
			Line1 string `json:"line1"`
		} `json:"address"`
	}
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		var enc struct {
			Subscriber person  `json:"subscriber"`
			Patient    *person `json:"patient"`
		}
		if json.Unmarshal(lines.Bytes(), &enc) != nil {
			continue // the samples hold malformed records on purpose
		}
		for _, p := range []*person{&enc.Subscriber, enc.Patient} {
			if p == nil {
				continue
			}
			add(p.LastName)
			add(p.FirstName)
			add(p.BirthDate)
			add(p.MemberID)
			if p.Address != nil {
				add(p.Address.Line1)
			}
		}
	}
	c, err := samples.Files.Open("encounters.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := csv.NewReader(c)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]bool{"patient_last_name": true, "patient_first_name": true, "patient_birth_date": true,
		"patient_address1": true, "subscriber_last_name": true, "subscriber_first_name": true,
		"subscriber_birth_date": true, "subscriber_address1": true, "member_id": true}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue
		}
		for i, name := range head {
			if cols[name] && i < len(rec) {
				add(rec[i])
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	if len(out) < 50 {
		t.Fatalf("only %d patient values in the samples: the test would prove little", len(out))
	}
	return out
}

// TestDemoLogsNoPHI runs a whole demo cycle at debug level and fails if
// any patient or subscriber name, member ID, birth date or street address
// from the samples appears in what it prints.
func TestDemoLogsNoPHI(t *testing.T) {
	phi := samplePHI(t)
	t.Setenv("CLAIMS_LOG_LEVEL", "debug")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--once", "--verbose", "--dir", t.TempDir()}, strings.NewReader(""), &out, &errb)
	if code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, errb.String())
	}
	logs := errb.String()
	if strings.Count(logs, "\n") < 10 || !strings.Contains(logs, "\tdebug\t") {
		t.Fatalf("the demo logged only %d lines, none at debug: the test would prove nothing\n%s", strings.Count(logs, "\n"), logs)
	}
	for _, v := range phi {
		for name, text := range map[string]string{"log": logs, "output": out.String()} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
				i := strings.Index(strings.ToLower(text), strings.ToLower(v))
				t.Errorf("the demo's %s holds patient data %q: …%s…", name, v, text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}
}
