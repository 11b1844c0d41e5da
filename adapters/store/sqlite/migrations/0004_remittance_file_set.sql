-- Each remittance records which transaction set of its file it came from
-- (from 1), so that applying a file again after a crash skips the sets
-- already posted, held or found duplicate. ST02 alone cannot tell: a
-- file of several functional groups may repeat it, and may even repeat a
-- whole set. Rows recorded before have 0.
ALTER TABLE remittances ADD COLUMN file_set INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX remittances_file_set ON remittances (inbound_file_id, file_set) WHERE file_set > 0;
