// Package report builds typed reports of X12 response files for the
// `claims parse` command: 835 remittances with their totals and balancing
// errors, 999 implementation acknowledgments, 997 functional
// acknowledgments (4010 and 5010), 277CA claim
// acknowledgments, TA1 interchange acknowledgments, and (for submitted
// files) 837 claim counts and charges.
//
// Build reads a whole file and returns a Report; WriteText prints it for
// people and encoding/json prints it for programs (the JSON shape is
// documented in JSON.md). Build never panics on bad input: problems come
// back as positioned errors, and a caller should exit non-zero when there
// are any.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x997"
	"github.com/x12claims/claims/x12/x999"
)

// MaxFileSize is the largest input Build reads (256 MiB).
const MaxFileSize = 256 << 20

// ErrUnsupported is the cause of an error about a transaction set the
// report cannot read (a 270, an 834, a 277 that is not a 277CA, ...).
var ErrUnsupported = errors.New("unsupported transaction set")

// The set kinds of a report.
const (
	Kind835   = "835"
	Kind999   = "999"
	Kind997   = "997"
	Kind277CA = "277CA"
	KindTA1   = "TA1"
	Kind837   = "837"
)

// Report is the typed report of one file.
type Report struct {
	File string `json:"file"`
	// Sets are the transaction sets (and TA1 segments) in file order.
	Sets []*Set `json:"sets"`
	// Errors are the problems that make the file unusable as it is, each
	// with its position: not X12, truncated, a segment where the guide
	// allows none, an amount that is not exact. Build returns the same
	// errors.
	Errors []string `json:"errors,omitempty"`
	// Warnings are envelope problems that leave the data intact (a wrong
	// segment count, mismatched control numbers).
	Warnings []string `json:"warnings,omitempty"`
	// Notices say what the report could not cover without anything being
	// wrong with the file: a set it has no typed report for (an 834, a
	// 270, a 277 that is not a 277CA). Each wraps ErrUnsupported.
	Notices []string `json:"notices,omitempty"`
}

// Set is one transaction set of the file (or one TA1 segment).
type Set struct {
	// Set is the kind: "835", "999", "997", "277CA", "TA1" or "837"; for an
	// unsupported set, its ST01.
	Set string `json:"set"`
	// ControlNumber is ST02; for a TA1, TA101 (the acknowledged ISA13).
	ControlNumber string `json:"control_number"`
	Guide         string `json:"guide,omitempty"`       // ST03 or GS08
	Interchange   string `json:"interchange,omitempty"` // ISA13 of the file's interchange
	Group         string `json:"group,omitempty"`       // GS06
	// Totals is *x835.Totals, *AckTotals (999 and 997), *x277.Counts,
	// *TA1Totals or *ClaimTotals according to Set; nil for an unsupported
	// set.
	Totals any `json:"totals"`
	// BalancingErrors are the 835's imbalances (an empty list when it
	// balances); absent for other sets.
	BalancingErrors []*x835.BalanceError `json:"balancing_errors,omitzero"`
	Warnings        []string             `json:"warnings,omitempty"`

	// The typed content, one of them according to Set.
	Remittance *x835.Remittance     `json:"remittance,omitempty"`
	Ack        *x999.Ack            `json:"ack,omitempty"`
	Ack997     *x997.Ack            `json:"ack_997,omitempty"`
	ClaimAck   *x277.Acknowledgment `json:"claim_ack,omitempty"`
	TA1        *ta1.Ack             `json:"ta1,omitempty"`
}

// AckTotals are the totals of a 999 or a 997.
type AckTotals struct {
	SetsAccepted int `json:"sets_accepted"`
	SetsRejected int `json:"sets_rejected"`
}

// TA1Totals are the totals of a TA1.
type TA1Totals struct {
	Accepted bool   `json:"accepted"`
	Code     string `json:"code"` // TA104
	Note     string `json:"note"` // TA105
}

