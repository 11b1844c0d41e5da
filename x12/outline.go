package x12

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Structure is the outline of an X12 file: its interchanges, functional
// groups and transaction sets, with the segments each holds, and every
// error the Reader found. It is what `claims parse` prints; the JSON tags
// give its --json form. It holds no element values other than envelope
// headers (identifiers, control numbers, dates, versions), so it carries
// no PHI.
type Structure struct {
	File         string                `json:"file"`
	BOM          bool                  `json:"bom"`                 // the input began with a UTF-8 byte order mark
	Segments     int                   `json:"segments"`            // segments read, in the whole file
	Complete     bool                  `json:"complete"`            // false when a fatal error stopped the reading
	Interchanges []*InterchangeOutline `json:"interchanges"`        // in file order
	Errors       []Issue               `json:"errors"`              // every error, in the order found
	Strict       bool                  `json:"strict,omitempty"`    // the Reader ran with Strict checks
	Truncated    bool                  `json:"truncated,omitempty"` // MaxErrors was reached
}

// InterchangeOutline is one ISA..IEA interchange of a Structure.
type InterchangeOutline struct {
	Index         int             `json:"index"`          // 1-based, in the file
	ControlNumber string          `json:"control_number"` // ISA13
	Sender        string          `json:"sender"`         // ISA05:ISA06
	Receiver      string          `json:"receiver"`       // ISA07:ISA08
	Date          string          `json:"date"`           // ISA09, YYMMDD
	Time          string          `json:"time"`           // ISA10, HHMM
	Version       string          `json:"version"`        // ISA12
	Usage         string          `json:"usage"`          // ISA15, P or T
	Separators    Separators      `json:"separators"`
	Offset        int64           `json:"offset"`   // byte offset of the ISA
	Segments      int             `json:"segments"` // ISA through IEA
	Closed        bool            `json:"closed"`   // an IEA was read
	Groups        []*GroupOutline `json:"groups"`
	// Other counts the segments that are in the interchange but in no
	// transaction set, envelopes aside: TA1 acknowledgments, and
	// misplaced segments (which are also errors).
	Other []SegmentCount `json:"other,omitempty"`
}

// GroupOutline is one GS..GE functional group of an InterchangeOutline.
// A transaction set found outside any group is put in a group with an
// empty FunctionalID and Implicit set.
type GroupOutline struct {
	Index         int           `json:"index"`          // 1-based, in the interchange
	FunctionalID  string        `json:"functional_id"`  // GS01, e.g. HC, HP, FA
	ControlNumber string        `json:"control_number"` // GS06
	Sender        string        `json:"sender"`         // GS02
	Receiver      string        `json:"receiver"`       // GS03
	Date          string        `json:"date"`           // GS04, CCYYMMDD
	Version       string        `json:"version"`        // GS08
	Offset        int64         `json:"offset"`         // byte offset of the GS
	Segments      int           `json:"segments"`       // GS through GE
	Closed        bool          `json:"closed"`         // a GE was read
	Implicit      bool          `json:"implicit,omitempty"`
	Sets          []*SetOutline `json:"sets"`
}

// SetOutline is one ST..SE transaction set of a GroupOutline.
type SetOutline struct {
	Index         int            `json:"index"`          // 1-based, in the group
	ID            string         `json:"id"`             // ST01, e.g. 837
	ControlNumber string         `json:"control_number"` // ST02
	Guide         string         `json:"guide"`          // ST03, or GS08 when ST03 is absent
	Offset        int64          `json:"offset"`         // byte offset of the ST
	Segments      int            `json:"segments"`       // ST through SE, as counted (SE01 should equal it)
	Closed        bool           `json:"closed"`         // an SE was read
	Counts        []SegmentCount `json:"counts"`         // per segment ID, in order of first appearance
}

// SegmentCount is how many segments with one ID a set (or interchange)
// holds.
type SegmentCount struct {
	ID    string `json:"id"`
	Count int    `json:"count"`
}

// Separators are an interchange's delimiters as text, for display. The
// Repetition is empty when the interchange has none.
type Separators struct {
	Element    string `json:"element"`
	Component  string `json:"component"`
	Repetition string `json:"repetition"`
	Segment    string `json:"segment"`
}

// Issue is one error of a Structure: the *Error's position and message,
// in a form that marshals to JSON. Err is the error itself.
type Issue struct {
	Interchange int    `json:"interchange,omitempty"`
	Segment     int    `json:"segment,omitempty"`
	SetSegment  int    `json:"set_segment,omitempty"`
	SegmentID   string `json:"segment_id,omitempty"`
	Element     int    `json:"element,omitempty"`
	Component   int    `json:"component,omitempty"`
	Offset      int64  `json:"offset"`
	Cause       string `json:"cause"`   // the sentinel's text, e.g. "count mismatch", to group errors by
	Message     string `json:"message"` // the cause in full, without the position
	Err         error  `json:"-"`
}

