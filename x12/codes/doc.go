// Package codes describes, in plain language, the X12 code values a billing
// specialist meets in claim responses: claim adjustment reason codes
// (CARC), remittance advice remark codes (RARC), 277CA claim status
// categories and codes, entity identifiers, 835 group, claim status and PLB
// codes, and the 999 and TA1 acknowledgment codes.
//
// Each table is an embedded, dated data file (data/*.tsv) written by the
// project: descriptions are our own summaries of the official wording, not
// copies of a third-party code file. The files are parsed once, on first
// use, into read-only indexes. The package uses the standard library only,
// never logs and holds no mutable state.
//
// # Tables
//
// Info(l) returns a table's name, X12 element, source, as-of date and
// whether it is partial; the file header is the authority. At the time of
// writing:
//
//	List                 Element                  Rows  Partial  As of       Source
//	CARC                 1034 (CAS)                407  no       2026-08-17  X12 CARC list (x12.org); dates from the WPC list of March 2016
//	RARC                 1271, 127 (LQ02, MOA)     220  yes      2026-08-17  CMS/X12 RARC list (x12.org)
//	ClaimStatusCategory  507 (STC01-1)              46  yes      2026-11-28  X12 claim status category codes (x12.org)
//	ClaimStatus          508 (STC01-2)             352  yes      2026-11-28  X12 claim status codes (x12.org), c. 2022 code set
//	EntityIdentifier     98 (NM101, STC01-3)       107  yes      2026-11-28  element 98 as used by the 837, 835 and 277CA guides
//	AdjustmentGroup      1033 (CAS01)                5  no       2026-11-28  X12 5010; CR is not valid in the 5010 835 (RFI 1147)
//	ClaimPaymentStatus   1029 (CLP02)               10  no       2026-11-28  835 005010X221A1 code subset
//	PLBReason            426 (PLB03-1)              41  no       2026-11-28  835 005010X221A1 code subset
//	SegmentSyntaxError   620 (IK304)                13  no       2026-11-28  999 005010X231A1
//	ElementSyntaxError   621 (IK403)                18  no       2026-11-28  999 005010X231A1
//	AckCode              717, 715 (IK501, AK901)     7  no       2026-11-28  999 005010X231A1 (P is AK901 only)
//	TransactionSetError  618 (IK502-IK506)          25  no       2026-11-28  999 005010X231A1
//	GroupError           716 (AK905-AK909)          20  no       2026-11-28  999 005010X231A1
//	TA1Ack               I17 (TA104)                 3  no       2026-11-28  X12 5010 interchange control
//	TA1Note              I18 (TA105)                32  no       2026-11-28  X12 5010 interchange control
//
// The CARC table holds every code of the published list, active and
// deactivated: a code stopped today still arrives on reversals (CLP02 = 22)
// and in prior-payer data of secondary claims. Start and Stop are the
// list's dates; codes added or deactivated after March 2016 have no dates
// recorded, and a deactivated code without a stop date says "Deactivated"
// in its notes. Partial tables (RARC, claim status, entity identifiers)
// hold the commonly seen codes; a code missing from them is not invalid.
//
// Unknown codes are normal, not errors: Describe returns "unknown code X"
// for them so that reports keep the code, and CategoryVerdict returns
// Review, never Accepted.
//
// # 277CA verdicts
//
// CategoryVerdict follows the project primer (section 7.3): A2 and A5 are
// Accepted; A3, A4, A6, A7 and A8 are Rejected; A1 (received) and A0
// (forwarded to another entity) are Pending, because neither is acceptance
// into the payer's adjudication system; E categories are Exception; P, F, R
// and D categories are Informational; anything else is Review. A claim is
// rejected when any of its status composites (STC01, STC10, STC11, and the
// line-level STCs) is rejected; use STC03 = U as a cross-check.
//
// Beware of public code that maps these lists wrongly: some label A1
// "forwarded" or "returned as unprocessable", swap claim status codes 453
// (procedure code modifier) and 454 (procedure code), or call 562 (entity's
// NPI) a tax ID. The tests pin these meanings.
//
// # Data format
//
// Each file is UTF-8 text with tab-separated columns:
//
//	# table: CARC
//	# element: 1034 (CAS02, CAS05, ...)
//	# source: where the codes and their status come from, and their date
//	# as-of: 2026-08-17
//	# partial: no
//	code	description	start	stop	notes
//	1	Deductible amount.	1995-01-01
//
// The five header fields are required; as-of and the start and stop columns
// are YYYY-MM-DD dates; partial is yes or no. Other "#" lines are comments.
// Codes must be unique and every code needs a description. Empty trailing
// fields may be left out. The claim status category file has an extra
// verdict column (accepted, rejected, pending, informational, exception or
// review).
//
// # Refreshing the tables
//
// X12 publishes CARC, RARC and claim status code changes three times a year
// (March, July and November). To refresh a table:
//
//  1. Compare the file with the current list at x12.org/codes (CARC:
//     claim-adjustment-reason-codes; RARC: remittance-advice-remark-codes;
//     claim-status-category-codes; claim-status-codes). Add new codes, set
//     Stop (and "Deactivated" in notes) on codes that were stopped, and
//     review codes whose text was modified.
//  2. Write descriptions in our own words; keep usage rules (required group
//     codes, required remark codes, replacement codes) in notes.
//  3. Update the source and as-of header lines, and the table above.
//  4. Run go test ./x12/codes/: it loads every file and fails on a missing
//     header field, an invalid date, a duplicate code or an empty
//     description.
//
// The 999, TA1, group, CLP02 and PLB tables come from the HIPAA 5010
// implementation guides and change only with a new version of those guides.
package codes
