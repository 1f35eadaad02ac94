-- SSO connections of a tenant, and which of them each org allows.
CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    sso_url TEXT NOT NULL,
    certificate TEXT NOT NULL,
    email_domains TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX connections_tenant_page ON connections (tenant_id, id);

CREATE TABLE org_connections (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, connection_id)
);
CREATE INDEX org_connections_connection ON org_connections (connection_id);
