package x837

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12"
)

// DefaultMaxProblems bounds the problems ValidateFile collects.
const DefaultMaxProblems = 10000

// FileOptions is the policy for ValidateFile and ValidateStream.
type FileOptions struct {
	// Today is the current date from the caller's clock; dates after it
	// are errors. The zero Date disables that rule.
	Today x12.Date
	// MaxProblems stops validation after this many problems (one more,
	// RuleTooManyProblemsInFile, says so); 0 means DefaultMaxProblems.
	MaxProblems int
	// MaxClaimsPerSet is the claims per ST-SE above which a warning is
	// given; 0 means DefaultMaxClaimsPerSet.
	MaxClaimsPerSet int
}

// ValidateFile validates an 837P or 837I file, ours or anyone's, with the
// full rule set: envelopes, loop and segment structure, element usage,
// lengths, types and codes (SNIP 1-2), and the claim rules of the
// scrubber (balance, NPI check digits, taxonomy, ZIP, ICD-10 shape,
// diagnosis pointers, dates, HL and LX numbering, REF*F8 for frequency 7
// and 8, and on the 837I the inpatient and final-claim rules, external
// causes, the DRG's shape, the HI code dates and the operating physician
// of a surgery). It reads the input once, as a stream.
//
// Problems carry the file position and, inside a claim, the claim's CLM01
// and the service line. Input that is not X12 at all gives one
// RuleNotX12 problem. The error is non-nil only when reading r fails.
func ValidateFile(r io.Reader, opts FileOptions) ([]Problem, error) {
	var out []Problem
	err := ValidateStream(r, opts, func(p Problem) { out = append(out, p) })
	return out, err
}

// ValidateStream is ValidateFile reporting each problem to report as it
// is found, without collecting them. Problems come in file order, except
// that a claim's totals are checked when the claim ends and an HL's child
// code when its set ends.
func ValidateStream(r io.Reader, opts FileOptions, report func(Problem)) error {
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = DefaultMaxProblems
	}
	if opts.MaxClaimsPerSet <= 0 {
		opts.MaxClaimsPerSet = DefaultMaxClaimsPerSet
	}
	v := &fileValidator{opts: opts, sink: report, rd: x12.NewReader(r)}
	v.rd.Mode = x12.CollectAll
	v.walk.report = v.structural
	return v.run()
}

type fileValidator struct {
	opts     FileOptions
	sink     func(Problem)
	problems int
	stopped  bool
	rd       *x12.Reader
	nerrs    int // reader errors already reported

	pos          x12.Position // of the current segment
	interchanges int
	groupIDs     map[string]bool // GS06 in the interchange
	setIDs       map[string]bool // ST02 in the group
	guide        string          // GS08
	tables       *guideTables    // nil outside a set, or for a set we cannot walk
	st02         string
	walk         walker
	c            claimState
	cob          cobFile
}

func (v *fileValidator) run() error {
	for {
		seg, err := v.rd.Next()
		v.readerErrors()
		if v.stopped {
			return nil
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, x12.ErrRead) {
				return err
			}
			// Fatal reader errors were reported by readerErrors.
			return nil
		}
		v.pos = v.rd.Position()
		v.segment(seg)
		if v.stopped {
			return nil
		}
	}
}

// emit reports a problem unless the limit was reached.
func (v *fileValidator) emit(p Problem) {
	if v.stopped {
		return
	}
	if v.problems >= v.opts.MaxProblems {
		v.stopped = true
		v.sink(Problem{Rule: RuleTooManyProblemsInFile, Pos: p.Pos, Message: "stopped after " + strconv.Itoa(v.problems) + " problems"})
		return
	}
	v.problems++
	v.sink(p)
}

// problem reports a problem at the current segment.
func (v *fileValidator) problem(sev Severity, rule, loop, seg, el string, elem, comp int, msg string) {
	p := Problem{Rule: rule, Severity: sev, Loop: loop, Segment: seg, Element: el, Pos: v.pos, SetControl: v.st02, Message: msg}
	p.Pos.Element, p.Pos.Component = elem, comp
	if v.tables != nil && v.c.open && v.walk.inLoop("2300") {
		p.Claim = v.c.pcn
		if v.walk.inLoop("2400") {
			p.Line = v.c.lines
		}
	}
	v.emit(p)
}

