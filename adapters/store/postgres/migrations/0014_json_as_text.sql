-- JSON documents are stored as TEXT, as in the SQLite store. The store
-- writes them (encoding/json's output, so always valid) and reads them
-- back whole; no query looks inside one. JSONB made the server parse and
-- convert every claim version's content on the way in and print it again
-- on the way out: with COPY, that was most of the server's work of
-- taking in a claim (about 35 µs of a 1.2 KB document, against 12 µs as
-- TEXT). The stored documents keep their JSONB printing, which the
-- store's decoder reads the same.
ALTER TABLE encounters ALTER COLUMN problems TYPE TEXT;
ALTER TABLE claim_lines ALTER COLUMN modifiers TYPE TEXT;
ALTER TABLE work_items ALTER COLUMN reasons TYPE TEXT;
ALTER TABLE claim_versions ALTER COLUMN data TYPE TEXT, ALTER COLUMN changed TYPE TEXT;
ALTER TABLE unapplied_payments ALTER COLUMN claim TYPE TEXT;
