package clearinghousesim

import (
	"context"
	"errors"
	"os"
	"time"

	"go.uber.org/zap"
)

// FaultsFileName is the control file a user may drop into its own SFTP
// folder (next to inbound/ and outbound/) to switch faults on and off
// while the simulator runs. Its content is YAML with the keys of a user's
// "faults" block (see the README); while it exists it replaces the
// configured faults, and removing it restores them. An invalid control
// file is ignored (and logged): the configured faults stay.
const FaultsFileName = "faults.yaml"

// faults returns the faults in force: the control file's when there is a
// valid one, else the configured ones.
func (r *Responder) faults() Faults {
	if r.cfg.FaultsFile == "" {
		return r.cfg.Faults
	}
	b, err := os.ReadFile(r.cfg.FaultsFile)
	if errors.Is(err, os.ErrNotExist) {
		return r.cfg.Faults
	}
	if err != nil {
		r.log.Warn("faults control file unreadable; configured faults apply", zap.Error(err))
		return r.cfg.Faults
	}
	f, err := ParseFaults(b, FaultsFileName)
	if err != nil {
		r.log.Warn("faults control file invalid; configured faults apply", zap.Error(err))
		return r.cfg.Faults
	}
	return f
}

// planned is one response with when and how it is to be delivered.
type planned struct {
	rendered
	due      time.Time
	chunked  bool   // written slowly under its final name
	withheld bool   // never delivered
	copyOf   string // for the second copy of a duplicated 835: the first's kind
}

// plan decides when and how each rendered response is delivered: due
// after its kind's delay, the 999/997 withheld under the NoAck fault,
// each 835 twice under DuplicateRemit, everything written slowly under
// SlowWrite.
func (r *Responder) plan(files []rendered, f Faults, now time.Time) []planned {
	var out []planned
	for _, x := range files {
		p := planned{rendered: x, due: now.Add(r.cfg.Timing.delay(x.kind)), chunked: f.SlowWrite}
		if f.NoAck && (x.kind == "999" || x.kind == "997") {
			p.withheld = true
		}
		out = append(out, p)
		if f.DuplicateRemit && x.kind == "835" {
			dup := p
			dup.copyOf = x.kind
			out = append(out, dup)
		}
	}
	return out
}

// writeSlowly writes data under its final name in ten pieces with a
// pause between them, so that a client listing the folder meanwhile sees
// a file that is still growing. It starts over after a kill.
func (r *Responder) writeSlowly(ctx context.Context, path string, data []byte) error {
	step := r.faults().SlowWriteStep
	if step <= 0 {
		step = 200 * time.Millisecond
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	piece := max(len(data)/10, 1)
	for off := 0; off < len(data); off += piece {
		end := min(off+piece, len(data))
		if _, err := f.Write(data[off:end]); err != nil {
			f.Close()
			return err
		}
		if end < len(data) {
			select {
			case <-ctx.Done():
				f.Close()
				return ctx.Err()
			case <-time.After(step):
			}
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
