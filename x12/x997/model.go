package x997

import (
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x999"
)

// Version is the X12 version of the 997 this package is written for (GS08).
const Version = "004010"

// Ack is one 997 transaction set: the acknowledgment of one functional
// group.
type Ack struct {
	// Envelope of the 997 itself.
	ISA13      string `json:"isa13,omitempty"`
	GS06       string `json:"gs06,omitempty"`
	SetControl string `json:"control_number"` // ST02
	SenderID   string `json:"sender_id,omitempty"`
	ReceiverID string `json:"receiver_id,omitempty"`
	Version    string `json:"version,omitempty"` // ST03 or GS08

	// The acknowledged group (AK1).
	FunctionalID string         `json:"functional_id"`           // AK101: GS01 of the acknowledged group, e.g. "HC"
	GroupControl string         `json:"group_control"`           // AK102: its GS06
	GroupVersion string         `json:"group_version,omitempty"` // AK103 (5010 only): its GS08
	Sets         []*SetResponse `json:"sets,omitempty"`

	// The group verdict (AK9).
	Status       string   `json:"status"`                 // AK901: A, E, M, P, R, W, X
	SetsIncluded int      `json:"sets_included"`          // AK902: GE01 of the acknowledged group
	SetsReceived int      `json:"sets_received"`          // AK903
	SetsAccepted int      `json:"sets_accepted"`          // AK904
	GroupErrors  []string `json:"group_errors,omitempty"` // AK905-AK909 codes

	// Warnings are problems that did not stop parsing.
	Warnings []Warning `json:"warnings,omitempty"`
}

// SetResponse is the AK2 loop: the verdict on one acknowledged
// transaction set.
type SetResponse struct {
	Segment    int    `json:"segment,omitempty"`    // position of the AK2 in the 997 (ST = 1)
	SetID      string `json:"set_id"`               // AK201, e.g. "837"
	Control    string `json:"control"`              // AK202: ST02 of the acknowledged set
	Convention string `json:"convention,omitempty"` // AK203 (5010 only): its ST03
	Status     string `json:"status"`               // AK501: A, E, M, R, W, X
	// Errors are the AK502-AK506 transaction set syntax error codes.
	Errors   []string       `json:"errors,omitempty"`
	Segments []SegmentError `json:"segments,omitempty"` // AK3 loops
}

// Accepted reports whether the set was accepted (AK501 A, or E: accepted
// with errors noted). Any other code, known or not, is not acceptance.
func (s *SetResponse) Accepted() bool { return s.Status == "A" || s.Status == "E" }

// Rejected reports whether the set was rejected (AK501 R, M, W or X).
func (s *SetResponse) Rejected() bool {
	switch s.Status {
	case "R", "M", "W", "X":
		return true
	}
	return false
}

// SegmentError is the AK3 loop: one segment in error with its element
// errors.
type SegmentError struct {
	SegmentID string         `json:"segment_id"`         // AK301
	Position  int            `json:"position"`           // AK302: position in the acknowledged set (ST = 1)
	Loop      string         `json:"loop,omitempty"`     // AK303, e.g. "2300"
	Code      string         `json:"code,omitempty"`     // AK304 segment syntax error code
	Elements  []ElementError `json:"elements,omitempty"` // AK4 segments
}

// ElementError is one element in error (AK4).
type ElementError struct {
	Position   int    `json:"position"`             // AK401-1: element position in the segment
	Component  int    `json:"component,omitempty"`  // AK401-2
	Repetition int    `json:"repetition,omitempty"` // AK401-3 (5010 only)
	Reference  string `json:"reference,omitempty"`  // AK402: data element reference number
	Code       string `json:"code"`                 // AK403 element syntax error code
	BadData    string `json:"bad_data,omitempty"`   // AK404: copy of the bad data
}

// Warning is a problem found while parsing that did not stop it (see
// x12.Warning).
type Warning = x12.Warning

// Counts returns how many acknowledged sets were accepted and rejected,
// taken from AK9 (AK904 accepted, AK903 − AK904 rejected).
func (a *Ack) Counts() (accepted, rejected int) {
	return a.SetsAccepted, a.SetsReceived - a.SetsAccepted
}

// As999 returns the acknowledgment as a 999 (AK5 as IK5, AK3 as IK3, AK4
// as IK4), sharing nothing with a, so that it can be applied or reported
// like one. Version stays the 997's, and the 999 has no CTX.
func (a *Ack) As999() *x999.Ack {
	out := &x999.Ack{ISA13: a.ISA13, GS06: a.GS06, SetControl: a.SetControl, SenderID: a.SenderID, ReceiverID: a.ReceiverID,
		Version: a.Version, FunctionalID: a.FunctionalID, GroupControl: a.GroupControl, GroupVersion: a.GroupVersion,
		Status: a.Status, SetsIncluded: a.SetsIncluded, SetsReceived: a.SetsReceived, SetsAccepted: a.SetsAccepted,
		GroupErrors: clone(a.GroupErrors), Warnings: clone(a.Warnings)}
	for _, s := range a.Sets {
		r := &x999.SetResponse{Segment: s.Segment, SetID: s.SetID, Control: s.Control, Convention: s.Convention,
			Status: s.Status, Errors: clone(s.Errors)}
		for _, se := range s.Segments {
			e := x999.SegmentError{SegmentID: se.SegmentID, Position: se.Position, Loop: se.Loop, Code: se.Code}
			for _, el := range se.Elements {
				e.Elements = append(e.Elements, x999.ElementError{Position: el.Position, Component: el.Component,
					Repetition: el.Repetition, Reference: el.Reference, Code: el.Code, BadData: el.BadData})
			}
			r.Segments = append(r.Segments, e)
		}
		out.Sets = append(out.Sets, r)
	}
	return out
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}
