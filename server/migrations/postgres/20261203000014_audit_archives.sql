-- Audit entries older than the retention (at least 180 days) may be archived to a file by an
-- administrator (`zhizhi audit-archive`): they leave the table, and this row remembers where
-- the chain now starts (the last archived entry's hash), so verification goes on from there.
CREATE TABLE audit_archives (
    up_to_seq  BIGINT PRIMARY KEY,
    hash       TEXT    NOT NULL,
    file       TEXT    NOT NULL,
    at_ms      BIGINT  NOT NULL
);