// Outline reads all of r and returns its structure, collecting every
// error (the Reader runs in CollectAll mode). name is the file name shown
// in the Structure. The error is nil when the file is valid at the
// envelope level; otherwise it joins every error found (each an *Error;
// FormatError prints them one per line), and the Structure still
// describes everything read up to a fatal error.
func Outline(r io.Reader, name string) (*Structure, error) {
	return OutlineReader(NewReader(r), name)
}

// OutlineReader is Outline with a Reader the caller has configured (for
// example with Strict or MaxSegmentSize). It sets rd.Mode to CollectAll
// and must be given a Reader that has not been read yet.
func OutlineReader(rd *Reader, name string) (*Structure, error) {
	rd.Mode = CollectAll
	s := &Structure{File: name, Strict: rd.Strict, Interchanges: []*InterchangeOutline{}, Errors: []Issue{}}
	var (
		ic  *InterchangeOutline
		grp *GroupOutline
		set *SetOutline
	)
	var fatal error
	for {
		seg, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fatal = err
			break
		}
		s.Segments++
		pos := rd.Position()
		id := seg.ID()
		if id == "ISA" {
			h := rd.Interchange()
			ic = &InterchangeOutline{
				Index: len(s.Interchanges) + 1, ControlNumber: h.ControlNumber,
				Sender: h.SenderQualifier + ":" + h.SenderID, Receiver: h.ReceiverQualifier + ":" + h.ReceiverID,
				Date: h.Date, Time: h.Time, Version: h.Version, Usage: h.Usage,
				Separators: separators(h.Delimiters), Offset: pos.Offset, Groups: []*GroupOutline{},
			}
			s.Interchanges = append(s.Interchanges, ic)
			grp, set = nil, nil
		}
		if ic == nil { // cannot happen: the Reader starts every file with an ISA
			continue
		}
		ic.Segments++
		switch id {
		case "GS":
			h := rd.Group()
			grp = &GroupOutline{
				Index: len(ic.Groups) + 1, FunctionalID: h.FunctionalID, ControlNumber: h.ControlNumber,
				Sender: h.SenderCode, Receiver: h.ReceiverCode, Date: h.Date, Version: h.Version,
				Offset: pos.Offset, Sets: []*SetOutline{},
			}
			ic.Groups = append(ic.Groups, grp)
			set = nil
		case "ST":
			if grp == nil {
				grp = &GroupOutline{Index: len(ic.Groups) + 1, Offset: pos.Offset, Implicit: true, Sets: []*SetOutline{}}
				ic.Groups = append(ic.Groups, grp)
			}
			st := rd.Set()
			set = &SetOutline{
				Index: len(grp.Sets) + 1, ID: st.ID, ControlNumber: st.ControlNumber,
				Guide: Guide(rd.Group(), st), Offset: pos.Offset,
			}
			if grp.Implicit {
				set.Guide = st.Convention
			}
			grp.Sets = append(grp.Sets, set)
		}
		if grp != nil && id != "ISA" && id != "IEA" {
			grp.Segments++
		}
		switch {
		case set != nil && id != "GS" && id != "GE" && id != "IEA":
			set.Segments++
			set.Counts = addCount(set.Counts, id)
		case id != "ISA" && id != "IEA" && id != "GS" && id != "GE":
			ic.Other = addCount(ic.Other, id)
		}
		switch id {
		case "SE":
			if set != nil {
				set.Closed = true
			}
			set = nil
		case "GE":
			if grp != nil && !grp.Implicit {
				grp.Closed = true
			}
			grp, set = nil, nil
		case "IEA":
			ic.Closed = true
			ic, grp, set = nil, nil, nil
		}
	}
	s.BOM = rd.BOM()
	s.Complete = fatal == nil
	errs := rd.Errors()
	for _, e := range errs {
		s.Errors = append(s.Errors, issue(e))
		if errors.Is(e, ErrTooManyErrors) {
			s.Truncated = true
		}
	}
	if len(errs) == 0 {
		if fatal != nil { // not recorded by the Reader: cannot happen, but never lose an error
			s.Errors = append(s.Errors, issue(fatal))
			return s, fatal
		}
		return s, nil
	}
	return s, errors.Join(errs...)
}

func addCount(c []SegmentCount, id string) []SegmentCount {
	for i := range c {
		if c[i].ID == id {
			c[i].Count++
			return c
		}
	}
	return append(c, SegmentCount{ID: id, Count: 1})
}

