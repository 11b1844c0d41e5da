// Package pipeline is the application core of the claims processor: the
// domain types (encounters, claims and their versions, batches, inbound
// files, remittances, ledger entries, work items), the small interfaces
// it needs from the outside world (EncounterSource, EncounterFeed,
// Transport, Store) and the operations, as plain synchronous methods:
// the jobs (Submit, Collect) and what a person does (Correct, Resubmit,
// Void, ApplyPayment, RetryBatch, ResolveItem, ...). The CLI, the daemon
// and the web UI all call these; none holds a business rule of its own.
//
// # Claim versions
//
// A claim is one encounter's claim for its whole life. Its content is
// kept per version: intake makes version 1, and every correction,
// resubmission or void makes the next one (ClaimVersion), linked to the
// claim, with the field paths it changed, who made it and why. Version n
// is sent under CLM01 "C<claim>-<n>", so every response names the exact
// version it answers; a version's submissions and the events of its
// responses are kept with it.
//
// The pipeline decides how a version is sent (frequencyFor, again at
// build time): a claim rejected before adjudication (TA1, 999, or 277CA)
// goes as a new original, frequency 1; once the payer has a claim number
// for it (835 CLP07, or the 277CA's REF*1K when the payer accepted it into
// adjudication), a correction is a replacement (7) and a cancellation a
// void (8), with REF*F8 that number. CLP07 is authoritative: a 277CA
// arriving after the 835 never replaces it. A claim in flight (sent, no
// 277CA yet) cannot be changed, a void needs an adjudication standing, a
// correction made from a version that is no longer current is a conflict,
// and a correction that fails the scrubber changes nothing.
//
// An encounter that intake receives again with changes is a correction
// by the same path (encounterChanged): applied at once to a claim not yet
// sent or rejected before adjudication, and to an adjudicated one only
// with Options.ReplaceAdjudicated; otherwise a work item lists the
// changed fields.
//
// # Receivables
//
// The ledger is append-only. Each LedgerEntry records what one event did
// to one claim line (or to the claim as a whole): a charge, an 835 claim
// payment or its reversal, a patient payment or a write-off. Its amounts
// are legs (Charge, Payment, PatientPayment, WriteOff) and CAS
// Adjustments, which keep their group and reason codes: CO, OA and PI
// adjust the balance away, PR moves it to the patient. An 835 claim
// payment writes one entry per service line it pays, plus one at claim
// level for claim-level adjustments. Balances are never stored: Balance
// adds entries up, and so do the stores' balance queries.
//
// A claim counts once in the receivables at every moment, whatever its
// versions. A line keeps its ID and line item control number (REF*6R)
// across versions; a line a correction removes stays, not active. The
// moves:
//
//   - First submission: each line's charge is posted when the file is
//     verified on the clearinghouse (the claim's age counts from then).
//   - Resubmission after a rejection (a new original, or any version
//     while no adjudication stands): when the new version is uploaded,
//     each line's charge is brought to what the version bills, by the
//     difference (a removed line's charge is taken back). A rejection
//     itself moves nothing: the claim is still owed.
//   - Replacement (7) of an adjudicated claim: the payer's adjudication
//     stands until its 835 reverses it, so nothing moves at upload. The
//     reversal (CLP02 22) posts the old payment and adjustments negated
//     and, as it leaves no adjudication standing, brings the charges to
//     the replacement's; the payer's new adjudication then posts as any
//     payment.
//   - Void (8): likewise nothing at upload; the reversal posts negated
//     and takes every charge back, so the claim owes nothing and becomes
//     voided.
//   - Secondary claim (VersionSecondary, coordination of benefits; see
//     cob.go): nothing at upload, the primary's adjudication stands. The
//     secondary's 835 adjudicates the whole charge again, its CAS holding
//     the primary's share (typically OA-23); for each line it pays, an
//     offset entry takes that share back (OA-23 less the line's patient
//     responsibility) and the primary's PR adjustments, so the insurance
//     balance does not move and the patient owes the secondary's PR.
//     A reversal of the secondary's payment takes its offsets back.
//
// An 835 file is applied claim by claim, never read whole (post835.go):
// a first pass checks each transaction set's three balancing levels, a
// second posts each balanced set in transactions of Options.PostChunk
// claim payments behind a set-level marker (a remittance in state
// posting, whose progress resumes an interrupted posting), so that a set
// posts in full or not at all and memory does not grow with the file;
// an unbalanced set is held whole. A claim payment that cannot post — it matches no claim we
// sent, or would credit its claim twice, or cannot apply to the claim's
// state — is kept as unapplied cash of the remittance (UnappliedPayment),
// with a work item, until ApplyPayment posts it to the right claim; the
// rest of the check posts. Each set is recorded
// with its position in its file, as posted, held for review (nothing
// posted) or duplicate (the same payer, trace, date and amount were
// posted before), so that neither a re-sent file nor a file applied again
// after a crash posts, holds or notes anything twice; TA1s and 999 and
// 277CA sets are recorded as applied in the same way.
//
// # Responses
//
// Within one collection, files are applied TA1 first, then 999, 277CA and
// 835, whatever their names, and an acknowledgment never moves a claim
// backwards or undoes its adjudication; one that answers a version a
// newer one replaced is recorded without changing the claim. Only files
// addressed to us are applied: every interchange must come from the
// clearinghouse (ISA06), be addressed to us (ISA08, GS03) and carry the
// configured usage indicator (ISA15), with no control character in an
// ID; any other file is quarantined with a work item and nothing in it
// is applied.
//
// # The work queue
//
// Every held, rejected, denied, unapplied, unbalanced, failed or stray
// thing has a WorkItem, one open item per cause (WorkItem.Key) however
// often the cause recurs. Items close by themselves when the cause goes
// away — the scrubber's when a clean version is made, a rejection's when
// a later version is accepted, a denial's when the claim is paid or
// voided, a failed batch's when it is uploaded, unapplied cash's when it
// is applied, a held remittance's when the payer's corrected 835 posts —
// and a person can close one with a note (ResolveItem). Worklist pages
// the open items soonest timely-filing deadline first (TimelyFiling: per
// payer, default 90 days from the date of service), with the cause in a
// few plain words (Headline).
//
// # People and the audit trail
//
// The web UI's users (AddUser, Roles, Role.Can) sign in with a password
// kept as a bcrypt hash (Login); a session (Session) ends after
// Options.SessionIdle without use, and the store keeps only a hash of its
// token. Every operation a person runs names them (the actor), and writes
// its AuditEntry in the same transaction as its change: corrections,
// resubmissions and voids (with the field paths changed, never the
// values), work items assigned or resolved, payments applied, files
// retried or canceled, users changed, sign-ins and sign-outs. ViewClaim
// audits who looked at a claim.
//
// Submit, Collect and CheckOverdue each run one at a time, across every
// process that shares the store (Store.JobLock); a second call while one
// runs returns ErrBusy at once.
//
// The pipeline never imports an adapter, a database driver, net/http or a
// scheduler. cmd/claims wires adapters into it.
package pipeline
