-- Streaming 835 posting (pipeline/post.go). A large transaction set posts
-- in bounded transactions: its remittance is recorded first in state
-- 'posting', and progress counts the claim payments (CLPs) of the set
-- handled so far (posted or kept as unapplied cash; for a duplicate, the
-- ones noted), so that a run stopped part way resumes after the last
-- committed one and does nothing twice. A set being posted holds its
-- payment's key as a posted one does: no other set posts it meanwhile.
ALTER TABLE remittances ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
DROP INDEX remittances_posted_key;
CREATE UNIQUE INDEX remittances_posted_key ON remittances (payer_id, trace, payment_date, amount)
    WHERE state IN ('posted', 'posting');
-- Each run that starts applying a response file counts an attempt before
-- it starts; a file whose attempts keep being cut short (the process
-- killed while applying it) is marked failed, with a work item, instead
-- of stopping every later run at the same file.
ALTER TABLE inbound_files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
