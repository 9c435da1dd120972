-- The band index is looked up and written only by its key: store it as one B-tree keyed by
-- (band_key, ticket_id) instead of a rowid table plus a unique index, halving the pages
-- each intake dirties.
CREATE TABLE ticket_bands_new (
    band_key BIGINT NOT NULL,
    ticket_id BIGINT NOT NULL,
    PRIMARY KEY (band_key, ticket_id)
) WITHOUT ROWID;
INSERT INTO ticket_bands_new SELECT band_key, ticket_id FROM ticket_bands;
DROP TABLE ticket_bands;
ALTER TABLE ticket_bands_new RENAME TO ticket_bands;
