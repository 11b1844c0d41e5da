// Package clearinghousesim is an in-process clearinghouse simulator for the
// demo ("claims demo") and for end-to-end tests. It stands in for a
// clearinghouse and its payers: it reads the 837 files we upload and
// answers each with the files a real one sends back — TA1, 999, 277CA and
// 835 — deterministically, so that tests can assert exact figures.
// It is not an adapter of any pipeline interface, so it lives under
// internal/: cmd/claims and tests import it, pipeline and x12 never do.
//
// # Folders and the SFTP server
//
// Under Config.Root: inbound/ (our uploads land here), outbound/
// (responses appear here) and inbound/processed/ (837 files already
// answered). Start serves Root over SFTP on 127.0.0.1 with a generated
// host key (to pin) and a generated password and ed25519 client key for
// the user "claims"; the remote folders are /inbound and /outbound.
// NewResponder gives the same behaviour without a server.
//
// # What Respond answers
//
// Respond takes every regular file in inbound/ (not hidden, not ending in
// ".part"), in name order. For a file named B.x12 it writes, in this
// order, each atomically (hidden temporary name, fsync, rename) with mode
// 0600 and a modification time (the clock's) at least one second after
// the previous response's, so that listing oldest first gives this order:
//
//   - B.TA1: a TA1 R for an interchange whose envelope is broken — not
//     X12 at all (TA105 022), a bad ISA field (005–020), IEA02 ≠ ISA13
//     (001), a wrong IEA01 (021), a missing IEA (023), a segment outside
//     a group (024), a receiver not in Config.ReceiverIDs (009) or an
//     ISA13 this simulator already answered for the same sender (025).
//     Nothing else is answered for that interchange. An interchange that
//     asks for one (ISA14 = 1) and is sound gets a TA1 A 000.
//   - B.999: one 999 transaction set per functional group. A group with
//     a bad GS/GE (not HC, unsupported version, GE01 or GE02 wrong, no
//     GE) is rejected whole (AK9 R with AK905 codes, no AK2). Otherwise
//     each set gets IK5 A, or IK5 R with its codes: 1 (not an 837), I6
//     (guide not 005010X222A1/005010X223A2), 2 (no SE), 3 (SE02 ≠ ST02),
//     4 (SE01 wrong), 23 (ST02 repeated), 5/I5 with IK3/IK4 (and
//     CTX*CLM01) for segment errors: an unknown segment ID, a missing or
//     malformed CLM01, CLM02, SV1/SV2 charge or units, a line without its
//     SV1 or DTP*472, a claim without lines, subscriber, payer or billing
//     provider. AK9 is A, P or R. Claims of a rejected set go no further.
//   - B.277CA: one 277CA transaction set per accepted 837 set, claims
//     grouped by billing provider. A claim is rejected (STC03 U) when its
//     payer ID is not configured (A3:116), its member ID is in
//     Config.NotEnrolled (A7:164:IL), CLM02 ≠ Σ line charges (A7:400) or a
//     line's service date is after the clock's date (A7:187, with the
//     line in a 2220D loop echoing REF*FJ = its REF*6R). Otherwise it is
//     accepted (A2:20, STC03 WQ) with REF*1K = its payer claim number.
//     TRN*2 echoes CLM01. Accepted lines get no 2220D loop: the 277CA
//     guide allows line status only for rejected lines (STC03 = U).
//   - <payer ID>_<ISA13>.835, one per payer with accepted claims, where
//     ISA13 is the 835's own nine-digit control number: one transaction
//     set (one payment, BPR/TRN) per billing provider, adjudicated by the
//     payer's rules (see Adjudicate). The 835 balances at line, claim and
//     transaction level; it has no PLB.
//
// A file that cannot be read to its end as X12 (no ISA, a broken ISA, a
// runaway segment, text after an IEA) is rejected whole with one TA1.
//
// Then the 837 file moves to inbound/processed/. A name that is taken
// gets "-2", "-3", ... before its extension.
//
// Control numbers (ISA13 = GS06) of the responses count up from
// Config.FirstControlNumber; payer claim numbers (277CA REF*1K = 835
// CLP07) are the clock's Julian date YYDDD and an 8-digit sequence; the
// 835 trace (TRN02) is its ISA13 followed by the 3-digit set number.
// Given the same configuration, the same clock and the same files in the
// same order, the responses are byte-identical.
//
// # Logging
//
// With Config.Logger set, the simulator logs one line per file and per
// run: file names and counts, never claim content.
package clearinghousesim
