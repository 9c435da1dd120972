-- The web console: saved queue views per user, and the index the dashboard and the
-- escalation list read events by (kind and time, never a scan of the timeline).
CREATE TABLE saved_views (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, name)
);
CREATE INDEX events_kind_at ON events (kind, at);
