package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/x12claims/claims/x12"
)

// SegmentBlock is a run of X12 segments about a claim: its loop in an 837
// we sent, or what a response said about it.
type SegmentBlock struct {
	// Title says what the block is ("837 sent as C12-1",
	// "277CA", ...); FileName, SetControl and From (the position of the
	// first segment in its transaction set, ST = 1) place it.
	Title      string   `json:"title"`
	FileName   string   `json:"file_name"`
	SetControl string   `json:"set_control,omitempty"`
	From       int      `json:"from"`
	Segments   []string `json:"segments"`
	// Missing says why the segments could not be read (the file was
	// removed from the working folder, say).
	Missing string `json:"missing,omitempty"`
}

// maxBlockSegments bounds a response block.
const maxBlockSegments = 80

// ClaimSegments returns the segments of every submission of a claim, as
// built, and those of every response that refers to it, in the order of
// the claim's history.
func (p *Pipeline) ClaimSegments(ctx context.Context, id int64) ([]SegmentBlock, error) {
	type want struct {
		title, name, path, set string
		from, to               int // to 0: until the loop ends
	}
	var wants []want
	err := p.store.InTx(ctx, func(tx Tx) error {
		subs, err := tx.Submissions(ctx, id)
		if err != nil {
			return err
		}
		for _, s := range subs {
			b, err := tx.GetBatch(ctx, s.BatchID)
			if err != nil {
				return err
			}
			wants = append(wants, want{title: fmt.Sprintf("837 sent as %s (frequency %s)", s.PCN, s.Frequency),
				name: b.FileName, path: b.LocalPath, set: s.SetControl, from: s.SegFrom, to: s.SegTo})
		}
		events, err := tx.Events(ctx, id)
		if err != nil {
			return err
		}
		seen := map[[3]any]bool{}
		for _, e := range events {
			if e.FileID == 0 || e.Segment == 0 || seen[[3]any{e.FileID, e.SetControl, e.Segment}] {
				continue
			}
			seen[[3]any{e.FileID, e.SetControl, e.Segment}] = true
			f, err := tx.GetInbound(ctx, e.FileID)
			if err != nil {
				return err
			}
			wants = append(wants, want{title: f.Kind, name: f.Name, path: f.LocalPath, set: e.SetControl, from: e.Segment})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d: %w", id, err)
	}
	blocks := make([]SegmentBlock, 0, len(wants))
	for _, w := range wants {
		b := SegmentBlock{Title: w.title, FileName: w.name, SetControl: w.set, From: w.from}
		segs, err := readBlock(w.path, w.set, w.from, w.to)
		if err != nil {
			b.Missing = err.Error()
		}
		b.Segments = segs
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// readBlock reads, from the file at path, the segments from position
// from to position to of the transaction set with control number set
// (positions in the file when set is empty, as for a TA1). When to is
// 0 it reads until the loop that starts at from ends: at the next segment
// like the first, or at a new HL, LX, PLB, a 999's AK9 or the end of the
// set.
func readBlock(path, set string, from, to int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("the file is no longer in the working folder")
		}
		return nil, err
	}
	defer f.Close()
	r := x12.NewReader(f)
	r.Mode = x12.CollectAll
	var out []string
	first := ""
	for {
		seg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, fmt.Errorf("read %s: %w", path, err)
		}
		pos := r.Position()
		at := pos.SetSegment
		if set == "" {
			at = pos.Segment
		} else if r.Set().ControlNumber != set {
			continue
		}
		if at < from {
			continue
		}
		id := seg.ID()
		switch {
		case to > 0 && at > to:
			return out, nil
		case to == 0 && at == from:
			first = id
		case to == 0 && (id == first || id == "HL" || id == "LX" || id == "PLB" || id == "AK9" || id == "SE" || id == "IEA" || id == "GE"):
			return out, nil
		}
		out = append(out, seg.Text())
		if len(out) >= maxBlockSegments {
			return out, nil
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("segment %d of set %q is not in the file", from, set)
	}
	return out, nil
}
