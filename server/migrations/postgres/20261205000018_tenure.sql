-- How a household holds its home (房屋性质): '' not recorded, 'owned', 'rented'.
ALTER TABLE households ADD COLUMN tenure TEXT NOT NULL DEFAULT '';
