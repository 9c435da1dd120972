-- Failed sign-ins per account name (existing or not, so a lock says nothing about which
-- names exist): after a few, the name is locked for a time that doubles with each further
-- failure. Shared by every node; a successful sign-in removes the row.
CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last_failed_at);
