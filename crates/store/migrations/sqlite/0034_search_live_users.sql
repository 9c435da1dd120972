-- Full-text search over tickets: the subject, the customer's text and the replies, notes
-- and information added later, segmented by the store (jieba for Chinese, normalised to
-- half-width, simplified, lower case) and kept as space-separated words, so FTS5's own
-- tokenizer only splits on the spaces. The row id is the ticket id.
CREATE VIRTUAL TABLE ticket_search USING fts5(words, tokenize = 'unicode61 remove_diacritics 0');
-- Tickets recorded before this migration are indexed by the store after start-up, in id
-- order, up to the largest id present now (later tickets are indexed as they are written).
CREATE TABLE search_backfill (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_id BIGINT NOT NULL,
    upto_id BIGINT NOT NULL
);
INSERT INTO search_backfill (id, next_id, upto_id) SELECT 1, 1, COALESCE(MAX(id), 0) FROM tickets;

-- The live feed: one small row per ticket change, written in the change's transaction and
-- read by every node's tailer to tell open console pages what changed. Holds no personal
-- data, only what access checks need; rows older than an hour are purged.
CREATE TABLE live_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    department_id BIGINT,
    assignee_id BIGINT,
    collaborators TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX live_changes_at ON live_changes (at);

-- Who changed which user, when and how (creation, name, role, department, skills,
-- deactivation, password resets — never the password itself).
CREATE TABLE user_audit (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX user_audit_user ON user_audit (user_id, id);