func separators(d Delimiters) Separators {
	s := Separators{Element: string(d.Element), Component: string(d.Component), Segment: string(d.Segment)}
	if d.Repetition != 0 {
		s.Repetition = string(d.Repetition)
	}
	return s
}

func issue(err error) Issue {
	var e *Error
	if errors.As(err, &e) {
		p := e.Pos
		return Issue{Interchange: p.Interchange, Segment: p.Segment, SetSegment: p.SetSegment, SegmentID: p.SegmentID,
			Element: p.Element, Component: p.Component, Offset: p.Offset, Cause: causeOf(err), Message: e.Err.Error(), Err: err}
	}
	return Issue{Cause: causeOf(err), Message: err.Error(), Err: err}
}

// causeOf returns the text of err's sentinel cause, or "" when it has
// none of this package's.
func causeOf(err error) string {
	for _, s := range sentinelErrors() {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return ""
}

// WriteText writes the structure for people: a summary line, then one
// line per interchange, group and set, each set followed by its segment
// counts. Errors are not listed (print them with FormatError); the
// summary gives their number. It returns the first write error.
func (s *Structure) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	groups, sets := 0, 0
	for _, ic := range s.Interchanges {
		groups += len(ic.Groups)
		for _, g := range ic.Groups {
			sets += len(g.Sets)
		}
	}
	fmt.Fprintf(bw, "%s: %s, %s, %s, %s", s.File, plural(len(s.Interchanges), "interchange"),
		plural(groups, "functional group"), plural(sets, "transaction set"), plural(s.Segments, "segment"))
	if s.BOM {
		bw.WriteString(", byte order mark")
	}
	if len(s.Errors) > 0 {
		fmt.Fprintf(bw, ", %s", plural(len(s.Errors), "error"))
		if s.Truncated {
			bw.WriteString(" (stopped counting)")
		}
	}
	if !s.Complete {
		bw.WriteString(", reading stopped early")
	}
	bw.WriteString("\n")
	for _, ic := range s.Interchanges {
		fmt.Fprintf(bw, "interchange %d: ISA13 %s, version %s, usage %s, from %s to %s, %s %s, %s, %s%s\n",
			ic.Index, ic.ControlNumber, ic.Version, ic.Usage, ic.Sender, ic.Receiver, ic.Date, ic.Time,
			separatorText(ic.Separators), plural(ic.Segments, "segment"), openText(ic.Closed, "IEA"))
		if len(ic.Other) > 0 {
			fmt.Fprintf(bw, "  outside groups: %s\n", countsText(ic.Other))
		}
		for _, g := range ic.Groups {
			if g.Implicit {
				fmt.Fprintf(bw, "  (no group): %s\n", plural(g.Segments, "segment"))
			} else {
				fmt.Fprintf(bw, "  group %d: GS06 %s, %s %s, from %s to %s, %s, %s%s\n",
					g.Index, g.ControlNumber, g.FunctionalID, g.Version, g.Sender, g.Receiver, g.Date,
					plural(g.Segments, "segment"), openText(g.Closed, "GE"))
			}
			for _, st := range g.Sets {
				fmt.Fprintf(bw, "    set %d: ST02 %s, %s %s, %s%s\n", st.Index, st.ControlNumber, st.ID, st.Guide,
					plural(st.Segments, "segment"), openText(st.Closed, "SE"))
				fmt.Fprintf(bw, "      %s\n", countsText(st.Counts))
			}
		}
	}
	return bw.Flush()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func openText(closed bool, trailer string) string {
	if closed {
		return ""
	}
	return ", no " + trailer
}

func separatorText(s Separators) string {
	show := func(c string) string {
		if len(c) == 1 && c[0] > ' ' && c[0] < 0x7f {
			return c
		}
		return strconv.Quote(c)
	}
	rep := "none"
	if s.Repetition != "" {
		rep = show(s.Repetition)
	}
	return "delimiters element " + show(s.Element) + " component " + show(s.Component) +
		" repetition " + rep + " segment " + show(s.Segment)
}

func countsText(c []SegmentCount) string {
	var b strings.Builder
	for i, sc := range c {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sc.ID)
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(sc.Count))
	}
	return b.String()
}

// FormatError formats err as `claims parse` prints errors:
// "FILE: segment N (ID) element E, byte B: message", with the parts that
// do not apply left out. An error joining several (errors.Join, as
// Outline returns) gives one line per error. It returns "" for nil.
func FormatError(file string, err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e == err {
		return file + ": " + e.Error()
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, x := range j.Unwrap() {
			if l := FormatError(file, x); l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	return file + ": " + err.Error()
}
