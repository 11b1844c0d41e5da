package validate

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
	"github.com/x12claims/claims/x12/x997"
	"github.com/x12claims/claims/x12/x999"
)

// Options tune File.
type Options struct {
	// Today is the date against which 837 dates are judged (no service
	// date after it). The zero Date skips that rule.
	Today x12.Date
}

// Kind names a set by what File knows of it: 837P, 837I, 277CA, or ST01
// for any other set (835, 999, 997, 834, ...), and TA1.
func Kind(s x12.EnvelopeSet) string {
	switch {
	case s.ID == "837" && strings.HasPrefix(s.Guide, "005010X222"):
		return "837P"
	case s.ID == "837" && strings.HasPrefix(s.Guide, "005010X223"):
		return "837I"
	case s.ID == "277" && s.Guide == x277.Guide:
		return "277CA"
	}
	return s.ID
}

// judged are the kinds File has rules for.
var judged = map[string]bool{"837P": true, "837I": true, "837": true, "835": true,
	"999": true, "997": true, "277CA": true, "TA1": true}

// File judges an X12 file of any kind: its envelopes, and each set by
// the rules of its kind. The problems are in the order found, each once.
// The error is non-nil only when the file cannot be read at all.
func File(data []byte, opts Options) ([]Problem, error) {
	env, err := x12.CheckEnvelopes(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := &collector{env: env, seen: map[string]bool{}}
	byKind := map[string][]x12.EnvelopeSet{}
	kindAt := map[int]string{}
	for _, s := range env.Sets {
		k := Kind(s)
		byKind[k] = append(byKind[k], s)
		kindAt[s.Segment] = k
	}
	if len(byKind["837P"])+len(byKind["837I"])+len(byKind["837"]) > 0 {
		// The 837 validator reports the Reader's errors itself; add only
		// the header checks it does not make.
		if err := c.add837(data, opts); err != nil {
			return nil, err
		}
		for _, e := range env.HeaderErrors {
			c.addErr("", RuleEnvelope, e)
		}
	} else {
		for _, e := range env.Errors {
			c.addErr("", RuleEnvelope, e)
		}
	}
	if sets := byKind["835"]; len(sets) > 0 {
		rems, err := x835.Read(bytes.NewReader(data))
		c.addJoined("835", err)
		for i, s := range sets {
			if i < len(rems) {
				c.balance(s, rems[i])
			}
		}
	}
	if len(byKind["999"]) > 0 {
		_, err := x999.Read(bytes.NewReader(data))
		c.addJoined("999", err)
	}
	if len(byKind["997"]) > 0 {
		_, err := x997.Read(bytes.NewReader(data))
		c.addJoined("997", err)
	}
	if len(byKind["277CA"]) > 0 {
		_, err := x277.Read(bytes.NewReader(data))
		c.addJoined("277CA", err)
	}
	if len(byKind["TA1"]) > 0 {
		_, err := ta1.Read(bytes.NewReader(data))
		c.addJoined("TA1", err)
	}
	if err := c.checkCodes(data, kindAt); err != nil {
		return nil, err
	}
	for _, s := range env.Sets {
		if k := Kind(s); !judged[k] {
			what := "set " + k
			if s.Guide != "" {
				what += " (guide " + s.Guide + ")"
			}
			c.add(Problem{Severity: Notice, Rule: RuleNoRules, Set: k, SetControl: s.ControlNumber,
				Position: Position{Segment: s.Segment, SegmentID: "ST", Byte: s.Offset},
				Message:  "no rules for " + what + "; envelope checked only"})
		}
	}
	return c.problems, nil
}

// add837 adds the 837 file validator's problems.
func (c *collector) add837(data []byte, opts Options) error {
	probs, err := x837.ValidateFile(bytes.NewReader(data), x837.FileOptions{Today: opts.Today})
	if err != nil {
		return err
	}
	for _, p := range probs {
		if p.Rule == x837.RuleGuide && p.Element == "ST01" {
			continue // a set of another kind, judged by its own rules
		}
		fp := Problem{Severity: Severity(p.Severity.String()), Rule: p.Rule, SetControl: p.SetControl, Claim: p.Claim,
			Line: p.Line, Loop: p.Loop, Element: p.Element, Position: PositionOf(p.Pos), Message: p.Message, text: p.Error()}
		if fp.SetControl != "" {
			fp.Set = "837"
		}
		c.add(fp)
	}
	return nil
}

// balance reports every imbalance of an 835 at its segment: the SVC for a
// line, the CLP for a claim, the BPR for the transaction.
func (c *collector) balance(s x12.EnvelopeSet, rem *x835.Remittance) {
	for _, be := range rem.Balance() {
		p := Problem{Severity: Error, Set: "835", SetControl: be.SetControl, Claim: be.PCN, Message: be.Error()}
		var seg, el int
		var id string
		switch be.Level {
		case x835.LevelLine:
			p.Rule, id, el = RuleBalanceLine, "SVC", 3
			seg, _ = c.env.FileSegment(s, be.LineSegment)
		case x835.LevelClaim:
			p.Rule, id, el = RuleBalanceClaim, "CLP", 4
			seg, _ = c.env.FileSegment(s, be.ClaimSegment)
		default:
			p.Rule, id, el = RuleBalanceTransaction, "BPR", 2
			seg = c.env.Find(s, "BPR")
		}
		if seg > 0 && seg < len(c.env.Offsets) {
			p.Position = Position{Segment: seg, SetSegment: seg - s.Segment + 1, SegmentID: c.env.IDs[seg], Element: el, Byte: c.env.Offsets[seg]}
			p.Element = fmt.Sprintf("%s%02d", id, el)
		}
		c.add(p)
	}
}
