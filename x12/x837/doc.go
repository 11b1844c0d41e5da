// Package x837 builds and validates HIPAA 5010 837 health care claims:
// professional (005010X222A1) and institutional (005010X223A2).
//
// Claim is the typed model. Validation is separate from building and never
// mutates a claim; its problems name the claim field (by its JSON path)
// and the X12 location (loop, segment, element).
//
// The package has three parts:
//
//   - The scrubber, Claim.Validate, checks one claim before it is built:
//     required data, lengths and codes, CLM02 = Σ line charges, NPI check
//     digits, taxonomy shape, nine-digit ZIP codes for the billing
//     provider and service facility, ICD-10 shape, diagnosis pointers,
//     line and diagnosis limits, real and consistent dates that are not
//     in the future, REF*F8 for frequency 7 and 8, delimiter characters
//     in data, and on the 837I the inpatient and coding rules
//     (scrub_inpatient.go): an inpatient claim's admission date and
//     hour, type, source and admitting diagnosis, a final one's
//     discharge hour, present-on-admission values, external causes,
//     the DRG, other procedures, occurrence codes and spans, value codes
//     and the operating physician of a surgery. The billing fields of
//     professional_extras.go (NDC, CLIA, accident causes, attachments,
//     notes, EPSDT, ambulance, ...) have their own rules in
//     scrub_extras.go; for coordination of benefits (cob.go) the other
//     payers' codes, order and data, and the balance of each earlier
//     payer's adjudication. Its clock is ValidateOptions.Today. A warning
//     (SeverityWarning) never blocks a claim; only errors do.
//
//   - The builder, Builder and WriteFile, writes claims one by one into an
//     x12.Writer: one ISA and GS per file, a new ST-SE every
//     MaxClaimsPerSet claims, claims grouped under the billing provider
//     (2000A), subscriber (2000B) and patient (2000C) they share with the
//     claim before them. Control numbers come from the caller. Each claim's
//     ClaimRef reports its ST02 and segment range, so 999, 277CA and 835
//     responses can be matched back to it. Memory does not grow with the
//     number of claims.
//
//   - The file validator, ValidateFile and ValidateStream, checks any 837
//     file, ours or anyone's, in one streaming pass: envelopes, the loop
//     and segment structure of the guide, element usage, lengths, types
//     and code values (SNIP levels 1 and 2, from tables generated out of
//     the implementation guides into tables_gen.go), and the scrubber's
//     claim rules at segment level (rules.go, rules_extras.go,
//     rules_inst.go for the 837I inpatient rules, and cob_rules.go for
//     the other payers' order and each earlier payer's balance).
//     Problems carry their file position.
//
// Problem messages never contain PHI: no names, member IDs, birth dates
// or addresses; they may quote codes, NPIs, control numbers and amounts.
// Rule identifiers (the Rule* constants) are stable.
//
// COMPARISON.md compares the file validator with pyx12 on the shared
// corpus; testdata/README.md records pyx12's verdict on the files the
// builder generates.
package x837
