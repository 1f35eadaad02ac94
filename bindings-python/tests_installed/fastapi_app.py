"""The FastAPI app of the packaging test: orgkit's README usage against a real orgkit-server.

ORGKIT_JWKS_URL and ORGKIT_ISSUER name the server; nothing is fetched until a request needs it.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI

from orgkit import OrgTokenVerifier
from orgkit.fastapi import require_org

app = FastAPI()
app.state.orgkit_verifier = OrgTokenVerifier.from_jwks_url(
    os.environ["ORGKIT_JWKS_URL"], issuer=os.environ["ORGKIT_ISSUER"], audience="orgkit", timeout=5
)


@app.get("/orgs/{org_id}/whoami")
async def whoami(org_id: str, claims: dict[str, Any] = Depends(require_org(role="owner", org_param="org_id"))) -> dict[str, Any]:
    return {"org": claims["org_id"], "role": claims["org_role"], "sub": claims["sub"]}
