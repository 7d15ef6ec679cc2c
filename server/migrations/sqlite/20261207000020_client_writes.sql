-- What a phone sent with its own id (a report, an action, a photo queued while offline):
-- written in the same transaction as the change, so that the phone's resend after a lost
-- answer finds it done instead of doing it twice.
CREATE TABLE client_writes (
    actor      TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    at         INTEGER NOT NULL,
    PRIMARY KEY (actor, client_id)
);
