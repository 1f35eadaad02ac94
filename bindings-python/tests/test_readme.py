"""The README's FastAPI snippet runs as written (only the issuer's URL is pointed at a local one)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from conftest import ISSUER, KeyPair, claims, pyjwt_token
from test_jwks_url import JwksServer

README = Path(__file__).resolve().parent.parent / "README.md"


def snippet(marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"one README snippet with {marker!r}"
    return found[0]


def test_fastapi_snippet_runs(keys: dict[str, KeyPair]) -> None:
    code = snippet("OrgTokenMiddleware, verifier=verifier")
    server = JwksServer()
    try:
        server.publish(keys["ES256"])
        local = code.replace("https://auth.example.com/.well-known/jwks.json", server.url)
        local = local.replace('issuer="https://auth.example.com"', f'issuer="{ISSUER}"')
        namespace: dict[str, Any] = {}
        exec(compile(local, str(README), "exec"), namespace)  # noqa: S102 - our own README
        assert server.requests == 0  # building the app fetched nothing
        client = TestClient(namespace["app"])

        r = client.delete("/orgs/org-1")
        assert r.status_code == 401 and r.json()["detail"]["code"] == "unauthenticated"
        owner = pyjwt_token(keys["ES256"], claims(org_role="owner"))
        r = client.delete("/orgs/org-1", headers={"Authorization": f"Bearer {owner}"})
        assert r.status_code == 200 and r.json() == {"deleted": "org-1", "by": "user-1"}
        assert server.requests == 1
        r = client.get("/orgs/org-1/settings", headers={"Authorization": f"Bearer {owner}"})
        assert r.status_code == 200, r.text
        assert r.json()["require_mfa"] == {"value": True, "source": "tenant_floor"}
        assert client.get("/orgs/org-1/settings").status_code == 401
        schema = client.get("/openapi.json").json()
        assert schema["components"]["securitySchemes"]["orgkit"]["scheme"] == "bearer"
        settings = schema["paths"]["/orgs/{org_id}/settings"]["get"]
        assert settings["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EffectiveSettings"}
        assert settings["security"] == [{"orgkit": []}]
    finally:
        server.stop()


def test_profile_snippet_builds_without_the_network() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(snippet('"name": "auth0"'), str(README), "exec"), namespace)  # noqa: S102
    assert namespace["app"].state.orgkit_verifier.key_count == 0
