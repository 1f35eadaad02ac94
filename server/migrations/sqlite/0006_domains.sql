-- Verified domains and SSO identities (issue 15): an org owner is untrusted, so what they
-- declare is a claim until proven.

-- Domains an org claims: `pending` until a TXT record at _orgkit-challenge.{domain} carries
-- `orgkit-domain-verification={token}`, or created `verified` by the tenant's operator
-- (proof 'operator'). At most one org of a tenant holds a domain verified.
CREATE TABLE org_domains (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    token TEXT NOT NULL,
    status TEXT NOT NULL,
    proof TEXT,
    verified_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT org_domains_claim_unique UNIQUE (org_id, domain)
);
CREATE INDEX org_domains_org_page ON org_domains (org_id, id);
CREATE UNIQUE INDEX org_domains_verified_unique ON org_domains (tenant_id, domain) WHERE status = 'verified';

-- Which org configured a connection (its own SAML SSO, user API); NULL: the operator's. A
-- deleted org takes its connection with it, so nothing routes to it any more.
ALTER TABLE connections ADD COLUMN owner_org_id TEXT REFERENCES organizations(id) ON DELETE CASCADE;
UPDATE connections SET owner_org_id = (SELECT org_id FROM org_sso WHERE org_sso.connection_id = connections.id);

-- Org SSO connections configured before this migration: their email domains become pending
-- claims of their org, as a configuration does from now on (the org verifies them to restore
-- the trust they had).
INSERT OR IGNORE INTO org_domains (id, tenant_id, org_id, domain, token, status, proof, verified_at, created_at, updated_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
             || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       c.tenant_id, c.owner_org_id, j.value, lower(hex(randomblob(32))), 'pending', NULL, NULL, c.created_at, c.created_at
FROM connections c, json_each(c.email_domains) j
WHERE c.owner_org_id IS NOT NULL;

-- Accounts linked to a connection by a trusted SSO login: the connection may sign them in again.
CREATE TABLE sso_identities (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (connection_id, user_id)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- When the account's email was proven (a verification link, a trusted SSO login); NULL: never.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- Email verification links: only the token's hash is stored.
CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);

-- Whether the operator (management API) set the org's custom domain: trusted as set. One set
-- through the user API serves the login page only under a verified domain of the org. Custom
-- domains set before this migration are not known to be the operator's: not trusted.
ALTER TABLE organizations ADD COLUMN custom_domain_by_operator BIGINT NOT NULL DEFAULT 0;
