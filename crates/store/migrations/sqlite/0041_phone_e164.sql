-- Phone numbers in one form (E.164 for mainland China numbers), the same steps as
-- `loopdesk_core::Phone::normalise`, in the same order, over every stored form: the
-- indexed column and the document of each ticket, and the customer keys (`phone:…`) of
-- duplicate detection and problem clusters, whose sizes are recounted (a customer who
-- wrote their number two ways was counted twice).
CREATE TABLE phone_e164 (old TEXT PRIMARY KEY, new TEXT NOT NULL);
INSERT INTO phone_e164 (old, new)
    SELECT DISTINCT customer_phone, customer_phone FROM tickets WHERE customer_phone IS NOT NULL
    ON CONFLICT DO NOTHING;
INSERT INTO phone_e164 (old, new)
    SELECT DISTINCT substr(customer_key, 7), substr(customer_key, 7) FROM ticket_signatures
    WHERE customer_key LIKE 'phone:%'
    ON CONFLICT DO NOTHING;
INSERT INTO phone_e164 (old, new)
    SELECT DISTINCT substr(customer_key, 7), substr(customer_key, 7) FROM cluster_customers
    WHERE customer_key LIKE 'phone:%'
    ON CONFLICT DO NOTHING;

UPDATE phone_e164 SET new = '+86' || substr(new, 5) WHERE new LIKE '0086%' AND length(new) >= 9;
UPDATE phone_e164 SET new = '+' || substr(new, 3) WHERE new LIKE '00%' AND length(new) >= 7;
UPDATE phone_e164 SET new = '+86' || substr(new, 5) WHERE new LIKE '+860%' AND length(new) >= 8;
UPDATE phone_e164 SET new = '+86' || new
    WHERE length(new) = 11 AND substr(new, 1, 1) = '1' AND substr(new, 2, 1) BETWEEN '3' AND '9';
UPDATE phone_e164 SET new = '+86' || substr(new, 2)
    WHERE length(new) BETWEEN 10 AND 12 AND substr(new, 1, 1) = '0' AND substr(new, 2, 1) BETWEEN '1' AND '9';
DELETE FROM phone_e164 WHERE old = new;

UPDATE tickets SET customer_phone = (SELECT m.new FROM phone_e164 m WHERE m.old = tickets.customer_phone)
    WHERE customer_phone IN (SELECT old FROM phone_e164);
UPDATE tickets SET doc = json_set(doc, '$.customer.phone', customer_phone)
    WHERE customer_phone IS NOT NULL AND json_extract(doc, '$.customer.phone') IS NOT customer_phone;

UPDATE ticket_signatures
    SET customer_key = 'phone:' || (SELECT m.new FROM phone_e164 m WHERE 'phone:' || m.old = ticket_signatures.customer_key)
    WHERE customer_key IN (SELECT 'phone:' || old FROM phone_e164);
INSERT INTO cluster_customers (cluster_id, customer_key)
    SELECT c.cluster_id, 'phone:' || m.new FROM cluster_customers c JOIN phone_e164 m ON c.customer_key = 'phone:' || m.old
    WHERE 1 = 1
    ON CONFLICT DO NOTHING;
DELETE FROM cluster_customers WHERE customer_key IN (SELECT 'phone:' || old FROM phone_e164);
UPDATE problem_clusters
    SET customers = (SELECT COUNT(*) FROM cluster_customers c WHERE c.cluster_id = problem_clusters.id)
    WHERE id IN (SELECT DISTINCT cluster_id FROM cluster_customers);

DROP TABLE phone_e164;
