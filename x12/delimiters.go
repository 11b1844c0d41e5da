package x12

import (
	"strconv"
	"unicode/utf8"
)

// Delimiters are the four separator characters of an interchange.
// Repetition is zero when the interchange has no repetition separator
// (versions before 00402, or ISA11 = "U").
type Delimiters struct {
	Element    byte
	Component  byte
	Repetition byte
	Segment    byte
}

// DefaultDelimiters is the common set: * : ^ ~.
var DefaultDelimiters = Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'}

// Validate reports whether the delimiters are usable: distinct, none a
// letter, digit, space or NUL, and only the segment terminator a line
// break (CR or LF). The Repetition separator may be zero (none). It
// returns an error wrapping ErrBadDelimiters, or nil.
func (d Delimiters) Validate() error {
	type named struct {
		name string
		c    byte
	}
	set := [4]named{{"element", d.Element}, {"component", d.Component}, {"segment", d.Segment}, {"repetition", d.Repetition}}
	n := 3
	if d.Repetition != 0 {
		n = 4
	}
	for i, a := range set[:n] {
		if isAlnum(a.c) || a.c == ' ' || a.c == 0 {
			return withDetail(ErrBadDelimiters, "%s separator %s is not allowed", a.name, quoteByte(a.c))
		}
		if (a.c == '\n' || a.c == '\r') && a.name != "segment" {
			return withDetail(ErrBadDelimiters, "%s separator %s is not allowed (only the segment terminator may be a line break)", a.name, quoteByte(a.c))
		}
		for _, b := range set[i+1 : n] {
			if a.c == b.c {
				return withDetail(ErrBadDelimiters, "%s and %s separators are both %s", a.name, b.name, quoteByte(a.c))
			}
		}
	}
	return nil
}

// String shows the delimiters as element, component, repetition and
// segment characters.
func (d Delimiters) String() string {
	rep := "none"
	if d.Repetition != 0 {
		rep = quoteByte(d.Repetition)
	}
	return "element " + quoteByte(d.Element) + " component " + quoteByte(d.Component) + " repetition " + rep + " segment " + quoteByte(d.Segment)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// quoteByte quotes a delimiter byte as a Go character literal: '*', '\n',
// and '\xef' for bytes outside ASCII (which %q would show as a rune).
func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return `'\x` + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16) + `'`
}
