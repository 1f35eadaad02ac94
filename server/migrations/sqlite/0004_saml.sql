-- SAML SSO per org (issue 6).

-- The org's own SAML connection, configured by its owner (POST /api/v1/organizations/{id}/sso).
-- Replacing the configuration keeps the connection id, so the ACS URL given to the IdP stays.
CREATE TABLE org_sso (
    org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL UNIQUE REFERENCES connections(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- AuthnRequests this server issued: a response's InResponseTo must name one, unused.
CREATE TABLE saml_requests (
    id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX saml_requests_expiry ON saml_requests (expires_at);

-- Assertions consumed, kept until they expire: the primary key refuses a replay, also when two
-- server instances receive the same response at once.
CREATE TABLE saml_assertions (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    assertion_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX saml_assertions_expiry ON saml_assertions (expires_at);
