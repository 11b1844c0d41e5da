-- claims_state indexed every claim by state, so every state change
-- (the 835 posting of 2,000 claims makes 2,000) also rewrote an index
-- entry. Claims are only ever looked up by state while they wait for the
-- pipeline: held (for the billing staff) and ready (for the next batch).
-- Everywhere else they move by ID. The index now holds those two states
-- only; ClaimsInState repeats its predicate so that the planner can use
-- it, and scans the table for the other states (reports, tests).
DROP INDEX claims_state;
CREATE INDEX claims_state ON claims (state, id) WHERE state IN ('held', 'ready');