// structural is the walker's reporter.
func (v *fileValidator) structural(rule, loop, seg, el, msg string) {
	v.problem(SeverityError, rule, loop, seg, el, 0, 0, msg)
}

// readerErrors turns the reader's envelope errors into problems.
func (v *fileValidator) readerErrors() {
	errs := v.rd.Errors()
	for ; v.nerrs < len(errs); v.nerrs++ {
		err := errs[v.nerrs]
		var xe *x12.Error
		p := Problem{Rule: RuleEnvelope, SetControl: v.st02, Message: err.Error()}
		if errors.As(err, &xe) {
			p.Pos = xe.Pos
			p.Message = xe.Err.Error()
			p.Segment = xe.Pos.SegmentID
		}
		switch {
		case errors.Is(err, x12.ErrRead):
			continue // returned by run
		case errors.Is(err, x12.ErrNoISA), errors.Is(err, x12.ErrBadISA), errors.Is(err, x12.ErrBadDelimiters):
			p.Rule = RuleNotX12
		case errors.Is(err, x12.ErrSegmentTooLong):
			p.Rule = RuleLength
		case errors.Is(err, x12.ErrCount):
			p.Rule = RuleCount
		case errors.Is(err, x12.ErrControlNumber):
			p.Rule = RuleControlNumber
		case errors.Is(err, x12.ErrBadSegmentID):
			p.Rule = RuleSegmentUnexpected
		case errors.Is(err, x12.ErrTrailingSeparator):
			p.Rule = RuleTrailingSeparator
		case errors.Is(err, x12.ErrTooManyErrors):
			p.Rule = RuleTooManyProblemsInFile
		}
		if p.Pos.Element > 0 && p.Segment != "" {
			p.Element = elemRef(p.Segment, p.Pos.Element)
		}
		v.emit(p)
	}
}

// segment handles one segment.
func (v *fileValidator) segment(s *x12.Segment) {
	switch s.ID() {
	case "ISA":
		v.interchanges++
		v.groupIDs = map[string]bool{}
		if v.interchanges == 1 && v.rd.BOM() {
			v.problem(SeverityError, RuleBOM, "", "ISA", "", 0, 0, "the file starts with a UTF-8 byte order mark; X12 files must start with ISA")
		}
		if v.interchanges == 2 {
			v.problem(SeverityWarning, RuleInterchangeCount, "", "ISA", "", 0, 0, "more than one interchange (ISA) in the file; most receivers accept one per file")
		}
		v.envelope(s, pEnvelope["ISA"])
	case "IEA":
		v.envelope(s, pEnvelope["IEA"])
	case "GS":
		v.guide = s.String(8)
		v.setIDs = map[string]bool{}
		env := pEnvelope["GS"]
		if t := guideFor(v.guide); t != nil {
			env = t.envelope["GS"]
		}
		if gs06 := s.String(6); gs06 != "" {
			if v.groupIDs[gs06] {
				v.problem(SeverityError, RuleDuplicateControl, "", "GS", "GS06", 6, 0, "group control number "+gs06+" is used twice in the interchange")
			}
			if v.groupIDs != nil {
				v.groupIDs[gs06] = true
			}
		}
		v.envelope(s, env)
	case "GE":
		v.envelope(s, pEnvelope["GE"])
	case "ST":
		v.beginSet(s)
	case "SE":
		v.endSet(s)
	default:
		if v.tables == nil {
			return
		}
		v.body(s)
	}
}

// envelope checks the elements of an envelope segment.
func (v *fileValidator) envelope(s *x12.Segment, d *segDef) {
	if d == nil {
		return
	}
	checkElements(s, d, func(rule, el string, elem, comp int, msg string) {
		if rule == RuleTrailingSeparator && s.ID() == "ISA" {
			return
		}
		v.problem(SeverityError, rule, "", s.ID(), el, elem, comp, msg)
	})
}

// guideFor returns the tables for an implementation guide ID, or nil.
func guideFor(id string) *guideTables {
	switch id {
	case GuideProfessional:
		return tablesFor(Professional)
	case GuideInstitutional:
		return tablesFor(Institutional)
	}
	return nil
}

// nearestGuide returns the tables to walk a set of an unsupported
// release of the same guide with (005010X222, 005010X222A2, ...), or nil.
func nearestGuide(id string) *guideTables {
	switch {
	case strings.HasPrefix(id, "005010X222"):
		return tablesFor(Professional)
	case strings.HasPrefix(id, "005010X223"):
		return tablesFor(Institutional)
	}
	return nil
}

