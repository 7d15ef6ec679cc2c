-- The street's reference data: organisation, geography, people, houses, enterprises, devices.
-- Polygons are JSON arrays of [lon, lat] (WGS-84); micro-grids keep their bounding box in
-- columns so that routing a location needs only an indexed range scan.

CREATE TABLE streets (
    id          BIGINT PRIMARY KEY,
    name        TEXT    NOT NULL,
    district    TEXT    NOT NULL,
    center_lon  DOUBLE PRECISION    NOT NULL,
    center_lat  DOUBLE PRECISION    NOT NULL
);

CREATE TABLE boards (
    id    BIGINT PRIMARY KEY,
    kind  TEXT    NOT NULL UNIQUE,
    name  TEXT    NOT NULL
);

CREATE TABLE posts (
    id        BIGINT PRIMARY KEY,
    board_id  BIGINT NOT NULL REFERENCES boards(id),
    name      TEXT    NOT NULL UNIQUE,
    origin    TEXT    NOT NULL CHECK (origin IN ('office', 'agency'))
);

CREATE TABLE staff (
    id       BIGINT PRIMARY KEY,
    name     TEXT    NOT NULL,
    post_id  BIGINT REFERENCES posts(id),
    phone    TEXT    NOT NULL,
    duty     TEXT    NOT NULL
);
CREATE INDEX staff_post ON staff(post_id);

CREATE TABLE communities (
    id        BIGINT PRIMARY KEY,
    name      TEXT    NOT NULL UNIQUE,
    boundary  TEXT    NOT NULL
);

CREATE TABLE grids (
    id            BIGINT PRIMARY KEY,
    community_id  BIGINT NOT NULL REFERENCES communities(id),
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    boundary      TEXT    NOT NULL,
    worker_id     BIGINT REFERENCES staff(id)
);
CREATE INDEX grids_community ON grids(community_id);

CREATE TABLE micro_grids (
    id        BIGINT PRIMARY KEY,
    grid_id   BIGINT NOT NULL REFERENCES grids(id),
    code      TEXT    NOT NULL UNIQUE,
    name      TEXT    NOT NULL,
    boundary  TEXT    NOT NULL,
    min_lon   DOUBLE PRECISION    NOT NULL,
    min_lat   DOUBLE PRECISION    NOT NULL,
    max_lon   DOUBLE PRECISION    NOT NULL,
    max_lat   DOUBLE PRECISION    NOT NULL
);
CREATE INDEX micro_grids_grid ON micro_grids(grid_id);
CREATE INDEX micro_grids_bbox ON micro_grids(min_lon, max_lon);

CREATE TABLE buildings (
    id              BIGINT PRIMARY KEY,
    micro_grid_id   BIGINT NOT NULL REFERENCES micro_grids(id),
    name            TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    footprint       TEXT    NOT NULL,
    floors          INTEGER NOT NULL CHECK (floors > 0),
    floor_height_m  DOUBLE PRECISION    NOT NULL CHECK (floor_height_m > 0),
    usage           TEXT    NOT NULL
);
CREATE INDEX buildings_micro_grid ON buildings(micro_grid_id);
CREATE INDEX buildings_address ON buildings(address);

CREATE TABLE households (
    id           BIGINT PRIMARY KEY,
    building_id  BIGINT NOT NULL REFERENCES buildings(id),
    floor        INTEGER NOT NULL,
    unit         TEXT    NOT NULL,
    UNIQUE (building_id, unit)
);

CREATE TABLE residents (
    id            BIGINT PRIMARY KEY,
    household_id  BIGINT NOT NULL REFERENCES households(id),
    name          TEXT    NOT NULL,
    sex           TEXT    NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date    TEXT    NOT NULL,
    id_number     TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    -- Comma-separated care-tag codes, e.g. 'elderly_alone,disabled'; empty for none.
    care_tags     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX residents_household ON residents(household_id);

CREATE TABLE enterprises (
    id             BIGINT PRIMARY KEY,
    name           TEXT    NOT NULL,
    industry       TEXT    NOT NULL,
    building_id    BIGINT NOT NULL REFERENCES buildings(id),
    licence_no     TEXT    NOT NULL UNIQUE,
    credit         TEXT    NOT NULL CHECK (credit IN ('A', 'B', 'C', 'D')),
    contact_name   TEXT    NOT NULL,
    contact_phone  TEXT    NOT NULL
);
CREATE INDEX enterprises_building ON enterprises(building_id);

CREATE TABLE devices (
    id             BIGINT PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    micro_grid_id  BIGINT NOT NULL REFERENCES micro_grids(id),
    building_id    BIGINT REFERENCES buildings(id),
    floor          INTEGER,
    household_id   BIGINT REFERENCES households(id),
    resident_id    BIGINT REFERENCES residents(id),
    lon            DOUBLE PRECISION    NOT NULL,
    lat            DOUBLE PRECISION    NOT NULL
);
CREATE INDEX devices_micro_grid ON devices(micro_grid_id);
CREATE INDEX devices_building ON devices(building_id);
