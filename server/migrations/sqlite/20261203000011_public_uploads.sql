-- The one-time upload grant of a resident's report: the public form sends its photos after the
-- report is stored, with a grant bound to that report (only its SHA-256 is kept), valid for a
-- short while and for a few photos. Claiming a photo and storing it are one transaction.
ALTER TABLE case_follow ADD COLUMN upload_hash TEXT;
ALTER TABLE case_follow ADD COLUMN upload_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_follow ADD COLUMN uploads_used INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX case_follow_upload ON case_follow(upload_hash);
