// Package pipeline is the application core of the claims processor: the
// domain types (encounters, claims, batches, inbound files, remittances,
// ledger entries, work items), the small interfaces it needs from the
// outside world (EncounterSource, Transport, Store) and the jobs that move
// claims through their lifecycle, as plain synchronous methods.
//
// # Receivables
//
// The ledger is append-only. Each LedgerEntry records what one event did
// to one claim line (or to the claim as a whole): the charge at first
// submission, an 835 claim payment or its reversal, a patient payment or
// a write-off. Its amounts are legs (Charge, Payment, PatientPayment,
// WriteOff) and CAS Adjustments, which keep their group and reason codes:
// CO, OA and PI adjust the balance away, PR moves it to the patient. An
// 835 claim payment writes one entry per service line it pays, plus one at
// claim level for claim-level adjustments. Balances are never stored:
// Balance adds entries up, and so do the stores' balance queries.
//
// An 835 transaction set posts in one database transaction, only after
// its three balancing levels pass (postRemittance). Each set is recorded
// with its position in its file, as posted, held for review (nothing
// posted) or duplicate (the same payer, trace, date and amount were
// posted before), so that neither a re-sent file nor a file applied again
// after a crash posts, holds or notes anything twice.
//
// The pipeline never imports an adapter, a database driver, net/http or a
// scheduler. cmd/claims wires adapters into it.
package pipeline
