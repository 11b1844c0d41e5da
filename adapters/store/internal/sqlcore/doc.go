// Package sqlcore is the SQL shared by the store adapters
// (adapters/store/sqlite and adapters/store/postgres): one implementation
// of pipeline.Tx over a small Conn interface that each adapter provides
// for an open database transaction, plus the embedded-migration runner.
//
// The SQL here is written once for both databases: positional $N
// parameters (modernc.org/sqlite reads $N as the N-th argument), INSERT
// ... ON CONFLICT, RETURNING, partial unique indexes, CAST(... AS BIGINT)
// around aggregates. Timestamps are the only values whose representation
// differs (TIMESTAMPTZ on PostgreSQL, fixed-width RFC 3339 text on
// SQLite); Conn.Time converts them. Dates are TEXT 'YYYY-MM-DD' (empty for
// the zero date) in both, money is BIGINT cents, and JSON fields (claim
// data, reasons, modifiers) are JSON text in TEXT columns (JSONB on
// PostgreSQL before its migration 0014).
//
// Rows of the append-only tables that posting writes (claim payments,
// ledger entries, claim events, provider adjustments) and the content of
// new claims are deferred: their IDs are reserved at once (from identity
// sequences that step by 1000 on PostgreSQL, one nextval per block of
// IDs; from the id_counters table on SQLite), and the
// rows are written together, as multi-row inserts (COPY on PostgreSQL),
// before the next statement that reads those tables and at commit. Reads
// in the same transaction therefore see them. Those tables have no
// foreign keys to claims and remittances (row-by-row checks tripled the
// cost of posting on PostgreSQL); Tx checks the IDs they name once per
// flush instead. An error from a deferred insert is reported by a later
// call or by the commit, and the transaction rolls back. On PostgreSQL
// the lines, versions and submissions of claims have no foreign key
// either (its migration 0016). Versions are only written for claims the
// transaction created or changed; Tx checks the claim of new lines at
// once (claimsExist), and those of submissions with the deferred rows,
// before commit. Either reads only the claims the transaction has not
// created, read or moved.
//
// The batch operations (MoveClaims, SetPayerClaimNumbers,
// PostingTargets) read or change many claims in a few statements: on
// PostgreSQL every statement is a network round trip. MoveClaims moves a
// claim only from its expected state, in a savepoint it rolls back when
// any claim was elsewhere, so that it neither reads nor locks the claims
// first. Queries that do not depend on each other go in one batch where
// the Conn is a Batcher (PostgreSQL pipelines them).
//
// The package is internal to adapters/store so that neither adapter
// imports the other.
package sqlcore
