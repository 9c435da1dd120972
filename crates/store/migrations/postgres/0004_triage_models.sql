-- Trained triage models, versioned: every retrain adds a row, the newest is in effect, and
-- older ones stay to explain past decisions.
CREATE TABLE triage_models (
    version BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    examples BIGINT NOT NULL,
    corrections BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    model TEXT NOT NULL
);
