-- The admin portal: links the operator makes for one org and one intent (opened once, soon),
-- and portal sessions (a cookie, with the CSRF token of its forms): an opened link's (its
-- intent only), or a signed-in owner's or admin's (acting as themselves, re-checked against the
-- org's policy at every request with the authentication their access token carried).
-- Secrets are stored as SHA-256 hashes.
CREATE TABLE portal_links (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    intent TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE portal_sessions (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    link_id TEXT REFERENCES portal_links(id) ON DELETE CASCADE,
    intent TEXT,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    authentication TEXT,
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);
