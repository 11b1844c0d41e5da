package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/samples"
	"github.com/x12claims/claims/x12"
)

// benchTemplates are the sample encounters the generator varies, and the
// ones it plants now and then as bad records: held by the scrubber (no
// member ID, bad NPI check digit, total ≠ lines) or rejected by the
// simulator's 277CA (member not enrolled). See samples/README.md.
type benchTemplates struct {
	good, held, rejected []*pipeline.Encounter
}

func loadBenchTemplates(ctx context.Context) (*benchTemplates, error) {
	f, err := samples.Files.Open("encounters.jsonl")
	if err != nil {
		return nil, fmt.Errorf("bench templates: %w", err)
	}
	defer f.Close()
	var t benchTemplates
	for enc, err := range encounters.NewJSONL("samples/encounters.jsonl", f).Encounters(ctx) {
		if err != nil {
			return nil, fmt.Errorf("bench templates: %w", err)
		}
		switch enc.ID {
		case "ENC-20128", "ENC-20129", "ENC-20130":
			t.held = append(t.held, enc)
		case "ENC-20127":
			t.rejected = append(t.rejected, enc)
		default:
			t.good = append(t.good, enc)
		}
	}
	if len(t.good) == 0 || len(t.held) == 0 || len(t.rejected) == 0 {
		return nil, errors.New("bench templates: the samples lack good or bad encounters")
	}
	return &t, nil
}

// benchDiagnoses are principal diagnoses the generator swaps in.
var benchDiagnoses = []string{"I10", "E11.9", "J06.9", "M54.50", "R05.9", "K21.9", "F41.1", "N39.0", "J02.9", "E78.5", "Z00.00", "R51.9"}

// benchMix is how often the generator plants bad records: one in every
// heldEvery encounters is held by the scrubber, one in rejectEvery is
// rejected by the 277CA, one in malformedEvery lines is malformed; a run
// of fewer encounters gets them more often (see every), so that even 50
// have some of each.
const (
	heldEvery      = 500
	rejectEvery    = 700
	malformedEvery = 1000
)

// every is the period of a kind of bad record in n encounters: k, or
// n/2 when that is less (at least 3).
func every(k, n int) int { return max(3, min(k, n/2)) }

// benchGenReport counts what the generator wrote.
type benchGenReport struct {
	Files, Encounters, Held, Rejected, Malformed int
}

// generateEncounters writes n encounters to JSON Lines files in dir, at
// most perFile per file, deterministic for a seed: the sample encounters
// with new IDs, member IDs, principal diagnoses and line charges, both
// professional and institutional, for the samples' three payers, with a
// few bad records mixed in (see benchMix). The files are 0600.
func generateEncounters(ctx context.Context, dir string, n, perFile int, seed uint64) (benchGenReport, error) {
	var rep benchGenReport
	t, err := loadBenchTemplates(ctx)
	if err != nil {
		return rep, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	held, rejected, malformed := every(heldEvery, n), every(rejectEvery, n), every(malformedEvery, n)
	var (
		f  *os.File
		w  *bufio.Writer
		je *json.Encoder
	)
	closeFile := func() error {
		if f == nil {
			return nil
		}
		err := w.Flush()
		if err == nil {
			err = f.Close()
		} else {
			f.Close()
		}
		f = nil
		return err
	}
	for i := range n {
		if ctx.Err() != nil {
			closeFile()
			return rep, ctx.Err()
		}
		if i%perFile == 0 {
			if err := closeFile(); err != nil {
				return rep, fmt.Errorf("generate encounters: %w", err)
			}
			name := filepath.Join(dir, fmt.Sprintf("encounters-%04d.jsonl", rep.Files+1))
			if f, err = os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err != nil {
				return rep, fmt.Errorf("generate encounters: %w", err)
			}
			w = bufio.NewWriterSize(f, 256<<10)
			je = json.NewEncoder(w)
			rep.Files++
		}
		id := fmt.Sprintf("BENCH-%d-%08d", seed, i+1)
		if i%malformed == malformed-1 {
			// An amount given as a JSON number: the reader quarantines
			// this record only.
			fmt.Fprintf(w, `{"id":%q,"total_charge":125.5,"lines":[]}`+"\n", id)
			rep.Malformed++
			continue
		}
		var tpl *pipeline.Encounter
		vary := false
		switch {
		case i%held == held/2:
			tpl = t.held[rng.IntN(len(t.held))]
			rep.Held++
		case i%rejected == rejected/3:
			tpl = t.rejected[rng.IntN(len(t.rejected))]
			rep.Rejected++
		default:
			tpl, vary = t.good[rng.IntN(len(t.good))], true
		}
		enc := varyEncounter(tpl, id, rng, vary)
		if err := je.Encode(enc); err != nil {
			closeFile()
			return rep, fmt.Errorf("generate encounters: %w", err)
		}
		rep.Encounters++
	}
	if err := closeFile(); err != nil {
		return rep, fmt.Errorf("generate encounters: %w", err)
	}
	return rep, nil
}

// varyEncounter copies tpl under a new ID. A good template also gets a
// new member ID (same prefix, random digits), another principal
// diagnosis and line charges raised by up to $20.00 each (the total
// follows); a bad one keeps what makes it bad.
func varyEncounter(tpl *pipeline.Encounter, id string, rng *rand.Rand, vary bool) *pipeline.Encounter {
	e := *tpl
	e.ID = id
	e.Claim.Lines = append(tpl.Claim.Lines[:0:0], tpl.Claim.Lines...)
	e.Claim.Diagnoses = append(tpl.Claim.Diagnoses[:0:0], tpl.Claim.Diagnoses...)
	if !vary {
		return &e
	}
	if m := tpl.Subscriber.MemberID; m != "" {
		prefix := strings.TrimRight(m, "0123456789")
		digits := len(m) - len(prefix)
		var b strings.Builder
		b.WriteString(prefix)
		for range digits {
			b.WriteByte(byte('1' + rng.IntN(9)))
		}
		e.Subscriber.MemberID = b.String()
	}
	if d := benchDiagnoses[rng.IntN(len(benchDiagnoses))]; e.Kind != "institutional" && len(e.Diagnoses) > 0 && !slices.Contains(e.Diagnoses, d) {
		e.Diagnoses[0] = d
	}
	var total x12.Amount
	for i := range e.Claim.Lines {
		e.Claim.Lines[i].Charge += x12.Amount(rng.IntN(2001))
		total += e.Claim.Lines[i].Charge
	}
	e.TotalCharge = total
	return &e
}
