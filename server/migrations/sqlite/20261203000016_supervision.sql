-- Enterprise supervision: licences, the credit grade's history, help given to businesses, the
-- cases linked to a business, inspections (the joint inspection 综合查一次 with its items from
-- plan to re-inspection, and their log), the yearly random draw (双随机) with its targets.
CREATE TABLE enterprise_licences (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    kind          TEXT    NOT NULL,
    number        TEXT    NOT NULL,
    expires_at    INTEGER
);
CREATE UNIQUE INDEX enterprise_licences_kind ON enterprise_licences(enterprise_id, kind);
CREATE TABLE enterprise_grades (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    from_grade    TEXT,
    to_grade      TEXT    NOT NULL CHECK (to_grade IN ('A', 'B', 'C', 'D')),
    reason        TEXT    NOT NULL,
    evidence      TEXT    NOT NULL,
    by_name       TEXT    NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX enterprise_grades_enterprise ON enterprise_grades(enterprise_id, at);
CREATE TABLE enterprise_help (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    kind          TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    by_name       TEXT    NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX enterprise_help_enterprise ON enterprise_help(enterprise_id, at);
ALTER TABLE cases ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);
CREATE INDEX cases_enterprise ON cases(enterprise_id, created_at);
CREATE TABLE inspections (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    joint         INTEGER NOT NULL,
    stage         TEXT    NOT NULL,
    lead_post_id  INTEGER NOT NULL REFERENCES posts(id),
    scheduled_at  INTEGER,
    return_reason TEXT    NOT NULL DEFAULT '',
    approved_by   TEXT    NOT NULL DEFAULT '',
    approved_at   INTEGER,
    notice_no     TEXT    NOT NULL DEFAULT '',
    noticed_at    INTEGER,
    closed_at     INTEGER,
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspections_enterprise ON inspections(enterprise_id, created_at);
CREATE INDEX inspections_stage ON inspections(stage);
CREATE UNIQUE INDEX inspections_notice_no ON inspections(notice_no) WHERE notice_no <> '';
CREATE TABLE inspection_items (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    post          TEXT    NOT NULL,
    item          TEXT    NOT NULL,
    item_key      TEXT    NOT NULL,
    outcome       TEXT    NOT NULL DEFAULT 'pending',
    finding       TEXT    NOT NULL DEFAULT '',
    checked_by    TEXT    NOT NULL DEFAULT '',
    checked_at    INTEGER,
    requirement   TEXT    NOT NULL DEFAULT '',
    deadline      INTEGER,
    rectified_at  INTEGER,
    evidence      TEXT    NOT NULL DEFAULT '',
    recheck       TEXT    NOT NULL DEFAULT 'pending',
    UNIQUE (inspection_id, item_key)
);
CREATE TABLE inspection_log (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    at            INTEGER NOT NULL,
    by_name       TEXT    NOT NULL,
    what          TEXT    NOT NULL
);
CREATE INDEX inspection_log_inspection ON inspection_log(inspection_id, id);
CREATE TABLE inspection_draws (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    seed          TEXT    NOT NULL,
    rates         TEXT    NOT NULL,
    yearly_cap    INTEGER NOT NULL,
    drawn_by      TEXT    NOT NULL,
    drawn_at      INTEGER NOT NULL
);
-- One draw a year: a second would let a seed be tried until it picks what someone wants.
CREATE UNIQUE INDEX inspection_draws_year ON inspection_draws(year);
CREATE TABLE inspection_draw_targets (
    draw_id       INTEGER NOT NULL REFERENCES inspection_draws(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    grade         TEXT    NOT NULL,
    inspectors    TEXT    NOT NULL,
    PRIMARY KEY (draw_id, enterprise_id)
);
CREATE INDEX inspection_draw_targets_enterprise ON inspection_draw_targets(enterprise_id);
CREATE TABLE supervision_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO supervision_state (id, version) VALUES (1, 0);
