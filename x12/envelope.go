package x12

// InterchangeHeader holds the ISA elements of an interchange.
type InterchangeHeader struct {
	AuthQualifier     string // ISA01
	AuthInfo          string // ISA02
	SecurityQualifier string // ISA03
	SecurityInfo      string // ISA04
	SenderQualifier   string // ISA05
	SenderID          string // ISA06, without padding
	ReceiverQualifier string // ISA07
	ReceiverID        string // ISA08, without padding
	Date              string // ISA09, YYMMDD
	Time              string // ISA10, HHMM
	Version           string // ISA12, e.g. "00501"
	ControlNumber     string // ISA13, nine digits
	AckRequested      string // ISA14, "0" or "1"
	Usage             string // ISA15, "P" or "T"
	Delimiters        Delimiters
}

// GroupHeader holds the GS elements of a functional group.
type GroupHeader struct {
	FunctionalID  string // GS01, e.g. "HC"
	SenderCode    string // GS02
	ReceiverCode  string // GS03
	Date          string // GS04, CCYYMMDD
	Time          string // GS05, HHMM
	ControlNumber string // GS06
	Agency        string // GS07, "X"
	Version       string // GS08, e.g. "005010X222A1"
}

// SetHeader holds the ST elements of a transaction set.
type SetHeader struct {
	ID            string // ST01, e.g. "837"
	ControlNumber string // ST02
	Convention    string // ST03, e.g. "005010X222A1" (not used in the 835)
}

// Guide returns the implementation guide of the set: ST03, or GS08 when
// ST03 is absent.
func Guide(g GroupHeader, s SetHeader) string {
	if s.Convention != "" {
		return s.Convention
	}
	return g.Version
}
