-- The indicators read a period's cases by the time they were reported.
CREATE INDEX cases_created ON cases(created_at);
