-- Coordination of benefits: a claim version may be a secondary claim, the
-- claim sent to the next payer with the earlier payers' adjudication
-- (pipeline.VersionSecondary). SQLite cannot change a CHECK constraint, so
-- claim_versions is rebuilt with the wider list; rows, triggers and
-- column order stay as they were.
DROP TRIGGER claim_versions_no_update;
DROP TRIGGER claim_versions_no_delete;
CREATE TABLE claim_versions_new (
    claim_id           INTEGER NOT NULL REFERENCES claims (id),
    version            INTEGER NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('original', 'correction', 'resubmission', 'void', 'secondary')),
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
INSERT INTO claim_versions_new SELECT * FROM claim_versions;
DROP TABLE claim_versions;
ALTER TABLE claim_versions_new RENAME TO claim_versions;
CREATE TRIGGER claim_versions_no_update BEFORE UPDATE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
CREATE TRIGGER claim_versions_no_delete BEFORE DELETE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
