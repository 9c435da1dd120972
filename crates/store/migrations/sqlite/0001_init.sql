-- Loopdesk schema, SQLite dialect. Instants are unix milliseconds (UTC); documents are JSON text.
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    intake_only BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket', 0);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    tracking_no TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    priority_rank BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    department_id BIGINT,
    assignee_id BIGINT,
    customer_phone TEXT,
    customer_email TEXT,
    subject TEXT,
    content TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX tickets_state ON tickets (state, priority_rank, id);
CREATE INDEX tickets_priority ON tickets (priority_rank, id);
CREATE INDEX tickets_department ON tickets (department_id, state, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, state, id);
CREATE INDEX tickets_category ON tickets (category, id);
CREATE INDEX tickets_channel ON tickets (channel, id);
CREATE INDEX tickets_recorded ON tickets (recorded_at);
CREATE INDEX tickets_phone ON tickets (customer_phone);
CREATE INDEX tickets_email ON tickets (customer_email);

CREATE TABLE ticket_collaborators (
    ticket_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_collaborators_user ON ticket_collaborators (user_id);

CREATE TABLE events (
    ticket_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    public BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);

-- Per-state counts rolled up by the dimensions queues filter on, kept in the same
-- transaction as every ticket change, so counting a million tickets reads a few rows.
CREATE TABLE ticket_counts (
    state TEXT NOT NULL,
    priority_rank BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (state, priority_rank, channel, category, department_id)
);

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    ticket_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
