package x999

import "github.com/x12claims/claims/x12"

// Guide is the implementation guide of the 999.
const Guide = "005010X231A1"

// Ack is one 999 transaction set: the acknowledgment of one functional
// group.
type Ack struct {
	// Envelope of the 999 itself.
	ISA13      string `json:"isa13,omitempty"`
	GS06       string `json:"gs06,omitempty"`
	SetControl string `json:"control_number"` // ST02
	SenderID   string `json:"sender_id,omitempty"`
	ReceiverID string `json:"receiver_id,omitempty"`
	Version    string `json:"version,omitempty"` // ST03 or GS08

	// The acknowledged group (AK1).
	FunctionalID string         `json:"functional_id"` // AK101: GS01 of the acknowledged group, e.g. "HC"
	GroupControl string         `json:"group_control"` // AK102: its GS06
	GroupVersion string         `json:"group_version"` // AK103: its GS08
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

// SetResponse is the 2000 loop: the verdict on one acknowledged
// transaction set.
type SetResponse struct {
	Segment    int    `json:"segment,omitempty"`    // position of the AK2 in the 999 (ST = 1)
	SetID      string `json:"set_id"`               // AK201, e.g. "837"
	Control    string `json:"control"`              // AK202: ST02 of the acknowledged set
	Convention string `json:"convention,omitempty"` // AK203: its ST03
	Status     string `json:"status"`               // IK501: A, E, M, R, W, X
	// Errors are the IK502-IK506 transaction set error codes.
	Errors   []string       `json:"errors,omitempty"`
	Segments []SegmentError `json:"segments,omitempty"` // IK3 loops
}

// Accepted reports whether the set was accepted (IK501 A, or E: accepted
// with errors noted). Any other code, known or not, is not acceptance.
func (s *SetResponse) Accepted() bool { return s.Status == "A" || s.Status == "E" }

// Rejected reports whether the set was rejected (IK501 R, M, W or X).
func (s *SetResponse) Rejected() bool {
	switch s.Status {
	case "R", "M", "W", "X":
		return true
	}
	return false
}

// SegmentError is the 2100 loop: one segment in error (IK3) with its
// context and element errors.
type SegmentError struct {
	SegmentID string `json:"segment_id"`     // IK301
	Position  int    `json:"position"`       // IK302: position in the acknowledged set (ST = 1)
	Loop      string `json:"loop,omitempty"` // IK303, e.g. "2300"
	Code      string `json:"code,omitempty"` // IK304 segment syntax error code
	// Contexts are the situational-trigger CTX segments.
	Contexts []Context `json:"contexts,omitempty"`
	// BusinessUnit is the business unit CTX ("CLM01" and the patient
	// control number of the claim in error), when sent.
	BusinessUnit *BusinessUnit  `json:"business_unit,omitempty"`
	Elements     []ElementError `json:"elements,omitempty"` // IK4 loops
}

// ElementError is the 2110 loop: one element in error (IK4).
type ElementError struct {
	Position   int       `json:"position"`             // IK401-1: element position in the segment
	Component  int       `json:"component,omitempty"`  // IK401-2
	Repetition int       `json:"repetition,omitempty"` // IK401-3
	Reference  string    `json:"reference,omitempty"`  // IK402: data element reference number
	Code       string    `json:"code"`                 // IK403 element syntax error code
	BadData    string    `json:"bad_data,omitempty"`   // IK404: copy of the bad data
	Contexts   []Context `json:"contexts,omitempty"`
}

// BusinessUnit is a business unit identifier CTX, e.g. CLM01 and a patient
// control number.
type BusinessUnit struct {
	Name      string `json:"name"`      // CTX01-1, e.g. "CLM01"
	Reference string `json:"reference"` // CTX01-2
}

// Context is a situational-trigger CTX: the segment whose presence made
// the erroneous segment or element required or not allowed.
type Context struct {
	Name       string `json:"name"`                 // CTX01-1, "SITUATIONAL TRIGGER"
	SegmentID  string `json:"segment_id,omitempty"` // CTX02
	Position   int    `json:"position,omitempty"`   // CTX03
	Loop       string `json:"loop,omitempty"`       // CTX04
	Element    int    `json:"element,omitempty"`    // CTX05-1
	Component  int    `json:"component,omitempty"`  // CTX05-2
	Repetition int    `json:"repetition,omitempty"` // CTX05-3
	Reference  string `json:"reference,omitempty"`  // CTX06-1
}

// Warning is a problem found while parsing that did not stop it (see
// x12.Warning).
type Warning = x12.Warning

// Counts returns how many acknowledged sets were accepted and rejected.
// They are taken from AK9 (AK904 accepted, AK903 − AK904 rejected), which
// also covers negative-only 999s that list only rejected sets.
func (a *Ack) Counts() (accepted, rejected int) {
	return a.SetsAccepted, a.SetsReceived - a.SetsAccepted
}

// Tally fills the AK9 fields from the set responses: included is GE01 of
// the acknowledged group; received is the number of set responses;
// accepted counts IK501 A and E; the status is A when every set is A, E
// when all are accepted and some with errors, R when none is accepted
// (and at least one was received), P otherwise. Group error codes are
// left as they are.
func (a *Ack) Tally(included int) {
	a.SetsIncluded = included
	a.SetsReceived = len(a.Sets)
	a.SetsAccepted = 0
	withErrors := false
	for _, s := range a.Sets {
		if s.Accepted() {
			a.SetsAccepted++
		}
		if s.Status == "E" {
			withErrors = true
		}
	}
	switch {
	case a.SetsReceived > 0 && a.SetsAccepted == 0:
		a.Status = "R"
	case a.SetsAccepted < a.SetsReceived || a.SetsReceived < included:
		a.Status = "P"
	case withErrors:
		a.Status = "E"
	default:
		a.Status = "A"
	}
	if len(a.GroupErrors) > 0 && a.Status == "A" {
		a.Status = "E"
	}
}

// NewAck returns the 999 set setControl acknowledging a received
// functional group: AK1 from its GS, one accepted set response (IK5 A) per
// received set header, in order, and AK9 tallied with GE01 = len(sets).
// To reject a set, set its Status (and Errors, Segments) and call Tally
// again.
func NewAck(setControl string, group x12.GroupHeader, sets []x12.SetHeader) *Ack {
	a := &Ack{SetControl: setControl, FunctionalID: group.FunctionalID, GroupControl: group.ControlNumber, GroupVersion: group.Version}
	for _, s := range sets {
		a.Sets = append(a.Sets, &SetResponse{SetID: s.ID, Control: s.ControlNumber, Convention: s.Convention, Status: "A"})
	}
	a.Tally(len(sets))
	return a
}
