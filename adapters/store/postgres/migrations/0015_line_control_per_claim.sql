-- A line item control number (REF*6R) is unique within its claim, as the
-- 837 guides require, not across all claims: practice systems number
-- lines per claim ("1", "2", ...), and a second claim with the same
-- numbers made intake stop at it. Lines are found by control number
-- within their claim only (posting, 277CA line status).
DROP INDEX claim_lines_control;
CREATE UNIQUE INDEX claim_lines_control ON claim_lines (claim_id, control_number) WHERE control_number <> '';
