package x837

// Code lists the TR3 tables refer to by name. They are sorted and
// read-only.

// placesOfService are the CMS place of service codes (code source 237),
// including 10 (telehealth in the patient's home), 27 (outreach site) and
// 66 (PACE).
var placesOfService = []string{
	"01", "02", "03", "04", "05", "06", "07", "08", "09", "10",
	"11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
	"21", "22", "23", "24", "25", "26", "27", "31", "32", "33", "34",
	"41", "42", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58",
	"60", "61", "62", "65", "66", "71", "72", "81", "99",
}

// stateCodes are the US states, DC, territories, military "states" and
// Canadian provinces (with both the old and new codes for Newfoundland and
// Quebec).
var stateCodes = []string{
	"AA", "AB", "AE", "AK", "AL", "AP", "AR", "AS", "AZ", "BC", "CA", "CO", "CT", "DC", "DE",
	"FL", "FM", "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MB", "MD",
	"ME", "MH", "MI", "MN", "MO", "MP", "MS", "MT", "NB", "NC", "ND", "NE", "NF", "NH", "NJ",
	"NL", "NM", "NS", "NT", "NU", "NV", "NY", "OH", "OK", "ON", "OR", "PA", "PE", "PQ", "PR",
	"PW", "QC", "RI", "SC", "SD", "SK", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV",
	"WY", "YT",
}

// Claim-level codes the scrubber checks.
var (
	// professionalFrequencies are the CLM05-3 values a provider sends on
	// an 837P: original, replacement, void.
	professionalFrequencies = []string{"1", "7", "8"}
	// institutionalFrequencies are the NUBC type-of-bill third digits a
	// provider sends on an 837I.
	institutionalFrequencies = []string{"0", "1", "2", "3", "4", "5", "7", "8", "9"}
	// relationshipCodes are PAT01 values.
	relationshipCodes = []string{"01", "19", "20", "21", "39", "40", "53", "G8"}
	// filingIndicators are SBR09 values.
	filingIndicators = []string{"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS",
		"FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
	// responsibilityCodes are SBR01 values.
	responsibilityCodes = []string{"A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"}
)
