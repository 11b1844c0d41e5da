package x12

import "fmt"

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

// Validate reports whether the delimiters are usable: distinct, and
// neither letters nor digits.
func (d Delimiters) Validate() error {
	set := []struct {
		name string
		c    byte
	}{{"element", d.Element}, {"component", d.Component}, {"segment", d.Segment}}
	if d.Repetition != 0 {
		set = append(set, struct {
			name string
			c    byte
		}{"repetition", d.Repetition})
	}
	for i, a := range set {
		if isAlnum(a.c) || a.c == ' ' || a.c == 0 {
			return withDetail(ErrBadDelimiters, "%s separator %q is not allowed", a.name, a.c)
		}
		for _, b := range set[i+1:] {
			if a.c == b.c {
				return withDetail(ErrBadDelimiters, "%s and %s separators are both %q", a.name, b.name, a.c)
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
		rep = fmt.Sprintf("%q", d.Repetition)
	}
	return fmt.Sprintf("element %q component %q repetition %s segment %q", d.Element, d.Component, rep, d.Segment)
}

func (d Delimiters) isDelimiter(c byte) bool {
	return c == d.Element || c == d.Component || c == d.Segment || (d.Repetition != 0 && c == d.Repetition)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
