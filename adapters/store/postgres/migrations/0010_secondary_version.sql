-- Coordination of benefits: a claim version may be a secondary claim, the
-- claim sent to the next payer with the earlier payers' adjudication
-- (pipeline.VersionSecondary). See the SQLite migration 0010.
ALTER TABLE claim_versions DROP CONSTRAINT claim_versions_kind_check;
ALTER TABLE claim_versions ADD CONSTRAINT claim_versions_kind_check
    CHECK (kind IN ('original', 'correction', 'resubmission', 'void', 'secondary'));
