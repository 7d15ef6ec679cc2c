-- The copy that runs the ingest engine (device state, alarm rules, timers) among several
-- server copies over this database: it holds a session advisory lock and announces here where
-- the others forward device messages, with the secret they forward them with. The row of a
-- copy that died stays until the next leader replaces it; the lock, not the row, decides.
CREATE TABLE ingest_leader (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    addr TEXT NOT NULL,
    secret TEXT NOT NULL,
    since BIGINT NOT NULL
);
