-- The store reserves the IDs of the rows it writes in bulk before it
-- writes them (sqlcore's Tx.reserve). That took one nextval per ID: ten
-- thousand of them to post an 835 of 2,000 three-line claims. The
-- identity sequences of those tables now step by 1000, so that each
-- nextval reserves a block: its value and the 999 after it. IDs stay
-- unique, and increase within a transaction; the unused rest of a block
-- is skipped, as a rolled-back nextval always was. A row inserted without
-- an ID takes a block of its own.
ALTER TABLE claim_events ALTER COLUMN id SET INCREMENT BY 1000;
ALTER TABLE claim_lines ALTER COLUMN id SET INCREMENT BY 1000;
ALTER TABLE claim_payments ALTER COLUMN id SET INCREMENT BY 1000;
ALTER TABLE ledger_entries ALTER COLUMN id SET INCREMENT BY 1000;
ALTER TABLE provider_adjustments ALTER COLUMN id SET INCREMENT BY 1000;
