-- Access to the web UI: its users, their signed-in sessions and the
-- audit trail of who viewed or changed what. Work rows join claims and
-- their earliest active service date (claim_lines_claim serves that).

-- Users sign in with a password (its bcrypt hash); disabled users cannot.
CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- A session is kept by the hash of its token only: reading the database
-- does not let anyone take one over. Idle sessions are removed by
-- last_seen.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_last_seen ON sessions (last_seen);
CREATE INDEX sessions_user ON sessions (user_name);

-- Append-only audit trail, read newest first: all of it, by actor or by
-- claim (claim_id is 0 when the entry concerns no claim).
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    claim_id INTEGER NOT NULL DEFAULT 0,
    object   TEXT NOT NULL,
    detail   TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_claim ON audit_log (claim_id, id) WHERE claim_id <> 0;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
