// Package samples holds the fictitious sample encounters that "claims
// demo" loads, embedded so that the demo runs from any folder. The files
// themselves, and their format, are described in README.md beside them.
package samples

import "embed"

// Files holds encounters.jsonl and encounters.csv.
//
//go:embed encounters.jsonl encounters.csv
var Files embed.FS
