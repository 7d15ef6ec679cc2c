-- What residents see of their reports and say about them (民呼我为).
--
-- case_follow: the private follow link of a resident's report. Only the SHA-256 of the token
-- is kept: the link is the resident's, and a copy of the database does not open it.
CREATE TABLE case_follow (
    case_id     BIGINT PRIMARY KEY REFERENCES cases(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- case_ratings: one satisfaction rating per closed case, by the resident through the follow
-- link or recorded by staff from a callback (回访); written once, never changed. A low rating
-- opens a review (复核) for the command staff, closed with what they found.
CREATE TABLE case_ratings (
    case_id        BIGINT PRIMARY KEY REFERENCES cases(id),
    score          BIGINT NOT NULL CHECK (score >= 1 AND score <= 5),
    comment        TEXT NOT NULL DEFAULT '',
    channel        TEXT NOT NULL,
    rated_at       BIGINT NOT NULL,
    rated_by       TEXT NOT NULL,
    review_state   TEXT,
    reviewed_at    BIGINT,
    reviewed_by    TEXT NOT NULL DEFAULT '',
    review_note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_ratings_review ON case_ratings(review_state, rated_at);
