-- Fewer writes per claim taken in (see the SQLite migration 0013):
-- has_other_coverage becomes a plain column that the store fills as it
-- writes the row, keeping the stored values, and encounters_claim, which
-- no query uses, is dropped.
ALTER TABLE claim_versions ALTER COLUMN has_other_coverage DROP EXPRESSION;
DROP INDEX encounters_claim;
