-- The rework loop: claim versions, lines that outlive a correction, work
-- items with a lifecycle, responses applied once per transaction set,
-- and unapplied cash.

-- A claim's content is kept per version: every correction, resubmission
-- or void makes the next version and keeps the ones before. claims.version
-- is the current one; its row in claim_versions holds the content that
-- claim_data held. payer_claim_source tells where payer_claim_number came
-- from: an 835 (CLP07, authoritative) or a 277CA (REF*1K, until an 835).
ALTER TABLE claims ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE claims ADD COLUMN payer_claim_source TEXT NOT NULL DEFAULT '';
UPDATE claims SET version = MAX(submissions, 1);
UPDATE claims SET payer_claim_source = CASE WHEN EXISTS (SELECT 1 FROM claim_payments p
    WHERE p.claim_id = claims.id AND p.payer_claim_number = claims.payer_claim_number) THEN '835' ELSE '277ca' END
WHERE payer_claim_number <> '';

CREATE TABLE claim_versions (
    claim_id           INTEGER NOT NULL REFERENCES claims (id),
    version            INTEGER NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('original', 'correction', 'resubmission', 'void')),
    frequency          TEXT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    total_charge       INTEGER NOT NULL,
    data               TEXT NOT NULL, -- x837.Claim as JSON
    changed            TEXT NOT NULL, -- JSON list of the field paths changed from the previous version
    actor              TEXT NOT NULL,
    note               TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (claim_id, version)
) STRICT;
INSERT INTO claim_versions (claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed,
    actor, note, created_at)
SELECT c.id, c.version, 'original', COALESCE(NULLIF(json_extract(d.data, '$.frequency'), ''), '1'),
    COALESCE(json_extract(d.data, '$.payer_claim_number'), ''), c.total_charge, COALESCE(d.data, '{}'), '[]', 'intake', '',
    c.created_at
FROM claims c LEFT JOIN claim_data d ON d.claim_id = c.id;
DROP TABLE claim_data;
CREATE TRIGGER claim_versions_no_update BEFORE UPDATE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
CREATE TRIGGER claim_versions_no_delete BEFORE DELETE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;

-- A line keeps its ID and control number (REF*6R) across versions; a
-- line a correction removes stays, not active, so that its ledger
-- entries and a later reversal of its payment still find it. Line
-- numbers are unique among the active lines only, so the table is
-- rebuilt without its UNIQUE (claim_id, line_no).
CREATE TABLE claim_lines_new (
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
    active         INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO claim_lines_new (id, claim_id, line_no, control_number, proc_code, modifiers, revenue_code, charge,
    units, service_date, active)
SELECT id, claim_id, line_no, control_number, proc_code, modifiers, revenue_code, charge, units, service_date, 1
FROM claim_lines;
DROP TABLE claim_lines;
ALTER TABLE claim_lines_new RENAME TO claim_lines;
CREATE INDEX claim_lines_claim ON claim_lines (claim_id, line_no);
CREATE UNIQUE INDEX claim_lines_active_no ON claim_lines (claim_id, line_no) WHERE active = 1;
CREATE UNIQUE INDEX claim_lines_control ON claim_lines (control_number) WHERE control_number <> '';

-- Events name the claim version they concern and who caused them.
ALTER TABLE claim_events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_events ADD COLUMN actor TEXT NOT NULL DEFAULT '';

-- Work items: a key (one open item per claim, batch, file or remittance
-- and cause), the main reason code, more references, and how they closed.
ALTER TABLE work_items ADD COLUMN item_key TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_items ADD COLUMN batch_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_items ADD COLUMN segment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_items ADD COLUMN payer_id TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN closed_at TEXT;
ALTER TABLE work_items ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN note TEXT NOT NULL DEFAULT '';
UPDATE work_items SET status = 'closed', closed_at = updated_at, closed_by = 'migration' WHERE status = 'resolved';
UPDATE work_items SET status = 'open' WHERE status <> 'closed';
UPDATE work_items SET code = COALESCE(json_extract(reasons, '$[0].code'), '');
UPDATE work_items SET batch_id = CAST(substr(summary, 7, instr(substr(summary, 7), ' ') - 1) AS INTEGER)
WHERE source = 'transport' AND summary LIKE 'batch % (%';
UPDATE work_items SET item_key = CASE
    WHEN source IN ('scrubber', 'ta1', '999', '277ca', '835_denial', 'intake') AND claim_id <> 0 THEN source || ':claim:' || claim_id
    WHEN source = 'intake' AND encounter_id <> '' THEN 'intake:encounter:' || encounter_id
    WHEN source IN ('unmatched', 'out_of_balance') AND remittance_id <> 0 THEN source || ':remit:' || remittance_id
    WHEN source = 'inbound' AND inbound_file_id <> 0 THEN 'inbound:file:' || inbound_file_id
    WHEN source = 'transport' AND batch_id <> 0 THEN 'transport:batch:' || batch_id
    ELSE '' END;
UPDATE work_items SET payer_id = COALESCE((SELECT c.payer_id FROM claims c WHERE c.id = work_items.claim_id), '')
WHERE claim_id <> 0;
-- Earlier runs opened duplicates: keep the newest open item of each key.
UPDATE work_items SET status = 'closed', closed_at = updated_at, closed_by = 'migration',
    note = 'duplicate of a newer item with the same cause'
WHERE status = 'open' AND item_key <> '' AND EXISTS (SELECT 1 FROM work_items w
    WHERE w.item_key = work_items.item_key AND w.status = 'open' AND w.id > work_items.id);
CREATE UNIQUE INDEX work_items_open_key ON work_items (item_key) WHERE status = 'open' AND item_key <> '';
DROP INDEX work_items_status;
CREATE INDEX work_items_status ON work_items (status, id);

-- The TA1s, 999 and 277CA transaction sets of each file applied so far,
-- so that a file applied again after a crash applies each of them once
-- (835 sets are recorded as remittances).
CREATE TABLE applied_sets (
    inbound_file_id INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    ordinal         INTEGER NOT NULL,
    applied_at      TEXT NOT NULL,
    PRIMARY KEY (inbound_file_id, kind, ordinal)
) STRICT, WITHOUT ROWID;

-- Unapplied cash: claim payments of a posted remittance that matched no
-- claim, with the CLP loop kept to post when a person applies it.
CREATE TABLE unapplied_payments (
    id                 INTEGER PRIMARY KEY,
    remittance_id      INTEGER NOT NULL REFERENCES remittances (id),
    ordinal            INTEGER NOT NULL,
    segment            INTEGER NOT NULL,
    pcn                TEXT NOT NULL,
    status             TEXT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    charge             INTEGER NOT NULL,
    paid               INTEGER NOT NULL,
    patient_resp       INTEGER NOT NULL,
    claim              TEXT NOT NULL,
    reason             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    applied_claim_id   INTEGER NOT NULL DEFAULT 0,
    applied_at         TEXT,
    applied_by         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX unapplied_payments_remittance ON unapplied_payments (remittance_id, id);
CREATE INDEX unapplied_payments_open ON unapplied_payments (id) WHERE applied_claim_id = 0;

-- Startup cleanup asks which outbox files a batch records.
CREATE INDEX batches_file_name ON batches (file_name);
-- The upload step a failed batch stopped at: a retry resumes from there,
-- so that a file renamed on the server before the failure is not sent
-- again.
ALTER TABLE batches ADD COLUMN resume_from TEXT NOT NULL DEFAULT '';
