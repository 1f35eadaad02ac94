-- One TOTP factor per user. `secret` is the confirmed factor (NULL until the first code
-- verifies); `pending_secret` an enrolment waiting for its first code, which replaces `secret`
-- only then, so re-enrolling never leaves the user without a working factor.
-- `last_used_step` is the RFC 6238 time-step of the last accepted code: a code is accepted
-- once, by a conditional UPDATE that only advances it.
CREATE TABLE totp_factors (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT,
    confirmed_at BIGINT,
    last_used_step BIGINT,
    pending_secret TEXT,
    pending_created_at BIGINT,
    updated_at BIGINT NOT NULL
);
