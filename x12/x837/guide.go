package x837

// The structure tables of an implementation guide, as generated into
// tables_gen.go by internal/gentables. They are read-only after package
// initialisation.

//go:generate go run ./internal/gentables -tr3 ../../../shared/docs/tr3 -o tables_gen.go

type usage uint8

const (
	notUsed usage = iota
	required
	situational
)

type dataType uint8

const (
	typeAN dataType = iota // string
	typeID                 // code value
	typeN0                 // integer
	typeN2                 // implied two decimals
	typeR                  // decimal
	typeDT                 // date
	typeTM                 // time
)

type extList uint8

const (
	extNone extList = iota
	extStates
	extPOS
	extCountry
	extCurrency
	extRemark
)

// elemDef is one simple element, component or composite of a segment.
type elemDef struct {
	ref      string // "NM109", "CLM05-3"
	name     string
	usage    usage
	typ      dataType
	min, max int
	codes    []string // sorted; empty means any value
	ext      extList  // external code list
	digits9  bool     // the guide requires exactly nine digits
	comps    []*elemDef
}

// syntaxRule is an X12 syntax note: P paired, R at least one, E at most
// one, C if the first then all others, L if the first then at least one
// other.
type syntaxRule struct {
	kind byte
	els  []int
}

// segDef is one segment of a loop.
type segDef struct {
	id      string
	name    string
	keyEl   int // element whose code values tell same-ID segments apart (0 none)
	keyComp int // component of keyEl, or 0
	syntax  []syntaxRule
	elems   []*elemDef // elems[i] is element i+1; nil when not used
}

// loopDef is a loop; its first child is the segment that starts it.
type loopDef struct {
	id       string
	name     string
	byID     map[string][]int // children by the ID of the segment that starts them
	children []child
}

// child is a segment or loop inside a loop, with its usage, its limit (a
// segment's maximum use or a loop's repeat; 0 means unbounded) and its
// position group: children in the same group may come in any order.
type child struct {
	group  int
	usage  usage
	limit  int
	shared bool // another child of the same group starts with the same segment ID
	seg    *segDef
	loop   *loopDef
}

// first returns the segment that starts the child.
func (c *child) first() *segDef {
	if c.seg != nil {
		return c.seg
	}
	return c.loop.children[0].first()
}

// guideTables are the tables of one implementation guide.
type guideTables struct {
	kind     Kind
	id       string
	set      *loopDef
	envelope map[string]*segDef
}

func tablesFor(k Kind) *guideTables {
	if k == Institutional {
		return &guideTables{kind: Institutional, id: GuideInstitutional, set: iSet, envelope: iEnvelope}
	}
	return &guideTables{kind: Professional, id: GuideProfessional, set: pSet, envelope: pEnvelope}
}
