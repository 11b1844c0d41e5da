package pipeline

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/x12claims/claims/x12"
)

// The order in which response kinds are applied within one collect,
// whatever the file names: a TA1 before the 999 of the same interchange,
// a 999 before the 277CA, a 277CA before the 835. A 997 (the 4010
// functional acknowledgment) ranks as a 999.
var kindRank = map[string]int{"TA1": 0, "999": 1, "997": 1, "277": 2, "835": 3}

// fileScan is what a response file holds, read once before it is applied:
// its kinds (TA1 and the ST01 of each set) and its interchange and group
// envelopes (the first of each addressing).
type fileScan struct {
	kinds      map[string]bool
	envelopes  []envelope
	problems   []Reason // envelope problems found while reading
	unreadable error    // the file cannot be read as X12
}

// envelope is one ISA, or one GS with the ISA it is in, and where it is.
type envelope struct {
	isa    x12.InterchangeHeader
	gs     *x12.GroupHeader
	offset int64 // of the segment in the file
	seg    int   // its position in the file, from 1
}

// envelopeKey is what addressedToUs reads of an envelope.
type envelopeKey struct {
	group                                bool
	senderQual, sender, receiverQual, to string
	usage                                string
}

func keyOf(e envelope) envelopeKey {
	if g := e.gs; g != nil {
		return envelopeKey{group: true, sender: g.SenderCode, to: g.ReceiverCode}
	}
	h := e.isa
	return envelopeKey{senderQual: h.SenderQualifier, sender: h.SenderID, receiverQual: h.ReceiverQualifier, to: h.ReceiverID, usage: h.Usage}
}

// rank is the earliest kind the file holds, for ordering files.
func (s *fileScan) rank() int {
	r := len(kindRank)
	for k := range s.kinds {
		if v, ok := kindRank[k]; ok && v < r {
			r = v
		}
	}
	return r
}

// kind names the file's content: "835", "277CA", "TA1+999", ...
func (s *fileScan) kind() string {
	var names []string
	for k := range s.kinds {
		if k == "277" {
			k = "277CA"
		}
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "unknown"
	}
	return strings.Join(names, "+")
}

// scanFile reads a response file to its end and lists what it holds.
func scanFile(path string) (*fileScan, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	s := &fileScan{kinds: map[string]bool{}}
	// Only the first envelope of each addressing is kept: the others
	// would be judged the same, and a file of a million groups must not
	// take a million envelopes' memory.
	seen := map[envelopeKey]bool{}
	keep := func(e envelope) {
		k := keyOf(e)
		if seen[k] {
			return
		}
		seen[k] = true
		if len(s.envelopes) == x12.MaxProblems {
			s.unreadable = fmt.Errorf("more than %d differently addressed interchanges and groups (the last at segment %d, byte %d)", x12.MaxProblems, e.seg, e.offset)
			return
		}
		s.envelopes = append(s.envelopes, e)
	}
	r := x12.NewReader(fh)
	r.Mode = x12.CollectAll
	for {
		seg, err := r.Next()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			s.unreadable = err
			return s, nil
		}
		pos := r.Position()
		switch seg.ID() {
		case "ISA":
			keep(envelope{isa: r.Interchange(), offset: pos.Offset, seg: pos.Segment})
		case "GS":
			g := r.Group()
			keep(envelope{isa: r.Interchange(), gs: &g, offset: pos.Offset, seg: pos.Segment})
		case "TA1":
			s.kinds["TA1"] = true
		case "ST":
			s.kinds[seg.String(1)] = true
		}
	}
}

// addressedToUs checks that every interchange and group of the file is
// addressed to us by the clearinghouse pt, in pt's usage (ISA15): the
// interchange sender (ISA06) is the clearinghouse (or one of
// pt.ResponseSenders), the receiver is us (ISA08, and GS03 of every
// group), and no ID holds a control character. GS02 is the application
// that made the group, which for an 835 passed on by a clearinghouse is
// the payer's, so it is not restricted. It returns the problems, each
// with its position; none means the file may be applied.
func addressedToUs(s *fileScan, pt *Partner) []Reason {
	var out []Reason
	add := func(e envelope, element, code, text string) {
		out = x12.AppendCapped(out, Reason{Code: code, Text: text,
			Location: fmt.Sprintf("segment %d (%s) element %s, byte %d", e.seg, segName(e), element, e.offset)},
			Reason{Text: "more envelope problems follow; not listed"})
	}
	senders := append([]string{pt.ReceiverID}, pt.ResponseSenders...)
	usage := orDefault(pt.Usage, "P")
	for _, e := range s.envelopes {
		if e.gs == nil {
			h := e.isa
			for _, f := range []struct{ el, v string }{{"ISA05", h.SenderQualifier}, {"ISA06", h.SenderID}, {"ISA07", h.ReceiverQualifier}, {"ISA08", h.ReceiverID}} {
				if i := controlAt(f.v); i >= 0 {
					add(e, f.el, "control-character", fmt.Sprintf("%s holds a control character (0x%02X) at character %d: it cannot be an ID", f.el, f.v[i], i+1))
				}
			}
			if !slices.Contains(senders, h.SenderID) {
				add(e, "ISA06", "unknown-sender", fmt.Sprintf("the interchange is from %q, not from clearinghouse %s (%s)", printable(h.SenderID), pt.Name, strings.Join(senders, ", ")))
			}
			if h.ReceiverID != pt.SenderID {
				add(e, "ISA08", "not-for-us", fmt.Sprintf("the interchange is addressed to %q, not to us (%s)", printable(h.ReceiverID), pt.SenderID))
			}
			if h.Usage != usage {
				add(e, "ISA15", "usage-mismatch", fmt.Sprintf("the interchange is marked %s (%s), but clearinghouse %s is configured for %s (%s)",
					printable(h.Usage), usageName(h.Usage), pt.Name, usage, usageName(usage)))
			}
			continue
		}
		g := e.gs
		for _, f := range []struct{ el, v string }{{"GS02", g.SenderCode}, {"GS03", g.ReceiverCode}} {
			if i := controlAt(f.v); i >= 0 {
				add(e, f.el, "control-character", fmt.Sprintf("%s holds a control character (0x%02X) at character %d: it cannot be an ID", f.el, f.v[i], i+1))
			}
		}
		if g.ReceiverCode != orDefault(pt.AppSender, pt.SenderID) && g.ReceiverCode != pt.SenderID {
			add(e, "GS03", "not-for-us", fmt.Sprintf("the functional group is addressed to %q, not to us (%s)", printable(g.ReceiverCode), orDefault(pt.AppSender, pt.SenderID)))
		}
	}
	return out
}

func segName(e envelope) string {
	if e.gs != nil {
		return "GS"
	}
	return "ISA"
}

// controlAt returns the index of the first control character in s, or -1.
func controlAt(s string) int {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// printable quotes control characters away, for messages.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func usageName(u string) string {
	switch u {
	case "P":
		return "production"
	case "T":
		return "test"
	}
	return "unknown"
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
