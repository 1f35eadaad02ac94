-- A password change revokes the user's earlier tokens: an access token whose `iat` is before
-- `tokens_valid_after` (unix seconds) is refused with `token_revoked`. NULL: nothing revoked.
ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT;
