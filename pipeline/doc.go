// Package pipeline is the application core of the claims processor: the
// domain types (encounters, claims, batches, inbound files, remittances,
// ledger entries, work items), the small interfaces it needs from the
// outside world (EncounterSource, Transport, Store) and the jobs that move
// claims through their lifecycle, as plain synchronous methods.
//
// The pipeline never imports an adapter, a database driver, net/http or a
// scheduler. cmd/claims wires adapters into it.
package pipeline
