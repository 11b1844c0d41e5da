-- Fewer writes per claim taken in. has_other_coverage becomes a plain
-- column that the store fills from the version's content as it writes
-- the row, as the generated column did (true when the content lists
-- other coverage): computing it made SQLite parse each version's JSON
-- again, a tenth of what intake spends writing a claim. SQLite cannot
-- change a generated column, so claim_versions is rebuilt, keeping the
-- stored values, the triggers and the other columns. encounters_claim
-- is dropped: no query reads encounters by claim.
DROP INDEX encounters_claim;
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
    has_other_coverage INTEGER NOT NULL, -- the content lists other coverage (x837.Claim.OtherCoverage)
    PRIMARY KEY (claim_id, version)
) STRICT;
INSERT INTO claim_versions_new (claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed,
    actor, note, created_at, has_other_coverage)
SELECT claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed, actor, note, created_at,
    has_other_coverage
FROM claim_versions;
DROP TABLE claim_versions;
ALTER TABLE claim_versions_new RENAME TO claim_versions;
CREATE TRIGGER claim_versions_no_update BEFORE UPDATE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
CREATE TRIGGER claim_versions_no_delete BEFORE DELETE ON claim_versions
BEGIN SELECT RAISE(ABORT, 'claim_versions is append-only'); END;
