-- Issue 18 §8: an optional TOTP second factor for staff. The confirmed secret and one awaiting
-- confirmation, both sealed with a server key (never shown after enrolment), and the last
-- time step a code was accepted for, so each code is used once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
