// Package x277 reads and writes the 277CA health care claim
// acknowledgment (005010X214): the clearinghouse's or payer's front-end
// verdict on each claim of an 837, before adjudication.
//
// Acknowledgment is the model of one 277CA transaction set, as the
// hierarchy of the guide: information source (2000A, NM1*AY clearinghouse
// or NM1*PR payer), information receiver (2000B, the submitter), billing
// provider (2000C) and patient (2000D) with one Claim per 2200D loop. A
// claim carries the patient control number echoed back (TRN02), its STC
// statuses, the payer claim control number (REF*1K) and its service lines
// (2220D) with the line item control number (REF*FJ).
//
// Claim.Verdict applies the project's acceptance rule (primer §7.3): every
// STC composite (STC01, STC10, STC11) of the claim and of its lines is
// evaluated with codes.CategoryVerdict; any rejecting category or an STC03
// action code U rejects the claim; an unknown or exception category sends
// it to review; A1 (received) is not acceptance.
package x277
