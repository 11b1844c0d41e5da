-- Coordination of benefits. A claim version may be a secondary claim, the
-- claim sent to the next payer with the earlier payers' adjudication
-- (pipeline.VersionSecondary); and has_other_coverage tells, without
-- reading the content, whether a version lists other coverage, so that
-- posting an 835 looks for a secondary claim to build only on those
-- claims. SQLite cannot change a CHECK constraint or add a stored
-- generated column, so claim_versions is rebuilt; rows, triggers and the
-- other columns stay as they were.
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
    has_other_coverage INTEGER NOT NULL GENERATED ALWAYS AS (json_type(data, '$.other_coverage') IS NOT NULL) STORED,
    PRIMARY KEY (claim_id, version)
) STRICT;
INSERT INTO claim_versions_new (claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed,
    actor, note, created_at)
SELECT claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed, actor, note, created_at
FROM claim_versions;
DROP TABLE claim_versions;
ALTER TABLE claim_versions_new RENAME TO claim_versions;
CREATE TRIGGER claim_versions_no_update BEFORE UPDATE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
CREATE TRIGGER claim_versions_no_delete BEFORE DELETE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
