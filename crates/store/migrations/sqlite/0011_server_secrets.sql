-- Secrets every node must share (e.g. the key that signs survey links), created once by
-- whichever node needs them first. Never exposed through the API.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
