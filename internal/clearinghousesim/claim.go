package clearinghousesim

import "github.com/x12claims/claims/x12"

// Claim is the simulator's own view of one submitted claim (an 837 2300
// loop with the parties it hangs under). It holds only what the simulator
// needs to acknowledge and adjudicate the claim. Names and the member ID
// are PHI: they are written into response files, never into logs or
// errors.
type Claim struct {
	// Ordinal is the claim's position in its 837 file (1-based) and
	// Segment its CLM's position in its transaction set (ST = 1).
	Ordinal int
	Segment int

	PCN            string     // CLM01, the patient control number
	Charge         x12.Amount // CLM02
	FacilityCode   string     // CLM05-1: place of service (837P) or facility type (837I)
	Frequency      string     // CLM05-3
	Institutional  bool       // the set is an 837I
	StatementFrom  x12.Date   // DTP*434 (837I)
	StatementTo    x12.Date   //
	CHTrace        string     // REF*D9, echoed in the 277CA
	OriginalRef    string     // REF*F8, the payer claim number a replacement (7) or void (8) refers to
	Diagnoses      []string   // HI codes, in order
	Filing         string     // SBR09, the claim filing indicator
	Billing        Party      // 2010AA
	Subscriber     Party      // 2010BA; ID is the member ID
	Patient        *Party     // 2010CA, nil when the patient is the subscriber
	PayerID        string     // 2010BB NM109
	PayerName      string     // 2010BB NM103
	Lines          []*Line    // 2400
	subscriberQual string     // NM108 of 2010BA (MI or II)
	icn            string     // payer claim number, once accepted
	fp             string     // fingerprint, once computed (claimFingerprint)
}

// Party is a person or organization named in an NM1 segment.
type Party struct {
	Person    bool   // NM102 = 1
	LastName  string // NM103 (organization name when not a person)
	FirstName string // NM104
	ID        string // NM109 (NPI, member ID, ETIN)
}

// Name returns the organization name, or "FIRST LAST" for a person.
func (p Party) Name() string {
	if p.Person && p.FirstName != "" {
		return p.FirstName + " " + p.LastName
	}
	return p.LastName
}

// Line is one service line (2400) as the simulator reads it.
type Line struct {
	Number        int        // ordinal of the line in its claim (1-based)
	Segment       int        // SV1/SV2 position in the set (ST = 1)
	Qualifier     string     // SV101-1 / SV202-1, e.g. "HC"; empty for a revenue-code-only 837I line
	Procedure     string     // SV101-2 / SV202-2
	Modifiers     []string   // SV101-3..6 / SV202-3..6
	RevenueCode   string     // SV201 (837I)
	Charge        x12.Amount // SV102 / SV203
	Units         Units      // SV104 / SV205
	From, To      x12.Date   // DTP*472 (To is zero for a single date)
	ControlNumber string     // REF*6R
}

// serviceDates returns the claim's first and last service dates: the
// statement period when it has one, else the span of its line dates.
func (c *Claim) serviceDates() (from, to x12.Date) {
	if !c.StatementFrom.IsZero() {
		to = c.StatementTo
		if to.IsZero() {
			to = c.StatementFrom
		}
		return c.StatementFrom, to
	}
	for _, l := range c.Lines {
		lf, lt := l.From, l.To
		if lt.IsZero() {
			lt = lf
		}
		if lf.IsZero() {
			continue
		}
		if from.IsZero() || lf.Before(from) {
			from = lf
		}
		if to.IsZero() || lt.After(to) {
			to = lt
		}
	}
	return from, to
}
