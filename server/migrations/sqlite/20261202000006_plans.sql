-- Contingency plans (应急预案), their versions, and their activations. A plan's text is stored
-- per version as JSON (zhizhi_shared::plan::PlanBody); an activation keeps the version it used.

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    version     INTEGER  NOT NULL,
    retired     INTEGER  NOT NULL DEFAULT 0,
    updated_at  INTEGER  NOT NULL,
    updated_by  TEXT    NOT NULL
);

CREATE TABLE plan_versions (
    plan_id       INTEGER  NOT NULL REFERENCES plans(id),
    version       INTEGER  NOT NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER  NOT NULL,
    created_by    TEXT    NOT NULL,
    lessons_from  INTEGER,
    PRIMARY KEY (plan_id, version)
);

CREATE TABLE activations (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id            INTEGER  NOT NULL REFERENCES plans(id),
    version            INTEGER  NOT NULL,
    plan_name          TEXT    NOT NULL,
    level              TEXT    NOT NULL,
    drill              INTEGER  NOT NULL DEFAULT 0,
    state              TEXT    NOT NULL,
    case_id            INTEGER  NOT NULL REFERENCES cases(id),
    activated_at       INTEGER  NOT NULL,
    activated_by       TEXT    NOT NULL,
    stood_down_at      INTEGER,
    stand_down_reason  TEXT    NOT NULL DEFAULT '',
    lessons            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX activations_case ON activations(case_id);
CREATE INDEX activations_state ON activations(state, id);

-- A task may be held by the district (a plan's items that go up to it), and may belong to an
-- activation, with the instruction and checklist its plan gave it.
ALTER TABLE case_tasks ADD COLUMN district INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_tasks ADD COLUMN activation_id INTEGER REFERENCES activations(id);
ALTER TABLE case_tasks ADD COLUMN plan_level TEXT;
ALTER TABLE case_tasks ADD COLUMN instruction TEXT NOT NULL DEFAULT '';
ALTER TABLE case_tasks ADD COLUMN checklist TEXT NOT NULL DEFAULT '[]';
CREATE INDEX case_tasks_district ON case_tasks(district, state);

-- A drill's case: shown as an exercise everywhere, counted nowhere.
ALTER TABLE cases ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
