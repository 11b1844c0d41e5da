-- Initial schema of the SQLite store. Money is INTEGER cents, timestamps
-- are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (NULL when unset), dates are
-- text 'YYYY-MM-DD' ('' when unset), JSON is text. Balances are never
-- stored: they are sums of ledger_entries.

CREATE TABLE encounters (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    line        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    raw         BLOB,
    claim_id    INTEGER NOT NULL,
    problems    TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX encounters_claim ON encounters (claim_id) WHERE claim_id <> 0;

CREATE TABLE claims (
    id                 INTEGER PRIMARY KEY,
    encounter_id       TEXT NOT NULL,
    kind               TEXT NOT NULL,
    state              TEXT NOT NULL,
    payer_id           TEXT NOT NULL,
    payer_name         TEXT NOT NULL,
    clearinghouse      TEXT NOT NULL,
    total_charge       INTEGER NOT NULL,
    submissions        INTEGER NOT NULL,
    pcn                TEXT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    first_submitted_at TEXT
) STRICT;
CREATE INDEX claims_state ON claims (state, id);
CREATE INDEX claims_encounter ON claims (encounter_id);
CREATE INDEX claims_pcn ON claims (pcn) WHERE pcn <> '';

-- The claim content (x837.Claim as JSON), apart from the claim row so that
-- state changes do not rewrite it.
CREATE TABLE claim_data (
    claim_id INTEGER PRIMARY KEY REFERENCES claims (id),
    data     TEXT NOT NULL
) STRICT;

CREATE TABLE claim_lines (
    id             INTEGER PRIMARY KEY,
    claim_id       INTEGER NOT NULL REFERENCES claims (id),
    line_no        INTEGER NOT NULL,
    control_number TEXT NOT NULL,
    proc_code      TEXT NOT NULL,
    modifiers      TEXT NOT NULL,
    revenue_code   TEXT NOT NULL,
    charge         INTEGER NOT NULL,
    units          TEXT NOT NULL,
    service_date   TEXT NOT NULL,
    UNIQUE (claim_id, line_no)
) STRICT;
CREATE UNIQUE INDEX claim_lines_control ON claim_lines (control_number) WHERE control_number <> '';

CREATE TABLE batches (
    id            INTEGER PRIMARY KEY,
    clearinghouse TEXT NOT NULL,
    kind          TEXT NOT NULL,
    payer_id      TEXT NOT NULL,
    sender_id     TEXT NOT NULL,
    receiver_id   TEXT NOT NULL,
    sender_key    TEXT NOT NULL, -- sender_id without padding
    receiver_key  TEXT NOT NULL,
    isa13         TEXT NOT NULL,
    gs06          TEXT NOT NULL,
    isa13_key     TEXT NOT NULL, -- without padding or leading zeros
    gs06_key      TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    local_path    TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    last_error    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    uploaded_at   TEXT
) STRICT;
CREATE INDEX batches_state ON batches (state, id);
CREATE INDEX batches_isa13 ON batches (sender_key, receiver_key, isa13_key);
CREATE INDEX batches_gs06 ON batches (sender_key, receiver_key, gs06_key);

CREATE TABLE batch_sets (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    ord      INTEGER NOT NULL,
    st02     TEXT NOT NULL,
    claims   INTEGER NOT NULL,
    PRIMARY KEY (batch_id, ord)
) STRICT, WITHOUT ROWID;

CREATE TABLE submissions (
    id          INTEGER PRIMARY KEY,
    claim_id    INTEGER NOT NULL REFERENCES claims (id),
    version     INTEGER NOT NULL,
    pcn         TEXT NOT NULL UNIQUE,
    frequency   TEXT NOT NULL,
    batch_id    INTEGER NOT NULL,
    set_control TEXT NOT NULL,
    seg_from    INTEGER NOT NULL,
    seg_to      INTEGER NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX submissions_claim ON submissions (claim_id, id);
CREATE INDEX submissions_batch ON submissions (batch_id, set_control, id);

-- IDs of the tables whose rows the store writes in batches (it reserves
-- IDs first): the next free value of each. IDs are never reused.
CREATE TABLE id_counters (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
) STRICT;
INSERT INTO id_counters (name, next) VALUES
    ('claim_lines', 1), ('claim_events', 1), ('claim_payments', 1),
    ('ledger_entries', 1), ('provider_adjustments', 1);

-- The claim and remittance IDs of claim_events, claim_payments and
-- ledger_entries have no foreign keys: checking them row by row (a
-- KEY SHARE lock on the claim for each row, on PostgreSQL) made posting
-- three times slower. The store checks them instead, once per
-- transaction, before it writes those rows (claims and remittances are
-- never deleted).

-- Append-only history of every claim.
CREATE TABLE claim_events (
    id            INTEGER PRIMARY KEY,
    claim_id      INTEGER NOT NULL,
    submission_id INTEGER NOT NULL,
    at            TEXT NOT NULL,
    kind          TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    file_id       INTEGER NOT NULL,
    set_control   TEXT NOT NULL,
    segment       INTEGER NOT NULL,
    detail        TEXT NOT NULL
) STRICT;
CREATE INDEX claim_events_claim ON claim_events (claim_id, id);
CREATE TRIGGER claim_events_no_update BEFORE UPDATE ON claim_events
BEGIN SELECT RAISE(ABORT, 'claim_events is append-only'); END;
CREATE TRIGGER claim_events_no_delete BEFORE DELETE ON claim_events
BEGIN SELECT RAISE(ABORT, 'claim_events is append-only'); END;

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

CREATE TABLE inbound_files (
    id            INTEGER PRIMARY KEY,
    clearinghouse TEXT NOT NULL,
    name          TEXT NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    size          INTEGER NOT NULL,
    local_path    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    error         TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    processed_at  TEXT
) STRICT;
CREATE INDEX inbound_files_state ON inbound_files (state, id);

CREATE TABLE remittances (
    id              INTEGER PRIMARY KEY,
    inbound_file_id INTEGER NOT NULL,
    set_control     TEXT NOT NULL,
    payer_id        TEXT NOT NULL,
    payer_name      TEXT NOT NULL,
    trace           TEXT NOT NULL,
    payment_date    TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    method          TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;
-- A remittance posts at most once; held ones do not block a later posting.
CREATE UNIQUE INDEX remittances_posted_key ON remittances (payer_id, trace, payment_date, amount)
    WHERE state = 'posted';
CREATE INDEX remittances_file ON remittances (inbound_file_id);

CREATE TABLE claim_payments (
    id                 INTEGER PRIMARY KEY,
    remittance_id      INTEGER NOT NULL,
    claim_id           INTEGER NOT NULL,
    submission_id      INTEGER NOT NULL,
    ordinal            INTEGER NOT NULL,
    status             TEXT NOT NULL,
    charge             INTEGER NOT NULL,
    paid               INTEGER NOT NULL,
    patient_resp       INTEGER NOT NULL,
    payer_claim_number TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    reversed_by        INTEGER NOT NULL
) STRICT;
CREATE INDEX claim_payments_claim ON claim_payments (claim_id, id);

-- Append-only receivables ledger.
CREATE TABLE ledger_entries (
    id               INTEGER PRIMARY KEY,
    claim_id         INTEGER NOT NULL,
    line_id          INTEGER NOT NULL, -- 0 for claim-level entries
    remittance_id    INTEGER NOT NULL,
    claim_payment_id INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    group_code       TEXT NOT NULL,
    reason           TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    reversal         INTEGER NOT NULL,
    at               TEXT NOT NULL,
    memo             TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_entries_claim ON ledger_entries (claim_id, id);
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;

CREATE TABLE provider_adjustments (
    id            INTEGER PRIMARY KEY,
    remittance_id INTEGER NOT NULL REFERENCES remittances (id),
    provider_id   TEXT NOT NULL,
    fiscal_date   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    reference     TEXT NOT NULL,
    amount        INTEGER NOT NULL
) STRICT;
CREATE INDEX provider_adjustments_remittance ON provider_adjustments (remittance_id, id);

CREATE TABLE work_items (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,
    claim_id        INTEGER NOT NULL,
    encounter_id    TEXT NOT NULL,
    remittance_id   INTEGER NOT NULL,
    inbound_file_id INTEGER NOT NULL,
    category        TEXT NOT NULL,
    summary         TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    status          TEXT NOT NULL,
    assignee        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX work_items_status ON work_items (status, id);
CREATE INDEX work_items_source ON work_items (source, id);
CREATE INDEX work_items_claim ON work_items (claim_id, id) WHERE claim_id <> 0;
