// Package x837 builds and validates HIPAA 5010 837 health care claims:
// professional (005010X222A1) and institutional (005010X223A2).
//
// Claim is the typed model. Validation is separate from building and never
// mutates a claim; its problems name the claim field (by its JSON path)
// and the X12 location (loop, segment, element).
package x837
