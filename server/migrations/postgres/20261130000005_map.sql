-- The grid editor: a micro-grid merged into another is retired, not deleted (cases keep
-- where they were routed); changes to the division are versioned per grid.
ALTER TABLE micro_grids ADD COLUMN retired_at BIGINT;
ALTER TABLE grids ADD COLUMN division_version BIGINT NOT NULL DEFAULT 1;
