-- orgkit schema. Ids are UUID text, times are unix seconds (BIGINT), booleans are INTEGER:
-- the types sqlx's Any driver carries on both SQLite and PostgreSQL.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE management_keys (
    key_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX management_keys_tenant ON management_keys (tenant_id);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    metadata TEXT NOT NULL,
    settings TEXT NOT NULL,
    custom_domain TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT organizations_slug_unique UNIQUE (tenant_id, slug)
);
-- One org per custom domain across tenants: the login page is chosen by Host header.
CREATE UNIQUE INDEX organizations_custom_domain_unique ON organizations (custom_domain);
CREATE INDEX organizations_tenant_page ON organizations (tenant_id, id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    name TEXT,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT users_email_unique UNIQUE (tenant_id, email)
);
CREATE INDEX users_tenant_page ON users (tenant_id, id);

CREATE TABLE memberships (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, org_id);
CREATE INDEX memberships_org_role ON memberships (org_id, role);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    invited_by TEXT,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by TEXT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX invitations_org_page ON invitations (org_id, id);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Set when a newer key replaced it; the public half stays in the JWKS until `publish_until`.
    retired_at BIGINT,
    publish_until BIGINT
);

-- Failed-login counters per user and login context ('' = no org), shared by every instance.
CREATE TABLE login_lockouts (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (user_id, org_id)
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    org_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_org_page ON audit_log (org_id, id);
