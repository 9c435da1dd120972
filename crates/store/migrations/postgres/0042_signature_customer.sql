-- A customer's own earlier reports, newest first: how intake finds a re-send (a near-copy
-- from the same customer) without indexing every ticket under all its MinHash bands.
CREATE INDEX IF NOT EXISTS ticket_signatures_customer ON ticket_signatures (customer_key, ticket_id);