func (v *fileValidator) beginSet(s *x12.Segment) {
	v.tables = nil
	v.st02 = s.String(2)
	if v.st02 != "" && v.setIDs != nil {
		if v.setIDs[v.st02] {
			v.problem(SeverityError, RuleDuplicateControl, "", "ST", "ST02", 2, 0, "transaction set control number "+v.st02+" is used twice in the group")
		}
		v.setIDs[v.st02] = true
	}
	if id := s.String(1); id != "837" {
		v.problem(SeverityError, RuleGuide, "", "ST", "ST01", 1, 0, "transaction set "+strconv.Quote(id)+" is not an 837")
		return
	}
	guide := s.String(3)
	if guide == "" {
		guide = v.guide
	} else if v.guide != "" && guide != v.guide {
		v.problem(SeverityError, RuleGuideMismatch, "", "ST", "ST03", 3, 0, "ST03 "+strconv.Quote(guide)+" differs from GS08 "+strconv.Quote(v.guide))
	}
	t := guideFor(guide)
	if t == nil {
		t = nearestGuide(guide)
		msg := "implementation guide " + strconv.Quote(guide) + " is not supported; HIPAA 837s use " + GuideProfessional + " or " + GuideInstitutional
		if t != nil {
			msg += " (checked against " + t.id + ")"
		}
		v.problem(SeverityError, RuleGuide, "", "ST", "ST03", 3, 0, msg)
		if t == nil {
			return
		}
	}
	v.tables = t
	v.walk.reset(t.set)
	v.c = claimState{}
	v.c.setStart()
	checkElements(s, t.set.children[0].seg, func(rule, el string, elem, comp int, msg string) {
		if el == "ST03" && rule == RuleCode {
			return // reported above
		}
		v.problem(SeverityError, rule, "HEADER", "ST", el, elem, comp, msg)
	})
}

func (v *fileValidator) endSet(s *x12.Segment) {
	t := v.tables
	if t == nil {
		v.st02 = ""
		return
	}
	v.endClaim()
	if v.walk.step(s) == nil {
		v.problem(SeverityError, RuleSegmentUnexpected, v.walk.loopID(), "SE", "", 0, 0, "SE is not allowed here")
	}
	v.walk.finish()
	v.hlEnd()
	if v.c.claims > v.opts.MaxClaimsPerSet {
		v.problem(SeverityWarning, RuleClaimsPerSet, "", "SE", "", 0, 0,
			strconv.Itoa(v.c.claims)+" claims in one transaction set; the guide recommends at most "+strconv.Itoa(v.opts.MaxClaimsPerSet))
	}
	se := t.set.children[len(t.set.children)-1].seg
	checkElements(s, se, func(rule, el string, elem, comp int, msg string) {
		v.problem(SeverityError, rule, "", "SE", el, elem, comp, msg)
	})
	v.tables = nil
	v.st02 = ""
}

// body handles a segment inside a set we can walk.
func (v *fileValidator) body(s *x12.Segment) {
	switch s.ID() {
	case "CLM", "HL":
		v.endClaim() // before the walker moves on, so the claim context is right
	case "LX":
		if v.c.open {
			v.c.lines++ // before the walker may report the line
		}
	}
	d := v.walk.step(s)
	if d == nil {
		if same := v.walk.sameID(s); same != nil && same.keyEl > 0 {
			el := elemRef(s.ID(), same.keyEl)
			if same.keyComp > 0 {
				el += "-" + strconv.Itoa(same.keyComp)
			}
			v.problem(SeverityError, RuleCode, v.walk.loopID(), s.ID(), el, same.keyEl, same.keyComp,
				s.ID()+" with this qualifier is not allowed in loop "+v.walk.loopID()+" (or is out of order)")
			return
		}
		v.problem(SeverityError, RuleSegmentUnexpected, v.walk.loopID(), s.ID(), "", 0, 0,
			s.ID()+" is not allowed here in loop "+v.walk.loopID()+" (unknown, out of order or in the wrong loop)")
		return
	}
	loop := v.walk.loopID()
	if s.ID() == "CLM" && loop == "2300" {
		v.clm(s)
	}
	checkElements(s, d, func(rule, el string, elem, comp int, msg string) {
		v.problem(SeverityError, rule, loop, s.ID(), el, elem, comp, msg)
	})
	v.rules(s, loop)
}
