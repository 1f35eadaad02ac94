-- OpenID Connect per org: the org's own OIDC connection (a `connections` row of kind `oidc`:
-- entity_id holds the issuer, groups_attribute the groups claim) with its client, the secret
-- sealed (secrets.rs); the logins under way (state, nonce and PKCE verifier, single use); and
-- the key secrets are sealed with when ORGKIT_SECRET_KEY is unset.
CREATE TABLE org_oidc (
    org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL UNIQUE REFERENCES connections(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    redirect_target TEXT,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at);

CREATE TABLE secret_keys (
    id TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
