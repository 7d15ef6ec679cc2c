-- Flood control: gauges' lines and forecasts, flood zones, shelters, the response with its
-- evacuation list and checkpoints. Levels in metres above the reference datum (吴淞).
CREATE TABLE flood_gauges (
    device_id           INTEGER PRIMARY KEY REFERENCES devices(id),
    station             TEXT    NOT NULL,
    datum               TEXT    NOT NULL,
    to_reference_m      REAL    NOT NULL,
    setup_m             REAL,
    warning_m           REAL    NOT NULL,
    guaranteed_m        REAL    NOT NULL,
    is_primary          INTEGER NOT NULL,
    forecast_peak_m     REAL,
    forecast_peak_at    INTEGER,
    forecast_source     TEXT,
    forecast_entered_at INTEGER
);
CREATE TABLE flood_zones (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    flood_level_m REAL    NOT NULL,
    area          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE TABLE flood_shelters (
    id        INTEGER PRIMARY KEY,
    name      TEXT    NOT NULL,
    address   TEXT    NOT NULL,
    lon       REAL    NOT NULL,
    lat       REAL    NOT NULL,
    capacity  INTEGER NOT NULL,
    supplies  TEXT    NOT NULL
);
-- One running response at a time (the partial unique index).
CREATE TABLE flood_responses (
    id            INTEGER PRIMARY KEY,
    running       INTEGER NOT NULL DEFAULT 1,
    level         TEXT    NOT NULL,
    activation_id INTEGER NOT NULL REFERENCES activations(id),
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    started_at    INTEGER NOT NULL,
    started_by    TEXT    NOT NULL,
    stood_down_at INTEGER,
    list_level_m  REAL
);
CREATE UNIQUE INDEX flood_responses_running ON flood_responses(running) WHERE stood_down_at IS NULL;
CREATE TABLE flood_evacuations (
    response_id INTEGER NOT NULL REFERENCES flood_responses(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    building_id INTEGER NOT NULL,
    members     INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    headcount   INTEGER NOT NULL,
    shelter_id  INTEGER REFERENCES flood_shelters(id),
    reason      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL,
    PRIMARY KEY (response_id, household_id)
);
-- Every change of a household's evacuation, appended only.
CREATE TABLE flood_evacuation_log (
    id           INTEGER PRIMARY KEY,
    response_id  INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    headcount    INTEGER NOT NULL,
    shelter_id   INTEGER,
    reason       TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    by_user      TEXT    NOT NULL
);
CREATE TABLE flood_checkpoints (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES flood_responses(id),
    name        TEXT    NOT NULL,
    turned_away INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- Bumped by every flood write: the flood stream's cursor.
CREATE TABLE flood_state (
    id      INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO flood_state (id, version) VALUES (1, 0);
-- A gauge's readings over the last hours.
CREATE INDEX device_messages_device_ts ON device_messages(device_id, ts);
