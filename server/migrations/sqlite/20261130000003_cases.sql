-- Cases (事件), their tasks, their timeline, their photos, and the durable log of live events.
-- Times are milliseconds since the Unix epoch. Flags are integers 0/1 on both engines.

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    number            TEXT    NOT NULL DEFAULT '',
    category          TEXT    NOT NULL,
    source            TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    suspended_from    TEXT,
    urgency           TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    lon               REAL,
    lat               REAL,
    -- Where the case was routed when it was reported (kept even if grids are redrawn later).
    micro_grid_id     INTEGER REFERENCES micro_grids(id),
    grid_id           INTEGER REFERENCES grids(id),
    place             TEXT    NOT NULL DEFAULT '',
    grid_worker       TEXT    NOT NULL DEFAULT '',
    reporter_id       INTEGER REFERENCES users(id),
    reporter_name     TEXT    NOT NULL DEFAULT '',
    reporter_contact  TEXT    NOT NULL DEFAULT '',
    escalated         INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    stage_started_at  INTEGER NOT NULL,
    stage_deadline    INTEGER,
    closed_at         INTEGER,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_state ON cases(state, created_at);
CREATE INDEX cases_grid ON cases(grid_id, created_at);

CREATE TABLE case_tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id          INTEGER NOT NULL REFERENCES cases(id),
    post_id          INTEGER REFERENCES posts(id),
    grid_id          INTEGER REFERENCES grids(id),
    state            TEXT    NOT NULL,
    deadline         INTEGER NOT NULL,
    extension_hours  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks(case_id);
CREATE INDEX case_tasks_post ON case_tasks(post_id, state);
CREATE INDEX case_tasks_grid ON case_tasks(grid_id, state);

-- The timeline: appended to, never updated.
CREATE TABLE case_steps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    task_id     INTEGER REFERENCES case_tasks(id),
    note        TEXT    NOT NULL DEFAULT '',
    UNIQUE (case_id, seq)
);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    step_id       INTEGER NOT NULL REFERENCES case_steps(id),
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    data          BLOB    NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);

-- Every change a screen may show, in order; the SSE stream replays it to reconnecting
-- clients. AUTOINCREMENT: ids are never reused, even after old events are pruned.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    case_id  INTEGER NOT NULL,
    payload  TEXT    NOT NULL
);
