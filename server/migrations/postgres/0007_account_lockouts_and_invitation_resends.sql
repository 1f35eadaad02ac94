-- One failed-login counter per account, whatever org a login names (an org's settings only
-- tighten the limits it is counted against): replaces the counters per user and org context.
-- A lock in force in any context carries over; the count carries over from the no-org context.
CREATE TABLE account_lockouts (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    failed_attempts BIGINT NOT NULL,
    locked_until BIGINT
);
INSERT INTO account_lockouts (user_id, failed_attempts, locked_until)
SELECT user_id, COALESCE(MAX(CASE WHEN org_id = '' THEN failed_attempts END), 0), MAX(locked_until)
FROM login_lockouts GROUP BY user_id;
DROP TABLE login_lockouts;

-- How many times each invitation was sent again (core limits resends), and the lookup of an
-- org's invitations to one address (no second pending invitation to an address).
ALTER TABLE invitations ADD COLUMN resends BIGINT NOT NULL DEFAULT 0;
CREATE INDEX invitations_org_email ON invitations (org_id, email);
