-- The weights of the indicators in a post's or grid's score (考核权重), as an administrator
-- set them; an indicator without a row keeps its default weight.
CREATE TABLE kpi_weights (
    indicator  TEXT PRIMARY KEY,
    weight     BIGINT NOT NULL CHECK (weight >= 0 AND weight <= 100),
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
