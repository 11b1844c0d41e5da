// Package postgres is the pipeline.Store for several instances sharing
// one PostgreSQL database, through github.com/jackc/pgx/v5 (native
// interface, connection pool).
//
// Transactions run at READ COMMITTED. State changes are conditional
// updates (a claim moves only from the state the caller read, else
// pipeline.ErrConflict), unique indexes decide duplicates (a PCN, an
// inbound file hash, a posted remittance key), sequences are rows
// updated under a row lock, and Tx.Lock takes a transaction-scoped
// advisory lock for wider critical sections (one job at a time).
//
// Open applies the embedded migrations (migrations/*.sql), recorded in
// schema_migrations, inside a transaction holding an advisory lock, so
// that instances starting together migrate once. The store uses the
// schema the connection's search_path selects (for example
// ?search_path=claims in the URL). The SQL itself is shared with the
// SQLite store (adapters/store/internal/sqlcore); both pass the
// conformance suite in pipeline/pipelinetest.
//
// Bulk rows (a posting's payments, ledger entries and history) go in by
// COPY in the binary format, encoded by this package straight from the
// typed rows (copy.go) rather than through pgx's []any rows; fewer than
// copyThreshold rows go in by multi-row INSERT.
package postgres
