-- Leases on work units, so that several instances sharing the database
-- share the work: a batch to upload, a response file to apply. An
-- instance takes a unit's lease (on PostgreSQL SELECT ... FOR UPDATE SKIP LOCKED, so
-- that instances taking units at once pass each other by), renews it
-- while it works and deletes it when done. The lease of an instance that
-- died expires, and another instance takes the unit over.
-- expires_us is microseconds since 1970 UTC, by the taker's clock.
CREATE TABLE leases (
    kind       TEXT   NOT NULL,
    unit_id    BIGINT NOT NULL,
    owner      TEXT   NOT NULL,
    expires_us BIGINT NOT NULL,
    PRIMARY KEY (kind, unit_id)
);
