-- No query looks claims up by encounter ID (encounters.claim_id does) or
-- by PCN (submissions.pcn does). Each index costs every claim update an
-- index entry, and claim updates are frequent: posting moves thousands of
-- claims per remittance.
DROP INDEX claims_encounter;
DROP INDEX claims_pcn;
