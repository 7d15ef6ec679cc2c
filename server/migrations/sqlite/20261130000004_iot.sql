-- IoT: device credentials and profiles, the message log, device state and alarms.
-- Times are milliseconds since the Unix epoch.

-- The profile names the rules and limits that apply ('' = the standard profile of its kind).
ALTER TABLE devices ADD COLUMN profile TEXT NOT NULL DEFAULT '';
-- SHA-256 of the device's own secret (HTTP ingest as the device itself); NULL = none issued.
ALTER TABLE devices ADD COLUMN secret_hash TEXT;
ALTER TABLE devices ADD COLUMN registered_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN retired_at INTEGER;
-- Hours without a door opening before a care alarm, for residents in care (NULL = 24).
ALTER TABLE residents ADD COLUMN absence_hours INTEGER;

-- Every accepted message, once: a repeated (device_id, msg_id) is acknowledged, not stored.
-- Rows are appended in arrival order; the unique index is the idempotency key.
CREATE TABLE device_messages (
    id           INTEGER PRIMARY KEY,
    device_id    INTEGER NOT NULL,
    msg_id       TEXT    NOT NULL,
    ts           INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL
);
CREATE UNIQUE INDEX device_messages_key ON device_messages(device_id, msg_id);

-- What the rules remember about each device (shared::iot::DeviceState as JSON), written in the
-- same transaction as the messages that changed it.
CREATE TABLE device_state (
    device_id  INTEGER PRIMARY KEY,
    state      TEXT    NOT NULL
);

CREATE TABLE alarms (
    id            INTEGER PRIMARY KEY,
    device_id     INTEGER NOT NULL REFERENCES devices(id),
    rule          TEXT    NOT NULL,
    level         TEXT    NOT NULL,
    detail        TEXT    NOT NULL,
    raised_at     INTEGER NOT NULL,
    -- The condition ended (the alarm cleared itself).
    cleared_at    INTEGER,
    -- Whether the alarm opens a case (maintenance alarms do not).
    wants_case    INTEGER NOT NULL,
    case_id       INTEGER REFERENCES cases(id),
    -- How its case ended: handled, false_alarm, rejected.
    outcome       TEXT,
    outcome_note  TEXT    NOT NULL DEFAULT '',
    concluded_at  INTEGER
);
-- One open alarm per device and rule, whatever the server does.
CREATE UNIQUE INDEX alarms_one_open ON alarms(device_id, rule) WHERE cleared_at IS NULL;
CREATE INDEX alarms_device ON alarms(device_id, id);
CREATE INDEX alarms_case ON alarms(case_id);
CREATE INDEX alarms_without_case ON alarms(id) WHERE wants_case = 1 AND case_id IS NULL;
