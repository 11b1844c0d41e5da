// Package samples holds the fictitious sample encounters that "claims
// demo" loads, embedded so that the demo runs from any folder. The files
// themselves, and their format, are described in README.md beside them.
package samples

import "embed"

// Files holds encounters.jsonl, encounters.csv and inpatient.jsonl (an
// inpatient stay with the 837I coding data).
//
//go:embed encounters.jsonl encounters.csv inpatient.jsonl
var Files embed.FS