// ClaimTotals are the totals of an 837.
type ClaimTotals struct {
	ClaimCount  int        `json:"claim_count"`
	TotalCharge x12.Amount `json:"total_charge"` // ΣCLM02
}

// Build reads the file r (named name in the report) and returns its
// report together with every error found. Sets it has no typed report for
// are listed with their kind and given a notice (Report.Notices), not an
// error. The report is never nil; on
// errors it holds what could be read.
func Build(r io.Reader, name string) (*Report, []error) {
	rep := &Report{File: name}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return rep.fail(fmt.Errorf("report: read %s: %w", name, err))
	}
	if len(data) > MaxFileSize {
		return rep.fail(fmt.Errorf("report: %s is larger than %d bytes", name, MaxFileSize))
	}
	b := &builder{rep: rep, data: data, seen: make(map[string]bool)}
	b.scan()
	if b.fatal {
		return rep, b.errs
	}
	b.fill()
	return rep, b.errs
}

func (r *Report) fail(err error) (*Report, []error) {
	r.Errors = append(r.Errors, err.Error())
	return r, []error{err}
}

type builder struct {
	rep   *Report
	data  []byte
	errs  []error
	seen  map[string]bool // error and warning texts already recorded
	fatal bool
	kinds map[string][]*Set
}

func (b *builder) addErr(err error) {
	if err == nil || b.seen[err.Error()] {
		return
	}
	b.seen[err.Error()] = true
	b.errs = append(b.errs, err)
	b.rep.Errors = append(b.rep.Errors, err.Error())
}

// addErrs records the joined errors of a package reader.
func (b *builder) addErrs(err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			b.addErr(e)
		}
		return
	}
	b.addErr(err)
}

// addNotice records that a set has no typed report.
func (b *builder) addNotice(err error) {
	if b.seen[err.Error()] {
		return
	}
	b.seen[err.Error()] = true
	b.rep.Notices = append(b.rep.Notices, err.Error())
}

func (b *builder) addWarning(msg string) {
	if b.seen[msg] {
		return
	}
	b.seen[msg] = true
	b.rep.Warnings = append(b.rep.Warnings, msg)
}

// scan lists the sets and TA1 segments in file order, counts 837 claims,
// and records envelope errors.
func (b *builder) scan() {
	rd := x12.NewReader(bytes.NewReader(b.data))
	rd.Mode = x12.CollectAll
	b.kinds = make(map[string][]*Set)
	var cur *Set
	var totals *ClaimTotals
	seen := 0
	for {
		seg, err := rd.Next()
		all := rd.Errors()
		for _, e := range all[seen:] {
			if e == err {
				continue
			}
			if errors.Is(e, x12.ErrCount) || errors.Is(e, x12.ErrControlNumber) {
				b.addWarning(e.Error())
			} else {
				b.addErr(e)
			}
		}
		seen = len(all)
		if err == io.EOF {
			return
		}
		if err != nil {
			b.addErr(err)
			b.fatal = true
			return
		}
		switch seg.ID() {
		case "TA1":
			s := &Set{Set: KindTA1, ControlNumber: seg.String(1), Interchange: rd.Interchange().ControlNumber}
			b.add(s)
		case "ST":
			g, st := rd.Group(), rd.Set()
			cur = &Set{Set: st.ID, ControlNumber: st.ControlNumber, Guide: x12.Guide(g, st),
				Interchange: rd.Interchange().ControlNumber, Group: g.ControlNumber}
			totals = nil
			switch st.ID {
			case "277":
				cur.Set = Kind277CA
				if cur.Guide != x277.Guide {
					b.addNotice(&x12.Error{Pos: rd.Position(), Err: fmt.Errorf("277 set %s uses guide %q, not the 277CA %s: %w",
						st.ControlNumber, cur.Guide, x277.Guide, ErrUnsupported)})
				}
			case "835", "999", "997":
			case "837":
				totals = &ClaimTotals{}
				cur.Totals = totals
			default:
				b.addNotice(&x12.Error{Pos: rd.Position(), Err: fmt.Errorf("transaction set %s %s (guide %q): %w",
					st.ID, st.ControlNumber, cur.Guide, ErrUnsupported)})
			}
			b.add(cur)
		case "CLM":
			if totals != nil {
				totals.ClaimCount++
				a, err := x12.ParseAmount(seg.Element(2))
				if err != nil {
					pos := rd.Position()
					pos.Element = 2
					b.addErr(&x12.Error{Pos: pos, Err: fmt.Errorf("CLM02 %q: %w", seg.Element(2), x12.ErrBadAmount)})
				}
				totals.TotalCharge += a
			}
		}
	}
}

