-- Follow-up surveys (回访): one row per resolution ("round" = the resolution instant in unix
-- milliseconds), so the follow-up rate is answered rows over all rows, and a survey can be
-- answered once.
CREATE TABLE surveys (
    ticket_id BIGINT NOT NULL,
    round BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    rating TEXT,
    expired_at BIGINT,
    PRIMARY KEY (ticket_id, round)
);
CREATE INDEX surveys_sent ON surveys (sent_at);
