// Package sqlite is the embedded pipeline.Store: one SQLite database file
// through modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode with synchronous=FULL (a commit is on
// disk before InTx returns: the pipeline deletes remote files and uploads
// batches only after committing), foreign keys on, a 32 MiB page cache
// and a busy timeout for other processes that open the same file. The store has a single connection
// and runs one transaction at a time; each takes the write lock at BEGIN
// (BEGIN IMMEDIATE), so transactions never deadlock upgrading a read lock
// and are serializable. Tx.Lock is therefore a no-op here. A transaction
// calls the driver connection directly (sql.Conn.Raw), through statements
// the store prepares once: posting binds thousands of arguments per
// transaction, and database/sql would convert, copy and lock for each
// call and scanned column.
//
// Open creates the folder (0700) and the file (0600) when missing and
// applies the embedded migrations (migrations/*.sql), recorded in
// schema_migrations. The SQL itself is shared with the PostgreSQL store
// (adapters/store/internal/sqlcore); both pass the conformance suite in
// pipeline/pipelinetest.
package sqlite
