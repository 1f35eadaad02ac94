-- Management keys get a lifecycle: an id to name them by, a name, the last time they were used
-- and when they were revoked (a revoked key stays listed). Keys issued before keep working:
-- they get a random UUID id and the name 'initial'.
ALTER TABLE management_keys ADD COLUMN id TEXT;
ALTER TABLE management_keys ADD COLUMN name TEXT NOT NULL DEFAULT 'initial';
ALTER TABLE management_keys ADD COLUMN last_used_at BIGINT;
ALTER TABLE management_keys ADD COLUMN revoked_at BIGINT;
UPDATE management_keys SET id = gen_random_uuid()::text;
ALTER TABLE management_keys ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX management_keys_id ON management_keys (id);

-- The client address of the request that made an audited change (after ORGKIT_TRUSTED_PROXIES).
ALTER TABLE audit_log ADD COLUMN client_address TEXT;
