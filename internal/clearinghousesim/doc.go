// Package clearinghousesim is a clearinghouse simulator for the demo
// ("claims demo"), for end-to-end tests and for practices rehearsing a
// go-live ("claims clearinghouse"). It stands in for a clearinghouse and
// its payers: it reads the 837 files we upload and answers each with the
// files a real one sends back — TA1, 999 (or a 4010 997), 277CA and 835 —
// deterministically, so that tests can assert exact figures. It is not an
// adapter of any pipeline interface, so it lives under internal/: cmd/claims
// and tests import it, pipeline and x12 never do.
//
// # Three ways to run it
//
//   - NewResponder: the simulator without a server; Respond answers what
//     waits in Config.Root/inbound.
//   - Start: a Responder served over SFTP on 127.0.0.1 with a generated
//     host key and one user, "claims" (the demo).
//   - StartStandalone: a StandaloneConfig (decoded from YAML by
//     ParseStandaloneConfig) with one chrooted folder per SFTP user, a
//     Responder per user sharing one Store on disk, a host key kept in a
//     file, and Run polling the folders ("claims clearinghouse").
//
// # Folders
//
// Under a Responder's root: inbound/ (our uploads land here), outbound/
// (responses appear here) and inbound/processed/ (837 files taken in).
// Respond takes every regular file in inbound/ (not hidden, not ending in
// ".part"), in name order. For a file named B.x12 it answers:
//
//   - B.TA1: a TA1 R for an interchange whose envelope is broken — not
//     X12 at all (TA105 022), a bad ISA field (005–020), IEA02 ≠ ISA13
//     (001), a wrong IEA01 (021), a missing IEA (023), a segment outside
//     a group (024), a receiver not in Config.ReceiverIDs (009) or an
//     ISA13 this simulator already answered for the same sender (025).
//     Nothing else is answered for that interchange. An interchange that
//     asks for one (ISA14 = 1) and is sound gets a TA1 A 000.
//   - B.999 (B.997 for Config.AckFormat "997", a 4010 997 in a 4010
//     interchange): one set per functional group. A group with a bad
//     GS/GE is rejected whole (AK9 R with AK905 codes). Otherwise each set
//     gets IK5 A, or IK5 R with its codes: 1 (not an 837), I6, 2, 3, 4,
//     23, and 5/I5 with IK3/IK4 (and CTX*CLM01) at the segment and element
//     in error — the simulator's own structure checks plus the syntax and
//     guide errors of the x12/x837 file validator (Config.NoValidator
//     turns that off). Claims of a rejected set go no further.
//   - B.277CA: one set per accepted 837 set, claims grouped by billing
//     provider. A claim is rejected (STC03 U) when its payer is not
//     configured (A3:116), its member is in Config.NotEnrolled
//     (A7:164:IL), CLM02 ≠ Σ line charges (A7:400), a line is dated after
//     today (A7:187, with the line in 2220D), it replaces or voids
//     (CLM05-3 7 or 8) a claim the payer does not know (A4:35), it
//     repeats a claim accepted before (A7:54), or the seed picks it for
//     one of Config.Rejections: subscriber not found (A7:164:IL with
//     A7:33), billing NPI not on file (A7:21:85 with A7:562:85), diagnosis
//     invalid for the date of service (A7:21 with A7:255). Otherwise it is
//     accepted (A2:20, STC03 WQ) with REF*1K = its payer claim number.
//   - <payer ID>_<ISA13>.835: the payments, adjudicated by each payer's
//     rules (see Adjudicate and Payer): paid, reduced by CO-45,
//     deductible PR-1, coinsurance PR-2, copay PR-3, denials CO-50, CO-97
//     (bundled, M15), CO-29 (timely filing), CO-16 (M51, MA130); a
//     replacement gets the reversal of the earlier payment (CLP02 22,
//     every amount negated, its deductible given back) before its new
//     payment, a void the reversal only. One 835 per payer and payment
//     date (and, without Config.BatchPayments, per 837 file), one
//     payment (BPR check or ACH, TRN) per billing provider, now and then
//     (by seed) with an interest PLB (L6) or a recoupment (WO), and a
//     forwarding balance (FB) when reversals leave it negative. Every 835
//     balances at line, claim and transaction level.
//
// Control numbers (ISA13 = GS06) count up from Config.FirstControlNumber;
// payer claim numbers are the Julian date YYDDD and an 8-digit sequence;
// the 835 trace (TRN02) is its ISA13 followed by the payment's number.
// Given the same configuration, the same clock and the same files in the
// same order, the responses are byte-identical.
//
// # State and crashes
//
// Everything the simulator remembers is in a Store (SQLite): the
// counters, each member's remaining deductible, the interchanges
// answered, the 837s taken in (by SHA-256 and name), the claims paid (for
// reversals and duplicates), the claims waiting for their 835 and every
// response with its delivery state. The order of work makes a kill at any
// point harmless:
//
//  1. One transaction decides an 837's answers: it reserves the numbers,
//     consumes deductibles, records the file, its responses (content,
//     name, due time), the claims it accepted (each written once, its 835
//     claim included) and its payables (a row per run of claims of one
//     payer and billing provider).
//  2. The 837 moves to processed/ under the name recorded for it, then is
//     marked moved.
//  3. Payments that are due become 835s, recorded in one transaction.
//  4. Each due response is written to a hidden temporary name and synced
//     and marked staged; then renamed to its final name and marked
//     delivered. A staged response whose temporary file is gone was
//     renamed already.
//
// At start, stale temporary files in outbound/ are removed (those of
// staged responses are kept for their rename), and Respond first finishes
// whatever a killed run recorded. So a restart never reuses a number,
// never answers an 837 twice and never writes a response twice.
//
// # Timing and faults
//
// Config.Timing delays each kind of response (none in the demo); the
// clock is Config.Now, injectable, so tests never sleep. Config.Faults
// (or the FaultsFileName control file in a standalone user's folder)
// withholds the 999, delivers each 835 twice under two names, writes
// responses slowly under their final name, slows SFTP transfers or drops
// a connection after a number of bytes.
//
// # Logging
//
// With Config.Logger set, the simulator logs one line per file and per
// run: file names and counts, never claim content.
package clearinghousesim
