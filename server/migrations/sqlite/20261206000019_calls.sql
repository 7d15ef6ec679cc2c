-- Video calls from a case: who called whom, when, how it ended. The media never pass through
-- the server; only this record of the call does.
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    caller_id       INTEGER NOT NULL,
    caller_name     TEXT    NOT NULL,
    callee_id       INTEGER NOT NULL,
    callee_name     TEXT    NOT NULL,
    -- 'ringing', 'active', 'ended'
    state           TEXT    NOT NULL,
    audio_only      INTEGER NOT NULL DEFAULT 0,
    started_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    ended_at        INTEGER,
    end_reason      TEXT,
    ended_by        TEXT,
    -- When each side's page last said it is there (a silent side has lost the connection).
    caller_seen_at  INTEGER NOT NULL,
    callee_seen_at  INTEGER NOT NULL
);
-- A worker is in one call at a time: a second is refused as busy (占线).
CREATE UNIQUE INDEX calls_one_open_per_callee ON calls(callee_id) WHERE state <> 'ended';
CREATE INDEX calls_by_case ON calls(case_id);
CREATE INDEX calls_open ON calls(state) WHERE state <> 'ended';

-- Command staff watching a call besides the caller.
CREATE TABLE call_viewers (
    call_id    INTEGER NOT NULL REFERENCES calls(id),
    user_id    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    joined_at  INTEGER NOT NULL,
    left_at    INTEGER,
    PRIMARY KEY (call_id, user_id)
);
