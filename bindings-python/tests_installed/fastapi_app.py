"""The FastAPI app of the packaging test: orgkit's README usage against a real orgkit-server.

ORGKIT_JWKS_URL and ORGKIT_ISSUER name the server; nothing is fetched until a request needs it.
The results are typed (orgkit.types): `/settings` answers core's `EffectiveSettings`, which
FastAPI turns into its response model and OpenAPI schema.
"""

from __future__ import annotations

import os

from fastapi import Depends, FastAPI

import orgkit
from orgkit import OrgTokenVerifier
from orgkit.fastapi import require_org
from orgkit.types import EffectiveSettings, OrgClaims

app = FastAPI()
app.state.orgkit_verifier = OrgTokenVerifier.from_jwks_url(
    os.environ["ORGKIT_JWKS_URL"], issuer=os.environ["ORGKIT_ISSUER"], audience="orgkit", timeout=5
)


@app.get("/orgs/{org_id}/whoami")
async def whoami(org_id: str, claims: OrgClaims = Depends(require_org(role="owner", org_param="org_id"))) -> dict[str, str]:
    return {"org": claims.get("org_id", ""), "role": claims.get("org_role", ""), "sub": claims["sub"]}


@app.get("/orgs/{org_id}/settings")
async def settings(org_id: str, _claims: OrgClaims = Depends(require_org(role="viewer", org_param="org_id"))) -> EffectiveSettings:
    return orgkit.resolve_settings(tenant={"floors": {"require_mfa": True}}, org={"session_ttl_hours": 8})
