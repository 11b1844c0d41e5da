-- The receivables ledger keeps one entry per event per claim line, its
-- amounts as legs (charge, payment, adjustments, patient responsibility,
-- patient payment, write-off), instead of one row per amount: posting an
-- 835 line with a payment and two CAS adjustments writes one row, not
-- three. The CAS detail is kept in cas as "GROUP-REASON:CENTS" joined by
-- ";" (e.g. "CO-45:1500;PR-2:500"); adjustment sums its CO, OA and PI
-- amounts and patient_resp its PR amounts, so that balances are plain
-- sums of the legs.
CREATE TABLE ledger_legs (
    id               INTEGER PRIMARY KEY,
    claim_id         INTEGER NOT NULL,
    line_id          INTEGER NOT NULL, -- 0 for claim-level entries
    remittance_id    INTEGER NOT NULL,
    claim_payment_id INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('charge', 'insurance', 'patient_payment', 'write_off')),
    charge           INTEGER NOT NULL,
    payment          INTEGER NOT NULL,
    adjustment       INTEGER NOT NULL,
    patient_resp     INTEGER NOT NULL,
    patient_payment  INTEGER NOT NULL,
    write_off        INTEGER NOT NULL,
    cas              TEXT NOT NULL,
    reversal         INTEGER NOT NULL,
    at               TEXT NOT NULL,
    memo             TEXT NOT NULL
) STRICT;

-- Earlier entries: the rows one claim payment posted on one line become
-- one entry; every other row stays an entry of its own.
INSERT INTO ledger_legs (id, claim_id, line_id, remittance_id, claim_payment_id, kind, charge, payment,
    adjustment, patient_resp, patient_payment, write_off, cas, reversal, at, memo)
SELECT MIN(id), claim_id, line_id, MAX(remittance_id), claim_payment_id,
    CASE WHEN MIN(kind) IN ('charge', 'patient_payment', 'write_off') AND COUNT(*) = 1 THEN MIN(kind) ELSE 'insurance' END,
    SUM(CASE WHEN kind = 'charge' THEN amount ELSE 0 END),
    SUM(CASE WHEN kind = 'payment' THEN amount ELSE 0 END),
    SUM(CASE WHEN kind = 'adjustment' THEN amount ELSE 0 END),
    SUM(CASE WHEN kind = 'patient_resp' THEN amount ELSE 0 END),
    SUM(CASE WHEN kind = 'patient_payment' THEN amount ELSE 0 END),
    SUM(CASE WHEN kind = 'write_off' THEN amount ELSE 0 END),
    COALESCE(group_concat(CASE WHEN kind IN ('adjustment', 'patient_resp')
        THEN group_code || '-' || reason || ':' || amount END, ';' ORDER BY id), ''),
    MAX(reversal), MIN(at), COALESCE(group_concat(NULLIF(memo, ''), '; ' ORDER BY id), '')
FROM ledger_entries
GROUP BY CASE WHEN claim_payment_id <> 0 AND kind IN ('payment', 'adjustment', 'patient_resp')
    THEN 'p' || claim_payment_id || '/' || line_id ELSE 'e' || id END,
    claim_id, line_id, claim_payment_id;

DROP TABLE ledger_entries;
ALTER TABLE ledger_legs RENAME TO ledger_entries;
CREATE INDEX ledger_entries_claim ON ledger_entries (claim_id, id);
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
