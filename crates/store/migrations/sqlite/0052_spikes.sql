-- Issue 16: spikes found by the hourly sweep (one job for the cluster, key spikes.sweep):
-- what (dimension and value), the window [window_start, window_end) in unix ms, how far
-- above the usual level, why, and a few sample tickets (JSON array of ids). A burst that
-- lasts several windows is one spike: a window overlapping a recorded one of the same
-- value is not recorded again, and the unique key makes a re-run record nothing twice.
CREATE TABLE spikes (
    id INTEGER PRIMARY KEY,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    observed BIGINT NOT NULL,
    baseline REAL NOT NULL,
    bar REAL NOT NULL,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    sample_ticket_ids TEXT NOT NULL,
    detected_at BIGINT NOT NULL,
    UNIQUE (dimension, value, window_end)
);
CREATE INDEX spikes_window ON spikes (window_end);
