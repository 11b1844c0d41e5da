-- Coordination of benefits: a claim version may be a secondary claim
-- (pipeline.VersionSecondary), and has_other_coverage tells, without
-- reading the content, whether a version lists other coverage. See the
-- SQLite migration 0010.
ALTER TABLE claim_versions DROP CONSTRAINT claim_versions_kind_check;
ALTER TABLE claim_versions ADD CONSTRAINT claim_versions_kind_check
    CHECK (kind IN ('original', 'correction', 'resubmission', 'void', 'secondary'));
ALTER TABLE claim_versions ADD COLUMN has_other_coverage BOOLEAN NOT NULL
    GENERATED ALWAYS AS (data ? 'other_coverage') STORED;
