-- The lines, versions and submissions of a claim lose their foreign keys
-- to claims, as claim_events, claim_payments and ledger_entries never had
-- them (see 0001). PostgreSQL checks a foreign key row by row, with a KEY
-- SHARE lock on the claim for each row: for the lines, first versions and
-- submissions of 100,000 claims that took about a fifth of intake and
-- build (claims bench). The store checks the claims instead, reading
-- only those the transaction has not already created, read or moved
-- (see adapters/store/internal/sqlcore's doc); claims are never deleted.
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_claim_id_fkey;
ALTER TABLE claim_versions DROP CONSTRAINT claim_versions_claim_id_fkey;
ALTER TABLE submissions DROP CONSTRAINT submissions_claim_id_fkey;
