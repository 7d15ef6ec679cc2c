-- Checkpoints of the audit chain's head, written every ten minutes (and exported by
-- administrators): dropping the newest entries, or rewriting an entry and rehashing everything
-- after it, no longer goes unnoticed — the chain would still link, but not to its checkpoints.
CREATE TABLE audit_checkpoints (
    seq    BIGINT PRIMARY KEY,
    hash   TEXT    NOT NULL,
    at_ms  BIGINT  NOT NULL
);