func (b *builder) add(s *Set) {
	b.rep.Sets = append(b.rep.Sets, s)
	b.kinds[s.Set] = append(b.kinds[s.Set], s)
}

// fill reads each kind of set with its package and attaches the typed
// content to the sets listed by scan, in order.
func (b *builder) fill() {
	fillKind(b, Kind835, x835.Read, func(s *Set, r *x835.Remittance) []x12.Warning {
		t := r.Totals()
		s.Remittance, s.Totals = r, &t
		s.BalancingErrors = append([]*x835.BalanceError{}, r.Balance()...)
		return r.Warnings
	})
	fillKind(b, Kind999, x999.Read, func(s *Set, a *x999.Ack) []x12.Warning {
		acc, rej := a.Counts()
		s.Ack, s.Totals = a, &AckTotals{SetsAccepted: acc, SetsRejected: rej}
		return a.Warnings
	})
	fillKind(b, Kind997, x997.Read, func(s *Set, a *x997.Ack) []x12.Warning {
		acc, rej := a.Counts()
		s.Ack997, s.Totals = a, &AckTotals{SetsAccepted: acc, SetsRejected: rej}
		return a.Warnings
	})
	fillKind(b, Kind277CA, x277.Read, func(s *Set, a *x277.Acknowledgment) []x12.Warning {
		c := a.Counts()
		s.ClaimAck, s.Totals = a, &c
		return a.Warnings
	})
	fillKind(b, KindTA1, ta1.Read, func(s *Set, a *ta1.Ack) []x12.Warning {
		s.TA1, s.Totals = a, &TA1Totals{Accepted: a.Accepted(), Code: a.Code, Note: a.Note}
		return nil
	})
	// Warnings already given at file level are not repeated per set.
	for _, s := range b.rep.Sets {
		kept := s.Warnings[:0]
		for _, w := range s.Warnings {
			if !b.fileWarning(w) {
				kept = append(kept, w)
			}
		}
		s.Warnings = kept
		if len(s.Warnings) == 0 {
			s.Warnings = nil
		}
	}
}

// fillKind reads the sets of one kind with the package's read and
// attaches each, in order, to the sets scan listed, with its warnings.
func fillKind[T any](b *builder, kind string, read func(io.Reader) ([]T, error), attach func(*Set, T) []x12.Warning) {
	sets := b.kinds[kind]
	if len(sets) == 0 {
		return
	}
	items, err := read(bytes.NewReader(b.data))
	b.addErrs(err)
	for i, s := range sets {
		if i >= len(items) {
			break
		}
		for _, w := range attach(s, items[i]) {
			s.Warnings = append(s.Warnings, warningText(w.Segment, w.SegmentID, w.Message))
		}
	}
}

func (b *builder) fileWarning(w string) bool {
	for _, fw := range b.rep.Warnings {
		if len(w) >= len(fw) && w[len(w)-len(fw):] == fw {
			return true
		}
	}
	return false
}

func warningText(seg int, id, msg string) string {
	if seg > 0 {
		return fmt.Sprintf("segment %d (%s) of the set: %s", seg, id, msg)
	}
	return msg
}
