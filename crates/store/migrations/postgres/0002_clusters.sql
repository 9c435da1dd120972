-- Near-duplicate clustering. Band keys of each ticket's MinHash signature are indexed so
-- finding similar tickets is a few index look-ups, never a scan of all tickets.
CREATE TABLE ticket_signatures (
    ticket_id BIGINT PRIMARY KEY,
    cluster_id BIGINT NOT NULL,
    customer_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX ticket_signatures_cluster ON ticket_signatures (cluster_id);

CREATE TABLE ticket_bands (
    band_key BIGINT NOT NULL,
    ticket_id BIGINT NOT NULL,
    PRIMARY KEY (band_key, ticket_id)
);

-- Distinct customers per problem cluster: the cluster's size.
CREATE TABLE cluster_customers (
    cluster_id BIGINT NOT NULL,
    customer_key TEXT NOT NULL,
    PRIMARY KEY (cluster_id, customer_key)
);

-- Size of each cluster, kept with every new member so reading it is one row.
CREATE TABLE problem_clusters (
    id BIGINT PRIMARY KEY,
    customers BIGINT NOT NULL
);
