-- The checklist items of a plan task ticked so far: a JSON array of their indices.
ALTER TABLE case_tasks ADD COLUMN checked TEXT NOT NULL DEFAULT '[]';
