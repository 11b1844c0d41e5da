-- The earliest service date of a claim's active lines, kept on the claim
-- (from which the timely-filing limit runs), so that the work queue
-- sorts thousands of items without reading their lines. The store sets
-- it whenever it writes a claim's lines; '' when no line has a date.
ALTER TABLE claims ADD COLUMN service_date TEXT NOT NULL DEFAULT '';
UPDATE claims SET service_date = COALESCE((SELECT MIN(l.service_date) FROM claim_lines l
    WHERE l.claim_id = claims.id AND l.active AND l.service_date <> ''), '');
